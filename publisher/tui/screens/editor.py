"""The editor: one tab per locale with the source beside the variant, a live counter
per target account, consistency warnings, alt texts, embargo and deadline.

What the person typed lives in the model (:class:`~publisher.tui.editor_state.EditState`),
not only in the widgets, so a language switch (a recompose) loses nothing. Saving is
one atomic write that refuses a file changed on disk since it was read; the person
then chooses reload or keep-mine, and the other side is kept in a file, so nothing
is lost either way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.lazy import Lazy
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import (
    Input,
    Label,
    LoadingIndicator,
    SelectionList,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from publisher.domain.errors import UserError
from publisher.domain.locales import DERIVED_FROM
from publisher.i18n import _
from publisher.services.context import Context
from publisher.services.drafts import DraftEdit, draft_file, keep_copy, save_draft
from publisher.services.people import login_name
from publisher.storage.drafts import ConflictError
from publisher.tui.base import N_, LoadingScreen
from publisher.tui.editor_state import LATIN, EditState, TimeLine, is_empty
from publisher.tui.messages import DraftSaved, PeopleRead, SaveConflict
from publisher.tui.people import (
    DraftPeople,
    PeopleLines,
    approval_line,
    approved_note,
    authorship_line,
    read_people,
)
from publisher.tui.widgets.counter import TextCounter, count_lines
from publisher.tui.widgets.keybar import KeyBar
from publisher.tui.widgets.parts import TEXT, part_area, part_counts, part_label
from publisher.tui.widgets.toggles import TickList

WARNINGS_DELAY = 0.3
# The model's time fields and the inputs they are typed in.
TIME_INPUTS = {"not_before": "field-not-before", "deadline": "field-deadline"}


def part_texts(state: EditState, part: str) -> dict[str, str]:
    """Every locale's text of one part ("thread-0", "comment"), as count_lines takes them
    (a combined account counts every locale's part together)."""
    texts = {}
    for tag in state.locales:
        if part == "comment":
            texts[tag] = (state.parts_of(tag).first_comment if state.is_derived(tag)
                          else state.first_comments.get(tag, ""))
            continue
        index = int(part.removeprefix("thread-"))
        replies = (list(state.parts_of(tag).thread) if state.is_derived(tag)
                   else state.threads.get(tag, []))
        texts[tag] = replies[index] if index < len(replies) else ""
    return texts


class EditorScreen(LoadingScreen[EditState]):
    TITLE_TEXT = N_("Editor")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), id="editor.save", priority=True,
                tooltip=N_("Write the draft file (checks nobody changed it meanwhile)")),
        Binding("escape", "close", N_("Back"), id="editor.back",
                tooltip=N_("Back to the drafts (asks if something is unsaved)")),
        Binding("ctrl+t", "next_tab", N_("Next tab"), id="editor.next_tab",
                tooltip=N_("Show the next language")),
        Binding("ctrl+l", "write_latin", N_("Write sr-Latn"), id="editor.latin",
                tooltip=N_("Write the Serbian Latin text by hand instead of deriving it")),
        Binding("f7", "approve", N_("Approve"), id="editor.approve", priority=True,
                tooltip=N_("Approve this draft for the queue")),
        Binding("f6", "schedule", N_("Schedule"), id="editor.schedule", priority=True,
                tooltip=N_("Pick when this draft goes out")),
        Binding("ctrl+j", "add_part", N_("Add part"), id="editor.add_part", priority=True,
                tooltip=N_("Add a reply to this language's thread (an emptied one is removed "
                           "on save)")),
        Binding("ctrl+g", "split", N_("Split into a thread"), id="editor.split",
                priority=True,
                tooltip=N_("Propose cutting a text too long for an account into a thread, "
                           "at sentence ends")),
        Binding("ctrl+o", "add_own_text", N_("Own text"), id="editor.own_text", priority=True,
                tooltip=N_("Give one of the draft's accounts its own text in this language "
                           "(emptied, it is removed on save)")),
        Binding("f8", "history", N_("History"), id="editor.history", priority=True,
                tooltip=N_("Who did what with this draft, newest first")),
        Binding("ctrl+r", "reload", N_("Reload"), show=False, id="editor.reload",
                tooltip=N_("Read the file again (asks if something is unsaved)")),
    ]

    def __init__(self, draft_id: str) -> None:
        super().__init__()
        self.draft_id = draft_id
        self.active_tab: str | None = None
        self._warnings_timer: Timer | None = None
        self._after_save: Callable[[], object] | None = None  # once the save succeeded
        self._focus_next: str | None = None  # where the cursor goes once recomposed
        self.people: DraftPeople | None = None  # who wrote and cleared it, once read

    @property
    def state(self) -> EditState | None:
        """What the person is editing (None until the draft is read)."""
        return self.data

    # Layout

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        state = self.state
        if state is None:
            yield LoadingIndicator(id="editor-loading")
            yield KeyBar()
            return
        yield Static(self._head(state), id="editor-head")
        with TabbedContent(initial=self.active_tab or f"tab-{state.first_tab()}",
                           id="editor-tabs"):
            with TabPane(_("Details"), id="tab-details"):
                yield from self._details(state)
            for tag in state.locales:
                with TabPane(self._tab_label(state, tag), id=f"tab-{tag}"):
                    yield Lazy(Vertical(*self._locale_pane(state, tag), classes="locale-pane"))
        yield Static("", id="warnings", classes="problems")
        yield KeyBar()

    def _head(self, state: EditState) -> Text:
        draft = state.draft
        text = Text(f"{draft.id}", style="bold")
        text.append(f" · {state.title} · ")
        if draft.approved:
            text.append(_("approved"), style="bold green")
        else:
            text.append(_("not approved"), style="bold yellow")
        text.append(" · " + _("source: {locale}").format(locale=draft.source))
        return text

    def _tab_label(self, state: EditState, tag: str) -> str:
        if tag == state.draft.source:
            return _("{locale} (source)").format(locale=tag)
        return tag

    def _details(self, state: EditState) -> ComposeResult:
        zone = self.publisher.zone
        with VerticalScroll(id="details"):
            yield self._people_lines(None)
            yield Label(_("Title (internal)"))
            yield Input(state.title, id="field-title", select_on_focus=False)
            yield Label(_("Campaign hashtag"))
            yield Input(state.campaign, placeholder=_("e.g. {example} (optional)").format(
                example="DigitalKosovo"), id="field-campaign",
                        select_on_focus=False)
            yield Label(_("Accounts it goes to (space picks one; then ctrl+t to write the "
                          "texts)"))
            yield TickList[str](
                *[(f"{a.id} · {a.text_platform} · {', '.join(a.locales)}", a.id,
                   a.id in state.targets) for a in state.accounts.values()],
                id="field-accounts",
            )
            yield Label(_("Embargo: not before (YYYY-MM-DD HH:MM, {zone})").format(zone=zone))
            yield Input(state.not_before, placeholder=_("e.g. {example} (optional)").format(
                example="2026-11-28 08:00"), id="field-not-before",
                        select_on_focus=False)
            yield Label(_("Deadline (YYYY-MM-DD HH:MM, {zone})").format(zone=zone))
            yield Input(state.deadline, placeholder=_("e.g. {example} (optional)").format(
                example="2026-11-28 22:00"), id="field-deadline",
                        select_on_focus=False)
            yield Static(self._times_hint(), id="times-hint", classes="hint")

    def _times_hint(self) -> str:
        """Each time as it will be read (in the UI's language), or what is wrong with it."""
        return "\n".join(line.text for line in self._time_lines())

    def _time_lines(self) -> list[TimeLine]:
        if self.state is None:
            return []
        return self.state.time_lines(self.publisher.zone, self.publisher.clock())

    def _mark_times(self) -> None:
        blamed = {TIME_INPUTS[line.blames] for line in self._time_lines() if line.blames}
        for field_id in TIME_INPUTS.values():
            for found in self.query(f"#{field_id}"):
                found.set_class(field_id in blamed, "-invalid")

    def _locale_pane(self, state: EditState, tag: str) -> list[Widget]:
        draft = state.draft
        derived = state.is_derived(tag)
        blink = self.publisher.cursor_blink
        sides = []
        if tag != draft.source:
            source = TextArea(state.texts.get(draft.source, ""), read_only=True, soft_wrap=True,
                              id=f"source-{tag}", classes="source-text")
            source.cursor_blink = blink
            source.can_focus = False  # Tab goes from the tabs to the text being written
            sides.append(Vertical(Label(_("Source ({locale})").format(locale=draft.source)),
                                  source, classes="side"))
        label = (_("{locale}: derived from sr (read-only; ctrl+l to write it by hand)")
                 .format(locale=tag) if derived else tag)
        variant = TextArea(state.effective_texts().get(tag, ""), read_only=derived,
                           soft_wrap=True, id=f"text-{tag}", classes="variant-text")
        variant.cursor_blink = blink
        sides.append(Vertical(Label(label), variant, classes="side"))
        pane: list[Widget] = [Horizontal(*sides, classes="side-by-side"),
                              TextCounter(id=f"counter-{tag}")]
        pane.extend(self._parts(state, tag))
        pane.extend(self._own_texts(state, tag))
        for index, media in enumerate(draft.media):
            pane.append(Label(_("Alt text of {file} ({locale})").format(file=media.file,
                                                                       locale=tag)))
            if tag == LATIN and (media.file, tag) not in state.alts:
                pane.append(Static(media.alt_for(tag) or "—", classes="hint"))
            else:
                alt = Input(state.alts.get((media.file, tag), ""), id=f"alt-{index}-{tag}",
                            classes="alt-text", select_on_focus=False)
                alt.cursor_blink = blink
                pane.append(alt)
        pane.extend(Static(line, classes="hint subtitles")
                    for line in state.subtitles.get(tag, ()))
        pane.insert(0, self._people_lines(tag))
        telegram = state.telegram_targets(tag)
        if draft.media and telegram:
            pane.append(Static(
                _("Telegram shows no alt text ({accounts}): say what the image shows in the "
                  "text if it matters.").format(accounts=", ".join(telegram)),
                classes="attention",
            ))
        return pane

    def _people_lines(self, tag: str | None) -> PeopleLines:
        """Who created the draft and changed this language last; each approval step."""
        return PeopleLines(tag, id=f"people-{tag or 'details'}", classes="people hint")

    def refresh_people(self, lines: PeopleLines) -> None:
        """One widget's lines (also called by the widget when its lazy tab mounts it)."""
        people, tag, zone = self.people, lines.locale, self.publisher.zone
        if people is None:
            return
        text = Text(authorship_line(people, tag, zone))
        text.append("\n")
        text.append_text(approval_line(people, tag, zone))
        lines.update(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-people")
    def read_people(self) -> None:
        state = self.state
        if state is not None:
            self.post_message(PeopleRead(read_people(self.publisher.context(), state.draft)))

    @on(PeopleRead)
    def people_read(self, message: PeopleRead) -> None:
        self.people = message.people
        for lines in self.query(PeopleLines):
            self.refresh_people(lines)

    def _parts(self, state: EditState, tag: str) -> list[Widget]:
        """The thread's replies, the first comment and the content warning, each with
        its counter (sr-Latn's derived from sr, read-only, until written by hand)."""
        derived = state.is_derived(tag)
        shown = state.parts_of(tag) if derived else None
        replies = list(shown.thread) if shown else state.threads.get(tag, [])
        widgets: list[Widget] = []
        for index, reply in enumerate(replies):
            widgets.append(Label(part_label(f"thread/{index + 2}")))
            widgets.append(self._part_area(reply, f"thread-{tag}--{index}", "thread-text",
                                           derived))
            widgets.append(TextCounter(id=f"counter-{tag}--thread-{index}"))
        widgets.append(Label(_("First comment (optional; ctrl+j adds a part to the thread)")))
        comment = shown.first_comment if shown else state.first_comments.get(tag, "")
        widgets.append(self._part_area(comment, f"comment-{tag}", "comment-text", derived))
        widgets.append(TextCounter(id=f"counter-{tag}--comment"))
        widgets.append(Label(_("Content warning (optional; Mastodon's spoiler text)")))
        warning = shown.content_warning if shown else state.content_warnings.get(tag, "")
        field_ = Input(warning, id=f"cw-{tag}", classes="cw-text", select_on_focus=False,
                       disabled=derived)
        field_.cursor_blink = self.publisher.cursor_blink
        widgets.append(field_)
        return widgets

    def _part_area(self, text: str, widget_id: str, kind: str, derived: bool) -> TextArea:
        return part_area(text, widget_id, kind, read_only=derived,
                         blink=self.publisher.cursor_blink)

    def _own_texts(self, state: EditState, tag: str) -> list[Widget]:
        """Each account's own text in this language: its text and replies, each counted
        for that account alone."""
        widgets: list[Widget] = []
        for account_id in state.own_accounts(tag):
            for index, text in enumerate(state.own[(tag, account_id)]):
                widgets.append(Label(
                    _("Own text of {account} (empty it to remove it; ctrl+o adds one)").format(
                        account=account_id) if index == 0
                    else f"{account_id}: {part_label(f'thread/{index + 1}')}"))
                widgets.append(self._part_area(text, f"own-{tag}--{index}--{account_id}",
                                               "own-text", False))
                widgets.append(TextCounter(id=f"counter-{tag}--own{index}--{account_id}"))
        return widgets

    # Loading

    def read(self, context: Context) -> EditState:
        from publisher.services.drafts import locales_of
        from publisher.services.subtitles import subtitle_lines

        loaded = context.drafts.load(self.draft_id)
        state = EditState.of(loaded, dict(context.accounts), locales_of(context, loaded.draft),
                             self.publisher.zone)
        state.subtitles = {tag: subtitle_lines(context, loaded.draft, tag)
                           for tag in state.locales}
        return state

    async def show_loaded(self) -> None:
        """The tabs follow the draft's languages: compose again."""
        await self.recompose()
        self.show()
        self.read_people()

    def show(self) -> None:
        """What compose leaves out: cursors, counters, warnings, times, the focus."""
        for area in self.query(TextArea):
            area.cursor_blink = self.publisher.cursor_blink
        self.refresh_counters()
        self.refresh_warnings()
        self._mark_times()
        self.call_after_refresh(self._focus_text)

    def keep_state(self) -> None:
        """Inputs and lists into the model (text areas update it on every change)."""
        state = self.state
        if state is None:
            return
        tabs = self.query(TabbedContent)
        if tabs:
            self.active_tab = tabs.first().active or None
        for widget_id, attribute in (("field-title", "title"), ("field-campaign", "campaign"),
                                     *((i, name) for name, i in TIME_INPUTS.items())):
            found = self.query(f"#{widget_id}")
            if found:
                setattr(state, attribute, found.first(Input).value)
        for area in self.query(".variant-text").results(TextArea):
            if not area.read_only:
                state.type_text(str(area.id).removeprefix("text-"), area.text)
        for area in self.query(".thread-text").results(TextArea):
            tag, index = str(area.id).removeprefix("thread-").rsplit("--", 1)
            state.type_thread_part(tag, int(index), area.text)
        for area in self.query(".comment-text").results(TextArea):
            state.type_first_comment(str(area.id).removeprefix("comment-"), area.text)
        for field_ in self.query(".cw-text").results(Input):
            state.type_content_warning(str(field_.id).removeprefix("cw-"), field_.value)
        for area in self.query(".own-text").results(TextArea):
            tag, index, account_id = str(area.id).removeprefix("own-").split("--", 2)
            state.type_own(tag, account_id, int(index), area.text)
        for field_ in self.query(".alt-text").results(Input):
            _prefix, index, tag = str(field_.id).split("-", 2)
            state.type_alt(int(index), tag, field_.value)
        accounts = self.query("#field-accounts")
        if accounts:
            state.choose_targets(set(accounts.first(SelectionList).selected))

    # Live feedback

    @on(TextArea.Changed, ".variant-text")
    def text_changed(self, event: TextArea.Changed) -> None:
        state = self.state
        tag = str(event.text_area.id).removeprefix("text-")
        if state is None or not state.type_text(tag, event.text_area.text):
            return
        if tag == state.draft.source:
            for area in self.query(".source-text").results(TextArea):
                if area.text != event.text_area.text:
                    area.load_text(event.text_area.text)
        if tag == DERIVED_FROM[LATIN] and state.is_derived(LATIN):
            for area in self.query(f"#text-{LATIN}").results(TextArea):
                area.load_text(state.effective_texts()[LATIN])
        self.refresh_counters()
        if self._warnings_timer is not None:
            self._warnings_timer.stop()
        self._warnings_timer = self.set_timer(WARNINGS_DELAY, self.refresh_warnings)

    def refresh_counters(self) -> None:
        if self.state is None:
            return
        texts = self.state.effective_texts()
        for counter in self.query(TextCounter):
            self.refresh_counter(counter, texts)

    def refresh_counter(self, counter: TextCounter, texts: dict[str, str] | None = None) -> None:
        """One counter (also called by a counter when its lazy tab mounts it)."""
        state = self.state
        if state is None:
            return
        tag, _sep, part = str(counter.id).removeprefix("counter-").partition("--")
        media = bool(state.draft.media)
        if part.startswith("own"):  # an account's own text: counted for that account
            index, account_id = part.removeprefix("own").split("--", 1)
            texts = {t: state.own_part(t, account_id, int(index)) for t in state.locales}
            counter.show(part_counts(state.accounts, (account_id,), tag, texts,
                                     TEXT if index == "0" else part, media))
        elif part:  # a reply or the first comment
            counter.show(part_counts(state.accounts, state.targets, tag,
                                     part_texts(state, part), part, media))
        else:
            counter.show(part_counts(state.accounts, state.targets, tag,
                                     texts if texts is not None else state.effective_texts(),
                                     TEXT, media))

    def refresh_warnings(self) -> None:
        if self.state is None:
            return
        for found in self.query("#warnings").results(Static):
            found.update("\n".join(self.state.warnings()))

    @on(TabbedContent.TabActivated)
    def tab_shown(self) -> None:
        self.call_after_refresh(self._after_tab)

    def _after_tab(self) -> None:
        for area in self.query(TextArea):
            area.cursor_blink = self.publisher.cursor_blink
        self.refresh_counters()
        self._focus_text()

    def _focus_text(self) -> None:
        """Put the cursor in the text of the language shown, ready to type."""
        tabs = self.query(TabbedContent)
        if not tabs or not (tabs.first().active or "").startswith("tab-"):
            return
        tag = tabs.first().active.removeprefix("tab-")
        if self._focus_next is not None:  # a part just added, or the text just split
            found = self.query(self._focus_next)
            if found:  # else its tab is not mounted yet: the next call focuses it
                found.first().focus()
                return
        focused = str(getattr(self.focused, "id", "") or "")
        if focused == f"comment-{tag}" or focused.startswith((f"thread-{tag}--",
                                                               f"own-{tag}--")):
            return  # already writing a part of this language
        if tag == "details":
            if self.state is not None and not self.state.targets:
                for accounts in self.query("#field-accounts"):
                    accounts.focus()
            return
        for area in self.query(f"#text-{tag}").results(TextArea):
            if not area.read_only:
                area.focus()

    @on(TextArea.Changed, ".part-text")
    @on(Input.Changed, ".cw-text")
    def part_changed(self) -> None:
        self.keep_state()
        state = self.state
        if state is not None and state.is_derived(LATIN):
            self._show_derived_parts(state)
        self.refresh_counters()

    def _show_derived_parts(self, state: EditState) -> None:
        """sr-Latn's parts follow sr's as they are typed (while derived)."""
        derived = state.parts_of(LATIN)
        for index, reply in enumerate(derived.thread):
            for area in self.query(f"#thread-{LATIN}--{index}").results(TextArea):
                if area.text != reply:
                    area.load_text(reply)
        for area in self.query(f"#comment-{LATIN}").results(TextArea):
            if area.text != derived.first_comment:
                area.load_text(derived.first_comment)

    def action_add_part(self) -> None:
        tag = self._shown_locale()
        if self.state is None or tag is None:
            return
        self.keep_state()
        index = self.state.add_thread_part(tag)
        if index is None:
            self.notify(_("{locale} is derived from sr: ctrl+l writes it by hand").format(
                locale=tag), severity="warning")
            return
        self.call_later(self._recompose_focusing, f"#thread-{tag}--{index}")

    def action_add_own_text(self) -> None:
        from publisher.tui.dialogs import ChoiceDialog

        tag = self._shown_locale()
        state = self.state
        if state is None or tag is None:
            return
        self.keep_state()
        if state.is_derived(tag):
            self.notify(_("{locale} is derived from sr: ctrl+l writes it by hand").format(
                locale=tag), severity="warning")
            return
        candidates = state.own_candidates(tag)
        if not candidates:
            self.notify(_("Every account of this draft posting in {locale} has its own text "
                          "already (or none posts in it)").format(locale=tag),
                        severity="warning")
            return
        self.app.push_screen(
            ChoiceDialog(_("Own text in {locale}").format(locale=tag),
                         _("Which account gets its own text? It replaces the text and thread "
                           "on that account."),
                         [*((a, a, "default") for a in candidates),
                          ("-cancel", _("Cancel"), "primary")], safe="-cancel"),
            lambda answer: self._add_own_text(tag, answer),
        )

    def _add_own_text(self, tag: str, account_id: str | None) -> None:
        if self.state is not None and account_id and account_id != "-cancel" \
                and self.state.add_own_text(tag, account_id):
            self.call_later(self._recompose_focusing, f"#own-{tag}--0--{account_id}")

    def action_split(self) -> None:
        from publisher.tui.dialogs import confirm, if_yes

        tag = self._shown_locale()
        state = self.state
        if state is None or tag is None or state.is_derived(tag):
            return
        self.keep_state()

        def fits(text: str) -> bool:
            return all(line.count.used <= line.count.limit and not line.count.problems
                       for line in count_lines(state.accounts, state.targets, tag,
                                               {tag: text}, False))

        parts = state.split_proposal(tag, fits)
        if len(parts) < 2:
            self.notify(_("The {locale} text fits every account: nothing to split").format(
                locale=tag))
            return
        preview = "\n\n".join(f"{n}/{len(parts)} {part}" for n, part in
                               enumerate(parts, start=1))
        self.app.push_screen(
            confirm(_("Split into a thread of {count}?").format(count=len(parts)),
                    preview, _("Split"), _("keep the text as it is")),
            if_yes(lambda: self._take_split(tag, parts)),
        )

    def _take_split(self, tag: str, parts: list[str]) -> None:
        if self.state is not None and self.state.take_split(tag, parts):
            self.call_later(self._recompose_focusing, f"#text-{tag}")

    async def _recompose_focusing(self, selector: str) -> None:
        tabs = self.query(TabbedContent)
        if tabs:
            self.active_tab = tabs.first().active or self.active_tab
        self._focus_next = selector
        await self.recompose()
        self.show()

    def _shown_locale(self) -> str | None:
        """The language whose tab is shown, or None (Details)."""
        tabs = self.query(TabbedContent)
        active = (tabs.first().active or "") if tabs else ""
        tag = active.removeprefix("tab-")
        if self.state is None or tag not in self.state.locales:
            return None
        return tag

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self._focus_next is not None and self.query(self._focus_next) \
                and event.widget is self.query(self._focus_next).first():
            self._focus_next = None  # reached: tab switches focus the text again

    @on(Input.Changed, ".alt-text")
    def alt_changed(self, event: Input.Changed) -> None:
        _prefix, index, tag = str(event.input.id).split("-", 2)
        if self.state is not None:
            self.state.type_alt(int(index), tag, event.value)

    @on(Input.Changed, "#field-not-before, #field-deadline")
    def times_changed(self) -> None:
        self.keep_state()
        self.query_one("#times-hint", Static).update(self._times_hint())
        self._mark_times()

    @on(Input.Changed, "#field-campaign")
    @on(SelectionList.SelectedChanged, "#field-accounts")
    def targets_changed(self) -> None:
        self.keep_state()
        self.refresh_counters()
        self.refresh_warnings()

    def action_next_tab(self) -> None:
        tabs = self.query(TabbedContent)
        if not tabs or self.state is None:
            return
        content = tabs.first(TabbedContent)
        order = ["tab-details", *(f"tab-{tag}" for tag in self.state.locales)]
        current = order.index(content.active) if content.active in order else -1
        content.active = order[(current + 1) % len(order)]

    def action_write_latin(self) -> None:
        if self.state is None or not self.state.write_latin_by_hand():
            return
        self.active_tab = f"tab-{LATIN}"
        self.call_later(self.relabel)

    # Saving and conflicts

    def current_edit(self) -> DraftEdit | None:
        self.keep_state()
        if self.state is None:
            return None
        try:
            return self.state.edit(self.publisher.zone)
        except UserError as error:
            self.publisher.show_error(error)
            return None

    def is_dirty(self) -> bool:
        if self.state is None:
            return False
        self.keep_state()
        return self.state.is_dirty(self.publisher.zone)

    def action_save(self) -> None:
        self.save_then(None)

    def save_then(self, then: Callable[[], object] | None) -> None:
        """Save; then call ``then`` once the file is written (never after a refusal or a
        conflict: the person sees why, and their text stays)."""
        if self.state is None:
            return
        edit = self.current_edit()
        if edit is None:
            return
        if is_empty(edit):
            if then is None:
                self.notify(_("Nothing to save"))
            else:
                then()
            return
        self._after_save = then
        self.busy("#editor-head")
        self.save(edit, self.state.loaded.digest)

    def unsaved(self) -> list[str]:
        return [_("{id} (editor)").format(id=self.draft_id)] if self.is_dirty() else []

    def keep_unsaved(self) -> list[Path]:
        if self.state is None or not self.is_dirty():
            return []
        return [keep_copy(self.publisher.context(), self.draft_id, self.state.mine_as_text(),
                          self.publisher.clock(), "unsaved")]

    def worker_failed(self, worker) -> None:
        self._after_save = None
        super().worker_failed(worker)

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-save")
    def save(self, edit: DraftEdit, digest: str, note: str = "") -> None:
        try:
            result = save_draft(self.publisher.context(), self.draft_id, digest, edit,
                                by=login_name(), now=self.publisher.clock())
        except ConflictError as error:
            self.post_message(SaveConflict(edit, error))
            return
        self.post_message(DraftSaved(result, note))

    @on(DraftSaved)
    async def saved(self, message: DraftSaved) -> None:
        self.busy("#editor-head", False)
        result = message.result
        if self.state is None:
            return
        self.keep_state()
        active = self.active_tab
        self.data = self.state.reread(result.loaded, self.publisher.zone)
        self.active_tab = active
        text = _("Saved {id}").format(id=self.draft_id)
        if result.unapproved:
            text += " — " + _("the text changed, so it needs approving again (F7)")
        if message.note:
            text += " — " + message.note
        self.notify(text, severity="warning" if result.unapproved else "information")
        self.read_people()  # who changed it, and the approvals it withdrew
        then, self._after_save = self._after_save, None
        if then is not None:  # leaving (or quitting): no need to show the draft again
            then()
            return
        await self.recompose()
        self.show()

    @on(SaveConflict)
    def conflict(self, message: SaveConflict) -> None:
        from publisher.tui.dialogs import ChoiceDialog

        self.busy("#editor-head", False)
        self._after_save = None  # the person chooses first
        self.app.push_screen(
            ChoiceDialog(
                _("Changed on disk"),
                _("Someone (or another program) changed {id} since you opened it.\n"
                  "Reload: show their version; yours is kept in a file.\n"
                  "Keep mine: write your changes over theirs; theirs is kept in a file.")
                .format(id=self.draft_id),
                [("cancel", _("Cancel"), "default"), ("reload", _("Reload"), "primary"),
                 ("mine", _("Keep mine"), "warning")],
            ),
            lambda answer: self.resolve(answer, message.edit),
        )

    def resolve(self, answer: str | None, edit: DraftEdit) -> None:
        if answer == "reload" and self.state is not None:
            self.reload_keeping(self.state.mine_as_text())
        elif answer == "mine":
            self.busy("#editor-head")
            self.keep_mine(edit)

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-save")
    def reload_keeping(self, mine: str) -> None:
        context = self.publisher.context()
        kept = keep_copy(context, self.draft_id, mine, self.publisher.clock(), "mine")
        self.deliver(_("Your version is kept in {path}").format(
            path=context.workspace.relative(kept)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-save")
    def keep_mine(self, edit: DraftEdit) -> None:
        context = self.publisher.context()
        theirs = draft_file(context, self.draft_id)
        kept = keep_copy(context, self.draft_id, theirs.data, self.publisher.clock(), "theirs")
        try:  # over exactly the version just kept, and no newer one
            result = save_draft(context, self.draft_id, theirs.digest, edit, by=login_name(),
                                now=self.publisher.clock())
        except ConflictError as error:
            self.post_message(SaveConflict(edit, error))
            return
        self.post_message(DraftSaved(result, _("their version is kept in {path}").format(
            path=context.workspace.relative(kept))))

    # Leaving and the draft's next steps

    def action_close(self) -> None:
        self.leave(self.dismiss)

    def leave(self, then: Callable[[], object]) -> None:
        """Call ``then`` to leave the editor; with unsaved changes, ask Save / Discard /
        Cancel first."""
        from publisher.tui.dialogs import save_discard_cancel

        if not self.is_dirty():
            then()
            return
        self.app.push_screen(
            save_discard_cancel(_("Leave without saving?"),
                                _("Your changes to {id} are not saved.").format(id=self.draft_id),
                                _("Enter: keep editing")),
            lambda answer: self._leave_answered(answer, then),
        )

    def _leave_answered(self, answer: str | None, then: Callable[[], object]) -> None:
        if answer == "discard":
            then()
        elif answer == "save":
            self.save_then(then)

    def action_reload(self) -> None:
        from publisher.tui.dialogs import confirm, if_yes

        if not self.is_dirty():
            self.load()
            return
        self.app.push_screen(
            confirm(_("Reload and lose your changes?"), _("Your changes to {id} are not saved.")
                    .format(id=self.draft_id), _("Reload"), _("keep editing")),
            if_yes(self.load),
        )

    def _saved_first(self) -> bool:
        if self.is_dirty():
            self.notify(_("Save first (ctrl+s)"), severity="warning")
            return False
        return self.state is not None

    def action_approve(self) -> None:
        if self._saved_first():
            self.approve()

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-save")
    def approve(self) -> None:
        from publisher.services.drafts import approve

        done = approve(self.publisher.context(), self.draft_id, by=login_name(), step=None,
                       now=self.publisher.clock())
        self.deliver(approved_note(self.draft_id, done))

    def action_history(self) -> None:
        from publisher.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.draft_id))

    def action_schedule(self) -> None:
        if self._saved_first():
            from publisher.tui.screens.schedule import ScheduleScreen

            self.app.push_screen(ScheduleScreen(self.draft_id))
