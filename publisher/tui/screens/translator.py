"""The translator's view: every variant missing or stale in one language, the source
beside it, save and next; PO files out and in for translators' own tools."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from publisher.domain.accounts import Account
from publisher.domain.drafts import TranslationState
from publisher.domain.locales import SUPPORTED
from publisher.i18n import _, ngettext
from publisher.services.context import Context
from publisher.services.drafts import keep_copy, save_draft
from publisher.services.people import login_name
from publisher.services.translations import (
    WorkItem,
    part_context,
    translation_edit,
    translation_worklist,
    untranslated,
)
from publisher.storage.drafts import ConflictError
from publisher.tui.base import N_, LoadingScreen
from publisher.tui.messages import Done, Loaded
from publisher.tui.people import DraftPeople, read_people, translator_line
from publisher.tui.screens.drafts import my_locale
from publisher.tui.widgets.counter import TextCounter
from publisher.tui.widgets.keybar import KeyBar
from publisher.tui.widgets.parts import TEXT, part_area, part_counts, part_id, part_label


@dataclass(frozen=True)
class WorkList:
    """The variants and own texts missing or stale in one locale."""

    locale: str
    items: list[WorkItem]
    advance: bool = False  # read after a save: show the next one, not the same
    accounts: dict[str, Account] = field(default_factory=dict)  # for the counters
    people: dict[str, DraftPeople] = field(default_factory=dict)  # by draft id
    subtitles: dict[str, list[str]] = field(default_factory=dict)  # state lines by draft id


def read_worklist(context: Context, locale: str, *, advance: bool = False) -> WorkList:
    """What is missing or stale in ``locale``, with who wrote and cleared each draft."""
    items = translation_worklist(context, locale)
    from publisher.services.subtitles import subtitle_lines

    people, subtitles = {}, {}
    for draft_id in dict.fromkeys(item.draft_id for item in items):
        draft = context.drafts.load(draft_id).draft
        people[draft_id] = read_people(context, draft)
        subtitles[draft_id] = subtitle_lines(context, draft, locale)
    return WorkList(locale, items, advance, dict(context.accounts), people, subtitles)


class TranslationPair(VerticalScroll):
    """One work item: each part of the source, read-only, with the target's area and
    counter under it (composed again for each item: items have different parts)."""

    def __init__(self, item: WorkItem | None, texts: dict[str, str], blink: bool,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.item = item
        self.texts = texts  # the target's parts to show: as typed, else as written
        self.blink = blink

    def compose(self) -> ComposeResult:
        item = self.item
        yield Label("", id="source-label")
        yield part_area(item.source_text if item else "", "source-text", "source-area",
                        read_only=True, blink=self.blink)
        yield Label("", id="target-label")
        yield part_area(self.texts.get(TEXT, ""), "target-text", "target-area",
                        read_only=item is None, blink=self.blink)
        if item is not None:
            yield TextCounter(id="counter-text")
            for part, text in item.source_parts.items():
                if part == TEXT:
                    continue
                name = part_id(part)
                yield Label(part_label(part), classes="part-label")
                yield part_area(text, f"source-{name}", "source-area", read_only=True,
                                blink=self.blink)
                yield part_area(self.texts.get(part, ""), f"target-{name}", "target-area",
                                blink=self.blink)
                yield TextCounter(id=f"counter-{name}")
        yield Static("", id="stale-note", classes="hint")
        yield Static("", id="people-note", classes="hint")
        subtitles = Static("", id="subtitles-note", classes="hint")
        subtitles.display = False  # shown for a draft with a video's subtitles only
        yield subtitles

    def typed(self) -> dict[str, str]:
        """The target's parts as they are in the areas now."""
        if self.item is None:
            return {}
        return {part: area.text for part in self.item.source_parts
                for area in self.query(f"#target-{part_id(part)}").results(TextArea)}


