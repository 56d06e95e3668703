"""What every screen shares: translated bindings, the top bar, worker failures, dates,
and the skeleton of a screen that shows what a service reads (:class:`LoadingScreen`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import NoActiveWorker, Worker, WorkerState, get_current_worker

from publisher.i18n import BABEL_LOCALE, N_, _, current_language
from publisher.tui.messages import Loaded, Notice
from publisher.tui.widgets.banner import FreezeBanner

if TYPE_CHECKING:
    from publisher.services.context import Context
    from publisher.tui.app import PublisherApp

DataT = TypeVar("DataT")
LOAD_GROUP = "load"  # the worker group of a screen's loading: a new load replaces the last


# Textual's own screen bindings that the palette lists with ours: marked here for the
# catalogs; translate_bindings shows them in the interface language like ours.
TEXTUAL_BINDING_TEXTS = (N_("Focus Next"), N_("Focus Previous"), N_("Copy selected text"))


def _translated(binding: Binding) -> Binding:
    return replace(
        binding,
        description=_(binding.description) if binding.description else "",
        tooltip=_(binding.tooltip) if binding.tooltip else "",
    )


def translate_bindings(node: DOMNode) -> None:
    """Rebuild a node's bindings from its class's English ones, in the current language.

    Keymaps (``App.set_keymap``) are applied on top by Textual, by binding id.
    """
    source = type(node)._merged_bindings
    if source is None:
        return
    node._bindings = BindingsMap.from_keys({
        key: [_translated(binding) for binding in bindings]
        for key, bindings in source.key_to_bindings.items()
    })


FOLDER_WIDTH = 40  # a longer workspace folder shows its last two names


def shown_folder(home: Path, user_home: Path | None = None) -> str:
    """The workspace folder for the header: ``~`` for the user's home folder, and only
    its last two names ("…/publisher-demo/20261201-200000") when it is long."""
    user_home = Path.home() if user_home is None else user_home
    try:
        text = str(Path("~") / home.relative_to(user_home)) if home != user_home else "~"
    except ValueError:
        text = str(home)
    if len(text) > FOLDER_WIDTH and len(home.parts) > 2:
        text = "…/" + "/".join(home.parts[-2:])
    return text


def format_day(moment: datetime, zone: tzinfo | None = None) -> str:
    from babel.dates import format_date

    local = moment.astimezone(zone) if zone else moment
    return format_date(local, format="full", locale=BABEL_LOCALE[current_language()])


def format_clock(moment: datetime, zone: tzinfo | None = None) -> str:
    """The time of day in the UI locale (24-hour in Kosovo's locales)."""
    from babel.dates import format_time

    local = moment.astimezone(zone) if zone else moment
    return format_time(local, format="short", locale=BABEL_LOCALE[current_language()])


def format_short(moment: datetime, zone: tzinfo | None = None) -> str:
    """Weekday, day, month and time, for narrow columns ("Fri, 20 Nov 19:00")."""
    from babel.dates import format_skeleton, format_time

    local = moment.astimezone(zone) if zone else moment
    locale = BABEL_LOCALE[current_language()]
    return (f"{format_skeleton('MMMEd', local, locale=locale)} "
            f"{format_time(local, format='short', locale=locale)}")


def format_moment(moment: datetime, zone: tzinfo | None = None) -> str:
    from publisher.i18n import format_datetime

    return format_datetime(moment, zone)


class PublisherScreen(Screen):
    """A screen whose bindings and texts follow the interface language."""

    TITLE_TEXT = ""  # an English message id, translated when composed

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)
        self._composed_language = current_language()

    @property
    def publisher(self) -> PublisherApp:
        return self.app  # type: ignore[return-value]

    def compose_top(self) -> ComposeResult:
        self._composed_language = current_language()
        # Where am I: the workspace folder, after the screen's name.
        title = _("publisher · {screen}").format(screen=_(self.TITLE_TEXT))
        yield Static(f"{title} · {shown_folder(self.publisher.home)}", classes="screen-title")
        yield FreezeBanner()

    async def relabel(self) -> None:
        """Show the screen in the current language (after a switch)."""
        translate_bindings(self)
        self.keep_state()
        self._composed_language = current_language()
        await self.recompose()
        self.after_relabel()
        self.refresh_bindings()

    def keep_state(self) -> None:
        """Copy what the person typed from widgets into the screen before a recompose."""

    def after_relabel(self) -> None:
        """Refill what compose does not (tables) after a recompose."""

    async def on_screen_resume(self) -> None:
        if self._composed_language != current_language():
            await self.relabel()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker) -> None:
        """Stop showing work in progress and say what went wrong."""
        for widget in self.query(".-busy"):
            widget.loading = False
            widget.remove_class("-busy")
        self.publisher.show_error(worker.error)

    def busy(self, selector: str, on: bool = True) -> None:
        """Show (or stop showing) a loading state over a widget while a worker runs."""
        for widget in self.query(selector) if selector else ():
            widget.loading = on
            widget.set_class(on, "-busy")

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity)


