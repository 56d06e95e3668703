"""Freshness: a post is worth more sooner.

A slot's value is its audience weight times ``0.5 ** (delay / half_life)``, the
delay counted from when the post can go out. The half-life is the draft's
``urgency``, else its campaign's, else the workspace's ``[schedule] half_life``
(2 days unless set). With 2 days, a slot a week later must be about 11 times
better to win, so a post with no deadline takes the next good hour rather than
a slightly better one next week; ``evergreen`` (3 weeks) lets it wait for a
better hour, ``news`` (6 hours) barely at all.

One curve per lane. Placement scores each account's lane with one score per
step, so a lane's scores decay with the SHORTEST half-life among the posts
placed on it in that plan, counted from the plan's start: every post then goes
out at least as soon as it wants, never later. For one post the start of the
count does not matter: counting from its own release instead multiplies all
its slots by the same factor, so its choice is the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from publisher.domain.errors import UserError
from publisher.i18n import _

DEFAULT_HALF_LIFE = timedelta(days=2)
# [schedule] explore: the share of posts that may explore (publisher.domain.learning); here,
# with the other scheduling defaults, so that reading the settings stays light.
DEFAULT_EXPLORE = 0.1
# A post whose half-life is this short or shorter is urgent: it never explores.
URGENT = timedelta(days=1)
NAMED = {"news": timedelta(hours=6), "evergreen": timedelta(weeks=3)}
NORMAL = "normal"  # the workspace's half-life
UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
         "w": timedelta(weeks=1)}
LONGEST = timedelta(weeks=520)  # beyond any planning horizon; keeps the arithmetic sane
_SPAN = re.compile(r"(\d{1,6})\s*([mhdw])")


def _refuse(text: object) -> UserError:
    return UserError(_("{text!r} is not a span of time").format(text=text),
                     hint=_('write hours, days or weeks such as "6h", "3d" or "2w"'))


def parse_span(text: object) -> timedelta:
    """``"90m"``, ``"6h"``, ``"3d"`` or ``"2w"``: positive, at most ten years."""
    if not isinstance(text, str):
        raise _refuse(text)
    match = _SPAN.fullmatch(text.strip().lower())
    if match is None:
        raise _refuse(text)
    span = int(match.group(1)) * UNITS[match.group(2)]
    if not timedelta(0) < span <= LONGEST:
        raise _refuse(text)
    return span


def parse_urgency(text: object) -> timedelta | None:
    """A span, or a name: ``news`` (6 h), ``evergreen`` (3 weeks); ``normal`` (None) is
    the workspace's half-life."""
    if isinstance(text, str):
        name = text.strip().lower()
        if name == NORMAL:
            return None
        if name in NAMED:
            return NAMED[name]
    try:
        return parse_span(text)
    except UserError:
        raise UserError(
            _("{text!r} is not an urgency").format(text=text),
            hint=_('write news, normal, evergreen or a span such as "6h", "3d" or "2w"'),
        ) from None


def is_urgent(half_life: timedelta) -> bool:
    return half_life <= URGENT


def lane_half_life(half_lives: Iterable[timedelta], default: timedelta) -> timedelta:
    """The shortest half-life among the posts placed on one lane (see the module)."""
    return min(half_lives, default=default)


def decay(delay: timedelta, half_life: timedelta) -> float:
    return 0.5 ** (max(delay, timedelta(0)) / half_life)


def decay_factors(steps: int, step: timedelta, half_life: timedelta) -> list[float]:
    """The factor of every step of a grid, counted from its first step."""
    per_step = 0.5 ** (step / half_life)
    return [per_step ** index for index in range(steps)]
