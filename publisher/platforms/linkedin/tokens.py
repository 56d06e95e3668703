"""LinkedIn's token rules: 60-day access tokens; refresh tokens for some apps only.

The record (keyring part ``oauth``) that ``accounts login`` writes holds the
expiry, the app's client id and secret and, where LinkedIn gave one (only some
apps get refresh tokens; they live 365 days), the refresh token and its
expiry, and the token endpoint when it is not LinkedIn's own. With a refresh
token the adapter renews a week ahead of expiry and after a 401; without one
people are warned a week ahead and an expired token holds the account.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from publisher.platforms.common.token_records import WARN_AHEAD, expiry_of, renewed_record

TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
TOKEN_LIFE = timedelta(days=60)
REFRESH_TOKEN_LIFE = timedelta(days=365)
# Renew a week ahead: the same week in which people would be warned.
REFRESH_AHEAD = WARN_AHEAD


def can_refresh(meta: dict, now: datetime) -> bool:
    """A refresh token, the app's credentials, and the refresh token still alive."""
    if not (meta.get("refresh_token") and meta.get("client_id")
            and meta.get("client_secret")):
        return False
    ends = expiry_of({"expires_at": meta.get("refresh_token_expires_at")})
    return ends is None or ends > now


def token_url(meta: dict, base_url: str) -> str:
    """Where the refresh goes: the record's endpoint, else LinkedIn's own (under the
    API base when that is not LinkedIn's)."""
    if meta.get("token_url"):
        return str(meta["token_url"])
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "linkedin.com" or host.endswith(".linkedin.com"):
        return TOKEN_URL
    return f"{base_url}/oauth/v2/accessToken"


def refresh_grant(meta: dict) -> dict[str, str]:
    return {"grant_type": "refresh_token", "refresh_token": str(meta["refresh_token"]),
            "client_id": str(meta["client_id"]), "client_secret": str(meta["client_secret"])}


def renewed(meta: dict, answer: dict, now: datetime) -> dict:
    """The record after a login's or a refresh's token answer."""
    return renewed_record(meta, answer, now, life=TOKEN_LIFE, refresh_life=REFRESH_TOKEN_LIFE)
