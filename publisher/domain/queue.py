"""The send queue's states and the only moves between them.

Written down once, here, and enforced by the storage layer on every change:
an illegal move is a bug, never something to paper over.

    queued  -> sending -> sent
    sending -> retry   -> sending          (a passing failure)
    sending -> failed                      (rejected: needs a person)
    sending -> unknown                     (crash or timeout; outcome unknowable)
    queued/retry -> held -> queued         (freeze, paused account, auth failure)
    queued/retry -> expired                (overdue past deadline or max lateness)
    queued/retry -> failed                 (the draft changed after it was queued:
                                            refused, never silently sent)

A person may also cancel anything not yet sent, and send failed, unknown or
expired items again (``publisher retry``), which puts them back in the queue.

The crisis kit's steps (deleting or editing a post already sent) move the same way,
``sent`` meaning done. Doing one twice is harmless (a deletion of what is gone counts
as done, an edit to the same text changes nothing), so a step a crash interrupts is
retried, never ``unknown``; the freeze does not hold them and they never expire.
"""

from __future__ import annotations

import enum

from publisher.i18n import N_


class Action(enum.StrEnum):
    """What an item does: publish a post, or delete or edit a post sent before."""

    POST = "post"
    DELETE = "delete"
    EDIT = "edit"


class State(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    UNKNOWN = "unknown"
    HELD = "held"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


# The state names as people read them: marked for the catalogs, shown with _().
STATE_NAMES = (N_("queued"), N_("sending"), N_("sent"), N_("retry"), N_("failed"),
               N_("unknown"), N_("held"), N_("expired"), N_("cancelled"))

LEGAL_MOVES: dict[State, frozenset[State]] = {
    State.QUEUED: frozenset(
        {State.SENDING, State.HELD, State.EXPIRED, State.FAILED, State.CANCELLED}
    ),
    State.SENDING: frozenset(
        {State.SENT, State.RETRY, State.FAILED, State.UNKNOWN, State.HELD}
    ),
    State.RETRY: frozenset(
        {State.SENDING, State.HELD, State.EXPIRED, State.FAILED, State.CANCELLED}
    ),
    State.HELD: frozenset({State.QUEUED, State.CANCELLED}),
    State.FAILED: frozenset({State.QUEUED, State.CANCELLED}),
    State.UNKNOWN: frozenset({State.QUEUED, State.SENT, State.CANCELLED}),
    State.EXPIRED: frozenset({State.QUEUED, State.CANCELLED}),
    State.SENT: frozenset(),
    State.CANCELLED: frozenset(),
}

# States that wait for the flush; states that need a person to decide.
PENDING = frozenset({State.QUEUED, State.RETRY})
NEEDS_PERSON = frozenset({State.FAILED, State.UNKNOWN})
FINAL = frozenset({State.SENT, State.CANCELLED})
# States whose time a person may change (``publisher reschedule``, the calendar): waiting
# and not claimed. A retrying item keeps its backoff; a claimed one may be out already.
MOVABLE = frozenset({State.QUEUED, State.HELD})


class IllegalMove(RuntimeError):
    """A state change the queue does not allow (a bug, not a user error)."""


def check_movable(state: State) -> None:
    if state not in MOVABLE:
        raise IllegalMove(f"a {state} item's time cannot change")


def check_move(current: State, target: State) -> None:
    if target not in LEGAL_MOVES[current]:
        raise IllegalMove(f"queue item cannot go from {current} to {target}")
