"""The queue is never silently lost or reset, and a lost queue never causes a repost.

A workspace that has had a queue (its journal says so) refuses a missing, empty or
damaged queue file; what was published is also written to an append-only journal
beside the queue, so scheduling a draft already published on an account is refused
until a person says --again; ``publisher backup`` takes a consistent copy while
others write; a restored backup learns from the journal what went out since.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import snapshot_tree
from hypothesis import given, settings
from hypothesis import strategies as st
from queue_helpers import T0, add_account, cli, items, outbox_files, schedule, write_draft

from publisher.domain.errors import UserError

T1 = "2026-12-02T09:00:00+01:00"
FIX_HINTS = ("backup", "publisher queue reset --yes")


@pytest.fixture
def ws(home: Path) -> Path:
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    write_draft(home, "news", ["box-a"])
    return home


@pytest.fixture
def published(ws: Path) -> Path:
    """The issue's start: a draft scheduled and sent once through the outbox."""
    schedule(ws, "news")
    done = cli(ws, "flush", "--now", T0)
    assert done.code == 0, done.err
    assert len(outbox_files(ws)) == 1
    return ws


def _journal(home: Path) -> list[dict]:
    path = home / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _refused_naming_the_queue(result) -> None:
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("publisher: error: "), result.err
    assert "queue.sqlite3" in lines[0]
    assert all(hint in lines[0] for hint in FIX_HINTS), lines[0]


def _nothing_runs_on_it(home: Path) -> None:
    """Every command that opens the queue refuses it, and nothing is sent or written."""
    before = snapshot_tree(home)
    for args in (
        ("schedule", "--auto", "--all-approved", "--now", T1),
        ("schedule", "news", "--at", T1, "--now", T1),
        ("flush", "--now", T1),
        ("queue",),
        ("publish-now", "news", "--now", T1),
        ("backup", "--now", T1),
    ):
        _refused_naming_the_queue(cli(home, *args))
    after = snapshot_tree(home)
    after.pop(".flush.lock", None)  # its content is the last locker's pid
    before.pop(".flush.lock", None)
    assert after == before
    assert len(outbox_files(home)) == 1


def test_a_zero_byte_queue_is_refused_and_nothing_is_published_twice(published: Path) -> None:
    (published / "queue.sqlite3").write_bytes(b"")
    _nothing_runs_on_it(published)
    assert (published / "queue.sqlite3").stat().st_size == 0  # not silently recreated


def test_a_missing_queue_is_refused(published: Path) -> None:
    (published / "queue.sqlite3").unlink()
    _nothing_runs_on_it(published)
    assert not (published / "queue.sqlite3").exists()


def test_a_queue_with_overwritten_pages_is_refused(published: Path) -> None:
    path = published / "queue.sqlite3"
    assert not path.with_name("queue.sqlite3-wal").exists()  # all of it is in the file
    data = bytearray(path.read_bytes())
    page = 4096
    noise = random.Random(7)
    for start in range(page, len(data), page):  # every page but the first (the schema)
        data[start:start + page] = bytes(noise.randrange(256) for _ in range(page))
    path.write_bytes(bytes(data))
    _nothing_runs_on_it(published)


def test_a_file_without_the_queue_tables_is_refused(published: Path) -> None:
    path = published / "queue.sqlite3"
    path.unlink()
    sqlite3.connect(path).execute("CREATE TABLE unrelated (x)").connection.close()
    _nothing_runs_on_it(published)


def test_a_brand_new_workspace_still_creates_its_queue(ws: Path) -> None:
    assert not (ws / "queue.sqlite3").exists()
    result = cli(ws, "queue")
    assert result.code == 0, result.err
    assert (ws / "queue.sqlite3").stat().st_size > 0
    assert [record["event"] for record in _journal(ws)] == ["queue-created"]


