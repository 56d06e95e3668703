"""The webhook: one JSON POST per event (to a Matrix, Slack or Teams bridge).

2xx is delivered; 429, 5xx and a timeout are tried again later; any other answer is
final (a wrong address or token does not mend itself). Redirects are not followed:
the body and the token go to the address written in publisher.toml, nowhere else.
"""

from __future__ import annotations

from typing import Any

from publisher.domain.notifications import SendFailed
from publisher.i18n import _
from publisher.platforms.base import Transient
from publisher.platforms.common import http

CONNECT_SECONDS = 5.0


def post_webhook(url: str, token: str | None, payload: dict[str, Any], *,
                 seconds: float) -> None:
    """POST ``payload`` within ``seconds``, or raise SendFailed."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    session = http.make_session(seconds)
    try:
        response = http.request(session, "POST", url, json=payload, headers=headers,
                                timeout=(min(CONNECT_SECONDS, seconds), seconds),
                                allow_redirects=False, secrets=[token] if token else [],
                                max_bytes=64 * 1024)
    except Transient as error:
        raise SendFailed(_("the webhook did not answer: {reason}").format(
            reason=error.message)) from None
    except http.TooLarge:
        raise SendFailed(_("the webhook's answer is too large")) from None
    finally:
        session.close()
    status = response.status_code
    if 200 <= status < 300:
        return
    passing = status == 429 or status >= 500
    raise SendFailed(_("the webhook answered HTTP {status}").format(status=status),
                     permanent=not passing)
