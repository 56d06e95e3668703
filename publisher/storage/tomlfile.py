"""Reading TOML files with errors that name the file and line, and finding keys' lines."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from publisher.domain.errors import UserError
from publisher.i18n import _, ngettext
from publisher.storage.bounded import decode_utf8, read_bounded

_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as people should see it: relative to the workspace when inside it."""
    if base is not None:
        try:
            return str(path.relative_to(base))
        except ValueError:
            pass
    return str(path)


# No file the tool reads nests deeper than a few levels; a deeper one is a mistake or an
# attack, and past Python's recursion limit tomllib (and every reader after it) would crash.
MAX_NESTING = 32


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """Parse TOML text, turning a syntax error into a one-line UserError."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        data = None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_LINE.search(message)
        if found:
            where = f"{where}:{found.group(1)}"
            message = _TOML_LINE.sub("", message).strip()
        raise UserError(
            _("not valid TOML: {message}").format(message=message),
            where=where,
            hint=_("fix the syntax at that line"),
        ) from None
    if data is None or _nesting(data) > MAX_NESTING:
        raise UserError(
            ngettext("values nested more than {n} level deep",
                     "values nested more than {n} levels deep", MAX_NESTING).format(n=MAX_NESTING),
            where=where,
            hint=_("flatten the arrays and tables"),
        )
    return data


def _nesting(value: object) -> int:
    """How deep arrays and tables nest (walked without recursion)."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        if isinstance(value, dict):
            pending.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            pending.extend((child, depth + 1) for child in value)
    return deepest


def read_text(path: Path, where: str) -> str:
    """A workspace file's text, read with a bounded read (at most MAX_FILE_BYTES)."""
    return decode_utf8(read_bounded(path, where), where)


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _key_parts(text: str) -> list[str]:
    return [part.strip().strip('"').strip("'") for part in text.split(".")]


class LineIndex:
    """Finds the line of a key in a TOML text, for error messages ("line where known")."""

    def __init__(self, text: str):
        self._lines = text.splitlines()

    def __call__(self, *path: str) -> int | None:
        table: list[str] = []
        for number, line in enumerate(self._lines, start=1):
            header = _HEADER.match(line)
            if header:
                table = _key_parts(header.group(1))
                if table == list(path):
                    return number
                continue
            if "=" not in line or line.lstrip().startswith("#"):
                continue
            key = _key_parts(line.split("=", 1)[0])
            full = table + key
            if full[: len(path)] == list(path) or (
                len(path) > 1 and table == list(path[:-1]) and key[:1] == [path[-1]]
            ):
                return number
        # Fall back to the nearest enclosing part that exists.
        return self(*path[:-1]) if len(path) > 1 else None