class TranslatorScreen(LoadingScreen[WorkList]):
    TITLE_TEXT = N_("Translate")
    AUTO_FOCUS = "#target-text"
    BUSY = "#pair"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save_next", N_("Save and next"), id="translate.save_next",
                priority=True, tooltip=N_("Save this translation and show the next one")),
        Binding("ctrl+n", "skip", N_("Skip"), id="translate.skip",
                tooltip=N_("Show the next one without saving")),
        Binding("ctrl+l", "next_locale", N_("Next language"), id="translate.locale",
                tooltip=N_("Translate into another language")),
        Binding("f6", "export_po", N_("Export PO"), id="translate.export", priority=True,
                tooltip=N_("Write a PO file of this language for a translation tool")),
        Binding("f7", "import_po", N_("Import PO"), id="translate.import", priority=True,
                tooltip=N_("Read translations back from a PO file")),
        Binding("ctrl+r", "reload", N_("Reload"), show=False, id="translate.reload",
                tooltip=N_("Read the drafts again")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.locale = my_locale()
        self.index = 0
        # WorkItem.key -> the item and its unsaved parts, across recomposes
        self.typed: dict[tuple[str, str, str], tuple[WorkItem, dict[str, str]]] = {}
        self._after_save: Callable[[], object] | None = None  # once everything is saved

    @property
    def worklist(self) -> list[WorkItem]:
        return self.data.items if self.data is not None else []

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with Horizontal(id="translate-bar"):
            yield Label(_("Translate into"), id="locale-label")
            yield Select([(tag, tag) for tag in SUPPORTED], value=self.locale,
                         allow_blank=False, id="locale-select")
            yield Static("", id="progress")
        with Horizontal(id="translate-body"):
            yield OptionList(id="work-list")
            yield self._pair()
        yield KeyBar()

    def _pair(self) -> TranslationPair:
        item = self.current()
        return TranslationPair(item, self._target_texts(item), self.publisher.cursor_blink,
                               id="pair")

    def _target_texts(self, item: WorkItem | None) -> dict[str, str]:
        if item is None:
            return {}
        kept = self.typed.get(item.key)
        return kept[1] if kept else dict(item.parts)

    async def show_item(self) -> None:
        """Compose the pair for the current item, then show it."""
        pair = self.query_one(TranslationPair)
        pair.item = self.current()
        pair.texts = self._target_texts(pair.item)
        await pair.recompose()
        self.show()

    def keep_state(self) -> None:
        self._remember()

    # Loading

    def read(self, context: Context) -> WorkList:
        return read_worklist(context, self.locale)

    def take(self, data: WorkList) -> bool:
        """Keep the item shown in view (or the next one, after a save); drop a list read
        for a language since left."""
        if data.locale != self.locale:
            return False
        if data.advance:  # after a save: the pair shows what was just saved
            wanted = [w.key for w in self.worklist[self.index + 1:]]
        else:  # read again: what was typed in the item shown stays
            self._remember()
            current = self.current()
            wanted = [current.key] if current else []
        keys = [item.key for item in data.items]
        self.index = next((keys.index(k) for k in wanted if k in keys), 0)
        return super().take(data)

    async def show_loaded(self) -> None:
        await self.show_item()

    def current(self) -> WorkItem | None:
        return self.worklist[self.index] if 0 <= self.index < len(self.worklist) else None

    def show(self) -> None:
        listing = self.query_one("#work-list", OptionList)
        listing.clear_options()
        for entry in self.worklist:
            mark = "✗" if entry.state == TranslationState.MISSING else "~"
            name = f"{entry.draft_id} ({entry.account})" if entry.account else entry.draft_id
            listing.add_option(Option(f"{mark} {name}", id="/".join(entry.key)))
        item = self.current()
        if item is None:
            self.query_one("#progress", Static).update(
                _("Nothing missing or stale in {locale}.").format(locale=self.locale))
            for label in ("#source-label", "#target-label", "#stale-note", "#people-note",
                          "#subtitles-note"):
                self.query_one(label, Static).update("")
            self.query_one("#subtitles-note", Static).display = False
            return
        listing.highlighted = self.index
        self.query_one("#progress", Static).update(
            _("{n} of {total}: {title}").format(n=self.index + 1, total=len(self.worklist),
                                                 title=item.title))
        self.query_one("#source-label", Label).update(
            _("Source ({locale})").format(locale=item.source))
        target = f"{item.locale} — {item.draft_id}"
        if item.account:
            target += " — " + _("own text of {account}").format(account=item.account)
        self.query_one("#target-label", Label).update(target)
        note = (_("Stale: the source changed since this was translated. Check it, then save.")
                if item.state == TranslationState.STALE else _("Missing: not translated yet."))
        self.query_one("#stale-note", Static).update(Text(note, style="bold yellow"))
        people = self.data.people.get(item.draft_id) if self.data is not None else None
        self.query_one("#people-note", Static).update(
            translator_line(people, item.locale, self.publisher.zone) if people else "")
        lines = self.data.subtitles.get(item.draft_id, []) if self.data is not None else []
        subtitle_note = self.query_one("#subtitles-note", Static)
        subtitle_note.update("\n".join(lines))
        subtitle_note.display = bool(lines)
        self.refresh_counters()

    def _remember(self) -> None:
        pairs = self.query(TranslationPair)
        item = pairs.first().item if pairs else None
        if item is None:
            return
        typed = pairs.first().typed()
        if typed != {part: item.parts.get(part, "") for part in item.source_parts}:
            self.typed[item.key] = (item, typed)
        else:
            self.typed.pop(item.key, None)

    # Counters

    def refresh_counters(self) -> None:
        for counter in self.query(TextCounter):
            self.refresh_counter(counter)

    def refresh_counter(self, counter: TextCounter) -> None:
        """One counter (also called by a counter when it mounts)."""
        pairs = self.query(TranslationPair)
        item = pairs.first().item if pairs else None
        if item is None or self.data is None:
            return
        name = str(counter.id).removeprefix("counter-")
        part = next((p for p in item.source_parts if part_id(p) == name), TEXT)
        texts = {tag: parts.get(part, "") for tag, parts in item.written.items()}
        for area in self.query(f"#target-{name}").results(TextArea):
            texts[item.locale] = area.text
        counter.show(part_counts(self.data.accounts, item.targets, item.locale, texts, part,
                                 item.has_media))

    @on(TextArea.Changed, ".target-area")
    def target_changed(self, event: TextArea.Changed) -> None:
        name = str(event.text_area.id).removeprefix("target-")
        for counter in self.query(f"#counter-{name}").results(TextCounter):
            self.refresh_counter(counter)

    # Moving around

    @on(OptionList.OptionSelected, "#work-list")
    async def picked(self, event: OptionList.OptionSelected) -> None:
        self._remember()
        self.index = event.option_index
        await self.show_item()
        self.query_one("#target-text").focus()

    async def action_skip(self) -> None:
        if self.worklist:
            self._remember()
            self.index = (self.index + 1) % len(self.worklist)
            await self.show_item()

    @on(Select.Changed, "#locale-select")
    def locale_changed(self, event: Select.Changed) -> None:
        if event.value != self.locale and event.value is not Select.NULL:
            self._remember()
            self.locale = str(event.value)
            self.data = None
            self.reload()

    def action_next_locale(self) -> None:
        order = list(SUPPORTED)
        self.query_one("#locale-select", Select).value = order[
            (order.index(self.locale) + 1) % len(order)]

    def action_reload(self) -> None:
        self.reload()

    # Saving

    def action_save_next(self) -> None:
        pairs = self.query(TranslationPair)
        item = pairs.first().item if pairs else None
        if item is None:
            return
        typed = pairs.first().typed()
        missing = untranslated(item, typed)
        if missing:
            self.notify(_("Write the translation first") if TEXT in missing else
                        _("Write the translation of every part first: {parts}").format(
                            parts=", ".join(part_label(part) for part in missing)),
                        severity="warning")
            return
        self.busy("#pair")
        self.save(item, typed)

    @work(thread=True, exclusive=True, exit_on_error=False, group="translate-save")
    def save(self, item: WorkItem, typed: dict[str, str]) -> None:
        context = self.publisher.context()
        note = self._save_one(context, item, typed)
        self.post_message(Loaded(read_worklist(context, item.locale, advance=True), note))

    # Unsaved translations (asked about when quitting)

    def unsaved(self) -> list[str]:
        self._remember()
        return [_("{id} ({locale} translation)").format(id=_item_name(item),
                                                        locale=item.locale)
                for item, _typed in self.typed.values()]

    def save_then(self, then: Callable[[], object]) -> None:
        """Save every unsaved translation, then call ``then``. One changed on disk
        meanwhile is kept in a file instead, as save and next does."""
        self._remember()
        self._after_save = then
        self.busy(self.BUSY)
        self.save_typed(list(self.typed.values()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="translate-save")
    def save_typed(self, typed: list[tuple[WorkItem, dict[str, str]]]) -> None:
        notes = [self._save_one(self.publisher.context(), item, parts)
                 for item, parts in typed]
        self.post_message(Done("\n".join(notes)))

    def _save_one(self, context: Context, item: WorkItem, typed: dict[str, str]) -> str:
        """Save one translation whole, made from every part of the source; one with a
        part still empty (saved on the way out) is kept in a file instead."""
        if untranslated(item, typed):
            kept = keep_copy(context, item.draft_id, _kept_text(item, typed),
                             self.publisher.clock(), "unsaved")
            return _("{id}: not every part is translated yet; your text is kept in "
                     "{path}").format(id=_item_name(item), path=context.workspace.relative(kept))
        try:
            save_draft(context, item.draft_id, item.digest, translation_edit(item, typed),
                       by=login_name(), now=self.publisher.clock())
        except ConflictError:
            kept = keep_copy(context, item.draft_id, _kept_text(item, typed),
                             self.publisher.clock(), "mine")
            return _("{id} changed on disk meanwhile; your text is kept in {path}").format(
                id=item.draft_id, path=context.workspace.relative(kept))
        self.typed.pop(item.key, None)
        return _("Saved {id} ({locale})").format(id=_item_name(item), locale=item.locale)

    def keep_unsaved(self) -> list[Path]:
        self._remember()
        context = self.publisher.context()
        return [keep_copy(context, item.draft_id, _kept_text(item, typed),
                          self.publisher.clock(), "unsaved")
                for item, typed in self.typed.values()]

    def worker_failed(self, worker) -> None:
        self._after_save = None
        super().worker_failed(worker)

    # PO files

    def _po_path(self) -> str:
        return str(self.publisher.home / f"{self.locale}.po")

    def action_export_po(self) -> None:
        from publisher.tui.dialogs import PromptDialog

        self.app.push_screen(
            PromptDialog(_("Export {locale}").format(locale=self.locale),
                         _("Write the PO file to"), self._po_path(),
                         cursor_blink=self.publisher.cursor_blink),
            self._export_to,
        )

    def _export_to(self, path: str | None) -> None:
        if path:
            self.busy(self.BUSY)
            self.export_po(self.locale, path)

    @work(thread=True, exit_on_error=False, group="translate-po")
    def export_po(self, locale: str, path: str) -> None:
        from publisher.services.translations import export_po

        count = export_po(self.publisher.context(), locale, Path(path).expanduser())
        self.post_message(Done(ngettext("Wrote {count} entry to {path}",
                                        "Wrote {count} entries to {path}", count).format(
            count=count, path=path)))

    @on(Done)
    def done(self, message: Done) -> None:
        self.busy(self.BUSY, False)
        self.notify(message.text, severity=message.severity)
        then, self._after_save = self._after_save, None
        if then is not None:
            then()

    def action_import_po(self) -> None:
        from publisher.tui.dialogs import PromptDialog

        self.app.push_screen(
            PromptDialog(_("Import a PO file"), _("Read translations from"), self._po_path(),
                         cursor_blink=self.publisher.cursor_blink),
            self._import_from,
        )

    def _import_from(self, path: str | None) -> None:
        if path:
            self.busy(self.BUSY)
            self.import_po(path)

    @work(thread=True, exit_on_error=False, group="translate-po")
    def import_po(self, path: str) -> None:
        from publisher.services.translations import import_po

        result = import_po(self.publisher.context(), Path(path).expanduser(), by=login_name(),
                           now=self.publisher.clock())
        note = ngettext("Imported {locale}: {count} draft updated",
                        "Imported {locale}: {count} drafts updated", len(result.updated)).format(
            locale=result.locale, count=len(result.updated))
        if result.warnings:
            note += " — " + "; ".join(result.warnings)
        self.deliver(note)


def _item_name(item: WorkItem) -> str:
    return f"{item.draft_id}/accounts/{item.account}" if item.account else item.draft_id


def _kept_text(item: WorkItem, typed: dict[str, str]) -> str:
    """The parts typed, as kept in a file when they cannot be saved."""
    return "\n".join(f"[{item.locale} {part_context(item.draft_id, part, item.account)}]\n"
                     f"{text}\n" for part, text in typed.items() if text)
