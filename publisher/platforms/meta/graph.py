"""Meta's Graph API (Facebook, Instagram, Threads): which failure kind an error answer is.

Errors come as ``{"error": {"message", "type", "code", "error_subcode",
"error_user_msg", "is_transient", "fbtrace_id"}}``; the code and subcode, not
the HTTP status, say which of the four failure kinds it is. One reading
serves the three platforms: a code one of them never sends costs nothing.

Where each code comes from:

- [EH] Graph API, Handling Errors:
  https://developers.facebook.com/docs/graph-api/guides/error-handling
- [RL] Graph API, Rate Limiting:
  https://developers.facebook.com/docs/graph-api/overview/rate-limiting
- [IG] Instagram Platform, Error Codes:
  https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import requests

from publisher.platforms.base import (
    AuthFailed,
    PlatformError,
    RateLimited,
    Rejected,
    Transient,
)
from publisher.platforms.common.http import redact

# The Graph API version in Facebook's and Instagram's paths (Threads has its own).
GRAPH_VERSION = "v23.0"
# Instagram Login's API host, and Facebook Login's (the Graph API's own).
INSTAGRAM_LOGIN_HOST = "graph.instagram.com"
FACEBOOK_LOGIN_HOST = "graph.facebook.com"
# When the publishing quota is used up, look again after this long.
QUOTA_RETRY = timedelta(hours=1)

# A person must log in again or grant a permission (and 200-299, [EH] API
# Permission: one code per permission).
AUTH_CODES = {
    10,  # [EH] API Permission Denied
    102,  # [EH] API Session: the login status or access token expired or is invalid
    190,  # [EH] Access token has expired (or was revoked)
    463,  # [EH] a subcode of 190 (token expired); read here as a code, as always
    467,  # [EH] a subcode of 190 (invalid access token); read here as a code, as always
}
# Too many calls: wait (X-Business-Use-Case-Usage says how long, when it does).
RATE_CODES = {
    4,  # [EH][RL] API Too Many Calls: the app's limit
    17,  # [EH][RL] API User Too Many Calls: the user's (account-level) limit
    32,  # [RL] page-level throttling: the Page's limit
    613,  # [RL] custom-level throttling: this API's own rate limit
    80001,  # [RL] Business Use Case limit of the Pages API
    80002,  # [RL] Business Use Case limit of the Instagram API
}
# Passing trouble: try again.
TRANSIENT_CODES = {
    1,  # [EH] API Unknown: possibly a temporary issue due to downtime
    2,  # [EH] API Service: a temporary issue due to downtime
    -1,  # [IG] Instagram server error (subcodes 2207001, 2207032)
    -2,  # [IG] the media took too long to download (subcode 2207003)
    9004,  # [IG] the media could not be fetched from its address (subcode 2207052)
    9007,  # [IG] the media is not ready to publish yet (subcode 2207027)
}
DUPLICATE_CODE = 506  # [EH] Duplicate Post: the same message was posted a moment ago

# Instagram's subcodes [IG].
RATE_SUBCODES = {2207042}  # the daily limit of posts made through the API
# Suspected spam (code 4, like the app's rate limit): retrying every few minutes
# would only prolong it, so look again after the quota's hour.
SPAM_SUBCODES = {2207051}
TRANSIENT_SUBCODES = {
    2207001,  # Instagram server error
    2207003,  # the media took too long to download
    2207008,  # a temporary error publishing a container
    2207027,  # the media is not ready to publish yet
    2207032,  # the container could not be made: try again
    2207052,  # the media could not be fetched from its address
}
NEW_CONTAINER_SUBCODES = {
    2207006,  # a permission error or an expired token: make a new container
    2207020,  # the media expired: make a new container
    2207053,  # an unknown upload error: make a new container
}
ACCOUNT_SUBCODES = {2207050}  # the account is inactive, checkpointed or restricted


class ContainerGone(Transient):
    """The container expired or broke: the next attempt makes a new one."""


class Duplicate(Rejected):
    """Graph error 506: the same message was posted a moment ago (an earlier attempt)."""


def graph_error(
    response: requests.Response,
    name: str,
    *,
    now: datetime,
    secrets: tuple[str, ...],
    sending: bool = False,
) -> PlatformError:
    """The failure kind of a Graph API error answer (to raise).

    ``name`` starts the message (``Instagram error 4/2207051: ...``);
    ``sending``: the request may have posted, so passing trouble leaves its
    fate unknown (``maybe_sent``), except a 503, which comes before.
    """
    try:
        body = response.json()
    except ValueError:
        body = None
    return graph_error_of_body(response.status_code, body, name, now=now, secrets=secrets,
                               sending=sending, reason=response.reason or "",
                               regain=regain_access(response, now))


def graph_error_of_body(
    status: int,
    body: object,
    name: str,
    *,
    now: datetime,
    secrets: tuple[str, ...],
    sending: bool = False,
    reason: str = "",
    regain: datetime | None = None,
) -> PlatformError:
    """The failure kind of an HTTP status and a Graph error body."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = as_int(error.get("code"))
    subcode = as_int(error.get("error_subcode"))
    text = str(error.get("error_user_msg") or error.get("message") or reason or "")
    text = redact(text, secrets)[:300]
    label = f"{code}/{subcode}" if subcode else str(code or status)
    message = f"{name} error {label}: {text}" if text else f"{name} error {label}"
    maybe_sent = sending and status != 503
    if subcode in RATE_SUBCODES:
        return RateLimited(f"{message} (the 24-hour publishing limit)", now + QUOTA_RETRY)
    if subcode in SPAM_SUBCODES:
        return RateLimited(f"{message} (restricted as suspected spam)", now + QUOTA_RETRY)
    if code in RATE_CODES or status == 429:
        return RateLimited(message, regain)
    if subcode in ACCOUNT_SUBCODES:
        return AuthFailed(f"{message}; sign in to the {name} app and clear what it asks")
    if code in AUTH_CODES or 200 <= code < 300 or status == 401:
        return AuthFailed(message)
    if subcode in NEW_CONTAINER_SUBCODES:
        return ContainerGone(message, maybe_sent=False)
    if code == DUPLICATE_CODE:
        return Duplicate(message)
    if (subcode in TRANSIENT_SUBCODES or code in TRANSIENT_CODES
            or error.get("is_transient") is True):
        return Transient(message, maybe_sent=maybe_sent)
    if status >= 500:
        return Transient(f"HTTP {status}: {message}", maybe_sent=maybe_sent)
    if not error:
        return Rejected(f"HTTP {status}: {message}")
    return Rejected(message)


