"""The records beside the send queue (same SQLite file, schema 8): approvals, draft
changes, and the one history of who did what that ``publisher history`` reads.

Both tables are append-only (triggers refuse UPDATE and DELETE, as for the history).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from publisher.domain.approvals import ApprovalRecord, DraftChange
from publisher.storage.queue import Queue, from_utc_text, utc_text


def add_approvals(queue: Queue, records: list[ApprovalRecord]) -> None:
    """Append approval records, all in one transaction (or the caller's)."""
    with queue.transaction() as db:
        for record in records:
            db.execute(
                "INSERT INTO approvals (draft_id, step, kind, actor, at, fingerprint, reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.draft_id, record.step, record.kind, record.by, utc_text(record.at),
                 record.fingerprint, record.reason))


def approvals_of(queue: Queue, draft_id: str) -> list[ApprovalRecord]:
    """A draft's approval records, oldest first."""
    rows = queue.select("SELECT * FROM approvals WHERE draft_id = ? ORDER BY id", (draft_id,))
    return [ApprovalRecord(row["draft_id"], row["step"], row["kind"], row["actor"],
                           from_utc_text(row["at"]), row["fingerprint"], row["reason"])
            for row in rows]


def add_change(queue: Queue, change: DraftChange) -> None:
    with queue.transaction() as db:
        db.execute(
            "INSERT INTO draft_changes (draft_id, kind, locales, actor, at, how)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (change.draft_id, change.kind, json.dumps(list(change.locales)), change.by,
             utc_text(change.at), change.how))


def changes_of(queue: Queue, draft_id: str) -> list[DraftChange]:
    """A draft's change records, oldest first."""
    rows = queue.select("SELECT * FROM draft_changes WHERE draft_id = ? ORDER BY id",
                        (draft_id,))
    return [DraftChange(row["draft_id"], row["kind"], row["actor"], from_utc_text(row["at"]),
                        tuple(json.loads(row["locales"])), row["how"]) for row in rows]


def draft_known(queue: Queue, draft_id: str) -> bool:
    """Whether any record (queue item, approval, change) names the draft."""
    return bool(queue.select(
        "SELECT 1 FROM items WHERE draft_id = ?1 UNION ALL"
        " SELECT 1 FROM approvals WHERE draft_id = ?1 UNION ALL"
        " SELECT 1 FROM draft_changes WHERE draft_id = ?1 LIMIT 1", (draft_id,)))


@dataclass(frozen=True)
class Activity:
    """One line of the history: who did what when.

    ``kind``: ``queue`` (an item moved: ``item``, ``from_state``, ``to_state``),
    ``approval`` (``step`` approved or withdrawn: ``what``), ``change`` (a draft
    created, edited or imported: ``what``, ``locales``).
    """

    at: datetime
    actor: str
    kind: str
    draft_id: str
    what: str  # queue: the state reached; approval: approved | withdrawn; change: its kind
    reason: str = ""
    item: int | None = None
    from_state: str | None = None
    step: str | None = None
    locales: tuple[str, ...] = ()
    fingerprint: str | None = None


# One UNION, newest first; the id breaks ties of the same second within a table.
_ACTIVITY = """
SELECT h.at AS at, h.actor AS actor, 'queue' AS kind, i.draft_id AS draft_id,
       h.to_state AS what, h.reason AS reason, h.item_id AS item, h.from_state AS from_state,
       NULL AS step, NULL AS locales, NULL AS fingerprint, 0 AS source, h.id AS id
  FROM history h JOIN items i ON i.id = h.item_id {where_h}
UNION ALL
SELECT at, actor, 'approval', draft_id, kind, reason, NULL, NULL, step, NULL, fingerprint,
       1, id FROM approvals {where}
UNION ALL
SELECT at, actor, 'change', draft_id, kind, how, NULL, NULL, NULL, locales, NULL, 2, id
  FROM draft_changes {where}
ORDER BY at DESC, source DESC, id DESC
"""


def activity(queue: Queue, draft_id: str | None = None,
             limit: int | None = None) -> list[Activity]:
    """Who did what when, newest first (of one draft when given)."""
    args: tuple[str, ...] = ()
    if draft_id is None:
        sql = _ACTIVITY.format(where_h="", where="")
    else:
        sql = _ACTIVITY.format(where_h="WHERE i.draft_id = ?1", where="WHERE draft_id = ?1")
        args = (draft_id,)
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [
        Activity(from_utc_text(row["at"]), row["actor"], row["kind"], row["draft_id"],
                 row["what"], row["reason"] or "", row["item"], row["from_state"], row["step"],
                 tuple(json.loads(row["locales"])) if row["locales"] else (),
                 row["fingerprint"])
        for row in queue.select(sql, args)
    ]
