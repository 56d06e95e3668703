"""The shared HTTP session and the translation of HTTP trouble into failure kinds.

Timeouts on every call, TLS verification on, a User-Agent naming the tool.
Nothing here ever puts a secret into a message: URLs are redacted before
they reach an exception (Telegram keeps its bot token in the path).

Every request also has an overall deadline. ``requests`` timeouts bound each
socket operation, so a server that sends a byte every few seconds would keep
a request (and the flush, and its lock) forever. A per-request watchdog timer
shuts down the request's socket when the deadline passes: the blocked read or
write returns at once, whatever phase it is in (sending, headers, body).
Checking a deadline between body chunks would miss slow headers, and running
the request in a thread left behind would keep the connection dripping.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import re
import socket
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from publisher import __version__
from publisher.platforms.base import (
    REQUEST_DEADLINE,
    AuthFailed,
    RateLimited,
    Rejected,
    Transient,
)

USER_AGENT = f"publisher/{__version__} (+https://github.com/; social posts for diplomacy)"
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)

_BOT_TOKEN = re.compile(r"/bot[^/]+/")
_QUERY_SECRET = re.compile(r"(access_token|token|key|password)=[^&\s]+", re.IGNORECASE)


class Session(requests.Session):
    """A session whose requests (through :func:`request`) end by a deadline.

    ``deadline``: seconds for one request; ``ends_at``: a ``time.monotonic()``
    moment after which no request starts or goes on (the flush's end).
    """

    def __init__(self, deadline: float = REQUEST_DEADLINE) -> None:
        super().__init__()
        self.deadline = deadline
        self.ends_at: float | None = None
        self.headers["User-Agent"] = USER_AGENT
        self.verify = True
        _watch_connections(self)


def make_session(deadline: float = REQUEST_DEADLINE) -> Session:
    return Session(deadline)


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
    max_bytes: int | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Send one request; connection trouble becomes :class:`Transient`.

    A failure to connect means nothing was sent; a read timeout, a dropped
    connection or an answer cut off at the deadline after sending may have
    posted (``maybe_sent``). ``max_bytes``: the body is read under the same
    deadline and refused (:class:`TooLarge`) past that size, decoded.
    """
    seconds = _seconds_left(session)
    if seconds <= 0:
        raise Transient("the flush ran out of time before this request", maybe_sent=False)
    _watch_connections(session)  # a plain requests.Session gets the deadline too
    with _Watchdog(seconds) as watchdog:
        try:
            response = session.request(method, url, timeout=timeout,
                                       stream=max_bytes is not None, **kwargs)
            if max_bytes is not None:
                _read_body(response, max_bytes)
        except requests.exceptions.RequestException as error:
            if not watchdog.fired:
                raise _transient(error, secrets) from None
        # Cut off, the answer may also look whole (headers ended by the shutdown).
        if watchdog.fired:
            raise Transient(f"no complete answer within {seconds:.1f} s: cut off",
                            maybe_sent=True)
        return response


class TooLarge(Rejected):
    """The answer's body is over the size the caller takes."""


def _read_body(response: requests.Response, max_bytes: int) -> None:
    """Read the body (decoded) into the response, refusing it past ``max_bytes``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise TooLarge(f"the answer is {int(declared):,} bytes, over {max_bytes:,}")
    body = bytearray()
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > max_bytes:
            response.close()
            raise TooLarge(f"the answer is over {max_bytes:,} bytes")
    response._content = bytes(body)  # what .content, .text and .json() read


def _transient(error: requests.exceptions.RequestException, secrets: Iterable[str]) -> Transient:
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return Transient("could not connect in time", maybe_sent=False)
    if isinstance(error, requests.exceptions.SSLError):
        return Transient("TLS handshake failed", maybe_sent=False)
    if isinstance(error, requests.exceptions.ReadTimeout):
        return Transient("no answer in time", maybe_sent=True)
    if isinstance(error, requests.exceptions.ConnectionError):
        refused = "NewConnectionError" in repr(error) or "NameResolutionError" in repr(error)
        detail = "could not connect" if refused else "the connection broke"
        return Transient(detail, maybe_sent=not refused)
    return Transient(redact(type(error).__name__, secrets), maybe_sent=True)


def _seconds_left(session: requests.Session) -> float:
    if not isinstance(session, Session):
        return REQUEST_DEADLINE
    if session.ends_at is None:
        return session.deadline
    return min(session.deadline, session.ends_at - time.monotonic())


# The watchdog. The connection classes below tell the current thread's
# watchdog which connection its request uses; when the deadline passes, one
# shared daemon thread (a thread per request would cost more than a loopback
# request) shuts that connection's socket down.

_current = threading.local()


class _Watchdog:
    def __init__(self, seconds: float) -> None:
        self.due = time.monotonic() + seconds
        self.fired = False
        self.done = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()

    def __enter__(self) -> _Watchdog:
        _current.watchdog = self
        _WATCHMAN.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _current.watchdog = None
        with self._lock:
            self.done = True
            self._connections.clear()

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            fired = self.fired
        if fired:  # connected only after the deadline (a slow TLS handshake): send nothing
            _shut(connection)

    def fire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.fired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)


class _Watchman:
    """One daemon thread that fires each watchdog whose deadline has passed."""

    def __init__(self) -> None:
        self._wakeup = threading.Condition()
        self._due: list[tuple[float, int, _Watchdog]] = []  # a heap, soonest first
        self._count = itertools.count()
        self._thread: threading.Thread | None = None
        # When the thread, waiting, wakes by itself (a time.monotonic() moment).
        self._waking_at = math.inf

    def add(self, watchdog: _Watchdog) -> None:
        with self._wakeup:
            self._drop_done()
            heapq.heappush(self._due, (watchdog.due, next(self._count), watchdog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="publisher-deadlines",
                                                daemon=True)
                self._thread.start()
            elif watchdog.due < self._waking_at:
                # Only a deadline sooner than the one it waits for needs the thread now:
                # waking it for each request of a run (each later than the last) would
                # cost a thread switch per request.
                self._wakeup.notify()

    def _run(self) -> None:
        while True:
            self._next().fire()

    def _next(self) -> _Watchdog:
        with self._wakeup:
            while True:
                self._drop_done()
                if not self._due:
                    self._waking_at = math.inf
                    self._wakeup.wait()
                    continue
                wait = self._due[0][0] - time.monotonic()
                if wait <= 0:
                    self._waking_at = -math.inf  # busy firing: it looks at the heap again
                    return heapq.heappop(self._due)[2]
                self._waking_at = self._due[0][0]
                self._wakeup.wait(wait)

    def _drop_done(self) -> None:
        # Requests end long before their deadline: their entries go from the top.
        while self._due and self._due[0][2].done:
            heapq.heappop(self._due)


_WATCHMAN = _Watchman()


def _shut(connection: HTTPConnection) -> None:
    sock = connection.sock
    if sock is None:
        return
    # socket.socket's own shutdown, not SSLSocket's (which also drops its TLS
    # state under the reading thread's feet): the blocked call returns at once.
    with contextlib.suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watched(connection: HTTPConnection) -> None:
    watchdog = getattr(_current, "watchdog", None)
    if watchdog is not None:
        watchdog.watch(connection)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self)

    def request(self, *args, **kwargs) -> None:
        _watched(self)  # a kept-alive connection does not connect again
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self)

    def request(self, *args, **kwargs) -> None:
        _watched(self)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter with connections the watchdog can shut down."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if hasattr(manager, "pool_classes_by_scheme") and not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


def _watch_connections(session: requests.Session) -> None:
    for prefix in ("https://", "http://"):
        if not isinstance(session.adapters.get(prefix), _WatchedAdapter):
            session.mount(prefix, _WatchedAdapter())


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