# An object the path names is not there (deleted, or never was): code 100 with
# subcode 33 ("Object with ID ... does not exist, cannot be loaded due to missing
# permissions, or does not support this operation"), or 803 ("Some of the aliases
# you requested do not exist") [EH].
MISSING_SUBCODE = 33
MISSING_CODE = 803


def is_missing(response: requests.Response) -> bool:
    """Whether a Graph error answer says the object is not there (for a delete: done)."""
    if response.status_code < 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return response.status_code == 404
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return response.status_code == 404
    code, subcode = as_int(error.get("code")), as_int(error.get("error_subcode"))
    return (code == 100 and subcode == MISSING_SUBCODE) or code == MISSING_CODE


# An insights call the token may not make, or a metric Meta no longer serves: the counts
# read beside it stand and only what insights would say stays unknown. (#10) a
# permission, or Instagram's "Not enough viewers for the media to show insights" [IG];
# (#200-299) a permission not granted; (#100) an invalid metric; 3001 an invalid
# insights query [EH]. An object that is not there (100/33, 803) is not refused: gone.
INSIGHTS_REFUSED_CODES = {10, 100, 3001}


def insights_refused(response: requests.Response) -> bool:
    """Whether a Graph error answer to an insights call means "not for this token"
    (not an expired token, a rate limit or passing trouble, which stay failures)."""
    if not 400 <= response.status_code < 500 or response.status_code == 429:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or error.get("is_transient") is True:
        return False
    code, subcode = as_int(error.get("code")), as_int(error.get("error_subcode"))
    if (code == 100 and subcode == MISSING_SUBCODE) or code == MISSING_CODE:
        return False
    return code in INSIGHTS_REFUSED_CODES or 200 <= code < 300


def insight_values(answer: dict) -> dict[str, int]:
    """The metrics of an /insights answer by name: ``{"data": [{"name", "period",
    "values": [{"value"}]}]}`` (a lifetime metric has one value), or ``total_value``."""
    found: dict[str, int] = {}
    for entry in answer.get("data") or []:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        values = entry.get("values") or [entry.get("total_value") or {}]
        value = values[-1].get("value") if isinstance(values[-1], dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            found[str(entry["name"])] = value
    return found


def as_int(value: object) -> int:
    """A number Meta sent (as a number or as text); 0 when it is neither."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def regain_access(response: requests.Response, now: datetime) -> datetime | None:
    """Minutes until access returns, from X-Business-Use-Case-Usage (when Meta says)."""
    raw = response.headers.get("X-Business-Use-Case-Usage")
    try:
        usage = json.loads(raw) if raw else {}
        minutes = max(
            int(entry.get("estimated_time_to_regain_access") or 0)
            for entries in usage.values() for entry in entries
        )
    except (ValueError, TypeError, AttributeError):
        return None
    return now + timedelta(minutes=minutes) if minutes else None


# A page video's resumable upload (Video API, Publishing: "Resumable Upload"). A chunk
# sent at an offset Facebook does not expect is refused with subcode 1363037 and the
# chunk it does expect in ``error_data`` (``start_offset``, ``end_offset``); an upload
# session that timed out is 1363030 ("Your video upload timed out before it could be
# completed"): it must start over.
OFFSET_SUBCODE = 1363037
SESSION_GONE_SUBCODE = 1363030


def _error_of(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def upload_offsets(response: requests.Response) -> tuple[int, int] | None:
    """The (start, end) offsets a refused chunk's answer asks for, when it says them."""
    error = _error_of(response)
    data = error.get("error_data")
    if isinstance(data, str):  # Graph sometimes sends error_data as a JSON string
        try:
            data = json.loads(data)
        except ValueError:
            data = None
    if as_int(error.get("error_subcode")) != OFFSET_SUBCODE or not isinstance(data, dict):
        return None
    if "start_offset" not in data or "end_offset" not in data:
        return None
    return as_int(data["start_offset"]), as_int(data["end_offset"])


def upload_session_gone(response: requests.Response) -> bool:
    """Whether a chunk's answer says the upload session expired (start over)."""
    return as_int(_error_of(response).get("error_subcode")) == SESSION_GONE_SUBCODE
