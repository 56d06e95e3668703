"""Translation workflow: status per draft and locale, and the PO round trip.

Translators work in their own tools (Poedit, Lokalize, Weblate): a PO file
per locale carries every part of every draft's source variant (msgid) and the
current translation (msgstr), keyed by draft and part (msgctxt ``DRAFT/text``,
``DRAFT/thread/2``, ``DRAFT/first_comment``, ``DRAFT/content_warning``,
``DRAFT/accounts/ACCOUNT/text``…; a file exported before parts existed has the
draft id alone, for the text). Stale variants are marked ``fuzzy``; an import
makes a variant current only when all of its parts are translated.

A video's subtitles in the source locale give one entry per cue (msgctxt
``DRAFT|media/statement.mp4|subtitle 3 00:00:04.200 --> 00:00:06.000``). An import
writes the locale's subtitle file whole, with the source's timing, only when every
cue is translated; else the file stays as it was (missing or stale) and the import
says how many cues are left.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

from publisher import __version__
from publisher.domain.approvals import IMPORTED, UNNAMED, changed_locales
from publisher.domain.consistency import compare_pair
from publisher.domain.drafts import AccountText, Draft, Media, TranslationState, Variant
from publisher.domain.errors import UserError
from publisher.domain.locales import SUPPORTED, fingerprint, normalize_locale, normalized_text
from publisher.domain.remedies import Fix, Remedy
from publisher.domain.subtitles import (
    MAX_LINE_CHARS,
    MAX_LINES,
    Cue,
    cues_fingerprint,
    render_subtitles,
    same_timing,
)
from publisher.domain.textrules import tightest_limit
from publisher.i18n import _, ngettext
from publisher.services import subtitles
from publisher.services.context import Context
from publisher.services.drafts import (
    NEEDS_WORK,
    DraftEdit,
    OwnText,
    VariantParts,
    list_drafts,
    locales_of,
)
from publisher.services.po_syntax import po_lines
from publisher.storage.bounded import MAX_FILE_BYTES, decode_utf8, read_bounded
from publisher.storage.drafts import AccountTextEdit, DraftUpdate, LoadedDraft, VariantEdit
from publisher.storage.subtitles import files_written

# Content locale -> the Babel locale that names its plural rules in PO headers.
_PO_LOCALE = {"sq": "sq", "en": "en", "sr": "sr", "sr-Latn": "sr_Latn"}
ALT_MARK = ":alt:"
# A PO file holds every draft of the workspace for one locale: the workspace
# files' bound is ample (3,000 drafts of 5,000 characters).
MAX_PO_BYTES = MAX_FILE_BYTES


@dataclass(frozen=True)
class StatusRow:
    draft_id: str
    locale: str
    state: TranslationState
    is_source: bool
    account: str = ""  # an account's own text; "" for the variant
    media: str = ""  # a video's subtitles; "" for a text


def status(context: Context) -> tuple[list[StatusRow], list[UserError]]:
    summaries, errors = list_drafts(context)
    account_locales = context.account_locales()
    rows = []
    for summary in summaries:
        draft = summary.draft
        for tag, state in summary.states.items():
            rows.append(StatusRow(draft.id, tag, state, tag == draft.source))
        for account_id in _own_text_accounts(draft):
            rows.extend(
                StatusRow(draft.id, tag, draft.own_state(tag, account_id), tag == draft.source,
                          account_id)
                for tag in summary.states
                if tag == draft.source or tag in account_locales.get(account_id, ())
            )
        rows.extend(StatusRow(draft.id, sub.locale, sub.state, sub.locale == draft.source,
                              media=sub.media)
                    for sub in subtitles.subtitle_states(context, draft, list(summary.states)))
    return rows, errors


def _own_text_accounts(draft: Draft) -> list[str]:
    """The draft's accounts that have an own text in some locale."""
    return [account_id for account_id in draft.accounts
            if any(account_id in variant.accounts for variant in draft.variants.values())]


# The translator's work list (the TUI's translator screen)


