"""No input ends in a traceback: each fault seen in the field is one line on stderr,
its exit code, and no file changed. The last-resort guard in ``main()`` turns a
fault nobody foresaw into one line and exit 70, with the traceback only at -vv."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import Result, run_cli, run_process, snapshot_tree
from queue_helpers import T0, add_account, cli, schedule, write_draft

LATER = "2026-12-03T09:00:00+01:00"
# SQLite's companions of an open queue and the flush lock's pid: not the user's data.
NOT_DATA = ("queue.sqlite3-wal", "queue.sqlite3-shm", ".flush.lock")


def one_line_error(result: Result, code: int = 2) -> str:
    assert "Traceback" not in result.err, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("publisher: error: "), result.err
    assert result.code == code, result.err
    return lines[0]


def data_files(home: Path) -> dict[str, bytes]:
    tree = snapshot_tree(home)
    for name in NOT_DATA:
        tree.pop(name, None)
    return tree


@pytest.fixture
def ws(home: Path) -> Path:
    """Two outbox accounts and three approved drafts, queued for T0."""
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    add_account(home, "box-b", "--platform", "outbox", "--locales", "sq")
    for name in ("news", "visit", "greeting"):
        write_draft(home, name, ["box-a", "box-b"], text=f"Lajm ({name}) " * 40)
        schedule(home, name)
    return home


# Drafts and TOML files


@pytest.mark.parametrize("nesting", ["[" * 5000 + "]" * 5000, "{a = " * 3000 + "1" + "}" * 3000],
                         ids=["arrays", "inline-tables"])
def test_a_draft_nested_too_deeply_is_one_line(home: Path, nesting: str) -> None:
    (home / "drafts" / "deep.toml").write_text(f'title = "x"\naccounts = {nesting}\n')
    cli(home, "queue")  # the queue exists (scheduling makes it when it does not)
    before = snapshot_tree(home)
    for args in (("drafts", "show", "deep"), ("drafts", "check"), ("schedule", "deep")):
        line = one_line_error(cli(home, *args))
        assert "drafts/deep.toml" in line and "nested" in line
    assert snapshot_tree(home) == before


def test_accounts_toml_nested_too_deeply_is_one_line(home: Path) -> None:
    (home / "accounts.toml").write_text("[accounts.a]\nlocales = " + "[" * 5000 + "]" * 5000)
    before = snapshot_tree(home)
    line = one_line_error(cli(home, "accounts", "list"))
    assert "accounts.toml" in line
    assert snapshot_tree(home) == before
