"""The queue by day: state colours, why items failed, retry / cancel / publish now,
sending what is due, and the accounts that need a person (with the fixing command)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from publisher.domain.queue import State
from publisher.i18n import _
from publisher.services.accounts import stopped_remedy
from publisher.services.context import Context
from publisher.services.queueing import (
    QueueOverview,
    item_remedy,
    publish_item_now,
    queue_overview,
)
from publisher.storage.queue import Item
from publisher.tui.base import N_, format_clock, format_day
from publisher.tui.messages import Done, Severity
from publisher.tui.remedies import action
from publisher.tui.table_screen import Column, TableScreen

STATE_STYLE = {
    State.QUEUED: "cyan",
    State.SENDING: "bold blue",
    State.SENT: "bold green",
    State.RETRY: "bold yellow",
    State.FAILED: "bold white on dark_red",
    State.UNKNOWN: "bold white on magenta",
    State.HELD: "bold black on dark_orange",
    State.EXPIRED: "dim",
    State.CANCELLED: "dim strike",
}
RECENT = timedelta(days=1)


def state_badge(state: State) -> Text:
    return Text(f" {_(state.value)} ", style=STATE_STYLE[state])


class QueueScreen(TableScreen[QueueOverview]):
    TITLE_TEXT = N_("Queue")
    AUTO_FOCUS = "#queue-table"
    RELOAD_ON_FREEZE = True
    TABLE = "queue-table"
    COLUMNS = (
        Column("day", N_("Day")), Column("time", N_("Time ({zone})")),
        Column("local", N_("Audience's time")), Column("draft", N_("Draft")),
        Column("account", N_("Account")), Column("locales", N_("Language")),
        Column("state", N_("State")), Column("tries", N_("Tries")),
        Column("why", N_("Why / error")),
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g", "publish_now", N_("Publish now"), id="queue.publish_now",
                tooltip=N_("Send the selected item now (not while frozen or paused)")),
        Binding("ctrl+r", "retry", N_("Retry"), id="queue.retry",
                tooltip=N_("Queue a failed, unknown or expired item again")),
        Binding("f8", "cancel_item", N_("Cancel item"), id="queue.cancel",
                tooltip=N_("Never send the selected item (asks first)")),
        Binding("ctrl+o", "flush", N_("Send due"), id="queue.flush",
                tooltip=N_("Send everything due now, as the cron job does")),
        Binding("ctrl+t", "toggle_finished", N_("All sent"), id="queue.finished",
                tooltip=N_("Show or hide everything already sent or cancelled (the last "
                           "day's always show)")),
        Binding("ctrl+l", "reload", N_("Reload"), show=False, id="queue.reload",
                tooltip=N_("Read the queue again")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_finished = False

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Static("", id="attention", classes="attention")
        yield self.new_table()
        yield Static("", id="item-detail", classes="hint")
        yield Footer(compact=True)

    def column_label(self, column: Column) -> str:
        label = super().column_label(column)
        return label.format(zone=self.publisher.zone) if column.key == "time" else label

    # Loading

    @property
    def overview(self) -> QueueOverview | None:
        return self.data

    def read(self, context: Context) -> QueueOverview:
        # What went out (or was cancelled) in the last day stays in view: people look
        # for what they just sent.
        return queue_overview(context, include_final=self.show_finished,
                                 recent_since=self.publisher.clock() - RECENT)

    def take(self, data: QueueOverview) -> bool:
        self.publisher.freeze = None if data.freeze is None else data.freeze.reason or "-"
        return super().take(data)

    def show(self) -> None:
        if self.overview is None:
            return
        attention = self._attention()
        self.query_one("#attention", Static).update(attention)
        self.query_one("#attention").display = bool(attention)
        zone = self.publisher.zone
        rows = []
        last_day = None
        for item in self.overview.items:
            day = format_day(item.due_at, zone)
            rows.append((str(item.id), self._cells(item, "" if day == last_day else day)))
            last_day = day
        self.show_rows(rows)
        if not self.overview.items:
            self.query_one("#item-detail", Static).update(
                _("The queue is empty. Schedule an approved draft from the drafts (F2, then F6)."))
        else:
            self._detail()

    def _cells(self, item: Item, day: str) -> list[object]:
        zone = self.publisher.zone
        audience_zone = ZoneInfo(item.timezone) if item.timezone else zone
        local = f"{format_clock(item.due_at, audience_zone)} {item.timezone or ''}".strip()
        why = item.last_error or ""
        if item.state == State.HELD and not why:
            why = {"freeze": _("held by the freeze"), "pause": _("held: account paused"),
                   "auth": _("held: sign-in failed")}.get(item.held_by or "", _("held"))
        elif item.state == State.SENT and item.url:
            why = item.url
        return [day, format_clock(item.due_at, zone), local, item.draft_id, item.account_id,
                "+".join(item.locales), state_badge(item.state), str(item.attempts),
                _shorten(why, 60)]

    def _attention(self) -> str:
        overview = self.overview
        if overview is None:
            return ""
        lines = []
        for account_id in sorted(set(overview.paused) | set(overview.holds)):
            hold = overview.holds.get(account_id)
            remedy = stopped_remedy(account_id, paused=account_id in overview.paused, hold=hold)
            if hold is not None and hold.kind == "auth":
                what = _("{id}: sign-in failed ({reason})").format(
                    id=account_id, reason=hold.reason or "-")
            elif hold is not None:
                what = _("{id}: rate-limited ({reason})").format(
                    id=account_id, reason=hold.reason or "-")
            else:
                what = _("{id}: paused ({reason})").format(
                    id=account_id, reason=overview.paused[account_id].reason or "-")
            fix = _("fix: {action}").format(action=action(remedy)) if remedy else ""
            lines.append(f"⚠ {what}" + (f" — {fix}" if fix else ""))
        return "\n".join(lines)

    # Selection

    def selected_item(self) -> Item | None:
        key = self.selected_key()
        if self.overview is None or key is None:
            return None
        return next((item for item in self.overview.items if str(item.id) == key), None)

    @on(DataTable.RowHighlighted, "#queue-table")
    def _detail(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        zone = self.publisher.zone
        text = _("Item {id}: {draft} on {account} ({locales}), {state}, due {due}").format(
            id=item.id, draft=item.draft_id, account=item.account_id,
            locales="+".join(item.locales), state=_(item.state.value),
            due=f"{format_day(item.due_at, zone)} {format_clock(item.due_at, zone)}")
        if item.last_error:
            text += "\n" + _("Error: {error}").format(error=item.last_error)
        remedy = item_remedy(item)
        if remedy:
            text += "\n" + _("Fix: {action}").format(action=action(remedy))
        if item.url:
            text += "\n" + item.url
        self.query_one("#item-detail", Static).update(text)

    def _need_item(self) -> Item | None:
        item = self.selected_item()
        if item is None:
            self.notify(_("No item selected"), severity="warning")
        return item

    # Actions

    def action_reload(self) -> None:
        self.reload()

    def action_toggle_finished(self) -> None:
        self.show_finished = not self.show_finished
        self.reload()

    def action_retry(self) -> None:
        item = self._need_item()
        if item is not None:
            self.busy("#queue-table")
            self.retry(item.id)

    @work(thread=True, exit_on_error=False, group="queue-change")
    def retry(self, item_id: int) -> None:
        from publisher.services.queueing import retry_item

        retry_item(self.publisher.context(), item_id, self.publisher.clock())
        self.post_message(Done(_("Item {id} is queued again").format(id=item_id)))

    def action_cancel_item(self) -> None:
        from publisher.tui.dialogs import confirm, if_yes

        item = self._need_item()
        if item is None:
            return
        self.app.push_screen(
            confirm(_("Cancel item {id}?").format(id=item.id),
                    _("{draft} on {account} ({locales}) will never be sent.").format(
                        draft=item.draft_id, account=item.account_id,
                        locales="+".join(item.locales)),
                    _("Cancel item")),
            if_yes(lambda: self.cancel(item.id)),
        )

    @work(thread=True, exit_on_error=False, group="queue-change")
    def cancel(self, item_id: int) -> None:
        from publisher.services.queueing import cancel_item

        cancel_item(self.publisher.context(), item_id, self.publisher.clock())
        self.post_message(Done(_("Item {id} cancelled").format(id=item_id)))

    def action_publish_now(self) -> None:
        item = self._need_item()
        if item is not None:
            self.busy("#queue-table")
            self.publish_now(item.id)

    @work(thread=True, exit_on_error=False, group="queue-change")
    def publish_now(self, item_id: int) -> None:
        report = publish_item_now(self.publisher.context(), item_id, self.publisher.clock)
        self.post_message(Done(*_report_line(report)))

    def action_flush(self) -> None:
        self.busy("#queue-table")
        self.flush()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-change")
    def flush(self) -> None:
        from publisher.services import flush as flushing

        report = flushing.flush(self.publisher.context(), clock=self.publisher.clock)
        self.post_message(Done(*_report_line(report)))

    @on(Done)
    def done(self, message: Done) -> None:
        self.notify(message.text, severity=message.severity)
        self.reload()

    def worker_failed(self, worker) -> None:
        super().worker_failed(worker)
        self.reload()


def _shorten(text: str, width: int) -> str:
    """At most ``width`` characters: an address keeps its end (where it is), an error
    its beginning (what happened); the detail line below shows it whole."""
    if len(text) <= width:
        return text
    if "://" in text:
        return text[:12] + "…" + text[-(width - 13):]
    return text[:width - 1] + "…"


def _report_line(report) -> tuple[str, Severity]:
    """One notification for a flush: what went out, what did not and why."""
    if not report.outcomes:
        return _("Nothing was due yet. To send one item before its time, select it and "
                 "press ctrl+g (Publish now)."), "information"
    lines = []
    for outcome in report.outcomes:
        item = outcome.item
        if outcome.state == State.SENT:
            lines.append(_("Published {draft} on {account} ({locales}): {url}").format(
                draft=item.draft_id, account=item.account_id, locales="+".join(item.locales),
                url=outcome.url or "-"))
        else:
            detail = outcome.detail
            if outcome.remedy:
                detail = f"{detail}; {action(outcome.remedy)}"
            lines.append(_("item {id} ({draft} on {account}): {state}: {detail}").format(
                id=item.id, draft=item.draft_id, account=item.account_id,
                state=_(outcome.state.value), detail=detail))
    bad = any(o.state != State.SENT for o in report.outcomes)
    return "\n".join(lines), "warning" if bad else "information"
