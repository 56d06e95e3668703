"""The two-step container flow that Instagram and Threads share (Meta's Graph API).

A post is made in two calls: create a *container* (the text and the public
address of each image), then publish it. Between the two the container's id
is kept as a checkpoint, committed before the publish call, so that a flush
killed at any moment can tell what happened:

- no container noted: nothing was made that could have gone out (a container
  made by a call that never answered is never published and expires after
  24 hours), so creating one is safe;
- the container is ``PUBLISHED``: the post went out; its id and permalink are
  read from the account's latest posts (or from the note written as soon as
  the publish call answered);
- ``FINISHED`` or ``IN_PROGRESS``: it did not go out; ``publish`` publishes
  *that* container, never a second one. A container can be published only
  once, so this is what makes a resend safe;
- ``ERROR`` or ``EXPIRED`` (24 hours after it was made): a new container.

Before making a post the adapter reads the publishing quota (a moving
24-hour window) and stops with ``RateLimited`` when it is used up.

While a container is ``IN_PROGRESS`` the adapter polls it a few times over
about half a minute (Meta fetches the images meanwhile) with the sleep it was
given; past that it gives up for this run (``Transient``, nothing sent) and
the next attempt picks the same container up again.

Tokens: both platforms give long-lived tokens of 60 days that a GET of
``/refresh_access_token`` renews (Threads: ``th_refresh_token``; Instagram
with Instagram Login: ``ig_refresh_token``) once they are a day old. The
adapter renews a token 30 days before it expires, or when it does not know
the expiry (a token just stored with ``accounts set-secret``; then at most
once a day), and keeps the new token and its record (``expires_at``, and a
fingerprint of the token it describes, so a record left from an earlier token
is not believed) in the keyring. An expired token raises ``AuthFailed``: the
flush holds the account and no post fails.

Graph errors come as ``{"error": {"message", "type", "code", "error_subcode",
"is_transient", "fbtrace_id"}}``; the code and subcode, not the HTTP status,
say which of the four failure kinds it is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, urlsplit

import requests

from publisher.domain.accounts import Account
from publisher.domain.textrules import count_text
from publisher.platforms.base import (
    NOT_FOUND,
    AuthFailed,
    Checkpoints,
    Identity,
    MediaFile,
    NotFound,
    PlatformError,
    Post,
    Published,
    RateLimited,
    Rejected,
    SecretStore,
    TokenStatus,
    Transient,
)
from publisher.platforms.common.http import json_object, redact, request
from publisher.platforms.common.media import image_size, image_type, media_problems
from publisher.platforms.common.recent import find_ours
from publisher.platforms.common.token_records import (
    expires_at_after,
    expiry_of,
    read_token_meta,
    refuse_if_expired,
    write_token_meta,
)

log = logging.getLogger("publisher.platforms.meta")

# Container states (IG: status_code; Threads: status).
IN_PROGRESS = "IN_PROGRESS"
FINISHED = "FINISHED"
PUBLISHED = "PUBLISHED"
ERROR = "ERROR"
EXPIRED = "EXPIRED"

# Seconds slept between polls of a container still IN_PROGRESS (about 30 s in all).
POLL_DELAYS = (0.1, 0.3, 0.6, 1.0, 2.0, 3.0, 5.0, 5.0, 5.0, 8.0)
# When the publishing quota is used up, look again after this long.
QUOTA_RETRY = timedelta(hours=1)
TOKEN_LIFE = timedelta(days=60)
REFRESH_AHEAD = timedelta(days=30)
# After a refused renewal, try again this long after (a token whose expiry is
# unknown may be younger than the day Meta requires).
REFRESH_RETRY = timedelta(days=1)
REFRESH_RETRY_NEAR_EXPIRY = timedelta(hours=1)
MAX_ALT_TEXT = 1000
RECENT_POSTS = 25

AUTH_CODES = {10, 102, 190, 463, 467}
RATE_CODES = {4, 17, 32, 613, 80001, 80002}
TRANSIENT_CODES = {1, 2, -1, -2, 9004, 9007}
# Instagram subcodes: the publishing limit; passing trouble; make a new
# container; the account needs its owner (checkpointed or restricted).
RATE_SUBCODES = {2207042}
# Instagram's anti-spam restriction (code 4, like the app's rate limit): retrying
# every few minutes would only prolong it, so look again after the quota's hour.
SPAM_SUBCODES = {2207051}
TRANSIENT_SUBCODES = {2207001, 2207003, 2207008, 2207027, 2207032, 2207052}
NEW_CONTAINER_SUBCODES = {2207006, 2207020, 2207053}
ACCOUNT_SUBCODES = {2207050}
_DIGITS = re.compile(r"^\d+$")


class ContainerGone(Transient):
    """The container expired or broke: the next attempt makes a new one."""


class _AlreadyPublished(Exception):
    """The container turned out PUBLISHED while we waited on it (a race)."""


def graph_error(
    response: requests.Response,
    platform: str,
    *,
    now: datetime,
    secrets: tuple[str, ...],
    sending: bool = False,
) -> PlatformError:
    """The failure kind of a Graph API error answer (to raise)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    return graph_error_of_body(response.status_code, body, platform, now=now, secrets=secrets,
                               sending=sending, reason=response.reason or "",
                               regain=regain_access(response, now))


