"""What a cron minute with nothing due costs: `publisher flush` against the floor.

    python bench/empty_flush.py [--runs 40] [--drafts 50]

Times, in fresh processes, `python -m publisher --home WS flush --now T` on a
workspace with accounts on every platform (their secrets in a keyring file),
approved drafts and queued items, none of them due at T, against
`python -c "import requests, sqlite3"` (the floor: what a flush needs when
something is due). Two workspaces: the items wait on the offline outbox
account only, or on every platform's account (then the flush opens the keyring
and reads each waiting account's token expiry, which builds its adapter: the
usual cron minute). The runs alternate, so that all see the same load. Prints
the median and minimum wall time and the median CPU time (user + system, less
sensitive to other processes) of each, their ratios to the floor (target
1.5x), and what one run of each loaded (`python -X importtime`).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The processes run here: `python -m` puts the current folder first on the path.
OUTSIDE = tempfile.gettempdir()
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# Packages an empty flush should not need (requests and sqlite3 are in the floor).
HEAVY = ("textual", "babel", "tomlkit", "regex", "keyring", "dateutil", "requests", "sqlite3")
PLATFORMS = ("outbox", "mastodon", "bluesky", "x", "facebook", "instagram", "threads",
             "telegram", "linkedin")
HANDLES = {"telegram": "@bench_channel", "facebook": "1234567890", "instagram": "17840000",
           "threads": "bench", "linkedin": "urn:li:organization:1", "x": "@bench",
           "bluesky": "bench.bsky.social", "mastodon": "@bench"}
# (Instagram's posts need an image; Threads loads the same Graph API code.)
SCENARIOS = {"items wait on the outbox": ("outbox",),
             "items wait on every platform": tuple(p for p in PLATFORMS if p != "instagram")}


def make_workspace(drafts: int, waiting_on: tuple[str, ...]) -> Path:
    """Accounts on every platform, ``drafts`` approved drafts for all of them, two
    thirds of the drafts queued for next week on the accounts of ``waiting_on``:
    plenty waiting, nothing due."""
    from publisher.domain.accounts import make_account
    from publisher.services.context import open_context
    from publisher.services.queueing import schedule
    from publisher.services.secrets import set_secret
    from publisher.storage.workspace import AccountsFile, init_workspace

    home = Path(tempfile.mkdtemp(prefix="publisher-bench-"))
    workspace, _ = init_workspace(home)
    accounts = AccountsFile(workspace)
    for platform in PLATFORMS:
        accounts.add(make_account(
            f"bench-{platform}", platform, locales=["en"], handle=HANDLES.get(platform),
            api_base="https://mastodon.example" if platform == "mastodon" else None,
            media_url="https://example.org/media/" if platform in ("instagram", "threads")
            else None))
        if platform != "outbox":
            set_secret(f"bench-{platform}", "not-a-real-token")
    names = ", ".join(f'"bench-{platform}"' for platform in waiting_on)
    for n in range(drafts):
        (workspace.drafts_dir / f"post-{n}.toml").write_text(
            f'title = "Post {n}"\nsource = "en"\naccounts = [{names}]\napproved = true\n\n'
            f'[variants.en]\ntext = "Post number {n} from the embassy #DigitalKosovo"\n')
    context = open_context(home)
    for n in range(drafts * 2 // 3):
        schedule(context, f"post-{n}", NOW + timedelta(days=7, minutes=n), now=NOW)
    return home


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=OUTSIDE)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed ({done.returncode}): {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def loaded_modules(flush: list[str], env: dict[str, str]) -> list[str]:
    done = subprocess.run([flush[0], "-X", "importtime", *flush[1:]], env=env,
                          capture_output=True, text=True, cwd=OUTSIDE)
    return [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:") and "|" in line][1:]  # [0] is the header


def summary(label: str, runs: list[tuple[float, float]], floor: list[tuple[float, float]]
            ) -> str:
    def median(values: list[float]) -> float:
        return statistics.median(values) * 1000

    wall, cpu = [w for w, _c in runs], [c for _w, c in runs]
    floor_wall, floor_cpu = [w for w, _c in floor], [c for _w, c in floor]
    ratios = (f"  x{median(wall) / median(floor_wall):5.2f} x{min(wall) / min(floor_wall):5.2f}"
              f" x{median(cpu) / median(floor_cpu):5.2f}") if runs is not floor else ""
    return (f"{label:34s} {median(wall):7.1f} {min(wall) * 1000:7.1f} {median(cpu):7.1f}"
            + ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--drafts", type=int, default=50)
    options = parser.parse_args()
    # A keyring of our own (keyrings.alt's plain file in a folder of the run), so that the
    # accounts' secrets and token records are there to read, as on a server.
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="publisher-bench-data-")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    # Bytecode cached as an installed package has it (pip compiles at install), kept
    # out of the source tree.
    env = dict(os.environ, PYTHONPATH=str(ROOT),
               PYTHONPYCACHEPREFIX=tempfile.mkdtemp(prefix="publisher-bench-pyc-"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.path.insert(0, str(ROOT))
    floor = [sys.executable, "-c", "import requests, sqlite3"]
    flushes = {
        label: [sys.executable, "-m", "publisher", "--home",
                str(make_workspace(options.drafts, waiting)), "flush", "--now", NOW.isoformat()]
        for label, waiting in SCENARIOS.items()
    }
    for argv in [floor, *flushes.values()]:
        timed(argv, env)  # warm the disk cache and the bytecode
    times: dict[str, list[tuple[float, float]]] = {"floor": [], **{k: [] for k in flushes}}
    for _ in range(options.runs):
        times["floor"].append(timed(floor, env))
        for label, argv in flushes.items():
            times[label].append(timed(argv, env))
    print(f"{options.runs} runs each, alternating; times in ms; ratios to the floor: "
          "median wall, min wall, median CPU (target 1.5 x)")
    print(f"{'':34s} {'median':>7s} {'min':>7s} {'CPU':>7s}")
    print(summary("import requests, sqlite3 (floor)", times["floor"], times["floor"]))
    for label in flushes:
        print(summary(f"flush, {label}", times[label], times["floor"]))
    for label, argv in flushes.items():
        modules = loaded_modules(argv, env)
        heavy = ", ".join(name for name in HEAVY if name in modules) or "none"
        print(f"flush, {label}: {len(modules)} modules "
              f"({sum(m.startswith('publisher') for m in modules)} of publisher), "
              f"heavy ones: {heavy}")


if __name__ == "__main__":
    main()
