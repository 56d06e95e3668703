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

from publisher.i18n import _
from publisher.platforms.base import TokenStatus
from publisher.platforms.registry import Adapters, UnsupportedPlatform
from publisher.platforms.tokens import WARN_AHEAD
from publisher.services.context import Context


@dataclass(frozen=True)
class TokenNotice:
    account_id: str
    expires_at: datetime
    refreshable: bool
    expired: bool
    message: str


def _adapters(context: Context, clock: Callable[[], datetime]) -> Adapters:
    from publisher.services.secrets import KeyringSecrets  # the keyring only when asked

    return Adapters(outbox_dir=context.workspace.outbox_dir, secrets=KeyringSecrets(),
                    clock=clock, media_dir=context.workspace.media_dir)


def token_status_of(
    context: Context, account_id: str, clock: Callable[[], datetime],
    adapters: Adapters | None = None,
) -> TokenStatus:
    """What the keyring says of the account's token; no expiry when unknown."""
    account = context.account(account_id)
    try:
        adapter = (adapters or _adapters(context, clock)).for_account(account)
    except UnsupportedPlatform:
        return TokenStatus(None)
    status = getattr(adapter, "token_status", None)
    return status() if status is not None else TokenStatus(None)


def token_notices(
    context: Context, clock: Callable[[], datetime], adapters: Adapters | None = None,
    account_ids: Iterable[str] | None = None,
) -> list[TokenNotice]:
    """Accounts whose token has expired, or expires within a week and cannot renew itself
    (among ``account_ids`` when given: the keyring is read only for those)."""
    adapters = adapters or _adapters(context, clock)
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
    fix = _("publisher accounts login {id}").format(id=account_id)
    if expired:
        return _("{id}: the token expired on {date}; its posts wait until you log in again "
                 "({fix})").format(id=account_id, date=f"{expires_at:%Y-%m-%d}", fix=fix)
    days = max(0, (expires_at - now).days)
    return _("{id}: the token expires in {days} days ({date}); log in again before then "
             "({fix})").format(id=account_id, days=days, date=f"{expires_at:%Y-%m-%d}", fix=fix)
