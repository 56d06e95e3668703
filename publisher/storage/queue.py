"""The send queue and its history in one SQLite file (``<home>/queue.sqlite3``).

Every state change goes through :meth:`Queue.move`, which checks the move
against :mod:`publisher.domain.queue`, applies it only if the item is still in
the state the caller saw (compare-and-set), and appends a history row in the
same transaction. The history table is append-only and kept forever.

A queue that must exist (``create=False``: the workspace had one) is checked on
every open: a missing or empty file, one that is not a database, lacks the
queue's tables or is damaged raises :class:`QueueDamaged`, never an empty
queue in its place. Damage found later, mid-command, is reported the same way
by the ``with`` block.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, overload
from urllib.parse import quote

from publisher.domain.errors import UserError
from publisher.domain.posttypes import PartKind, PostOptions
from publisher.domain.queue import Action, State, check_movable, check_move
from publisher.domain.remedies import Fix, Remedy
from publisher.domain.results import Engagement
from publisher.i18n import _
from publisher.storage.atomic import create_missing, new_temporary, sync_directory

SCHEMA_VERSION = 9

# Migrations from the first release on: index i brings user_version i to i+1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE items (
        id              INTEGER PRIMARY KEY,
        draft_id        TEXT NOT NULL,
        account_id      TEXT NOT NULL,
        platform        TEXT NOT NULL,
        locales         TEXT NOT NULL,            -- JSON list, several when combined
        text            TEXT NOT NULL,            -- the snapshot that will be sent
        media           TEXT NOT NULL DEFAULT '[]',  -- JSON list of {file, alt, sha256}
        content_hash    TEXT NOT NULL,
        due_at          TEXT NOT NULL,            -- UTC, ISO 8601
        timezone        TEXT,                     -- the audience's zone, for display
        deadline        TEXT,                     -- UTC or NULL
        max_lateness_s  INTEGER NOT NULL DEFAULT 21600,
        state           TEXT NOT NULL,
        held_by         TEXT,                     -- freeze | pause | auth, while held
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        claim_token     TEXT,
        claimed_at      TEXT,
        lease_until     TEXT,
        idempotency_key TEXT NOT NULL UNIQUE,
        remote_id       TEXT,
        url             TEXT,
        last_error      TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    );
    CREATE INDEX items_by_state_due ON items (state, due_at);
    CREATE INDEX items_by_account ON items (account_id, state);
    CREATE TABLE history (
        id         INTEGER PRIMARY KEY,
        item_id    INTEGER NOT NULL REFERENCES items (id),
        at         TEXT NOT NULL,
        actor      TEXT NOT NULL,
        from_state TEXT,
        to_state   TEXT NOT NULL,
        reason     TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX history_by_item ON history (item_id, id);
    CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TABLE pauses (
        scope  TEXT PRIMARY KEY,                  -- '*' for the freeze, else an account id
        reason TEXT NOT NULL DEFAULT '',
        since  TEXT NOT NULL
    );
    CREATE TABLE account_holds (
        account_id TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,                 -- rate-limited | auth
        until      TEXT,                          -- NULL: until a person acts
        reason     TEXT NOT NULL DEFAULT ''
    );
    """,
    # 2: what an adapter noted between two calls of one publish (an Instagram
    # container id), keyed by the item's idempotency key.
    """
    CREATE TABLE checkpoints (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 3: what fixes the item's last error, as data (publisher.domain.remedies, JSON;
    # NULL for none): front ends say it their way, so last_error names no command.
    # Older rows keep NULL here and their last_error as it was written.
    """
    ALTER TABLE items ADD COLUMN remedy TEXT;
    """,
    # 4: a post's parts (a thread's replies, a first comment) are items of their own,
    # chained: chain_of is the first part's id (NULL for a first part), after the part
    # each waits for (sent first; NULL for a first part); part_no counts from 1 in the
    # chain, thread_parts is how many parts the thread has (the first comment apart).
    # options (JSON) and content_warning are what the post asks of its platform; ref is
    # what a reply needs of a sent part beside its id (Bluesky's cid). Older rows are
    # single posts: the defaults say so.
    """
    ALTER TABLE items ADD COLUMN part_kind TEXT NOT NULL DEFAULT 'post';
    ALTER TABLE items ADD COLUMN chain_of INTEGER REFERENCES items (id);
    ALTER TABLE items ADD COLUMN after INTEGER REFERENCES items (id);
    ALTER TABLE items ADD COLUMN part_no INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE items ADD COLUMN thread_parts INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE items ADD COLUMN options TEXT;
    ALTER TABLE items ADD COLUMN content_warning TEXT;
    ALTER TABLE items ADD COLUMN ref TEXT;
    CREATE INDEX items_by_chain ON items (chain_of, part_no);
    """,
    # 5: the link card read when the item was scheduled (JSON of CardSnapshot; NULL
    # for none; only a chain's first part has one), and whether the draft lets
    # platforms build their own link previews.
    """
    ALTER TABLE items ADD COLUMN card TEXT;
    ALTER TABLE items ADD COLUMN link_previews INTEGER NOT NULL DEFAULT 1;
    """,
    # 6: the crisis kit's steps. action: what the item does (post, or delete / edit a
    # post already sent); target: the sent item a step acts on, and for a repost or a
    # correction reply the item it corrects (NULL for a plain post). A step waits for
    # the item in ``after`` when given (children are deleted before their first post).
    # Older rows are posts: the defaults say so.
    """
    ALTER TABLE items ADD COLUMN action TEXT NOT NULL DEFAULT 'post';
    ALTER TABLE items ADD COLUMN target INTEGER REFERENCES items (id);
    CREATE INDEX items_by_target ON items (target);
    """,
    # 7: engagement of sent posts (``metrics collect``). One row per post and age read
    # (age: "1h", "24h", "7d"; collected_at: when it was read, which may be later); the
    # post's account, locales ("sq+en" when combined), draft, campaign and sent_at (UTC)
    # copied in, so that a report needs no other table. A count is NULL where the
    # platform does not report it. metrics_gone: posts the platform says no longer exist
    # (never read again). metrics_holds: an account's reading is rate-limited until a
    # time; apart from account_holds, so that collecting never holds a publication.
    """
    CREATE TABLE metrics (
        id           INTEGER PRIMARY KEY,
        item_id      INTEGER NOT NULL REFERENCES items (id),
        account_id   TEXT NOT NULL,
        locale       TEXT NOT NULL,
        draft_id     TEXT NOT NULL,
        campaign     TEXT,
        sent_at      TEXT NOT NULL,
        age          TEXT NOT NULL,
        collected_at TEXT NOT NULL,
        likes        INTEGER,
        reposts      INTEGER,
        replies      INTEGER,
        quotes       INTEGER,
        impressions  INTEGER,
        clicks       INTEGER,
        UNIQUE (item_id, age)
    );
    CREATE INDEX metrics_by_account ON metrics (account_id, sent_at);
    CREATE TABLE metrics_gone (
        item_id INTEGER PRIMARY KEY REFERENCES items (id),
        at      TEXT NOT NULL,
        reason  TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE metrics_holds (
        account_id TEXT PRIMARY KEY,
        until      TEXT NOT NULL,
        reason     TEXT NOT NULL DEFAULT ''
    );
    """,
    # 8: notifications (publisher.storage.notifications): one row per event, channel
    # and recipient (a login for e-mail, '' for the webhook), told at most once.
    """
    CREATE TABLE notifications (
        id              INTEGER PRIMARY KEY,
        event_key       TEXT NOT NULL,            -- kind:about:detail:fingerprint
        channel         TEXT NOT NULL,            -- email | webhook
        recipient       TEXT NOT NULL DEFAULT '',
        kind            TEXT NOT NULL,
        payload         TEXT NOT NULL,            -- JSON: subject, text, draft, item, people
        state           TEXT NOT NULL,            -- pending | sending | sent | failed | unknown
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,                     -- UTC; NULL: at the next run
        last_error      TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        UNIQUE (event_key, channel, recipient)
    );
    CREATE INDEX notifications_by_state ON notifications (state, next_attempt_at);
    """,
    # 9: who approved what, and who created and changed drafts through the tool
    # (publisher.domain.approvals), both append-only like the history. approvals: a
    # step taken (kind 'approved') or given back ('withdrawn', actor: who changed the
    # text), with the fingerprint of the texts and images it covers. draft_changes:
    # kind 'created' | 'edited' | 'imported', the locales whose texts changed (JSON
    # list), how (cli, tui, po, ...). Times are UTC, actors login names.
    """
    CREATE TABLE approvals (
        id          INTEGER PRIMARY KEY,
        draft_id    TEXT NOT NULL,
        step        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        actor       TEXT NOT NULL,
        at          TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        reason      TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX approvals_by_draft ON approvals (draft_id, id);
    CREATE TRIGGER approvals_are_append_only_update BEFORE UPDATE ON approvals
        BEGIN SELECT RAISE(ABORT, 'approvals are append-only'); END;
    CREATE TRIGGER approvals_are_append_only_delete BEFORE DELETE ON approvals
        BEGIN SELECT RAISE(ABORT, 'approvals are append-only'); END;
    CREATE TABLE draft_changes (
        id       INTEGER PRIMARY KEY,
        draft_id TEXT NOT NULL,
        kind     TEXT NOT NULL,
        locales  TEXT NOT NULL DEFAULT '[]',
        actor    TEXT NOT NULL,
        at       TEXT NOT NULL,
        how      TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX draft_changes_by_draft ON draft_changes (draft_id, id);
    CREATE TRIGGER draft_changes_are_append_only_update BEFORE UPDATE ON draft_changes
        BEGIN SELECT RAISE(ABORT, 'draft changes are append-only'); END;
    CREATE TRIGGER draft_changes_are_append_only_delete BEFORE DELETE ON draft_changes
        BEGIN SELECT RAISE(ABORT, 'draft changes are append-only'); END;
    """,
)

FREEZE = "*"
# The key in an item's ``options`` JSON that lets it through the freeze.
THROUGH_FREEZE = "through_freeze"
# The checkpoint that notes the last flush run (see Queue.note_flush).
LAST_FLUSH = "flush:last-run"
TABLES = frozenset({"items", "history", "pauses", "account_holds", "checkpoints", "metrics",
                    "metrics_gone", "metrics_holds", "notifications", "approvals",
                    "draft_changes"})
# SQLite's primary result codes for a damaged file and for one that is no database.
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def move_queue_file(path: Path, target: Path) -> None:
    """Move a queue file and its SQLite companions (each that exists) to ``target``."""
    for suffix in ("", *SQLITE_COMPANIONS):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, target.with_name(target.name + suffix))
    sync_directory(target.parent)


class QueueDamaged(UserError):
    """The queue file is missing, empty, not a queue or damaged: never taken as empty."""

    def __init__(self, path: Path, problem: str):
        super().__init__(problem, where=str(path), remedy=Remedy(Fix.RESTORE_QUEUE))


def is_damage(error: BaseException) -> bool:
    """Whether SQLite says the file is damaged or not a database at all."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.DatabaseError) and code is not None and (
        code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB))


def _not_a_database(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.DatabaseError) and code is not None and (
        code & 0xFF == _SQLITE_NOTADB)


def utc_text(moment: datetime) -> str:
    """Times are stored as fixed-width UTC text so that they sort as they compare."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime in the queue")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# What utc_text writes. Read back with fromisoformat, a few times faster than strptime
# (a queue scan reads seven times per item); any other text gets strptime's verdict.
_UTC_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@overload
def from_utc_text(text: str) -> datetime: ...
@overload
def from_utc_text(text: None) -> None: ...
@overload
def from_utc_text(text: str | None) -> datetime | None: ...
def from_utc_text(text: str | None) -> datetime | None:
    if text is None:
        return None
    if _UTC_TEXT.fullmatch(text):
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class SubtitleSnapshot:
    """A video's subtitles in one locale as scheduled: the file (under media/) and its
    SHA-256."""

    locale: str
    file: str
    sha256: str


@dataclass(frozen=True)
class MediaSnapshot:
    file: str
    alt: str
    sha256: str
    subtitles: tuple[SubtitleSnapshot, ...] = ()

    def to_json(self) -> dict[str, object]:
        """As the items table keeps it (an image's entry as it always was)."""
        value: dict[str, object] = {"file": self.file, "alt": self.alt, "sha256": self.sha256}
        if self.subtitles:
            value["subtitles"] = [s.__dict__ for s in self.subtitles]
        return value

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> MediaSnapshot:
        subtitles = tuple(SubtitleSnapshot(**s) for s in value.get("subtitles", ()))
        return cls(value["file"], value["alt"], value["sha256"], subtitles)


@dataclass(frozen=True)
class CardSnapshot:
    """A link card as scheduling read it: the page's words and its image, kept in the
    workspace (``media/.cards/<sha256>.<ext>``), shared by every item that links there."""

    url: str
    title: str
    description: str = ""
    image: str | None = None
    image_sha256: str = ""
    image_width: int | None = None
    image_height: int | None = None

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> CardSnapshot | None:
        return cls(**json.loads(text)) if text else None


@dataclass(frozen=True)
class NewItem:
    draft_id: str
    account_id: str
    platform: str
    locales: tuple[str, ...]
    text: str
    content_hash: str
    due_at: datetime
    idempotency_key: str
    media: tuple[MediaSnapshot, ...] = ()
    timezone: str | None = None
    deadline: datetime | None = None
    max_lateness_s: int = 6 * 3600
    # A later part of a chain: it follows the item added just before it in the same
    # Queue.add call, and belongs to the chain of that call's last first part.
    part_kind: PartKind = PartKind.POST
    part_no: int = 1
    thread_parts: int = 1
    options: PostOptions = field(default_factory=PostOptions)
    content_warning: str | None = None
    card: CardSnapshot | None = None
    link_previews: bool = True  # False: the draft said link_card = false
    # Sent during the freeze (``crisis use --through-freeze``): kept in ``options``.
    through_freeze: bool = False
    action: Action = Action.POST
    target: int | None = None
    # A first part (or a step) that waits for the item added just before it in the same
    # Queue.add call: a step deleting a thread's first post waits for its replies' steps,
    # a repost for the deletion of the post it replaces.
    after_previous: bool = False
    # Given: the chain and the part it answers are items sent before (a correction
    # posted as a reply under the post it corrects).
    chain_of: int | None = None
    after: int | None = None


@dataclass(frozen=True)
class Item:
    id: int
    draft_id: str
    account_id: str
    platform: str
    locales: tuple[str, ...]
    text: str
    media: tuple[MediaSnapshot, ...]
    content_hash: str
    due_at: datetime
    timezone: str | None
    deadline: datetime | None
    max_lateness_s: int
    state: State
    held_by: str | None
    attempts: int
    next_attempt_at: datetime | None
    claim_token: str | None
    claimed_at: datetime | None
    lease_until: datetime | None
    idempotency_key: str
    remote_id: str | None
    url: str | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    remedy: Remedy | None = None  # what fixes last_error (set and cleared with it)
    part_kind: PartKind = PartKind.POST
    chain_of: int | None = None  # the chain's first part (None: this is one)
    after: int | None = None  # the part this one waits for and replies to
    part_no: int = 1
    thread_parts: int = 1
    options: PostOptions = field(default_factory=PostOptions)
    content_warning: str | None = None
    ref: str | None = None  # beside remote_id, what a reply to it needs (Bluesky's cid)
    card: CardSnapshot | None = None  # the link card read at scheduling
    link_previews: bool = True
    through_freeze: bool = False  # the freeze does not hold it (a person said so)
    action: Action = Action.POST  # post, or delete / edit the sent item ``target``
    target: int | None = None  # the item a step acts on, or a repost or reply corrects

    @property
    def is_step(self) -> bool:
        """A deletion or an edit of a post already sent (the crisis kit), not a post."""
        return self.action != Action.POST

    @property
    def is_correction(self) -> bool:
        """A correction posted under a sent post (a reply or a comment): it names the
        part it corrects, in the chain it hangs under. A repost's parts name the old
        first post too, but hang under their own new first part, made after it."""
        return (self.action == Action.POST and self.target is not None
                and self.chain_of is not None and self.chain_of <= self.target)

    @property
    def chain_id(self) -> int:
        """The id of the chain's first part (its own for a first part)."""
        return self.chain_of if self.chain_of is not None else self.id

    @property
    def is_part(self) -> bool:
        """Whether the item is a thread's part or a first comment (a post alone with a
        first comment after it is not: only the queue knows of that comment)."""
        return self.chain_of is not None or self.thread_parts > 1


@dataclass(frozen=True)
class QueuedPost:
    """What an item posts where, without the rest of the item (cheap to read)."""

    draft_id: str
    account_id: str
    locales: tuple[str, ...]
    content_hash: str


@dataclass(frozen=True)
class HistoryRow:
    item_id: int
    at: datetime
    actor: str
    from_state: State | None
    to_state: State
    reason: str


@dataclass(frozen=True)
class AccountHold:
    account_id: str
    kind: str
    until: datetime | None
    reason: str


@dataclass(frozen=True)
class Pause:
    scope: str
    reason: str
    since: datetime


@dataclass(frozen=True)
class Reading:
    """A sent post's counts read at one age (a row of ``metrics``). ``locale``: the
    post's locales joined with "+" (a combined post has several); ``url``: where the
    post is, read from its item (not written with the reading)."""

    item_id: int
    account_id: str
    locale: str
    draft_id: str
    campaign: str | None
    sent_at: datetime
    age: str
    collected_at: datetime
    engagement: Engagement
    url: str | None = None


@dataclass(frozen=True)
class MeasuredPost:
    """A sent first part whose counts collection may read: the item, when it went out
    (its first move to ``sent``) and the ages read so far."""

    item: Item
    sent_at: datetime
    read_ages: frozenset[str]


@dataclass(frozen=True)
class MetricsHold:
    """Reading an account's counts waits until ``until`` (a rate limit). Apart from
    :class:`AccountHold`: it never holds a post."""

    account_id: str
    until: datetime
    reason: str


_COUNTS = ("likes", "reposts", "replies", "quotes", "impressions", "clicks")


@dataclass(frozen=True)
class FlushRun:
    """When a flush run ended (by its clock) and how many items it left in each state."""

    at: datetime
    outcomes: dict[str, int] = field(default_factory=dict)


_TIME_FIELDS = {
    "due_at", "deadline", "next_attempt_at", "claimed_at", "lease_until",
    "created_at", "updated_at",
}


def _item(row: sqlite3.Row) -> Item:
    return _item_of(dict(row))


def _item_of(values: dict[str, Any]) -> Item:
    for key in _TIME_FIELDS:
        values[key] = from_utc_text(values[key])
    values["locales"] = tuple(json.loads(values["locales"]))
    values["media"] = tuple(MediaSnapshot.from_json(m) for m in json.loads(values["media"]))
    values["state"] = State(values["state"])
    values["remedy"] = Remedy.from_json(values["remedy"])
    values["part_kind"] = PartKind(values["part_kind"])
    values["through_freeze"] = _through_freeze(values["options"])
    values["options"] = _options(values["options"])
    values["card"] = CardSnapshot.from_json(values["card"])
    values["link_previews"] = bool(values["link_previews"])
    values["action"] = Action(values["action"])
    return Item(**values)


def _through_freeze(text: str | None) -> bool:
    return bool(json.loads(text).get(THROUGH_FREEZE)) if text else False


def _options(text: str | None) -> PostOptions:
    if not text:
        return PostOptions()
    data = json.loads(text)
    return PostOptions(str(data.get("visibility", "public")), bool(data.get("silent")),
                       bool(data.get("pin")))


class StaleState(RuntimeError):
    """The item was not in the expected state: someone else moved it first."""


class QueueFileError(UserError):
    """SQLite could not use the queue file (damaged, read-only, a full disk, busy too
    long): one line naming the file and what to do, exit 2. The layers above never
    see sqlite3's own exceptions, at opening or in the middle of a command."""


def _file_error(path: Path, error: sqlite3.Error, opening: bool) -> UserError | None:
    """The one-line error for a fault of the file (QueueDamaged when it is damaged,
    else QueueFileError); None for a fault of the code (a constraint, a closed
    connection), which stays what it is: a bug to report."""
    name = getattr(error, "sqlite_errorname", None) or ""
    kind = next((kind for prefix, kind in _FILE_FAULTS if name.startswith(prefix)), None)
    if kind is None:
        return None
    if kind == "damaged":
        return QueueDamaged(path, _("the send queue is damaged: {error}").format(error=error))
    message, hint = {
        "read-only": (_("the send queue is read-only: {error}"),
                      _("make the file and its folder writable for the user running publisher")),
        "full": (_("the disk is full: {error}"), _("free some space, then run the command again")),
        "busy": (_("the send queue is busy: {error}"),
                 _("another publisher is writing to it; try again in a moment")),
        "system": (_("cannot open the send queue: {error}") if opening
                   else _("the send queue failed: {error}"),
                   _("check the file and its folder's permissions, or restore it from a backup")),
    }[kind]
    return QueueFileError(message.format(error=error), where=str(path), hint=hint)


_FILE_FAULTS = (
    ("SQLITE_READONLY", "read-only"), ("SQLITE_CORRUPT", "damaged"), ("SQLITE_NOTADB", "damaged"),
    ("SQLITE_FULL", "full"), ("SQLITE_BUSY", "busy"), ("SQLITE_LOCKED", "busy"),
    ("SQLITE_CANTOPEN", "system"), ("SQLITE_IOERR", "system"), ("SQLITE_PERM", "system"),
    ("SQLITE_NOLFS", "system"), ("SQLITE_PROTOCOL", "system"),
)

_Method = TypeVar("_Method", bound=Callable[..., Any])


def _reporting_file_errors(method: _Method) -> _Method:
    @functools.wraps(method)
    def call(self: Queue, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            translated = _file_error(self.path, error, method.__name__ == "__post_init__")
            if translated is None:
                raise
            raise translated from error

    return call  # type: ignore[return-value]


def _file_errors_reported(cls: type) -> type:
    """Every method and property of the queue raises QueueFileError for a fault of
    the file (methods added later included: the wrapping is by class, not by hand)."""
    for name, member in list(vars(cls).items()):
        if name.startswith("__") and name != "__post_init__":
            continue
        if isinstance(member, property) and member.fget is not None:
            setattr(cls, name, property(_reporting_file_errors(member.fget), member.fset))
        elif inspect.isfunction(member) and not hasattr(member, "__wrapped__"):
            setattr(cls, name, _reporting_file_errors(member))
    return cls


@_file_errors_reported
@dataclass
class Queue:
    path: Path
    # False: the file must already be a queue (the workspace had one); never create it.
    create: bool = True
    # Whether this open created the queue's tables in a new file.
    created: bool = field(init=False, default=False)
    _db: sqlite3.Connection = field(init=False, repr=False)
    # A commit made with durable=False that no sync has covered yet.
    _unsynced: bool = field(init=False, default=False, repr=False)

    def __post_init__(self) -> None:
        if not self.create:
            self._check_file()
        try:
            self._connect()
        except BaseException as error:
            with contextlib.suppress(AttributeError):
                self._db.close()
            if _not_a_database(error):
                raise QueueDamaged(self.path, _("the send queue is not a SQLite database")
                                   ) from None
            if is_damage(error):
                raise self._damaged(error) from None
            raise

    def _connect(self) -> None:
        if self.create:
            create_missing(self.path)  # with the umask's mode, which SQLite ignores
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        else:  # mode=rw: a file removed meanwhile is an error, not a new empty queue
            uri = f"file:{quote(str(self.path))}?mode=rw"
            self._db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
            if self.schema_version == 0:  # a database, but not a queue: change nothing
                raise QueueDamaged(self.path, _("the send queue lacks its tables ({names})")
                                   .format(names=", ".join(sorted(TABLES))))
        self._db.row_factory = sqlite3.Row
        self._use_wal()
        # FULL: a committed claim must survive a power cut, or an item that
        # went out could look unsent.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()
        self._check_tables()

    def _check_file(self) -> None:
        """What can be told before SQLite opens it (SQLite would take both as empty).

        Told from the file's size, never by opening it: closing any descriptor of the
        file drops every POSIX lock this process holds on it, those of SQLite's
        connections open in other threads included (SQLite's "How To Corrupt", 2.2);
        a file that is not a database is SQLite's to tell (see ``__post_init__``)."""
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            raise QueueDamaged(self.path, _("the send queue is missing")) from None
        if not size:
            raise QueueDamaged(self.path, _("the send queue is an empty file"))

    def _check_tables(self) -> None:
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        missing = TABLES - {row[0] for row in rows}
        if missing:
            raise QueueDamaged(self.path, _("the send queue lacks its tables ({names})").format(
                names=", ".join(sorted(missing))))

    def _damaged(self, error: BaseException) -> QueueDamaged:
        return QueueDamaged(self.path, _("the send queue is damaged: {error}").format(
            error=error))

    def _use_wal(self) -> None:
        # Switching a new file to WAL takes an exclusive lock and does not wait
        # on the busy timeout: another process doing it at the same moment
        # makes it fail at once. Wait a little and try again.
        for attempt in range(200):
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == 199:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        """Close the file, after making every commit durable (see :meth:`sync`)."""
        try:
            self.sync()
        finally:
            self._db.close()

    def __enter__(self) -> Queue:
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if error is None:
            self.close()
            return
        with contextlib.suppress(OSError):  # the error in flight is the one to report
            self.sync()
        self._db.close()
        if is_damage(error):
            raise self._damaged(error) from None

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front.

        Inside another one it joins it: a caller can read, decide and write
        several times under one lock, all or nothing.

        ``durable=False``: the commit is not synced to disk by itself (SQLite's
        synchronous=NORMAL). It is whole or absent after any crash, and a power cut
        before the next durable commit may undo it; that commit, :meth:`sync` or
        closing the queue makes it durable too (the WAL keeps commits in order).
        """
        if self._db.in_transaction:
            yield self._db
            return
        if not durable:
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._unsynced = True
        try:
            self._execute_reporting_file_errors("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                # SQLite has rolled back already after some faults (a full disk, a
                # damaged page); a second ROLLBACK would hide the first error behind
                # its own.
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self._execute_reporting_file_errors("COMMIT")
        finally:
            if not durable:
                self._db.execute("PRAGMA synchronous=FULL")

    def sync(self) -> None:
        """Make the commits made with ``durable=False`` durable now: sync the
        write-ahead log (``<queue>-wal``, SQLite's documented name), as a durable
        commit does. Without such commits, nothing to do."""
        if not self._unsynced:
            return
        try:
            fd = os.open(f"{self.path}-wal", os.O_RDONLY)
        except FileNotFoundError:  # checkpointed into the database file, which SQLite synced
            fd = None
        if fd is not None:
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        self._unsynced = False

    def _execute_reporting_file_errors(self, sql: str) -> None:
        self._db.execute(sql)  # wrapped by _file_errors_reported, like every method

    def _migrate(self) -> None:
        version = self.schema_version
        if version == SCHEMA_VERSION:
            return
        # The version is read again under the write lock: two processes opening
        # a new queue at once must not both create its tables.
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise QueueFileError(
                    _("written by a newer publisher (schema {version})").format(
                        version=version),
                    where=str(self.path), hint=_("upgrade publisher"))
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.created = version == 0

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    # Reading

    def get(self, item_id: int) -> Item | None:
        row = self._db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        return _item(row) if row else None

    def items(
        self,
        states: Iterable[State] | None = None,
        *,
        account_id: str | None = None,
        draft_id: str | None = None,
        steps: bool = False,
    ) -> list[Item]:
        """Items (in due order), posts only unless ``steps``: a deletion or an edit is no
        post of its own to schedule, count or journal."""
        sql, args = "SELECT * FROM items WHERE 1=1", []
        if not steps:
            sql += " AND action = 'post'"
        if states is not None:
            wanted = [str(state) for state in states]
            sql += f" AND state IN ({','.join('?' * len(wanted))})"
            args += wanted
        if account_id is not None:
            sql += " AND account_id = ?"
            args.append(account_id)
        if draft_id is not None:
            sql += " AND draft_id = ?"
            args.append(draft_id)
        sql += " ORDER BY due_at, id"
        return [_item(row) for row in self._db.execute(sql, args)]

    def posts(self, states: Iterable[State]) -> list[QueuedPost]:
        """What the items in ``states`` post, oldest first (no time is parsed)."""
        wanted = [str(state) for state in states]
        # An edit sends text too (checked against its draft like a post); a deletion none.
        rows = self._db.execute(
            "SELECT draft_id, account_id, locales, content_hash FROM items"
            f" WHERE state IN ({','.join('?' * len(wanted))}) AND action != 'delete'"
            " ORDER BY due_at, id", wanted)
        return [QueuedPost(draft, account, tuple(json.loads(locales)), content_hash)
                for draft, account, locales, content_hash in rows]

    def account_ids(self, states: Iterable[State]) -> set[str]:
        """The accounts that have items in ``states`` (no item is read)."""
        wanted = [str(state) for state in states]
        rows = self._db.execute(
            "SELECT DISTINCT account_id FROM items"
            f" WHERE state IN ({','.join('?' * len(wanted))})", wanted)
        return {row[0] for row in rows}

    def overdue(self, states: Iterable[State], now: datetime) -> list[Item]:
        """Items in ``states`` past their deadline, or due longer ago than their maximum
        lateness, at ``now``; oldest first. Only those are read: in a busy flush every
        due item would otherwise be read twice."""
        wanted = [str(state) for state in states]
        in_states = f"state IN ({','.join('?' * len(wanted))})"
        # due_at < now - lateness, compared as text (exact): one bound per lateness in use.
        latenesses = [row[0] for row in self._db.execute(
            f"SELECT DISTINCT max_lateness_s FROM items WHERE {in_states}", wanted)]
        bounds = [value for seconds in latenesses
                  for value in (seconds, utc_text(now - timedelta(seconds=seconds)))]
        late = " OR (max_lateness_s = ? AND due_at < ?)" * len(latenesses)
        # The crisis kit's steps never expire: a retraction or correction goes on.
        rows = self._db.execute(
            f"SELECT * FROM items WHERE {in_states} AND target IS NULL AND (deadline < ?{late})"
            " ORDER BY due_at, id", (*wanted, utc_text(now), *bounds))
        return [_item(row) for row in rows]

    def due(self, now: datetime) -> list[Item]:
        """Queued or retrying items whose time has come, oldest first."""
        moment = utc_text(now)
        rows = self._db.execute(
            "SELECT * FROM items WHERE state IN ('queued', 'retry') AND due_at <= ?"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY due_at, id",
            (moment, moment),
        )
        return [_item(row) for row in rows]

    def count_due(self, now: datetime) -> int:
        """How many items :meth:`due` would give (none is read)."""
        moment = utc_text(now)
        return self._db.execute(
            "SELECT COUNT(*) FROM items WHERE state IN ('queued', 'retry') AND due_at <= ?"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)", (moment, moment),
        ).fetchone()[0]

    def select(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query (the records beside the queue: storage.records)."""
        return self._db.execute(sql, args).fetchall()

    def history(self, item_id: int | None = None) -> list[HistoryRow]:
        sql = "SELECT * FROM history"
        args: tuple = ()
        if item_id is not None:
            sql += " WHERE item_id = ?"
            args = (item_id,)
        rows = self._db.execute(sql + " ORDER BY id", args)
        return [
            HistoryRow(
                row["item_id"], from_utc_text(row["at"]), row["actor"],
                State(row["from_state"]) if row["from_state"] else None,
                State(row["to_state"]), row["reason"],
            )
            for row in rows
        ]

    # Writing

    def add(self, new_items: Iterable[NewItem], *, now: datetime, actor: str,
            state: State = State.QUEUED, held_by: str | None = None,
            reason: str = "scheduled") -> list[int]:
        """Insert items and their first history rows in one transaction."""
        ids: list[int] = []
        stamp = utc_text(now)
        first: int | None = None
        with self.transaction() as db:
            for new in new_items:
                # A step, and a part given its chain (a correction's reply under a post
                # sent long ago), is no later part of this call's chain.
                later = (new.part_no > 1 and new.action == Action.POST
                         and new.chain_of is None)
                if later and first is None:
                    raise ValueError("a later part needs its first part in the same add")
                chain_of = new.chain_of if new.chain_of is not None else (
                    first if later else None)
                after = new.after if new.after is not None else (
                    ids[-1] if later or (new.after_previous and ids) else None)
                cursor = db.execute(
                    "INSERT INTO items (draft_id, account_id, platform, locales, text, media,"
                    " content_hash, due_at, timezone, deadline, max_lateness_s, state, held_by,"
                    " idempotency_key, created_at, updated_at, part_kind, chain_of, after,"
                    " part_no, thread_parts, options, content_warning, card, link_previews,"
                    f" action, target) VALUES ({', '.join('?' * 27)})",
                    (
                        new.draft_id, new.account_id, new.platform, json.dumps(new.locales),
                        new.text, json.dumps([m.to_json() for m in new.media]),
                        new.content_hash, utc_text(new.due_at), new.timezone,
                        utc_text(new.deadline) if new.deadline else None,
                        new.max_lateness_s, str(state), held_by, new.idempotency_key,
                        stamp, stamp, str(new.part_kind), chain_of, after, new.part_no,
                        new.thread_parts, _options_json(new.options, new.through_freeze),
                        new.content_warning or None,
                        new.card.to_json() if new.card else None, int(new.link_previews),
                        str(new.action), new.target,
                    ),
                )
                item_id = cursor.lastrowid
                assert item_id is not None  # an INSERT sets it
                if not later and new.action == Action.POST and new.chain_of is None:
                    first = item_id
                self._record(db, item_id, stamp, actor, None, state, reason)
                ids.append(item_id)
        return ids

    def later_parts(self, item: Item) -> list[Item]:
        """The parts of the item's chain that come after it, in order."""
        rows = self._db.execute(
            "SELECT * FROM items WHERE chain_of = ? AND part_no > ? ORDER BY part_no",
            (item.chain_id, item.part_no))
        return [_item(row) for row in rows]

    def move(
        self,
        item_id: int,
        expected: State,
        target: State,
        *,
        now: datetime,
        actor: str,
        reason: str = "",
        durable: bool = True,
        expected_due: datetime | None = None,
        **fields: Any,
    ) -> None:
        """Move one item from ``expected`` to ``target`` and record why.

        Raises :class:`StaleState` when the item is no longer in ``expected``
        (another process moved it), or no longer due at ``expected_due`` when
        given (a person gave it another time: the flush's claim passes the time
        it read), and IllegalMove for a move the state machine forbids.
        ``durable``: see :meth:`transaction`.
        """
        with self.transaction(durable=durable) as db:
            self._move(db, item_id, expected, target, now, actor, reason, fields,
                       expected_due)

    def _move(self, db, item_id, expected, target, now, actor, reason, fields,
              expected_due: datetime | None = None) -> None:
        check_move(expected, target)
        stamp = utc_text(now)
        values = {key: _column(value) for key, value in fields.items()}
        values.update(state=str(target), updated_at=stamp)
        if target != State.HELD:
            values.setdefault("held_by", None)
        assignments = ", ".join(f"{key} = ?" for key in values)
        condition, args = "id = ? AND state = ?", [item_id, str(expected)]
        if expected_due is not None:
            condition += " AND due_at = ?"
            args.append(utc_text(expected_due))
        cursor = db.execute(f"UPDATE items SET {assignments} WHERE {condition}",
                            (*values.values(), *args))
        if cursor.rowcount != 1:
            raise StaleState(f"item {item_id} is no longer {expected}")
        self._record(db, item_id, stamp, actor, expected, target, reason)

    def reschedule(self, item_id: int, expected: State, due_at: datetime, new_due: datetime,
                   *, now: datetime, actor: str, reason: str) -> None:
        """Give a waiting item (``expected``: queued or held) another time, and record the
        move in its history (its state stays).

        Compare-and-set on the state and the time the caller saw (``due_at``):
        :class:`StaleState` when a flush claimed it, a person cancelled or moved it
        meanwhile. A flush that read it as due before the move claims it only at the
        time it read (see :meth:`move`'s ``expected_due``), so a moved item goes out
        at its new time, never at both.
        """
        check_movable(expected)
        stamp = utc_text(now)
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE items SET due_at = ?, next_attempt_at = NULL, updated_at = ?"
                " WHERE id = ? AND state = ? AND due_at = ?",
                (utc_text(new_due), stamp, item_id, str(expected), utc_text(due_at)))
            if cursor.rowcount != 1:
                raise StaleState(f"item {item_id} is no longer {expected} at {due_at}")
            self._record(db, item_id, stamp, actor, expected, expected, reason)

    def move_many(
        self, moves: Iterable[tuple[int, State, State, str, dict]], *, now: datetime, actor: str
    ) -> int:
        """Several moves in one transaction; items that moved meanwhile are skipped."""
        done = 0
        with self.transaction() as db:
            for item_id, expected, target, reason, fields in moves:
                try:
                    self._move(db, item_id, expected, target, now, actor, reason, fields)
                    done += 1
                except StaleState:
                    continue
        return done

    @staticmethod
    def _record(db, item_id, stamp, actor, from_state, to_state, reason) -> None:
        db.execute(
            "INSERT INTO history (item_id, at, actor, from_state, to_state, reason)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (item_id, stamp, actor, str(from_state) if from_state else None, str(to_state),
             reason),
        )

    # Pauses (the freeze and paused accounts) and account holds

    def pauses(self) -> dict[str, Pause]:
        rows = self._db.execute("SELECT * FROM pauses")
        return {
            row["scope"]: Pause(row["scope"], row["reason"], from_utc_text(row["since"]))
            for row in rows
        }

    def set_pause(self, scope: str, reason: str, now: datetime) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO pauses (scope, reason, since) VALUES (?, ?, ?)"
                " ON CONFLICT (scope) DO UPDATE SET reason = excluded.reason",
                (scope, reason, utc_text(now)),
            )

    def clear_pause(self, scope: str) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM pauses WHERE scope = ?", (scope,)).rowcount > 0

    def holds(self) -> dict[str, AccountHold]:
        rows = self._db.execute("SELECT * FROM account_holds")
        return {
            row["account_id"]: AccountHold(
                row["account_id"], row["kind"], from_utc_text(row["until"]), row["reason"]
            )
            for row in rows
        }

    def set_hold(self, hold: AccountHold) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO account_holds (account_id, kind, until, reason) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (account_id) DO UPDATE SET kind = excluded.kind,"
                " until = excluded.until, reason = excluded.reason",
                (hold.account_id, hold.kind, utc_text(hold.until) if hold.until else None,
                 hold.reason),
            )

    def clear_hold(self, account_id: str) -> bool:
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM account_holds WHERE account_id = ?", (account_id,))
            return cursor.rowcount > 0

    # Engagement (metrics collect, the report)

    def measurable(self, since: datetime) -> list[MeasuredPost]:
        """Sent first parts (posts, not replies or comments) with a remote id, sent at or
        after ``since``, neither gone nor deleted by a retraction; oldest first."""
        rows = self._db.execute(
            "SELECT * FROM (SELECT i.*,"
            " (SELECT MIN(h.at) FROM history h WHERE h.item_id = i.id AND h.to_state = 'sent')"
            "   AS metrics_sent_at,"
            " (SELECT group_concat(m.age, ' ') FROM metrics m WHERE m.item_id = i.id)"
            "   AS metrics_ages"
            " FROM items i WHERE i.state = 'sent' AND i.action = 'post' AND i.chain_of IS NULL"
            " AND i.remote_id IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM metrics_gone g WHERE g.item_id = i.id)"
            " AND NOT EXISTS (SELECT 1 FROM items d WHERE d.target = i.id"
            "                 AND d.action = 'delete' AND d.state = 'sent'))"
            " WHERE metrics_sent_at >= ? ORDER BY metrics_sent_at, id", (utc_text(since),))
        found = []
        for row in rows:
            values = dict(row)
            sent_at = from_utc_text(values.pop("metrics_sent_at"))
            ages = frozenset((values.pop("metrics_ages") or "").split())
            found.append(MeasuredPost(_item_of(values), sent_at, ages))
        return found

    def add_reading(self, reading: Reading) -> None:
        """Keep one reading (a second one of the same post and age is ignored)."""
        counts = reading.engagement.as_dict()
        with self.transaction(durable=False) as db:
            db.execute(
                "INSERT INTO metrics (item_id, account_id, locale, draft_id, campaign, sent_at,"
                f" age, collected_at, {', '.join(_COUNTS)}) VALUES ({', '.join('?' * 14)})"
                " ON CONFLICT (item_id, age) DO NOTHING",
                (reading.item_id, reading.account_id, reading.locale, reading.draft_id,
                 reading.campaign, utc_text(reading.sent_at), reading.age,
                 utc_text(reading.collected_at), *(counts[name] for name in _COUNTS)))

    def readings(self, account_id: str | None = None) -> list[Reading]:
        """Every reading (of one account), by the post's sending time, then item, then
        when it was read."""
        sql = ("SELECT m.*, i.url AS url FROM metrics m LEFT JOIN items i ON i.id = m.item_id")
        args: tuple = ()
        if account_id is not None:
            sql += " WHERE m.account_id = ?"
            args = (account_id,)
        rows = self._db.execute(sql + " ORDER BY m.sent_at, m.item_id, m.collected_at", args)
        return [Reading(row["item_id"], row["account_id"], row["locale"], row["draft_id"],
                        row["campaign"], from_utc_text(row["sent_at"]), row["age"],
                        from_utc_text(row["collected_at"]),
                        Engagement(**{name: row[name] for name in _COUNTS}), row["url"])
                for row in rows]

    def mark_gone(self, item_id: int, now: datetime, reason: str) -> None:
        """The post is gone from its platform: collection never reads it again."""
        with self.transaction(durable=False) as db:
            db.execute("INSERT INTO metrics_gone (item_id, at, reason) VALUES (?, ?, ?)"
                       " ON CONFLICT (item_id) DO NOTHING", (item_id, utc_text(now), reason))

    def gone(self) -> dict[int, str]:
        """Posts found gone when their counts were read: item id -> why."""
        return {row[0]: row[1] for row in self._db.execute(
            "SELECT item_id, reason FROM metrics_gone")}

    def metrics_holds(self) -> dict[str, MetricsHold]:
        rows = self._db.execute("SELECT * FROM metrics_holds")
        return {row["account_id"]: MetricsHold(row["account_id"], from_utc_text(row["until"]),
                                               row["reason"]) for row in rows}

    def set_metrics_hold(self, hold: MetricsHold) -> None:
        with self.transaction(durable=False) as db:
            db.execute(
                "INSERT INTO metrics_holds (account_id, until, reason) VALUES (?, ?, ?)"
                " ON CONFLICT (account_id) DO UPDATE SET until = excluded.until,"
                " reason = excluded.reason",
                (hold.account_id, utc_text(hold.until), hold.reason))

    def clear_metrics_hold(self, account_id: str) -> None:
        with self.transaction(durable=False) as db:
            db.execute("DELETE FROM metrics_holds WHERE account_id = ?", (account_id,))

    # Checkpoints

    def checkpoint(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM checkpoints WHERE key = ?", (key,)).fetchone()
        return None if row is None else row["value"]

    def set_checkpoint(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO checkpoints (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (key, value, utc_text(datetime.now(UTC))),
            )

    # The last flush run

    def note_flush(self, run: FlushRun) -> None:
        """Note a flush run's end (one row, replaced by the next run's). Written without
        a sync of its own: a power cut may lose the note, which only says when the last
        run was; the run's next durable commit, or any later one, syncs it."""
        unsynced = self._unsynced
        value = json.dumps({"at": utc_text(run.at), "outcomes": run.outcomes}, sort_keys=True)
        with self.transaction(durable=False) as db:
            db.execute(
                "INSERT INTO checkpoints (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (LAST_FLUSH, value, utc_text(run.at)),
            )
        self._unsynced = unsynced

    def last_flush(self) -> FlushRun | None:
        """The last flush run noted, or None (none yet, or a note this version cannot
        read)."""
        text = self.checkpoint(LAST_FLUSH)
        try:
            data = json.loads(text or "")
            outcomes = {str(state): int(count) for state, count in data["outcomes"].items()}
            at = from_utc_text(str(data["at"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        return None if at is None else FlushRun(at, outcomes)

    def checkpoints(self) -> QueueCheckpoints:
        return QueueCheckpoints(self)

    # Backups

    def backup_to(self, target: Path) -> None:
        """Copy the queue to ``target`` with SQLite's online backup API.

        The copy is one consistent snapshot even while other processes write
        (it is taken in one step under a read transaction), becomes a single
        self-contained file (rollback journal, no -wal beside it), passes
        ``quick_check``, and only then is renamed into place: never a half backup.
        """
        temp = new_temporary(target)  # the umask's mode, like every file the tool writes
        try:
            copy = sqlite3.connect(temp, isolation_level=None)
            try:
                self._db.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
                verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                copy.close()
            if verdict != "ok":
                raise self._damaged(RuntimeError(verdict))
            fd = os.open(temp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        sync_directory(target.parent)


@dataclass
class QueueCheckpoints:
    """Adapters' durable notes (see ``publisher.platforms.base.Checkpoints``).

    Each ``set`` commits at once (synchronous=FULL), so a note written before
    a platform call survives a crash during that call.
    """

    queue: Queue

    def get(self, key: str) -> str | None:
        return self.queue.checkpoint(key)

    def set(self, key: str, value: str) -> None:
        self.queue.set_checkpoint(key, value)


def _options_json(options: PostOptions, through_freeze: bool = False) -> str | None:
    """NULL for the defaults (most posts); else the options as JSON, with the freeze's
    exemption when the item has one (a key, not a column: no new schema for a flag that
    only the flush reads)."""
    if options == PostOptions() and not through_freeze:
        return None
    data: dict[str, object] = {"visibility": options.visibility, "silent": options.silent,
                               "pin": options.pin}
    if through_freeze:
        data[THROUGH_FREEZE] = True
    return json.dumps(data)


def _column(value: object) -> object:
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, Remedy):
        return value.to_json()
    if isinstance(value, State):
        return str(value)
    return value


def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.execute runs one at a time)."""
    statements, buffer = [], []
    for line in script.splitlines():
        buffer.append(line)
        candidate = "\n".join(buffer).strip()
        if candidate and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buffer = []
    return statements
