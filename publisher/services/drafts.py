"""Draft use cases: list, show, create, validate, approve and cross-check drafts; the
terminal UI's drafts list (from an index of unchanged files), an editor's save of
several fields in one write, duplicating and deleting.

Every write goes through the workspace's DraftStore: one writer, one conflict rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.domain.approvals import CREATED, EDITED, UNNAMED, changed_locales
from publisher.domain.consistency import Finding, compare_variants
from publisher.domain.drafts import (
    Draft,
    TranslationState,
    Variant,
    check_draft_id,
    make_skeleton,
    parts_fingerprint,
)
from publisher.domain.errors import UserError
from publisher.domain.locales import SUPPORTED, fingerprint, normalized_text
from publisher.domain.queue import FINAL, PENDING, State
from publisher.i18n import _, ngettext
from publisher.services.context import Context
from publisher.storage.atomic import content_digest
from publisher.storage.drafts import (
    AccountTextEdit,
    LoadedDraft,
    VariantEdit,
    set_account_text,
    set_alt,
    set_variant,
)
from publisher.storage.drafts_index import DraftsIndexFile
from publisher.storage.kept import KEPT_DIR as KEPT_DIR  # the UI names it
from publisher.storage.kept import keep

if TYPE_CHECKING:
    import tomlkit

    from publisher.services.approvals import Approved

DEFAULT_LOCALES = ("sq", "en", "sr")
# The translation states a translator still has to deal with.
NEEDS_WORK = (TranslationState.MISSING, TranslationState.STALE)


def locales_of(context: Context, draft: Draft) -> list[str]:
    """The locales a draft must exist in: its source, then its accounts' locales.

    A draft without accounts yet is expected in the three usual locales.
    """
    needed = draft.locales_needed(context.account_locales())
    if not draft.accounts:
        needed += [tag for tag in DEFAULT_LOCALES if tag not in needed]
    needed += [tag for tag in draft.variants if tag not in needed and draft.variants[tag].text]
    return sorted(needed, key=lambda tag: (tag != draft.source, SUPPORTED.index(tag)))


@dataclass(frozen=True)
class DraftSummary:
    loaded: LoadedDraft
    states: dict[str, TranslationState]

    @property
    def draft(self) -> Draft:
        return self.loaded.draft


def summarize(context: Context, loaded: LoadedDraft) -> DraftSummary:
    draft = loaded.draft
    return DraftSummary(loaded, {tag: draft.state(tag) for tag in locales_of(context, draft)})


def list_drafts(context: Context) -> tuple[list[DraftSummary], list[UserError]]:
    loaded, errors = context.drafts.load_all()
    return [summarize(context, item) for item in loaded], errors


def new_draft(context: Context, draft_id: str, source: str | None, title: str = "", *,
              by: str = UNNAMED, now: datetime | None = None) -> str:
    """Write a new draft skeleton; ``by`` is recorded as its creator."""
    draft = make_skeleton(draft_id, source or context.settings.source_locale, title)
    path = context.drafts.create(draft)
    from publisher.services import approvals

    approvals.record_change(context, draft_id, by=by, now=now or _now(), kind=CREATED,
                            how="new")
    return context.workspace.relative(path)


def validate_drafts(context: Context) -> tuple[list[LoadedDraft], list[UserError]]:
    """Load every draft and check what loading cannot: that its images are files in media/."""
    loaded, errors = context.drafts.load_all()
    good = []
    for item in loaded:
        problem = _media_problem(context, item)
        if problem:
            errors.append(problem)
        else:
            good.append(item)
    return good, errors


def _media_problem(context: Context, item: LoadedDraft) -> UserError | None:
    where = context.workspace.relative(item.path)
    for media in item.draft.media:
        try:
            context.workspace.media_file(media.file, where)
        except UserError as error:
            return error
    return None


def approve(context: Context, draft_id: str, *, by: str = UNNAMED, step: str | None = None,
            now: datetime | None = None) -> Approved:
    """Record ``by``'s approval of a step of the draft as it is now (see
    :func:`publisher.services.approvals.approve`); its ``warnings`` name missing or stale
    locales. ``now`` None: the system's clock."""
    loaded = context.drafts.load(draft_id)
    draft = loaded.draft
    _check_approvable(draft, context.drafts.where(loaded.path))
    warnings = [
        _("{locale} is {state}").format(locale=tag, state=_(draft.state(tag).value))
        for tag in locales_of(context, draft) if draft.state(tag) in NEEDS_WORK
    ]
    warnings.extend(
        _("{locale} for {account} is stale").format(locale=tag, account=account_id)
        for tag in locales_of(context, draft) for account_id in draft.accounts
        if draft.own_state(tag, account_id) == TranslationState.STALE
    )
    from publisher.services import approvals  # opens the queue: not on every drafts command

    return approvals.approve(context, draft_id, by=by, step=step, now=now or _now(),
                             warnings=warnings)


