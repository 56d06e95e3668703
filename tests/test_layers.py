"""Imports point one way: domain never loads the terminal UI, HTTP or SQLite."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

# Every module of the domain layer, found on disk (a new one cannot be forgotten).
DOMAIN_MODULES = sorted(
    f"publisher.domain.{path.stem}"
    for path in (Path(__file__).parent.parent / "publisher" / "domain").glob("*.py")
    if path.stem != "__init__"
)
FORBIDDEN = ("textual", "requests", "sqlite3", "_sqlite3", "keyring")


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_module_loads_no_ui_http_or_sql(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_drafts_use_derived_sr_latn_without_loading_forbidden_modules() -> None:
    code = (
        "import sys\n"
        "from publisher.domain.drafts import Draft, Variant\n"
        "d = Draft(id='a', source='sr', variants={'sr': Variant('sr', 'Љубав')})\n"
        "assert d.variant('sr-Latn').text == 'Ljubav'\n"
        f"print([m for m in {FORBIDDEN!r} if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_cli_and_storage_do_not_import_textual_or_requests() -> None:
    code = (
        "import sys, publisher.cli, publisher.cli.drafts, publisher.storage.drafts\n"
        "print([m for m in ('textual', 'requests') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("layer", ["services", "cli", "tui"])
def test_only_the_platforms_layer_talks_http_and_only_storage_sql(layer: str) -> None:
    folder = Path(__file__).parent.parent / "publisher" / layer
    http = re.compile(r"^(import requests|from requests\b)", re.MULTILINE)
    sql = re.compile(r"^(import sqlite3|from sqlite3\b)", re.MULTILINE)
    for path in folder.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not http.search(source), f"{path.name} imports requests"
        assert not sql.search(source), f"{path.name} imports sqlite3"
