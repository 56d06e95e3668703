"""Storage is the only writer of workspace files: the services, the CLI and the
terminal UI write, copy, move and delete no file themselves.

Each of those goes through a module of publisher/storage/, which owns the file's
format, its atomic write and its conflict rule. The check reads the source (an
AST walk, so a new module cannot be forgotten) and names each write it finds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "publisher"
LAYERS = ("services", "cli", "tui")

# Path methods that create, change or remove a file or a folder.
WRITING_METHODS = {"write_text", "write_bytes", "mkdir", "unlink", "rmdir", "rename", "touch",
                   "symlink_to", "hardlink_to", "chmod"}
WRITING_OS = {"replace", "rename", "remove", "unlink", "mkdir", "makedirs", "link", "symlink",
              "rmdir", "truncate", "chmod"}
WRITING_FLAGS = {"O_CREAT", "O_WRONLY", "O_TRUNC", "O_APPEND"}
# Storage's own writing helpers, which a layer above must not call directly.
STORAGE_WRITERS = {"write_atomic", "write_new", "create_missing", "new_temporary",
                   "sync_directory"}


def _writes_by_mode(call: ast.Call, mode_position: int) -> bool:
    """``open(path, "w")`` or ``path.open("a")``: a mode that writes."""
    mode = next((k.value for k in call.keywords if k.arg == "mode"), None)
    if mode is None and len(call.args) > mode_position:
        mode = call.args[mode_position]
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and any(
        flag in mode.value for flag in "wax+")


def _flag_names(node: ast.AST) -> set[str]:
    return {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def file_writes(source: str) -> list[str]:
    """Each direct file write in ``source``, as ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "publisher.storage"):
            found += [f"{node.lineno}: imports {a.name}" for a in node.names
                      if a.name in STORAGE_WRITERS]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open" and _writes_by_mode(node, 1):
            found.append(f"{node.lineno}: open(..., writing)")
        if not isinstance(func, ast.Attribute):
            continue
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        if owner == "shutil":
            found.append(f"{node.lineno}: shutil.{func.attr}")
        elif owner == "os" and func.attr in WRITING_OS:
            found.append(f"{node.lineno}: os.{func.attr}")
        elif owner == "os" and func.attr == "open" and _flag_names(node) & WRITING_FLAGS:
            found.append(f"{node.lineno}: os.open(..., writing)")
        elif owner not in ("os", "shutil") and func.attr in WRITING_METHODS:
            found.append(f"{node.lineno}: .{func.attr}()")
        elif func.attr == "open" and owner != "os" and _writes_by_mode(node, 0):
            found.append(f"{node.lineno}: .open(writing)")
    return found


MODULES = sorted(path for layer in LAYERS for path in (PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_file_is_written_above_storage(path: Path) -> None:
    assert file_writes(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_each_kind_of_write() -> None:
    source = """
from publisher.storage.atomic import write_atomic
import os, shutil
path.write_text("x")
folder.mkdir(exist_ok=True)
os.replace(a, b)
shutil.copyfile(a, b)
open(path, "wb")
path.open(mode="a")
os.open(path, os.O_WRONLY | os.O_CREAT)
"""
    assert [line.split(": ", 1)[1] for line in file_writes(source)] == [
        "imports write_atomic", ".write_text()", ".mkdir()", "os.replace", "shutil.copyfile",
        "open(..., writing)", ".open(writing)", "os.open(..., writing)"]


def test_reading_is_not_a_write() -> None:
    source = """
open(path)
open(path, "rb")
path.open("r")
webbrowser.open(url)
os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
text.replace("a", "b")
"""
    assert file_writes(source) == []
