"""The editor's live counter: one line per target account, by that platform's own rule.

An outbox account counts by the platform it imitates. A combined account
(several locales in one post) counts the whole combined post. The line turns
red from 90% of the limit on, and says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from publisher.domain.accounts import Account
from publisher.domain.textrules import TextCount, count_text
from publisher.i18n import _

COMBINED_SEPARATOR = "\n\n"
PLATFORM_NAMES = {
    "x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "facebook": "Facebook",
    "instagram": "Instagram", "threads": "Threads", "telegram": "Telegram",
    "linkedin": "LinkedIn", "outbox": "outbox",
}


def _unit(unit: str) -> str:
    names = {
        "weighted characters": _("weighted characters"),
        "characters": _("characters"),
        "graphemes": _("graphemes"),
    }
    return names.get(unit, unit)


@dataclass(frozen=True)
class CountLine:
    account: Account
    locales: tuple[str, ...]
    count: TextCount


def count_lines(
    accounts: Mapping[str, Account], targets: tuple[str, ...], locale: str,
    texts: Mapping[str, str], has_media: bool,
) -> list[CountLine]:
    """The counts for every target account that posts in ``locale``."""
    lines = []
    for account_id in targets:
        account = accounts.get(account_id)
        if account is None or locale not in account.locales:
            continue
        if account.layout == "combined":
            locales = account.locales
            text = COMBINED_SEPARATOR.join(t for t in (texts.get(tag, "") for tag in locales) if t)
        else:
            locales = (locale,)
            text = texts.get(locale, "")
        lines.append(CountLine(account, locales, count_text(account.text_platform, text,
                                                            has_media=has_media)))
    return lines


def describe(line: CountLine) -> Text:
    count = line.count
    platform = PLATFORM_NAMES.get(count.platform, count.platform)
    label = f"{line.account.id} ({platform}"
    if len(line.locales) > 1:
        label += ", " + _("combined {locales}").format(locales="+".join(line.locales))
    label += ")"
    numbers = f"{count.used}/{count.limit} {_unit(count.unit)}"
    if count.used > count.limit:
        reason = _("{over} over {platform}'s limit").format(
            over=count.used - count.limit, platform=platform)
        style, mark = "bold red", "✗"
    elif count.problems:
        reason, style, mark = count.problems[0], "bold red", "✗"
    elif count.near_limit:
        reason = _("{left} left: near {platform}'s limit").format(
            left=count.remaining, platform=platform)
        style, mark = "bold red", "!"
    else:
        reason, style, mark = "", "green", "✓"
    text = Text(f"{mark} {label}: ", style=style)
    text.append(numbers, style=style)
    if reason:
        text.append(f" — {reason}", style=style)
    return text


class TextCounter(Static):
    DEFAULT_CSS = """
    TextCounter { height: auto; padding: 0 1; }
    """

    def on_mount(self) -> None:
        refresh = getattr(self.screen, "refresh_counter", None)
        if refresh is not None:
            refresh(self)

    def show(self, lines: list[CountLine]) -> None:
        """One line per account; the classes ``-near`` (red before the limit) and
        ``-over`` (over it, or refused) say the worst of them."""
        over = any(line.count.used > line.count.limit or line.count.problems
                   for line in lines)
        self.set_class(over, "-over")
        self.set_class(not over and any(line.count.near_limit for line in lines), "-near")
        if not lines:
            self.update(Text(_("None of the chosen accounts posts in this language: choose "
                               "the accounts in Details (ctrl+t)."), style="dim"))
            return
        self.update(Text("\n").join(describe(line) for line in lines))
