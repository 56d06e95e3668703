"""What a flush makes durable, and when: read from the system calls it makes.

The promises: an item's claim is on disk before its request goes out (a crash
mid-request leaves it `sending`, never `queued` to be sent twice); what went out
is on disk, in the journal and in the queue, before the next item's request
and before the flush ends. The queue's `sent` record has no sync of its own: the
next claim's commit syncs the queue's log, and closing the queue at the end of
the run does too. `strace` shows the order of the syncs and the requests of a
real `publisher flush` process (the test is skipped where strace is missing).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, snapshot_tree
from fakes.mastodon import FakeMastodon
from queue_helpers import T0, add_account, schedule, states, write_draft

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")

TOKEN = "test-access-token"
CALL = re.compile(r"^\d+ +(fsync|fdatasync|sendto|sendmsg)\((\d+)<([^>]*)>(.*)$")


def _events(trace: str) -> list[str]:
    """The trace as 'claim-log', 'journal' (syncs) and 'post' (a status request)."""
    events = []
    for line in trace.splitlines():
        call = CALL.match(line)
        if not call:
            continue
        name, _fd, target, rest = call.groups()
        if name in ("fsync", "fdatasync"):
            if target.endswith("queue.sqlite3-wal"):
                events.append("queue-log")
            elif target.endswith("journal.jsonl"):
                events.append("journal")
        elif "POST /api/v1/statuses" in rest:
            events.append("post")
    return events


def test_claims_and_sent_posts_are_synced_before_the_next_request_and_the_end(
    home: Path, tmp_path: Path,
) -> None:
    with FakeMastodon(token=TOKEN) as server:
        add_account(home, "dc", "--platform", "mastodon", "--api-base", server.url,
                    "--locales", "sq")
        assert run_cli("--home", str(home), "accounts", "set-secret", "dc",
                       stdin=TOKEN + "\n").code == 0
        for name in ("one", "two", "three"):
            write_draft(home, name, ["dc"])
            schedule(home, name)
        trace = tmp_path / "trace.txt"
        # Another process has the queue open, as the TUI may: then SQLite does not
        # checkpoint (and sync) the queue's log when the flush closes it.
        reader = sqlite3.connect(home / "queue.sqlite3")
        reader.execute("SELECT count(*) FROM items").fetchone()
        done = subprocess.run(
            ["strace", "-f", "-qq", "-y", "-s", "40", "-o", str(trace),
             "-e", "trace=fsync,fdatasync,sendto,sendmsg",
             sys.executable, "-m", "publisher", "--home", str(home), "flush", "--now", T0],
            capture_output=True, text=True, cwd=ROOT, timeout=120)
        reader.close()
        assert done.returncode == 0, done.stderr
    assert set(states(home).values()) == {"sent"}
    events = _events(trace.read_text())
    assert events.count("post") == 3, events
    synced_since_request, sent_unsynced = False, False
    for event in events:
        if event == "queue-log":
            synced_since_request, sent_unsynced = True, False
        elif event == "journal":
            sent_unsynced = True  # its sent record follows, unsynced until the next log sync
        else:  # a request: its claim was synced, and so was everything sent before it
            assert synced_since_request and not sent_unsynced, events
            synced_since_request = False
    assert events.count("journal") >= 3
    assert not sent_unsynced, events  # the end of the run synced the last sent record


def test_a_refused_command_after_a_flush_changes_no_file(home: Path) -> None:
    """The flush ends caught up with the journal it wrote: the next command has nothing
    to bring over, so a refused one writes nothing (found by test_fuzz's draft files)."""
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    write_draft(home, "news", ["box-a"])
    schedule(home, "news")
    assert run_cli("--home", str(home), "flush", "--now", T0).code == 0
    (home / "drafts" / "broken.toml").write_text("", encoding="utf-8")
    before = snapshot_tree(home)
    refused = run_cli("--home", str(home), "schedule", "broken", "--now", T0)
    assert refused.code == 2, refused.err
    assert snapshot_tree(home) == before
