"""The accounts as people see them: ``publisher accounts list`` and the terminal UI's
accounts screen show the same rows.

Each row has the account's settings, its audience, whether a secret is stored (never
the secret), when its token expires (from the keyring: no network), and whether a
pause or a hold stops it, with the remedy that gets it sending again (each front end
says it in its own way).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from publisher.domain.accounts import Account
from publisher.domain.remedies import Fix, Remedy
from publisher.platforms.base import TokenStatus
from publisher.services.context import Context
from publisher.services.queue_file import open_queue
from publisher.storage.queue import FREEZE, AccountHold, Pause

if TYPE_CHECKING:
    from publisher.services.tokens import TokenNotice

NO_EXPIRY = TokenStatus(None)


def stopped_remedy(account_id: str, *, paused: bool,
                   hold: AccountHold | None) -> Remedy | None:
    """What gets a paused or held account sending again (None: a rate limit passes by
    itself). The one place that decides it for a stopped account."""
    if hold is not None and hold.kind == "auth":
        return Remedy(Fix.LOG_IN_AND_RESUME, account=account_id)
    if paused:
        return Remedy(Fix.RESUME_ACCOUNT, account=account_id)
    return None


@dataclass(frozen=True)
class StoppedAccount:
    """An account the flush does not send for, and why."""

    account_id: str
    kind: str  # "auth" (sign-in failed), "rate" (rate-limited) or "paused"
    reason: str  # the hold's or the pause's own words ("" when it has none)
    remedy: Remedy | None  # what gets it sending again (None when it passes by itself)


def stopped_accounts(pauses: Mapping[str, Pause],
                     holds: Mapping[str, AccountHold]) -> list[StoppedAccount]:
    """The paused and held accounts in id order (the freeze is not an account's)."""
    stopped = []
    for account_id in sorted((set(pauses) | set(holds)) - {FREEZE}):
        hold = holds.get(account_id)
        paused = account_id in pauses
        if hold is not None:
            kind, reason = ("auth" if hold.kind == "auth" else "rate"), hold.reason
        else:
            kind, reason = "paused", pauses[account_id].reason
        stopped.append(StoppedAccount(account_id, kind, reason or "",
                                      stopped_remedy(account_id, paused=paused, hold=hold)))
    return stopped


@dataclass(frozen=True)
class AccountRow:
    account: Account
    audience: str  # the audience in use: the default profile's name when none is defined
    timezone: str
    secret_stored: bool | None  # None: the keyring cannot be asked (or none is needed)
    paused: bool
    hold: AccountHold | None
    token: TokenStatus = NO_EXPIRY  # what the keyring says of its expiry

    @property
    def remedy(self) -> Remedy | None:
        return stopped_remedy(self.account.id, paused=self.paused, hold=self.hold)

    @property
    def secret_state(self) -> str:
        """``n/a`` (none needed), ``unknown`` (no keyring), ``stored`` or ``missing``."""
        if not self.account.needs_secret:
            return "n/a"
        if self.secret_stored is None:
            return "unknown"
        return "stored" if self.secret_stored else "missing"


@dataclass(frozen=True)
class AccountsOverview:
    rows: list[AccountRow]  # in id order
    # Tokens expired, or expiring within a week without renewing themselves, each with
    # its remedy (log in again).
    notices: list[TokenNotice]
    stopped: list[StoppedAccount]


def accounts_overview(context: Context, clock: Callable[[], datetime]) -> AccountsOverview:
    """Every account with its audience, secret, pause, hold and token expiry (keyring
    only: no network)."""
    from publisher.services.secrets import has_secret  # the keyring, only when listing

    accounts = sorted(context.accounts.items())
    # The whole of accounts.toml before the queue: a broken file leaves nothing behind.
    audiences = {account_id: context.audience_for(account) for account_id, account in accounts}
    with open_queue(context) as queue:
        pauses = queue.pauses()
        holds = queue.holds()
    rows = []
    for account_id, account in accounts:
        audience = audiences[account_id]
        secret = has_secret(account_id) if account.needs_secret else None
        token = token_status(context, account_id, clock) if secret else NO_EXPIRY
        rows.append(AccountRow(account, audience.name, audience.timezone, secret,
                               account_id in pauses, holds.get(account_id), token))
    return AccountsOverview(rows, _token_notices(context, clock),
                            stopped_accounts(pauses, holds))


def token_status(context: Context, account_id: str,
                 clock: Callable[[], datetime]) -> TokenStatus:
    """What the keyring says of the account's token; no expiry when nothing is known."""
    from publisher.services.secrets import KeyringUnavailable
    from publisher.services.tokens import token_status_of

    try:
        return token_status_of(context, account_id, clock)
    except (ImportError, KeyringUnavailable):
        return NO_EXPIRY  # an adapter not in this version, or no keyring: nothing known


def _token_notices(context: Context, clock: Callable[[], datetime]) -> list[TokenNotice]:
    from publisher.services.secrets import KeyringUnavailable
    from publisher.services.tokens import token_notices

    try:
        return token_notices(context, clock)
    except (ImportError, KeyringUnavailable):
        return []

