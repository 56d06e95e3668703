"""Help (F1): the keys of the screen it was opened on, and the app's, in the interface
language. Read from the bindings active there, so it follows keymaps and never
disagrees with the footer or the palette."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from publisher.i18n import N_, _
from publisher.tui.base import translate_bindings
from publisher.tui.widgets.keybar import KeyBar

# Key names as printed on the keys (not translated: they are what the keyboard says).
KEY_NAMES = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "shift+tab": "shift+Tab"}


def key_label(key: str) -> str:
    if key.startswith("f") and key[1:].isdigit():
        return key.upper()
    return KEY_NAMES.get(key, key)


def own_bindings(screen: Screen) -> tuple[list[tuple[str, Binding]], list[tuple[str, Binding]]]:
    """The screen's and the app's bindings active on ``screen``, as (keys, binding): a
    widget's own keys (cursor moves, scrolling) are left to the closing line."""
    mine: dict[tuple[bool, str, str], tuple[list[str], Binding]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or not _owned(active, screen):
            continue
        # One line per action, whatever number of keys it has ("ctrl+d / ctrl+b").
        keys, _binding = mine.setdefault(
            (active.node is screen.app, binding.action, binding.description), ([], binding))
        keys.append(key_label(key))
    screen_keys: list[tuple[str, Binding]] = []
    app_keys: list[tuple[str, Binding]] = []
    for (is_app, _action, _description), (keys, binding) in mine.items():
        (app_keys if is_app else screen_keys).append((" / ".join(keys), binding))
    return screen_keys, app_keys


def _owned(active: ActiveBinding, screen: Screen) -> bool:
    return active.node is screen or active.node is screen.app


class HelpScreen(ModalScreen[None]):
    """The keys of one screen; Esc (or F1 again) goes back to it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1", "close", N_("Back"), id="help.back",
                tooltip=N_("Back to the screen you were on")),
    ]
    DEFAULT_CSS = """
    HelpScreen { background: $background; }
    HelpScreen #help-body { padding: 0 1; }
    HelpScreen .help-section { text-style: bold; margin-top: 1; }
    """

    def __init__(self, of: Screen) -> None:
        super().__init__()
        translate_bindings(self)
        self.of = of
        self.keys = own_bindings(of)  # now, before this screen changes what is active

    def compose(self) -> ComposeResult:
        title = getattr(self.of, "TITLE_TEXT", "")
        name = _(title) if title else ""
        screen_keys, app_keys = self.keys
        yield Static(_("publisher · {screen}").format(screen=_("Help: {screen}").format(
            screen=name)), classes="screen-title")
        with VerticalScroll(id="help-body"):
            if screen_keys:
                yield Static(_("Keys of this screen"), classes="help-section")
                yield Static(self._lines(screen_keys))
            yield Static(_("Everywhere"), classes="help-section")
            yield Static(self._lines(app_keys))
            yield Static(_("The arrows move in lists and tables, Tab goes to the next field, "
                           "Enter picks. ctrl+p finds every action by name. Esc goes back."),
                         classes="help-section")
        yield KeyBar()

    @staticmethod
    def _lines(keys: list[tuple[str, Binding]]) -> Table:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column(justify="right", no_wrap=True, style="bold", min_width=18)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1)
        for shown, binding in keys:
            text = Text(binding.description)
            if binding.tooltip:
                text.append(f" — {binding.tooltip}", style="dim")
            table.add_row(shown, "·", text)
        return table

    def action_close(self) -> None:
        self.dismiss(None)
