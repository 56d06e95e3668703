"""Schedule one draft: the next best slots of its accounts with scores and reasons, each
audience's week as a heat map in its own zone; pick a slot, place automatically, or type
a time. The result is shown in the staff member's zone and the audience's.

A pick queues the whole draft (every account) at one time, so each suggested time is
listed with a row for every account: how that time suits it, not only the account whose
best time it is (marked ★). "Place automatically" is the choice for each account at its
own best time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Select, Static

from publisher.domain.errors import UserError
from publisher.domain.moments import parse_moment
from publisher.i18n import _, ngettext
from publisher.services.context import Context
from publisher.services.people import login_name
from publisher.tui.base import N_, format_moment, format_short
from publisher.tui.messages import Scheduled
from publisher.tui.remedies import describe
from publisher.tui.table_screen import Column, TableScreen
from publisher.tui.widgets.heatmap import HeatMap
from publisher.tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from publisher.services.audiences import ActivityGrid
    from publisher.services.scheduling import SlotOption

SLOTS_PER_ACCOUNT = 3
SIDE_BY_SIDE = 150  # columns from which the heat map is beside the table


@dataclass(frozen=True)
class Plan:
    """What the screen shows: the draft, its times and its audiences' weeks."""

    title: str
    approved: bool
    accounts: tuple[str, ...]
    options: list[SlotOption]  # a time, with how it suits every account of the draft
    grids: Mapping[str, ActivityGrid]  # account id -> its audience's week
    note: str = ""  # why there are no slots, when there are none
    queued: tuple[datetime, ...] = ()  # when the draft's items already waiting go out

    @property
    def slots(self) -> list[tuple[str, SlotOption]]:
        """The table's rows in order: (account id, the option its row queues at)."""
        return [(fit.account_id, option) for option in self.options for fit in option.fits]


def score_bar(score: float) -> Text:
    filled = round(score * 10)
    return Text("█" * filled + "░" * (10 - filled) + f" {score:.2f}",
                style="green" if score >= 0.7 else "yellow" if score >= 0.4 else "red")


def _plain(value: object) -> str:
    return value.plain if isinstance(value, Text) else str(value)


