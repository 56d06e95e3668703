"""``publisher queue --ical``: the queue as an RFC 5545 calendar, read back with the
icalendar library's own parser; one event per post with a UID that stays."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import DEMO_NOW, run_cli
from icalendar import Calendar


def cli(home: Path, *args: str):
    return run_cli("--home", str(home), *args)


@pytest.fixture
def busy(tmp_path: Path) -> Path:
    """The demo's workspace with its queue: posts sent, failed, queued, threads."""
    home = tmp_path / "demo"
    result = run_cli("--home", str(home), "demo", "--now", DEMO_NOW)
    assert result.code == 0, result.err
    return home


def feed(home: Path, *args: str) -> Calendar:
    result = cli(home, "queue", "--ical", *args)
    assert result.code == 0, result.err
    assert result.out.startswith("BEGIN:VCALENDAR\r\n")
    return Calendar.from_ical(result.out)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_parses_with_one_event_per_post(busy: Path) -> None:
    calendar = feed(busy)
    assert str(calendar["version"]) == "2.0" and "publisher" in str(calendar["prodid"])
    found = events(calendar)
    items = json.loads(cli(busy, "queue", "--json").out)
    posts = [item for item in items if item["action"] == "post" and item["state"] != "cancelled"]
    first_parts = [item for item in posts if item["part"]["chain_of"] is None]
    assert len(found) == len(first_parts)  # a thread's parts are one event
    by_draft = {}
    for item in first_parts:
        by_draft.setdefault((item["draft"], item["account"]), []).append(item)
    for event in found.values():
        start = event.decoded("dtstart")
        assert start.tzinfo is not None and start.utcoffset().total_seconds() == 0
        assert event["dtstart"].to_ical().endswith(b"Z")
        account, _colon, _rest = str(event["summary"]).partition(": ")
        assert any(account == key[1] for key in by_draft)
        first_line, state = str(event["description"]).split("\n")
        assert state.startswith("state: ")
        assert first_line
    summaries = [str(e["summary"]) for e in found.values()]
    assert any(s.startswith("mfa-x: Consular alert: floods (en)") for s in summaries)
    states = {str(e["description"]).split("\n")[1] for e in found.values()}
    assert {"state: sent", "state: failed"} <= states


def test_uids_stay_across_exports_and_moves(busy: Path) -> None:
    before = events(feed(busy))
    assert events(feed(busy)).keys() == before.keys()
    queued = [item for item in json.loads(cli(busy, "queue", "--json").out)
              if item["state"] == "queued" and item["part"]["chain_of"] is None
              and item["part"]["thread_parts"] == 1]
    assert queued
    item = queued[0]
    later = (datetime.fromisoformat(item["due_utc"]) + timedelta(minutes=127)).isoformat()
    moved = cli(busy, "reschedule", str(item["id"]), "--at", later, "--now", DEMO_NOW)
    assert moved.code == 0, moved.err
    after = events(feed(busy))
    assert after.keys() == before.keys()  # the calendar updates the event, adds none
    changed = [uid for uid in after
               if after[uid].decoded("dtstart") != before[uid].decoded("dtstart")]
    assert len(changed) == 1
    assert after[changed[0]].decoded("dtstart").astimezone(UTC).isoformat() == later


def test_the_feed_has_no_secret_or_error_text(busy: Path) -> None:
    run = cli(busy, "queue", "--ical")
    assert "refused this post on purpose" not in run.out  # errors stay in the queue view
    assert "token" not in run.out.lower()


def test_out_writes_the_file(busy: Path, tmp_path: Path) -> None:
    out = tmp_path / "queue.ics"
    result = cli(busy, "queue", "--ical", "--out", str(out), "--state", "queued")
    assert result.code == 0 and result.out == "", result.err
    calendar = Calendar.from_ical(out.read_bytes())
    assert all("state: queued" in str(e["description"]) for e in calendar.walk("VEVENT"))
    assert calendar.walk("VEVENT")


def test_out_goes_with_ical_only(busy: Path, tmp_path: Path) -> None:
    result = cli(busy, "queue", "--out", str(tmp_path / "x.ics"))
    assert result.code == 2 and "--out goes with --ical" in result.err
    assert not (tmp_path / "x.ics").exists()
    assert cli(busy, "queue", "--ical", "--json").code == 2
    inside = cli(busy, "queue", "--ical", "--out", str(busy / "queue.sqlite3"))
    assert inside.code == 2 and "workspace's own files" in inside.err
