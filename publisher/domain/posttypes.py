"""Post types beyond one text: threads, first comments, options; what each platform does.

A variant's parts go out in order: the text, then each ``thread`` part as a
reply to the one before, then the ``first_comment`` under the first post.
Platforms without reply chains (Facebook, Instagram, LinkedIn) get the text and
its thread joined into one post (refused at scheduling when that does not fit),
and the first comment as a comment on it. An option a platform cannot honour
is a warning at scheduling, never silently dropped.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from publisher.domain.locales import fingerprint, normalized_text

VISIBILITIES = ("public", "unlisted", "private")
# Joined parts of a thread on a platform without reply chains.
THREAD_JOINER = "\n\n"


class PartKind(enum.StrEnum):
    POST = "post"  # the first post of a chain, or a post alone
    REPLY = "reply"  # a thread part: replies to the part before it
    COMMENT = "comment"  # the first comment: under the first post



@dataclass(frozen=True)
class PostOptions:
    """A draft's ``[options]``; the defaults are what a platform does by itself."""

    visibility: str = "public"  # Mastodon
    silent: bool = False  # Telegram: no notification
    pin: bool = False  # Telegram: pin the (first) message

    def given(self) -> list[str]:
        """The options that ask for something other than the default, by name."""
        names = []
        if self.visibility != "public":
            names.append("visibility")
        if self.silent:
            names.append("silent")
        if self.pin:
            names.append("pin")
        return names


class ThreadMode(enum.StrEnum):
    REPLIES = "replies"  # each part a reply to the part before
    JOINED = "joined"  # the parts joined into one post, if it fits


# What each platform does with each feature (README "Draft file" has the table).
THREAD_MODE: dict[str, ThreadMode] = {
    "x": ThreadMode.REPLIES,
    "bluesky": ThreadMode.REPLIES,
    "mastodon": ThreadMode.REPLIES,
    "threads": ThreadMode.REPLIES,
    "telegram": ThreadMode.REPLIES,
    "outbox": ThreadMode.REPLIES,
    "facebook": ThreadMode.JOINED,
    "instagram": ThreadMode.JOINED,
    "linkedin": ThreadMode.JOINED,
}
FIRST_COMMENT = frozenset(
    {"x", "bluesky", "mastodon", "threads", "facebook", "instagram", "linkedin", "outbox"})
# Options and the content warning, per platform that honours them.
OPTION_PLATFORMS: dict[str, frozenset[str]] = {
    "visibility": frozenset({"mastodon", "outbox"}),
    "content_warning": frozenset({"mastodon", "outbox"}),
    "silent": frozenset({"telegram", "outbox"}),
    "pin": frozenset({"telegram", "outbox"}),
}


def thread_mode(platform: str) -> ThreadMode:
    return THREAD_MODE.get(platform, ThreadMode.REPLIES)


def unsupported_options(platform: str, options: PostOptions,
                        content_warning: str = "") -> list[str]:
    """The names of the options asked for that ``platform`` does not honour."""
    asked = options.given() + (["content_warning"] if content_warning else [])
    return [name for name in asked if platform not in OPTION_PLATFORMS[name]]


def parts_fingerprint(text: str, thread: Iterable[str] = (), first_comment: str = "",
                      content_warning: str = "") -> str:
    """Eight hex digits identifying every part of a text in order.

    A text alone keeps the fingerprint it always had (``fingerprint(text)``), so
    that drafts written before threads existed do not all turn stale.
    """
    thread = tuple(thread)
    if not thread and not first_comment and not content_warning:
        return fingerprint(text)
    pieces = ["text", normalized_text(text)]
    for part in thread:
        pieces += ["thread", normalized_text(part)]
    pieces += ["first_comment", normalized_text(first_comment),
               "content_warning", normalized_text(content_warning)]
    return hashlib.sha256("\0".join(pieces).encode("utf-8")).hexdigest()[:8]
