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

A video (an Instagram Reel, a Threads VIDEO post) is one container whose
``video_url`` is its public address, as an image's is: the platform downloads and
processes it, so the only progress to tell is "processing". Its container is noted
as above before anything else, and polled (``wait_for_processing``: about two
minutes in one attempt; still processing after that, the next attempt polls the same
container again, never uploading a second). A container whose processing failed
(``ERROR``) is the platform's refusal, with its reason; one whose download failed is
made again by the next attempt.

Tokens (the rules are in :mod:`publisher.platforms.meta.tokens`): the
adapter renews a 60-day token ahead of its expiry and keeps the new token and
its record in the keyring. An expired token raises ``AuthFailed``: the flush
holds the account and no post fails. Graph errors are read by
:mod:`publisher.platforms.meta.graph`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import quote, urlsplit

import requests

from publisher.domain.accounts import Account
from publisher.domain.remedies import WithRemedy, log_in, set_account
from publisher.domain.textrules import count_text
from publisher.domain.video import MB, VideoLimits
from publisher.platforms.base import (
    NOT_FOUND,
    Abilities,
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
    Unsupported,
)
from publisher.platforms.common.http import json_object, request
from publisher.platforms.common.media import image_size, image_type, media_problems
from publisher.platforms.common.progress import Progress, UploadProgress, log_progress
from publisher.platforms.common.recent import find_ours
from publisher.platforms.common.token_records import (
    expiry_of,
    read_token_meta,
    refuse_if_expired,
    write_token_meta,
)
from publisher.platforms.common.urls import not_a_post, not_ours, split_address
from publisher.platforms.meta import tokens
from publisher.platforms.meta.graph import (
    QUOTA_RETRY,
    ContainerGone,
    as_int,
    graph_error,
    insight_values,
    insights_refused,
    is_missing,
)

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters


