"""The calendar: a week of posts, days x hours, in the staff's zone or an audience's,
with blackout and frozen days marked; a waiting post moves to another time by keys.

A move is proposed with ctrl+arrows (an hour, a day) or typed (ctrl+t), and made with
Enter; ctrl+g gives it the best free time of its account. The scheduling service
checks it by the rules a time is scheduled by and says why it refuses one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import ClassVar, NoReturn

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from publisher.domain.errors import UserError
from publisher.domain.moments import parse_moment
from publisher.domain.posttypes import PartKind
from publisher.i18n import BABEL_LOCALE, _, current_language, ngettext
from publisher.services.calendar import DAYS, CalendarPost, Week, monday_of, week_view
from publisher.services.context import Context
from publisher.services.queueing import locales_and_part
from publisher.tui.base import N_, LoadingScreen, format_clock, format_day, format_short
from publisher.tui.messages import MoveRefused, PostMoved
from publisher.tui.widgets.heatmap import day_names
from publisher.tui.widgets.keybar import KeyBar

HOURS = 24
WORKING_DAY = 8  # the first hour in view when the week is shown
CELL_WIDTH = 10  # 7 days x (10 + padding) and the hours fit 100 columns
SHOWN_IN_DETAIL = 4  # posts of the selected cell listed below the week
BLACKOUT_STYLE = "on grey23"


@dataclass(frozen=True)
class Proposal:
    """A move being prepared: the post and the time it would go to."""

    post: CalendarPost
    at: datetime  # UTC


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def cell_text(posts: list[CalendarPost]) -> Text:
    """A cell's posts in ``CELL_WIDTH`` characters: the first's account, and how many
    more; coloured by the first's state. A thread's replies and a first comment are parts
    of their post, not more posts."""
    from publisher.tui.screens.queue import STATE_STYLE

    if not posts:
        return Text("")
    count = max(1, sum(1 for post in posts if post.part_kind == PartKind.POST))
    more = f" +{count - 1}" if count > 1 else ""
    name = short(posts[0].account_id, CELL_WIDTH - len(more))
    return Text(name + more, style=STATE_STYLE[posts[0].state].replace(" strike", ""))


class CalendarScreen(LoadingScreen[Week]):
    TITLE_TEXT = N_("Calendar")
    AUTO_FOCUS = "#week"
    BUSY = "#week"
    RELOAD_ON_FREEZE = True
    LIVE = True
    DEFAULT_CSS = """
    CalendarScreen #week { height: 1fr; }
    CalendarScreen #calendar-head, CalendarScreen #calendar-marks { height: auto; padding: 0 1; }
    CalendarScreen #calendar-detail { height: auto; max-height: 7; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+down", "shift(1)", N_("+1 hour"), id="calendar.later",
                tooltip=N_("Propose the selected post one hour later (Enter moves it)")),
        Binding("ctrl+up", "shift(-1)", N_("−1 hour"), id="calendar.earlier",
                tooltip=N_("Propose the selected post one hour earlier (Enter moves it)")),
        Binding("ctrl+right", "shift(24)", N_("Day later"), id="calendar.day_later",
                show=False, tooltip=N_("Propose the selected post one day later")),
        Binding("ctrl+left", "shift(-24)", N_("Day earlier"), id="calendar.day_earlier",
                show=False, tooltip=N_("Propose the selected post one day earlier")),
        Binding("ctrl+t", "move_to", N_("Move to…"), id="calendar.move_to",
                tooltip=N_("Move the selected post to a time you type")),
        Binding("ctrl+g", "auto", N_("Best time"), id="calendar.auto",
                tooltip=N_("Move the selected post to its account's best free time")),
        Binding("tab", "next_post(1)", N_("Next post"), id="calendar.next_post", show=False,
                tooltip=N_("Select the next post of this hour")),
        Binding("shift+tab", "next_post(-1)", N_("Previous post"), id="calendar.previous_post",
                show=False, tooltip=N_("Select the previous post of this hour")),
        Binding("pageup", "week(-1)", N_("Previous week"), id="calendar.previous_week",
                priority=True, show=False, tooltip=N_("Show the week before")),
        Binding("pagedown", "week(1)", N_("Next week"), id="calendar.next_week",
                priority=True, tooltip=N_("Show the week after (PageUp: the week before)")),
        Binding("ctrl+o", "zone", N_("Zone"), id="calendar.zone",
                tooltip=N_("Show the week in your time zone or an audience's")),
        Binding("escape", "keep", N_("Keep"), id="calendar.keep",
                tooltip=N_("Leave the post where it is")),
        Binding("ctrl+l", "reload", N_("Reload"), show=False, id="calendar.reload",
                tooltip=N_("Read the queue again")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.day: date | None = None  # a day of the week shown (None: today's, once known)
        self.audience: str | None = None  # whose zone (None: the staff's)
        self.post_index = 0  # which post of the selected cell
        self.proposal: Proposal | None = None
        self.said = ""  # the last refusal or move, shown under the week
        self.select_item: int | None = None  # put the cursor on this item once shown
        self.scrolled = False

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Static("", id="calendar-head")
        yield Static("", id="calendar-marks", classes="hint")
        yield DataTable(id="week", cursor_type="cell", zebra_stripes=False)
        yield Static("", id="calendar-detail", classes="hint")
        yield KeyBar()

    @property
    def week(self) -> Week | None:
        return self.data

    @property
    def table(self) -> DataTable:
        return self.query_one("#week", DataTable)

    # Loading

    def prepare(self) -> None:
        if self.day is None:  # this week, in the staff's zone
            self.day = self.publisher.clock().astimezone(self.publisher.zone).date()

    def read(self, context: Context) -> Week:
        assert self.day is not None  # set in prepare, before the first reading
        return week_view(context, self.day, self.audience)

    def take(self, data: Week) -> bool:
        self.publisher.freeze = None if data.freeze is None else data.freeze.reason or "-"
        return super().take(data)

    async def on_screen_resume(self) -> None:
        await super().on_screen_resume()
        if self.data is not None:
            self.reload()  # another view (or process) may have changed the queue

    def show(self) -> None:
        week = self.week
        if week is None:
            return
        table = self.table
        cursor = table.cursor_coordinate if table.row_count else None
        table.clear(columns=True)
        names = day_names()
        for index, day in enumerate(week.days):
            mark = (" ▒" if day.blackouts else "") + (" ❄" if day.frozen else "")
            table.add_column(f"{names[index]} {day.day.day}{mark}", width=CELL_WIDTH,
                             key=str(index))
        for hour in range(HOURS):
            cells = []
            for index, day in enumerate(week.days):
                text = cell_text(week.cell(index, hour))
                if day.blackouts:
                    text.stylize(BLACKOUT_STYLE)
                    text.pad_right(CELL_WIDTH - text.cell_len)
                cells.append(text)
            table.add_row(*cells, key=str(hour), label=f"{hour:02}")
        self._show_head()
        self._place_cursor(cursor)
        self._show_detail()

    def _show_head(self) -> None:
        week = self.week
        assert week is not None
        zone = week.zone
        whose = (_("your time zone") if zone.audience is None
                 else _("audience {name}").format(name=zone.audience))
        last = week.monday + timedelta(days=DAYS - 1)
        head = _("Week of {first} to {last} · times in {zone} ({whose})").format(
            first=format_date(week.monday, "MMMd"), last=format_date(last, "yMMMd"),
            zone=zone.timezone, whose=whose)
        self.query_one("#calendar-head", Static).update(Text(head, style="bold"))
        marks = []
        for day in week.days:
            for blackout in day.blackouts:
                marks.append(_("▒ {day}: blackout for {audience} ({reason})").format(
                    day=format_day(_noon(day.day)),
                    audience=blackout.audience or _("every audience"),
                    reason=blackout.reason or "-"))
        if week.freeze is not None:
            marks.append(_("❄ frozen since {since}: nothing is sent until resumed (F10)")
                         .format(since=format_short(week.freeze.since, zone.zone)))
        if not week.posts:
            marks.append(_("No post this week. PageUp and PageDown show the weeks around it; "
                           "schedule a draft from the drafts (F2, then F6)."))
        self.query_one("#calendar-marks", Static).update("\n".join(marks))
        self.query_one("#calendar-marks").display = bool(marks)

    def _place_cursor(self, cursor: Coordinate | None) -> None:
        table = self.table
        target = self._cell_of_selected_item() or cursor
        if target is None:
            today = self.publisher.clock().astimezone(self.week_zone()).date()
            column = (today - self.week.monday).days if self.week else 0
            target = Coordinate(WORKING_DAY + 1, column if 0 <= column < DAYS else 0)
        table.move_cursor(row=target.row, column=target.column, animate=False)
        if not self.scrolled:
            self.scrolled = True
            self.call_after_refresh(table.scroll_to, y=WORKING_DAY, animate=False)

    def _cell_of_selected_item(self) -> Coordinate | None:
        week, item_id = self.week, self.select_item
        if week is None or item_id is None:
            return None
        self.select_item = None
        post = next((p for p in week.posts if p.item_id == item_id), None)
        if post is None:
            return None
        column = (post.local.date() - week.monday).days
        cell = week.cell(column, post.local.hour)
        self.post_index = cell.index(post)
        return Coordinate(post.local.hour, column)

    def week_zone(self) -> tzinfo:
        """The zone the week is shown in."""
        return self.publisher.zone if self.week is None else self.week.zone.zone

    # The selection

    def selected_cell(self) -> list[CalendarPost]:
        week = self.week
        if week is None or not self.table.row_count:
            return []
        cursor = self.table.cursor_coordinate
        return week.cell(cursor.column, cursor.row)

    def selected_post(self) -> CalendarPost | None:
        cell = self.selected_cell()
        if not cell:
            return None
        return cell[min(self.post_index, len(cell) - 1)]

    @on(DataTable.CellHighlighted, "#week")
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        if self.proposal is None:
            self.post_index = min(self.post_index, max(0, len(self.selected_cell()) - 1))
        self._show_detail()

    def _show_detail(self) -> None:
        week = self.week
        if week is None or not self.table.row_count:
            return
        cursor = self.table.cursor_coordinate
        day = week.monday + timedelta(days=cursor.column)
        zone = self.week_zone()
        lines = [Text(_("{day}, {hour:02}:00–{next:02}:00").format(
            day=format_day(_noon(day)), hour=cursor.row, next=(cursor.row + 1) % 24),
            style="bold")]
        cell = self.selected_cell()
        # The post being moved, else the one picked in this hour.
        selected = self.proposal.post if self.proposal else self.selected_post()
        # The selected post and those before it, as many as fit.
        first = max(0, (cell.index(selected) if selected in cell else 0) - SHOWN_IN_DETAIL + 1)
        for post in cell[first:first + SHOWN_IN_DETAIL]:
            line = Text("› " if post is selected else "  ")
            line.append(_("{time} {account} ({locales}) {draft} · item {id}, {state}").format(
                time=format_clock(post.at, zone), account=post.account_id,
                locales=locales_and_part(post, post.locales), draft=post.draft_id,
                id=post.item_id,
                state=_(post.state.value)), style="bold" if post is selected else "")
            lines.append(line)
        if len(cell) > SHOWN_IN_DETAIL:
            hidden = len(cell) - SHOWN_IN_DETAIL  # the others: tab shows them
            lines.append(Text("  " + ngettext("… and {count} more (tab selects it)",
                                              "… and {count} more (tab selects them)",
                                              hidden).format(count=hidden)))
        if self.proposal is not None:
            post, at = self.proposal.post, self.proposal.at
            lines.append(Text(_("Move item {id} ({account}) from {before} to {after}? "
                                "Enter moves it, Esc keeps it.").format(
                id=post.item_id, account=post.account_id, before=format_short(post.at, zone),
                after=format_short(at, zone)), style="bold yellow"))
        if self.said:
            lines.append(Text(self.said, style="bold"))
        detail = Text("\n").join(lines)
        self.query_one("#calendar-detail", Static).update(detail)

    def _movable_post(self) -> CalendarPost | None:
        post = self.proposal.post if self.proposal else self.selected_post()
        if post is None:
            self.notify(_("No post selected"), severity="warning")
            return None
        if not post.movable:
            self._say(_("Item {id} is {state}; only queued or held posts can be moved.").format(
                id=post.item_id, state=_(post.state.value)), refused=True)
            return None
        return post

    def _say(self, text: str, *, refused: bool = False) -> None:
        self.said = text
        self._show_detail()
        self.notify(text, title=_("Not moved") if refused else "",
                    severity="error" if refused else "information", timeout=8)

    # Actions: navigation

    def action_next_post(self, step: int) -> None:
        cell = self.selected_cell()
        if len(cell) > 1 and self.proposal is None:
            self.post_index = (self.post_index + step) % len(cell)
            self._show_detail()

    def action_week(self, step: int) -> None:
        if self.week is None:
            return
        self.day = self.week.monday + timedelta(weeks=step)
        self.reload()

    def action_zone(self) -> None:
        week = self.week
        if week is None:
            return
        names = [choice.audience for choice in week.zones]
        self.audience = names[(names.index(self.audience) + 1) % len(names)]
        self.day = week.monday + timedelta(days=3)  # the same week, whichever zone
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    # Actions: moving a post

    def action_shift(self, hours: int) -> None:
        post = self._movable_post()
        if post is None:
            return
        at = (self.proposal.at if self.proposal else post.at) + timedelta(hours=hours)
        self.proposal = Proposal(post, at)
        self.said = ""
        local = at.astimezone(self.week_zone())
        if self.week is not None and monday_of(local.date()) != self.week.monday:
            self.day = local.date()
            self.reload()
            return
        self._follow(local)

    def _follow(self, local: datetime) -> None:
        """The cursor shows where the proposed time lies."""
        week = self.week
        if week is None:
            return
        self.table.move_cursor(row=local.hour, column=(local.date() - week.monday).days)
        self._show_detail()

    def action_keep(self) -> None:
        proposal, self.proposal = self.proposal, None
        self.said = ""
        if proposal is None:
            return
        local = proposal.post.at.astimezone(self.week_zone())
        if self.week is not None and monday_of(local.date()) != self.week.monday:
            self.select_item = proposal.post.item_id
            self.day = local.date()
            self.reload()
            return
        self._follow(local)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "keep":
            return self.proposal is not None  # else Esc is the app's (back)
        return True

    @on(DataTable.CellSelected, "#week")
    def _enter(self) -> None:
        if self.proposal is None:
            return
        self.busy("#week")
        self.move(self.proposal.post.item_id, self.proposal.at)

    def action_move_to(self) -> None:
        from publisher.tui.dialogs import PromptDialog, refusal

        post = self._movable_post()
        if post is None:
            return
        zone = self.publisher.zone

        def typed(text: str | None) -> None:
            at = parse_moment(text or "", zone, _("time"))
            if at is not None:
                self.busy("#week")
                self.move(post.item_id, at)

        self.app.push_screen(
            PromptDialog(_("Move item {id}").format(id=post.item_id),
                         _("To when? YYYY-MM-DD HH:MM in {zone}").format(zone=zone),
                         placeholder="2026-11-28 09:00",
                         check=refusal(lambda text: parse_moment(text, zone, _("time"))
                                       or _refuse_blank()),
                         cursor_blink=self.publisher.cursor_blink),
            typed,
        )

    def action_auto(self) -> None:
        post = self._movable_post()
        if post is not None:
            self.busy("#week")
            self.move(post.item_id, None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="calendar-move")
    def move(self, item_id: int, at: datetime | None) -> None:
        from publisher.services.calendar import reschedule
        from publisher.services.people import login_name
        from publisher.tui.remedies import describe

        try:
            moved = reschedule(self.publisher.context(), item_id, at,
                               now=self.publisher.clock(), actor=login_name())
        except UserError as error:  # the rule it breaks, said under the week
            self.post_message(MoveRefused(item_id, describe(error)))
            return
        zone = self.publisher.zone
        text = (_("Item {id} moved to {at}").format(id=item_id, at=format_short(moved.after,
                                                                                  zone))
                if moved.moved else _("Item {id} is at that time already").format(id=item_id))
        self.post_message(PostMoved(item_id, moved.after, text))

    @on(MoveRefused)
    def _refused(self, message: MoveRefused) -> None:
        self.busy("#week", False)
        self._say(_("Item {id} not moved: {why}").format(id=message.item_id,
                                                         why=message.text), refused=True)

    @on(PostMoved)
    def _moved(self, message: PostMoved) -> None:
        self.proposal = None
        self.day = message.at.astimezone(self.week_zone()).date()
        self.select_item = message.item_id
        self._say(message.text)
        self.reload()


def format_date(day: date, skeleton: str) -> str:
    from babel.dates import format_skeleton

    return format_skeleton(skeleton, _noon(day), locale=BABEL_LOCALE[current_language()])


def _noon(day: date) -> datetime:
    """A date as a moment for the day formatters (noon: the same date in any zone)."""
    return datetime(day.year, day.month, day.day, 12)


def _refuse_blank() -> NoReturn:
    raise UserError(_("type a time"))
