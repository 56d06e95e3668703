"""Which notifications were told, in the queue's file (table ``notifications``).

One row per event, channel and recipient, unique: an event seen again by a later run
adds nothing. A row is claimed (``sending``, committed) before its message leaves and
settled after; a row a crashed run left in ``sending`` may have gone out, so it is
never sent again (``unknown``): at most once, like a post whose fate is unknown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from publisher.storage.queue import Queue, from_utc_text, utc_text

PENDING, SENDING, SENT, FAILED, UNKNOWN = "pending", "sending", "sent", "failed", "unknown"


@dataclass(frozen=True)
class NewDelivery:
    event_key: str
    channel: str
    recipient: str
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    id: int
    event_key: str
    channel: str
    recipient: str
    kind: str
    payload: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


class NotificationLog:
    """The notifications table of an open queue."""

    def __init__(self, queue: Queue):
        self.queue = queue

    def record(self, deliveries: Iterable[NewDelivery], now: datetime) -> int:
        """Add the deliveries not recorded yet; how many were new."""
        added = 0
        with self.queue.transaction() as db:
            for new in deliveries:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO notifications (event_key, channel, recipient, kind,"
                    " payload, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (new.event_key, new.channel, new.recipient, new.kind,
                     json.dumps(new.payload, ensure_ascii=False, sort_keys=True), PENDING,
                     utc_text(now), utc_text(now)))
                added += cursor.rowcount
        return added

    def settle_interrupted(self, now: datetime, why: str) -> list[Delivery]:
        """Rows a crashed run left in ``sending``: maybe sent, so never sent again."""
        interrupted = self._select("state = ?", (SENDING,))
        with self.queue.transaction() as db:
            for row in interrupted:
                db.execute("UPDATE notifications SET state = ?, last_error = ?, updated_at = ?"
                           " WHERE id = ? AND state = ?",
                           (UNKNOWN, why, utc_text(now), row.id, SENDING))
        return interrupted

    def due(self, now: datetime) -> list[Delivery]:
        """Pending rows whose time has come, oldest first."""
        return self._select("state = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
                            (PENDING, utc_text(now)))

    def claim(self, delivery: Delivery, now: datetime) -> bool:
        """Mark it ``sending`` (one attempt more), committed before anything leaves."""
        with self.queue.transaction() as db:
            cursor = db.execute(
                "UPDATE notifications SET state = ?, attempts = attempts + 1, updated_at = ?"
                " WHERE id = ? AND state = ?", (SENDING, utc_text(now), delivery.id, PENDING))
            return cursor.rowcount == 1

    def settle(self, delivery: Delivery, state: str, now: datetime, *,
               error: str | None = None, next_attempt_at: datetime | None = None) -> None:
        with self.queue.transaction() as db:
            db.execute(
                "UPDATE notifications SET state = ?, last_error = ?, next_attempt_at = ?,"
                " updated_at = ? WHERE id = ? AND state = ?",
                (state, error, utc_text(next_attempt_at) if next_attempt_at else None,
                 utc_text(now), delivery.id, SENDING))

    def all(self) -> list[Delivery]:
        return self._select("1 = 1", ())

    def _select(self, condition: str, args: tuple[object, ...]) -> list[Delivery]:
        with self.queue.transaction() as db:
            rows = db.execute(
                "SELECT id, event_key, channel, recipient, kind, payload, state, attempts,"
                f" next_attempt_at, last_error FROM notifications WHERE {condition}"
                " ORDER BY id", args).fetchall()
        return [Delivery(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6],
                         row[7], from_utc_text(row[8]), row[9]) for row in rows]


def published_drafts(queue: Queue) -> set[str]:
    """Drafts with a post sent: nobody needs to translate or approve them any more."""
    with queue.transaction() as db:
        rows = db.execute("SELECT DISTINCT draft_id FROM items WHERE state = 'sent'")
        return {row[0] for row in rows}
