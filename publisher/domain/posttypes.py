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
import re
from collections.abc import Callable, Iterable
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


# White space after the end of a sentence: . ! ? … and perhaps one closing quote or
# bracket (lookbehinds of a fixed width each).
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"'“”‘’«»)\]])\s+")
_SPACE = re.compile(r"\s+")


def split_into_thread(text: str, fits: Callable[[str], bool]) -> list[str]:
    """A text too long for one post, cut into parts that each ``fits`` (the editor
    offers it as a thread): at sentence ends where it can, else between words, else
    inside a word. Nothing is lost: the parts in order are the text, white space aside
    (a part's own white space becomes single spaces). A text that fits is one part,
    as written; an empty one none.
    """
    whole = text.strip()
    if fits(whole):  # as written, its line breaks kept
        return [whole] if whole else []
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, fits):
        candidate = f"{current} {piece}" if current else piece
        if current and not fits(candidate):
            parts.append(current)
            current = piece
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, fits: Callable[[str], bool]) -> Iterable[str]:
    """The sentences of ``text``; a sentence that does not fit alone comes as its words,
    and a word that does not fit alone in slices that do."""
    for sentence in _SENTENCE_END.split(text):
        sentence = _SPACE.sub(" ", sentence).strip()
        if not sentence:
            continue
        if fits(sentence):
            yield sentence
            continue
        for word in sentence.split(" "):
            yield from [word] if fits(word) else _slices(word, fits)


def _slices(word: str, fits: Callable[[str], bool]) -> Iterable[str]:
    """A word longer than a post in the longest slices that fit (found by halving, as a
    longer slice never fits where a shorter one does not), at least one character
    each, so that this always ends."""
    start = 0
    while start < len(word):
        low, high = start + 1, len(word)  # word[start:low] is taken even if it fails
        while low < high:
            middle = (low + high + 1) // 2
            if fits(word[start:middle]):
                low = middle
            else:
                high = middle - 1
        yield word[start:low]
        start = low
