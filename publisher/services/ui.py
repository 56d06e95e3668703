"""What the terminal UI needs beyond the command-line use cases.

Overviews shaped for its screens (drafts with their next due time, the queue
with its pauses and holds, accounts with whether a secret is stored) and the
edits only an editor makes: several fields of a draft saved in one atomic
write, duplicating and deleting drafts, sending one queue item now. The UI
calls these and never touches SQL, HTTP or the draft files itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.domain.accounts import Account
from publisher.domain.drafts import Draft, TranslationState, check_draft_id
from publisher.domain.errors import UserError
from publisher.domain.locales import fingerprint, normalized_text
from publisher.domain.queue import FINAL, NEEDS_PERSON, PENDING, State
from publisher.i18n import _
from publisher.platforms.base import TokenStatus
from publisher.services.context import Context
from publisher.services.drafts import NEEDS_WORK
from publisher.services.queueing import open_queue
from publisher.storage.atomic import content_digest, write_atomic
from publisher.storage.drafts import (
    LoadedDraft,
    VariantEdit,
    set_alt,
    set_variant,
    write_new,
)
from publisher.storage.queue import FREEZE, AccountHold, Item, Pause

if TYPE_CHECKING:
    import tomlkit

# Where deleted drafts and the losing side of a save conflict are kept.
KEPT_DIR = ".publisher-kept"
INDEX_PATH = ".cache/drafts-index.json"


# Drafts overview


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

    def needs(self, locale: str) -> bool:
        """Whether ``locale`` is expected and missing or stale."""
        return self.states.get(locale) in NEEDS_WORK


@dataclass(frozen=True)
class DraftsOverview:
    rows: list[DraftRow]
    problems: list[str]  # one line per draft file that does not load

    @property
    def campaigns(self) -> list[str]:
        return sorted({row.campaign for row in self.rows if row.campaign})


def next_due_by_draft(context: Context) -> dict[str, datetime]:
    """The earliest time each draft still has something waiting to go out."""
    with open_queue(context) as queue:
        items = queue.items([*PENDING, State.HELD])
    due: dict[str, datetime] = {}
    for item in items:  # sorted by due time
        due.setdefault(item.draft_id, item.due_at)
    return due


def drafts_overview(context: Context, *, use_index: bool = True) -> DraftsOverview:
    """Every draft's row; files unchanged since the last listing come from the index."""
    due = next_due_by_draft(context)
    if not use_index:
        from publisher.services.drafts import list_drafts

        summaries, errors = list_drafts(context)
        rows = [_row(s.loaded, s.states, due) for s in summaries]
        return DraftsOverview(rows, [str(error) for error in errors])
    index = DraftIndex(context)
    rows, problems = index.rows()
    if due:  # few drafts have something waiting: touch only their rows
        rows = [replace(row, next_due=due[row.id]) if row.id in due else row for row in rows]
    return DraftsOverview(rows, problems)


def _row(loaded: LoadedDraft, states: Mapping[str, TranslationState],
         due: Mapping[str, datetime]) -> DraftRow:
    draft = loaded.draft
    return DraftRow(draft.id, draft.title, draft.campaign, draft.accounts, draft.source,
                    draft.approved, states, due.get(draft.id), loaded.digest)


class DraftIndex:
    """What the drafts list shows, kept per file in ``<home>/.cache/drafts-index.json``.

    Reading and checking thousands of TOML files is what makes a cold start
    slow; a file whose size and modification time (to the nanosecond) are
    unchanged, under an unchanged accounts file, is shown from the index. The
    editor always reads the file itself, with its content hash. Entries are
    compact arrays (one JSON decode of thousands of them is most of a warm start).
    """

    VERSION = 2

    def __init__(self, context: Context):
        self.context = context
        self.path = context.workspace.home / INDEX_PATH
        accounts = context.workspace.accounts_path
        self.accounts_key = content_digest(accounts.read_bytes()) if accounts.is_file() else ""

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if data.get("version") != self.VERSION or data.get("accounts") != self.accounts_key:
            return {}
        return data.get("files", {})

    def _stamps(self) -> dict[str, list[int]]:
        """Each draft file's id and [mtime_ns, size], in one directory scan."""
        folder = self.context.drafts.folder
        stamps: dict[str, list[int]] = {}
        try:
            entries = os.scandir(folder)
        except OSError:
            return stamps
        with entries:
            for entry in entries:
                if entry.name.endswith(".toml") and entry.is_file():
                    stat = entry.stat()
                    stamps[entry.name[:-5]] = [stat.st_mtime_ns, stat.st_size]
        return dict(sorted(stamps.items()))

    def rows(self) -> tuple[list[DraftRow], list[str]]:
        known = self._read()
        files: dict[str, list] = {}
        rows: list[DraftRow] = []
        problems: list[str] = []
        store = self.context.drafts
        for draft_id, stamp in self._stamps().items():
            entry = known.get(draft_id)
            if entry is None or entry[0] != stamp:
                try:
                    loaded = store.load(draft_id)
                except UserError as error:
                    problems.append(str(error))
                    continue
                from publisher.services.drafts import locales_of

                row = _row(loaded, {t: loaded.draft.state(t)
                                    for t in locales_of(self.context, loaded.draft)}, {})
                entry = [stamp, *_row_json(row)]
            files[draft_id] = entry
            rows.append(_row_from_json(draft_id, entry))
        if files != known:
            self._write(files)
        return rows, problems

    def _write(self, files: dict[str, list]) -> None:
        try:
            self.path.parent.mkdir(exist_ok=True)
            write_atomic(self.path, json.dumps(
                {"version": self.VERSION, "accounts": self.accounts_key, "files": files},
                ensure_ascii=False, separators=(",", ":")))
        except OSError:
            pass  # a read-only workspace lists slower, nothing else


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
    from publisher.services.drafts import locales_of

    loaded = context.drafts.load(draft_id)
    draft = loaded.draft
    states = {tag: draft.state(tag) for tag in locales_of(context, draft)}
    due = next_due_by_draft(context).get(draft_id)
    return DraftRow(draft.id, draft.title, draft.campaign, draft.accounts, draft.source,
                    draft.approved, states, due, loaded.digest)


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