def test_reset_starts_afresh_and_the_published_draft_needs_again(published: Path) -> None:
    (published / "queue.sqlite3").write_bytes(b"")
    unconfirmed = cli(published, "queue", "reset", "--now", T1)
    assert unconfirmed.code == 2 and "--yes" in unconfirmed.err
    assert (published / "queue.sqlite3").stat().st_size == 0

    reset = cli(published, "queue", "reset", "--yes", "--now", T1)
    assert reset.code == 0, reset.err
    assert items(published) == []
    assert "queue-reset" in [record["event"] for record in _journal(published)]
    assert list((published / "backups").glob("queue-reset-*.sqlite3"))  # the old file, kept

    again = cli(published, "schedule", "news", "--at", T1, "--now", T1)
    assert again.code == 2
    assert "news" in again.err and "box-a" in again.err and "--again" in again.err
    (record,) = [r for r in _journal(published) if r["event"] == "published"]
    assert record["url"] and record["url"] in again.err
    auto = cli(published, "schedule", "news", "--auto", "--now", T1)
    assert auto.code == 2 and "--again" in auto.err

    every = cli(published, "schedule", "--auto", "--all-approved", "--now", T1, "--json")
    assert every.code == 0, every.err
    report = json.loads(every.out)
    assert report["placed"] == [] and list(report["skipped"]) == ["news"]
    assert items(published) == []
    assert cli(published, "publish-now", "news", "--now", T1).code == 2
    assert cli(published, "flush", "--now", T1).code == 0
    assert len(outbox_files(published)) == 1

    deliberate = cli(published, "schedule", "news", "--at", T1, "--now", T1, "--again")
    assert deliberate.code == 0, deliberate.err
    assert cli(published, "flush", "--now", T1).code == 0
    assert len(outbox_files(published)) == 2


def test_all_approved_goes_on_with_the_others_when_one_was_published(published: Path) -> None:
    write_draft(published, "other", ["box-a"])
    (published / "queue.sqlite3").unlink()
    assert cli(published, "queue", "reset", "--yes", "--now", T1).code == 0
    result = cli(published, "schedule", "--auto", "--all-approved", "--now", T1)
    assert result.code == 0, result.err
    assert [item["draft"] for item in items(published)] == ["other"]
    assert "news" in result.out + result.err


def test_again_is_refused_with_all_approved(published: Path) -> None:
    result = cli(published, "schedule", "--auto", "--all-approved", "--again", "--now", T1)
    assert result.code == 2 and "--again" in result.err and "--all-approved" in result.err


def test_an_old_workspace_without_a_journal_is_protected_from_its_first_open(
        published: Path) -> None:
    (published / "journal.jsonl").unlink()  # as it was before the journal existed
    assert cli(published, "queue").code == 0
    records = _journal(published)
    assert [r["event"] for r in records] == ["journal-started", "published"]
    assert records[1]["draft"] == "news" and records[1]["account"] == "box-a"
    (published / "queue.sqlite3").write_bytes(b"")
    _nothing_runs_on_it(published)


def test_a_restored_backup_does_not_send_what_went_out_after_it(ws: Path,
                                                                tmp_path: Path) -> None:
    schedule(ws, "news")
    copy = tmp_path / "saved" / "queue.sqlite3"
    copy.parent.mkdir()
    backup = cli(ws, "backup", "--out", str(copy), "--now", T0)
    assert backup.code == 0, backup.err
    assert str(copy) in backup.out
    assert (tmp_path / "saved" / "queue.journal.jsonl").is_file()
    assert cli(ws, "flush", "--now", T0).code == 0
    assert len(outbox_files(ws)) == 1

    shutil.copyfile(copy, ws / "queue.sqlite3")  # the README's restore steps
    for companion in ("queue.sqlite3-wal", "queue.sqlite3-shm"):
        (ws / companion).unlink(missing_ok=True)
    (restored,) = items(ws)
    assert restored["state"] == "sent" and restored["url"]
    assert cli(ws, "flush", "--now", T0).code == 0
    assert len(outbox_files(ws)) == 1


