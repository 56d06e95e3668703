"""The command palette: every action of the current screen, in the current language.

Commands follow the screen the palette was opened from: they are that
screen's active bindings (so the palette and the footer never disagree), the
app's own ones, and the interface languages. Textual's own palette texts are
translated here too.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.widgets.option_list import Option

from publisher.domain.search_fold import fold, fold_with_origins
from publisher.i18n import _

LANGUAGE_NAMES = {"sq": "Shqip", "en": "English", "sr": "Српски", "sr-Latn": "Srpski (latinica)"}


class FoldedMatcher(Matcher):
    """Textual's fuzzy matcher on folded text: ``замрз`` finds "Zamrzni", ``e`` finds "ë".

    Both sides are folded (publisher.domain.search_fold); the highlight maps the
    matched letters back to the text as shown.
    """

    def match(self, candidate: str) -> float:
        return self.fuzzy_search.match(fold(self.query), fold(candidate))[0]

    def highlight(self, candidate: str) -> Content:
        content = Content(candidate)
        folded, origins = fold_with_origins(candidate)
        score, offsets = self.fuzzy_search.match(fold(self.query), folded)
        if not score:
            return content
        for index in sorted({origins[offset] for offset in offsets}):
            if not candidate[index].isspace():
                content = content.stylize(self.match_style, index, index + 1)
        return content


class ScreenCommands(Provider):
    def matcher(self, user_input: str, case_sensitive: bool = False) -> Matcher:
        return FoldedMatcher(user_input, match_style=self.match_style)

    def _commands(self) -> Iterator[tuple[str, str, object]]:
        app = self.app
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in ("command_palette", *seen):
                continue
            seen.add(binding.action)
            run = partial(app.call_later, app.run_action, binding.action, active.node)
            yield binding.description, binding.tooltip, run
        for tag, name in LANGUAGE_NAMES.items():
            title = _("Interface language: {name}").format(name=name)
            yield title, _("Show the interface in this language"), partial(
                app.call_later, app.switch_language, tag)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title,  # type: ignore[arg-type]
                          help=help_text)


class Palette(CommandPalette):
    """Textual's palette with its own texts translated."""

    def __init__(self) -> None:
        super().__init__(placeholder=_("Search for commands…"), id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(_("No matches found"), style="not bold")),
                    disabled=True, id=self._NO_MATCHES,
                ))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
