"""X's token rules: OAuth 2.0 user tokens live two hours; a refresh token renews them.

The record (keyring part ``oauth``) that ``accounts login`` writes holds the
expiry, the client id (and the secret of a confidential client) and, when the
app was granted ``offline.access``, the refresh token. The adapter renews the
token a few minutes before it expires and after a 401, and keeps the new pair:
X rotates refresh tokens, so the old one stops working.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from publisher.platforms.common.token_records import renewed_record

TOKEN_LIFE = timedelta(hours=2)
REFRESH_AHEAD = timedelta(minutes=5)


def can_refresh(meta: dict) -> bool:
    return bool(meta.get("refresh_token"))


def refresh_grant(meta: dict) -> tuple[dict[str, str], tuple[str, str] | None]:
    """The refresh request's form, and the Basic credentials of a confidential client."""
    data = {"grant_type": "refresh_token", "refresh_token": meta["refresh_token"],
            "client_id": meta.get("client_id", "")}
    auth = None
    if meta.get("client_secret"):  # a confidential client authenticates with Basic
        auth = (str(meta.get("client_id", "")), str(meta["client_secret"]))
    return data, auth


def renewed(meta: dict, answer: dict, now: datetime) -> dict:
    """The record after a login's or a refresh's token answer."""
    return renewed_record(meta, answer, now, life=TOKEN_LIFE)
