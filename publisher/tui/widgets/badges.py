"""Translation-state badges: one short coloured mark per locale."""

from __future__ import annotations

from functools import cache

from rich.text import Text

from publisher.domain.drafts import TranslationState
from publisher.i18n import _

# Symbol and style per state; the symbol carries the meaning for colour-blind eyes.
_LOOK = {
    TranslationState.MISSING: ("✗", "bold white on dark_red"),
    TranslationState.STALE: ("~", "bold black on yellow"),
    TranslationState.TRANSLATED: ("✓", "bold white on dark_blue"),
    TranslationState.APPROVED: ("✔", "bold black on green"),
}


@cache
def badge(locale: str, state: TranslationState | None) -> Text:
    """``sq ✓`` on its state's colour; a dim dash where the locale is not needed.

    One shared (never changed) Text per locale and state: a table of thousands of
    drafts makes a handful of badges, not three per row.
    """
    if state is None:
        return Text("  –  ", style="dim")
    symbol, style = _LOOK[state]
    return Text(f" {locale} {symbol} ", style=style)


def legend() -> Text:
    text = Text()
    for state, (symbol, style) in _LOOK.items():
        text.append(f" {symbol} ", style=style)
        text.append(f" {_(state.value)}   ")
    return text
