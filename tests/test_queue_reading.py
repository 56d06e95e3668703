"""The queue's cheaper reads answer exactly what the full reads did.

A cron flush every minute reads the queue several times; with hundreds of
items waiting, parsing every item's seven times each time was most of an
empty flush's work. The flush now asks SQLite for what it needs (the accounts
with waiting items; the overdue items; what the waiting items
post, for the draft check) and parses times with
``fromisoformat``: these properties hold the new reads to the old answers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from publisher.domain.queue import PENDING, State
from publisher.storage.queue import NewItem, Queue, from_utc_text, utc_text

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2999, 12, 31),
                       timezones=st.just(UTC))


@given(moment=MOMENTS)
def test_a_stored_time_reads_back_unchanged(moment: datetime) -> None:
    assert from_utc_text(utc_text(moment)) == moment


def _strptime(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _read(text: str) -> datetime | None:
    try:
        return from_utc_text(text)
    except ValueError:
        return None


# Stored times, near misses of their shape, and any text.
NEAR_MISSES = st.from_regex(r"\A[0-9]{1,4}-[0-9]{1,2}-[0-9]{1,2}[T ][0-9]{1,2}:[0-9]{2}:"
                            r"[0-9]{2}[.,][0-9]{1,7}[Z+0-9:]{0,6}\Z")


@given(text=MOMENTS.map(utc_text) | NEAR_MISSES | st.text(max_size=30))
def test_any_text_reads_as_strptime_reads_it(text: str) -> None:
    assert _read(text) == _strptime(text)


# Items: (minutes from NOW to the due time, minutes to the deadline or None, state,
# account, maximum lateness in minutes).
ITEMS = st.lists(st.tuples(
    st.integers(-60, 60), st.none() | st.integers(-60, 60),
    st.sampled_from([State.QUEUED, State.RETRY, State.HELD, State.SENDING, State.SENT,
                     State.FAILED]),
    st.sampled_from(["a", "b", "c"]), st.integers(1, 40),
), max_size=8)


def _queue(folder: Path, rows: list[tuple]) -> Queue:
    queue = Queue(folder / "queue.sqlite3")
    for number, (due, deadline, state, account, lateness) in enumerate(rows):
        (item_id,) = queue.add([NewItem(
            f"draft-{number % 3}", account, "outbox", ("sq", "en")[: 1 + number % 2], "t",
            f"hash-{number}", NOW + timedelta(minutes=due),
            f"k{number}", deadline=None if deadline is None
            else NOW + timedelta(minutes=deadline), max_lateness_s=lateness * 60,
        )], now=NOW, actor="test")
        path = {State.QUEUED: [], State.HELD: [State.HELD], State.SENDING: [State.SENDING],
                State.RETRY: [State.SENDING, State.RETRY],
                State.SENT: [State.SENDING, State.SENT],
                State.FAILED: [State.SENDING, State.FAILED]}[state]
        for before, after in zip([State.QUEUED, *path], path, strict=False):
            queue.move(item_id, before, after, now=NOW, actor="test")
    return queue


@given(rows=ITEMS)
def test_accounts_with_items_in_states_are_those_of_the_items(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple],
) -> None:
    with _queue(tmp_path_factory.mktemp("q"), rows) as queue:
        for states in ([*PENDING], [*PENDING, State.SENDING, State.HELD], [State.SENT]):
            assert queue.account_ids(states) == {i.account_id for i in queue.items(states)}


@given(rows=ITEMS)
def test_what_items_post_is_read_without_the_rest(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple],
) -> None:
    with _queue(tmp_path_factory.mktemp("q"), rows) as queue:
        for states in ([*PENDING], [State.HELD, State.SENT]):
            assert [(p.draft_id, p.account_id, p.locales, p.content_hash)
                    for p in queue.posts(states)] == [
                (i.draft_id, i.account_id, i.locales, i.content_hash)
                for i in queue.items(states)]


@settings(max_examples=100)
@given(rows=ITEMS, now=st.integers(-70, 70).map(lambda m: NOW + timedelta(minutes=m)))
# Exactly at the maximum lateness, exactly at the deadline: neither is overdue yet.
@example(rows=[(-10, None, State.QUEUED, "a", 10), (5, 0, State.RETRY, "b", 40)], now=NOW)
def test_the_overdue_items_are_those_past_their_deadline_or_lateness(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple], now: datetime,
) -> None:
    with _queue(tmp_path_factory.mktemp("q"), rows) as queue:
        overdue = [item.id for item in queue.items(PENDING)
                   if (item.deadline and now > item.deadline)
                   or now - item.due_at > timedelta(seconds=item.max_lateness_s)]
        assert [item.id for item in queue.overdue(PENDING, now)] == overdue
