"""Where the files shipped with the program live (sample drafts, UI catalogs).

A wheel carries them inside the package (``publisher/_data``); a source
checkout or an editable install keeps them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder of shipped resource ``name`` ("drafts" or "locales")."""
    bundled = _PACKAGE / "_data" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / name