def _now() -> datetime:
    return datetime.now(UTC)


def _check_approvable(draft: Draft, where: str) -> None:
    if not draft.source_text:
        raise UserError(
            _("the source text ({locale}) is empty").format(locale=draft.source),
            where=where,
            hint=_("write it before approving"),
        )
    if not draft.accounts:
        raise UserError(
            _("the draft has no accounts"),
            where=where,
            hint=_('add accounts = ["..."] before approving'),
        )


def check_consistency(context: Context, draft: Draft) -> list[Finding]:
    """What one variant has (URL, number, date, mention, campaign tag) and another lacks,
    each variant read whole: its text, thread and first comment."""
    texts = {}
    for tag in locales_of(context, draft):
        variant = draft.variant(tag)
        if variant is not None:
            texts[tag] = "\n\n".join(part for part in (
                variant.text, *variant.thread, variant.first_comment) if part)
    campaign = [draft.campaign] if draft.campaign else []
    return compare_variants(texts, campaign_hashtags=campaign)


# The drafts list of the terminal UI, kept in an index for a fast start


@dataclass(frozen=True)
class DraftRow:
    id: str
    title: str
    campaign: str | None
    accounts: tuple[str, ...]
    source: str
    approved: bool
    states: Mapping[str, TranslationState]
    next_due: datetime | None = None
    digest: str = ""  # of the file as listed: a delete refuses if it changed since
    pending: bool = False  # listed, not read yet: only its id is known (see drafts_overview)

    def needs(self, locale: str) -> bool:
        """Whether ``locale`` is expected and missing or stale."""
        return self.states.get(locale) in NEEDS_WORK


@dataclass(frozen=True)
class DraftsOverview:
    rows: list[DraftRow]
    problems: list[UserError]  # one per draft file that does not load

    @property
    def campaigns(self) -> list[str]:
        return sorted({row.campaign for row in self.rows if row.campaign})

    @property
    def complete(self) -> bool:
        """Whether every draft was read (a quick listing may leave some pending)."""
        return not any(row.pending for row in self.rows)


def next_due_by_draft(context: Context) -> dict[str, datetime]:
    """The earliest time each draft still has something waiting to go out."""
    from publisher.services.queue_file import open_queue  # only here: drafts commands stay light

    with open_queue(context) as queue:
        items = queue.items([*PENDING, State.HELD])
    due: dict[str, datetime] = {}
    for item in items:  # sorted by due time
        due.setdefault(item.draft_id, item.due_at)
    return due


def drafts_overview(context: Context, *, use_index: bool = True, quick: bool = False,
                    pace: Callable[[], object] | None = None) -> DraftsOverview:
    """Every draft's row; files unchanged since the last listing come from the index.

    ``quick``: when many files are not in the index (a first start, a large git pull),
    list those by id only, ``pending``, without reading them; a second, full listing
    reads them (and writes the index). A few such files are read at once.

    ``pace`` is called after each file read (a UI reading in a thread passes
    ``time.sleep(0)`` so that its event loop is not held up by the reading).
    """
    due = next_due_by_draft(context)
    if not use_index:
        summaries, errors = list_drafts(context)
        rows = [_row(s.loaded, s.states, due) for s in summaries]
        return DraftsOverview(rows, list(errors))
    index = DraftIndex(context)
    rows, problems = index.rows(read_limit=QUICK_READS if quick else None, pace=pace)
    if due:  # few drafts have something waiting: touch only their rows
        rows = [replace(row, next_due=due[row.id]) if row.id in due else row for row in rows]
    return DraftsOverview(rows, problems)


def _row(loaded: LoadedDraft, states: Mapping[str, TranslationState],
         due: Mapping[str, datetime]) -> DraftRow:
    draft = loaded.draft
    return DraftRow(draft.id, draft.title, draft.campaign, draft.accounts, draft.source,
                    draft.approved, states, due.get(draft.id), loaded.digest)