def test_the_flush_itself_reconciles_a_restored_backup(ws: Path, tmp_path: Path) -> None:
    schedule(ws, "news")
    copy = tmp_path / "q.sqlite3"
    assert cli(ws, "backup", "--out", str(copy), "--now", T0).code == 0
    assert cli(ws, "flush", "--now", T0).code == 0
    shutil.copyfile(copy, ws / "queue.sqlite3")
    assert cli(ws, "flush", "--now", T0).code == 0  # cron was not stopped
    assert len(outbox_files(ws)) == 1
    assert [item["state"] for item in items(ws)] == ["sent"]


_WRITER = """
import sys, uuid
from datetime import datetime, timezone
from pathlib import Path
from publisher.storage.queue import NewItem, Queue
path, stop, started = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
now = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
with Queue(path) as queue:
    count = 0
    while not stop.exists():
        queue.add([NewItem("w", "box-a", "outbox", ("sq",), "x" * 500, "h", now,
                           f"pub-{uuid.uuid4().hex}")], now=now, actor="writer")
        count += 1
        if count == 50:
            started.touch()
"""


def test_a_backup_taken_while_another_process_writes_is_consistent(ws: Path,
                                                                   tmp_path: Path) -> None:
    assert cli(ws, "queue").code == 0
    stop, started = tmp_path / "stop", tmp_path / "started"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(ws / "queue.sqlite3"),
                               str(stop), str(started)], stderr=subprocess.PIPE, text=True)
    try:
        while not started.exists():
            assert writer.poll() is None, writer.communicate()[1]
            time.sleep(0.01)
        result = cli(ws, "backup", "--now", T0)
    finally:
        stop.touch()
        _out, errors = writer.communicate(timeout=60)
    assert writer.returncode == 0, errors
    assert result.code == 0, result.err
    (copy,) = (ws / "backups").glob("queue-*.sqlite3")
    assert copy.name == "queue-20261201-080000.sqlite3"
    assert str(copy) in result.out
    assert (ws / "backups" / "queue-20261201-080000.journal.jsonl").is_file()
    db = sqlite3.connect(copy)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    copied = db.execute("SELECT count(*) FROM items").fetchone()[0]
    assert copied >= 50
    # Each add wrote an item and its history row in one transaction: both or neither.
    assert db.execute("SELECT count(*) FROM history").fetchone()[0] == copied
    db.close()
    total = sqlite3.connect(ws / "queue.sqlite3").execute("SELECT count(*) FROM items")
    assert total.fetchone()[0] >= copied


def test_a_backup_refuses_to_write_over_the_workspace(published: Path) -> None:
    before = snapshot_tree(published)
    for target in ("queue.sqlite3", "journal.jsonl", "drafts/x.sqlite3"):
        result = cli(published, "backup", "--out", str(published / target), "--now", T1)
        assert result.code == 2 and "refusing" in result.err, result.err
    assert snapshot_tree(published) == before


# The journal itself


def test_a_torn_last_line_is_ignored_and_the_next_append_repairs_it(tmp_path: Path) -> None:
    from publisher.storage.journal import Journal

    journal = Journal(tmp_path / "journal.jsonl")
    journal.append({"event": "queue-created", "at": "2026-12-01T08:00:00Z"})
    journal.append({"event": "published", "at": "2026-12-01T08:00:00Z", "draft": "a"})
    with open(journal.path, "ab") as file:
        file.write(b'{"event": "published", "dra')  # a crash in mid-write
    assert [r["event"] for r in journal.records()] == ["queue-created", "published"]
    journal.append({"event": "published", "at": "2026-12-01T09:00:00Z", "draft": "b"})
    assert [r.get("draft") for r in journal.records()] == [None, "a", "b"]
    assert journal.path.read_bytes().endswith(b'"draft": "b"}\n')


