"""The queue's state machine and its append-only history, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from publisher.domain.queue import LEGAL_MOVES, IllegalMove, State, check_move
from publisher.storage.queue import SCHEMA_VERSION, NewItem, Queue, QueueFileError, StaleState

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def new_item(key: str = "k1") -> NewItem:
    return NewItem("d", "a", "outbox", ("sq",), "tekst", "hash", NOW, key)


def test_every_documented_move_is_legal() -> None:
    documented = [
        ("queued", "sending"), ("sending", "sent"), ("sending", "retry"), ("retry", "sending"),
        ("sending", "failed"), ("sending", "unknown"), ("queued", "held"), ("retry", "held"),
        ("held", "queued"), ("queued", "expired"),
    ]
    for current, target in documented:
        check_move(State(current), State(target))


@pytest.mark.parametrize("current,target", [
    ("sent", "queued"), ("sent", "sending"), ("failed", "sending"), ("unknown", "sending"),
    ("held", "sending"), ("expired", "sending"), ("cancelled", "queued"), ("queued", "sent"),
])
def test_illegal_moves_are_refused(current: str, target: str) -> None:
    with pytest.raises(IllegalMove):
        check_move(State(current), State(target))


def test_sent_and_cancelled_are_final() -> None:
    assert LEGAL_MOVES[State.SENT] == frozenset()
    assert LEGAL_MOVES[State.CANCELLED] == frozenset()


def test_move_is_compare_and_set_and_recorded(tmp_path: Path) -> None:
    with Queue(tmp_path / "q.sqlite3") as queue:
        (item_id,) = queue.add([new_item()], now=NOW, actor="test")
        queue.move(item_id, State.QUEUED, State.SENDING, now=NOW, actor="flush",
                   reason="sending", claim_token="t", attempts=1)
        with pytest.raises(StaleState):
            queue.move(item_id, State.QUEUED, State.SENDING, now=NOW, actor="other")
        with pytest.raises(IllegalMove):
            queue.move(item_id, State.SENDING, State.QUEUED, now=NOW, actor="x")
        history = queue.history(item_id)
        assert [(h.from_state, h.to_state, h.actor) for h in history] == [
            (None, State.QUEUED, "test"), (State.QUEUED, State.SENDING, "flush"),
        ]
        assert queue.get(item_id).claim_token == "t"


def test_history_is_append_only(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    with Queue(path) as queue:
        queue.add([new_item()], now=NOW, actor="test")
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE history SET reason = 'rewritten'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM history")


def test_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    with Queue(path) as queue:
        assert queue.schema_version == SCHEMA_VERSION
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(QueueFileError, match="newer publisher"):
        Queue(path)


def test_idempotency_keys_are_unique(tmp_path: Path) -> None:
    with Queue(tmp_path / "q.sqlite3") as queue:
        queue.add([new_item("same")], now=NOW, actor="t")
        with pytest.raises(sqlite3.IntegrityError):
            queue.add([new_item("same")], now=NOW, actor="t")
        assert len(queue.items()) == 1  # the failed add left nothing behind
