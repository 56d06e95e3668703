"""Where a path really leads: its real path, symlinks resolved, inside a folder or not."""

from __future__ import annotations

import os
from pathlib import Path


def real_path(path: Path | str) -> Path:
    """The path with every symlink resolved (a missing tail is kept as written)."""
    return Path(os.path.realpath(path))


def leads_inside(path: Path | str, folder: Path | str) -> bool:
    """Whether ``path`` resolves strictly inside the real path of ``folder``.

    Both are resolved first, so a link anywhere on the way that leads out of
    ``folder`` (or the folder itself) says False.
    """
    real, root = real_path(path), real_path(folder)
    return real != root and real.is_relative_to(root)
