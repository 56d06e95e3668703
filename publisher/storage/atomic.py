"""Atomic file writes: a reader sees the old file or the new one, never half of one.

New files get the mode the umask allows (``0o666 & ~umask``, as the kernel
applies it when a file is created: a team server with umask 002 shares the
workspace with its group, one with 077 keeps it private); a replaced file
keeps its own mode.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
from pathlib import Path

# Never through a link, never over a file that is already there.
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(
    os, "O_CLOEXEC", 0)
# Where hard links are not available (some network or FAT file systems).
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV}


def content_digest(data: bytes) -> str:
    """The hash that tells whether a file changed on disk since it was read."""
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, read in blocks (a video is never held whole)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_atomic(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The temporary file lives in the same folder (a rename is only atomic
    within one file system) and is flushed to disk before the rename. It
    keeps the mode of the file it replaces; a new file gets the umask's.
    """
    path = Path(path)
    if mode is None:
        with contextlib.suppress(FileNotFoundError):
            mode = path.stat().st_mode & 0o777
    handle, temp = _temporary(path, 0o600 if mode is not None else 0o666)
    try:
        _write(handle, data)
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    sync_directory(path.parent)


def write_new(path: Path, data: bytes | str) -> None:
    """Write a new file atomically; :class:`FileExistsError` if ``path`` exists.

    Something already at ``path`` (a symlink included, never followed) is left
    alone: the complete file is linked into place, which fails if the name is
    taken, then the temporary name is removed.
    """
    path = Path(path)
    handle, temp = _temporary(path, 0o666)
    try:
        _write(handle, data)
        try:
            os.link(temp, path)
        except OSError as error:
            if error.errno not in _NO_LINKS:
                raise
            _write(os.open(path, _CREATE, 0o666), data)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    sync_directory(path.parent)


def create_missing(path: Path) -> None:
    """Create ``path`` empty if nothing is there, with the umask's mode.

    For files another library creates with a fixed mode (SQLite makes a new
    database 0644 whatever the umask, and its -wal and -shm files copy it).
    Anything in the way (a file, a link, a missing folder) is left for that
    library to report.
    """
    with contextlib.suppress(OSError):
        os.close(os.open(path, _CREATE, 0o666))


def new_temporary(path: Path) -> str:
    """The name of a new empty file beside ``path`` with the umask's mode, for a
    writer that fills it itself (SQLite's backup) before renaming it into place."""
    handle, temp = _temporary(path, 0o666)
    os.close(handle)
    return temp


def _temporary(path: Path, mode: int) -> tuple[int, str]:
    """A new file beside ``path``, created exclusively (the kernel applies the umask)."""
    for _attempt in range(100):
        temp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temp, _CREATE, mode), temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def _write(handle: int, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def sync_directory(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` durable."""
    # Makes the rename itself durable; not every platform can open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