class DraftIndex:
    """What the drafts list shows, kept per file in the drafts index (storage).

    Reading and checking thousands of TOML files is what makes a cold start
    slow; a file whose size and modification time (to the nanosecond) are
    unchanged, under an unchanged accounts file, is shown from the index. The
    editor always reads the file itself, with its content hash. Entries are
    compact arrays (one JSON decode of thousands of them is most of a warm start).
    """

    VERSION = 2

    def __init__(self, context: Context):
        self.context = context
        self.file = DraftsIndexFile(context.workspace, self.VERSION)

    def rows(self, read_limit: int | None = None, pace: Callable[[], object] | None = None,
             ) -> tuple[list[DraftRow], list[UserError]]:
        """Every draft's row; with ``read_limit``, if more files than that changed
        since the index was written, those rows are ``pending`` (not read) and the
        index is left as it is."""
        known = self.file.read()
        stamps = self.context.drafts.stamps()
        if read_limit is not None:
            changed = {i for i, stamp in stamps.items() if (known.get(i) or [None])[0] != stamp}
            if len(changed) > read_limit:
                return [_row_from_json(i, known[i]) if i not in changed else _pending(i)
                        for i in stamps], []
        files: dict[str, list] = {}
        rows: list[DraftRow] = []
        problems: list[UserError] = []
        store = self.context.drafts
        for draft_id, stamp in stamps.items():
            entry = known.get(draft_id)
            if entry is None or entry[0] != stamp:
                try:
                    loaded = store.load(draft_id)
                    if pace is not None:
                        pace()
                except UserError as error:
                    problems.append(error)
                    continue
                row = _row(loaded, summarize(self.context, loaded).states, {})
                entry = [stamp, *_row_json(row)]
            files[draft_id] = entry
            rows.append(_row_from_json(draft_id, entry))
        if files != known:
            self.file.write(files)
        return rows, problems


# A quick listing reads at most this many changed draft files (more: they are pending).
QUICK_READS = 50


def _pending(draft_id: str) -> DraftRow:
    return DraftRow(draft_id, draft_id, None, (), "", False, {}, pending=True)


# An index entry: [stamp, title, campaign, accounts, source, approved, states, digest].


def _row_json(row: DraftRow) -> list:
    return [row.title, row.campaign, list(row.accounts), row.source, row.approved,
            {tag: state.value for tag, state in row.states.items()}, row.digest]


_STATES = {state.value: state for state in TranslationState}


def _row_from_json(draft_id: str, entry: list) -> DraftRow:
    _stamp, title, campaign, accounts, source, approved, states, digest = entry
    return DraftRow(draft_id, title, campaign, tuple(accounts), source, approved,
                    {tag: _STATES[value] for tag, value in states.items()}, None, digest)


def draft_row(context: Context, draft_id: str) -> DraftRow:
    """One row again, after an edit (the table changes that row only)."""
    loaded = context.drafts.load(draft_id)
    return _row(loaded, summarize(context, loaded).states, next_due_by_draft(context))


# An editor's changes


@dataclass(frozen=True)
class VariantParts:
    """A variant's texts beside ``text``, as the editor shows them (empty: none)."""

    thread: tuple[str, ...] = ()
    first_comment: str = ""
    content_warning: str = ""


@dataclass(frozen=True)
class OwnText:
    """An account's own text in one locale as an editor saves it whole (an empty text
    removes it)."""

    text: str
    thread: tuple[str, ...] = ()
    first_comment: str = ""


@dataclass
class DraftEdit:
    """What an editor changes; None leaves a field as it is in the file."""

    title: str | None = None
    campaign: str | None = None  # "" removes it
    accounts: tuple[str, ...] | None = None
    not_before: datetime | None = None
    deadline: datetime | None = None
    clear_not_before: bool = False
    clear_deadline: bool = False
    texts: dict[str, str] = field(default_factory=dict)  # locale -> text
    # Locales whose translation is confirmed current even if its text is unchanged.
    confirm: set[str] = field(default_factory=set)
    alts: dict[tuple[str, str], str] = field(default_factory=dict)  # (file, locale) -> alt
    # Locales saved whole (text and every part, as the editor shows them): their
    # ``from_source`` then covers every part of the source, as the queue compares it.
    parts: dict[str, VariantParts] = field(default_factory=dict)
    # (locale, account id) -> the account's own text, written whole; in a translation,
    # its ``from_source`` is that of the account's own source (README, post types).
    own_texts: dict[tuple[str, str], OwnText] = field(default_factory=dict)


@dataclass(frozen=True)
class SaveResult:
    loaded: LoadedDraft
    unapproved: bool  # the text changed, so the approval was withdrawn


