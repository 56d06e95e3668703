"""Draft files: ``<home>/drafts/<id>.toml``, one draft per file.

Reading uses :mod:`tomllib` (fast, exact errors); writing edits the file's own
tomlkit document so that people's comments, key order and layout survive.
Every write is atomic and refuses to overwrite a file that changed on disk
since it was read (compared by content hash): no lost edits.

Every writer of a draft file, in any process (the TUI's save, a translations
import, approve, ``drafts new``, a duplicate, a delete), goes through this
store, which holds the workspace's drafts lock from reading the file's current
bytes until after its rename: comparing the hash and writing are one step, so
two writers can never both pass the comparison and one silently undo the other.
The lock is never held while a person edits, only for that one step.
"""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from publisher.domain.drafts import Draft, check_draft_id, parse_draft
from publisher.domain.errors import UserError
from publisher.domain.locales import fingerprint
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _
from publisher.storage.atomic import content_digest, sync_directory, write_atomic
from publisher.storage.bounded import decode_utf8, read_bounded
from publisher.storage.tomlfile import LineIndex, parse_toml
from publisher.storage.workspace import Workspace

# How long a writer waits for another one to finish before giving up. A write
# holds the lock for milliseconds; this bound only matters for a stuck process.
LOCK_WAIT_SECONDS = 10.0


class ConflictError(UserError):
    """The file changed on disk since it was read; nothing was written.

    One message for every writer: the TUI answers it with reload / keep-mine.
    """

    def __init__(self, where: str):
        super().__init__(
            _("changed on disk since it was read; nothing written"),
            where=where,
            hint=_("reload it and apply your change again"),
        )


@dataclass(frozen=True)
class LoadedDraft:
    draft: Draft
    path: Path
    digest: str


@dataclass(frozen=True)
class VariantEdit:
    """A new text for one locale; ``from_source`` None keeps the stored one, and so does
    None for a thread, first comment or content warning (an empty one removes it)."""

    text: str
    from_source: str | None = None
    thread: tuple[str, ...] | None = None
    first_comment: str | None = None
    content_warning: str | None = None


@dataclass(frozen=True)
class AccountTextEdit:
    """An account's own text in one locale (``[variants.L.accounts.ID]``); None keeps
    the stored thread, first comment or ``from_source``."""

    text: str
    thread: tuple[str, ...] | None = None
    first_comment: str | None = None
    from_source: str | None = None


@dataclass(frozen=True)
class DraftUpdate:
    """Field changes to one draft read at ``expected_digest``.

    ``alt_texts`` maps (media file, locale) to an alt text, ``account_texts``
    (locale, account id) to an account's own text.
    """

    expected_digest: str
    approved: bool | None = None
    variants: Mapping[str, VariantEdit] = field(default_factory=dict)
    alt_texts: Mapping[tuple[str, str], str] = field(default_factory=dict)
    account_texts: Mapping[tuple[str, str], AccountTextEdit] = field(default_factory=dict)
    # (video file, locale) -> (subtitle file, fingerprint of the source cues it translates)
    subtitles: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


# A change to a draft's TOML document, given the draft as it is in that same
# file. It may raise UserError to refuse; then nothing is written.
Change = Callable[[tomlkit.TOMLDocument, Draft], None]


