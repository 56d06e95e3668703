"""What a cron minute with nothing due costs: `publisher flush` against the floor.

    python bench/empty_flush.py [--runs 40] [--drafts 50]

Times, in fresh processes, `python -m publisher --home WS flush --now T` on a
workspace with accounts on every platform, approved drafts and queued items,
none of them due at T, against `python -c "import requests, sqlite3"` (the
floor: the flush needs HTTP and SQLite when something is due). The runs
alternate, so that both see the same load; the median and the minimum of each
are printed with their ratios (target: 1.5x). Then one flush run under
`python -X importtime` tells how many modules it loaded and which of the heavy
packages among them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# Packages an empty flush should not need (requests and sqlite3 are in the floor).
HEAVY = ("textual", "babel", "tomlkit", "regex", "keyring", "dateutil", "requests", "sqlite3")
PLATFORMS = ("outbox", "mastodon", "bluesky", "x", "facebook", "instagram", "threads",
             "telegram", "linkedin")


def make_workspace(drafts: int) -> Path:
    """Accounts on every platform, ``drafts`` approved drafts, two thirds of them
    queued on the outbox account for next week: plenty waiting, nothing due."""
    from publisher.domain.accounts import make_account
    from publisher.services.context import open_context
    from publisher.services.queueing import schedule
    from publisher.storage.workspace import AccountsFile, init_workspace

    home = Path(tempfile.mkdtemp(prefix="publisher-bench-"))
    workspace, _ = init_workspace(home)
    accounts = AccountsFile(workspace)
    for platform in PLATFORMS:
        accounts.add(make_account(
            f"bench-{platform}", platform, locales=["en"], handle="bench",
            api_base="https://127.0.0.1:9" if platform == "mastodon" else None,
            media_url="https://127.0.0.1:9/media/" if platform in ("instagram", "threads")
            else None))
    for n in range(drafts):
        (workspace.drafts_dir / f"post-{n}.toml").write_text(
            f'title = "Post {n}"\nsource = "en"\naccounts = ["bench-outbox"]\n'
            f'approved = true\n\n'
            f'[variants.en]\ntext = "Post number {n} from the embassy #DigitalKosovo"\n')
    context = open_context(home)
    for n in range(drafts * 2 // 3):
        schedule(context, f"post-{n}", NOW + timedelta(days=7, minutes=n), now=NOW)
    return home


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def loaded_modules(flush: list[str], env: dict[str, str]) -> list[str]:
    done = subprocess.run([flush[0], "-X", "importtime", *flush[1:]], env=env,
                          capture_output=True, text=True)
    return [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:") and "|" in line][1:]  # [0] is the header


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--drafts", type=int, default=50)
    options = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    sys.path.insert(0, str(ROOT))
    home = make_workspace(options.drafts)
    floor = [sys.executable, "-c", "import requests, sqlite3"]
    flush = [sys.executable, "-m", "publisher", "--home", str(home), "flush",
             "--now", NOW.isoformat()]
    timed(flush, env)  # warm the disk cache and the bytecode of both
    timed(floor, env)
    floor_times, flush_times = [], []
    for _ in range(options.runs):
        floor_times.append(timed(floor, env))
        flush_times.append(timed(flush, env))
    modules = loaded_modules(flush, env)
    floor_median, flush_median = statistics.median(floor_times), statistics.median(flush_times)
    print(f"runs:                      {options.runs} each, alternating")
    print(f"import requests, sqlite3:  median {floor_median * 1000:6.1f} ms, "
          f"min {min(floor_times) * 1000:6.1f} ms")
    print(f"publisher flush (empty):   median {flush_median * 1000:6.1f} ms, "
          f"min {min(flush_times) * 1000:6.1f} ms")
    print(f"flush / floor:             median {flush_median / floor_median:5.2f} x, "
          f"min {min(flush_times) / min(floor_times):5.2f} x  (target 1.5 x)")
    print(f"modules loaded by the flush: {len(modules)}, "
          f"{sum(m.startswith('publisher') for m in modules)} of them publisher's")
    print("heavy packages loaded:     "
          + (", ".join(name for name in HEAVY if name in modules) or "none"))


if __name__ == "__main__":
    main()
