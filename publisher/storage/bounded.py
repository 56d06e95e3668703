"""Reading a file someone gave us without trusting it: a regular file, at most a limit.

``/dev/zero``, a fifo or a file of gigabytes must be refused, not read whole:
the file is opened without blocking (a fifo with no writer would wait forever),
checked to be a regular file, and read only up to one byte past the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from publisher.domain.errors import UserError
from publisher.i18n import _

MIB = 1024 * 1024
# Far above what a workspace file or a translators' PO file holds (a draft is
# at most a few 64 Ki-character texts), far below what hurts memory.
MAX_FILE_BYTES = 16 * MIB
_CHUNK = MIB


def too_large(limit: int, where: str) -> UserError:
    return UserError(
        _("the file is larger than {size} MiB, the most publisher reads").format(
            size=limit // MIB),
        where=where,
    )


def read_bounded(path: Path, where: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path``, refused (UserError) when over ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UserError(_("file not found"), where=where) from None
    except OSError as error:
        raise UserError(_("cannot read the file: {error}").format(
            error=error.strerror or error), where=where) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UserError(_("not a regular file"), where=where,
                            hint=_("give the path of a file"))
        if info.st_size > limit:
            raise too_large(limit, where)
        return _read_at_most(fd, limit, where)
    except OSError as error:
        raise UserError(_("cannot read the file: {error}").format(
            error=error.strerror or error), where=where) from None
    finally:
        os.close(fd)


def _read_at_most(fd: int, limit: int, where: str) -> bytes:
    """Read to the end, or fail as soon as more than ``limit`` bytes came (the file grew)."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_large(limit, where)


def decode_utf8(data: bytes, where: str) -> str:
    """UTF-8 bytes as text; otherwise a UserError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UserError(_("not UTF-8 text"), where=f"{where}:{line}",
                        hint=_("save it as UTF-8")) from None
