"""The calendar's week and moving a waiting post (``publisher reschedule``): every rule a
time is scheduled by refuses a move too, with nothing changed, and a move is exactly
once safe against a flush that read the item before it moved."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import run_cli, run_process
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from queue_helpers import add_account, cli, schedule, write_draft

from publisher.domain.errors import UserError
from publisher.domain.queue import State
from publisher.services import queueing
from publisher.services.calendar import reschedule, week_view
from publisher.services.context import open_context
from publisher.storage.queue import StaleState

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Belgrade, a Tuesday
NOW_TEXT = "2026-12-01T09:00:00+01:00"
EMBARGO = 'not_before = 2026-12-01T08:00:00+01:00\ndeadline = 2026-12-05T22:00:00+01:00'


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def ws(home: Path) -> Path:
    """An account with a 60-minute gap on the Kosovo audience (a blackout on 3 December),
    another one on a US audience; ``news`` (item 1, embargo and deadline) queued at
    10:00 and ``other`` (item 2) at 14:00 on 1 December, Belgrade time."""
    for args in (("kosovo", "--timezone", "Europe/Belgrade", "--window",
                  "MO-SU 18:00-20:00 1 evening"),
                 ("us", "--timezone", "America/New_York", "--window",
                  "MO-SU 09:00-11:00 1 morning")):
        assert cli(home, "audiences", "add", *args).code == 0
    assert cli(home, "blackout", "add", "2026-12-03", "--audience", "kosovo",
               "--reason", "mourning").code == 0
    add_account(home, "box", "--platform", "outbox", "--locales", "sq",
                "--audience", "kosovo", "--min-gap", "60")
    add_account(home, "box-us", "--platform", "outbox", "--locales", "sq", "--audience", "us")
    write_draft(home, "news", ["box"], extra=EMBARGO)
    write_draft(home, "other", ["box"])
    write_draft(home, "far", ["box-us"])
    assert schedule(home, "news", at="2026-12-01T10:00:00+01:00", now=NOW_TEXT) == [1]
    assert schedule(home, "other", at="2026-12-01T14:00:00+01:00", now=NOW_TEXT) == [2]
    return home


def queue_rows(home: Path) -> tuple[list, list]:
    """Every item's state and time, and the whole history: what a refusal must not touch."""
    with sqlite3.connect(home / "queue.sqlite3") as db:
        return (list(db.execute("SELECT id, state, due_at, updated_at FROM items")),
                list(db.execute("SELECT * FROM history")))


# Moving by the service


def test_a_move_changes_the_time_and_the_history_says_so(ws: Path) -> None:
    moved = reschedule(open_context(ws), 1, at("2026-12-02T10:00:00+01:00"), now=NOW)
    assert moved.moved and moved.before == at("2026-12-01T09:00:00+00:00")
    assert moved.after == at("2026-12-02T09:00:00+00:00") and moved.after.tzinfo == UTC
    with queueing.open_queue(open_context(ws)) as queue:
        assert queue.get(1).due_at == moved.after and queue.get(1).state == State.QUEUED
        last = queue.history(1)[-1]
    assert (last.from_state, last.to_state, last.actor) == (State.QUEUED, State.QUEUED,
                                                            "person")
    assert "moved from 2026-12-01T09:00:00+00:00 to 2026-12-02T09:00:00+00:00" in last.reason


def test_the_same_time_again_changes_nothing(ws: Path) -> None:
    before = queue_rows(ws)
    moved = reschedule(open_context(ws), 1, at("2026-12-01T10:00:00+01:00"), now=NOW)
    assert not moved.moved
    assert queue_rows(ws) == before


REFUSALS = [
    ("2026-12-01T07:00:00+01:00", "before the embargo of 'news'"),
    ("2026-12-06T10:00:00+01:00", "after the deadline of 'news'"),
    ("2026-12-01T14:30:00+01:00", "less than 60 min (the minimum gap of box) from item 2"),
    ("2026-12-01T13:01:00+01:00", "less than 60 min (the minimum gap of box) from item 2"),
    ("2026-12-03T10:00:00+01:00", "2026-12-03 is a blacked-out day for box's audience "
                                  "(mourning)"),
]


@pytest.mark.parametrize(("when", "why"), REFUSALS)
def test_a_time_that_breaks_a_scheduling_rule_is_refused_and_nothing_changes(
    ws: Path, when: str, why: str,
) -> None:
    before = queue_rows(ws)
    with pytest.raises(UserError) as refused:
        reschedule(open_context(ws), 1, at(when), now=NOW)
    assert why in refused.value.message
    assert queue_rows(ws) == before