def _keep(context: Context, name: str, data: bytes | str, now: datetime) -> Path:
    """Keep ``data`` under ``.publisher-kept/``, never over an earlier kept file."""
    folder = context.workspace.home / KEPT_DIR
    folder.mkdir(exist_ok=True)
    stem, dot, suffix = name.partition(".")
    stamp = f"{now.astimezone(UTC):%Y%m%dT%H%M%S}"
    for number in range(1, 1000):
        extra = f"-{number}" if number > 1 else ""
        path = folder / f"{stamp}-{stem}{extra}{dot}{suffix}"
        try:
            write_new(path, data)
            return path
        except FileExistsError:
            continue
    raise UserError(_("too many kept files of the same second"), where=str(folder))


def delete_draft(context: Context, draft_id: str, expected_digest: str, now: datetime) -> Path:
    """Remove a draft, keeping its last content under ``.publisher-kept/``.

    Refused while items of the draft wait in the queue (cancel them first),
    and when the file changed since the person saw it (ConflictError).
    """
    with open_queue(context) as queue:
        waiting = [i for i in queue.items(draft_id=draft_id) if i.state not in FINAL]
    if waiting:
        raise UserError(
            _("draft {id!r} has {count} item(s) in the queue").format(
                id=draft_id, count=len(waiting)),
            hint=_("cancel them in the queue first"),
        )
    return context.drafts.delete(
        draft_id, expected_digest=expected_digest,
        keep=lambda data: _keep(context, f"{draft_id}.toml", data, now))


# Saving an edit


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


@dataclass(frozen=True)
class SaveResult:
    loaded: LoadedDraft
    unapproved: bool  # the text changed, so the approval was withdrawn


def save_draft(
    context: Context, draft_id: str, expected_digest: str, edit: DraftEdit
) -> SaveResult:
    """Write an editor's changes to a draft in one atomic write.

    A changed translation records the (new) source text it was made from
    (``from_source``); a changed text or account list withdraws the approval,
    because only what was approved may be queued. Raises ConflictError when
    the file changed on disk since ``expected_digest``.
    """
    store = context.drafts
    where = store.where(store.path_of(draft_id))
    unapproved = False

    def apply(document: tomlkit.TOMLDocument, before: Draft) -> None:
        nonlocal unapproved
        texts = {tag: normalized_text(text) for tag, text in edit.texts.items()}
        source_text = texts.get(before.source, before.source_text)
        changed_text = _apply_texts(document, before, texts, edit.confirm, source_text)
        _apply_fields(document, edit)
        stored = {(m.file, tag): text for m in before.media for tag, text in m.alt.items()}
        for (file, locale), text in edit.alts.items():
            if stored.get((file, locale), "") != text:
                set_alt(document, file, locale, normalized_text(text), where=where)
        accounts_changed = edit.accounts is not None and tuple(edit.accounts) != before.accounts
        if before.approved and (changed_text or accounts_changed):
            document["approved"] = False
            unapproved = True

    loaded = store.rewrite(draft_id, expected_digest=expected_digest, change=apply)
    return SaveResult(loaded, unapproved)


def _apply_texts(
    document: tomlkit.TOMLDocument, before, texts: dict[str, str], confirm: set[str],
    source_text: str,
) -> bool:
    changed = False
    origin = fingerprint(source_text)
    for tag, text in texts.items():
        written = before.variants.get(tag)
        old = written.text if written else ""
        if text == old and tag not in confirm:
            continue
        if text == old and tag in confirm and written and written.from_source == origin:
            continue
        changed = changed or text != old
        stamp = None if tag == before.source else origin
        set_variant(document, tag, VariantEdit(text, stamp))
    return changed


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
    return _keep(context, f"{draft_id}-{label}.txt", text, now)


