"""The one small interface every platform adapter implements.

``validate(post)`` lists what stops a post from going out (used at schedule
time and by the editor); ``publish(post, idempotency_key)`` sends it and
returns where it went; ``find(idempotency_key, post)`` tells, where the
platform lets us, whether an earlier attempt went out; ``check()`` says
whether the credentials work and who they belong to.

Failures come in four kinds, and only these cross the interface: the flush
decides what each kind means for the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from publisher.domain.accounts import Account
from publisher.domain.posttypes import PartKind, PostOptions
from publisher.domain.remedies import Remedy
from publisher.domain.results import Engagement
from publisher.domain.video import VIDEO_SUFFIXES, VideoLimits

# The longest a whole request may take, from connecting to the last byte of the
# answer. APIs answer in about a second; an image upload of a few MB fits too.
# (Here rather than in http.py so that the flush knows it without loading HTTP.)
REQUEST_DEADLINE = 60.0


@dataclass(frozen=True)
class SubtitleFile:
    """A video's subtitles in one locale (SRT or WebVTT, as the file's ending says)."""

    locale: str
    path: Path


@dataclass(frozen=True)
class MediaFile:
    path: Path
    alt: str
    sha256: str = ""
    # A video's subtitle files, the post's own locales first; images have none.
    subtitles: tuple[SubtitleFile, ...] = ()

    @property
    def is_video(self) -> bool:
        return self.path.suffix.lower() in VIDEO_SUFFIXES


@dataclass(frozen=True)
class Published:
    """Where a post went. ``ref``: what a reply to it needs beside its id, where the
    platform needs more (Bluesky's cid); the queue keeps it."""

    remote_id: str
    url: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class LinkCard:
    """A preview card of the post's first link, read when it was scheduled.

    Sent by the platforms that show a card only when told (Bluesky, LinkedIn,
    Facebook, Threads; the outbox records it); ``thumb`` is the page's image,
    kept in the workspace.
    """

    url: str
    title: str
    description: str = ""
    thumb: MediaFile | None = None


@dataclass(frozen=True)
class Post:
    """What one queue item sends: text, its locales, and images with alt text.

    A later part of a chain (``kind`` reply or comment) has ``reply_to``, the part it
    answers (the one before it for a reply, the first post for a comment), and
    ``root``, the chain's first post.
    """

    account: Account
    text: str
    locales: tuple[str, ...]
    media: tuple[MediaFile, ...] = ()
    draft_id: str = ""
    item_id: int | None = None
    # When the item was due (UTC): stable across retries, unlike the clock.
    due_at: datetime | None = None
    kind: PartKind = PartKind.POST
    reply_to: Published | None = None
    root: Published | None = None
    content_warning: str = ""
    options: PostOptions = field(default_factory=PostOptions)
    # Only a chain's first part has a card; its replies and first comment do not.
    card: LinkCard | None = None
    # False: the draft said link_card = false; platforms that build their own
    # previews (Telegram) are asked not to.
    link_previews: bool = True


class PlatformError(Exception):
    """Base of the four failure kinds. ``message`` is safe to show and store; it names
    what went wrong, and ``remedy`` (when a person can fix it) what to do, which each
    front end says in its own way."""

    def __init__(self, message: str, *, remedy: Remedy | None = None):
        super().__init__(message)
        self.message = message
        self.remedy = remedy


class RateLimited(PlatformError):
    """Too many requests: nothing was posted; try again after ``retry_after``."""

    def __init__(self, message: str, retry_after: datetime | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Transient(PlatformError):
    """A passing failure (5xx, timeout, connection error).

    ``maybe_sent`` is True when the request may have reached the platform
    (a read timeout, a reset connection after sending): without an
    idempotency key the post's fate is then unknown.
    """

    def __init__(self, message: str, *, maybe_sent: bool = False):
        super().__init__(message)
        self.maybe_sent = maybe_sent


class AuthFailed(PlatformError):
    """The credentials are missing, wrong or expired: a person must act."""


class Rejected(PlatformError):
    """The platform refused this post (validation, duplicate, policy)."""


class NotFound:
    """``find`` looked and the earlier attempt did not go out."""

    def __repr__(self) -> str:
        return "NOT_FOUND"


NOT_FOUND = NotFound()


@dataclass(frozen=True)
class Identity:
    """Who the credentials belong to (``check``)."""

    name: str
    url: str | None = None
    details: dict[str, str] = field(default_factory=dict)


class SecretStore(Protocol):
    """The keyring as adapters see it.

    ``part`` None is the secret a person stored (``accounts set-secret``);
    named parts are what an adapter keeps beside it (a Bluesky session, an
    OAuth refresh token). A store that cannot be reached reads as empty.
    """

    def get(self, account_id: str, part: str | None = None) -> str | None: ...

    def set(self, account_id: str, value: str, part: str | None = None) -> None: ...


class Checkpoints(Protocol):
    """Durable notes an adapter keeps between the calls of one publish.

    Keyed by the item's idempotency key (add a suffix for several notes). A
    note is committed before ``set`` returns, so an adapter that writes the
    id of a half-made post (an Instagram container) before the next call can
    find it again after a crash. The flush keeps them in the queue file.
    """

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class MemoryCheckpoints:
    """Checkpoints that live as long as the process (tests, ``accounts check``)."""

    def __init__(self) -> None:
        self._notes: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._notes.get(key)

    def set(self, key: str, value: str) -> None:
        self._notes[key] = value


@dataclass(frozen=True)
class TokenStatus:
    """What an adapter knows of its token's life, without asking the platform.

    ``expires_at`` None: the token does not expire (or nobody told us when).
    ``refreshable``: the adapter renews it by itself before ``expires_at``.
    """

    expires_at: datetime | None
    refreshable: bool = False


class Unsupported(PlatformError):
    """The platform's API cannot do this (Instagram has no delete, Bluesky no edit):
    a person must do it by hand, at the post's URL."""


@dataclass(frozen=True)
class Abilities:
    """What an adapter can do to a post already published (the crisis kit's plan).

    ``why_not_delete`` / ``why_not_edit``: one line a person reads in the plan when
    the ability is missing (marked for translation with ``N_``).
    ``delete_comment``: a first comment can be deleted though a post cannot (None: as
    ``delete``). ``confirms``: ``locate`` checks that the post is there (False: it
    only reads the id from the address).
    """

    delete: bool
    edit: bool
    why_not_delete: str = ""
    why_not_edit: str = ""
    delete_comment: bool | None = None
    confirms: bool = True
    # Whether ``engagement`` can read a post's counts (Telegram bots cannot).
    metrics: bool = True
    why_no_metrics: str = ""
    # What videos the platform takes (None: no video through this adapter).
    video: VideoLimits | None = None

    def deletes(self, kind: PartKind) -> bool:
        """Whether a part of this kind can be deleted through the API."""
        if kind == PartKind.COMMENT and self.delete_comment is not None:
            return self.delete_comment
        return self.delete


class Adapter(Protocol):
    platform: str
    abilities: Abilities

    def validate(self, post: Post) -> list[str]: ...

    def publish(self, post: Post, idempotency_key: str) -> Published: ...

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        """Published or NOT_FOUND when the platform can tell; None when it cannot."""
        ...

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        """Whether sending again with the same key cannot make a duplicate."""
        ...

    def check(self) -> Identity: ...

    def token_status(self) -> TokenStatus:
        """The stored token's expiry, read from the keyring only (no network)."""
        ...

    def delete(self, target: Published, post: Post) -> None:
        """Remove a published post (``post``: what was sent, for the platforms that need
        its kind or media). A post already gone (404 and the like) counts as done and
        returns normally; failures are the four kinds; ``Unsupported`` when the
        platform cannot delete."""
        ...

    def locate(self, url: str) -> Published:
        """The post a person says went out, from its URL (resolving an ``unknown`` item):
        its id parsed from the URL and, where the API allows, checked there (it exists,
        it is this account's). ``Rejected`` when the URL is not a post of this account;
        ``Unsupported`` when the id cannot be read from a URL of this platform."""
        ...

    def edit(self, target: Published, post: Post) -> Published:
        """Bring a published post to ``post``'s text (and content warning) in place;
        returns where it is now (usually ``target``). ``Unsupported`` when the platform
        cannot edit; the four failure kinds as for publish."""
        ...

    def engagement(self, target: Published, post: Post) -> Engagement:
        """The published post's counts now, as the platform reports them (what it does
        not report stays None). ``Unsupported`` when the API cannot read them (see
        ``abilities.metrics``); a post gone (deleted) is ``Rejected``; the other
        failures are the four kinds, as for publish."""
        ...
