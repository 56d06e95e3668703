"""The shared HTTP session and the translation of HTTP trouble into failure kinds.

Timeouts on every call, TLS verification on, a User-Agent naming the tool.
Nothing here ever puts a secret into a message: URLs are redacted before
they reach an exception (Telegram keeps its bot token in the path).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from publisher import __version__
from publisher.platforms.base import AuthFailed, RateLimited, Rejected, Transient

USER_AGENT = f"publisher/{__version__} (+https://github.com/; social posts for diplomacy)"
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)

_BOT_TOKEN = re.compile(r"/bot[^/]+/")
_QUERY_SECRET = re.compile(r"(access_token|token|key|password)=[^&\s]+", re.IGNORECASE)


def make_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.verify = True
    return session


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove secrets from a text that may be shown or stored."""
    text = _BOT_TOKEN.sub("/bot<redacted>/", text)
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}=<redacted>", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


def request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    secrets: Iterable[str] = (),
    timeout: tuple[float, float] = TIMEOUT,
    **kwargs: object,
) -> requests.Response:
    """Send one request; connection trouble becomes :class:`Transient`.

    A failure to connect means nothing was sent; a read timeout or a dropped
    connection after sending may have posted (``maybe_sent``).
    """
    try:
        return session.request(method, url, timeout=timeout, **kwargs)
    except requests.exceptions.ConnectTimeout:
        raise Transient("could not connect in time", maybe_sent=False) from None
    except requests.exceptions.SSLError:
        raise Transient("TLS handshake failed", maybe_sent=False) from None
    except requests.exceptions.ReadTimeout:
        raise Transient("no answer in time", maybe_sent=True) from None
    except requests.exceptions.ConnectionError as error:
        refused = "NewConnectionError" in repr(error) or "NameResolutionError" in repr(error)
        detail = "could not connect" if refused else "the connection broke"
        raise Transient(detail, maybe_sent=not refused) from None
    except requests.exceptions.RequestException as error:
        raise Transient(redact(type(error).__name__, secrets), maybe_sent=True) from None


def retry_after(response: requests.Response, now: datetime) -> datetime | None:
    """When to try again, from Retry-After (seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return now + timedelta(seconds=int(value))
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def raise_for_status(
    response: requests.Response,
    message: str,
    *,
    now: datetime,
    reset: datetime | None = None,
) -> None:
    """Map an HTTP error status to a failure kind, keeping the platform's message."""
    status = response.status_code
    if status < 400:
        return
    text = f"HTTP {status}: {message}" if message else f"HTTP {status}"
    if status == 429:
        raise RateLimited(text, reset or retry_after(response, now))
    if status == 401:
        raise AuthFailed(text)
    if status in (408, 425) or status >= 500:
        # A gateway error can come after the platform took the post; 503 comes before.
        raise Transient(text, maybe_sent=status != 503)
    raise Rejected(text)


def json_object(response: requests.Response, *, maybe_sent: bool = True) -> dict:
    """The response's JSON object; a garbled answer is transient (by default it may
    have posted; a caller whose request posts nothing says ``maybe_sent=False``)."""
    try:
        data = response.json()
    except ValueError:
        raise Transient(f"HTTP {response.status_code}: not JSON",
                        maybe_sent=maybe_sent) from None
    if not isinstance(data, dict):
        raise Rejected(f"HTTP {response.status_code}: unexpected answer")
    return data


def epoch_reset(response: requests.Response, header: str) -> datetime | None:
    """A rate-limit reset given as Unix seconds (X, Bluesky)."""
    value = response.headers.get(header, "").strip()
    if not value.isdigit():
        return None
    return datetime.fromtimestamp(int(value), UTC)


def image_type(path: Path) -> str:
    """The image's MIME type from its first bytes (the extension may lie)."""
    with open(path, "rb") as handle:
        head = handle.read(12)
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