@dataclass(frozen=True)
class WorkItem:
    """One variant (or one account's own text) missing or stale in ``locale``: every part
    of its source and what the target has now, by part name (``text``, ``thread/2``…,
    ``first_comment``, ``content_warning``; see :func:`part_context`)."""

    draft_id: str
    title: str
    source: str
    locale: str
    state: TranslationState
    digest: str
    source_parts: dict[str, str]
    parts: dict[str, str]
    account: str = ""  # an account's own text; "" for the variant
    # What the counters need: the accounts it goes to (the one account for an own text),
    # whether it has images, and every written locale's parts (a combined account
    # counts its locales together).
    targets: tuple[str, ...] = ()
    has_media: bool = False
    written: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def source_text(self) -> str:
        return self.source_parts.get(TEXT_PART, "")

    @property
    def text(self) -> str:
        return self.parts.get(TEXT_PART, "")

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.locale, self.draft_id, self.account)


def translation_worklist(context: Context, locale: str) -> list[WorkItem]:
    """Every draft whose ``locale`` variant is missing or stale, each followed by its
    accounts' own texts missing or stale there, in id order."""
    loaded, _errors = context.drafts.load_all()
    work = []
    for item in loaded:
        draft = item.draft
        if locale == draft.source or locale not in locales_of(context, draft):
            continue
        if draft.state(locale) in NEEDS_WORK:
            work.append(_work_item(draft, item.digest, locale, ""))
        for account_id in _own_texts_to_translate(context, draft, locale):
            if account_id in draft.accounts and \
                    draft.own_state(locale, account_id) in NEEDS_WORK:
                work.append(_work_item(draft, item.digest, locale, account_id))
    return work


def _work_item(draft: Draft, digest: str, locale: str, account_id: str) -> WorkItem:
    state = draft.own_state(locale, account_id) if account_id else draft.state(locale)
    return WorkItem(
        draft.id, draft.title, draft.source, locale, state, digest,
        _source_parts(draft, account_id) or {},
        _written_parts(draft.variants.get(locale), account_id), account_id,
        (account_id,) if account_id else draft.accounts, bool(draft.media),
        {tag: _written_parts(variant, account_id) for tag, variant in draft.variants.items()})


def untranslated(item: WorkItem, typed: dict[str, str]) -> list[str]:
    """The parts the source has that ``typed`` leaves empty."""
    return [part for part in item.source_parts if not typed.get(part, "").strip()]


def translation_edit(item: WorkItem, typed: dict[str, str]) -> DraftEdit:
    """What saving a translation writes: the variant (or own text) whole, each part the
    source has as typed, so that it is made from every part of the source. A part the
    source lacks stays as the target has it (a reply after the source's last one too)."""
    thread_parts = [part for part in item.source_parts if part.startswith("thread/")]
    stored_thread = [text for part, text in item.parts.items() if part.startswith("thread/")]
    thread = tuple([typed.get(part, "") for part in thread_parts]
                   + stored_thread[len(thread_parts):])

    def single(part: str) -> str:
        return typed.get(part, "") if part in item.source_parts else item.parts.get(part, "")

    text = typed.get(TEXT_PART, "")
    if item.account:
        own = OwnText(text, thread, single("first_comment"))
        return DraftEdit(own_texts={(item.locale, item.account): own})
    return DraftEdit(texts={item.locale: text}, confirm={item.locale},
                     parts={item.locale: VariantParts(thread, single("first_comment"),
                                                      single("content_warning"))})


# The PO round trip


def alt_context(draft_id: str, media_file: str) -> str:
    return f"{draft_id}{ALT_MARK}{media_file}"


TEXT_PART = "text"
# DRAFT[/accounts/ACCOUNT]/PART; the draft id alone is the text (files exported before
# threads existed).
_PART_CONTEXT = re.compile(
    r"(?P<draft>[a-z0-9][a-z0-9-]*)"
    r"(?:(?:/accounts/(?P<account>[^/]+))?"
    r"/(?P<part>text|thread/[1-9][0-9]*|first_comment|content_warning))?"
)


def part_context(draft_id: str, part: str, account_id: str = "") -> str:
    """The msgctxt of one part: ``DRAFT/thread/2``, ``DRAFT/accounts/mfa-x/text``."""
    return f"{draft_id}/accounts/{account_id}/{part}" if account_id else f"{draft_id}/{part}"


