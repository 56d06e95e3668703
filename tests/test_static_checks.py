"""The linter and the type checker run with the tests, so CI enforces them.

``ruff check .`` (its rules are in pyproject.toml) and ``mypy`` on the package
(``[tool.mypy]``: type hints are checked, not only written). Both come with the test
extras; the README's test command therefore checks what a reviewer would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    # The checkers' caches go to a private folder: parallel test processes and a
    # read-only checkout stay out of each other's way.
    env = {**os.environ, "MYPY_CACHE_DIR": os.devnull, "RUFF_NO_CACHE": "true"}
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_no_type_error_in_the_package() -> None:
    done = _run("mypy", "--no-incremental")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout
