"""The queue by day: state colours, why items failed, retry / cancel / publish now,
sending what is due, and the accounts that need a person (with the fixing command)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from publisher.domain.queue import NEEDS_PERSON, PENDING, State
from publisher.i18n import BABEL_LOCALE, _, current_language
from publisher.services.accounts import stopped_remedy
from publisher.services.context import Context
from publisher.services.queueing import (
    QueueOverview,
    item_remedy,
    locales_and_part,
    part_label,
    publish_item_now,
    queue_overview,
)
from publisher.storage.queue import Item
from publisher.tui.base import N_, format_clock, format_day
from publisher.tui.corrections import CorrectsDrafts
from publisher.tui.messages import Done, Severity
from publisher.tui.remedies import action
from publisher.tui.remedies import key as binding_key
from publisher.tui.table_screen import Column, TableScreen
from publisher.tui.widgets.keybar import KeyBar
from publisher.tui.widgets.upload_progress import ShowsUploads, UploadProgressLine

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


def short_day(moment: datetime, zone: tzinfo) -> str:
    """Weekday, day and month ("Fri, 20 Nov"), for the narrow day column."""
    from babel.dates import format_skeleton

    return format_skeleton("MMMEd", moment.astimezone(zone),
                           locale=BABEL_LOCALE[current_language()])


def state_badge(state: State) -> Text:
    return Text(f" {_(state.value)} ", style=STATE_STYLE[state])


class QueueScreen(ShowsUploads, CorrectsDrafts, TableScreen[QueueOverview]):
    TITLE_TEXT = N_("Queue")
    AUTO_FOCUS = "#queue-table"
    RELOAD_ON_FREEZE = True
    LIVE = True
    TABLE = "queue-table"
    # What decides an action comes first when the terminal is narrow: the time, the
    # state and the error (the detail line under the table shows the selected item whole).
    COLUMNS = (
        Column("day", N_("Day"), min_width=8), Column("time", N_("Your time"), decides=True),
        Column("local", N_("Audience's time"), min_width=5, drop=2),
        Column("draft", N_("Draft"), min_width=10, max_width=32),
        Column("account", N_("Account"), min_width=10, max_width=28),
        Column("locales", N_("Language"), min_width=5),
        # "thread 2/3", "first comment": empty for a post alone.
        Column("part", N_("Part"), min_width=10, drop=1),
        Column("state", N_("State"), decides=True),
        Column("tries", N_("Tries"), min_width=5, drop=1),
        Column("why", N_("Why / error"), decides=True, fill=True, min_width=30, words=True),
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
        Binding("ctrl+x", "retract", N_("Retract everywhere"), id="queue.retract",
                tooltip=N_("Delete the selected item's draft from every account (shows the "
                           "plan first)")),
        Binding("ctrl+e", "correct", N_("Correct everywhere"), id="queue.correct",
                tooltip=N_("Bring the selected item's draft to its new approved text on every "
                           "account (shows the plan first)")),
        Binding("ctrl+l", "reload", N_("Reload"), show=False, id="queue.reload",
                tooltip=N_("Read the queue again")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_finished = False
        self.moving: set[int] = set()  # items a change is under way for (keys pressed again)

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Static("", id="last-flush", classes="hint")
        yield Static("", id="attention", classes="attention")
        yield UploadProgressLine(id="upload-progress")  # over the table, which shows busy
        yield self.new_table()
        yield Static("", id="item-detail", classes="hint")
        yield KeyBar()

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
        self.query_one("#last-flush", Static).update(self._last_flush())
        attention = self._attention()
        self.query_one("#attention", Static).update(attention)
        self.query_one("#attention").display = bool(attention)
        zone = self.publisher.zone
        rows = []
        last_day = None
        for item in self.overview.items:
            day = short_day(item.due_at, zone)  # the detail line gives it whole
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
                "+".join(item.locales), part_label(item), state_badge(item.state),
                str(item.attempts), why]

    def _last_flush(self) -> str:
        """When the last flush ran and what it did ("Last flush: today 14:02: sent 3,
        failed 1")."""
        run = self.overview.last_flush if self.overview else None
        if run is None:
            return _("No flush has run yet: the cron job sends what is due (README, "
                     "“Cron”); {key} sends it now.").format(key=binding_key("queue.flush"))
        zone = self.publisher.zone
        when = f"{format_day(run.at, zone)} {format_clock(run.at, zone)}"
        did = ", ".join(_("{state}: {count}").format(state=_(state.value),
                                                     count=run.outcomes[state])
                        for state in State if run.outcomes.get(state))
        if not did:
            return _("Last flush {when}: nothing was due.").format(when=when)
        return _("Last flush {when}: {outcomes}.").format(when=when, outcomes=did)

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
            locales=locales_and_part(item, item.locales), state=_(item.state.value),
            due=f"{format_day(item.due_at, zone)} {format_clock(item.due_at, zone)} ({zone})")
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

    def crisis_draft(self) -> str | None:
        item = self._need_item()
        return None if item is None else item.draft_id

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
        from publisher.services.people import login_name
        from publisher.services.queueing import retry_item

        retry_item(self.publisher.context(), item_id, self.publisher.clock(), by=login_name())
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
                    _("Cancel item"), _("keep the item")),
            if_yes(lambda: self.cancel(item.id)),
        )

    @work(thread=True, exit_on_error=False, group="queue-change")
    def cancel(self, item_id: int) -> None:
        from publisher.services.people import login_name
        from publisher.services.queueing import cancel_item

        cancel_item(self.publisher.context(), item_id, self.publisher.clock(), by=login_name())
        self.post_message(Done(_("Item {id} cancelled").format(id=item_id)))

    def action_publish_now(self) -> None:
        from publisher.tui.dialogs import confirm

        item = self._need_item()
        if item is None or item.id in self.moving:
            return  # already under way: its result is on its way
        if item.state not in PENDING | NEEDS_PERSON | {State.EXPIRED}:
            self._publish(item.id)  # nothing to ask: the queue says why not, in one line
            return
        self.app.push_screen(
            confirm(_("Publish item {id} now?").format(id=item.id),
                    _("{draft} on {account} ({locales}) goes out now instead of at its "
                      "time.").format(draft=item.draft_id, account=item.account_id,
                                      locales="+".join(item.locales)),
                    _("Publish now"), _("keep it queued")),
            lambda answer: self._publish(item.id) if answer == "yes" else None,
        )

    def _publish(self, item_id: int) -> None:
        if item_id in self.moving:
            return
        self.moving.add(item_id)
        self.busy("#queue-table")
        self.publish_now(item_id)

    @work(thread=True, exit_on_error=False, group="queue-change")
    def publish_now(self, item_id: int) -> None:
        try:
            report = publish_item_now(self.publisher.context(), item_id, self.publisher.clock,
                                      progress=self.upload_progress())
        finally:
            self.moving.discard(item_id)
        self.post_message(Done(*_report_line(report)))

    def action_flush(self) -> None:
        self.busy("#queue-table")
        self.flush()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-change")
    def flush(self) -> None:
        from publisher.services import flush as flushing
        from publisher.services.people import login_name

        report = flushing.flush(self.publisher.context(), clock=self.publisher.clock,
                                actor=login_name(), progress=self.upload_progress())
        self.post_message(Done(*_report_line(report)))

    @on(Done)
    def done(self, message: Done) -> None:
        self.hide_upload()
        self.notify(message.text, severity=message.severity)
        self.reload()

    def worker_failed(self, worker) -> None:
        self.hide_upload()
        super().worker_failed(worker)
        self.reload()


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
