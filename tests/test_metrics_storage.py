"""The queue's schema 7: engagement readings, posts gone, and metrics holds (apart from
the posting holds), on real SQLite files."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from publisher.domain.queue import State
from publisher.domain.results import Engagement
from publisher.storage.queue import (
    MIGRATIONS,
    SCHEMA_VERSION,
    MetricsHold,
    NewItem,
    Queue,
    Reading,
    _statements,
)

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _schema_6_file(path: Path) -> None:
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:6]:
        for statement in _statements(script):
            db.execute(statement)
    db.execute("PRAGMA user_version = 6")
    db.execute(
        "INSERT INTO items (draft_id, account_id, platform, locales, text, content_hash, due_at,"
        " state, idempotency_key, created_at, updated_at, remote_id, url) VALUES ('d', 'a',"
        " 'mastodon', '[\"sq\"]', 'tekst', 'h', '2026-12-01T08:00:00.000000Z', 'sent', 'k0',"
        " '2026-12-01T08:00:00.000000Z', '2026-12-01T08:00:00.000000Z', '7', 'https://m/7')")
    db.execute("INSERT INTO history (item_id, at, actor, from_state, to_state) VALUES"
               " (1, '2026-12-01T08:00:05.000000Z', 'flush', 'sending', 'sent')")
    db.execute("INSERT INTO account_holds (account_id, kind, until, reason) VALUES"
               " ('a', 'rate-limited', '2026-12-01T09:00:00.000000Z', 'slow down')")
    db.commit()
    db.close()


def test_a_schema_6_queue_gains_the_metrics_tables_and_keeps_its_items(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    _schema_6_file(path)
    with Queue(path, create=False) as queue:
        assert queue.schema_version == SCHEMA_VERSION
        (item,) = queue.items()
        assert (item.state, item.remote_id) == (State.SENT, "7")
        assert queue.holds()["a"].kind == "rate-limited"  # the posting hold is kept
        assert queue.metrics_holds() == {} and queue.readings() == [] and queue.gone() == {}
        (post,) = queue.measurable(T0 - timedelta(days=1))
        assert post.sent_at == datetime(2026, 12, 1, 8, 0, 5, tzinfo=UTC)
        assert post.read_ages == frozenset()


def test_readings_gone_posts_and_metrics_holds_are_kept(tmp_path: Path) -> None:
    with Queue(tmp_path / "queue.sqlite3") as queue:
        (item_id,) = queue.add([NewItem("d", "a", "mastodon", ("sq", "en"), "t", "h", T0,
                                        "k1")], now=T0, actor="test")
        queue.move(item_id, State.QUEUED, State.SENDING, now=T0, actor="test")
        queue.move(item_id, State.SENDING, State.SENT, now=T0, actor="test", remote_id="9",
                   url="https://m/9")
        reading = Reading(item_id, "a", "sq+en", "d", "C", T0, "1h",
                          T0 + timedelta(hours=1), Engagement(likes=3, reposts=None))
        queue.add_reading(reading)
        queue.add_reading(reading)  # the same age twice: kept once
        (back,) = queue.readings("a")
        assert back == Reading(item_id, "a", "sq+en", "d", "C", T0, "1h",
                               T0 + timedelta(hours=1), Engagement(likes=3), "https://m/9")
        assert back.engagement.reposts is None  # not reported stays NULL, not 0
        assert queue.measurable(T0)[0].read_ages == frozenset({"1h"})
        queue.set_metrics_hold(MetricsHold("a", T0 + timedelta(minutes=15), "429"))
        assert queue.metrics_holds()["a"].until == T0 + timedelta(minutes=15)
        assert queue.holds() == {}  # a metrics hold is no posting hold
        queue.mark_gone(item_id, T0, "HTTP 404")
        assert queue.gone() == {item_id: "HTTP 404"}
        assert queue.measurable(T0) == []