class LoadingScreen(PublisherScreen, Generic[DataT]):
    """A screen showing what one service call reads.

    The reading runs in a worker (``read``, off the UI thread); the worker posts a
    :class:`~publisher.tui.messages.Loaded` message; the screen keeps its data
    (``take``) and shows it (``show_loaded``, by default ``show``), and shows it
    again after a language switch. ``reload`` starts over; ``BUSY`` names the widget
    shown loading meanwhile.

    A ``LIVE`` screen follows the workspace: when the app sees it change (another
    process, a file edited outside) the screen shown reads again, quietly, and a
    screen shown again reads again if it changed while it was hidden.

    Textual calls ``on_mount`` of every class of a screen, so subclasses prepare
    their widgets in ``prepare`` rather than in an ``on_mount`` of their own.
    """

    BUSY: ClassVar[str] = ""
    LIVE: ClassVar[bool] = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.data: DataT | None = None
        self._read_generation = -1  # the app's workspace generation last read
        self._follow_after_load = False  # the workspace changed while a reading ran

    def on_mount(self) -> None:
        self.prepare()
        if self.data is None:
            self.reload()
        else:
            self.show()

    def prepare(self) -> None:
        """Set up what compose does not (columns, cursors) before the first showing."""

    def read(self, context: Context) -> DataT:
        """What to show, read from the services (runs in a worker thread)."""
        raise NotImplementedError

    def take(self, data: DataT) -> bool:
        """Keep newly read data; False drops it (read for a choice since changed)."""
        self.data = data
        return True

    def show(self) -> None:
        """Show ``self.data`` in the widgets composed."""

    async def show_loaded(self) -> None:
        """Show newly read data (a screen composed from its data recomposes here)."""
        self.show()

    def reload(self, note: str = "") -> None:
        self.busy(self.BUSY)
        self._read_generation = self.publisher.workspace_generation
        self.load(note)

    def follow_workspace(self) -> None:
        """Read again because the workspace changed: no loading state (nothing the person
        did is under way), the rows and the cursor stay until the new data replaces them.

        While a reading runs (a person's reload, with its note) the new one waits for it
        rather than replacing it."""
        if any(worker.node is self and worker.group == LOAD_GROUP and not worker.is_finished
               for worker in self.app.workers):
            self._follow_after_load = True
            return
        self._read_generation = self.publisher.workspace_generation
        self.load()

    @on(events.ScreenResume)
    def _follow_on_resume(self) -> None:
        """Shown again: read again if the workspace changed while hidden, and look now."""
        if not self.LIVE or self.data is None:
            return
        if self._read_generation != self.publisher.workspace_generation:
            self.follow_workspace()
        self.publisher.poll_workspace()

    @work(thread=True, exclusive=True, exit_on_error=False, group=LOAD_GROUP)
    def load(self, note: str = "") -> None:
        self.deliver(note)

    def deliver(self, note: str = "") -> None:
        """Read and post the result to the screen (in the calling worker's thread).

        A reading replaced by a newer one meanwhile (its worker cancelled) is dropped:
        it could arrive after the newer one and show the older state."""
        data = self.read(self.publisher.context())
        try:
            if get_current_worker().is_cancelled:
                return
        except NoActiveWorker:
            pass
        self.post_message(Loaded(data, note))

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        self.busy(self.BUSY, False)
        if self.take(message.data):
            await self.show_loaded()
        if message.note:
            self.notify(message.note)
        if self._follow_after_load:
            self._follow_after_load = False
            self.follow_workspace()

    def after_relabel(self) -> None:
        if self.data is not None:
            self.show()
