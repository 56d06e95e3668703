"""Bluesky's session: what the app password buys, kept in the keyring and renewed.

com.atproto.server.createSession trades the app password (the stored secret)
for an access token (about 2 hours) and a refresh token (about 90 days).
``accounts login`` keeps the session it made while checking the password; the
adapter reuses it across runs, renews an access token about to expire with
refreshSession and creates a new session only when that fails (createSession
is limited to 30 per 5 minutes and 300 a day).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Renew an access token this long before it expires.
REFRESH_AHEAD = timedelta(minutes=5)


@dataclass
class Session:
    did: str
    handle: str
    access: str
    refresh: str

    def to_json(self) -> str:
        return json.dumps({"did": self.did, "handle": self.handle,
                           "accessJwt": self.access, "refreshJwt": self.refresh})

    @classmethod
    def from_answer(cls, data: dict) -> Session:
        return cls(str(data["did"]), str(data.get("handle", "")), str(data["accessJwt"]),
                   str(data["refreshJwt"]))


def expires_soon(jwt: str, now: datetime) -> bool:
    """Read ``exp`` from the token's payload (no signature check: it is ours)."""
    try:
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return False  # an opaque token: find out from the server's answer
    return expires - REFRESH_AHEAD <= now
