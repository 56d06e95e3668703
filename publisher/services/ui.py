"""What the terminal UI needs beyond the command-line use cases.

Overviews shaped for its screens (drafts with their next due time, the queue
with its pauses and holds, accounts with whether a secret is stored) and the
edits only an editor makes: several fields of a draft saved in one atomic
write, duplicating and deleting drafts, sending one queue item now. The UI
calls these and never touches SQL, HTTP or the draft files itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from publisher.domain.errors import UserError
from publisher.domain.queue import FINAL, NEEDS_PERSON, PENDING, State
from publisher.i18n import _
from publisher.services.context import Context
from publisher.services.queueing import open_queue
from publisher.storage.queue import FREEZE, AccountHold, Item, Pause

# Queue overview and a person's actions on it


@dataclass(frozen=True)
class QueueOverview:
    items: list[Item]
    freeze: Pause | None
    paused: dict[str, Pause]  # account id -> its pause
    holds: dict[str, AccountHold]


def queue_overview(
    context: Context, *, include_final: bool = False, recent_since: datetime | None = None
) -> QueueOverview:
    """The queue's items (sent, cancelled and expired ones only with ``include_final``,
    or when they became so after ``recent_since``), the freeze, pauses and holds."""
    with open_queue(context) as queue:
        items = queue.items()
        pauses = queue.pauses()
        holds = queue.holds()
    if not include_final:
        items = [item for item in items if item.state not in FINAL
                 or (recent_since is not None and item.updated_at >= recent_since)]
    freeze = pauses.pop(FREEZE, None)
    return QueueOverview(items, freeze, pauses, holds)


def publish_item_now(context: Context, item_id: int, clock: Callable[[], datetime]):
    """Send one item now: bypasses its time, never the freeze or a paused account.

    A failed, unknown or expired item is queued again first; a waiting one is
    brought forward. Returns the flush report of that one item.
    """
    from publisher.services import flush as flushing
    from publisher.services.queueing import retry_item

    now = clock()
    with open_queue(context) as queue:
        item = queue.get(item_id)
        pauses = queue.pauses()
        if item is None:
            raise UserError(_("no queue item {id}").format(id=item_id))
        if FREEZE in pauses or item.account_id in pauses or item.state == State.HELD:
            raise UserError(_("item {id} is held by a pause").format(id=item_id),
                            hint=_("resume first"))
        if item.state in PENDING and item.due_at > now:
            # Through "held" and back: the only legal way to change a waiting time,
            # and the history says who and why.
            why = _("a person asked to publish it now")
            queue.move(item_id, item.state, State.HELD, now=now, actor="person", reason=why,
                       held_by="pause")
            queue.move(item_id, State.HELD, State.QUEUED, now=now, actor="person", reason=why,
                       due_at=now, next_attempt_at=None)
    if item.state in NEEDS_PERSON | {State.EXPIRED}:
        retry_item(context, item_id, now)
    elif item.state not in PENDING:
        raise UserError(_("item {id} is {state}; nothing to publish").format(
            id=item_id, state=_(item.state.value)))
    return flushing.flush(context, clock=clock, only={item_id})
