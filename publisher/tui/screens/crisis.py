"""The Crisis screen (F11): pick a holding statement, fill its placeholders with a live
preview of every language and its counters, then send it now, queue it or only make
the draft; and resolve the items whose fate is unknown (posted, at a URL, or not)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.coordinate import Coordinate
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Static

from publisher.domain.accounts import Account
from publisher.domain.drafts import Draft
from publisher.domain.errors import UserError
from publisher.domain.moments import parse_moment
from publisher.domain.queue import State
from publisher.domain.templates import Values, collect_values, fill, fill_draft
from publisher.i18n import _
from publisher.services.context import Context
from publisher.storage.queue import Item
from publisher.tui.base import N_, LoadingScreen, format_short
from publisher.tui.messages import Done
from publisher.tui.remedies import describe
from publisher.tui.widgets.counter import CountLine, TextCounter, count_lines
from publisher.tui.widgets.keybar import KeyBar
from publisher.tui.widgets.toggles import Tick
from publisher.tui.widgets.upload_progress import ShowsUploads, UploadProgressLine

PREVIEW_ID = "preview"  # the id a preview fills the template under (never written)


@dataclass
class Statement:
    """One holding statement as the screen shows it."""

    id: str
    title: str
    placeholders: dict[str, tuple[str, ...]]
    draft: Draft | None  # None: it does not load
    problem: str | None = None


@dataclass
class CrisisData:
    statements: list[Statement]
    accounts: Mapping[str, Account]
    unknown: list[Item]
    frozen: bool
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Preview:
    """A statement filled with the values typed so far: each language's text, its
    counts, and why it would be refused now (empty: it can go)."""

    texts: dict[str, str]
    counts: dict[str, list[CountLine]]
    refusals: list[str]


def preview(statement: Statement, typed: Mapping[str, str],
            accounts: Mapping[str, Account]) -> Preview:
    """The live preview of ``statement`` with the values ``typed`` (name -> text)."""
    draft = statement.draft
    if draft is None:
        return Preview({}, {}, [statement.problem or _("this holding statement does not load")])
    refusals = [statement.problem] if statement.problem else []
    try:
        values = collect_values(f"{key}={text}" for key, text in typed.items()
                                if text.strip() and key.partition(".")[0] in
                                statement.placeholders)
    except UserError as error:
        refusals.append(describe(error))
        values = Values(())
    texts = {}
    for tag, variant in draft.variants.items():
        given = values.for_locale(tag)
        parts = [fill(part, given).text for part in (variant.text, *variant.thread) if part]
        texts[tag] = "\n\n".join(parts)
    try:
        fill_draft(draft, values, PREVIEW_ID)
    except UserError as error:  # a placeholder left: the same words as crisis use
        refusals.append(describe(error))
    first = {tag: fill(variant.text, values.for_locale(tag)).text
             for tag, variant in draft.variants.items()}
    counts = {tag: count_lines(accounts, draft.accounts, tag, first, bool(draft.media))
              for tag in draft.variants}
    for tag, lines in counts.items():
        for line in lines:
            if line.count.used > line.count.limit or line.count.problems:
                refusals.append(_("the {locale} text is too long for {account}").format(
                    locale=tag, account=line.account.id))
    if not draft.approved:
        refusals.append(_("the holding statement is not approved: it can only be made "
                          "into a draft"))
    return Preview(texts, counts, refusals)


class CrisisScreen(ShowsUploads, LoadingScreen[CrisisData]):
    TITLE_TEXT = N_("Crisis")
    AUTO_FOCUS = "#statements"
    LIVE = True
    RELOAD_ON_FREEZE = True
    BUSY = "#crisis-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g", "send_now", N_("Send now"), id="crisis.send_now",
                tooltip=N_("Make the draft from the holding statement and publish it now")),
        Binding("ctrl+o", "queue_at", N_("Queue at"), id="crisis.queue_at",
                tooltip=N_("Make the draft and queue it for the time typed")),
        Binding("ctrl+s", "draft_only", N_("Make draft only"), id="crisis.draft_only",
                tooltip=N_("Make the filled draft without queueing it")),
        Binding("ctrl+y", "posted", N_("It was posted"), id="crisis.posted",
                tooltip=N_("The selected unknown item went out: give its URL")),
        Binding("ctrl+n", "not_posted", N_("It was not posted"), id="crisis.not_posted",
                tooltip=N_("The selected unknown item did not go out: queue it again")),
        Binding("ctrl+l", "reload", N_("Reload"), show=False, id="crisis.reload",
                tooltip=N_("Read the holding statements and the queue again")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.chosen: str | None = None  # the holding statement picked
        self.typed: dict[str, str] = {}  # placeholder -> the value typed

    # Layout

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with Horizontal(id="crisis-body"):
            with Vertical(id="crisis-lists"):
                yield Label(_("Holding statements"), classes="crisis-heading")
                yield DataTable(id="statements", cursor_type="row", zebra_stripes=True)
                yield Label(_("Unknown: did it go out?"), classes="crisis-heading")
                yield DataTable(id="unknown-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="unknown-hint", classes="hint")
            with VerticalScroll(id="crisis-form"):
                yield Static("", id="statement-title", classes="crisis-heading")
                yield Vertical(id="fields")
                yield Vertical(id="previews")
                yield Static("", id="refusals", classes="problems")
                with Horizontal(id="crisis-send"):
                    yield Input(placeholder=_("2026-11-28 08:00"), id="crisis-at",
                                select_on_focus=False)
                    yield Tick(_("Through the freeze"), False, id="through-freeze")
                with Horizontal(id="crisis-buttons"):
                    yield Button(_("Send now"), id="crisis-send-now", variant="error")
                    yield Button(_("Queue at"), id="crisis-queue-at", variant="warning")
                    yield Button(_("Make draft only"), id="crisis-draft-only")
        yield UploadProgressLine(id="upload-progress")  # under the body, which shows busy
        yield KeyBar()

    def prepare(self) -> None:
        self.query_one("#statements", DataTable).add_columns(
            _("Holding statement"), _("Placeholders"))
        self.query_one("#unknown-table", DataTable).add_columns(
            _("Item"), _("Draft"), _("Account"), _("Language"), _("Due"))
        self.query_one("#crisis-at", Input).cursor_blink = self.publisher.cursor_blink

    def keep_state(self) -> None:
        self._keep_typed()

    def after_relabel(self) -> None:
        self.prepare()
        super().after_relabel()

    # Loading and showing

    def read(self, context: Context) -> CrisisData:
        from publisher.services.queueing import queue_overview
        from publisher.services.templates import list_templates

        rows, errors = list_templates(context)
        statements = []
        for row in rows:
            try:
                draft: Draft | None = context.drafts.load(row.id).draft
            except UserError as error:
                draft, row = None, row.__class__(**{**row.__dict__, "problem": describe(error)})
            statements.append(Statement(row.id, row.title, row.placeholders, draft, row.problem))
        overview = queue_overview(context, states=[State.UNKNOWN])
        return CrisisData(statements, context.accounts, overview.items,
                          overview.freeze is not None, [describe(e) for e in errors])

    def show(self) -> None:
        data = self.data
        if data is None:
            return
        table = self.query_one("#statements", DataTable)
        table.clear()
        for statement in data.statements:
            names = statement.problem or " ".join(f"{{{n}}}" for n in statement.placeholders)
            table.add_row(Text(statement.title or statement.id, style="bold"), names,
                          key=statement.id)
        if self.chosen is not None and self.chosen in table.rows:
            table.move_cursor(row=table.get_row_index(self.chosen))
        self._show_unknown(data.unknown)
        self.query_one("#through-freeze").display = data.frozen
        if not data.statements:
            self.query_one("#statement-title", Static).update(
                _("No holding statements yet: a draft with template = true is one."))
        self.call_after_refresh(self._pick)

    def _show_unknown(self, unknown: list[Item]) -> None:
        table = self.query_one("#unknown-table", DataTable)
        keep = self.selected_unknown()
        table.clear()
        for item in unknown:
            table.add_row(str(item.id), item.draft_id, item.account_id, "+".join(item.locales),
                          format_short(item.due_at, self.publisher.zone), key=str(item.id))
        if keep is not None and str(keep.id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep.id)))
        self.query_one("#unknown-hint", Static).update(
            _("{posted}: it went out (give its URL); {not_posted}: it did not (send it "
              "again).").format(posted="ctrl+y", not_posted="ctrl+n") if unknown
            else _("No item waits for a person to say whether it went out."))

    # Picking a holding statement

    def current(self) -> Statement | None:
        if self.data is None:
            return None
        return next((s for s in self.data.statements if s.id == self.chosen), None)

    @on(DataTable.RowHighlighted, "#statements")
    def _highlighted(self) -> None:
        self._pick()

    def _pick(self) -> None:
        table = self.query_one("#statements", DataTable)
        if table.row_count == 0 or self.data is None:
            return
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        if key == self.chosen and self.query("#fields Input"):
            self.refresh_preview()
            return
        self._keep_typed()
        self.chosen = str(key)
        self.call_later(self._show_statement)

    def _field(self, key: str, placeholder: str) -> Input:
        """The Input of a placeholder (``key`` "name") or of one language's own value
        ("name.sr"; ids cannot hold a dot)."""
        field_ = Input(self.typed.get(key, ""), placeholder=placeholder,
                       id="value-" + key.replace(".", "--"), select_on_focus=False)
        field_.cursor_blink = self.publisher.cursor_blink
        return field_

    def _keep_typed(self) -> None:
        for field_ in self.query("#fields Input").results(Input):
            key = str(field_.id).removeprefix("value-").replace("--", ".")
            self.typed[key] = field_.value

    async def _show_statement(self) -> None:
        statement = self.current()
        if statement is None:
            return
        self.query_one("#statement-title", Static).update(
            Text(f"{statement.title} ({statement.id})", style="bold"))
        fields = self.query_one("#fields", Vertical)
        await fields.remove_children()
        widgets: list[Widget] = []
        for name, locales in statement.placeholders.items():
            widgets.append(Label(f"{{{name}}} ({', '.join(locales)})"))
            widgets.append(self._field(name, ""))
            # A language's own value (a Serbian case ending, a name in Cyrillic).
            widgets.append(Horizontal(*(self._field(
                f"{name}.{tag}", _("{locale}: the same").format(locale=tag))
                for tag in locales), classes="overrides"))
        await fields.mount_all(widgets)
        previews = self.query_one("#previews", Vertical)
        await previews.remove_children()
        tags = list(statement.draft.variants) if statement.draft else []
        await previews.mount_all([widget for tag in tags for widget in (
            Label(tag, classes="crisis-heading"),
            Static("", id=f"preview-{tag}", classes="crisis-preview"),
            TextCounter(id=f"counter-{tag}"))])
        self.refresh_preview()

    @on(Input.Changed, "#fields Input")
    def _typed(self) -> None:
        self._keep_typed()
        self.refresh_preview()

    def refresh_counter(self, counter: TextCounter) -> None:
        """Called by a counter when it mounts; the preview fills them all."""
        self.refresh_preview()

    def refresh_preview(self) -> Preview | None:
        statement = self.current()
        if statement is None or self.data is None:
            return None
        shown = preview(statement, self.typed, self.data.accounts)
        for tag, text in shown.texts.items():
            for found in self.query(f"#preview-{tag}").results(Static):
                found.update(Text(text))
            for counter in self.query(f"#counter-{tag}").results(TextCounter):
                counter.show(shown.counts.get(tag, []))
        self.query_one("#refusals", Static).update(
            "\n".join(f"✗ {reason}" for reason in shown.refusals))
        blocked = bool(shown.refusals)
        for button in ("#crisis-send-now", "#crisis-queue-at"):
            self.query_one(button, Button).disabled = blocked
        return shown

    # Sending

    @on(Button.Pressed, "#crisis-send-now")
    def action_send_now(self) -> None:
        self._use(at=None, now=True)

    @on(Button.Pressed, "#crisis-queue-at")
    def action_queue_at(self) -> None:
        text = self.query_one("#crisis-at", Input).value
        try:
            at = parse_moment(text, self.publisher.zone, _("time"))
        except UserError as error:
            self.publisher.show_error(error)
            return
        if at is None:
            self.notify(_("Type the time to queue it at first"), severity="warning")
            self.query_one("#crisis-at", Input).focus()
            return
        self._use(at=at, now=False)

    @on(Button.Pressed, "#crisis-draft-only")
    def action_draft_only(self) -> None:
        self._use(at=None, now=False)

    def _use(self, at: datetime | None, now: bool) -> None:
        from publisher.tui.dialogs import confirm, if_yes

        statement = self.current()
        if statement is None:
            self.notify(_("No holding statement selected"), severity="warning")
            return
        self._keep_typed()
        typed = {key: value for key, value in self.typed.items()
                 if key.partition(".")[0] in statement.placeholders and value.strip()}
        through = self.data is not None and self.data.frozen and \
            self.query_one("#through-freeze", Checkbox).value
        if not now:
            self.busy(self.BUSY)
            self.use(statement.id, typed, at, False, through)
            return
        self.app.push_screen(
            confirm(_("Send {id} now?").format(id=statement.id),
                    _("The filled statement goes out on every account of the holding "
                      "statement, now."), _("Send now"), _("not yet")),
            if_yes(lambda: self._send(statement.id, typed, through)))

    def _send(self, template_id: str, typed: dict[str, str], through: bool) -> None:
        self.busy(self.BUSY)
        self.use(template_id, typed, None, True, through)

    @work(thread=True, exit_on_error=False, group="crisis-use")
    def use(self, template_id: str, typed: dict[str, str], at: datetime | None,
            now: bool, through_freeze: bool) -> None:
        from publisher.services import flush as flushing
        from publisher.services.corrections import login_name
        from publisher.services.templates import use_template
        from publisher.storage.lock import Locked
        from publisher.tui.screens.queue import _report_line

        context = self.publisher.context()
        clock = self.publisher.clock
        moment = clock()
        values = collect_values(f"{name}={value}" for name, value in typed.items())
        made = use_template(context, template_id, values, by=login_name(), now=moment,
                            at=moment if now else at, immediately=now,
                            through_freeze=through_freeze)
        line = _("Made draft {draft} from the holding statement {template}").format(
            draft=made.draft_id, template=template_id)
        if not now:
            if made.items:
                line += "; " + _("queued: items {ids}").format(
                    ids=", ".join(map(str, made.items)))
            self.post_message(Done(line))
            return
        try:
            report = flushing.flush(context, clock=clock, only=set(made.items),
                                    actor=login_name(), progress=self.upload_progress())
        except Locked:
            self.post_message(Done(line + "\n" + _(
                "a flush is running; the items are queued and go out with the next one"),
                "warning"))
            return
        text, severity = _report_line(report)
        self.post_message(Done(f"{line}\n{text}", severity))

    # Unknown items

    def selected_unknown(self) -> Item | None:
        table = self.query_one("#unknown-table", DataTable)
        if self.data is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return next((item for item in self.data.unknown if str(item.id) == key), None)

    def _need_unknown(self) -> Item | None:
        item = self.selected_unknown()
        if item is None:
            self.notify(_("No unknown item selected"), severity="warning")
        return item

    def action_posted(self) -> None:
        from publisher.tui.dialogs import PromptDialog, if_given

        item = self._need_unknown()
        if item is None:
            return
        self.app.push_screen(
            PromptDialog(_("Item {id} went out").format(id=item.id),
                         _("Its URL on {account} (checked with the platform where it "
                           "can be):").format(account=item.account_id),
                         placeholder="https://…",
                         check=lambda text: None if text else _("paste the post's URL"),
                         cursor_blink=self.publisher.cursor_blink),
            if_given(lambda url: self.resolve_posted(item.id, url)))

    @work(thread=True, exit_on_error=False, group="crisis-resolve")
    def resolve_posted(self, item_id: int, url: str) -> None:
        from publisher.services.corrections import login_name, resolve_posted

        who = login_name()
        resolved = resolve_posted(self.publisher.context(), item_id, url, who=who,
                                  clock=self.publisher.clock)
        if resolved.confirmed:
            text = _("Item {id} is sent, at {url}: the platform confirmed it").format(
                id=item_id, url=resolved.item.url)
            self.post_message(Done(text))
        else:
            text = _("Item {id} is sent, at {url}, on {who}'s word: the platform could not "
                     "confirm it").format(id=item_id, url=resolved.item.url, who=who)
            self.post_message(Done(text, "warning"))

    def action_not_posted(self) -> None:
        from publisher.tui.dialogs import confirm, if_yes

        item = self._need_unknown()
        if item is None:
            return
        self.app.push_screen(
            confirm(_("Item {id} did not go out?").format(id=item.id),
                    _("{draft} on {account} ({locales}) is queued again and sent with the "
                      "next flush. If it did go out, it goes out twice.").format(
                        draft=item.draft_id, account=item.account_id,
                        locales="+".join(item.locales)),
                    _("Send it again"), _("keep it unknown")),
            if_yes(lambda: self.resolve_not_posted(item.id)))

    @work(thread=True, exit_on_error=False, group="crisis-resolve")
    def resolve_not_posted(self, item_id: int) -> None:
        from publisher.services.corrections import login_name, resolve_not_posted

        who = login_name()
        resolve_not_posted(self.publisher.context(), item_id, who=who,
                           now=self.publisher.clock())
        self.post_message(Done(_("Item {id} is queued again: {who} said it did not go "
                                 "out").format(id=item_id, who=who)))

    # After a change

    def action_reload(self) -> None:
        self.reload()

    def worker_failed(self, worker) -> None:
        self.hide_upload()
        super().worker_failed(worker)

    @on(Done)
    def done(self, message: Done) -> None:
        self.hide_upload()
        self.busy(self.BUSY, False)
        self.notify(message.text, severity=message.severity)
        self.reload()