def parse_part_context(ctxt: str) -> tuple[str, str, str]:
    """(draft id, account id or "", part) of a msgctxt; the whole context as the draft
    id when it names no part (loading that draft then says what is wrong)."""
    match = _PART_CONTEXT.fullmatch(ctxt)
    if match is None:
        return ctxt, "", TEXT_PART
    return match["draft"], match["account"] or "", match["part"] or TEXT_PART


def _parts(text: str, thread: tuple[str, ...], first_comment: str = "",
           content_warning: str = "") -> dict[str, str]:
    """Every part of a text by its name, in the order they go out."""
    parts = {TEXT_PART: text} if text else {}
    parts.update({f"thread/{number}": part for number, part in enumerate(thread, start=2)})
    if first_comment:
        parts["first_comment"] = first_comment
    if content_warning:
        parts["content_warning"] = content_warning
    return parts


def _written_parts(variant: Variant | None, account_id: str = "") -> dict[str, str]:
    if variant is None:
        return {}
    if account_id:
        own = variant.accounts.get(account_id)
        return _parts(own.text, own.thread, own.first_comment) if own else {}
    return _parts(variant.text, variant.thread, variant.first_comment, variant.content_warning)


def _source_parts(draft: Draft, account_id: str) -> dict[str, str] | None:
    """The parts to translate: the source variant's, or the source locale's own text of
    ``account_id`` (None when it has none)."""
    source = draft.variants.get(draft.source)
    if account_id and (source is None or account_id not in source.accounts):
        return None
    return _written_parts(source, account_id)


def _comments(context: Context, draft: Draft, locale: str) -> list[str]:
    notes = [_("title: {title}").format(title=draft.title)]
    if draft.campaign:
        notes.append(_("campaign: #{campaign}").format(campaign=draft.campaign))
    platforms = [
        context.accounts[account_id].text_platform
        for account_id in draft.accounts
        if account_id in context.accounts and locale in context.accounts[account_id].locales
    ]
    tightest = tightest_limit(platforms)
    if tightest:
        notes.append(
            _("limit: {limit} characters ({platform})").format(
                limit=tightest[1], platform=tightest[0]
            )
        )
    return notes


def _message(msgid: str, msgstr: str, ctxt: str, notes: list[str], fuzzy: bool) -> Message:
    message = Message(msgid, msgstr, context=ctxt, auto_comments=notes)
    # Posts are not format strings: "50% off" must not be checked as "% o".
    message.flags.discard("python-format")
    if fuzzy:
        message.flags.add("fuzzy")
    return message


def build_catalog(context: Context, locale: str) -> Catalog:
    locale = normalize_locale(locale)
    catalog = Catalog(
        locale=_PO_LOCALE[locale],
        domain="drafts",
        project="publisher drafts",
        version=__version__,
        language_team=f"{locale} <translators>",
        last_translator="publisher",
        creation_date=datetime.now(UTC),
        revision_date=datetime.now(UTC),
        charset="utf-8",
        fuzzy=False,
        msgid_bugs_address="",
        copyright_holder="",
        header_comment=(
            f"# Drafts to translate into {locale}, exported by publisher.\n"
            "# Translate msgstr only; msgctxt names the draft (and the image for alt\n"
            "# texts). Clear the fuzzy mark of an entry once its translation is current,\n"
            "# then: publisher translations import FILE.po"
        ),
    )
    loaded, _errors = context.drafts.load_all()
    for item in loaded:
        draft = item.draft
        if locale == draft.source or locale not in locales_of(context, draft):
            continue
        if not draft.source_text:
            continue
        notes = _comments(context, draft, locale)
        _add_parts(catalog, draft, locale, "", notes)
        for account_id in _own_texts_to_translate(context, draft, locale):
            own_notes = [_("own text of {account}").format(account=account_id), *notes]
            _add_parts(catalog, draft, locale, account_id, own_notes)
        for media in draft.media:
            source_alt = media.alt.get(draft.source, "")
            if source_alt:
                ctxt = alt_context(draft.id, media.file)
                alt_notes = [_("alt text of {file}").format(file=media.file), *notes[:1]]
                message = _message(source_alt, media.alt.get(locale, ""), ctxt, alt_notes, False)
                catalog[source_alt] = message
            _add_subtitles(context, catalog, draft, media, locale, notes[:1])
    return catalog