class ScheduleScreen(TableScreen[Plan]):
    TITLE_TEXT = N_("Schedule")
    AUTO_FOCUS = "#slots"
    TABLE = "slots"
    BUSY = "#schedule-body"
    # The score and its reason decide the pick: they get their width first; the reason
    # is shortened at a word boundary and shown whole under the table.
    COLUMNS = (
        Column("yours", N_("Your time"), decides=True),
        Column("account", N_("Account"), min_width=12, max_width=28),
        Column("theirs", N_("Audience's time"), min_width=9),
        Column("score", N_("Score"), decides=True),
        Column("why", N_("Why"), decides=True, fill=True, min_width=24, words=True),
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "use_slot", N_("Use this slot"), id="schedule.slot", priority=True,
                tooltip=N_("Queue every account of the draft at the selected time (also Enter)")),
        Binding("ctrl+g", "auto", N_("Place automatically"), id="schedule.auto",
                tooltip=N_("Each account at its own best free time")),
        Binding("ctrl+t", "at_time", N_("Type a time"), id="schedule.at",
                tooltip=N_("Queue the draft at a time you type")),
        Binding("escape", "back", N_("Back"), id="schedule.back", tooltip=N_("Back")),
    ]

    def __init__(self, draft_id: str) -> None:
        super().__init__()
        self.draft_id = draft_id
        self.heat_account: str | None = None
        self.result: list[str] = []

    @property
    def plan(self) -> Plan | None:
        return self.data

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Static(self._head(), id="schedule-head")
        queued = Static(self._queued_note(), id="schedule-queued", classes="attention")
        queued.display = bool(self.plan and self.plan.queued)
        yield queued
        with Horizontal(id="schedule-body"):
            with Vertical(id="slots-side"):
                yield Static(_("Next best slots"), classes="section")
                yield Static(_("Each time is shown for every account of the draft (★: one "
                               "of that account's own best times). Enter queues all of them "
                               "at the selected time; ctrl+g gives each account its own best "
                               "time instead."), classes="hint")
                yield self.new_table()
                yield Static("", id="slot-detail", classes="hint")
            with Vertical(id="heat-side"):
                accounts = self.plan.accounts if self.plan else ()
                yield Select([(a, a) for a in accounts], allow_blank=not accounts,
                             value=self.heat_account or (accounts[0] if accounts
                                                         else Select.NULL),
                             id="heat-account")
                yield HeatMap(id="heatmap")
        yield Static("\n".join(self.result), id="schedule-result", classes="hint")
        yield KeyBar()

    def on_resize(self) -> None:
        # Below this width the table and the heat map do not fit side by side: the heat
        # map goes under the table, which keeps the whole width for scores and reasons.
        self.set_class(self.size.width < SIDE_BY_SIDE, "-narrow")

    def _head(self) -> Text:
        if self.plan is None:
            return Text(self.draft_id)
        text = Text(f"{self.draft_id} · {self.plan.title} · ", style="bold")
        text.append(_("approved") if self.plan.approved else _("not approved: approve it first"),
                    style="green" if self.plan.approved else "bold red")
        text.append(" · " + _("your time zone: {zone}").format(zone=self.publisher.zone))
        return text

    def _queued_note(self) -> str:
        """The draft is in the queue already: when, and where to see (or cancel) it."""
        if self.plan is None or not self.plan.queued:
            return ""
        from publisher.tui.remedies import key

        count = len(self.plan.queued)
        return ngettext(
            "Already queued: {count} post, at {when}. The queue ({queue}) and the calendar "
            "({calendar}) show it; cancel it in the queue to queue the draft again.",
            "Already queued: {count} posts, the first at {when}. The queue ({queue}) and the "
            "calendar ({calendar}) show them; cancel them in the queue to queue the draft "
            "again.", count).format(
            count=count, when=format_moment(min(self.plan.queued), self.publisher.zone),
            queue=key("app.queue"), calendar=key("app.calendar"))

    def after_relabel(self) -> None:
        # The reasons are written in the language of the moment they were made: make
        # them again in the new one.
        self.add_columns()
        self.data = None
        self.reload()

    def read(self, context: Context) -> Plan:
        from publisher.services.scheduling import activity_grid, slot_options

        draft = context.drafts.load(self.draft_id).draft
        # Only times the draft may use: after its embargo, before its deadline.
        options, note = slot_options(context, self.draft_id, SLOTS_PER_ACCOUNT,
                                     self.publisher.clock())
        grids = {account_id: activity_grid(context, account_id) for account_id in draft.accounts}
        return Plan(draft.title, draft.approved, draft.accounts, options, grids, note,
                    _waiting(context, self.draft_id))

    async def show_loaded(self) -> None:
        """The account picker and the head follow the plan: compose again."""
        plan = self.plan
        if plan is None:
            return
        self.heat_account = self.heat_account or next(iter(plan.accounts), None)
        await self.recompose()
        self.add_columns()
        self.show()
        self.table.focus()

    def show(self) -> None:
        plan = self.plan
        if plan is None:
            return
        zone = self.publisher.zone
        rows = []
        for index, option in enumerate(plan.options):
            for number, fit in enumerate(option.fits):
                yours = Text(format_short(option.at, zone), style="bold") if number == 0 else ""
                account = Text(f"{fit.account_id} ★" if fit.suggested else fit.account_id,
                               style="" if fit.suggested else "dim")
                rows.append((f"{index}:{fit.account_id}", [
                    yours, account, format_short(fit.local, fit.local.tzinfo),
                    score_bar(fit.score), fit.why]))
        self.show_rows(rows)
        self._detail()
        if not plan.options:
            self.query_one("#schedule-result", Static).update(
                (self.result and "\n".join(self.result)) or plan.note
                or _("The draft has no accounts yet."))
        self._show_heat()

    @on(DataTable.RowHighlighted, "#slots")
    def _detail(self) -> None:
        """The selected row's account and reason, whole."""
        cells = self.selected_cells()
        text = "" if cells is None else f"{_plain(cells['account'])}: {cells['why']}"
        self.query_one("#slot-detail", Static).update(text)

    def _show_heat(self) -> None:
        account = self.heat_account
        if self.plan is None or account is None or account not in self.plan.grids:
            return
        grid = self.plan.grids[account]
        title = _("{account}: audience {audience}, {zone}").format(
            account=self.heat_account, audience=grid.audience, zone=grid.timezone)
        if grid.is_default:
            title += " " + _("(default profile: no activity data yet)")
        self.query_one("#heatmap", HeatMap).show(grid.values, title)

    @on(Select.Changed, "#heat-account")
    def heat_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self.heat_account = str(event.value)
            self._show_heat()

    # Scheduling

    def _selected_slot(self):
        """The time of the selected row's group (every account goes out at it)."""
        key = self.selected_key()
        if self.plan is None or key is None:
            return None
        return self.plan.options[int(key.split(":", 1)[0])]

    @on(DataTable.RowSelected, "#slots")
    def action_use_slot(self) -> None:
        slot = self._selected_slot()
        if slot is None:
            self.notify(_("No slot selected"), severity="warning")
            return
        self.busy("#schedule-body")
        self.schedule_at(slot.at)

    def action_at_time(self) -> None:
        from publisher.tui.dialogs import PromptDialog

        zone = self.publisher.zone

        def problem(text: str) -> str | None:
            try:
                return None if parse_moment(text, zone, _("time")) else _("type a time")
            except UserError as error:  # shown in the dialog
                return describe(error)

        self.app.push_screen(
            PromptDialog(_("Schedule {id}").format(id=self.draft_id),
                         _("When? YYYY-MM-DD HH:MM in {zone}").format(zone=zone),
                         placeholder="2026-11-28 09:00", check=problem,
                         cursor_blink=self.publisher.cursor_blink),
            self._typed,
        )

    def _typed(self, text: str | None) -> None:
        if not text:
            return
        self.busy("#schedule-body")
        self.schedule_at(parse_moment(text, self.publisher.zone, _("time")))

    @work(thread=True, exclusive=True, exit_on_error=False, group="schedule-do")
    def schedule_at(self, at: datetime) -> None:
        from zoneinfo import ZoneInfo

        from publisher.services import queueing

        context = self.publisher.context()
        now = self.publisher.clock()
        ids = queueing.schedule(context, self.draft_id, at, now=now, actor=login_name())
        with queueing.open_queue(context) as queue:
            items = [item for item_id in ids if (item := queue.get(item_id)) is not None]
        self.post_message(Scheduled([
            self._line(item.account_id, item.locales, item.due_at,
                       ZoneInfo(item.timezone) if item.timezone else None)
            for item in items]))

    def action_auto(self) -> None:
        self.busy("#schedule-body")
        self.auto()

    @work(thread=True, exclusive=True, exit_on_error=False, group="schedule-do")
    def auto(self) -> None:
        from publisher.services.scheduling import auto_schedule

        report = auto_schedule(self.publisher.context(), [self.draft_id], self.publisher.clock(),
                               by=login_name())
        self.post_message(Scheduled([
            self._line(p.account_id, p.locales, p.at, p.local.tzinfo) + f" · {p.why}"
            for p in report.placed]))

    def _line(self, account_id: str, locales, at: datetime, audience_zone) -> str:
        zone = self.publisher.zone
        theirs = format_moment(at, audience_zone) if audience_zone else ""
        return _("{account} ({locales}): {yours} your time · {theirs} audience's time").format(
            account=account_id, locales="+".join(locales), yours=format_moment(at, zone),
            theirs=f"{theirs} {getattr(audience_zone, 'key', '')}".strip())

    @on(Scheduled)
    def scheduled(self, message: Scheduled) -> None:
        self.busy("#schedule-body", False)
        self.result = [_("Queued (see it in the queue: F3):"), *message.lines]
        self.query_one("#schedule-result", Static).update("\n".join(self.result))
        self.notify(ngettext("Queued {id}: {count} post", "Queued {id}: {count} posts",
                             len(message.lines)).format(id=self.draft_id,
                                                           count=len(message.lines)))

    def action_back(self) -> None:
        self.dismiss()


def _waiting(context: Context, draft_id: str) -> tuple[datetime, ...]:
    """When the draft's items not sent or cancelled yet are due."""
    from publisher.domain.queue import FINAL
    from publisher.services.queueing import open_queue

    with open_queue(context) as queue:
        return tuple(item.due_at for item in queue.items(draft_id=draft_id)
                     if item.state not in FINAL)
