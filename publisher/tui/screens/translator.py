"""The translator's view: every variant missing or stale in one language, the source
beside it, save and next; PO files out and in for translators' own tools."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from publisher.domain.drafts import TranslationState
from publisher.domain.locales import SUPPORTED
from publisher.i18n import _, ngettext
from publisher.services.context import Context
from publisher.services.drafts import DraftEdit, keep_copy, save_draft
from publisher.services.translations import WorkItem, translation_worklist
from publisher.storage.drafts import ConflictError
from publisher.tui.base import N_, LoadingScreen
from publisher.tui.messages import Done, Loaded
from publisher.tui.screens.drafts import my_locale


@dataclass(frozen=True)
class WorkList:
    """The variants missing or stale in one locale."""

    locale: str
    items: list[WorkItem]
    advance: bool = False  # read after a save: show the next one, not the same


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
        self.typed: dict[str, str] = {}  # draft id -> unsaved text, across recomposes

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
            with Vertical(id="pair"):
                yield Label("", id="source-label")
                source = TextArea("", read_only=True, soft_wrap=True, id="source-text")
                yield source
                yield Label("", id="target-label")
                target = TextArea("", soft_wrap=True, id="target-text")
                yield target
                yield Static("", id="stale-note", classes="hint")
                for area in (source, target):
                    area.cursor_blink = self.publisher.cursor_blink
        yield Footer(compact=True)

    def keep_state(self) -> None:
        self._remember()

    # Loading

    def read(self, context: Context) -> WorkList:
        return WorkList(self.locale, translation_worklist(context, self.locale))

    def take(self, data: WorkList) -> bool:
        """Keep the item shown in view (or the next one, after a save); drop a list read
        for a language since left."""
        if data.locale != self.locale:
            return False
        if data.advance:
            wanted = [w.draft_id for w in self.worklist[self.index + 1:]]
        else:
            current = self.current()
            wanted = [current.draft_id] if current else []
        ids = [item.draft_id for item in data.items]
        self.index = next((ids.index(d) for d in wanted if d in ids), 0)
        return super().take(data)

    def current(self) -> WorkItem | None:
        return self.worklist[self.index] if 0 <= self.index < len(self.worklist) else None

    def show(self) -> None:
        listing = self.query_one("#work-list", OptionList)
        listing.clear_options()
        for entry in self.worklist:
            mark = "✗" if entry.state == TranslationState.MISSING else "~"
            listing.add_option(Option(f"{mark} {entry.draft_id}", id=entry.draft_id))
        item = self.current()
        source, target = (self.query_one(f"#{name}", TextArea)
                          for name in ("source-text", "target-text"))
        if item is None:
            self.query_one("#progress", Static).update(
                _("Nothing missing or stale in {locale}.").format(locale=self.locale))
            for label in ("#source-label", "#target-label", "#stale-note"):
                self.query_one(label, Static).update("")
            source.load_text("")
            target.load_text("")
            target.read_only = True
            return
        listing.highlighted = self.index
        target.read_only = False
        self.query_one("#progress", Static).update(
            _("{n} of {total}: {title}").format(n=self.index + 1, total=len(self.worklist),
                                                 title=item.title))
        self.query_one("#source-label", Label).update(
            _("Source ({locale})").format(locale=item.source))
        self.query_one("#target-label", Label).update(
            f"{item.locale} — {item.draft_id}")
        note = (_("Stale: the source changed since this was translated. Check it, then save.")
                if item.state == TranslationState.STALE else _("Missing: not translated yet."))
        self.query_one("#stale-note", Static).update(Text(note, style="bold yellow"))
        source.load_text(item.source_text)
        target.load_text(self.typed.get(item.draft_id, item.text))

    def _remember(self) -> None:
        item = self.current()
        if item is not None:
            text = self.query_one("#target-text", TextArea).text
            if text != item.text:
                self.typed[item.draft_id] = text

    # Moving around

    @on(OptionList.OptionSelected, "#work-list")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self._remember()
        self.index = event.option_index
        self.show()
        self.query_one("#target-text").focus()

    def action_skip(self) -> None:
        if self.worklist:
            self._remember()
            self.index = (self.index + 1) % len(self.worklist)
            self.show()

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
        item = self.current()
        if item is None:
            return
        text = self.query_one("#target-text", TextArea).text
        if not text.strip():
            self.notify(_("Write the translation first"), severity="warning")
            return
        self.busy("#pair")
        self.save(item, text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="translate-save")
    def save(self, item: WorkItem, text: str) -> None:
        context = self.publisher.context()
        edit = DraftEdit(texts={item.locale: text}, confirm={item.locale})
        try:
            save_draft(context, item.draft_id, item.digest, edit)
        except ConflictError:
            kept = keep_copy(context, item.draft_id, f"[{item.locale}]\n{text}\n",
                                self.publisher.clock(), "mine")
            note = _("{id} changed on disk meanwhile; your text is kept in {path}").format(
                id=item.draft_id, path=context.workspace.relative(kept))
        else:
            note = _("Saved {id} ({locale})").format(id=item.draft_id, locale=item.locale)
            self.typed.pop(item.draft_id, None)
        items = translation_worklist(context, item.locale)
        self.post_message(Loaded(WorkList(item.locale, items, advance=True), note))

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

        result = import_po(self.publisher.context(), Path(path).expanduser())
        note = ngettext("Imported {locale}: {count} draft updated",
                        "Imported {locale}: {count} drafts updated", len(result.updated)).format(
            locale=result.locale, count=len(result.updated))
        if result.warnings:
            note += " — " + "; ".join(result.warnings)
        self.deliver(note)
