"""Subtitle files written by a translations import: each atomically, in media/."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from publisher.domain.drafts import is_media_path
from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.storage.atomic import write_atomic
from publisher.storage.paths import leads_inside
from publisher.storage.workspace import Workspace


def _writable(workspace: Workspace, relative: str) -> Path:
    """The path of a subtitle file to write: in media/ (no link leading out), in a
    folder that exists, and not anything but a regular file already."""
    path = workspace.home / relative
    if not is_media_path(relative) or not leads_inside(workspace.media_dir, workspace.home) \
            or not leads_inside(path, workspace.media_dir):
        raise UserError(_("leads out of the workspace's media/ folder"), where=relative)
    if not path.parent.is_dir():
        raise UserError(_("folder does not exist"), where=str(PurePosixPath(relative).parent))
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise UserError(_("not a regular file"), where=relative,
                        hint=_("remove it, or name another file in the draft"))
    return path


@contextmanager
def files_written(workspace: Workspace, files: Mapping[str, str]) -> Iterator[None]:
    """Write subtitle files (relative path -> text), each atomically, every path checked
    before the first is written; when the block raises, put back what was there."""
    paths = {relative: _writable(workspace, relative) for relative in files}
    before: dict[Path, bytes | None] = {}
    try:
        for relative, text in files.items():
            path = paths[relative]
            before[path] = path.read_bytes() if path.exists() else None
            write_atomic(path, text.encode("utf-8"))
        yield
    except BaseException:
        for path, data in before.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, data)
        raise
