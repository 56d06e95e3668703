"""Meta's token rules: 60-day tokens that renew themselves (Threads, Instagram Login).

Both give long-lived tokens of 60 days that a GET of ``/refresh_access_token``
renews (Threads: ``th_refresh_token``; Instagram with Instagram Login:
``ig_refresh_token``) once they are a day old. A token is renewed 30 days
before it expires, or when its expiry is unknown (a token stored with
``accounts set-secret``; then at most once a day). Its record (keyring part
``oauth``) carries a fingerprint of the token it describes, so a record left
from an earlier token is not believed. A page token of Facebook Login does
not expire and is never renewed.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from publisher.platforms.common.token_records import expires_at_after, expiry_of

TOKEN_LIFE = timedelta(days=60)
REFRESH_AHEAD = timedelta(days=30)
# After a refused renewal, try again this long after (a token whose expiry is
# unknown may be younger than the day Meta requires).
REFRESH_RETRY = timedelta(days=1)
REFRESH_RETRY_NEAR_EXPIRY = timedelta(hours=1)
# What a login notes that stays true for the tokens that follow: which login
# made it (it decides the API host), the app and the account.
LASTING = ("login", "client_id", "user_id")


def fingerprint(token: str) -> str:
    """Which token a record describes, without keeping the token twice."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def record_for(meta: dict, token: str | None) -> dict:
    """The record when it describes this token; {} for one written for an earlier token."""
    noted = meta.get("token_sha256")
    if noted and (not token or noted != fingerprint(token)):
        return {}
    return meta


def renewal_due(meta: dict, now: datetime) -> bool:
    """Within 30 days of expiry (or expiry unknown), and no refused try too recently."""
    expiry = expiry_of(meta)
    if expiry is not None and expiry - now > REFRESH_AHEAD:
        return False
    tried = _moment(meta.get("refresh_tried_at"))
    wait = REFRESH_RETRY if expiry is None else REFRESH_RETRY_NEAR_EXPIRY
    return tried is None or now - tried >= wait


def record_of_new(token: str, answer: dict, now: datetime, **extra: str) -> dict:
    """The record of a token just got (a login's or a renewal's answer)."""
    return {"expires_at": expires_at_after(now, answer.get("expires_in"), TOKEN_LIFE),
            **extra, "token_sha256": fingerprint(token)}


def renewed(meta: dict, fresh: str, answer: dict, now: datetime) -> dict:
    """The record after a renewal: the new token's, with what the login noted."""
    kept = {key: str(meta[key]) for key in LASTING if meta.get(key)}
    return record_of_new(fresh, answer, now, refreshed_at=now.astimezone(UTC).isoformat(),
                         **kept)


def after_refused_renewal(meta: dict, token: str, now: datetime, why: str) -> dict:
    """The record after a renewal Meta refused: the old token works until it expires."""
    return {**meta, "token_sha256": fingerprint(token),
            "refresh_tried_at": now.astimezone(UTC).isoformat(), "refresh_error": why[:200]}


def _moment(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
