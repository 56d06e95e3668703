"""What is known of a token's life, kept in the keyring beside the token.

The keyring part ``oauth`` of an account holds one JSON object written by
``accounts login`` or by an adapter after a refresh:

- ``expires_at``: when the access token stops working (ISO 8601, UTC);
- ``refresh_token``: what renews it, where the platform has one;
- anything else the platform's refresh needs (``client_id``, ...).

Nothing here talks to a platform; the adapters do the refreshing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from publisher.domain.remedies import log_in
from publisher.platforms.base import AuthFailed, SecretStore, TokenStatus

OAUTH_PART = "oauth"
# Where an adapter keeps a session its platform gave for the secret (Bluesky).
SESSION_PART = "session"
# accounts list and the flush warn this long before a token that cannot be
# renewed by itself stops working.
WARN_AHEAD = timedelta(days=7)


def read_token_meta(secrets: SecretStore, account_id: str) -> dict:
    """The stored JSON object, or {} when there is none or it is unreadable."""
    raw = secrets.get(account_id, OAUTH_PART)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def write_token_meta(secrets: SecretStore, account_id: str, meta: dict) -> None:
    secrets.set(account_id, json.dumps(meta, sort_keys=True), OAUTH_PART)


def expiry_of(meta: dict) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(meta["expires_at"]))
    except (KeyError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def expires_at_after(now: datetime, seconds: object, default: timedelta) -> str:
    """``expires_in`` of a token answer as the ISO text stored in ``expires_at``."""
    try:
        life = timedelta(seconds=int(seconds))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        life = default
    return (now + life).astimezone(UTC).isoformat()


def status_of(meta: dict, *, refreshable: bool) -> TokenStatus:
    return TokenStatus(expiry_of(meta), refreshable=refreshable and bool(meta))


def refuse_if_expired(meta: dict, now: datetime, account_id: str) -> None:
    """Raise AuthFailed (the account is held, no post fails) for a dead token."""
    expiry = expiry_of(meta)
    if expiry is not None and expiry <= now:
        raise AuthFailed(f"the access token expired on {expiry:%Y-%m-%d %H:%M} UTC; "
                         "log in again", remedy=log_in(account_id))


def due_for_renewal(meta: dict, now: datetime, ahead: timedelta) -> bool:
    """Whether the token expires within ``ahead`` (never when its expiry is unknown)."""
    expiry = expiry_of(meta)
    return expiry is not None and expiry - ahead <= now


def renewed_record(meta: dict, answer: dict, now: datetime, *, life: timedelta,
                   refresh_life: timedelta | None = None) -> dict:
    """``meta`` after a token answer (RFC 6749 section 5.1): the new expiry (``life`` when
    the answer has none) and, where the platform gave them, the new refresh token
    and its expiry (``refresh_life`` when it has one)."""
    renewed = {**meta, "expires_at": expires_at_after(now, answer.get("expires_in"), life)}
    if answer.get("refresh_token"):
        renewed["refresh_token"] = str(answer["refresh_token"])
    if refresh_life is not None and answer.get("refresh_token_expires_in") is not None:
        renewed["refresh_token_expires_at"] = expires_at_after(
            now, answer.get("refresh_token_expires_in"), refresh_life)
    return renewed
