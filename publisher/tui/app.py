"""The app factory and the app: views, the freeze switch, the interface language.

The command line and the tests both build the app through :func:`make_app`.
Every view is a Textual mode with its own stack (the editor and the schedule
screen are pushed on the drafts view).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from publisher.domain.errors import UserError
from publisher.i18n import _, current_language, ngettext, set_language
from publisher.services.context import Context, open_context
from publisher.tui.base import N_, PublisherScreen, translate_bindings
from publisher.tui.commands import LANGUAGE_NAMES, Palette, ScreenCommands
from publisher.tui.messages import FreezeChanged

log = logging.getLogger("publisher.tui")
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def _screen(name: str) -> Callable[[], Screen]:
    """Screens are imported when first shown: start-up loads only the drafts view."""

    def build() -> Screen:
        if name == "queue":
            from publisher.tui.screens.queue import QueueScreen

            return QueueScreen()
        if name == "translate":
            from publisher.tui.screens.translator import TranslatorScreen

            return TranslatorScreen()
        if name == "calendar":
            from publisher.tui.screens.calendar import CalendarScreen

            return CalendarScreen()
        if name == "accounts":
            from publisher.tui.screens.accounts import AccountsScreen

            return AccountsScreen()
        from publisher.tui.screens.drafts import DraftsScreen

        return DraftsScreen()

    return build


class PublisherApp(App[None]):
    # Every screen's CSS is read once, at start: a screen with its own CSS_PATH makes
    # Textual parse and apply the whole stylesheet again when it is first shown.
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        "app.tcss", *(f"screens/{name}.tcss" for name in
                      ("drafts", "editor", "schedule", "queue", "translator", "accounts"))]
    TITLE = "publisher"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    MODES: ClassVar[dict[str, str | Callable[[], Screen]]] = {
        name: _screen(name) for name in ("drafts", "queue", "translate", "accounts", "calendar")
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "view('drafts')", N_("Drafts"), id="app.drafts",
                tooltip=N_("The drafts and their translations")),
        Binding("f3", "view('queue')", N_("Queue"), id="app.queue",
                tooltip=N_("What goes out when, and what failed")),
        Binding("f4", "view('translate')", N_("Translate"), id="app.translate",
                tooltip=N_("Variants missing or stale in one language")),
        Binding("f5", "view('accounts')", N_("Accounts"), id="app.accounts",
                tooltip=N_("Accounts, audiences and stored secrets")),
        Binding("f12", "view('calendar')", N_("Calendar"), id="app.calendar", show=False,
                tooltip=N_("The week's posts by day and hour; move a waiting one")),
        Binding("f9", "choose_language", N_("Language"), id="app.language",
                tooltip=N_("Change the interface language")),
        Binding("f10", "toggle_freeze", N_("Freeze"), id="app.freeze",
                tooltip=N_("Pause everything (a crisis), or resume")),
        # The footer shows the palette's key itself, on the right.
        Binding("ctrl+p", "command_palette", N_("Commands"), id="app.palette", show=False,
                tooltip=N_("Every action, searchable")),
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", show=False,
                tooltip=N_("Leave publisher"), priority=True),
    ]

    # The freeze's reason while the queue is frozen, else None (banners follow it).
    freeze: reactive[str | None] = reactive(None, init=False)

    def __init__(self, home: Path, *, language: str | None = None, clock: Clock = _now,
                 cursor_blink: bool = True, watch_seconds: float = 15.0):
        super().__init__()
        self.home = home
        self.clock = clock
        self.cursor_blink = cursor_blink
        self.watch_seconds = watch_seconds
        context = open_context(home)
        settings = context.settings
        self.zone = settings.zone
        # Create the queue file now: workers opening it at once for the first time
        # would race on its creation (the storage layer reads its version unlocked).
        from publisher.services.queueing import open_queue

        open_queue(context).close()
        set_language(language or settings.ui_locale)
        translate_bindings(self)

    def context(self) -> Context:
        """A fresh view of the workspace: files may change under the app at any time."""
        return open_context(self.home)

    def on_mount(self) -> None:
        self.switch_mode("drafts")
        self.check_freeze()
        if self.watch_seconds:
            self.set_interval(self.watch_seconds, self.check_freeze)

    # Views and errors

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The key of the view shown is not offered (it would do nothing)."""
        return not (action == "view" and parameters and parameters[0] == self.current_mode)

    def action_view(self, name: str) -> None:
        if self.current_mode != name:
            self.switch_mode(name)
            self.refresh_bindings()

    def show_error(self, error: BaseException | None) -> None:
        """One line for a person; a traceback only in the log, for a bug."""
        from publisher.platforms.base import PlatformError
        from publisher.storage.lock import Locked
        from publisher.tui.remedies import describe, failure

        if isinstance(error, UserError):
            text = describe(error)
        elif isinstance(error, PlatformError):
            text = failure(error)
        elif isinstance(error, Locked):
            text = _("a flush is running; try again in a moment")
        else:
            log.error("unexpected error in the interface", exc_info=error)
            text = _("unexpected error: {kind}: {error}").format(
                kind=type(error).__name__, error=error)
        self.notify(text, title=_("Not done"), severity="error", timeout=10)

    # The freeze

    @work(thread=True, exclusive=True, exit_on_error=False, group="freeze-state")
    def check_freeze(self) -> None:
        from publisher.services.queueing import queue_overview

        freeze = queue_overview(self.context()).freeze
        self.post_message(FreezeChanged(None if freeze is None else (freeze.reason or "-")))

    def action_toggle_freeze(self) -> None:
        from publisher.tui.dialogs import PromptDialog, confirm, if_given, if_yes

        if self.freeze is not None:
            self.push_screen(
                confirm(_("Resume the queue?"),
                        _("Everything held by the freeze goes out at its time again."),
                        _("Resume")),
                if_yes(lambda: self.set_freeze(None)),
            )
            return
        self.push_screen(
            PromptDialog(
                _("Freeze the queue"),
                _("Nothing is sent until you resume. Why? (shown to everyone)"),
                placeholder=_("e.g. a day of mourning"),
                check=lambda text: None if text else _("say why, for the others"),
                cursor_blink=self.cursor_blink,
            ),
            if_given(self.set_freeze),
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="freeze")
    def set_freeze(self, reason: str | None) -> None:
        from publisher.services import queueing

        context = self.context()
        if reason is None:
            count = queueing.resume(context, None, self.clock())
            message = ngettext("Resumed; {count} item back in the queue",
                               "Resumed; {count} items back in the queue",
                               count).format(count=count)
        else:
            count = queueing.pause(context, None, reason, self.clock())
            message = ngettext("Frozen; {count} item held", "Frozen; {count} items held",
                               count).format(count=count)
        self.post_message(FreezeChanged(reason, message))

    @on(FreezeChanged)
    def _freeze_changed(self, message: FreezeChanged) -> None:
        self.freeze = message.reason
        if not message.text:
            return
        self.notify(message.text)  # a change: the views of held items show it
        for screen in self.screen_stack:
            refresh = getattr(screen, "reload", None)
            if refresh is not None and getattr(screen, "RELOAD_ON_FREEZE", False):
                refresh()

    # Language

    def action_choose_language(self) -> None:
        from publisher.tui.dialogs import ChoiceDialog, if_given

        choices = [(tag, name, "primary" if tag == current_language() else "default")
                   for tag, name in LANGUAGE_NAMES.items()]
        self.push_screen(
            ChoiceDialog(_("Interface language"), _("Show publisher in:"), choices),
            if_given(lambda tag: self.call_later(self.switch_language, tag)),
        )

    async def switch_language(self, tag: str) -> None:
        """Switch the interface language now; other views follow when shown."""
        set_language(tag)
        translate_bindings(self)
        screen = self.screen
        if isinstance(screen, PublisherScreen):
            await screen.relabel()
        self.refresh_bindings()

    # The palette, with Textual's own texts translated

    def action_command_palette(self) -> None:
        # is_open is typed for App[object], and App's type parameter is invariant.
        if self.use_command_palette and not Palette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(Palette())

    def get_system_commands(self, screen: Screen):
        yield SystemCommand(_("Theme"), _("Change the colours"), self.action_change_theme)
        yield SystemCommand(_("Keys"), _("Show the keys of this screen"),
                            self.action_show_help_panel)
        yield SystemCommand(_("Quit"), _("Leave publisher"), self.action_quit)


def make_app(home: Path, *, language: str | None = None, clock: Clock = _now,
             cursor_blink: bool = True, watch_seconds: float = 15.0) -> PublisherApp:
    """The app on the workspace at ``home`` (raises UserError if there is none)."""
    return PublisherApp(home, language=language, clock=clock, cursor_blink=cursor_blink,
                        watch_seconds=watch_seconds)
