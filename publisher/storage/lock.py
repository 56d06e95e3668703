"""The flush lock: an OS file lock, released by the kernel when its process dies.

A crashed or killed flush never leaves a stale lock behind, and a second
flush started by cron while the first still runs gets :class:`Locked` at once,
with the holder's PID and start time read from the file (to tell a flush that
hangs from one that is merely running).

The file is shared by every user's flush on a team server: it is created
``0o666`` less the umask, opened without following a symbolic link, and
refused unless it is a plain file of its own (a link to another file would
have that file truncated). It is rewritten only by the process that locked it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from publisher.domain.errors import UserError
from publisher.i18n import _


@dataclass(frozen=True)
class Holder:
    """A process that holds (or held) the lock or a claim: its PID on its host."""

    pid: int
    host: str
    since: datetime | None = None

    @classmethod
    def this_process(cls, since: datetime | None = None) -> Holder:
        return cls(os.getpid(), socket.gethostname(), since)

    def is_gone(self) -> bool:
        """True only when surely dead: on this host, and no such process."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # another user's process: alive
            return False
        return False

    def text(self) -> str:
        lines = [f"pid {self.pid}", f"host {self.host}"]
        if self.since is not None:
            lines.append(f"since {self.since.astimezone(UTC).isoformat()}")
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        """The holder a lock file names, or None (empty, half-written, foreign)."""
        fields = dict(line.partition(" ")[::2] for line in text.splitlines())
        try:
            pid = int(fields.get("pid", ""))
            since = datetime.fromisoformat(fields["since"]) if "since" in fields else None
        except ValueError:
            return None
        return cls(pid, fields.get("host", ""), since)


class Locked(Exception):
    """Another process holds the lock (``holder``, when the file names it)."""

    def __init__(self, path: Path, holder: Holder | None = None):
        super().__init__(str(path))
        self.path = path
        self.holder = holder


class FileLock:
    """``with FileLock(path, since=now):`` the lock, naming this process and ``since``."""

    def __init__(self, path: Path, since: datetime | None = None):
        self.path = path
        self.since = since
        self._fd: int | None = None

    def __enter__(self) -> FileLock:
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = Holder.parse(os.pread(fd, 4096, 0).decode(errors="replace"))
            os.close(fd)
            raise Locked(self.path, holder) from None
        except BaseException:
            os.close(fd)
            raise
        # Locked: the file is ours to rewrite.
        os.ftruncate(fd, 0)
        os.pwrite(fd, Holder.this_process(self.since).text().encode(), 0)
        self._fd = fd
        return self

    def _open(self) -> int:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(self.path, flags, 0o666)  # the umask takes its share
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EOPNOTSUPP):
                raise self._not_plain() from None
            raise
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            os.close(fd)
            raise self._not_plain()
        return fd

    def _not_plain(self) -> UserError:
        return UserError(
            _("the flush lock is not a plain file (a link, a folder or a device); "
              "nothing done"),
            where=str(self.path),
            hint=_("remove it; the next flush makes a new one"))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
