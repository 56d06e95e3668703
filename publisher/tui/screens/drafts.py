"""The drafts view: every draft with its translation badges; filter, new, duplicate,
delete, approve, open in the editor, schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Checkbox, DataTable, Footer, Input, Select, Static

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
from publisher.tui.base import N_, format_moment
from publisher.tui.messages import Done, Notice, RowChanged
from publisher.tui.remedies import describe
from publisher.tui.table_screen import Column, TableScreen
from publisher.tui.widgets.badges import badge, legend

BADGE_LOCALES = ("sq", "en", "sr")
# The content locale a person working in each interface language translates into.
MY_LOCALE = {"sq": "sq", "en": "en", "sr": "sr", "sr-Latn": "sr"}
FILTER_DELAY = 0.15


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


class DraftsScreen(TableScreen[DraftsOverview]):
    TITLE_TEXT = N_("Drafts")
    AUTO_FOCUS = "#drafts-table"
    TABLE = "drafts-table"
    COLUMNS = (
        Column("title", N_("Title")), Column("campaign", N_("Campaign")),
        Column("accounts", N_("Accounts")), *(Column(tag) for tag in BADGE_LOCALES),
        Column("due", N_("Next due")),
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
        Binding("ctrl+l", "toggle_mine", N_("Needs my language"), show=False,
                id="drafts.mine", tooltip=N_("Show only drafts missing or stale in your "
                                             "language, or all again")),
        Binding("ctrl+r", "reload", N_("Reload"), show=False, id="drafts.reload",
                tooltip=N_("Read the draft files again")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = DraftFilter()
        self.opened: str | None = None
        self._filter_timer: Timer | None = None
        self._then: tuple[str | None, bool] = (None, False)  # after the next load: select, open

    @property
    def overview(self) -> DraftsOverview | None:
        return self.data

    # Layout

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        campaigns = self.overview.campaigns if self.overview else []
        with Horizontal(id="filters"):
            yield Input(self.filter.text, placeholder=_("Filter: title, id, account…"),
                        id="filter-text")
            yield Select([(f"#{name}", name) for name in campaigns],
                         prompt=_("Any campaign"), id="filter-campaign",
                         value=self.filter.campaign or Select.NULL)
            yield Select([(_(state.value), state.value) for state in TranslationState],
                         prompt=_("Any state"), id="filter-state",
                         value=self.filter.state or Select.NULL)
            yield Checkbox(_("Needs my language ({locale})").format(locale=my_locale()),
                           self.filter.needs_mine, id="filter-mine")
        yield self.new_table()
        yield Static("", id="drafts-problems", classes="problems")
        yield Static(legend(), id="legend", classes="hint")
        yield Footer(compact=True)

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
        return drafts_overview(context)

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

    def show(self, select: str | None = None) -> None:
        if self.overview is not None:
            self.query_one("#drafts-problems", Static).update(
                "\n".join(describe(problem) for problem in self.overview.problems))
            self._fill(select)

    def _cells(self, row: DraftRow) -> list[object]:
        accounts = ", ".join(row.accounts)
        if len(accounts) > 32:
            accounts = accounts[:31] + "…"
        title = Text(row.title)
        if row.approved:
            title.stylize("bold")
        return [
            title,
            f"#{row.campaign}" if row.campaign else "",
            accounts,
            *(badge(tag, row.states.get(tag)) for tag in BADGE_LOCALES),
            format_moment(row.next_due, self.publisher.zone) if row.next_due else "",
        ]

    def _fill(self, select: str | None = None) -> None:
        """The drafts the filters keep."""
        if self.overview is not None:
            self.show_rows([(row.id, self._cells(row)) for row in self.overview.rows
                            if self.filter.keeps(row)], select)

    def selected_row(self) -> DraftRow | None:
        draft_id = self.selected_key()
        if draft_id is None or self.overview is None:
            self.notify(_("No draft selected"), severity="warning")
            return None
        return next((row for row in self.overview.rows if row.id == draft_id), None)

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
    def to_table(self) -> None:
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
                    _("Delete")),
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

        context = self.publisher.context()
        _loaded, warnings = approve(context, draft_id)
        text = _("Approved {id}").format(id=draft_id)
        if warnings:
            text += " — " + "; ".join(warnings)
        self.post_message(RowChanged(draft_id, draft_row(context, draft_id)))
        self.post_message(Notice(text, "warning" if warnings else "information"))

    @on(Done)
    def done(self, message: Done) -> None:
        """Say so, read the drafts again, then select (and open) the one named."""
        self.notify(message.text, severity=message.severity)
        self._then = (message.select, message.open_it)
        self.reload()