def test_a_time_long_past_is_refused(ws: Path) -> None:
    with pytest.raises(UserError, match="more than 6 hours in the past"):
        reschedule(open_context(ws), 2, at("2026-11-30T20:00:00+01:00"), now=NOW)


def test_the_gap_counts_from_the_other_posts_not_the_item_itself(ws: Path) -> None:
    moved = reschedule(open_context(ws), 2, at("2026-12-01T14:30:00+01:00"), now=NOW)
    assert moved.moved  # 30 minutes from its own old time is no clash


def test_a_day_at_its_daily_maximum_is_refused(ws: Path) -> None:
    assert cli(ws, "accounts", "set", "box", "--max-per-day", "1").code == 0
    context = open_context(ws)
    reschedule(context, 1, at("2026-12-02T10:00:00+01:00"), now=NOW)  # a day of its own
    before = queue_rows(ws)
    with pytest.raises(UserError, match=r"box has 1 post on 2026-12-01 already, its daily"):
        reschedule(open_context(ws), 1, at("2026-12-01T18:00:00+01:00"), now=NOW)
    assert queue_rows(ws) == before


def test_the_items_own_deadline_counts_when_the_draft_moved_it_later(ws: Path) -> None:
    path = ws / "drafts" / "news.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("2026-12-05T22", "2026-12-25T22"),
                    encoding="utf-8")
    with pytest.raises(UserError, match="after the deadline"):
        reschedule(open_context(ws), 1, at("2026-12-10T10:00:00+01:00"), now=NOW)


def test_unknown_sent_sending_and_cancelled_items_are_refused(ws: Path) -> None:
    context = open_context(ws)
    with pytest.raises(UserError, match="no queue item 99"):
        reschedule(context, 99, at("2026-12-02T10:00:00+01:00"), now=NOW)
    queueing.cancel_item(context, 2, NOW)
    with pytest.raises(UserError, match="item 2 is cancelled; only queued or held items"):
        reschedule(context, 2, at("2026-12-02T10:00:00+01:00"), now=NOW)
    with queueing.open_queue(context) as queue:
        queue.move(1, State.QUEUED, State.SENDING, now=NOW, actor="flush")
    before = queue_rows(ws)
    with pytest.raises(UserError, match="item 1 is sending"):
        reschedule(context, 1, at("2026-12-02T10:00:00+01:00"), now=NOW)
    with pytest.raises(UserError, match="item 1 is sending"):
        reschedule(context, 1, None, now=NOW)
    assert queue_rows(ws) == before


def test_a_held_item_moves_while_frozen(ws: Path) -> None:
    context = open_context(ws)
    queueing.pause(context, None, "crisis", NOW)
    moved = reschedule(context, 1, at("2026-12-04T10:00:00+01:00"), now=NOW)
    assert moved.moved and moved.state == State.HELD
    with queueing.open_queue(context) as queue:
        assert queue.get(1).state == State.HELD and queue.get(1).held_by == "freeze"


def test_auto_takes_the_best_allowed_time_of_the_account(ws: Path) -> None:
    moved = reschedule(open_context(ws), 1, None, now=NOW)
    assert moved.after == at("2026-12-01T18:00:00+01:00")  # the evening window, same day
    # Off the blackout day and after the embargo, whenever it is asked.
    again = reschedule(open_context(ws), 2, None, now=at("2026-12-02T21:00:00+01:00"))
    assert again.after.astimezone(UTC).date() == date(2026, 12, 4)


def test_auto_is_refused_while_frozen_as_schedule_auto_is(ws: Path) -> None:
    context = open_context(ws)
    queueing.pause(context, None, "crisis", NOW)
    before = queue_rows(ws)
    with pytest.raises(UserError, match=r"the queue is frozen \(crisis\)"):
        reschedule(context, 1, None, now=NOW)
    assert queue_rows(ws) == before


def test_a_moved_item_goes_out_at_its_new_time_only(ws: Path) -> None:
    reschedule(open_context(ws), 1, at("2026-12-02T10:00:00+01:00"), now=NOW)
    flush = cli(ws, "flush", "--now", "2026-12-01T10:05:00+01:00", "--json")
    assert [o["item"] for o in json.loads(flush.out)["outcomes"]] == []
    flush = cli(ws, "flush", "--now", "2026-12-02T10:00:00+01:00", "--json")
    assert [o["state"] for o in json.loads(flush.out)["outcomes"] if o["item"] == 1] == [
        "sent"]


