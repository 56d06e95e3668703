"""The suite passes on any date: the tests that name a moment run again with the
wall clock of every Python process moved three years ahead, so a test that reads
the real date (a fixed ``--at`` without ``--now``, a default clock left in place)
fails here today instead of in a CI run next year.

Every test fixes its clock (``--now`` or an injected clock); this one proves it.
The move is made by time-machine, started from a ``sitecustomize`` module that
every child Python (the CLI run as cron would) imports too. Only the wall clock
moves: monotonic time, timeouts and thread waits keep running as they are
(libfaketime moved those too and hung timed waits).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
NESTED = "PUBLISHER_TESTS_DAYS_AHEAD"
DAYS_AHEAD = 3 * 365 + 17  # another weekday, and a day with another UTC offset
# Races between processes and threads: they time the OS's scheduling, not a date (slow,
# and nothing to learn here).
NOT_DATED = {"test_any_date.py", "test_concurrency.py", "test_draft_concurrency.py",
             "test_bluesky_pds.py"}
DATED = re.compile(r"20\d\d-\d\d-\d\d|\bT0\b|--now")

SITECUSTOMIZE = f'''\
import os
if os.environ.get("{NESTED}"):
    import datetime
    import time_machine
    time_machine.travel(datetime.timedelta(days=int(os.environ["{NESTED}"])), tick=True).start()
'''


def dated_test_files(folder: Path) -> list[str]:
    return sorted(
        str(path) for path in folder.glob("test_*.py")
        if path.name not in NOT_DATED and DATED.search(path.read_text(encoding="utf-8"))
    )


def moved_environment(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, NESTED: str(DAYS_AHEAD)}


# One run per folder: each has its own conftest module, and pytest given files of both
# imports the wrong one.
@pytest.mark.skipif(bool(os.environ.get(NESTED)), reason="already running moved ahead")
@pytest.mark.parametrize(("folder", "at_least"), [(TESTS, 10), (TESTS / "tui", 3)])
def test_dated_tests_pass_three_years_from_now(
    tmp_path: Path, folder: Path, at_least: int
) -> None:
    files = dated_test_files(folder)
    assert len(files) >= at_least, files  # the selection itself still finds the dated tests
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *files],
        capture_output=True, text=True, timeout=900, cwd=TESTS.parent,
        env=moved_environment(tmp_path),
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_the_clock_of_a_child_python_really_moves(tmp_path: Path) -> None:
    # Compares two readings of the real clock: it holds on any date.
    probe = "import time, datetime; print(int(time.time()), datetime.date.today().year)"
    real = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.split()
    moved = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True, env=moved_environment(tmp_path)).stdout.split()
    assert abs(int(moved[0]) - int(real[0]) - DAYS_AHEAD * 86400) < 600
    assert int(moved[1]) >= int(real[1]) + 3