SUBTITLE_MARK = "|subtitle "
_SUBTITLE_CONTEXT = re.compile(
    r"(?P<draft>[a-z0-9][a-z0-9-]*)\|(?P<file>.+)\|subtitle "
    r"(?P<number>[1-9][0-9]*) (?P<timing>[0-9:.]+ --> [0-9:.]+)", re.DOTALL)


def subtitle_context(draft_id: str, media_file: str, number: int, cue: Cue) -> str:
    """``DRAFT|media/statement.mp4|subtitle 3 00:00:04.200 --> 00:00:06.000``."""
    return f"{draft_id}|{media_file}{SUBTITLE_MARK}{number} {cue.timing}"


def _add_subtitles(context: Context, catalog: Catalog, draft: Draft, media: Media,
                   locale: str, notes: list[str]) -> None:
    """One entry per cue of the video's source subtitles, with the locale's cue as it is
    when its file has the source's timing."""
    source_file = media.subtitles.get(draft.source) if media.is_video else None
    if source_file is None:
        return
    source = subtitles.read_cues(context, draft, source_file)
    target = _stored_cues(context, draft, media, locale, source)
    stale = subtitles.subtitle_status(context, draft, media, locale).state \
        == TranslationState.STALE
    for number, cue in enumerate(source, start=1):
        msgstr = target[number - 1].text if target else ""
        cue_notes = [_("subtitle {number} of {count} of {file}: at most {lines} lines of "
                       "{chars} characters").format(number=number, count=len(source),
                                                    file=media.file, lines=MAX_LINES,
                                                    chars=MAX_LINE_CHARS), *notes]
        ctxt = subtitle_context(draft.id, media.file, number, cue)
        catalog[cue.text] = _message(cue.text, msgstr, ctxt, cue_notes, stale and bool(msgstr))


def _stored_cues(context: Context, draft: Draft, media: Media, locale: str,
                 source: tuple[Cue, ...]) -> tuple[Cue, ...]:
    """The locale's own cues when its file reads and has the source's timing, else ()."""
    if locale not in media.subtitles:
        return ()
    try:
        stored = subtitles.read_cues(context, draft, media.subtitles[locale])
    except UserError:
        return ()
    return stored if same_timing(stored, source) else ()


def _own_texts_to_translate(context: Context, draft: Draft, locale: str) -> list[str]:
    """The accounts with an own text in the source locale that post in ``locale``."""
    source = draft.variants.get(draft.source)
    return [account_id for account_id in (source.accounts if source else {})
            if account_id in context.accounts and locale in context.accounts[account_id].locales]


def _add_parts(catalog: Catalog, draft: Draft, locale: str, account_id: str,
               notes: list[str]) -> None:
    """One entry per part of the source variant (or of an account's own text)."""
    source = _source_parts(draft, account_id) or {}
    written = draft.variants.get(locale)
    translated = _written_parts(written, account_id)
    state = draft.own_state(locale, account_id) if account_id else draft.state(locale)
    for part, text in source.items():
        msgstr = translated.get(part, "")
        stale = state == TranslationState.STALE and bool(msgstr)
        ctxt = part_context(draft.id, part, account_id)
        catalog[text] = _message(text, msgstr, ctxt, notes, stale)


def export_po(context: Context, locale: str, out: Path) -> int:
    """Write the PO file for ``locale``; returns the number of entries."""
    context.workspace.check_output_path(out)
    catalog = build_catalog(context, locale)
    if not out.parent.is_dir():
        raise UserError(_("folder does not exist"), where=str(out.parent))
    if out.is_dir():
        raise UserError(_("is a folder; give the PO file's name"),
                        hint=_("e.g. {path}").format(path=out / f"{locale}.po"),
                        where=str(out))
    from io import BytesIO

    buffer = BytesIO()
    # No wrapping (msgcat --no-wrap): Babel's wrapping is quadratic in a run
    # without spaces (a 63,000-character one takes a minute); lines break at "\n".
    # Not sorted by msgid: drafts in id order, each one's parts in the order they go out.
    write_po(buffer, catalog, width=0, omit_header=False, sort_output=False)
    context.workspace.write_output(out, buffer.getvalue())
    return len(catalog)


