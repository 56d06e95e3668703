"""What the terminal UI's live state costs: one look at the workspace for changes.

    python bench/watch_cost.py [--drafts 0,500,5000] [--looks 2000]

The app asks ``WorkspaceWatch.changes()`` once a second (in a worker thread): the
queue's PRAGMA data_version on a kept-open connection, a stat each of drafts/,
accounts.toml, publisher.toml and the journal, and, as often as SCAN_SHARE allows,
a scan of the draft files (a stat per file, for edits in place). Prints, per drafts
count, the median and 95th percentile in microseconds of one look at a workspace at
rest (nothing changed: the usual second) without the scan, of the scan alone, and
the share of one core the watch takes at one look a second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_workspace(drafts: int) -> Path:
    from publisher.services.context import open_context
    from publisher.services.queueing import open_queue
    from publisher.storage.workspace import init_workspace

    home = Path(tempfile.mkdtemp(prefix="publisher-watch-"))
    workspace, _ = init_workspace(home)
    for n in range(drafts):
        (workspace.drafts_dir / f"post-{n}.toml").write_text(
            f'title = "Post {n}"\nsource = "en"\naccounts = []\n\n'
            f'[variants.en]\ntext = "Post number {n}"\n')
    open_queue(open_context(home)).close()
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", default="0,500,5000")
    parser.add_argument("--looks", type=int, default=2000)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from publisher.services.context import open_context
    from publisher.services.watch import SCAN_SHARE, WorkspaceWatch
    from publisher.storage.watch import folder_stamp

    print(f"{'drafts':>7} {'look µs':>9} {'p95':>7} {'scan µs':>9} {'p95':>7}"
          f" {'core share at 1 look/s':>23}")
    for count in (int(n) for n in options.drafts.split(",")):
        home = make_workspace(count)
        watch = WorkspaceWatch(open_context(home).workspace)
        looks = options.looks if count < 5000 else max(100, options.looks // 20)
        watch._next_scan = float("inf")  # the look alone
        look = timed(watch.changes, looks)
        scan = timed(lambda home=home: folder_stamp(home / "drafts", ".toml"), looks)
        watch.close()
        # A scan at every look while it takes under SCAN_SHARE of a second, else every
        # scan time / SCAN_SHARE.
        scans_per_second = min(1.0, SCAN_SHARE / (statistics.median(scan) / 1e6))
        share = (statistics.median(look) + statistics.median(scan) * scans_per_second) / 1e6
        print(f"{count:7d} {statistics.median(look):9.0f} {p95(look):7.0f}"
              f" {statistics.median(scan):9.0f} {p95(scan):7.0f} {share:23.3%}")


def timed(call, times: int) -> list[float]:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        result = call()
        spent.append((time.perf_counter() - started) * 1e6)
        assert not result or isinstance(result, int)  # at rest: no change
    return spent


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


if __name__ == "__main__":
    main()
