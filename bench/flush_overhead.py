"""How much the queue adds to each post: flush N due items against a local stand-in.

    python bench/flush_overhead.py [--items 2000]

Prints three numbers and their ratio:
- baseline: a plain loop of requests POSTs to the same local server;
- flush: `publisher flush` (in-process) sending the same number of queue items
  through the Mastodon adapter to that server, each from its own draft file
  (the flush re-reads every draft to refuse edits made after queueing);
- queue only: the claim + record transactions per item with no network at all.
The target is a queue overhead under 1 ms per item.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
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


def flush_time(home: Path, now: datetime) -> float:
    from publisher.platforms.registry import Adapters
    from publisher.services.context import open_context
    from publisher.services.flush import flush

    context = open_context(home)
    adapters = Adapters(outbox_dir=home / "outbox", secrets=TokenOnly(), clock=lambda: now)
    started = time.perf_counter()
    report = flush(context, clock=lambda: now, adapters=adapters, rng=random.Random(1))
    elapsed = time.perf_counter() - started
    sent = sum(1 for o in report.outcomes if o.state.value == "sent")
    assert sent == len(report.outcomes), "not every item was sent"
    return elapsed


def queue_only(count: int, now: datetime) -> float:
    from publisher.domain.queue import State
    from publisher.storage.queue import NewItem, Queue

    path = Path(tempfile.mkdtemp(prefix="publisher-bench-")) / "queue.sqlite3"
    with Queue(path) as queue:
        ids = queue.add(
            [NewItem("d", "a", "outbox", ("en",), "t", "h", now, f"k{n}") for n in range(count)],
            now=now, actor="bench",
        )
        started = time.perf_counter()
        for item_id in ids:
            queue.move(item_id, State.QUEUED, State.SENDING, now=now, actor="bench",
                       claim_token="c", claimed_at=now, lease_until=now, attempts=1)
            queue.move(item_id, State.SENDING, State.SENT, now=now, actor="bench",
                       remote_id="r", url="u")
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    count = parser.parse_args().items
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    server, url = start_server()
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    try:
        plain = baseline(url, count)
        home = make_workspace(url, count, now)
        ours = flush_time(home, now)
    finally:
        server.shutdown()
    queue = queue_only(count, now)
    print(f"items:                 {count}")
    print(f"baseline requests loop: {plain:8.3f} s  ({plain / count * 1000:6.3f} ms/item)")
    print(f"publisher flush:        {ours:8.3f} s  ({ours / count * 1000:6.3f} ms/item)")
    print(f"flush / baseline:       {ours / plain:8.2f} x")
    print(f"flush - baseline:       {(ours - plain) / count * 1000:8.3f} ms/item")
    print(f"queue only (claim+record, no network): {queue / count * 1000:6.3f} ms/item")


if __name__ == "__main__":
    main()
