"""The app factory and the app: views, the freeze switch, the interface language.

The command line and the tests both build the app through :func:`make_app`.
Every view is a Textual mode with its own stack (the editor and the schedule
screen are pushed on the drafts view).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

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
from publisher.tui.messages import FreezeChanged, QueueHealthRead, WorkspaceChanged

if TYPE_CHECKING:
    from publisher.services.watch import QueueHealth, WorkspaceWatch
    from publisher.tui.dialogs import HoldsEdits

log = logging.getLogger("publisher.tui")
Clock = Callable[[], datetime]
WATCH_SECONDS = 1.0  # how often the app looks whether the workspace changed
HEALTH_SECONDS = 15.0  # how often it reads the queue's health even so (time passes)
# The terminal closed (its window, an ssh session ended: SIGHUP) or the system is
# shutting down (SIGTERM): nobody can be asked any more.
HANGUP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGHUP", "SIGTERM")
                       if hasattr(signal, name))
QUIT_DIALOG = "quit-dialog"
ERROR_SECONDS = 10  # how long an error stays on screen


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
        if name == "crisis":
            from publisher.tui.screens.crisis import CrisisScreen

            return CrisisScreen()
        if name == "results":
            from publisher.tui.screens.results import ResultsScreen

            return ResultsScreen()
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
                      ("drafts", "editor", "schedule", "queue", "translator", "accounts",
                       "crisis", "results"))]
    TITLE = "publisher"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    MODES: ClassVar[dict[str, str | Callable[[], Screen]]] = {
        name: _screen(name) for name in ("drafts", "queue", "translate", "accounts", "calendar",
                                      "crisis", "results")
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "view('drafts')", N_("Drafts"), id="app.drafts",
                tooltip=N_("The drafts and their translations")),
        # F2 over the editor or the schedule (the drafts view is shown): back to the list.
        Binding("f2", "back_to_drafts", N_("Back to the drafts"), id="app.drafts_back",
                show=False, tooltip=N_("Close the screens opened from the drafts (asks "
                                       "about unsaved changes)")),
        Binding("f3", "view('queue')", N_("Queue"), id="app.queue",
                tooltip=N_("What goes out when, and what failed")),
        Binding("f4", "view('translate')", N_("Translate"), id="app.translate",
                tooltip=N_("Variants missing or stale in one language")),
        Binding("f5", "view('accounts')", N_("Accounts"), id="app.accounts",
                tooltip=N_("Accounts, audiences and stored secrets")),
        Binding("f1", "help", N_("Help"), id="app.help", show=False,
                tooltip=N_("The keys of this screen")),
        Binding("f12", "view('calendar')", N_("Calendar"), id="app.calendar", show=False,
                tooltip=N_("The week's posts by day and hour; move a waiting one")),
        Binding("f11", "view('crisis')", N_("Crisis"), id="app.crisis", show=False,
                tooltip=N_("Holding statements to fill and send; items whose fate is "
                           "unknown")),
        Binding("ctrl+k", "view('results')", N_("Results"), id="app.results", show=False,
                tooltip=N_("What the sent posts achieved, by account and language")),
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
    # The queue's health as last read (the banners warn when no flush comes).
    queue_health: reactive[QueueHealth | None] = reactive(None, init=False)

    def __init__(self, home: Path, *, language: str | None = None, clock: Clock = _now,
                 cursor_blink: bool = True, watch_seconds: float = WATCH_SECONDS):
        super().__init__()
        self.home = home
        self.clock = clock
        self.cursor_blink = cursor_blink
        # How often to look for changes to the workspace (0: never; the tests drive it).
        self.watch_seconds = watch_seconds
        # Counts the changes seen: a screen that read an older generation reads again.
        self.workspace_generation = 0
        self._watch: WorkspaceWatch | None = None
        self._looking = threading.Lock()  # held while a worker looks at the workspace
        self._last_error, self._last_error_at = "", 0.0
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
            self.poll_workspace()  # the first look (a scan of the drafts) off the UI thread
            self.set_interval(self.watch_seconds, self.poll_workspace)
            self.set_interval(max(self.watch_seconds, HEALTH_SECONDS), self.check_freeze)
        self.hangup_signals = self._catch_hangup()

    def _catch_hangup(self) -> tuple[int, ...]:
        """Keep unsaved edits in files when the terminal goes away (only the main
        thread may handle signals; elsewhere there is nothing to catch)."""
        loop = asyncio.get_running_loop()
        caught = []
        for number in HANGUP_SIGNALS:
            try:
                loop.add_signal_handler(number, self.hang_up)
            except (NotImplementedError, RuntimeError, ValueError):
                continue
            caught.append(number)
        return tuple(caught)

    def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for number in getattr(self, "hangup_signals", ()):
            loop.remove_signal_handler(number)
        with self._looking:  # not under a look in progress
            self.watch_seconds = 0  # a look still to come opens nothing
            if self._watch is not None:
                self._watch.close()
                self._watch = None

    # Following the workspace

    @work(thread=True, exit_on_error=False, group="watch")
    def poll_workspace(self) -> None:
        """Look whether the workspace changed (a few system calls); say so if it did.
        The first look takes the stamps the next ones compare with; a look while the
        last one still runs (a slow disk) is skipped."""
        if not self._looking.acquire(blocking=False):
            return
        try:
            if not self.watch_seconds:
                return
            if self._watch is None:
                from publisher.services.watch import WorkspaceWatch

                self._watch = WorkspaceWatch(self.context().workspace)
                return
            changed = self._watch.changes()
        finally:
            self._looking.release()
        if changed:
            self.post_message(WorkspaceChanged(changed))

    @on(WorkspaceChanged)
    def _workspace_changed(self, message: WorkspaceChanged) -> None:
        """The screen shown reads again (the others when shown), the banners too."""
        from textual.app import ScreenStackError

        from publisher.tui.base import LoadingScreen

        self.workspace_generation += 1
        try:
            screen = self.screen
        except ScreenStackError:  # the app is closing
            return
        self.check_freeze()
        if isinstance(screen, LoadingScreen) and screen.LIVE and screen.data is not None:
            screen.follow_workspace()

    # Views and errors

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The key of the view shown is not offered (it would do nothing); F2 over a
        screen opened from the drafts goes back to them instead."""
        if action == "back_to_drafts":
            return self.current_mode == "drafts" and len(self.screen_stack) > 1
        return not (action == "view" and parameters and parameters[0] == self.current_mode)

    def action_view(self, name: str) -> None:
        if self.current_mode != name:
            self.switch_mode(name)
            self.refresh_bindings()

    def action_back_to_drafts(self) -> None:
        """Close the screens opened over the drafts, one by one; a screen with unsaved
        work (the editor) asks first, and Cancel stops there."""
        if len(self.screen_stack) <= 1:
            self.refresh_bindings()
            return

        def close_it() -> None:
            self.pop_screen()
            self.call_after_refresh(self.action_back_to_drafts)

        leave = getattr(self.screen, "leave", None)
        if leave is None:
            close_it()
        else:
            leave(close_it)

    def action_help(self) -> None:
        """The keys of the screen shown (F1; the palette's "Keys")."""
        from textual.screen import ModalScreen

        if isinstance(self.screen, ModalScreen):
            return  # a dialog, the palette or the help itself
        from publisher.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_show_help_panel(self) -> None:
        """Textual's keys panel is replaced by the help screen: translated, and Esc
        closes it."""
        self.action_help()

    def show_error(self, error: BaseException | None) -> None:
        """One line for a person; a traceback only in the log, for a bug."""
        from publisher.platforms.base import PlatformError
        from publisher.storage.lock import Locked
        from publisher.storage.queue import StaleState
        from publisher.tui.remedies import describe, failure

        if isinstance(error, StaleState):  # acted on what the screen showed a moment ago
            text = _("That item changed meanwhile (the cron job or someone else moved it "
                     "first); the queue now shows it as it is.")
        elif isinstance(error, UserError):
            text = describe(error)
        elif isinstance(error, PlatformError):
            text = failure(error)
        elif isinstance(error, Locked):
            text = _("a flush is running; try again in a moment")
        else:
            log.error("unexpected error in the interface", exc_info=error)
            text = _("unexpected error: {kind}: {error}").format(
                kind=type(error).__name__, error=error)
        # A key pressed again on what already moved says the same: say it once.
        now = time.monotonic()
        if self._last_error == text and now - self._last_error_at < ERROR_SECONDS:
            return
        self._last_error, self._last_error_at = text, now
        self.notify(text, title=_("Not done"), severity="error", timeout=ERROR_SECONDS)

    # The freeze

    @work(thread=True, exclusive=True, exit_on_error=False, group="freeze-state")
    def check_freeze(self) -> None:
        """Read the freeze and the queue's health (what every screen's banner shows)."""
        from publisher.services.watch import queue_health

        health = queue_health(self.context(), self.clock())
        freeze = health.freeze
        self.post_message(QueueHealthRead(health))
        self.post_message(FreezeChanged(None if freeze is None else (freeze.reason or "-")))

    @on(QueueHealthRead)
    def _health_read(self, message: QueueHealthRead) -> None:
        self.queue_health = message.health

    def action_toggle_freeze(self) -> None:
        from publisher.tui.dialogs import PromptDialog, confirm, if_given, if_yes

        if self.freeze is not None:
            self.push_screen(
                confirm(_("Resume the queue?"),
                        _("Everything held by the freeze goes out at its time again."),
                        _("Resume"), _("keep frozen")),
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
        from publisher.services.people import login_name

        context = self.context()
        if reason is None:
            count = queueing.resume(context, None, self.clock(), by=login_name())
            message = ngettext("Resumed; {count} item back in the queue",
                               "Resumed; {count} items back in the queue",
                               count).format(count=count)
        else:
            count = queueing.pause(context, None, reason, self.clock(), by=login_name())
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

    # Quitting without losing an edit

    def edits_at_risk(self) -> list[tuple[str, HoldsEdits]]:
        """(view, screen) of every screen, in every view, holding unsaved work."""
        # Textual keeps each mode's stack here; it has no public view of the others.
        return [(mode, screen) for mode, stack in self._screen_stacks.items()  # type: ignore[misc]
                for screen in stack if hasattr(screen, "unsaved") and screen.unsaved()]

    def action_quit(self) -> None:  # type: ignore[override]
        """Quit; with unsaved work anywhere, ask Save / Discard / Cancel first."""
        from publisher.tui.dialogs import save_discard_cancel

        if self.screen.id == QUIT_DIALOG:
            return
        at_risk = self.edits_at_risk()
        if not at_risk:
            self.exit()
            return
        what = [label for _mode, screen in at_risk for label in screen.unsaved()]
        self.push_screen(
            save_discard_cancel(_("Quit with unsaved changes?"),
                                _("Not saved yet: {what}.").format(what=", ".join(what)),
                                _("Enter: stay in publisher"), dialog_id=QUIT_DIALOG),
            lambda answer: self._quit_answered(answer, at_risk),
        )

    def _quit_answered(self, answer: str | None, at_risk: list[tuple[str, HoldsEdits]]) -> None:
        if answer == "discard":
            self.exit()
        elif answer == "save":
            self._save_all_then_exit(at_risk)

    def _save_all_then_exit(self, pending: list[tuple[str, HoldsEdits]]) -> None:
        """Save one screen after the other; a failed save stops here, shown where it is."""
        if not pending:
            self.exit()
            return
        mode, screen = pending[0]
        if mode != self.current_mode:
            self.switch_mode(mode)
        screen.save_then(lambda: self._save_all_then_exit(pending[1:]))

    def action_help_quit(self) -> None:
        """ctrl+c (with nothing to copy): Textual's hint how to quit, in our language."""
        keys = [key for key, active in self.active_bindings.items()
                if active.binding.action in ("quit", "app.quit")]
        self.notify(_("Press {key} to quit publisher").format(key=keys[0] if keys else "ctrl+q"),
                    title=_("Do you want to quit?"), markup=False)

    def hang_up(self) -> None:
        """The terminal is gone: keep every unsaved edit in a file, then end."""
        for _mode, screen in self.edits_at_risk():
            try:
                for path in screen.keep_unsaved():
                    log.warning("terminal closed; unsaved edits kept in %s", path)
            except Exception:  # keep the others, and still end
                log.exception("could not keep unsaved edits")
        self.exit()

    # The palette, with Textual's own texts translated

    def action_command_palette(self) -> None:
        # is_open is typed for App[object], and App's type parameter is invariant.
        if self.use_command_palette and not Palette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(Palette())

    def get_system_commands(self, screen: Screen):
        yield SystemCommand(_("Theme"), _("Change the colours"), self.action_change_theme)
        yield SystemCommand(_("Keys"), _("Show the keys of this screen"), self.action_help)
        yield SystemCommand(_("Quit"), _("Leave publisher"), self.action_quit)


def make_app(home: Path, *, language: str | None = None, clock: Clock = _now,
             cursor_blink: bool = True, watch_seconds: float = WATCH_SECONDS) -> PublisherApp:
    """The app on the workspace at ``home`` (raises UserError if there is none)."""
    return PublisherApp(home, language=language, clock=clock, cursor_blink=cursor_blink,
                        watch_seconds=watch_seconds)
