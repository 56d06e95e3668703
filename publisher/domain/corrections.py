"""The crisis kit's rules: what a retraction or a correction does to each post.

Pure decisions, no queue and no platform: the plan's step kinds, the way a correction
reaches each account (edit where the platform can, else delete and post again, else
a reply under the post), and the order of deletions (a thread's replies and its first
comment before its first post, so that nothing is left answering nothing).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from publisher.domain.errors import UserError
from publisher.domain.posttypes import FIRST_COMMENT, PartKind, ThreadMode, thread_mode
from publisher.i18n import _

T = TypeVar("T")


class Step(enum.StrEnum):
    """What the plan does to one part of one post (the ``action`` of ``--json``)."""

    DELETE = "delete"
    EDIT = "edit"
    REPOST = "repost"  # deleted, then posted again with the new text
    REPLY = "reply"  # the new text posted as a reply under the post
    CANNOT = "cannot"  # a person does it by hand, at the URL
    CANCEL = "cancel"  # not sent yet: cancelled


class How(enum.StrEnum):
    """How a correction reaches an account (``--how ACCOUNT=edit|repost|reply``)."""

    EDIT = "edit"
    REPOST = "repost"
    REPLY = "reply"


@dataclass(frozen=True)
class Means:
    """What a correction can do on one account, and why not where it cannot."""

    edit: bool
    delete: bool
    reply: bool
    why_not_edit: str = ""
    why_not_delete: str = ""
    why_not_reply: str = ""

    def why_not(self, how: How) -> str:
        return {How.EDIT: self.why_not_edit, How.REPOST: self.why_not_delete,
                How.REPLY: self.why_not_reply}[how]

    def can(self, how: How) -> bool:
        return {How.EDIT: self.edit, How.REPOST: self.delete, How.REPLY: self.reply}[how]


# The default, in order: edit where possible, else repost where deleting is, else reply.
DEFAULT_ORDER = (How.EDIT, How.REPOST, How.REPLY)


def choose_how(means: Means, asked: How | None, account: str) -> How | None:
    """The way to correct an account's post: the one asked for (refused, as a user
    error, when it is not possible there), else the first possible of the default
    order; None when none is (a person corrects it by hand)."""
    if asked is not None:
        if not means.can(asked):
            raise UserError(
                _("{account} cannot be corrected by {how}: {why}").format(
                    account=account, how=asked.value, why=means.why_not(asked) or "-"),
                hint=_("choose another way: edit, repost or reply"))
        return asked
    return next((how for how in DEFAULT_ORDER if means.can(how)), None)


def reply_kind(platform: str) -> PartKind | None:
    """What a correction posted under a post is on a platform: a reply where it has
    threads, a comment where it has comments only, None where it has neither."""
    if thread_mode(platform) == ThreadMode.REPLIES:
        return PartKind.REPLY
    if platform in FIRST_COMMENT:
        return PartKind.COMMENT
    return None


def children_first(parts: Iterable[T], number: Callable[[T], int]) -> list[T]:
    """A post's parts in the order they are deleted: the first comment and the last
    reply first, the first post last."""
    return sorted(parts, key=number, reverse=True)
