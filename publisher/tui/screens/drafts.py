"""The drafts view: every draft with its translation badges; filter, new, duplicate,
delete, approve, open in the editor, schedule."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from publisher.domain.drafts import TranslationState, check_draft_id, free_id, slug
from publisher.domain.errors import UserError
from publisher.domain.search_fold import folded_contains
from publisher.i18n import _, current_language
from publisher.services.context import Context
from publisher.services.drafts import (
    KEPT_DIR,
    DraftRow,
    DraftsOverview,
    delete_draft,
    draft_row,
    drafts_overview,
    duplicate_draft,
)
from publisher.tui.base import N_, format_moment, format_short
from publisher.tui.corrections import CorrectsDrafts
from publisher.tui.messages import Done, Notice, RowChanged
from publisher.tui.remedies import describe
from publisher.tui.table_screen import Column, TableScreen
from publisher.tui.widgets.badges import badge, legend
from publisher.tui.widgets.keybar import KeyBar
from publisher.tui.widgets.toggles import Tick

BADGE_LOCALES = ("sq", "en", "sr")
# The content locale a person working in each interface language translates into.
MY_LOCALE = {"sq": "sq", "en": "en", "sr": "sr", "sr-Latn": "sr"}
FILTER_DELAY = 0.15
READ_PENDING_AFTER = 0.3  # seconds after a quick first listing is shown
PENDING = Text("  …  ", style="dim")  # a badge while its draft is being read


def my_locale() -> str:
    return MY_LOCALE[current_language()]


@dataclass
class DraftFilter:
    text: str = ""
    campaign: str | None = None
    state: str | None = None
    needs_mine: bool = False

    def keeps(self, row: DraftRow) -> bool:
        if self.text:
            # Folded: Cyrillic finds Latin and back, "e" finds "ë" (one rule, the domain's).
            haystack = f"{row.id} {row.title} {row.campaign or ''} {' '.join(row.accounts)}"
            if not folded_contains(haystack, self.text):
                return False
        if self.campaign and row.campaign != self.campaign:
            return False
        if self.state and TranslationState(self.state) not in row.states.values():
            return False
        return not (self.needs_mine and not row.needs(my_locale()))


class DraftsScreen(CorrectsDrafts, TableScreen[DraftsOverview]):
    TITLE_TEXT = N_("Drafts")
    AUTO_FOCUS = "#drafts-table"
    LIVE = True
    TABLE = "drafts-table"
    # The badges and the next due time decide what to do: they get their width first;
    # the title, campaign and accounts share the rest (whole in the detail line).
    COLUMNS = (
        Column("title", N_("Title"), min_width=16), Column("campaign", N_("Campaign")),
        Column("accounts", N_("Accounts"), min_width=10, max_width=32),
        *(Column(tag, decides=True) for tag in BADGE_LOCALES),
        Column("due", N_("Next due"), decides=True),
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "open", N_("Open"), id="drafts.open",
                tooltip=N_("Edit the selected draft (also Enter)")),
        Binding("ctrl+n", "new", N_("New"), id="drafts.new", tooltip=N_("Write a new draft")),
        Binding("ctrl+d,ctrl+b", "duplicate", N_("Duplicate"), id="drafts.duplicate",
                tooltip=N_("Copy the selected draft under a new id")),
        Binding("f8", "delete", N_("Delete"), id="drafts.delete",
                tooltip=N_("Delete the selected draft (asks first)")),
        Binding("f7", "approve", N_("Approve"), id="drafts.approve",
                tooltip=N_("Approve the selected draft for the queue")),
        Binding("f6", "schedule", N_("Schedule"), id="drafts.schedule",
                tooltip=N_("Pick when the selected draft goes out")),
        Binding("ctrl+f", "filter", N_("Filter"), id="drafts.filter",
                tooltip=N_("Type to filter the drafts")),
        Binding("ctrl+x", "retract", N_("Retract everywhere"), id="drafts.retract",
                tooltip=N_("Delete the selected draft's posts from every account (shows the "
                           "plan first)")),
        Binding("ctrl+e", "correct", N_("Correct everywhere"), id="drafts.correct",
                tooltip=N_("Bring the selected draft's published posts to its new approved "
                           "text (shows the plan first)")),
        Binding("ctrl+y", "history", N_("History"), show=False, id="drafts.history",
                tooltip=N_("Who did what with the selected draft, newest first")),
        Binding("ctrl+l", "toggle_mine", N_("Needs my language"), show=False,
                id="drafts.mine", tooltip=N_("Show only drafts missing or stale in your "
                                             "language, or all again")),
        Binding("ctrl+r", "reload", N_("Reload"), show=False, id="drafts.reload",
                tooltip=N_("Read the draft files again")),
        Binding("escape", "to_table", N_("Back to the list"), show=False, id="drafts.back",
                tooltip=N_("From the filters back to the list of drafts")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = DraftFilter()
        self.opened: str | None = None
        self._filter_timer: Timer | None = None
        self._then: tuple[str | None, bool] = (None, False)  # after the next load: select, open
        self._quick = True  # the first listing may leave drafts pending (see read)

    @property
    def overview(self) -> DraftsOverview | None:
        return self.data

    # Layout

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        campaigns = self.overview.campaigns if self.overview else []
        with Horizontal(id="filters"):
            yield Input(self.filter.text, placeholder=_("Filter: title, id, account…"),
                        id="filter-text", select_on_focus=False)
            yield Select([(f"#{name}", name) for name in campaigns],
                         prompt=_("Any campaign"), id="filter-campaign",
                         value=self.filter.campaign or Select.NULL)
            yield Select([(_(state.value), state.value) for state in TranslationState],
                         prompt=_("Any state"), id="filter-state",
                         value=self.filter.state or Select.NULL)
            yield Tick(_("Needs my language ({locale})").format(locale=my_locale()),
                       self.filter.needs_mine, id="filter-mine")
        empty = Static("", id="drafts-empty", classes="hint")
        empty.display = False  # shown when there is nothing to list
        yield empty
        yield self.new_table()
        yield Static("", id="draft-detail", classes="hint")
        yield Static("", id="drafts-problems", classes="problems")
        yield Static(legend(), id="legend", classes="hint")
        yield KeyBar()

    def prepare(self) -> None:
        super().prepare()
        for field in self.query(Input):
            field.cursor_blink = self.publisher.cursor_blink
        self.table.focus()

    def keep_state(self) -> None:
        self.filter.text = self.query_one("#filter-text", Input).value

    def after_relabel(self) -> None:
        self.query_one("#filter-text", Input).cursor_blink = self.publisher.cursor_blink
        super().after_relabel()

    # Loading and showing

    def read(self, context: Context) -> DraftsOverview:
        # The first listing is quick: a workspace without a drafts index (a first start,
        # a large git pull) shows every draft by id at once and reads them right after.
        # Reading many files, it lets the event loop run between them (the GIL).
        quick, self._quick = self._quick, False
        return drafts_overview(context, quick=quick, pace=lambda: time.sleep(0))

    async def show_loaded(self) -> None:
        overview = self.data
        if overview is None:
            return
        campaign = self.query_one("#filter-campaign", Select)
        campaign.set_options([(f"#{name}", name) for name in overview.campaigns])
        if self.filter.campaign in overview.campaigns:
            campaign.value = self.filter.campaign
        (select, open_it), self._then = self._then, (None, False)
        self.show(select)
        if select and open_it and self.selected_key() == select:
            self.action_open()
        if not overview.complete:
            # Read the pending drafts once the rows are painted (the reading would hold
            # the first paint up: it shares the interpreter with the event loop).
            self.set_timer(READ_PENDING_AFTER, self.load)

    def show(self, select: str | None = None) -> None:
        if self.overview is not None:
            self.query_one("#drafts-problems", Static).update(
                "\n".join(describe(problem) for problem in self.overview.problems))
            self._fill(select)

    def _cells(self, row: DraftRow) -> list[object]:
        if row.pending:  # being read: its id for a title, no badges yet
            return [Text(row.id, style="dim italic"), "", "", *(PENDING for _tag in BADGE_LOCALES),
                    format_short(row.next_due, self.publisher.zone) if row.next_due else ""]
        return [
            Text(row.title, style="bold" if row.approved else ""),
            f"#{row.campaign}" if row.campaign else "",
            ", ".join(row.accounts),
            *(badge(tag, row.states.get(tag)) for tag in BADGE_LOCALES),
            format_short(row.next_due, self.publisher.zone) if row.next_due else "",
        ]

    @on(DataTable.RowHighlighted, "#drafts-table")
    def _detail(self) -> None:
        """The selected draft whole: its id, title, campaign, accounts and next due."""
        row = self.current_row()
        detail = Text()
        if row is not None:
            detail.append(row.id, style="bold")
            detail.append(f" · {row.title}")
            if row.campaign:
                detail.append(f" · #{row.campaign}")
            if row.accounts:
                detail.append(" · " + ", ".join(row.accounts))
            if row.next_due:
                detail.append(" · " + _("next due {when}").format(
                    when=format_moment(row.next_due, self.publisher.zone)))
        self.query_one("#draft-detail", Static).update(detail)

    def _fill(self, select: str | None = None) -> None:
        """The drafts the filters keep."""
        if self.overview is None:
            return
        rows = [(row.id, self._cells(row)) for row in self.overview.rows
                if self.filter.keeps(row)]
        self.show_rows(rows, select)
        empty = self.query_one("#drafts-empty", Static)
        empty.display = not rows
        if not rows:
            empty.update(self._empty_note())
        self._detail()

    def _empty_note(self) -> str:
        """What to do next when the list shows nothing."""
        from publisher.tui.remedies import key

        if self.overview is not None and self.overview.rows:
            return _("No draft matches the filters: {key} goes to them.").format(
                key=key("drafts.filter"))
        return _("No drafts yet: {key} writes one").format(key=key("drafts.new"))

    def current_row(self) -> DraftRow | None:
        draft_id = self.selected_key()
        if draft_id is None or self.overview is None:
            return None
        return next((row for row in self.overview.rows if row.id == draft_id), None)

    def crisis_draft(self) -> str | None:
        row = self.selected_row()
        return None if row is None else row.id

    def selected_row(self) -> DraftRow | None:
        row = self.current_row()
        if row is None:
            self.notify(_("No draft selected"), severity="warning")
        return row

    # Filters

    @on(Input.Changed, "#filter-text")
    def text_changed(self, event: Input.Changed) -> None:
        self.filter.text = event.value.strip()
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self._fill)

    @on(Select.Changed, "#filter-campaign")
    def campaign_changed(self, event: Select.Changed) -> None:
        self.filter.campaign = None if event.value is Select.NULL else str(event.value)
        self._fill()

    @on(Select.Changed, "#filter-state")
    def state_changed(self, event: Select.Changed) -> None:
        self.filter.state = None if event.value is Select.NULL else str(event.value)
        self._fill()

    @on(Checkbox.Changed, "#filter-mine")
    def mine_changed(self, event: Checkbox.Changed) -> None:
        self.filter.needs_mine = event.value
        self._fill()

    @on(Input.Submitted, "#filter-text")
    def action_to_table(self) -> None:
        self.table.focus()

    def action_filter(self) -> None:
        self.query_one("#filter-text", Input).focus()

    def action_toggle_mine(self) -> None:
        mine = self.query_one("#filter-mine", Checkbox)
        mine.value = not mine.value  # its Changed message filters

    def action_reload(self) -> None:
        self.reload()

    # Opening

    @on(DataTable.RowSelected, "#drafts-table")
    def row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self.selected_row()
        if row is not None:
            from publisher.tui.screens.editor import EditorScreen

            self.opened = row.id
            self.app.push_screen(EditorScreen(row.id))

    def action_schedule(self) -> None:
        row = self.selected_row()
        if row is not None:
            from publisher.tui.screens.schedule import ScheduleScreen

            self.opened = row.id
            self.app.push_screen(ScheduleScreen(row.id))

    async def on_screen_resume(self) -> None:
        await super().on_screen_resume()
        if self.opened is not None:
            self.refresh_row(self.opened)
            self.opened = None

    @work(thread=True, exit_on_error=False, group="drafts-row")
    def refresh_row(self, draft_id: str) -> None:
        try:
            row = draft_row(self.publisher.context(), draft_id)
        except UserError:
            row = None  # deleted or broken meanwhile
        self.post_message(RowChanged(draft_id, row))

    def _changing(self) -> bool:
        """Show that a change is under way (the table is busy until it is shown)."""
        self.busy("#drafts-table")
        return True

    @on(RowChanged)
    def row_changed(self, message: RowChanged) -> None:
        self.busy("#drafts-table", False)
        if self.overview is None:
            return
        rows = self.overview.rows
        index = next((i for i, row in enumerate(rows) if row.id == message.key), None)
        if message.data is None or index is None:
            self.reload()
            return
        rows[index] = message.data
        self.update_row(message.key, self._cells(message.data))
        self._detail()

    # Changes

    def action_new(self) -> None:
        from publisher.tui.dialogs import PromptDialog, if_given, refusal

        self.app.push_screen(
            PromptDialog(_("New draft"), _("Its title (for you and your colleagues; the file "
                                           "name is made from it)"),
                         placeholder=_("e.g. Flag Day 2027"), check=refusal(slug),
                         cursor_blink=self.publisher.cursor_blink),
            if_given(lambda title: self._changing() and self.create(title)),
        )

    @work(thread=True, exit_on_error=False, group="drafts-change")
    def create(self, title: str) -> None:
        from publisher.services.drafts import new_draft

        context = self.publisher.context()
        draft_id = free_id(slug(title), set(context.drafts.ids()))
        path = new_draft(context, draft_id, None, title=title)
        self.post_message(Done(_("Created {path}").format(path=path), select=draft_id,
                               open_it=True))

    def action_duplicate(self) -> None:
        from publisher.tui.dialogs import PromptDialog, if_given, refusal

        row = self.selected_row()
        if row is None:
            return
        self.app.push_screen(
            PromptDialog(_("Duplicate {id}").format(id=row.id), _("The new draft's id"),
                         f"{row.id}-copy", check=refusal(check_draft_id),
                         cursor_blink=self.publisher.cursor_blink),
            if_given(lambda new_id: self._changing() and self.duplicate(row.id, new_id)),
        )

    @work(thread=True, exit_on_error=False, group="drafts-change")
    def duplicate(self, draft_id: str, new_id: str) -> None:
        path = duplicate_draft(self.publisher.context(), draft_id, new_id)
        self.post_message(Done(_("Copied to {path} (not approved)").format(path=path),
                               select=new_id))

    def action_delete(self) -> None:
        from publisher.tui.dialogs import confirm, if_yes

        row = self.selected_row()
        if row is None:
            return
        self.app.push_screen(
            confirm(_("Delete {id}?").format(id=row.id),
                    _("“{title}” disappears from the drafts. A copy is kept in {folder}.")
                    .format(title=row.title, folder=KEPT_DIR),
                    _("Delete"), _("keep the draft")),
            if_yes(lambda: self._changing() and self.delete(row)),
        )

    @work(thread=True, exit_on_error=False, group="drafts-change")
    def delete(self, row: DraftRow) -> None:
        context = self.publisher.context()
        kept = delete_draft(context, row.id, row.digest, self.publisher.clock())
        self.post_message(Done(_("Deleted {id}; a copy is in {path}").format(
            id=row.id, path=context.workspace.relative(kept))))

    def action_approve(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._changing()
            self.approve(row.id)

    @work(thread=True, exit_on_error=False, group="drafts-change")
    def approve(self, draft_id: str) -> None:
        from publisher.services.drafts import approve
        from publisher.services.people import login_name
        from publisher.tui.people import approved_note

        context = self.publisher.context()
        done = approve(context, draft_id, by=login_name(), step=None, now=self.publisher.clock())
        self.post_message(RowChanged(draft_id, draft_row(context, draft_id)))
        self.post_message(Notice(approved_note(draft_id, done),
                                 "warning" if done.warnings else "information"))

    def action_history(self) -> None:
        row = self.selected_row()
        if row is not None:
            from publisher.tui.screens.history import HistoryScreen

            self.app.push_screen(HistoryScreen(row.id))

    @on(Done)
    def done(self, message: Done) -> None:
        """Say so, read the drafts again, then select (and open) the one named."""
        self.notify(message.text, severity=message.severity)
        self._then = (message.select, message.open_it)
        self.reload()