def test_a_flush_that_read_the_item_before_it_moved_cannot_claim_it(ws: Path) -> None:
    context = open_context(ws)
    with queueing.open_queue(context) as queue:
        read = queue.get(1)  # the flush's reading, due at 10:00
    reschedule(context, 1, at("2026-12-02T10:00:00+01:00"), now=NOW)
    with queueing.open_queue(context) as queue:
        with pytest.raises(StaleState):
            queue.move(1, read.state, State.SENDING, now=NOW, actor="flush",
                       expected_due=read.due_at)
        assert queue.get(1).state == State.QUEUED


# The week


def test_the_week_places_posts_by_day_and_hour_in_the_chosen_zone(ws: Path) -> None:
    schedule(ws, "far", at="2026-12-06T23:30:00+01:00", now=NOW_TEXT)  # item 3, Sunday
    context = open_context(ws)
    week = week_view(context, date(2026, 12, 3))
    assert week.monday == date(2026, 11, 30) and week.zone.timezone == "Europe/Belgrade"
    assert [p.item_id for p in week.cell(1, 10)] == [1]
    assert [p.item_id for p in week.cell(1, 14)] == [2]
    assert [p.item_id for p in week.cell(6, 23)] == [3]
    assert [c.audience for c in week.zones] == [None, "kosovo", "us"]
    us = week_view(context, date(2026, 12, 3), audience="us")
    assert us.zone.timezone == "America/New_York"
    assert [p.item_id for p in us.cell(1, 4)] == [1]  # 10:00 in Belgrade is 04:00 there
    assert [p.item_id for p in us.cell(6, 17)] == [3]
    with pytest.raises(UserError, match="unknown audience 'nowhere'"):
        week_view(context, date(2026, 12, 3), audience="nowhere")


def test_the_week_marks_blackouts_and_the_freeze_and_hides_cancelled_posts(ws: Path) -> None:
    context = open_context(ws)
    week = week_view(context, date(2026, 12, 1))
    assert [bool(d.blackouts) for d in week.days] == [False, False, False, True, False,
                                                       False, False]
    assert week.days[3].blackouts[0].reason == "mourning" and not week.freeze
    assert not week_view(context, date(2026, 12, 1), audience="us").days[3].blackouts
    queueing.cancel_item(context, 2, NOW)
    queueing.pause(context, None, "crisis", at("2026-12-02T12:00:00+01:00"))
    week = week_view(open_context(ws), date(2026, 12, 1))
    assert [d.frozen for d in week.days] == [False, False, True, True, True, True, True]
    assert week.freeze is not None and week.freeze.reason == "crisis"
    assert [(p.item_id, p.state, p.movable) for p in week.posts] == [(1, State.HELD, True)]


def test_a_sent_post_shows_when_it_went_out(ws: Path) -> None:
    assert cli(ws, "flush", "--now", "2026-12-01T10:20:00+01:00").code == 0
    week = week_view(open_context(ws), date(2026, 12, 1))
    sent = [p for p in week.posts if p.state == State.SENT]
    assert [(p.item_id, p.local.hour, p.local.minute, p.movable) for p in sent] == [
        (1, 10, 20, False)]


# The command


def test_reschedule_json(ws: Path) -> None:
    done = cli(ws, "reschedule", "1", "--at", "2026-12-02T10:00:00+01:00", "--now", NOW_TEXT,
               "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out) == {
        "item": 1, "draft": "news", "account": "box", "locales": ["sq"], "state": "queued",
        "moved": True, "before_utc": "2026-12-01T09:00:00+00:00",
        "due_utc": "2026-12-02T09:00:00+00:00", "due_local": "2026-12-02T10:00:00+01:00",
        "timezone": "Europe/Belgrade"}


def test_reschedule_says_what_moved(ws: Path) -> None:
    done = cli(ws, "reschedule", "2", "--auto", "--now", NOW_TEXT)
    assert done.code == 0, done.err
    assert done.out == ("Moved item 2 (other on box, sq) from 2026-12-01 13:00 UTC to "
                        "2026-12-01 17:00 UTC (1 Dec 2026 18:00 +01:00)\n")


