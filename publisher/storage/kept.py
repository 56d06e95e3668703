"""``<home>/.publisher-kept/``: what the tool keeps so that nothing a person wrote is
lost: a deleted draft's last content, the side of a save conflict that was not chosen.

Each kept file is new (a name taken a moment ago is never written over) and named
after the moment it was kept, in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.storage.drafts import write_new
from publisher.storage.workspace import Workspace

KEPT_DIR = ".publisher-kept"


def keep(workspace: Workspace, name: str, data: bytes | str, now: datetime) -> Path:
    """Keep ``data`` as ``<stamp>-<name>`` under ``.publisher-kept/``; returns its path."""
    folder = workspace.home / KEPT_DIR
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
