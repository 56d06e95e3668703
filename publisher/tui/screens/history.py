"""The history panel: who did what with one draft, newest first (queue moves,
approvals and their withdrawals, changes of its texts), over the screen it was
opened from; Esc closes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from publisher.i18n import _
from publisher.storage.records import Activity
from publisher.tui.base import N_, format_moment, translate_bindings
from publisher.tui.messages import Loaded

if TYPE_CHECKING:
    from textual.worker import Worker

    from publisher.tui.app import PublisherApp


class HistoryScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="history.close",
                tooltip=N_("Back to where you were")),
    ]
    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen > Vertical {
        width: 90%; height: 80%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    HistoryScreen .dialog-title { text-style: bold; margin-bottom: 1; }
    HistoryScreen DataTable { height: 1fr; }
    HistoryScreen .hint { color: $text-muted; height: auto; }
    """

    def __init__(self, draft_id: str) -> None:
        super().__init__(id="history-panel")
        translate_bindings(self)
        self.draft_id = draft_id

    @property
    def publisher(self) -> PublisherApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("History of {id} (newest first)").format(id=self.draft_id),
                        classes="dialog-title")
            table: DataTable[str] = DataTable(id="history-table", cursor_type="row")
            table.add_columns(_("When"), _("Who"), _("What"))
            yield table
            yield Static(_("Reading…"), id="history-note", classes="hint")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def read(self) -> None:
        from publisher.services.approvals import history

        lines = history(self.publisher.context(), self.draft_id)
        self.post_message(Loaded(lines))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        from publisher.services.approvals import what_was_done

        lines: list[Activity] = message.data
        table = self.query_one(DataTable)
        table.clear()
        for line in lines:
            table.add_row(format_moment(line.at, self.publisher.zone), line.actor,
                          what_was_done(line))
        self.query_one("#history-note", Static).update(
            _("Esc closes the history.") if lines else
            _("Nothing recorded for {id} yet.").format(id=self.draft_id))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        from textual.worker import WorkerState

        if event.state == WorkerState.ERROR:
            self.query_one("#history-note", Static).update("")
            self.publisher.show_error(event.worker.error)

    def action_close(self) -> None:
        self.dismiss(None)
