"""The workspace watch (what the terminal UI polls) and the flush's last-run note."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from queue_helpers import T0, add_account, cli, schedule, write_draft

from publisher.services.context import open_context
from publisher.services.queueing import open_queue, publish_item_now
from publisher.services.watch import QueueHealth, WorkspaceWatch, queue_health

START = datetime.fromisoformat(T0)


@pytest.fixture
def ws(home: Path) -> Path:
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    write_draft(home, "news", ["box-a"])
    open_queue(open_context(home)).close()
    return home


def watch(home: Path) -> WorkspaceWatch:
    return WorkspaceWatch(open_context(home).workspace)


def test_a_workspace_at_rest_reports_no_change(ws: Path) -> None:
    seen = watch(ws)
    assert seen.changes() == frozenset()
    open_queue(open_context(ws)).close()  # reading changes nothing
    assert seen.changes() == frozenset()


def test_a_commit_by_another_process_is_a_queue_change(ws: Path) -> None:
    seen = watch(ws)
    done = subprocess.run([sys.executable, "-m", "publisher", "--home", str(ws), "pause",
                           "--all", "--reason", "test"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "queue" in seen.changes()
    assert seen.changes() == frozenset()


def test_a_draft_edited_in_place_with_the_same_size_is_a_drafts_change(ws: Path) -> None:
    path = ws / "drafts" / "news.toml"
    seen = watch(ws)
    data = path.read_bytes()
    with open(path, "r+b") as file:  # an editor writing in place, same length
        file.write(data.replace(b"Lajm", b"LAJM"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    time.sleep(0.2)  # the files are scanned as SCAN_SHARE allows: a folder of one, at once
    assert seen.changes() == frozenset({"drafts"})


def test_new_and_removed_drafts_accounts_and_settings_are_changes(ws: Path) -> None:
    seen = watch(ws)
    write_draft(ws, "more", ["box-a"])
    assert seen.changes() == frozenset({"drafts"})
    (ws / "drafts" / "more.toml").unlink()
    assert seen.changes() == frozenset({"drafts"})
    add_account(ws, "box-b", "--platform", "outbox", "--locales", "en")
    assert seen.changes() == frozenset({"accounts"})
    settings = ws / "publisher.toml"
    settings.write_text(settings.read_text() + "\n", encoding="utf-8")
    assert seen.changes() == frozenset({"settings"})


def test_a_queue_file_replaced_is_a_change_and_is_followed(ws: Path) -> None:
    seen = watch(ws)
    assert cli(ws, "queue", "reset", "--yes").code == 0
    assert "queue" in seen.changes()
    schedule(ws, "news")
    assert "queue" in seen.changes()


def test_the_flush_notes_when_it_ran_and_what_it_did(ws: Path) -> None:
    assert queue_health(open_context(ws), START).last_flush is None
    schedule(ws, "news")
    assert cli(ws, "flush", "--now", "2026-12-01T08:00:00+01:00").code == 0
    early = queue_health(open_context(ws), START).last_flush
    assert early is not None and early.at == START - timedelta(hours=1)
    assert early.outcomes == {}
    assert cli(ws, "flush", "--now", "2026-12-01T09:01:00+01:00").code == 0
    run = queue_health(open_context(ws), START).last_flush
    assert run is not None and run.outcomes == {"sent": 1}
    assert run.at == START + timedelta(minutes=1)


def test_publish_now_is_not_taken_for_the_cron_run(ws: Path) -> None:
    (item_id,) = schedule(ws, "news", at="2026-12-01T12:00:00+01:00")
    report = publish_item_now(open_context(ws), item_id, lambda: START)
    assert [o.state for o in report.outcomes] == ["sent"]
    assert queue_health(open_context(ws), START).last_flush is None


def test_posts_due_without_a_flush_for_five_minutes_want_a_warning(ws: Path) -> None:
    schedule(ws, "news")
    context = open_context(ws)
    assert queue_health(context, START - timedelta(minutes=1)).due == 0
    health = queue_health(context, START + timedelta(minutes=1))
    assert health.due == 1 and health.waiting_for_flush(START)  # none ever ran
    assert cli(ws, "flush", "--now", "2026-12-01T08:58:00+01:00").code == 0  # too early
    health = queue_health(context, START + timedelta(minutes=1))
    assert not health.waiting_for_flush(START + timedelta(minutes=3))
    assert health.waiting_for_flush(START + timedelta(minutes=3, seconds=1))
    assert not QueueHealth(health.freeze, health.last_flush, 0).waiting_for_flush(
        START + timedelta(hours=1))
