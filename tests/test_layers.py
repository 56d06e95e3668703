"""Imports point one way, and each layer keeps to its own tools.

The rules are import-linter contracts in pyproject.toml ([tool.importlinter]): the
layers (front ends, services, platforms, storage, domain, then i18n and resources),
a pure domain (no Textual, HTTP, SQLite or keyring, not even indirectly), HTTP only
in the platforms, SQL only in storage, Textual only in the terminal UI. This test
runs ``lint-imports`` so that the test command, and so CI, enforces them.

One rule the static import graph cannot express stays a test of its own: importing
the CLI loads neither Textual nor HTTP. The CLI opens the terminal UI and the flush
reaches the platforms through imports inside functions, which the graph counts like
any other import; only a running process tells when they happen.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports() -> str:
    beside = Path(sys.executable).with_name("lint-imports")
    command = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert command, "lint-imports is missing: pip install -e '.[test]'"
    return command


def test_the_import_contracts_hold() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([_lint_imports(), "--no-cache", "--no-logo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken." in done.stdout, done.stdout


def test_importing_the_cli_loads_neither_the_terminal_ui_nor_http() -> None:
    code = (
        "import sys, publisher.cli, publisher.cli.drafts, publisher.cli.queue, "
        "publisher.storage.drafts\n"
        "print([m for m in ('textual', 'requests', 'urllib3') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_contracts_name_every_layer_of_the_package() -> None:
    """A new top-level package or module must take its place in the layers."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c["layers"] for c in config["tool"]["importlinter"]["contracts"]
                 if c["type"] == "layers"]
    named = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    present = {f"publisher.{path.stem}" for path in (ROOT / "publisher").iterdir()
               if (path.is_dir() and (path / "__init__.py").exists())
               or (path.suffix == ".py" and not path.stem.startswith("__"))}
    assert present == named
