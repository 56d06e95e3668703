"""Terminal UI benchmark: start-up with 5,000 drafts against a bare Textual table, and
the time from a keystroke in the editor to the updated counter.

    python bench/tui_startup.py [--drafts 5000] [--runs 3] [--keys 200]

Start-up is wall time from launching a fresh Python process to the first paint
of the drafts table with every row in it (headless terminal, 140x40), for
``publisher`` on a generated workspace and for a bare Textual app that shows
one static DataTable of the same rows, read from a JSON file (the floor).
Targets: start-up within 1.5x of the floor, keystroke to counter under 16 ms.
The first start on a workspace (no drafts index in .cache/) is printed
separately: the first paint with every row (drafts listed by id, read right
after), and the paint once every draft is read and the index built.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = (140, 40)
ROOT = Path(__file__).resolve().parent.parent


def make_workspace(folder: Path, count: int) -> Path:
    """A demo workspace whose sample drafts are copied up to ``count`` drafts."""
    from publisher.services.workspace import create_demo

    home = folder / "ws"
    create_demo(home)
    samples = sorted((home / "drafts").glob("*.toml"))
    for index in range(count - len(samples)):
        source = samples[index % len(samples)]
        (home / "drafts" / f"gen-{index:05d}-{source.name}").write_text(source.read_text())
    return home


def rows_file(home: Path, folder: Path) -> Path:
    """The drafts table's rows as plain strings, for the floor app."""
    from publisher.services.context import open_context
    from publisher.services.drafts import drafts_overview

    overview = drafts_overview(open_context(home))
    rows = [[row.title, row.campaign or "", ", ".join(row.accounts),
             *(f"{tag} {row.states[tag].value}" if tag in row.states else "-"
               for tag in ("sq", "en", "sr")), ""] for row in overview.rows]
    path = folder / "rows.json"
    path.write_text(json.dumps(rows))
    return path


# Child processes: each prints the wall-clock time of its first full paint.


def child_floor(path: str) -> None:
    from textual.app import App
    from textual.widgets import DataTable

    rows = json.loads(Path(path).read_text())

    class Floor(App):
        def compose(self):
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Title", "Campaign", "Accounts", "sq", "en", "sr", "Next due")
            table.add_rows(rows)

    async def painted(pilot) -> None:
        await pilot.pause()
        print(time.time(), flush=True)
        pilot.app.exit()

    Floor().run(headless=True, size=SIZE, auto_pilot=painted)


def child_app(home: str, count: str, until: str = "rows") -> None:
    """``until``: "rows", the first paint with every row; "read", the first paint
    with every draft read (no row pending: its badges shown)."""
    from publisher.tui.app import make_app

    def done(app) -> bool:
        tables = app.screen.query("#drafts-table")
        if not tables or tables.first().row_count < int(count):
            return False
        overview = getattr(app.screen, "overview", None)
        return until == "rows" or (overview is not None and overview.complete)

    async def painted(pilot) -> None:
        app = pilot.app
        while not done(app):
            await asyncio.sleep(0.002)
        await pilot.pause()
        print(time.time(), flush=True)
        app.exit()

    make_app(Path(home), watch_seconds=0).run(headless=True, size=SIZE, auto_pilot=painted)


def timed(*args: str) -> float:
    start = time.time()
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    return float(done.stdout.strip().splitlines()[-1]) - start


# Keystroke to counter, in this process.


async def keystrokes(home: Path, count: int) -> list[float]:
    from textual import events
    from textual.widgets import TextArea

    from publisher.tui.app import make_app
    from publisher.tui.screens.editor import EditorScreen

    app = make_app(home, watch_seconds=0, cursor_blink=False)
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await app.push_screen(EditorScreen("consular-alert-floods"))
        for _ in range(5):
            await app.workers.wait_for_complete()
            await pilot.pause()
        area = app.screen.query_one("#text-en", TextArea)
        counter = app.screen.query_one("#counter-en")
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.pause()
        for _ in range(count):
            before = str(counter.render())
            start = time.perf_counter()
            area.post_message(events.Key("x", "x"))
            while str(counter.render()) == before:
                await asyncio.sleep(0)
            times.append((time.perf_counter() - start) * 1000)
            if len(area.text) > 250:  # stay near real post lengths
                area.load_text(area.text[:200])
                await pilot.pause()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keys", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="publisher-bench-"))
    try:
        home = make_workspace(folder, args.drafts)
        rows = rows_file(home, folder)
        index = home / ".cache"
        timed("--child", "app", str(home), str(args.drafts))  # warms the OS cache

        def first_start(until: str) -> float:
            shutil.rmtree(index, ignore_errors=True)
            return timed("--child", "app", str(home), str(args.drafts), until)

        cold = min(first_start("rows") for _ in range(args.runs))
        cold_read = min(first_start("read") for _ in range(args.runs))
        floor = [timed("--child", "floor", str(rows)) for _ in range(args.runs)]
        ours = [timed("--child", "app", str(home), str(args.drafts)) for _ in range(args.runs)]
        best_floor, best_ours = min(floor), min(ours)
        print(f"start-up, {args.drafts} drafts, first paint of the full table "
              f"(best of {args.runs}):")
        print(f"  bare Textual table (floor): {best_floor:.3f} s  (runs: "
              + ", ".join(f"{t:.3f}" for t in floor) + ")")
        print(f"  publisher drafts screen:    {best_ours:.3f} s  (runs: "
              + ", ".join(f"{t:.3f}" for t in ours) + ")")
        print(f"  ratio: {best_ours / best_floor:.2f}x (target <= 1.5x)")
        print(f"  first start on a workspace (no drafts index yet; best of {args.runs}): "
              f"{cold:.3f} s, {cold / best_floor:.2f}x (target <= 1.5x)")
        print(f"    ... until every draft is read (badges shown): {cold_read:.3f} s, "
              f"{cold_read / best_floor:.2f}x")
        times = asyncio.run(keystrokes(home, args.keys))
        times.sort()
        print(f"keystroke to updated counter in the editor ({len(times)} keys): "
              f"median {statistics.median(times):.2f} ms, p95 {times[int(len(times) * .95)]:.2f}"
              f" ms, max {times[-1]:.2f} ms (target < 16 ms)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.path.insert(0, str(ROOT))
        {"floor": child_floor, "app": child_app}[sys.argv[2]](*sys.argv[3:])
    else:
        main()
