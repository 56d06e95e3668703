"""The journal: an append-only JSON-lines file beside the queue (``<home>/journal.jsonl``).

It says what was published and deleted again (and when the queue was created or
reset) in a second place, so that losing the queue file can never make the tool post a
draft again. One record per line, each written with a single ``write`` and
``fsync``ed before the call returns.

A crash in mid-write can leave a torn last line: readers ignore it, and the
next append repairs it first (an unterminated line that is a whole record
gets its newline; a fragment is cut off), under an exclusive lock so that two
writers never interleave.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.storage.atomic import sync_directory, write_atomic

QUEUE_CREATED = "queue-created"
JOURNAL_STARTED = "journal-started"  # an existing queue's sent items, copied in once
PUBLISHED = "published"
DELETED = "deleted"  # a published post deleted (retract, or a correction's repost)
QUEUE_RESET = "queue-reset"


@dataclass(frozen=True)
class Journal:
    path: Path

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def exists(self) -> bool:
        """Whether anything was ever written (an empty file says nothing)."""
        return self.size() > 0

    def append(self, *records: dict) -> None:
        """Append records, one line each, and make them durable before returning."""
        if not records:
            return
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _repair_tail(fd)
            while data:
                data = data[os.write(fd, data):]
            os.fsync(fd)
        finally:
            os.close(fd)  # releases the lock
        if created:
            sync_directory(self.path.parent)

    def records(self, start: int = 0) -> list[dict]:
        """Every record from byte ``start`` on (a whole line's start, else from 0)."""
        return self.read(start)[0]

    def read(self, start: int = 0) -> tuple[list[dict], int]:
        """The records from ``start`` on, and the offset after the last whole line."""
        try:
            with open(self.path, "rb") as file:
                if start:
                    file.seek(start - 1)
                    if file.read(1) != b"\n":  # not a line start: another journal's offset
                        start = 0
                file.seek(start)
                data = file.read()
        except FileNotFoundError:
            return [], 0
        *lines, tail = data.split(b"\n")
        records = []
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            record = _parse(line)
            if record is None:
                raise UserError(
                    _("this line is not a journal record"),
                    where=f"{self.path}:{self._line_number(start) + index + 1}",
                    hint=_("the journal is append-only: put back the line from a backup of it, "
                           "or delete the line if it never was a record"),
                )
            records.append(record)
        torn = _parse(tail) if tail.strip() else None
        if torn is not None:  # a whole record whose newline did not make it: it counts
            records.append(torn)
        return records, start + len(data) - len(tail)

    def copy_to(self, target: Path) -> None:
        """Write the journal's whole lines (not a torn last one) to ``target``, atomically."""
        _records, end = self.read()
        with open(self.path, "rb") as file:
            write_atomic(target, file.read(end))

    def _line_number(self, offset: int) -> int:
        if not offset:
            return 0
        with open(self.path, "rb") as file:
            return file.read(offset).count(b"\n")


def _parse(line: bytes) -> dict | None:
    try:
        record = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("event"), str):
        return None
    return record


def _repair_tail(fd: int) -> None:
    """Finish or cut off a torn last line, so that the next record starts a line."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    start = size
    while start > 0:  # back to the last newline, a block at a time
        block = os.pread(fd, min(4096, start), max(0, start - 4096))
        newline = block.rfind(b"\n")
        if newline >= 0:
            start = start - len(block) + newline + 1
            break
        start -= len(block)
    if _parse(os.pread(fd, size - start, start)) is not None:
        os.write(fd, b"\n")
    else:
        os.ftruncate(fd, start)
