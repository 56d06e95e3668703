"""Translation workflow: status per draft and locale, and the PO round trip.

Translators work in their own tools (Poedit, Lokalize, Weblate): a PO file
per locale carries every draft's source text (msgid) and the current variant
(msgstr), keyed by draft id (msgctxt). Stale variants are marked ``fuzzy``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

from publisher import __version__
from publisher.domain.consistency import compare_pair
from publisher.domain.drafts import Draft, TranslationState
from publisher.domain.errors import UserError
from publisher.domain.locales import SUPPORTED, fingerprint, normalize_locale, normalized_text
from publisher.domain.remedies import Fix, Remedy
from publisher.domain.textrules import tightest_limit
from publisher.i18n import _, ngettext
from publisher.services.context import Context
from publisher.services.drafts import NEEDS_WORK, list_drafts, locales_of
from publisher.services.po_syntax import po_lines
from publisher.storage.bounded import MAX_FILE_BYTES, decode_utf8, read_bounded
from publisher.storage.drafts import DraftUpdate, LoadedDraft, VariantEdit

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


def status(context: Context) -> tuple[list[StatusRow], list[UserError]]:
    summaries, errors = list_drafts(context)
    rows = [
        StatusRow(summary.draft.id, tag, state, tag == summary.draft.source)
        for summary in summaries
        for tag, state in summary.states.items()
    ]
    return rows, errors


# The translator's work list (the TUI's translator screen)


@dataclass(frozen=True)
class WorkItem:
    draft_id: str
    title: str
    source: str
    source_text: str
    locale: str
    text: str
    state: TranslationState
    digest: str


def translation_worklist(context: Context, locale: str) -> list[WorkItem]:
    """Every draft whose ``locale`` variant is missing or stale, in id order."""
    loaded, _errors = context.drafts.load_all()
    work = []
    for item in loaded:
        draft = item.draft
        if locale == draft.source or locale not in locales_of(context, draft):
            continue
        state = draft.state(locale)
        if state not in NEEDS_WORK:
            continue
        variant = draft.variants.get(locale)
        work.append(WorkItem(draft.id, draft.title, draft.source, draft.source_text, locale,
                             variant.text if variant else "", state, item.digest))
    return work


# The PO round trip


def alt_context(draft_id: str, media_file: str) -> str:
    return f"{draft_id}{ALT_MARK}{media_file}"


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
        written = draft.variants.get(locale)
        text = written.text if written else ""
        stale = draft.state(locale) == TranslationState.STALE and bool(text)
        catalog[draft.source_text] = _message(
            draft.source_text, text, draft.id, notes, stale
        )
        for media in draft.media:
            source_alt = media.alt.get(draft.source, "")
            if source_alt:
                ctxt = alt_context(draft.id, media.file)
                alt_notes = [_("alt text of {file}").format(file=media.file), *notes[:1]]
                message = _message(source_alt, media.alt.get(locale, ""), ctxt, alt_notes, False)
                catalog[source_alt] = message
    return catalog


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
    write_po(buffer, catalog, width=0, omit_header=False, sort_output=True)
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
    variants: dict[str, VariantEdit] = field(default_factory=dict)
    alts: dict[tuple[str, str], str] = field(default_factory=dict)


def import_po(context: Context, path: Path, locale: str | None = None) -> ImportResult:
    """Write the translations of a PO file back into the drafts.

    All or nothing: every entry is checked first (draft exists, source text
    unchanged since export) and the drafts are written only if all pass.
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
        draft_id, _sep, media_file = message.context.partition(ALT_MARK)
        if draft_id not in pending:
            pending[draft_id] = _Pending(_load_for_import(context, draft_id, path))
        entry = pending[draft_id]
        draft = entry.loaded.draft
        current = _current_source(draft, media_file)
        if current is None or normalized_text(str(message.id)) != current:
            changed_sources.append(message.context)
            continue
        _take(entry, draft, tag, message, media_file, result)
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
    updates = {
        draft_id: DraftUpdate(entry.loaded.digest, variants=entry.variants, alt_texts=entry.alts)
        for draft_id, entry in pending.items() if entry.variants or entry.alts
    }
    context.drafts.update_many(updates)  # all drafts or, on a conflict, none
    result.updated.extend(updates)
    return result


def _load_for_import(context: Context, draft_id: str, path: Path) -> LoadedDraft:
    try:
        return context.drafts.load(draft_id)
    except UserError as error:
        raise UserError(
            _("entry for draft {id!r}: {error}; nothing written").format(id=draft_id, error=error),
            where=str(path),
        ) from None


def _current_source(draft: Draft, media_file: str) -> str | None:
    if not media_file:
        return draft.source_text
    for media in draft.media:
        if media.file == media_file:
            return media.alt.get(draft.source)
    return None


def _take(
    entry: _Pending,
    draft: Draft,
    tag: str,
    message: Message,
    media_file: str,
    result: ImportResult,
) -> None:
    text = normalized_text(str(message.string or ""))
    if not text:
        result.skipped_empty += 1
        return
    if message.fuzzy:
        result.skipped_fuzzy += 1
        return
    if media_file:
        old = next(m.alt.get(tag, "") for m in draft.media if m.file == media_file)
        if old == text:
            result.unchanged += 1
        else:
            entry.alts[(media_file, tag)] = text
        return
    written = draft.variants.get(tag)
    # The PO file holds the text alone (see _apply_texts in services/drafts.py).
    origin = fingerprint(draft.source_text)
    if written and written.text == text and written.from_source == origin:
        result.unchanged += 1
        return
    entry.variants[tag] = VariantEdit(text=text, from_source=origin)
    campaign = [draft.campaign] if draft.campaign else []
    for warning in compare_pair(draft.source_text, text, campaign_hashtags=campaign):
        result.warnings.append(f"{draft.id} ({tag}): {warning}")


def group_by_draft(rows: list[StatusRow]) -> dict[str, dict[str, StatusRow]]:
    grouped: dict[str, dict[str, StatusRow]] = defaultdict(dict)
    for row in rows:
        grouped[row.draft_id][row.locale] = row
    return grouped
