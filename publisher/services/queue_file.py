"""The queue file's safety: opening it, the journal beside it, backups and resets.

The journal (``<home>/journal.jsonl``, append-only) records when the queue was
created or reset and every post that went out. It is how the tool knows:

- that the workspace has had a queue, so a missing, empty or damaged queue
  file stops every command (exit 2) instead of being taken as an empty queue;
- what was published even when the queue is lost or reset, so a draft already
  published on an account is not scheduled there again unless a person says
  ``--again``;
- what went out after a backup was taken, so a restored backup marks those
  items sent instead of sending them again.

A workspace without a journal (new, or from before the journal) creates a
missing queue as before; an existing queue's sent items start its journal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher.domain.errors import UserError
from publisher.domain.queue import Action, State
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _
from publisher.services.context import Context
from publisher.storage.journal import (
    DELETED,
    JOURNAL_STARTED,
    PUBLISHED,
    QUEUE_CREATED,
    QUEUE_RESET,
    Journal,
)
from publisher.storage.lock import FileLock, Locked
from publisher.storage.queue import Item, Queue, QueueDamaged, move_queue_file

if TYPE_CHECKING:
    from publisher.platforms.base import Published

# How far into the journal the queue has caught up (a byte offset), kept in the queue.
CAUGHT_UP = "journal:caught-up-to"
JOURNAL_ACTOR = "journal"
# From each state an item can be in, the legal moves that end in `sent`.
TO_SENT: dict[State, tuple[State, ...]] = {
    State.SENDING: (State.SENT,),
    State.UNKNOWN: (State.SENT,),
    State.QUEUED: (State.SENDING, State.SENT),
    State.RETRY: (State.SENDING, State.SENT),
    State.HELD: (State.QUEUED, State.SENDING, State.SENT),
    State.FAILED: (State.QUEUED, State.SENDING, State.SENT),
    State.EXPIRED: (State.QUEUED, State.SENDING, State.SENT),
}


def journal_of(context: Context) -> Journal:
    return Journal(context.workspace.journal_path)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


# Opening


def open_queue(context: Context, *, flush_lock_held: bool = False,
               catch_up: bool = True) -> Queue:
    """Open the workspace's queue, refusing one that was lost (see the module's notes).

    ``flush_lock_held``: the caller (the flush) holds the flush lock, so the
    queue may catch up with the journal before anything is sent. ``catch_up`` False:
    leave that to the next command (``metrics collect`` never takes the flush lock,
    not even for a moment, lest a flush starting then give up).
    """
    journal = journal_of(context)
    had_queue = journal.exists()
    path = context.workspace.queue_path
    # A file SQLite cannot use is a UserError from the storage layer (QueueDamaged or
    # QueueFileError), at opening and in any later call.
    queue = Queue(path, create=not had_queue)
    with _closed_on_error(queue):
        if queue.created:
            journal.append({"event": QUEUE_CREATED, "at": _stamp(datetime.now(UTC))})
        elif not had_queue:
            _start_journal(queue, journal)
        if catch_up:
            _catch_up(context, queue, journal, flush_lock_held)
    return queue


@contextlib.contextmanager
def _closed_on_error(queue: Queue):
    try:
        yield
    except BaseException as error:
        queue.__exit__(type(error), error, None)  # closes; damage becomes QueueDamaged
        raise


def _start_journal(queue: Queue, journal: Journal) -> None:
    """A queue from before the journal: its sent items start the journal, once."""
    with queue.transaction():  # two processes opening it at once: the second finds it done
        if journal.exists():
            return
        sent = queue.items([State.SENT])
        journal.append({"event": JOURNAL_STARTED, "at": _stamp(datetime.now(UTC))},
                       *(_record(item, item.remote_id, item.url, item.updated_at, item.ref)
                         for item in sent))
        queue.set_checkpoint(CAUGHT_UP, str(journal.size()))


def _catch_up(context: Context, queue: Queue, journal: Journal, lock_held: bool) -> None:
    """Mark sent what the journal says went out and the queue does not know: a backup
    restored over a newer queue. Only under the flush lock (never while a flush sends:
    the journal runs a moment ahead of the queue then); if a flush holds it, that
    flush caught up when it started."""
    start = int(queue.checkpoint(CAUGHT_UP) or 0)
    if journal.size() == start:
        return
    records, end = journal.read(start)
    if _behind(queue, records):
        if not lock_held:
            try:
                with FileLock(context.workspace.lock_path):
                    _mark_published(queue, journal, start)
            except Locked:
                pass
            return
        _mark_published(queue, journal, start)
        return
    queue.set_checkpoint(CAUGHT_UP, str(end))


def catch_up_with_journal(context: Context, queue: Queue) -> None:
    """The flush, before it lets go of the lock: the queue notes that it has caught up
    with the journal lines this run wrote, so that the next command, which may be
    refused, finds nothing to write."""
    _catch_up(context, queue, journal_of(context), lock_held=True)


def _published_keys(records: Iterable[dict]) -> dict[str, dict]:
    return {r["key"]: r for r in records
            if r["event"] == PUBLISHED and isinstance(r.get("key"), str)}


def _behind(queue: Queue, records: list[dict]) -> list[tuple[Item, dict]]:
    """Items not sent that the journal says were published."""
    published = _published_keys(records)
    if not published:
        return []
    return [(item, published[item.idempotency_key]) for item in queue.items(TO_SENT.keys())
            if item.idempotency_key in published]


def _mark_published(queue: Queue, journal: Journal, start: int) -> None:
    with queue.transaction():  # read again under the write lock
        records, end = journal.read(start)
        for item, record in _behind(queue, records):
            _move_to_sent(queue, item, record)
        queue.set_checkpoint(CAUGHT_UP, str(end))


def _move_to_sent(queue: Queue, item: Item, record: dict) -> None:
    at = _parse_time(record.get("at")) or item.updated_at
    reason = _("the journal says it was published at {at}; not sent again").format(
        at=_when(at))
    state = item.state
    for target in TO_SENT[state]:
        fields: dict[str, Any] = {}
        if target == State.SENT:
            fields = {"remote_id": record.get("remote_id"), "url": record.get("url"),
                      "ref": record.get("ref"), "last_error": None}
        queue.move(item.id, state, target, now=at, actor=JOURNAL_ACTOR, reason=reason,
                   **fields)
        state = target


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# What was published


def _record(item: Item, remote_id: str | None, url: str | None, at: datetime,
            ref: str | None = None) -> dict:
    record = {
        "event": PUBLISHED, "at": _stamp(at), "draft": item.draft_id,
        "account": item.account_id, "locales": list(item.locales), "item": item.id,
        "key": item.idempotency_key, "remote_id": remote_id, "url": url,
        "content_hash": item.content_hash,
    }
    if ref is not None:  # what a reply to it needs, should the queue be restored
        record["ref"] = ref
    if item.is_part:
        record.update(part=item.part_no, kind=str(item.part_kind))
    return record


def record_published(
    context: Context, item: Item, published: Published, at: datetime
) -> None:
    """Write down that an item went out. The flush calls it BEFORE it marks the item
    sent: a crash between the two leaves the journal saying it went out (no repost)
    and the item `sending` (the next flush asks the platform), never the reverse.
    """
    journal_of(context).append(_record(item, published.remote_id, published.url, at,
                                       published.ref))


def record_deleted(context: Context, step: Item, target: Item, at: datetime) -> None:
    """Write down that a published post was deleted (``step`` deleted ``target``), so
    that after a queue reset its draft no longer counts as published there."""
    journal_of(context).append({
        "event": DELETED, "at": _stamp(at), "draft": target.draft_id,
        "account": target.account_id, "locales": list(target.locales), "item": step.id,
        "key": target.idempotency_key, "remote_id": target.remote_id, "url": target.url})


@dataclass(frozen=True)
class PublishedPost:
    draft_id: str
    account_id: str
    at: datetime
    url: str | None


class AlreadyPublished(UserError):
    """A draft was published on an account before; queueing it there again is asked for
    on purpose."""

    def __init__(self, post: PublishedPost):
        super().__init__(
            _("{id} was already published on {account} at {at} ({url})").format(
                id=post.draft_id, account=post.account_id, at=_when(post.at),
                url=post.url or "-"),
            remedy=Remedy(Fix.SCHEDULE_AGAIN, draft=post.draft_id),
        )


def published_posts(
    context: Context, queue: Queue, draft_ids: Collection[str] | None = None
) -> dict[tuple[str, str], PublishedPost]:
    """(draft, account) -> its latest publication still out, from the journal and the
    queue: a post deleted since (the journal's or the queue's deletion) does not count."""
    found: dict[tuple[str, str], PublishedPost] = {}
    records = journal_of(context).records()
    sent = queue.items([State.SENT], steps=True) if draft_ids is None else [
        item for draft_id in draft_ids
        for item in queue.items([State.SENT], draft_id=draft_id, steps=True)]
    by_id = {item.id: item for item in sent}
    deleted = {r["key"] for r in records if r["event"] == DELETED and isinstance(r.get("key"), str)}
    deleted |= {by_id[step.target].idempotency_key for step in sent
                if step.action == Action.DELETE and step.target in by_id}

    def note(post: PublishedPost, key: object) -> None:
        where = (post.draft_id, post.account_id)
        if key not in deleted and (where not in found or found[where].at < post.at):
            found[where] = post

    for record in records:
        draft_id, account_id = record.get("draft"), record.get("account")
        if record["event"] != PUBLISHED or not isinstance(draft_id, str):
            continue
        if draft_ids is not None and draft_id not in draft_ids:
            continue
        at = _parse_time(record.get("at")) or datetime.min.replace(tzinfo=UTC)
        note(PublishedPost(draft_id, str(account_id), at, record.get("url")), record.get("key"))
    for item in sent:
        if not item.is_step:
            note(PublishedPost(item.draft_id, item.account_id, item.updated_at, item.url),
                 item.idempotency_key)
    return found


def refuse_published(
    published: dict[tuple[str, str], PublishedPost], draft_id: str, account_ids: Iterable[str]
) -> None:
    """Raise :class:`AlreadyPublished` for the first account the draft went out on."""
    for account_id in account_ids:
        post = published.get((draft_id, account_id))
        if post is not None:
            raise AlreadyPublished(post)


# Backups and resets


@dataclass(frozen=True)
class Backup:
    queue: Path
    journal: Path


def backup(context: Context, out: Path | None, now: datetime) -> Backup:
    """A consistent copy of the queue (SQLite's online backup) and, beside it, of the
    journal (taken after the queue, so it knows at least what the copy says was sent)."""
    workspace = context.workspace
    if out is None:
        target = workspace.backup_file(f"queue-{now.astimezone(UTC):%Y%m%d-%H%M%S}.sqlite3")
    else:
        target = workspace.check_output_path(out)
    journal_copy = target.with_name(target.stem + ".journal.jsonl")
    if out is not None:
        workspace.check_output_path(journal_copy)
    with open_queue(context) as queue:
        queue.backup_to(target)
    journal_of(context).copy_to(journal_copy)
    return Backup(target, journal_copy)


@dataclass(frozen=True)
class Reset:
    kept: Path | None  # where the old queue file went
    published: int  # posts the journal knows, which are not posted again


def reset_queue(context: Context, now: datetime) -> Reset:
    """Start an empty queue on purpose. The old file is kept in backups/ (never
    deleted); its sent items are added to the journal first if it can still be read."""
    workspace = context.workspace
    journal = journal_of(context)
    path = workspace.queue_path
    try:
        with FileLock(workspace.lock_path):
            kept = _set_aside(context, now) if path.exists() else None
            with Queue(path) as fresh:
                journal.append({"event": QUEUE_RESET, "at": _stamp(now),
                                "kept": workspace.relative(kept) if kept else None})
                fresh.set_checkpoint(CAUGHT_UP, str(journal.size()))
    except Locked:
        raise UserError(_("a flush is running"),
                        hint=_("stop cron's flush, then try again")) from None
    return Reset(kept, len(_published_keys(journal.records())))


def _set_aside(context: Context, now: datetime) -> Path:
    """Move the old queue file (and its SQLite companions) into backups/."""
    workspace = context.workspace
    path = workspace.queue_path
    _journal_sent_items(path, journal_of(context))
    kept = workspace.backup_file(f"queue-reset-{now.astimezone(UTC):%Y%m%d-%H%M%S}.sqlite3")
    move_queue_file(path, kept)
    return kept


def _journal_sent_items(path: Path, journal: Journal) -> None:
    """Sent items of the old queue that the journal lacks (if the file can be read)."""
    try:
        with Queue(path, create=False) as old:
            sent = old.items([State.SENT])
    except QueueDamaged:
        return
    known = _published_keys(journal.records())
    journal.append(*(_record(item, item.remote_id, item.url, item.updated_at, item.ref)
                     for item in sent if item.idempotency_key not in known))