@pytest.mark.parametrize(("args", "error"), [
    (["1", "--at", "2026-12-03T10:00:00+01:00"], "blacked-out day"),
    (["1", "--at", "2026-12-01T13:30:00+01:00"], "minimum gap of box"),
    (["1", "--at", "2026-12-01T07:00:00+01:00"], "before the embargo"),
    (["1", "--at", "2026-12-09T07:00:00+01:00"], "after the deadline"),
    (["42", "--auto"], "no queue item 42"),
    (["1", "--at", "2026-12-02 10:00"], "has no UTC offset"),
    (["1"], "one of the arguments --at --auto is required"),
    (["1", "--at", "2026-12-02T10:00:00+01:00", "--auto"], "not allowed with argument"),
    (["0", "--auto"], "0 is too small"),
])
def test_reschedule_refusals_are_one_line_exit_2_and_change_nothing(
    ws: Path, args: list[str], error: str,
) -> None:
    before = queue_rows(ws)
    done = cli(ws, "reschedule", *args, "--now", NOW_TEXT, "--json")
    assert done.code == 2 and done.out == ""
    assert done.err.startswith("publisher: error: ") and done.err.count("\n") == 1
    assert error in done.err
    assert queue_rows(ws) == before


def test_reschedule_of_a_sent_item_in_a_process_of_its_own(ws: Path) -> None:
    assert cli(ws, "flush", "--now", "2026-12-01T10:00:00+01:00").code == 0
    done = run_process("--home", str(ws), "reschedule", "1", "--auto", "--now", NOW_TEXT)
    assert done.code == 2
    assert done.err == ("publisher: error: item 1 is sent; only queued or held items can be "
                        "moved (see 'publisher queue')\n")


def test_reschedule_is_listed_in_the_help() -> None:
    assert "reschedule" in run_cli("--help").out


# Every post in exactly one cell: the week's partition holds across clock changes

DST_WEEKS = st.sampled_from([date(2026, 10, 19), date(2026, 10, 26), date(2026, 3, 30),
                             date(2026, 11, 2), date(2026, 12, 7)])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25)
@given(monday=DST_WEEKS, minutes=st.lists(st.integers(-24 * 60, 8 * 24 * 60), max_size=6),
       audience=st.sampled_from([None, "kosovo", "us"]))
def test_every_post_of_the_week_is_in_the_cell_of_its_local_day_and_hour(
    ws: Path, monday: date, minutes: list[int], audience: str | None,
) -> None:
    import uuid
    from datetime import timedelta

    from publisher.storage.queue import NewItem

    start = datetime.combine(monday, datetime.min.time(), tzinfo=UTC)
    context = open_context(ws)
    with queueing.open_queue(context) as queue:
        queue.add([NewItem("news", "box", "outbox", ("sq",), "t", "h",
                           start + timedelta(minutes=m), f"key-{uuid.uuid4().hex}")
                   for m in minutes], now=NOW, actor="test")
    week = week_view(context, monday, audience)
    cells = [post for day in range(7) for hour in range(24) for post in week.cell(day, hour)]
    assert sorted(p.item_id for p in cells) == sorted(p.item_id for p in week.posts)
    for post in week.posts:
        assert 0 <= (post.local.date() - week.monday).days < 7
        assert post.local.utcoffset() == post.at.astimezone(week.zone.zone).utcoffset()


def test_a_post_moved_while_a_flush_sends_the_one_before_it_waits_for_its_new_time(
    home: Path,
) -> None:
    """The flush reads the due items, then sends them one by one: an item moved later
    while the flush's request for the one before it is in flight stays queued."""
    import os
    import subprocess
    import sys

    from fakes.mastodon import FakeMastodon

    with FakeMastodon(token="test-access-token") as server:
        add_account(home, "dc-mastodon", "--platform", "mastodon", "--api-base", server.url,
                    "--locales", "sq")
        assert run_cli("--home", str(home), "accounts", "set-secret", "dc-mastodon",
                       stdin="test-access-token\n").code == 0
        write_draft(home, "first", ["dc-mastodon"])
        write_draft(home, "second", ["dc-mastodon"])
        assert schedule(home, "first", now=NOW_TEXT) + schedule(home, "second",
                                                                now=NOW_TEXT) == [1, 2]
        server.hold_path = "POST /api/v1/statuses"
        flush = subprocess.Popen(
            [sys.executable, "-m", "publisher", "--home", str(home), "flush", "--now",
             "2026-12-01T09:00:10+01:00"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
        assert server.received.wait(timeout=30), "the flush never reached the server"
        moved = cli(home, "reschedule", "2", "--at", "2026-12-01T12:00:00+01:00", "--now",
                    NOW_TEXT)
        assert moved.code == 0, moved.err
        server.release.set()
        flush.communicate(timeout=60)
        assert len(server.requests_to("POST", "/api/v1/statuses")) == 1
    with queueing.open_queue(open_context(home)) as queue:
        second = queue.get(2)
    assert second.state == State.QUEUED
    assert second.due_at == at("2026-12-01T11:00:00+00:00")
