"""Scheduling and flushing through the offline outbox: the queue's contract end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import snapshot_tree
from queue_helpers import (
    T0,
    add_account,
    cli,
    history,
    items,
    outbox_files,
    schedule,
    states,
    write_draft,
)


@pytest.fixture
def ws(home: Path) -> Path:
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    add_account(home, "box-b", "--platform", "outbox", "--locales", "sq,en", "--layout",
                "combined")
    write_draft(home, "news", ["box-a"])
    return home


def test_schedule_then_flush_sends_once(ws: Path) -> None:
    (item_id,) = schedule(ws, "news")
    assert states(ws) == {item_id: "queued"}
    early = cli(ws, "flush", "--now", "2026-12-01T08:59:00+01:00")
    assert early.code == 0 and early.out == "" and early.err == ""
    assert outbox_files(ws) == []
    due = cli(ws, "flush", "--now", "2026-12-01T09:00:30+01:00")
    assert due.code == 0, due.err
    assert due.out == ""  # quiet on success: cron mails only trouble
    (sent,) = items(ws)
    assert sent["state"] == "sent" and sent["url"].startswith("file://")
    assert len(outbox_files(ws)) == 1
    again = cli(ws, "flush", "--now", "2026-12-01T10:00:00+01:00")
    assert again.code == 0
    assert len(outbox_files(ws)) == 1
    assert [h[:2] for h in history(ws, item_id)] == [
        (None, "queued"), ("queued", "sending"), ("sending", "sent"),
    ]


def test_flush_verbose_and_json_say_what_happened(ws: Path) -> None:
    schedule(ws, "news")
    result = cli(ws, "-v", "flush", "--now", "2026-12-01T09:01:00+01:00")
    assert "sent" in result.out and "news" in result.out
    write_draft(ws, "more", ["box-a"])
    schedule(ws, "more")
    data = json.loads(cli(ws, "flush", "--now", "2026-12-01T09:02:00+01:00", "--json").out)
    assert data["exit_code"] == 0
    assert [o["state"] for o in data["outcomes"]] == ["sent"]


def test_combined_layout_makes_one_post(ws: Path) -> None:
    write_draft(ws, "both", ["box-b"], extra="")
    path = ws / "drafts" / "both.toml"
    path.write_text(path.read_text() + '\n[variants.en]\ntext = "News from the embassy."\n')
    (item_id,) = schedule(ws, "both")
    (item,) = [i for i in items(ws) if i["id"] == item_id]
    assert item["locales"] == ["sq", "en"]
    cli(ws, "flush", "--now", "2026-12-01T09:01:00+01:00")
    record = json.loads(outbox_files(ws)[0].read_text())
    assert record["text"] == "Lajm i ri nga ambasada (both).\n\nNews from the embassy."


def test_only_approved_drafts_can_be_scheduled(ws: Path) -> None:
    write_draft(ws, "draft", ["box-a"], approved=False)
    result = cli(ws, "schedule", "draft", "--at", T0, "--now", T0)
    assert result.code == 2
    assert "drafts approve draft" in result.err
    assert not (ws / "queue.sqlite3").exists() or items(ws) == []


def test_missing_and_stale_variants_are_refused(ws: Path) -> None:
    write_draft(ws, "both", ["box-b"])
    result = cli(ws, "schedule", "both", "--at", T0, "--now", T0)
    assert result.code == 2 and "no en text" in result.err
    path = ws / "drafts" / "both.toml"
    stale = '\n[variants.en]\ntext = "News."\nfrom_source = "00000000"\n'
    path.write_text(path.read_text() + stale)
    result = cli(ws, "schedule", "both", "--at", T0, "--now", T0)
    assert result.code == 2 and "stale" in result.err
    ok = cli(ws, "schedule", "both", "--at", T0, "--now", T0, "--allow-stale")
    assert ok.code == 0, ok.err


def test_embargo_and_deadline_are_enforced(ws: Path) -> None:
    write_draft(ws, "timed", ["box-a"], extra=(
        "not_before = 2026-12-01T08:00:00+01:00\ndeadline = 2026-12-01T12:00:00+01:00"))
    early = cli(ws, "schedule", "timed", "--at", "2026-12-01T07:00:00+01:00", "--now", T0)
    late = cli(ws, "schedule", "timed", "--at", "2026-12-01T13:00:00+01:00", "--now", T0)
    assert early.code == 2 and "embargo" in early.err
    assert late.code == 2 and "deadline" in late.err


def test_bad_times_are_usage_errors(ws: Path) -> None:
    for at in ("tomorrow", "2026-12-01T09:00:00"):
        result = cli(ws, "schedule", "news", "--at", at)
        assert result.code == 2
        assert result.err.count("\n") == 1


def test_scheduling_twice_is_refused(ws: Path) -> None:
    (item_id,) = schedule(ws, "news")
    result = cli(ws, "schedule", "news", "--at", T0, "--now", T0)
    assert result.code == 2 and f"item {item_id}" in result.err
    assert cli(ws, "cancel", str(item_id)).code == 0
    schedule(ws, "news")


def test_an_edit_after_queueing_is_refused_not_sent(ws: Path) -> None:
    (item_id,) = schedule(ws, "news")
    path = ws / "drafts" / "news.toml"
    path.write_text(path.read_text().replace("Lajm i ri", "Lajm i NDRYSHUAR"))
    result = cli(ws, "flush", "--now", "2026-12-01T09:01:00+01:00")
    assert result.code == 4 and "edited after it was queued" in result.out + result.err
    assert outbox_files(ws) == []
    assert states(ws) == {item_id: "failed"}
    # The person's way out: cancel, (re-)approve, schedule the edit.
    assert cli(ws, "cancel", str(item_id)).code == 0
    schedule(ws, "news")
    assert cli(ws, "flush", "--now", "2026-12-01T09:02:00+01:00").code == 0
    record = json.loads(outbox_files(ws)[0].read_text())
    assert record["text"] == "Lajm i NDRYSHUAR nga ambasada (news)."


def test_an_unapproved_or_deleted_draft_stops_its_items(ws: Path) -> None:
    (item_id,) = schedule(ws, "news")
    path = ws / "drafts" / "news.toml"
    path.write_text(path.read_text().replace("approved = true", "approved = false"))
    assert cli(ws, "flush", "--now", "2026-12-01T09:01:00+01:00").code == 4
    assert states(ws) == {item_id: "failed"}
    write_draft(ws, "gone", ["box-a"])
    (other,) = schedule(ws, "gone")
    (ws / "drafts" / "gone.toml").unlink()
    assert cli(ws, "flush", "--now", "2026-12-01T09:02:00+01:00").code == 4
    assert states(ws)[other] == "failed"
    assert outbox_files(ws) == []


def test_overdue_items_expire_instead_of_going_out_late(ws: Path) -> None:
    (item_id,) = schedule(ws, "news")
    result = cli(ws, "flush", "--now", "2026-12-01T15:30:00+01:00")  # 6.5 h late
    assert result.code == 0
    assert states(ws) == {item_id: "expired"}
    assert outbox_files(ws) == []
    assert cli(ws, "retry", str(item_id), "--now", "2026-12-01T15:31:00+01:00").code == 0
    cli(ws, "flush", "--now", "2026-12-01T15:32:00+01:00")
    assert states(ws) == {item_id: "sent"}


def test_deadline_expires_an_item(ws: Path) -> None:
    write_draft(ws, "timed", ["box-a"], extra="deadline = 2026-12-01T09:30:00+01:00")
    (item_id,) = schedule(ws, "timed")
    cli(ws, "flush", "--now", "2026-12-01T09:45:00+01:00")
    assert states(ws)[item_id] == "expired"


def test_freeze_holds_everything_until_resumed(ws: Path) -> None:
    (item_id,) = schedule(ws, "news")
    result = cli(ws, "pause", "--all", "--reason", "day of mourning")
    assert result.code == 0 and "1 item" in result.out
    assert states(ws) == {item_id: "held"}
    cli(ws, "flush", "--now", "2026-12-01T09:01:00+01:00")
    assert outbox_files(ws) == []
    write_draft(ws, "during", ["box-a"])
    (later,) = schedule(ws, "during")
    assert states(ws)[later] == "held"  # scheduled during the freeze
    listing = cli(ws, "queue")
    assert "FROZEN" in listing.out and "day of mourning" in listing.out
    assert cli(ws, "resume", "--all").code == 0
    cli(ws, "flush", "--now", "2026-12-01T09:02:00+01:00")
    assert set(states(ws).values()) == {"sent"}


def test_paused_account_does_not_stop_others(ws: Path) -> None:
    write_draft(ws, "two", ["box-a", "box-b"])
    path = ws / "drafts" / "two.toml"
    path.write_text(path.read_text() + '\n[variants.en]\ntext = "Two."\n')
    schedule(ws, "two")
    assert cli(ws, "pause", "--account", "box-a", "--reason", "review").code == 0
    cli(ws, "flush", "--now", "2026-12-01T09:01:00+01:00")
    by_account = {i["account"]: i["state"] for i in items(ws)}
    assert by_account == {"box-a": "held", "box-b": "sent"}
    cli(ws, "resume", "--account", "box-a")
    cli(ws, "flush", "--now", "2026-12-01T09:02:00+01:00")
    assert {i["state"] for i in items(ws)} == {"sent"}


def test_publish_now_bypasses_time_but_not_the_freeze(ws: Path) -> None:
    cli(ws, "pause", "--all", "--reason", "crisis")
    held = cli(ws, "publish-now", "news")
    assert held.code == 4 and "held" in held.err
    assert outbox_files(ws) == []
    cli(ws, "resume", "--all")
    write_draft(ws, "urgent", ["box-a"])
    result = cli(ws, "publish-now", "urgent")
    assert result.code == 0, result.err
    assert "Published urgent" in result.out
    assert any(json.loads(p.read_text())["draft"] == "urgent" for p in outbox_files(ws))


def test_cancel_and_retry_are_checked(ws: Path) -> None:
    (item_id,) = schedule(ws, "news")
    assert cli(ws, "retry", str(item_id)).code == 2  # queued items need no retry
    assert cli(ws, "cancel", "999").code == 2
    assert cli(ws, "cancel", str(item_id)).code == 0
    assert cli(ws, "cancel", str(item_id)).code == 2  # already cancelled


def test_a_broken_draft_file_stops_only_its_own_items(ws: Path) -> None:
    (news,) = schedule(ws, "news")
    write_draft(ws, "other", ["box-a"])
    (other,) = schedule(ws, "other")
    (ws / "drafts" / "broken.toml").write_text("title = \n")
    (ws / "drafts" / "news.toml").write_text("garbage [[[")
    result = cli(ws, "flush", "--now", "2026-12-01T09:01:00+01:00")
    assert result.code == 4
    assert "news.toml" in result.err and "\n" not in result.err.strip()
    assert states(ws) == {news: "queued", other: "sent"}  # waits for the fix
    assert len(outbox_files(ws)) == 1
    write_draft(ws, "news", ["box-a"])  # fixed: the same approved text
    assert cli(ws, "flush", "--now", "2026-12-01T09:02:00+01:00").code == 0
    assert states(ws) == {news: "sent", other: "sent"}


def test_refused_schedule_writes_nothing(ws: Path) -> None:
    schedule(ws, "news")
    before = snapshot_tree(ws)
    write_draft(ws, "draft", ["box-a"], approved=False)
    before = snapshot_tree(ws)
    assert cli(ws, "schedule", "draft", "--at", T0, "--now", T0).code == 2
    after = snapshot_tree(ws)
    assert {k: v for k, v in after.items() if "sqlite3" not in k} == {
        k: v for k, v in before.items() if "sqlite3" not in k
    }
    assert len(items(ws)) == 1


def test_the_account_sets_its_own_maximum_lateness(home: Path) -> None:
    add_account(home, "box-late", "--platform", "outbox", "--locales", "sq",
                "--max-lateness", "30")
    assert "max_lateness = 30" in (home / "accounts.toml").read_text()
    write_draft(home, "news", ["box-late"])
    (item_id,) = schedule(home, "news")
    assert cli(home, "flush", "--now", "2026-12-01T09:31:00+01:00").code == 0
    assert states(home) == {item_id: "expired"}
    assert outbox_files(home) == []


def test_maximum_lateness_must_be_positive(home: Path) -> None:
    result = cli(home, "accounts", "add", "box", "--platform", "outbox", "--max-lateness", "0")
    assert result.code == 2 and "--max-lateness" in result.err
    assert not (home / "accounts.toml").exists() or "box" not in (
        home / "accounts.toml").read_text()