def save_draft(
    context: Context, draft_id: str, expected_digest: str, edit: DraftEdit, *,
    by: str = UNNAMED, now: datetime | None = None,
) -> SaveResult:
    """Write an editor's changes to a draft in one atomic write.

    A changed translation records the (new) source text it was made from
    (``from_source``); a changed text or account list withdraws the approvals it
    covered (recorded as ``by``'s), because only what was approved may be queued;
    ``by`` is recorded as the last to change each locale whose texts changed. Raises
    ConflictError when the file changed on disk since ``expected_digest``.
    """
    store = context.drafts
    where = store.where(store.path_of(draft_id))
    unapproved = False

    def apply(document: tomlkit.TOMLDocument, before: Draft) -> None:
        nonlocal unapproved
        texts = {tag: normalized_text(text) for tag, text in edit.texts.items()}
        source_text = texts.get(before.source, before.source_text)
        changed_text = _apply_texts(document, before, texts, edit.confirm, source_text)
        changed_text = _apply_parts(document, before, texts, edit.parts) or changed_text
        changed_text = _apply_own_texts(document, before, texts, edit) or changed_text
        _apply_fields(document, edit)
        stored = {(m.file, tag): text for m in before.media for tag, text in m.alt.items()}
        for (file, locale), text in edit.alts.items():
            if stored.get((file, locale), "") != text:
                set_alt(document, file, locale, normalized_text(text), where=where)
        accounts_changed = edit.accounts is not None and tuple(edit.accounts) != before.accounts
        if before.approved and (changed_text or accounts_changed):
            document["approved"] = False
            unapproved = True

    before_draft: list[Draft] = []

    def apply_and_keep(document: tomlkit.TOMLDocument, before: Draft) -> None:
        before_draft.append(before)
        apply(document, before)

    loaded = store.rewrite(draft_id, expected_digest=expected_digest, change=apply_and_keep)
    if loaded.digest != expected_digest:
        from publisher.services import approvals

        state = approvals.record_change(
            context, draft_id, by=by, now=now or _now(), kind=EDITED, how="editor",
            locales=changed_locales(before_draft[0], loaded.draft))
        unapproved = unapproved or (loaded.draft.approved and not state.cleared)
        loaded = store.load(draft_id)
    return SaveResult(loaded, unapproved)


def _apply_texts(
    document: tomlkit.TOMLDocument, before: Draft, texts: dict[str, str], confirm: set[str],
    source_text: str,
) -> bool:
    changed = False
    # The editor shows the text alone: a translation saved from it is current only when
    # the source has no thread, first comment or content warning either (else stale).
    origin = fingerprint(source_text)
    # A confirmed translation already made from every part of an unchanged source stays so.
    current = {origin} | ({before.source_fingerprint} if before.source not in texts else set())
    for tag, text in texts.items():
        written = before.variants.get(tag)
        old = written.text if written else ""
        if text == old and tag not in confirm:
            continue
        if text == old and tag in confirm and written and written.from_source in current:
            continue
        changed = changed or text != old
        stamp = None if tag == before.source else origin
        set_variant(document, tag, VariantEdit(text, stamp))
    return changed


def _apply_parts(document: tomlkit.TOMLDocument, before: Draft, texts: dict[str, str],
                 parts: dict[str, VariantParts]) -> bool:
    """Write the variants saved whole (text, thread, first comment, content warning);
    a translation among them is stamped with every part of the source."""
    if not parts:
        return False
    cleaned = {tag: _cleaned(p) for tag, p in parts.items()}
    origin = _source_origin(before, texts, parts)
    changed = False
    for tag, new in cleaned.items():
        written = before.variants.get(tag)
        text = texts.get(tag, written.text if written else "")
        if new != _parts_of(written):
            changed = True
        elif tag not in texts:
            continue
        stamp = None if tag == before.source else origin
        set_variant(document, tag, VariantEdit(text, stamp, new.thread, new.first_comment,
                                               new.content_warning))
    return changed


def _cleaned(parts: VariantParts) -> VariantParts:
    return VariantParts(tuple(normalized_text(t) for t in parts.thread if t.strip()),
                        normalized_text(parts.first_comment),
                        normalized_text(parts.content_warning))


def _source_origin(before: Draft, texts: dict[str, str],
                   parts: dict[str, VariantParts]) -> str:
    """The fingerprint of the source variant as this save leaves it."""
    source = before.variants.get(before.source)
    source_parts = _cleaned(parts[before.source]) if before.source in parts \
        else _parts_of(source)
    return parts_fingerprint(texts.get(before.source, before.source_text),
                             source_parts.thread, source_parts.first_comment,
                             source_parts.content_warning)


