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

from publisher.domain.accounts import Account
from publisher.domain.errors import UserError
from publisher.domain.queue import FINAL, NEEDS_PERSON, PENDING, State
from publisher.i18n import _
from publisher.platforms.base import TokenStatus
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


def fix_command(account_id: str, *, paused: bool, hold: AccountHold | None) -> str:
    """The command that gets a paused or held account sending again."""
    if hold is not None and hold.kind == "auth":
        return (f"publisher accounts login {account_id} && "
                f"publisher resume --account {account_id}")
    if paused:
        return f"publisher resume --account {account_id}"
    return ""


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


# Accounts


NO_EXPIRY = TokenStatus(None)


@dataclass(frozen=True)
class AccountRow:
    account: Account
    audience: str
    timezone: str
    secret_stored: bool | None  # None: the keyring cannot be asked
    paused: bool
    hold: AccountHold | None
    token: TokenStatus = NO_EXPIRY  # what the keyring says of its expiry

    @property
    def fix(self) -> str:
        return fix_command(self.account.id, paused=self.paused, hold=self.hold)


@dataclass(frozen=True)
class AccountsOverview:
    rows: list[AccountRow]
    # Tokens expired, or expiring within a week without renewing themselves: one line
    # each, with the command that fixes it.
    notices: list[str]


def accounts_overview(context: Context, clock: Callable[[], datetime]) -> AccountsOverview:
    """Every account with its audience, secret, pause, hold and token expiry (keyring
    only: no network)."""
    from publisher.services.secrets import has_secret
    from publisher.services.tokens import token_notices, token_status_of

    with open_queue(context) as queue:
        pauses = queue.pauses()
        holds = queue.holds()
    rows = []
    for account_id, account in sorted(context.accounts.items()):
        audience = context.audience_for(account)
        secret = has_secret(account_id) if account.needs_secret else None
        token = token_status_of(context, account_id, clock) if secret else NO_EXPIRY
        rows.append(AccountRow(account, audience.name, audience.timezone, secret,
                               account_id in pauses, holds.get(account_id), token))
    notices = [notice.message for notice in token_notices(context, clock)]
    return AccountsOverview(rows, notices)