def graph_error_of_body(
    status: int,
    body: object,
    platform: str,
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
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    text = str(error.get("error_user_msg") or error.get("message") or reason or "")
    text = redact(text, secrets)[:300]
    label = f"{code}/{subcode}" if subcode else str(code or status)
    message = f"{platform} error {label}: {text}" if text else f"{platform} error {label}"
    if subcode in RATE_SUBCODES:
        return RateLimited(f"{message} (the 24-hour publishing limit)", now + QUOTA_RETRY)
    if subcode in SPAM_SUBCODES:
        return RateLimited(f"{message} (restricted as suspected spam)", now + QUOTA_RETRY)
    if code in RATE_CODES or status == 429:
        return RateLimited(message, regain)
    if subcode in ACCOUNT_SUBCODES:
        return AuthFailed(f"{message}; sign in to the {platform} app and clear what it asks")
    if code in AUTH_CODES or 200 <= code < 300 or status == 401:
        return AuthFailed(message)
    if subcode in NEW_CONTAINER_SUBCODES:
        return ContainerGone(message, maybe_sent=False)
    if (subcode in TRANSIENT_SUBCODES or code in TRANSIENT_CODES
            or error.get("is_transient") is True):
        return Transient(message, maybe_sent=False)
    if status >= 500:
        return Transient(f"HTTP {status}: {message}", maybe_sent=sending and status != 503)
    if not error:
        return Rejected(f"HTTP {status}: {message}")
    return Rejected(message)


def _int(value: object) -> int:
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


def token_fingerprint(token: str) -> str:
    """Which token a record describes, without keeping the token twice."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass
class ContainerAdapter:
    """The shared flow; a subclass says which endpoints and fields its platform has."""

    account: Account
    secrets: SecretStore
    session: requests.Session
    checkpoints: Checkpoints
    media_dir: Path
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    sleep: Callable[[float], None] = time.sleep
    check_reachability: bool = True
    _token: str | None = field(default=None, init=False, repr=False)
    _user: str | None = field(default=None, init=False, repr=False)
    _reachable: dict[str, str | None] = field(default_factory=dict, init=False, repr=False)

    # What a platform fills in
    platform: ClassVar[str] = ""
    name: ClassVar[str] = ""            # for messages
    version: ClassVar[str] = ""         # the Graph API version in paths
    create_edge: ClassVar[str] = ""     # POST /{user}/<edge> makes a container
    publish_edge: ClassVar[str] = ""    # POST /{user}/<edge> publishes it
    quota_edge: ClassVar[str] = ""      # GET /{user}/<edge>?fields=quota_usage,config
    posts_edge: ClassVar[str] = ""      # GET /{user}/<edge>: the account's latest posts
    text_field: ClassVar[str] = ""      # caption (Instagram) or text (Threads)
    status_fields: ClassVar[str] = ""   # fields of GET /{container}
    default_quota: ClassVar[int] = 0
    max_images: ClassVar[int] = 1
    max_image_bytes: ClassVar[int] = 8 * 1024 * 1024
    image_types: ClassVar[tuple[str, ...]] = ("image/jpeg",)
    aspect_range: ClassVar[tuple[float, float]] = (0.1, 10.0)
    refresh_grant: ClassVar[str] = ""

    def __post_init__(self) -> None:
        self.base_url = (self.account.effective_api_base or "").rstrip("/")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account={self.account.id!r}, base_url={self.base_url!r})"

    # Platform hooks

    def container_fields(self, post: Post, urls: list[str]) -> dict[str, str]:
        """Fields of a single (or text) container."""
        raise NotImplementedError

    def child_fields(self, url: str, alt: str) -> dict[str, str]:
        raise NotImplementedError

    def carousel_fields(self, post: Post, children: list[str]) -> dict[str, str]:
        raise NotImplementedError

    def container_status(self, answer: dict) -> tuple[str, str]:
        """(state, detail) of a GET /{container} answer."""
        raise NotImplementedError

    def can_refresh(self) -> bool:
        return bool(self.refresh_grant)

    def user_id(self) -> str:
        raise NotImplementedError

    def identity(self) -> Identity:
        raise NotImplementedError

    def extra_problems(self, post: Post) -> list[str]:
        return []

    # Tokens

    def _stored_token(self) -> str | None:
        return self.secrets.get(self.account.id)

    def _record(self, token: str | None) -> dict:
        """The token record, when it describes this token (a record from an
        earlier token, replaced with set-secret, is not believed)."""
        meta = read_token_meta(self.secrets, self.account.id)
        fingerprint = meta.get("token_sha256")
        if fingerprint and (not token or fingerprint != token_fingerprint(token)):
            return {}
        return meta

    def token_status(self) -> TokenStatus:
        meta = self._record(self._stored_token())
        refreshable = self.can_refresh() and not meta.get("refresh_error")
        return TokenStatus(expiry_of(meta), refreshable=refreshable)

    def _access_token(self) -> str:
        if self._token is None:
            token = self._stored_token()
            if not token:
                raise AuthFailed(f"no access token stored (publisher accounts login "
                                 f"{self.account.id})")
            self._token = token
            self._renew_if_due(token)
        return self._token

    def _renew_if_due(self, token: str) -> None:
        meta = self._record(token)
        now = self.clock()
        refuse_if_expired(meta, now, self.account.id)
        expiry = expiry_of(meta)
        if not self.can_refresh():
            return
        if expiry is not None and expiry - now > REFRESH_AHEAD:
            return
        tried = _moment(meta.get("refresh_tried_at"))
        wait = REFRESH_RETRY if expiry is None else REFRESH_RETRY_NEAR_EXPIRY
        if tried is not None and now - tried < wait:
            return
        try:
            self._refresh(token)
        except PlatformError as error:
            # The old token still works until it expires; say so and go on.
            log.warning("%s: could not renew the %s token: %s", self.account.id, self.name,
                        error.message)
            write_token_meta(self.secrets, self.account.id, {
                **meta, "token_sha256": token_fingerprint(token),
                "refresh_tried_at": now.astimezone(UTC).isoformat(),
                "refresh_error": error.message[:200],
            })

    def _refresh(self, token: str) -> None:
        """GET /refresh_access_token: a new 60-day token, kept with its record."""
        response = request(
            self.session, "GET", f"{self.base_url}/refresh_access_token",
            params={"grant_type": self.refresh_grant, "access_token": token},
            secrets=(token,),
        )
        if response.status_code >= 400:
            raise graph_error(response, self.name, now=self.clock(), secrets=(token,))
        answer = json_object(response)
        fresh = str(answer.get("access_token") or "")
        if not fresh:
            raise Rejected("the refresh answer has no access token")
        now = self.clock()
        self.secrets.set(self.account.id, fresh)
        self._token = fresh
        write_token_meta(self.secrets, self.account.id, {
            "expires_at": expires_at_after(now, answer.get("expires_in"), TOKEN_LIFE),
            "refreshed_at": now.astimezone(UTC).isoformat(),
            "token_sha256": token_fingerprint(fresh),
        })

    def _secrets(self) -> tuple[str, ...]:
        return tuple(value for value in (self._token, self._stored_token()) if value)

    # Calls

    def call(self, method: str, path: str, *, sending: bool = False,
             **kwargs: object) -> dict:
        token = self._access_token()
        url = f"{self.base_url}/{self.version}/{path}" if self.version else (
            f"{self.base_url}/{path}")
        response = request(self.session, method, url,
                           headers={"Authorization": f"Bearer {token}"},
                           secrets=self._secrets(), **kwargs)
        if response.status_code < 400:
            return json_object(response)
        raise graph_error(response, self.name, now=self.clock(), secrets=self._secrets(),
                          sending=sending)

    # Validation

    def public_url(self, path: Path) -> str:
        """Where Meta fetches an image of media/ (Rejected for one outside it)."""
        if not self.account.media_url:
            raise Rejected(self._no_media_url())
        try:
            relative = path.resolve().relative_to(self.media_dir.resolve())
        except ValueError:
            raise Rejected(f"image {path.name} is not in the workspace's media/ folder, "
                           "the only one published at the media URL") from None
        return f"{self.account.media_url.rstrip('/')}/{quote(relative.as_posix())}"

    def _no_media_url(self) -> str:
        return (f"{self.account.id} has no media URL, and {self.name} takes images only from "
                f"a public address: publisher accounts set {self.account.id} --media-url URL")

    def validate(self, post: Post) -> list[str]:
        problems = list(count_text(self.platform, post.text,
                                   has_media=bool(post.media)).problems)
        problems += media_problems(self.name, post.media, max_images=self.max_images,
                                   max_bytes=self.max_image_bytes, max_alt=MAX_ALT_TEXT)
        problems += self.extra_problems(post)
        present = [m for m in post.media if m.path.is_file()]
        for image in present:
            problems += self._image_problems(image)
        if post.media and not self.account.media_url:
            problems.append(self._no_media_url())
        elif post.media and self.check_reachability:
            for image in present:
                try:
                    url = self.public_url(image.path)
                except Rejected as error:
                    problems.append(error.message)
                    continue
                problem = self._check_reachable(url, image)
                if problem:
                    problems.append(problem)
        return problems

    def _image_problems(self, image: MediaFile) -> list[str]:
        kind = image_type(image.path)
        if kind not in self.image_types:
            names = " or ".join(t.split("/")[1].upper() for t in self.image_types)
            return [f"image {image.path.name} is {kind}: {self.name} takes {names} only"]
        size = image_size(image.path)
        if size:
            width, height = size
            low, high = self.aspect_range
            ratio = width / height if height else 0
            if not low - 0.005 <= ratio <= high + 0.005:
                return [f"image {image.path.name} is {width}x{height}: {self.name} takes aspect "
                        f"ratios from {_ratio(low)} to {_ratio(high)}"]
        return []

    def _check_reachable(self, url: str, image: MediaFile) -> str | None:
        """One HEAD (or GET) of the public address: 200, an image, the same size."""
        if url in self._reachable:
            return self._reachable[url]
        problem = self._reachability(url, image)
        self._reachable[url] = problem
        return problem

    def _reachability(self, url: str, image: MediaFile) -> str | None:
        name = image.path.name
        fix = "copy media/ to the media URL (see docs/instagram-threads.md)"
        try:
            response = request(self.session, "HEAD", url, allow_redirects=True,
                               timeout=(5.0, 15.0))
            if response.status_code in (403, 405, 501):  # some servers refuse HEAD
                response = request(self.session, "GET", url, stream=True,
                                   timeout=(5.0, 15.0))
                response.close()
        except Transient as error:
            return f"image {name} cannot be fetched from {url} ({error.message}); {fix}"
        if response.status_code != 200:
            return f"image {name} is not at {url} (HTTP {response.status_code}); {fix}"
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if not kind.startswith("image/"):
            return (f"{url} answers with {kind or 'no content type'}, not an image; "
                    f"{self.name} would refuse it")
        length = response.headers.get("Content-Length", "").strip()
        local = image.path.stat().st_size
        if length.isdigit() and int(length) != local:
            return (f"the copy of {name} at {url} differs from media/{name} ({length} bytes "
                    f"there, {local} here); {fix}")
        return None

    # Publishing

    def publish(self, post: Post, idempotency_key: str) -> Published:
        user = self.user_id()
        earlier = self._earlier(post, idempotency_key, user)
        if isinstance(earlier, Published):
            return earlier
        self._check_quota(user)
        container = earlier or self._create(post, idempotency_key, user)
        try:
            self._wait_until_finished(container)
        except _AlreadyPublished:
            return self._found(post, idempotency_key, user)
        return self._publish(post, idempotency_key, user, container)

    def _earlier(self, post: Post, key: str, user: str) -> Published | str | None:
        """What an earlier attempt left: the post, a container to reuse, or nothing."""
        media_id = self.checkpoints.get(f"{key}:media")
        if media_id:
            return Published(media_id, self._permalink(media_id))
        container = self.checkpoints.get(key)
        if not container:
            return None
        try:
            state, _detail = self.status(container)
        except Rejected:
            # The container cannot be read any more: look for the post itself.
            return self._match_recent(post, user)
        if state == PUBLISHED:
            return self._found(post, key, user)
        if state in (FINISHED, IN_PROGRESS):
            return container
        return None  # ERROR or EXPIRED: nothing went out; make a new container

    def _check_quota(self, user: str) -> None:
        try:
            answer = self.call("GET", f"{user}/{self.quota_edge}",
                               params={"fields": "quota_usage,config"})
        except Rejected as error:
            log.warning("%s: could not read the publishing quota: %s", self.account.id,
                        error.message)
            return
        entries = answer.get("data") or [{}]
        entry = entries[0] if isinstance(entries, list) and entries else {}
        usage = _int(entry.get("quota_usage"))
        config = entry.get("config") or {}
        total = _int(config.get("quota_total")) or self.default_quota
        if total and usage >= total:
            hours = _int(config.get("quota_duration")) // 3600 or 24
            raise RateLimited(f"{self.name}'s publishing limit is used up ({usage} of {total} "
                              f"posts in {hours} hours)", self.clock() + QUOTA_RETRY)

    def _create(self, post: Post, key: str, user: str) -> str:
        urls = [self.public_url(m.path) for m in post.media]
        if len(urls) > 1:
            children = [self._make(user, self.child_fields(url, media.alt))
                        for url, media in zip(urls, post.media, strict=True)]
            fields = self.carousel_fields(post, children)
        else:
            fields = self.container_fields(post, urls)
        container = self._make(user, fields)
        self.checkpoints.set(key, container)  # committed before the publish call
        return container

    def _make(self, user: str, fields: dict[str, str]) -> str:
        answer = self.call("POST", f"{user}/{self.create_edge}", data=fields)
        container = str(answer.get("id") or "")
        if not container:
            raise Transient(f"{self.name} made no container (no id in the answer)")
        return container

    def status(self, container: str) -> tuple[str, str]:
        return self.container_status(self.call("GET", container,
                                               params={"fields": self.status_fields}))

    def _wait_until_finished(self, container: str) -> None:
        for delay in (*POLL_DELAYS, None):
            try:
                state, detail = self.status(container)
            except Rejected as error:
                # No status to be had: publishing a container that is not ready
                # is refused as passing trouble (9007), so try it.
                log.warning("%s: cannot read container %s: %s", self.account.id, container,
                            error.message)
                return
            if state == FINISHED:
                return
            if state == PUBLISHED:
                raise _AlreadyPublished
            if state in (ERROR, EXPIRED):
                why = f": {detail}" if detail else ""
                raise ContainerGone(f"{self.name} could not prepare the post (container "
                                    f"{state}{why}); the next attempt makes a new one")
            if delay is None:
                break
            self.sleep(delay)
        raise Transient(f"{self.name} is still preparing the post; the next attempt "
                        "publishes it", maybe_sent=False)

    def _publish(self, post: Post, key: str, user: str, container: str) -> Published:
        try:
            answer = self.call("POST", f"{user}/{self.publish_edge}",
                               data={"creation_id": container}, sending=True)
        except (Rejected, Transient) as error:
            # A publish that failed may still have gone out (or an earlier one did).
            if self._state_or_none(container) == PUBLISHED:
                return self._found(post, key, user)
            if isinstance(error, ContainerGone):
                self.checkpoints.set(key, "")  # that container can never go out
            if isinstance(error, Rejected):
                raise
            raise Transient(error.message, maybe_sent=error.maybe_sent) from None
        media_id = str(answer.get("id") or "")
        if not media_id:
            if self._state_or_none(container) == PUBLISHED:
                return self._found(post, key, user)
            raise Transient(f"{self.name} answered the publish without a post id",
                            maybe_sent=True)
        self.checkpoints.set(f"{key}:media", media_id)
        return Published(media_id, self._permalink(media_id))

    def _state_or_none(self, container: str) -> str | None:
        try:
            return self.status(container)[0]
        except PlatformError:
            return None

    def _permalink(self, media_id: str) -> str | None:
        """The post's address; never fails a post that went out."""
        try:
            answer = self.call("GET", media_id, params={"fields": "permalink"})
        except PlatformError as error:
            log.warning("%s: no permalink for %s: %s", self.account.id, media_id, error.message)
            return None
        return str(answer.get("permalink") or "") or None

    def _found(self, post: Post, key: str, user: str) -> Published:
        """The post of a PUBLISHED container."""
        media_id = self.checkpoints.get(f"{key}:media")
        if media_id:
            return Published(media_id, self._permalink(media_id))
        match = self._match_recent(post, user)
        if match is not None:
            self.checkpoints.set(f"{key}:media", match.remote_id)
            return match
        # Published for certain, but not among the latest posts: the container stands in.
        container = self.checkpoints.get(key) or ""
        log.warning("%s: container %s is published but its post was not found",
                    self.account.id, container)
        return Published(container, None)

    def _match_recent(self, post: Post, user: str) -> Published | None:
        answer = self.call("GET", f"{user}/{self.posts_edge}",
                           params={"fields": f"id,{self.text_field},permalink,timestamp",
                                   "limit": str(RECENT_POSTS)})
        entry = find_ours(post.text, answer.get("data") or [],
                          lambda entry: str(entry.get(self.text_field) or ""))
        if entry is None:
            return None
        return Published(str(entry["id"]), entry.get("permalink") or None)

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        media_id = self.checkpoints.get(f"{idempotency_key}:media")
        if media_id:
            return Published(media_id, self._permalink(media_id))
        container = self.checkpoints.get(idempotency_key)
        if not container:
            return NOT_FOUND  # no container was noted: nothing can have gone out
        user = self.user_id()
        try:
            state, _detail = self.status(container)
        except Rejected:
            return self._match_recent(post, user)  # None: cannot tell
        if state == PUBLISHED:
            return self._found(post, idempotency_key, user)
        return NOT_FOUND

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        # publish() reuses the noted container, which Meta publishes at most once.
        return True

    def check(self) -> Identity:
        return self.identity()


def _moment(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ratio(value: float) -> str:
    return f"{value:.2f}:1" if value >= 1 else f"1:{1 / value:.2f}"


def is_numeric_id(value: str | None) -> bool:
    return bool(value and _DIGITS.match(value.strip()))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