def _apply_own_texts(document: tomlkit.TOMLDocument, before: Draft, texts: dict[str, str],
                     edit: DraftEdit) -> bool:
    """Write (or, emptied, remove) the accounts' own texts saved; a translation among
    them is stamped with its own source: the source locale's own text for that account
    as this save leaves it, else the source variant."""
    cleaned = {key: OwnText(normalized_text(own.text),
                            tuple(normalized_text(t) for t in own.thread if t.strip()),
                            normalized_text(own.first_comment))
               for key, own in edit.own_texts.items()}
    variant_origin = _source_origin(before, texts, edit.parts)
    changed = False
    for (tag, account_id), own in cleaned.items():
        written = before.variants.get(tag)
        old = written.accounts.get(account_id) if written else None
        if not own.text:
            if old is not None:
                set_account_text(document, tag, account_id, None)
                changed = True
            continue
        changed = changed or old is None or (old.text, old.thread, old.first_comment) != (
            own.text, own.thread, own.first_comment)
        stamp = None if tag == before.source else _own_origin(before, account_id, cleaned,
                                                              variant_origin)
        set_account_text(document, tag, account_id,
                         AccountTextEdit(own.text, own.thread, own.first_comment, stamp))
    return changed


def _own_origin(before: Draft, account_id: str, saved: dict[tuple[str, str], OwnText],
                variant_origin: str) -> str:
    source_own = saved.get((before.source, account_id))
    if source_own is None:
        source = before.variants.get(before.source)
        source_own_text = source.accounts.get(account_id) if source else None
        if source_own_text is not None:
            return source_own_text.fingerprint
    elif source_own.text:
        return parts_fingerprint(source_own.text, source_own.thread, source_own.first_comment)
    return variant_origin


def _parts_of(variant: Variant | None) -> VariantParts:
    if variant is None:
        return VariantParts()
    return VariantParts(variant.thread, variant.first_comment, variant.content_warning)


def _apply_fields(document: tomlkit.TOMLDocument, edit: DraftEdit) -> None:
    if edit.title is not None:
        document["title"] = edit.title
    if edit.campaign is not None:
        if edit.campaign.strip().lstrip("#"):
            document["campaign"] = edit.campaign.strip().lstrip("#")
        elif "campaign" in document:
            del document["campaign"]
    if edit.accounts is not None:
        document["accounts"] = list(edit.accounts)
    for key, value, clear in (
        ("not_before", edit.not_before, edit.clear_not_before),
        ("deadline", edit.deadline, edit.clear_deadline),
    ):
        if value is not None:
            document[key] = value
        elif clear and key in document:
            del document[key]


def keep_copy(
    context: Context, draft_id: str, text: str | bytes, now: datetime, label: str
) -> Path:
    """Keep the side of a save conflict that was not chosen, so nothing is lost."""
    return keep(context.workspace, f"{draft_id}-{label}.txt", text, now)


@dataclass(frozen=True)
class DraftFile:
    data: bytes
    digest: str  # of exactly these bytes: a save with it overwrites only this version


def draft_file(context: Context, draft_id: str) -> DraftFile:
    """A draft file's bytes as they are now, with their digest, from one read."""
    data = context.drafts.current_bytes(draft_id)
    return DraftFile(data, content_digest(data))


# Copying and deleting


def duplicate_draft(context: Context, draft_id: str, new_id: str) -> str:
    """Copy a draft file under a new id, not approved; returns the new path.

    Never over a draft of that id, even one created a moment ago elsewhere.
    """
    import tomlkit

    check_draft_id(new_id)
    store = context.drafts
    store.load(draft_id)  # refuse to copy a broken file
    document = tomlkit.parse(store.current_bytes(draft_id).decode("utf-8"))
    document["approved"] = False
    return context.workspace.relative(store.create_text(new_id, tomlkit.dumps(document)))


def delete_draft(context: Context, draft_id: str, expected_digest: str, now: datetime) -> Path:
    """Remove a draft, keeping its last content under ``.publisher-kept/``.

    Refused while items of the draft wait in the queue (cancel them first),
    and when the file changed since the person saw it (ConflictError).
    """
    from publisher.services.queue_file import open_queue

    with open_queue(context) as queue:
        waiting = [i for i in queue.items(draft_id=draft_id) if i.state not in FINAL]
    if waiting:
        raise UserError(
            ngettext("draft {id!r} has {count} item in the queue",
                     "draft {id!r} has {count} items in the queue", len(waiting)).format(
                id=draft_id, count=len(waiting)),
            hint=_("cancel them in the queue first"),
        )
    return context.drafts.delete(
        draft_id, expected_digest=expected_digest,
        keep=lambda data: keep(context.workspace, f"{draft_id}.toml", data, now))