@dataclass(frozen=True)
class DraftFile:
    data: bytes
    digest: str  # of exactly these bytes: a save with it overwrites only this version


def draft_file(context: Context, draft_id: str) -> DraftFile:
    """A draft file's bytes as they are now, with their digest, from one read."""
    data = context.drafts.current_bytes(draft_id)
    return DraftFile(data, content_digest(data))


# Queue overview and a person's actions on it


@dataclass(frozen=True)
class QueueOverview:
    items: list[Item]
    freeze: Pause | None
    paused: dict[str, Pause]  # account id -> its pause
    holds: dict[str, AccountHold]


def queue_overview(
    context: Context, *, include_final: bool = False, recent_since: datetime | None = None
) -> QueueOverview:
    """The queue's items (sent, cancelled and expired ones only with ``include_final``,
    or when they became so after ``recent_since``), the freeze, pauses and holds."""
    with open_queue(context) as queue:
        items = queue.items()
        pauses = queue.pauses()
        holds = queue.holds()
    if not include_final:
        items = [item for item in items if item.state not in FINAL
                 or (recent_since is not None and item.updated_at >= recent_since)]
    freeze = pauses.pop(FREEZE, None)
    return QueueOverview(items, freeze, pauses, holds)


def fix_command(account_id: str, *, paused: bool, hold: AccountHold | None) -> str:
    """The command that gets a paused or held account sending again."""
    if hold is not None and hold.kind == "auth":
        return (f"publisher accounts login {account_id} && "
                f"publisher resume --account {account_id}")
    if paused:
        return f"publisher resume --account {account_id}"
    return ""


def publish_item_now(context: Context, item_id: int, clock: Callable[[], datetime]):
    """Send one item now: bypasses its time, never the freeze or a paused account.

    A failed, unknown or expired item is queued again first; a waiting one is
    brought forward. Returns the flush report of that one item.
    """
    from publisher.services import flush as flushing
    from publisher.services.queueing import retry_item

    now = clock()
    with open_queue(context) as queue:
        item = queue.get(item_id)
        pauses = queue.pauses()
        if item is None:
            raise UserError(_("no queue item {id}").format(id=item_id))
        if FREEZE in pauses or item.account_id in pauses or item.state == State.HELD:
            raise UserError(_("item {id} is held by a pause").format(id=item_id),
                            hint=_("resume first"))
        if item.state in PENDING and item.due_at > now:
            # Through "held" and back: the only legal way to change a waiting time,
            # and the history says who and why.
            why = _("a person asked to publish it now")
            queue.move(item_id, item.state, State.HELD, now=now, actor="person", reason=why,
                       held_by="pause")
            queue.move(item_id, State.HELD, State.QUEUED, now=now, actor="person", reason=why,
                       due_at=now, next_attempt_at=None)
    if item.state in NEEDS_PERSON | {State.EXPIRED}:
        retry_item(context, item_id, now)
    elif item.state not in PENDING:
        raise UserError(_("item {id} is {state}; nothing to publish").format(
            id=item_id, state=_(item.state.value)))
    return flushing.flush(context, clock=clock, only={item_id})


# Accounts


NO_EXPIRY = TokenStatus(None)


@dataclass(frozen=True)
class AccountRow:
    account: Account
    audience: str
    timezone: str
    secret_stored: bool | None  # None: the keyring cannot be asked
    paused: bool
    hold: AccountHold | None
    token: TokenStatus = NO_EXPIRY  # what the keyring says of its expiry

    @property
    def fix(self) -> str:
        return fix_command(self.account.id, paused=self.paused, hold=self.hold)


@dataclass(frozen=True)
class AccountsOverview:
    rows: list[AccountRow]
    # Tokens expired, or expiring within a week without renewing themselves: one line
    # each, with the command that fixes it.
    notices: list[str]


def accounts_overview(context: Context, clock: Callable[[], datetime]) -> AccountsOverview:
    """Every account with its audience, secret, pause, hold and token expiry (keyring
    only: no network)."""
    from publisher.services.secrets import has_secret
    from publisher.services.tokens import token_notices, token_status_of

    with open_queue(context) as queue:
        pauses = queue.pauses()
        holds = queue.holds()
    rows = []
    for account_id, account in sorted(context.accounts.items()):
        audience = context.audience_for(account)
        secret = has_secret(account_id) if account.needs_secret else None
        token = token_status_of(context, account_id, clock) if secret else NO_EXPIRY
        rows.append(AccountRow(account, audience.name, audience.timezone, secret,
                               account_id in pauses, holds.get(account_id), token))
    notices = [notice.message for notice in token_notices(context, clock)]
    return AccountsOverview(rows, notices)
