"""What a published post achieved: the counts a platform reports, and the one
number learning reads from them.

Platforms name their counts differently (favourites, likes, reactions); an
adapter maps its own onto :class:`Engagement`, leaving ``None`` for what its API
does not say (so "0 impressions" and "impressions unknown" stay apart).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

# The ages at which a sent post's counts are read (``metrics collect``). Learning
# reads the count at REFERENCE_AGE (or the latest one before it, for a post younger
# than that): the hour a post went out matters most in its first day.
AGES: tuple[timedelta, ...] = (timedelta(hours=1), timedelta(hours=24), timedelta(days=7))
REFERENCE_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class Engagement:
    """One post's counts at one moment; ``None``: the platform does not report it."""

    likes: int | None = None  # favourites, likes, reactions
    reposts: int | None = None  # reblogs, retweets, shares, forwards
    replies: int | None = None  # replies, comments
    quotes: int | None = None
    impressions: int | None = None  # views, reach, where the token may read them
    clicks: int | None = None

    @property
    def interactions(self) -> int:
        """What people did with the post (not how many saw it): the sum of the
        counts a platform gives for likes, reposts, replies and quotes."""
        return sum(v or 0 for v in (self.likes, self.reposts, self.replies, self.quotes))

    def as_dict(self) -> dict[str, int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Observation:
    """One sent post as learning reads it: when it went out (UTC) and its
    interactions at the reference age."""

    account_id: str
    locale: str
    sent_at: datetime
    value: float
    draft_id: str = ""
    campaign: str | None = None