@dataclass
class ImportResult:
    locale: str
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped_fuzzy: int = 0
    skipped_empty: int = 0
    warnings: list[str] = field(default_factory=list)
    # One line per variant or own text written without all of its parts (still stale),
    # and per subtitle file not written because cues are left.
    incomplete: list[str] = field(default_factory=list)
    subtitles: list[str] = field(default_factory=list)  # the subtitle files written


def _read_catalog(path: Path) -> Catalog:
    """The catalog of a PO file read strictly: a bounded read of a regular file, every
    line checked (po_syntax) before Babel reads what was checked."""
    where = str(path)
    text = decode_utf8(read_bounded(path, where, MAX_PO_BYTES), where)
    lines = po_lines(text.removeprefix("\ufeff"), where)
    try:
        return read_po(lines, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError, LookupError) as error:
        # LookupError: the file's Content-Type names a charset Python does not know.
        raise UserError(
            _("not a valid PO file: {error}").format(error=error), where=where
        ) from None


def _po_locale(catalog: Catalog, path: Path, wanted: str | None) -> str:
    language = str(catalog.locale) if catalog.locale else ""
    if not language:
        if wanted:
            return normalize_locale(wanted)
        raise UserError(
            _("the PO file names no language"),
            where=str(path),
            hint=_("give its locale, or add a Language header to it"),
        )
    try:
        found = normalize_locale(language)
    except UserError:
        raise UserError(
            _("this PO file is for {language!r}, which is not a content locale").format(
                language=language
            ),
            where=str(path),
            hint=_("use a file exported for one of {tags}").format(tags=", ".join(SUPPORTED)),
        ) from None
    if wanted and normalize_locale(wanted) != found:
        raise UserError(
            _("this PO file is for {found}, not {wanted}").format(found=found, wanted=wanted),
            where=str(path),
            hint=_("import the file exported for {wanted}").format(wanted=wanted),
        )
    return found


@dataclass
class _Pending:
    loaded: LoadedDraft
    # The translated parts by account id ("" for the variant): part -> msgstr, or ""
    # for an entry still fuzzy or empty.
    parts: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    variants: dict[str, VariantEdit] = field(default_factory=dict)
    own_texts: dict[tuple[str, str], AccountTextEdit] = field(default_factory=dict)
    alts: dict[tuple[str, str], str] = field(default_factory=dict)
    # Per video: its source cues, and the translated cue texts by number ("" when empty
    # or fuzzy); then the subtitle files to write: (video, locale) -> (file, text, origin).
    source_cues: dict[str, tuple[Cue, ...]] = field(default_factory=dict)
    cues: dict[str, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))
    subtitle_files: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)