# What Meta's video containers take, on Instagram (Reels) and Threads alike (their API
# references' media specifications); each platform sets its own size and length.
META_VIDEO = VideoLimits(
    max_bytes=300 * MB,
    max_seconds=15 * 60,
    containers=frozenset({"mp4", "mov"}),
    video_codecs=frozenset({"h264", "hevc"}),
    audio_codecs=frozenset({"aac"}),
    max_frame_rate=60,
    min_frame_rate=23,
    max_width=1920,
    aspect=(0.01, 10.0),
    subtitles=False,
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
MAX_ALT_TEXT = 1000
RECENT_POSTS = 25

_DIGITS = re.compile(r"^\d+$")
_SHORTCODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class _InsightsRefused(Exception):
    """The token may not read this media's insights (a permission, too few viewers)."""


class _AlreadyPublished(Exception):
    """The container turned out PUBLISHED while we waited on it (a race)."""


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
    progress: Progress = log_progress
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
    profile_url: ClassVar[str] = ""     # the profile's address, from {username}
    web_hosts: ClassVar[tuple[str, ...]] = ()  # where a post's permalink is
    post_paths: ClassVar[tuple[str, ...]] = ()  # a permalink's segment before the code
    replies_edge: ClassVar[str] = ""    # GET /{user}/<edge>: its replies, when apart
    abilities: ClassVar[Abilities]
    # What an ERROR container's detail says when the platform could not download the
    # video (the next attempt makes a new container) rather than refused it.
    fetch_failures: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        self.base_url = (self.account.effective_api_base or "").rstrip("/")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account={self.account.id!r}, base_url={self.base_url!r})"

    @classmethod
    def for_account(cls, account: Account, adapters: Adapters) -> Self:
        """The account's adapter with what the run holds (its checkpoints and media too)."""
        return cls(
            account=account, secrets=adapters.secrets, session=adapters.session,
            checkpoints=adapters.checkpoints, media_dir=adapters.media_dir, clock=adapters.clock,
            sleep=adapters.sleep, check_reachability=adapters.check_reachability,
            progress=adapters.progress,
        )

    # Platform hooks

    def container_fields(self, post: Post, urls: list[str]) -> dict[str, str]:
        """Fields of a single (or text) container."""
        raise NotImplementedError

    def child_fields(self, url: str, alt: str) -> dict[str, str]:
        raise NotImplementedError

    def video_fields(self, post: Post, url: str) -> dict[str, str]:
        """Fields of a video's container (``video_url`` its public address)."""
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
        me = self.call("GET", self.user_id(), params={"fields": "id,username,name"})
        username = str(me.get("username") or "")
        if not username:
            return Identity(str(me.get("name") or me.get("id") or "?"))
        return Identity(f"@{username}", self.profile_url.format(username=username),
                        {"id": str(me.get("id") or "")})

    def extra_problems(self, post: Post) -> list[str]:
        return []

    # Tokens

    def _stored_token(self) -> str | None:
        return self.secrets.get(self.account.id)

    def _record(self, token: str | None) -> dict:
        """The token record, when it describes this token (a record from an
        earlier token, replaced with set-secret, is not believed)."""
        return tokens.record_for(read_token_meta(self.secrets, self.account.id), token)

    def token_status(self) -> TokenStatus:
        meta = self._record(self._stored_token())
        refreshable = self.can_refresh() and not meta.get("refresh_error")
        return TokenStatus(expiry_of(meta), refreshable=refreshable)

    def _access_token(self) -> str:
        if self._token is None:
            token = self._stored_token()
            if not token:
                raise AuthFailed("no access token stored", remedy=log_in(self.account.id))
            self._token = token
            self._renew_if_due(token)
        return self._token

    def _renew_if_due(self, token: str) -> None:
        meta = self._record(token)
        now = self.clock()
        refuse_if_expired(meta, now, self.account.id)
        if not self.can_refresh() or not tokens.renewal_due(meta, now):
            return
        try:
            self._refresh(token, meta)
        except PlatformError as error:
            # The old token still works until it expires; say so and go on.
            log.warning("%s: could not renew the %s token: %s", self.account.id, self.name,
                        error.message)
            write_token_meta(self.secrets, self.account.id,
                             tokens.after_refused_renewal(meta, token, now, error.message))

    def _refresh(self, token: str, meta: dict) -> None:
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
        write_token_meta(self.secrets, self.account.id,
                         tokens.renewed(meta, fresh, answer, now))

    def _secrets(self) -> tuple[str, ...]:
        return tuple(value for value in (self._token, self._stored_token()) if value)

    # Calls

    def call(self, method: str, path: str, *, sending: bool = False,
             missing_ok: bool = False, insights: bool = False, **kwargs: Any) -> dict:
        """One Graph call; ``missing_ok``: an answer that the object is not there
        (:func:`is_missing`) gives ``{}`` rather than an error; ``insights``: an answer
        that the token may not read insights (:func:`insights_refused`) raises
        :class:`_InsightsRefused`."""
        token = self._access_token()
        url = f"{self.base_url}/{self.version}/{path}" if self.version else (
            f"{self.base_url}/{path}")
        response = request(self.session, method, url,
                           headers={"Authorization": f"Bearer {token}"},
                           secrets=self._secrets(), **kwargs)
        if response.status_code < 400:
            return json_object(response)
        if missing_ok and is_missing(response):
            return {}
        if insights and insights_refused(response):
            raise _InsightsRefused
        raise graph_error(response, self.name, now=self.clock(), secrets=self._secrets(),
                          sending=sending)

    # Validation

    def public_url(self, path: Path) -> str:
        """Where Meta fetches an image (or video) of media/ (Rejected for one outside it)."""
        if not self.account.media_url:
            problem = self._no_media_url()
            raise Rejected(problem, remedy=problem.remedy)
        try:
            relative = path.resolve().relative_to(self.media_dir.resolve())
        except ValueError:
            what = "video" if MediaFile(path, "").is_video else "image"
            raise Rejected(f"{what} {path.name} is not in the workspace's media/ folder, "
                           "the only one published at the media URL") from None
        return f"{self.account.media_url.rstrip('/')}/{quote(relative.as_posix())}"

    def _no_media_url(self) -> WithRemedy:
        return WithRemedy(f"{self.account.id} has no media URL, and {self.name} takes images "
                          "only from a public address",
                          set_account(self.account.id, "media_url", "URL"))

    def validate(self, post: Post) -> list[str]:
        problems = list(count_text(self.platform, post.text,
                                   has_media=bool(post.media)).problems)
        video = any(m.is_video for m in post.media)
        if video:
            from publisher.platforms.common.video import video_post_problems

            problems += video_post_problems(self.name, post.media, self.abilities.video,
                                            alt_max=MAX_ALT_TEXT)
        else:
            problems += media_problems(self.name, post.media, max_images=self.max_images,
                                       max_bytes=self.max_image_bytes, max_alt=MAX_ALT_TEXT)
        problems += self.extra_problems(post)
        present = [m for m in post.media if m.path.is_file()]
        for image in [] if video else present:
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
            return (f"{'video' if image.is_video else 'image'} {name} cannot be fetched from "
                    f"{url} ({error.message}); {fix}")
        what = "video" if image.is_video else "image"
        if response.status_code != 200:
            return f"{what} {name} is not at {url} (HTTP {response.status_code}); {fix}"
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if not kind.startswith(f"{what}/"):
            return (f"{url} answers with {kind or 'no content type'}, not an {what}; "
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
            if post.media and post.media[0].is_video:
                self._wait_for_video(container, post.media[0])
            else:
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
        usage = as_int(entry.get("quota_usage"))
        config = entry.get("config") or {}
        total = as_int(config.get("quota_total")) or self.default_quota
        if total and usage >= total:
            hours = as_int(config.get("quota_duration")) // 3600 or 24
            raise RateLimited(f"{self.name}'s publishing limit is used up ({usage} of {total} "
                              f"posts in {hours} hours)", self.clock() + QUOTA_RETRY)

    def _create(self, post: Post, key: str, user: str) -> str:
        urls = [self.public_url(m.path) for m in post.media]
        if post.media and post.media[0].is_video:
            fields = self.video_fields(post, urls[0])
        elif len(urls) > 1:
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

    def _wait_for_video(self, container: str, video: MediaFile) -> None:
        """Poll the video's container until the platform has processed it: FINISHED
        is ready, ERROR its refusal (Rejected with its reason), a failed download or
        EXPIRED a new container next time; still IN_PROGRESS after the wait, the next
        attempt polls the same container."""
        from publisher.platforms.common.video import Processing, wait_for_processing

        size = video.path.stat().st_size
        self.progress(UploadProgress(self.account.id, video.path.name, size, size,
                                     stage="processing"))

        def check() -> Processing:
            try:
                state, detail = self.status(container)
            except Rejected as error:  # no status to be had: the publish call tells
                log.warning("%s: cannot read container %s: %s", self.account.id, container,
                            error.message)
                return Processing(True)
            if state == PUBLISHED:
                raise _AlreadyPublished
            if state == EXPIRED or (state == ERROR and any(
                    failure in detail for failure in self.fetch_failures)):
                raise ContainerGone(f"{self.name} could not fetch or keep the video "
                                    f"(container {state}: {detail or 'no detail'}); the next "
                                    "attempt makes a new one")
            if state == ERROR:
                return Processing(False, failed=detail or "ERROR")
            return Processing(state == FINISHED)

        wait_for_processing(check, what=f"{self.name} video {video.path.name}",
                            sleep=self.sleep)

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

    def recent_edge(self, post: Post) -> str:
        """Where the user's recent posts like ``post`` are listed."""
        return self.posts_edge

    def _match_recent(self, post: Post, user: str) -> Published | None:
        answer = self.call("GET", f"{user}/{self.recent_edge(post)}",
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

    # Results

    def read_insights(self, media_id: str, metrics: str) -> dict[str, int] | None:
        """GET /{media-id}/insights?metric=...: the values by name (a metric with no data
        yet is left out); None when the token may not read them."""
        try:
            answer = self.call("GET", f"{media_id}/insights", insights=True,
                               params={"metric": metrics})
        except _InsightsRefused:
            return None
        return insight_values(answer)

    # Correcting and retracting (the platform says which it can)

    def delete(self, target: Published, post: Post) -> None:
        """DELETE /{id}: ``{"success": true}``; an object not there any more (100/33)
        is done."""
        self.call("DELETE", graph_id(target), missing_ok=True)

    def edit(self, target: Published, post: Post) -> Published:
        raise Unsupported(f"{self.name}'s API cannot edit a post: delete it and post the "
                          "correction" + (f" ({target.url})" if target.url else ""))

    def locate(self, url: str) -> Published:
        """The post whose permalink is ``url``, among the account's latest posts (and
        replies): the API reads a post by its id only, and the address holds a
        shortcode, not the id."""
        code = shortcode_of(url, self.web_hosts, self.post_paths, self.name)
        user = self.user_id()
        for edge in [self.posts_edge] + ([self.replies_edge] if self.replies_edge else []):
            answer = self.call("GET", f"{user}/{edge}", params={
                "fields": "id,permalink", "limit": str(RECENT_POSTS)})
            for entry in answer.get("data") or []:
                permalink = str(entry.get("permalink") or "")
                if entry.get("id") and permalink and _code_in(permalink, code):
                    return Published(str(entry["id"]), permalink)
        raise not_ours(url, f"it is not among the account's latest {RECENT_POSTS} posts")


def graph_id(target: Published) -> str:
    if not target.remote_id or not target.remote_id.isascii() \
            or not target.remote_id.replace("_", "").isdigit():
        raise Rejected(f"{target.remote_id!r} is not a Graph API id")
    return target.remote_id


def shortcode_of(url: str, hosts: tuple[str, ...], paths: tuple[str, ...], name: str) -> str:
    """The shortcode in a post's permalink: the segment after one of ``paths``
    (instagram.com/p/<code>/, threads.net/@user/post/<code>)."""
    address = split_address(url, name)
    segments = address.segments
    # The code ends the path: a comment's address (/p/<code>/c/<id>) is not the post's.
    if address.host in hosts and len(segments) >= 2 and segments[-2] in paths \
            and _SHORTCODE.fullmatch(segments[-1]):
        return segments[-1]
    raise not_a_post(url, name)


def _code_in(permalink: str, code: str) -> bool:
    """Whether a permalink is the post with this shortcode."""
    return code in [part for part in urlsplit(permalink).path.split("/") if part]


def _ratio(value: float) -> str:
    return f"{value:.2f}:1" if value >= 1 else f"1:{1 / value:.2f}"


def is_numeric_id(value: str | None) -> bool:
    return bool(value and _DIGITS.match(value.strip()))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
