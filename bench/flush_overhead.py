"""How much the queue adds to each post: flush N due items against a local stand-in.

    python bench/flush_overhead.py [--items 2000] [--rounds 3]

Prints, for the best of ``--rounds`` alternating rounds (the machine may be shared):
- baseline: a plain loop of requests POSTs to the same local server;
- flush: `publisher flush` (in-process) sending the same number of queue items
  through the Mastodon adapter to that server, each from its own draft file
  (the flush reads every draft once to refuse edits made after queueing: one
  draft per item is the worst case);
- their difference per item, in wall time and in CPU time (the CPU time leaves
  out waiting for the disk and for other processes);
- bookkeeping only: per item, the claim (synced), the journal line (synced) and
  the sent record (synced by the next claim) with no network at all, and what one
  write + fsync costs on this disk: the flush syncs twice per item.
The target is an overhead under 0.5 ms per item.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests


class StandIn(BaseHTTPRequestHandler):
    """Answers every POST like Mastodon's /api/v1/statuses, as fast as it can."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    counter = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        StandIn.counter += 1
        body = json.dumps({"id": str(StandIn.counter), "url": f"http://x/{StandIn.counter}"})
        payload = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def start_server() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def baseline(url: str, count: int) -> float:
    session = requests.Session()
    started = time.perf_counter()
    for number in range(count):
        session.post(f"{url}/api/v1/statuses", json={"status": f"post {number}"},
                     headers={"Authorization": "Bearer t", "Idempotency-Key": f"k{number}"},
                     timeout=(5, 30)).json()
    return time.perf_counter() - started


class TokenOnly:
    """A secret store that knows one token and keeps nothing."""

    def get(self, account_id: str, part: str | None = None) -> str | None:
        return "t" if part is None else None

    def set(self, account_id: str, value: str, part: str | None = None) -> None:
        pass


def make_workspace(url: str, count: int, now: datetime) -> Path:
    """One approved draft per item (the worst case: every item's draft is re-read)."""
    from publisher.domain.accounts import make_account
    from publisher.services.context import open_context
    from publisher.services.queueing import schedule
    from publisher.storage.workspace import AccountsFile, init_workspace

    home = Path(tempfile.mkdtemp(prefix="publisher-bench-"))
    workspace, _ = init_workspace(home)
    AccountsFile(workspace).add(
        make_account("bench", "mastodon", locales=["en"], api_base=url)
    )
    for n in range(count):
        (workspace.drafts_dir / f"post-{n}.toml").write_text(
            f'title = "Post {n}"\nsource = "en"\naccounts = ["bench"]\napproved = true\n\n'
            f'[variants.en]\ntext = "Post number {n} from the embassy #DigitalKosovo"\n'
        )
    context = open_context(home)
    due = now - timedelta(minutes=1)
    for n in range(count):
        schedule(context, f"post-{n}", due, now=due)
    return home


def flush_run(home: Path, now: datetime) -> None:
    from publisher.platforms.registry import Adapters
    from publisher.services.context import open_context
    from publisher.services.flush import flush

    context = open_context(home)
    adapters = Adapters(outbox_dir=home / "outbox", secrets=TokenOnly(), clock=lambda: now)
    report = flush(context, clock=lambda: now, adapters=adapters, rng=random.Random(1))
    sent = sum(1 for o in report.outcomes if o.state.value == "sent")
    assert sent == len(report.outcomes), "not every item was sent"


def measured(work: Callable[..., object], *args: object) -> tuple[float, float]:
    """Wall time and CPU time of this process (the stand-in server's thread included)."""
    wall, cpu = time.perf_counter(), time.process_time()
    work(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def bookkeeping_only(count: int, now: datetime) -> float:
    """What the flush writes per item, without the network: claim, journal, sent."""
    from publisher.domain.queue import State
    from publisher.storage.journal import Journal
    from publisher.storage.queue import NewItem, Queue

    folder = Path(tempfile.mkdtemp(prefix="publisher-bench-"))
    journal = Journal(folder / "journal.jsonl")
    with Queue(folder / "queue.sqlite3") as queue:
        ids = queue.add(
            [NewItem("d", "a", "outbox", ("en",), "t", "h", now, f"k{n}") for n in range(count)],
            now=now, actor="bench",
        )
        started = time.perf_counter()
        for item_id in ids:
            queue.move(item_id, State.QUEUED, State.SENDING, now=now, actor="bench",
                       claim_token="c", claimed_at=now, lease_until=now, attempts=1)
            journal.append({"event": "published", "item": item_id, "key": f"k{item_id}"})
            queue.move(item_id, State.SENDING, State.SENT, now=now, actor="bench",
                       remote_id="r", url="u", durable=False)
        return time.perf_counter() - started


def one_sync(count: int = 200) -> float:
    """One small write and fsync on the disk the workspaces are on."""
    path = Path(tempfile.mkdtemp(prefix="publisher-bench-")) / "sync"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        started = time.perf_counter()
        for _ in range(count):
            os.write(fd, b"x" * 200)
            os.fsync(fd)
        return (time.perf_counter() - started) / count
    finally:
        os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    count = options.items
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    server, url = start_server()
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    plain, ours = [], []
    try:
        for _ in range(options.rounds):
            plain.append(measured(baseline, url, count))
            ours.append(measured(flush_run, make_workspace(url, count, now), now))
    finally:
        server.shutdown()
    bookkeeping = bookkeeping_only(count, now)
    sync = one_sync()
    plain_wall, plain_cpu = min(w for w, _c in plain), min(c for _w, c in plain)
    ours_wall, ours_cpu = min(w for w, _c in ours), min(c for _w, c in ours)

    def per_item(seconds: float) -> str:
        return f"{seconds / count * 1000:6.3f} ms/item"

    print(f"items:                 {count}, best of {options.rounds} rounds")
    print(f"baseline requests loop: {plain_wall:8.3f} s  ({per_item(plain_wall)})")
    print(f"publisher flush:        {ours_wall:8.3f} s  ({per_item(ours_wall)})")
    print(f"flush / baseline:       {ours_wall / plain_wall:8.2f} x")
    print(f"flush - baseline:       {(ours_wall - plain_wall) / count * 1000:8.3f} ms/item")
    print(f"CPU time, flush - baseline: {(ours_cpu - plain_cpu) / count * 1000:6.3f} ms/item "
          f"({per_item(ours_cpu)} against {per_item(plain_cpu)})")
    print(f"bookkeeping only (claim, journal, sent; no network): {per_item(bookkeeping)}")
    print(f"one write + fsync on this disk: {sync * 1000:6.3f} ms")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this tree's publisher
    main()
