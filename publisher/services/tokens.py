"""Which accounts' tokens expire soon, read from the keyring (no network).

``accounts list``, the accounts screen and the flush warn a week ahead of a
token that cannot renew itself; an adapter that can refresh does so by
itself, and an expired token holds its account (auth) when the flush meets
it, so no post fails because of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _, ngettext
from publisher.platforms.base import TokenStatus
from publisher.platforms.common.token_records import WARN_AHEAD
from publisher.platforms.registry import Adapters, UnsupportedPlatform
from publisher.services.adapters import adapters_for
from publisher.services.context import Context


@dataclass(frozen=True)
class TokenNotice:
    account_id: str
    expires_at: datetime
    refreshable: bool
    expired: bool
    message: str  # what is wrong; ``remedy`` says what to do (log in again)

    @property
    def remedy(self) -> Remedy:
        return Remedy(Fix.LOG_IN, account=self.account_id)


def token_status_of(
    context: Context, account_id: str, clock: Callable[[], datetime],
    adapters: Adapters | None = None,
) -> TokenStatus:
    """What the keyring says of the account's token; no expiry when unknown."""
    account = context.account(account_id)
    try:
        adapter = (adapters or adapters_for(context, clock)).for_account(account)
    except UnsupportedPlatform:
        return TokenStatus(None)
    return adapter.token_status()


def token_notices(
    context: Context, clock: Callable[[], datetime], adapters: Adapters | None = None,
    account_ids: Iterable[str] | None = None,
) -> list[TokenNotice]:
    """Accounts whose token has expired, or expires within a week and cannot renew itself
    (among ``account_ids`` when given: the keyring is read only for those)."""
    adapters = adapters or adapters_for(context, clock)
    now = clock()
    notices = []
    wanted = context.accounts if account_ids is None else set(account_ids) & set(context.accounts)
    for account_id in sorted(wanted):
        status = token_status_of(context, account_id, clock, adapters)
        if status.expires_at is None:
            continue
        expired = status.expires_at <= now
        if not expired and (status.refreshable or status.expires_at - now > WARN_AHEAD):
            continue
        notices.append(TokenNotice(account_id, status.expires_at, status.refreshable, expired,
                                   _notice_text(account_id, status.expires_at, expired, now)))
    return notices


def _notice_text(account_id: str, expires_at: datetime, expired: bool, now: datetime) -> str:
    if expired:
        return _("{id}: the token expired on {date}; its posts wait until you log in "
                 "again").format(id=account_id, date=f"{expires_at:%Y-%m-%d}")
    days = max(0, (expires_at - now).days)
    return ngettext("{id}: the token expires in {days} day ({date}); log in again before then",
                    "{id}: the token expires in {days} days ({date}); log in again before "
                    "then", days).format(id=account_id, days=days, date=f"{expires_at:%Y-%m-%d}")
