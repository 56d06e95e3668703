"""Cheap signs that the workspace changed: the queue's commit counter, files' stamps.

Nothing here reads what changed; a reader compares two stamps and reads again
(through the services) only when they differ. Every function is safe to call
every second: a stat per file, one ``PRAGMA`` on a connection kept open.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

Stamp = tuple[int, ...]  # what tells one state of a file from another; () for none
MISSING: Stamp = ()


def file_stamp(path: Path) -> Stamp:
    """The file's identity, modification time and size (an atomic rewrite changes the
    identity, an edit in place the time or size); MISSING when it is not there."""
    try:
        stat = os.stat(path)
    except OSError:
        return MISSING
    return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)


def folder_stamp(folder: Path, suffix: str) -> int:
    """One number for the names, identities, times and sizes of the files in ``folder``
    ending in ``suffix`` (one scan; a stat per file): it differs when one is added,
    removed, replaced or edited in place."""
    try:
        entries = os.scandir(folder)
    except OSError:
        return 0
    seen = []
    with entries:
        for entry in entries:
            if entry.name.endswith(suffix):
                try:
                    stat = entry.stat()
                except OSError:  # removed during the scan: the next one tells
                    continue
                seen.append((entry.name, stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return hash(frozenset(seen))


class QueueCommits:
    """Tells whether anyone committed to the queue file since the last call.

    SQLite's ``PRAGMA data_version`` changes whenever another connection (of this
    process or another) commits to the database; this connection never writes, so
    every commit is another's. The connection stays open between calls; a queue
    file replaced meanwhile (a reset, a restored backup) is a new identity, and the
    connection is opened again on it.
    """

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._identity: Stamp = MISSING

    def stamp(self) -> Stamp:
        """(the file's device and inode, the commit counter); MISSING without a readable
        queue file (a damaged one is the readers' to report)."""
        identity = file_stamp(self.path)[:2]
        if identity != self._identity:
            self.close()
            self._identity = identity
        if not identity:
            return MISSING
        try:
            if self._db is None:
                # Read-write, never created (a missing file is not a new queue), usable
                # from the worker thread that happens to poll.
                uri = f"file:{quote(str(self.path))}?mode=rw"
                self._db = sqlite3.connect(uri, uri=True, isolation_level=None,
                                           check_same_thread=False, timeout=1)
            # fetchall: a statement left unfinished would keep a read transaction open,
            # and the counter would stay where that transaction began.
            ((version,),) = self._db.execute("PRAGMA data_version").fetchall()
        except sqlite3.Error:
            self.close()
            return MISSING
        return (*identity, version)

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
