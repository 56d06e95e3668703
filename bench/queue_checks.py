"""What the queue's safety checks cost on a large queue.

    python bench/queue_checks.py [--items 50000]

Builds a workspace whose queue holds N sent items (each with its history) and
whose journal holds N published records, then prints milliseconds for:
- open: what every command pays (header and tables checked, journal caught up);
- quick_check / integrity_check: SQLite's own scans, for comparison (only a
  backup runs quick_check, on its copy);
- backup: `publisher backup` (online backup + quick_check of the copy + journal);
- journal read: every record parsed (what scheduling a draft pays to know where
  it went out).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from publisher.domain.queue import State
from publisher.services.context import open_context
from publisher.services.queue_file import backup, journal_of, open_queue, published_posts
from publisher.storage.journal import PUBLISHED
from publisher.storage.queue import NewItem, Queue
from publisher.storage.workspace import init_workspace

TEXT = "Lajm i ri nga ambasada e Republikës së Kosovës. #DigitalKosovo " * 4


def build(home: Path, count: int) -> None:
    init_workspace(home)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    records = []
    with Queue(home / "queue.sqlite3") as queue:
        for start in range(0, count, 1000):
            batch = [
                NewItem(f"draft-{n // 3}", f"account-{n % 7}", "mastodon", ("sq",), TEXT,
                        "0" * 64, now + timedelta(minutes=n), f"pub-{uuid.uuid4().hex}")
                for n in range(start, min(count, start + 1000))
            ]
            ids = queue.add(batch, now=now, actor="bench")
            with queue.transaction():
                for item_id, new in zip(ids, batch, strict=True):
                    queue.move(item_id, State.QUEUED, State.SENDING, now=now, actor="bench")
                    url = f"https://example.org/@x/{item_id}"
                    queue.move(item_id, State.SENDING, State.SENT, now=now, actor="bench",
                               remote_id=str(item_id), url=url)
                    records.append({
                        "event": PUBLISHED, "at": now.isoformat(), "draft": new.draft_id,
                        "account": new.account_id, "locales": ["sq"], "item": item_id,
                        "key": new.idempotency_key, "remote_id": str(item_id), "url": url,
                        "content_hash": new.content_hash})
    journal = journal_of(open_context(home))
    for start in range(0, len(records), 5000):
        journal.append(*records[start:start + 5000])


def timed(runs: int, action) -> float:
    started = time.perf_counter()
    for _ in range(runs):
        action()
    return (time.perf_counter() - started) * 1000 / runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50_000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="publisher-bench-")) / "ws"
    build(home, args.items)
    context = open_context(home)
    open_queue(context).close()  # the first open catches up with the whole journal
    size = (home / "queue.sqlite3").stat().st_size / 1e6
    journal_size = context.workspace.journal_path.stat().st_size / 1e6
    print(f"{args.items} sent items: queue {size:.1f} MB, journal {journal_size:.1f} MB")
    print(f"open (checks + catch-up)  {timed(50, lambda: open_queue(context).close()):8.2f} ms")
    for pragma in ("quick_check", "integrity_check"):
        def scan(pragma: str = pragma) -> None:
            db = sqlite3.connect(home / "queue.sqlite3")
            db.execute(f"PRAGMA {pragma}").fetchall()
            db.close()
        print(f"{pragma:<25} {timed(3, scan):8.2f} ms")
    moments = iter(datetime(2026, 2, 1, tzinfo=UTC) + timedelta(seconds=n) for n in range(99))
    print(f"{'backup':<25} {timed(3, lambda: backup(context, None, next(moments))):8.2f} ms")
    print(f"{'journal read':<25} {timed(3, lambda: journal_of(context).records()):8.2f} ms")

    def one_draft() -> None:
        with open_queue(context) as queue:
            published_posts(context, queue, ["draft-7"])
    print(f"{'published check (1 draft)':<25} {timed(3, one_draft):8.2f} ms")


if __name__ == "__main__":
    main()
