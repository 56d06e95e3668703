"""A first comment under a post, exactly once, where the platform has no key for it.

Instagram (POST /{ig-media-id}/comments), Facebook (POST /{post-id}/comments) and
LinkedIn (POST /rest/socialActions/{urn}/comments) take no idempotency key. A
comment goes under one post the account just made, so the post's comments are a
short list: before sending, and after a crash, that list is read and a comment of
ours with the same text is the earlier attempt. Only a list read to its end says
"not there" for certain (see :func:`publisher.platforms.common.recent.verdict`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from publisher.platforms.base import NotFound, Post, Published, Rejected
from publisher.platforms.common.recent import find_ours, verdict


@dataclass(frozen=True)
class Comments:
    """The comments under a post as read: each entry, and whether that is all of them."""

    entries: list[dict]
    complete: bool


@dataclass(frozen=True)
class CommentApi:
    """How one platform lists, reads and makes the comments under a post."""

    list: Callable[[str], Comments]  # the post's id -> its comments
    text_of: Callable[[dict], str | None]
    create: Callable[[str, str], Published]  # the post's id, the text -> the comment
    published: Callable[[dict], Published]  # a listed comment -> where it is


def parent_of(post: Post) -> str:
    """The id of the post a comment goes under (the flush always gives it)."""
    if post.reply_to is None:
        raise Rejected("a first comment needs the post it goes under")
    return post.reply_to.remote_id


def find_comment(api: CommentApi, post: Post) -> Published | NotFound | None:
    """Ours among the post's comments; NOT_FOUND only when every comment was read."""
    comments = api.list(parent_of(post))
    entry = find_ours(post.text, comments.entries, api.text_of)
    return verdict(api.published(entry) if entry is not None else None,
                   complete=comments.complete)


def comment_once(api: CommentApi, post: Post) -> Published:
    """Post the comment unless an earlier attempt of it is there already."""
    earlier = find_comment(api, post)
    if isinstance(earlier, Published):
        return earlier
    return api.create(parent_of(post), post.text)