class DraftStore:
    def __init__(
        self,
        workspace: Workspace,
        known_accounts: Iterable[str] | None = None,
        *,
        lock_wait: float = LOCK_WAIT_SECONDS,
    ):
        self.workspace = workspace
        self.folder = workspace.drafts_dir
        self.known_accounts = None if known_accounts is None else frozenset(known_accounts)
        self.lock_wait = lock_wait

    def path_of(self, draft_id: str) -> Path:
        return self.folder / f"{draft_id}.toml"

    def where(self, path: Path) -> str:
        return self.workspace.relative(path)

    def ids(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(path.stem for path in self.folder.glob("*.toml"))

    def stamps(self) -> dict[str, list[int]]:
        """Each draft file's id with its [mtime_ns, size], in id order, from one scan of
        the folder: what tells whether a file changed since it was read, unread."""
        stamps: dict[str, list[int]] = {}
        try:
            entries = os.scandir(self.folder)
        except OSError:
            return stamps
        with entries:
            for entry in entries:
                if entry.name.endswith(".toml") and entry.is_file():
                    stat = entry.stat()
                    stamps[entry.name[:-5]] = [stat.st_mtime_ns, stat.st_size]
        return dict(sorted(stamps.items()))

    # Reading

    def load(self, draft_id: str) -> LoadedDraft:
        return self._parse(draft_id, self.current_bytes(draft_id))

    def current_bytes(self, draft_id: str) -> bytes:
        """The draft file as it is now; a missing draft is a UserError."""
        check_draft_id(draft_id)
        path = self.path_of(draft_id)
        if not path.is_file():
            raise UserError(
                _("no draft {id!r}").format(id=draft_id),
                where=self.where(self.folder),
                remedy=Remedy(Fix.LIST_DRAFTS),
            )
        return read_bounded(path, self.where(path))  # a regular file, and not a huge one

    def _parse(self, draft_id: str, data: bytes) -> LoadedDraft:
        """The draft in ``data`` (one read of the file), with that data's digest."""
        path = self.path_of(draft_id)
        where = self.where(path)
        text = _decode(data, where)
        draft = parse_draft(
            draft_id,
            parse_toml(text, where),
            where=where,
            line_of=LineIndex(text),
            known_accounts=self.known_accounts,
        )
        return LoadedDraft(draft, path, content_digest(data))

    def load_all(self) -> tuple[list[LoadedDraft], list[UserError]]:
        """Every draft that loads, and one error per draft that does not.

        A broken file never stops the others from being listed.
        """
        loaded: list[LoadedDraft] = []
        errors: list[UserError] = []
        for draft_id in self.ids():
            try:
                loaded.append(self.load(draft_id))
            except UserError as error:
                errors.append(error)
        return loaded, errors

    # Writing: every write below holds the drafts lock from its read to its rename.

    def create(self, draft: Draft) -> Path:
        """Write the skeleton of a new draft (``drafts new``)."""
        return self.create_text(draft.id, skeleton_text(draft))

    def create_text(self, draft_id: str, text: str) -> Path:
        """Write a new draft file; refused if a draft of that id exists, even one
        another process (or a person's editor) created a moment ago."""
        check_draft_id(draft_id)
        path = self.path_of(draft_id)
        self._parse(draft_id, text.encode("utf-8"))  # never write what cannot be read back
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._write_lock():
            try:
                write_new(path, text)
            except FileExistsError:
                raise UserError(
                    _("draft {id!r} exists").format(id=draft_id),
                    where=self.where(path),
                    hint=_("pick another id"),
                ) from None
        return path

    def update(
        self,
        draft_id: str,
        *,
        expected_digest: str,
        approved: bool | None = None,
        variants: Mapping[str, VariantEdit] | None = None,
        alt_texts: Mapping[tuple[str, str], str] | None = None,
    ) -> LoadedDraft:
        """Change a draft's fields in place, keeping the rest of the file as it was.

        ``alt_texts`` maps (media file, locale) to an alt text. Raises
        :class:`ConflictError` if the file changed since ``expected_digest``.
        """
        update = DraftUpdate(expected_digest, approved, variants or {}, alt_texts or {})
        return self.update_many({draft_id: update})[draft_id]

    def update_many(self, updates: Mapping[str, DraftUpdate]) -> dict[str, LoadedDraft]:
        """Apply field changes to several drafts: all of them, or (on a conflict or
        an invalid result in any one) none."""
        return self.rewrite_many({
            draft_id: (update.expected_digest, self._fields_change(draft_id, update))
            for draft_id, update in updates.items()
        })

    def _fields_change(self, draft_id: str, update: DraftUpdate) -> Change:
        where = self.where(self.path_of(draft_id))

        def change(document: tomlkit.TOMLDocument, _draft: Draft) -> None:
            if update.approved is not None:
                document["approved"] = update.approved
            for locale, edit in update.variants.items():
                set_variant(document, locale, edit)
            for (file, locale), text in update.alt_texts.items():
                set_alt(document, file, locale, text, where=where)
            for (locale, account_id), own in update.account_texts.items():
                set_account_text(document, locale, account_id, own)
            for (file, locale), (subtitle, origin) in update.subtitles.items():
                set_subtitles(document, file, locale, subtitle, origin, where=where)

        return change

    def rewrite(self, draft_id: str, *, expected_digest: str | None,
                change: Change) -> LoadedDraft:
        """Apply ``change`` to the draft's document and write it back, as one step
        against every other writer.

        ``expected_digest`` is the digest of the file the change was decided on;
        ConflictError if the file is no longer that one. None: the change is decided
        on the file as it is under the lock (``change`` gets that draft), so no
        conflict is possible (approve).
        """
        return self.rewrite_many({draft_id: (expected_digest, change)})[draft_id]

    def rewrite_many(
        self, changes: Mapping[str, tuple[str | None, Change]]
    ) -> dict[str, LoadedDraft]:
        """:meth:`rewrite` for several drafts: every file is read, compared, changed
        and checked before the first one is written."""
        written: dict[str, LoadedDraft] = {}
        if not changes:
            return written
        with self._write_lock():
            planned = {
                draft_id: self._plan(draft_id, expected, change)
                for draft_id, (expected, change) in changes.items()
            }
            for draft_id, (new, after, unchanged) in planned.items():
                if not unchanged:
                    write_atomic(after.path, new)
                written[draft_id] = after
        return written

    def _plan(
        self, draft_id: str, expected: str | None, change: Change
    ) -> tuple[bytes, LoadedDraft, bool]:
        """The bytes the file gets, the draft they hold, and whether that is what the
        file holds already (the lock is held)."""
        current = self.current_bytes(draft_id)
        self._check_unchanged(draft_id, current, expected)
        before = self._parse(draft_id, current).draft
        document = tomlkit.parse(current.decode("utf-8"))
        change(document, before)
        new = tomlkit.dumps(document).encode("utf-8")
        after = self._parse(draft_id, new)  # never write what the tool could not read back
        return new, after, new == current

    def _check_unchanged(self, draft_id: str, current: bytes, expected: str | None) -> None:
        if expected is not None and content_digest(current) != expected:
            raise ConflictError(self.where(self.path_of(draft_id)))

    def delete(self, draft_id: str, *, expected_digest: str,
               keep: Callable[[bytes], Path]) -> Path:
        """Remove a draft file unless it changed since ``expected_digest``.

        ``keep`` gets its exact last bytes before the file goes (and returns where it
        kept them), so nothing is lost. Returns that place.
        """
        with self._write_lock():
            current = self.current_bytes(draft_id)
            self._check_unchanged(draft_id, current, expected_digest)
            kept = keep(current)
            path = self.path_of(draft_id)
            path.unlink()
            sync_directory(path.parent)
        return kept

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the drafts lock for a writer that puts whole checked files in place
        itself (a campaign pack's import), as one step against every other writer."""
        with self._write_lock():
            yield

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Hold the workspace's drafts lock (an OS lock: a killed writer frees it).

        One lock for the whole drafts folder rather than one per draft: a write
        holds it for milliseconds, so nobody waits noticeably; an import changes
        several drafts as one step; a create or delete needs no lock file named
        after a draft that does not exist (yet, or any more); and no lock files pile
        up among files people edit and keep in git.
        """
        fd = self._open_lock()
        try:
            self._acquire(fd)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _open_lock(self) -> int:
        path = self.workspace.drafts_lock_path
        # Read-only is enough to lock; 0o666 lets the umask decide who may share it;
        # never through a symlink someone planted.
        flags = os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            return os.open(path, flags, 0o666)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise UserError(
                    _("is a symbolic link; the drafts lock must be a plain file"),
                    where=self.where(path),
                    hint=_("remove the link; the next write makes the file"),
                ) from None
            raise UserError(
                _("cannot open the drafts lock: {error}").format(error=error.strerror),
                where=self.where(path),
            ) from None

    def _acquire(self, fd: int) -> None:
        deadline = time.monotonic() + self.lock_wait
        pause = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise UserError(
                        _("another process has been writing drafts for {seconds} s; "
                          "nothing written").format(seconds=f"{self.lock_wait:g}"),
                        where=self.where(self.workspace.drafts_lock_path),
                        hint=_("try again; if it stays busy, look for a stuck "
                               "publisher process"),
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.005)


def _decode(data: bytes, where: str) -> str:
    """UTF-8 text with universal newlines, as :func:`Path.read_text` gives it."""
    return decode_utf8(data, where).replace("\r\n", "\n").replace("\r", "\n")


def write_new(path: Path, data: str | bytes) -> None:
    """Write a file that must not exist yet, atomically; FileExistsError if it does.

    The data goes to a hidden temporary name first (never ``*.toml``, so it is never
    taken for a draft) and is published with a hard link, which, unlike a rename,
    fails when the name is taken: a file created meanwhile is never overwritten.
    """
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.new")
    write_atomic(temp, data)
    try:
        os.link(temp, path, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links: claim the name with an exclusive
        # create, then rename the data onto that (empty, own) claim.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        os.close(os.open(path, flags, 0o666))
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    sync_directory(path.parent)


def _multiline(text: str) -> tomlkit.items.String:
    # A multi-line TOML string reads "\r\n" back as "\n": such a text stays escaped.
    return tomlkit.string(text, multiline="\r" not in text)


# Editing a draft's TOML document in place (a Change given to DraftStore.rewrite):
# comments and key order survive.


def _variant_table(document: tomlkit.TOMLDocument, locale: str) -> Any:
    if "variants" not in document:
        document.add("variants", tomlkit.table(is_super_table=True))
    variants = document["variants"]
    if locale not in variants:
        variants[locale] = tomlkit.table()
    return variants[locale]


def _set_parts(table: Any, thread: tuple[str, ...] | None, **texts: str | None) -> None:
    """Set (or, when empty, remove) a thread and the single texts beside ``text``."""
    if thread is not None:
        if thread:
            parts = tomlkit.array()
            parts.extend(_multiline(part) for part in thread)
            parts.multiline(True)
            table["thread"] = parts
        elif "thread" in table:
            del table["thread"]
    for key, value in texts.items():
        if value is None:
            continue
        if value:
            table[key] = _multiline(value)
        elif key in table:
            del table[key]


def set_variant(document: tomlkit.TOMLDocument, locale: str, edit: VariantEdit) -> None:
    """Set ``[variants.<locale>] text`` (and ``from_source`` when the edit has one, and
    the thread, first comment and content warning it gives)."""
    table = _variant_table(document, locale)
    table["text"] = _multiline(edit.text)
    if edit.from_source is not None:
        table["from_source"] = edit.from_source
    _set_parts(table, edit.thread, first_comment=edit.first_comment,
               content_warning=edit.content_warning)


def set_account_text(document: tomlkit.TOMLDocument, locale: str, account_id: str,
                     edit: AccountTextEdit | None) -> None:
    """Set ``[variants.<locale>.accounts.<account_id>]``; None removes it."""
    table = _variant_table(document, locale)
    if edit is None:
        if "accounts" in table and account_id in table["accounts"]:
            del table["accounts"][account_id]
        return
    if "accounts" not in table:
        table.append("accounts", tomlkit.table(is_super_table=True))
    accounts = table["accounts"]
    if account_id not in accounts:
        accounts.append(account_id, tomlkit.table())
    own = accounts[account_id]
    own["text"] = _multiline(edit.text)
    _set_parts(own, edit.thread, first_comment=edit.first_comment)
    if edit.from_source is not None:
        own["from_source"] = edit.from_source


def set_alt(
    document: tomlkit.TOMLDocument, file: str, locale: str, text: str, *, where: str
) -> None:
    """Set the alt text of the ``[[media]]`` entry of ``file`` in ``locale``; a file the
    draft has no media entry for is a UserError at ``where``."""
    for table in document.get("media", []):
        if table.get("file") == file:
            if "alt" not in table:
                table["alt"] = tomlkit.table()
            table["alt"][locale] = text
            return
    raise UserError(_("no media {file!r} in this draft").format(file=file), where=where)


def set_subtitles(document: tomlkit.TOMLDocument, file: str, locale: str, subtitle: str,
                  origin: str, *, where: str) -> None:
    """Name the subtitle file of the video ``file`` in ``locale`` and the source cues it
    was translated from (``subtitles.<locale>``, ``subtitles_from.<locale>``)."""
    for table in document.get("media", []):
        if table.get("file") == file:
            for key, value in (("subtitles", subtitle), ("subtitles_from", origin)):
                if key in table:
                    table[key][locale] = value
                else:  # a dotted key, as people write it: subtitles_from.en = "..."
                    table.append(tomlkit.key([key, locale]), value)
            return
    raise UserError(_("no media {file!r} in this draft").format(file=file), where=where)


def skeleton_text(draft: Draft) -> str:
    """The file ``drafts new`` writes: every field named, with a comment."""
    title = tomlkit.string(draft.title).as_string()
    return (
        f"# Draft {draft.id}. Edit freely; see README.md \"Draft file\".\n"
        f"title = {title}\n"
        f"# campaign = \"DigitalKosovo\"\n"
        f"source = \"{draft.source}\"\n"
        f"accounts = []                             # ids from accounts.toml\n"
        f"# not_before = 2026-11-28T08:00:00+01:00  # embargo (optional)\n"
        f"# deadline = 2026-11-28T22:00:00+01:00    # (optional)\n"
        f"approved = false\n"
        f"\n"
        f"[variants.{draft.source}]\n"
        f"text = \"\"\"\"\"\"\n"
    )


def translation_edit(draft: Draft, text: str) -> VariantEdit:
    """A variant edit recording the draft's current source as its origin."""
    # The text alone: current only when the source has no other part (see
    # Draft.source_fingerprint).
    return VariantEdit(text=text, from_source=fingerprint(draft.source_text))