def import_po(context: Context, path: Path, locale: str | None = None, *,
              by: str = UNNAMED, now: datetime | None = None) -> ImportResult:
    """Write the translations of a PO file back into the drafts.

    All or nothing: every entry is checked first (draft exists, source text
    unchanged since export) and the drafts are written only if all pass. ``by`` is
    recorded as the last to change the locale's texts of each draft written, and the
    approvals those texts invalidate are withdrawn.
    """
    catalog = _read_catalog(path)
    tag = _po_locale(catalog, path, locale)
    result = ImportResult(tag)
    pending: dict[str, _Pending] = {}
    changed_sources: list[str] = []
    for message in catalog:
        if message.pluralizable:
            raise UserError(_("a plural entry (msgid_plural): drafts have no plural forms"),
                            where=f"{path}:{message.lineno}")
        if not message.id or not message.context:
            continue
        cue_entry = _SUBTITLE_CONTEXT.fullmatch(message.context)
        if cue_entry is not None:
            if cue_entry["draft"] not in pending:
                pending[cue_entry["draft"]] = _Pending(
                    _load_for_import(context, cue_entry["draft"], path))
            if not _take_cue(context, pending[cue_entry["draft"]], cue_entry, message, path,
                             result):
                changed_sources.append(message.context)
            continue
        draft_id, _sep, media_file = message.context.partition(ALT_MARK)
        account_id, part = "", TEXT_PART
        if not media_file:
            draft_id, account_id, part = parse_part_context(message.context)
        if draft_id not in pending:
            pending[draft_id] = _Pending(_load_for_import(context, draft_id, path))
        entry = pending[draft_id]
        draft = entry.loaded.draft
        if media_file:
            current = _current_alt(draft, media_file)
        else:
            current = (_source_parts(draft, account_id) or {}).get(part)
        if current is None or normalized_text(str(message.id)) != current:
            changed_sources.append(message.context)
            continue
        if media_file:
            _take_alt(entry, draft, tag, message, media_file, result)
            continue
        taken = entry.parts[account_id]
        if part in taken:
            raise UserError(
                _("a second entry for {part}").format(
                    part=part_context(draft_id, part, account_id)),
                where=f"{path}:{message.lineno}", hint=_("keep one of them"))
        taken[part] = _translation(message, result)
    if changed_sources:
        raise UserError(
            ngettext(
                "the source text of {count} entry changed since export ({first}); "
                "nothing written",
                "the source texts of {count} entries changed since export (first: {first}); "
                "nothing written",
                len(changed_sources),
            ).format(count=len(changed_sources), first=changed_sources[0]),
            where=str(path),
            remedy=Remedy(Fix.EXPORT_TRANSLATIONS, locale=tag),
        )
    for entry in pending.values():
        _plan_texts(entry, tag, result)
        _plan_subtitles(context, entry, tag, result)
    updates = {
        draft_id: DraftUpdate(entry.loaded.digest, variants=entry.variants,
                              alt_texts=entry.alts, account_texts=entry.own_texts,
                              subtitles={key: (file, origin) for key, (file, _text, origin)
                                         in entry.subtitle_files.items()})
        for draft_id, entry in pending.items()
        if entry.variants or entry.alts or entry.own_texts or entry.subtitle_files
    }
    files = {file: text for entry in pending.values()
             for file, text, _origin in entry.subtitle_files.values()}
    # The subtitle files first, then the drafts naming them; put back as they were when
    # a draft cannot be written.
    with files_written(context.workspace, files):
        written = context.drafts.update_many(updates)  # all drafts or, on a conflict, none
    result.updated.extend(updates)
    result.subtitles.extend(files)
    if written:
        from publisher.services.approvals import record_change

        moment = now or datetime.now(UTC)
        for draft_id, loaded in written.items():
            locales = changed_locales(pending[draft_id].loaded.draft, loaded.draft)
            if pending[draft_id].subtitle_files and tag not in locales:
                locales = tuple(sorted((*locales, tag)))
            record_change(context, draft_id, by=by, now=moment, kind=IMPORTED,
                          locales=locales, how="po")
    return result


def _load_for_import(context: Context, draft_id: str, path: Path) -> LoadedDraft:
    try:
        return context.drafts.load(draft_id)
    except UserError as error:
        raise UserError(
            _("entry for draft {id!r}: {error}; nothing written").format(id=draft_id, error=error),
            where=str(path),
        ) from None


def _video(draft: Draft, media_file: str) -> Media | None:
    return next((m for m in draft.media if m.file == media_file and m.is_video), None)


def _take_cue(context: Context, entry: _Pending, found: re.Match[str], message: Message,
              path: Path, result: ImportResult) -> bool:
    """Take one cue's translation; False when the source has no such cue any more (other
    text or timing)."""
    draft = entry.loaded.draft
    media_file, number = found["file"], int(found["number"])
    media = _video(draft, media_file)
    if media is None or draft.source not in media.subtitles:
        return False
    if media_file not in entry.source_cues:
        entry.source_cues[media_file] = subtitles.read_cues(
            context, draft, media.subtitles[draft.source])
    source = entry.source_cues[media_file]
    if number > len(source) or source[number - 1].timing != found["timing"] \
            or source[number - 1].text != str(message.id):
        return False
    taken = entry.cues[media_file]
    if number in taken:
        raise UserError(_("a second entry for {part}").format(part=message.context),
                        where=f"{path}:{message.lineno}", hint=_("keep one of them"))
    text = "\n".join(line.rstrip() for line in _translation(message, result).split("\n"))
    if "\n\n" in text or "-->" in text:
        raise UserError(_("a subtitle's text has a blank line or -->"),
                        where=f"{path}:{message.lineno}",
                        hint=_("write the cue's lines one under the other"))
    taken[number] = text
    return True