def test_a_bad_line_inside_the_journal_is_one_error_naming_its_line(tmp_path: Path) -> None:
    from publisher.storage.journal import Journal

    journal = Journal(tmp_path / "journal.jsonl")
    journal.append({"event": "queue-created", "at": "2026-12-01T08:00:00Z"})
    with open(journal.path, "ab") as file:
        file.write(b"not json\n")
    journal.append({"event": "published", "at": "2026-12-01T08:00:00Z", "draft": "a"})
    with pytest.raises(UserError) as caught:
        journal.records()
    assert caught.value.where == f"{journal.path}:2"


def test_every_sent_item_is_in_the_journal(published: Path) -> None:
    (record,) = [r for r in _journal(published) if r["event"] == "published"]
    (item,) = items(published)
    assert record["draft"] == "news" and record["account"] == "box-a"
    assert record["locales"] == ["sq"] and record["item"] == item["id"]
    assert record["url"] == item["url"] and record["at"].startswith("2026-12-01T08:00")


_RECORDS = st.lists(
    st.fixed_dictionaries({"event": st.sampled_from(["published", "queue-created"]),
                           "draft": st.text(max_size=30), "n": st.integers()}),
    min_size=1, max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(records=_RECORDS, cut=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_a_crash_anywhere_in_the_last_append_loses_at_most_that_record(
        tmp_path_factory: pytest.TempPathFactory, records: list[dict], cut: float) -> None:
    """Whatever byte a crash stops the last append at, the earlier records read back
    unchanged and the torn one is either whole or absent, never an error; the next
    append then starts a line of its own."""
    from publisher.storage.journal import Journal

    journal = Journal(tmp_path_factory.mktemp("journal") / "journal.jsonl")
    journal.append(*records[:-1])
    before = journal.path.read_bytes() if journal.path.exists() else b""
    journal.append(records[-1])
    whole = journal.path.read_bytes()
    torn_at = len(before) + int(cut * (len(whole) - len(before)))
    journal.path.write_bytes(whole[:torn_at])
    read = journal.records()
    assert read in (records[:-1], records)
    journal.append({"event": "published", "draft": "next"})
    assert journal.records()[-1] == {"event": "published", "draft": "next"}
    assert journal.records()[:-1] in (records[:-1], records)


def test_a_crash_between_the_journal_and_the_queue_is_settled_from_the_journal(
        ws: Path) -> None:
    """The flush writes the journal first: if it dies before marking the item sent, the
    next flush takes the journal's word (sent, with its URL) and sends nothing."""
    from datetime import datetime

    from publisher.domain.queue import State
    from publisher.storage.journal import Journal
    from publisher.storage.queue import Queue

    (item_id,) = schedule(ws, "news")
    at = datetime.fromisoformat(T0)
    with Queue(ws / "queue.sqlite3") as queue:
        queue.move(item_id, State.QUEUED, State.SENDING, now=at, actor="flush",
                   claim_token="dead", claimed_at=at, attempts=1)
        key = queue.get(item_id).idempotency_key
    Journal(ws / "journal.jsonl").append({
        "event": "published", "at": at.isoformat(), "draft": "news", "account": "box-a",
        "locales": ["sq"], "item": item_id, "key": key, "remote_id": "r1",
        "url": "https://example.org/r1", "content_hash": "h"})
    assert cli(ws, "flush", "--now", T0).code == 0
    assert [(i["state"], i["url"]) for i in items(ws)] == [("sent", "https://example.org/r1")]
    assert outbox_files(ws) == []


def test_a_refused_schedule_after_a_flush_changes_no_file(published: Path) -> None:
    # Found by the fuzz suite: the first command after a flush wrote the queue's
    # journal cursor (the flush's own lines were unread), even when it then refused.
    before = snapshot_tree(published)
    again = cli(published, "schedule", "news", "--at", T0, "--now", T0)
    assert again.code == 2 and "--again" in again.err
    after = snapshot_tree(published)
    assert after == before
