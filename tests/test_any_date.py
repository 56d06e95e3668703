"""The suite passes on any date: the tests that name a moment run again with the
system clock moved three years ahead (libfaketime), so a test that reads the real
date (a fixed ``--at`` without ``--now``, a default clock left in place) fails
here today instead of in a CI run next year.

Every test fixes its clock (``--now`` or an injected clock); this one proves it.
``.ci/run`` installs ``faketime``; without it the check is skipped with a reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FAKETIME = shutil.which("faketime")
NESTED = "PUBLISHER_TESTS_UNDER_FAKETIME"
YEARS_AHEAD_IN_DAYS = 3 * 365 + 17  # lands on another weekday and DST-offset day too
# Their own clocks are the OS's process timing, not a date: slow, and nothing to learn here.
NOT_DATED = {"test_any_date.py", "test_concurrency.py", "test_bluesky_pds.py"}
DATED = re.compile(r"20\d\d-\d\d-\d\d|\bT0\b|--now")


def dated_test_files(folder: Path) -> list[str]:
    return sorted(
        str(path) for path in folder.glob("test_*.py")
        if path.name not in NOT_DATED and DATED.search(path.read_text(encoding="utf-8"))
    )


# One run per folder: each has its own conftest module, and pytest given files of both
# imports the wrong one.
@pytest.mark.skipif(FAKETIME is None, reason="libfaketime's 'faketime' is not installed")
@pytest.mark.skipif(bool(os.environ.get(NESTED)), reason="already running under faketime")
@pytest.mark.parametrize(("folder", "at_least"), [(TESTS, 10), (TESTS / "tui", 3)])
def test_dated_tests_pass_three_years_from_now(folder: Path, at_least: int) -> None:
    files = dated_test_files(folder)
    assert len(files) >= at_least, files  # the selection itself still finds the dated tests
    done = subprocess.run(
        [FAKETIME, "-f", f"+{YEARS_AHEAD_IN_DAYS}d", sys.executable, "-m", "pytest", "-q",
         "-x", "-p", "no:cacheprovider", *files],
        capture_output=True, text=True, timeout=900, cwd=TESTS.parent,
        env={**os.environ, NESTED: "1"},
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


@pytest.mark.skipif(FAKETIME is None, reason="libfaketime's 'faketime' is not installed")
def test_faketime_really_moves_the_clock_of_a_child_python() -> None:
    # Compares two readings of the real clock: it holds on any date.
    probe = "import time; print(int(time.time()))"
    real = int(subprocess.run([sys.executable, "-c", probe], capture_output=True,
                              text=True, check=True).stdout)
    moved = int(subprocess.run([FAKETIME, "-f", f"+{YEARS_AHEAD_IN_DAYS}d", sys.executable,
                                "-c", probe], capture_output=True, text=True,
                               check=True).stdout)
    assert abs(moved - real - YEARS_AHEAD_IN_DAYS * 86400) < 600