def _plan_subtitles(context: Context, entry: _Pending, tag: str, result: ImportResult) -> None:
    """The subtitle files to write: each video's whole, when every cue is translated (a
    cue the file leaves out counts when the stored file is current and has it)."""
    draft = entry.loaded.draft
    if tag == draft.source:
        return  # the source's own cues are never written from a PO file
    for media_file, given in entry.cues.items():
        media = _video(draft, media_file)
        assert media is not None  # _take_cue found it
        source = entry.source_cues[media_file]
        origin = cues_fingerprint(source)
        stored = _stored_cues(context, draft, media, tag, source)
        if media.subtitles_from.get(tag, origin) != origin:
            stored = ()  # translated from other cues: none of them is current
        texts = [given.get(number) or (stored[number - 1].text if stored else "")
                 for number in range(1, len(source) + 1)]
        left = sum(1 for text in texts if not text)
        if left:
            result.incomplete.append(ngettext(
                "{draft} {file} ({locale}): subtitles not written: {count} cue of {total} "
                "is not translated",
                "{draft} {file} ({locale}): subtitles not written: {count} cues of {total} "
                "are not translated", left).format(
                draft=draft.id, file=media_file, locale=tag, count=left, total=len(source)))
            continue
        cues = [Cue(cue.start_ms, cue.end_ms, text, cue.settings)
                for cue, text in zip(source, texts, strict=True)]
        file = media.subtitles.get(tag) or subtitles.target_name(
            media.subtitles[draft.source], draft.source, tag)
        if file not in (media.subtitles.get(tag), None) and \
                file in (media.file, *media.subtitles.values()):
            raise UserError(_("the subtitles for {locale} would go to {file}, which the draft "
                              "uses already").format(locale=tag, file=file),
                            where=context.workspace.relative(entry.loaded.path),
                            hint=_("name the file: subtitles.{locale} = \"...\"").format(
                                locale=tag))
        if stored and [c.text for c in stored] == texts \
                and media.subtitles_from.get(tag) == origin:
            result.unchanged += 1
            continue
        text = render_subtitles(cues, PurePosixPath(file).suffix)
        entry.subtitle_files[(media_file, tag)] = (file, text, origin)


def _current_alt(draft: Draft, media_file: str) -> str | None:
    for media in draft.media:
        if media.file == media_file:
            return media.alt.get(draft.source)
    return None


def _translation(message: Message, result: ImportResult) -> str:
    """The entry's msgstr, or "" (counted) when it is empty or still fuzzy."""
    text = normalized_text(str(message.string or ""))
    if not text:
        result.skipped_empty += 1
        return ""
    if message.fuzzy:
        result.skipped_fuzzy += 1
        return ""
    return text


def _take_alt(entry: _Pending, draft: Draft, tag: str, message: Message, media_file: str,
              result: ImportResult) -> None:
    text = _translation(message, result)
    if not text:
        return
    old = next(m.alt.get(tag, "") for m in draft.media if m.file == media_file)
    if old == text:
        result.unchanged += 1
    else:
        entry.alts[(media_file, tag)] = text


@dataclass(frozen=True)
class _Plan:
    """What to write for one variant or own text, from the parts a PO file gives."""

    text: str
    thread: tuple[str, ...]
    first_comment: str | None  # None: keep the stored one
    content_warning: str | None
    from_source: str
    missing: list[str]  # the parts still untranslated (then ``from_source`` is stale)


def _plan_texts(entry: _Pending, tag: str, result: ImportResult) -> None:
    draft = entry.loaded.draft
    written = draft.variants.get(tag)
    for account_id, given in entry.parts.items():
        given = {part: text for part, text in given.items() if text}
        if not given:
            continue
        own = written.accounts.get(account_id) if written and account_id else None
        stored = _written_parts(written, account_id)
        if account_id:
            current = own is not None and own.from_source == draft.own_source_fingerprint(
                account_id)
        else:
            current = written is not None and written.from_source == draft.source_fingerprint
        plan = _plan(draft, account_id, given, stored, current)
        if plan.missing:
            result.incomplete.append(_("{draft} ({locale}) stays stale: not translated: "
                                       "{parts}").format(
                draft=draft.id if not account_id else f"{draft.id}/accounts/{account_id}",
                locale=tag,
                parts=", ".join(part_context(draft.id, part, account_id)
                                for part in plan.missing)))
        if not plan.text:
            continue  # nothing to write a thread or comment under
        _check_parts(draft, account_id, given, tag, result)
        if _unchanged(plan, written, own, account_id):
            result.unchanged += 1
        elif account_id:
            entry.own_texts[(tag, account_id)] = AccountTextEdit(
                plan.text, plan.thread, plan.first_comment, plan.from_source)
        else:
            entry.variants[tag] = VariantEdit(plan.text, plan.from_source, plan.thread,
                                              plan.first_comment, plan.content_warning)


def _plan(draft: Draft, account_id: str, given: dict[str, str], stored: dict[str, str],
          stored_current: bool) -> _Plan:
    """Every part the file gives; a part it lacks counts as translated only when the
    stored translation is current and has it. ``from_source`` is the whole source's
    fingerprint only when no part is missing; else that of the source's text alone,
    which differs from it (the source has other parts), so the translation stays stale."""
    source = _source_parts(draft, account_id) or {}
    have = {part: given.get(part) or (stored.get(part, "") if stored_current else "")
            for part in source}
    missing = [part for part, text in have.items() if not text]
    threads = [part for part in source if part.startswith("thread/")]
    if not missing:
        return _Plan(have[TEXT_PART], tuple(have[part] for part in threads),
                     have.get("first_comment", ""), have.get("content_warning", ""),
                     _source_fingerprint(draft, account_id), [])
    thread = [text for part, text in stored.items() if part.startswith("thread/")]
    for index, part in enumerate(threads):
        if part not in given:
            continue
        if index < len(thread):
            thread[index] = given[part]
        elif index == len(thread):
            thread.append(given[part])
        elif part not in missing:
            missing.append(part)  # no place for it after the parts still missing
    return _Plan(given.get(TEXT_PART) or stored.get(TEXT_PART, ""), tuple(thread),
                 given.get("first_comment"), given.get("content_warning"),
                 fingerprint(source[TEXT_PART]), missing)


def _source_fingerprint(draft: Draft, account_id: str) -> str:
    return draft.own_source_fingerprint(account_id) if account_id else draft.source_fingerprint


def _unchanged(plan: _Plan, written: Variant | None, own: AccountText | None,
               account_id: str) -> bool:
    stored: Variant | AccountText | None = own if account_id else written
    if stored is None:
        return False
    return (stored.text == plan.text and stored.thread == plan.thread
            and plan.first_comment in (None, stored.first_comment)
            and (account_id != "" or plan.content_warning in (None, written.content_warning
                                                              if written else ""))
            and stored.from_source == plan.from_source)


def _check_parts(draft: Draft, account_id: str, given: dict[str, str], tag: str,
                 result: ImportResult) -> None:
    """The cross-language check, part by part: what a translation lost of its source."""
    source = _source_parts(draft, account_id) or {}
    campaign = [draft.campaign] if draft.campaign else []
    for part, text in given.items():
        label = draft.id if part == TEXT_PART and not account_id \
            else part_context(draft.id, part, account_id)
        for warning in compare_pair(source[part], text, campaign_hashtags=campaign):
            result.warnings.append(f"{label} ({tag}): {warning}")


def group_by_draft(rows: list[StatusRow]) -> dict[str, dict[str, StatusRow]]:
    """The variants' rows (not the own texts' or subtitles') by draft and locale."""
    grouped: dict[str, dict[str, StatusRow]] = defaultdict(dict)
    for row in rows:
        if not row.account and not row.media:
            grouped[row.draft_id][row.locale] = row
    return grouped


def group_own_texts(rows: list[StatusRow]) -> dict[str, dict[str, dict[str, StatusRow]]]:
    """The own texts' rows by draft, account and locale."""
    grouped: dict[str, dict[str, dict[str, StatusRow]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        if row.account:
            grouped[row.draft_id][row.account][row.locale] = row
    return grouped


def group_subtitles(rows: list[StatusRow]) -> dict[str, dict[str, dict[str, StatusRow]]]:
    """The subtitles' rows by draft, video and locale."""
    grouped: dict[str, dict[str, dict[str, StatusRow]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        if row.media:
            grouped[row.draft_id][row.media][row.locale] = row
    return grouped
