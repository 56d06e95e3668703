"""Placing many posts at once: the largest summed activity score, not first
come, first served.

The input is a grid of time steps. Each account is a :class:`Lane`: a score
per step (the audience's activity; ``nan`` or a negative value forbids the
step), a minimum gap between two posts, an optional cap of posts per local
day, and the steps of posts already queued. Each :class:`Job` is a bundle of
posts (one draft's locale versions on one account) placed one after the
other, ``gap`` steps apart, inside the draft's embargo and deadline.

Lanes are independent, so each is solved alone, by dynamic programming over
(job, step) with the jobs in earliest-deadline order. ``F[j][t]`` is the best
total of the first ``j`` jobs with all their posts at steps <= ``t``:

    F[j][t] = max(F[j][t-1],                            # job j ends later
                  F[j-1][u - gap] + bundle_score(u),    # job j's bundle ends at t
                  F[j-1][t] - SKIP)                     # job j cannot be placed

with ``u`` the bundle's first step. The SKIP penalty exceeds any score, so
the placement maximises the number of placed jobs first, then the score.

Why earliest-deadline order loses nothing when the jobs' windows are
"agreeable" (a job with a later deadline never has an earlier embargo): all
posts of a lane share one score per step, so the value of a placement
depends only on the set of steps used. Given an optimal set of steps, give
them to the jobs in deadline order; if two jobs were placed out of that
order, swapping them keeps every post inside its window (agreeable windows:
the earlier step is allowed for the earlier deadline, the later step for the
later embargo) and keeps the same steps, so the same score. With nested
windows (a short embargoed window inside a long one) the fixed order can cost
score; ``bench/placement.py`` measures that gap against an exact LP optimum.

Daily caps are enforced by a penalty on over-full days, raised round by round
until no day is over its cap (a Lagrangian step). If that does not settle,
the weakest bundles come off the over-full days and are put back, one by
one, at their best steps where the cap allows (or reported unplaced).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import add

from publisher.i18n import _

SKIP = 1e6
NEG = -math.inf
CAP_ROUNDS = 4
CAP_STEP = 0.3


@dataclass(frozen=True)
class Lane:
    """One account's timeline on the shared grid."""

    account: str
    scores: Sequence[float]  # per step; nan or < 0: forbidden
    gap: int  # minimum steps between two posts of this lane (>= 1)
    day_of: Sequence[int]  # the local day number of each step
    max_per_day: int | None = None
    # Steps of posts already queued (may be negative: before the grid's start,
    # they still keep the gap and count towards their day's cap).
    busy: Sequence[int] = ()
    # Posts already on a day (by day number), for posts outside the grid.
    day_load: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    """A bundle of ``size`` posts for one lane, placed ``gap`` steps apart."""

    key: str
    account: str
    size: int = 1
    earliest: int = 0  # first allowed step of the first post (embargo)
    latest: int | None = None  # last allowed step of the last post (deadline)


@dataclass
class Placement:
    starts: dict[str, list[int]]  # job key -> the step of each of its posts
    unplaced: dict[str, str]  # job key -> why it found no room
    score: float = 0.0


def place(lanes: Sequence[Lane], jobs: Sequence[Job]) -> Placement:
    """The placement with the most jobs placed and then the largest summed score."""
    by_lane: dict[str, list[Job]] = {}
    for job in jobs:
        by_lane.setdefault(job.account, []).append(job)
    result = Placement({}, {})
    known = {lane.account: lane for lane in lanes}
    for account, lane_jobs in by_lane.items():
        lane = known.get(account)
        if lane is None:
            for job in lane_jobs:
                result.unplaced[job.key] = _("no lane for account {account}").format(
                    account=account)
            continue
        starts, unplaced = _place_lane(lane, lane_jobs)
        result.starts.update(starts)
        result.unplaced.update(unplaced)
        result.score += sum(lane.scores[s] for steps in starts.values() for s in steps)
    return result


def place_greedy(lanes: Sequence[Lane], jobs: Sequence[Job]) -> Placement:
    """First come, first served: each job in turn takes its best free steps."""
    known = {lane.account: lane for lane in lanes}
    taken: dict[str, list[int]] = {lane.account: list(lane.busy) for lane in lanes}
    result = Placement({}, {})
    for job in jobs:
        lane = known.get(job.account)
        if lane is None:
            result.unplaced[job.key] = _("no lane for account {account}").format(
                account=job.account)
            continue
        allowed = _allowed(lane, taken[job.account])
        bundle = _bundle_scores(lane, job, allowed)
        best = max(range(len(bundle)), key=lambda u: (bundle[u], -u), default=None)
        if best is None or bundle[best] == NEG or not _cap_ok(lane, taken[job.account],
                                                             job, best):
            best = _first_capped(lane, taken[job.account], job, bundle)
        if best is None:
            result.unplaced[job.key] = _no_room(job)
            continue
        steps = [best + i * lane.gap for i in range(job.size)]
        taken[job.account] += steps
        result.starts[job.key] = steps
        result.score += sum(lane.scores[s] for s in steps)
    return result


# One lane


def _place_lane(lane: Lane, jobs: list[Job]) -> tuple[dict[str, list[int]], dict[str, str]]:
    ordered = sorted(jobs, key=lambda j: (_latest(lane, j), j.earliest, j.key))
    penalty: dict[int, float] = {}
    starts = _solve(lane, ordered, _penalised(lane, penalty))
    for _round in range(CAP_ROUNDS):
        over = _over_cap(lane, starts)
        if not over:
            break
        for day in over:  # make the over-full days dearer until the posts move
            penalty[day] = penalty.get(day, 0.0) + CAP_STEP
        starts = _solve(lane, ordered, _penalised(lane, penalty))
    if _over_cap(lane, starts):
        starts = _repair(lane, ordered, starts)
    starts = _insert_missing(lane, ordered, starts)
    unplaced = {job.key: _no_room(job) for job in ordered if job.key not in starts}
    return starts, unplaced


def _repair(lane: Lane, ordered: list[Job], starts: dict[str, list[int]]) -> dict[str, list[int]]:
    """Take the weakest bundles off over-full days, then put them back where the cap allows."""
    keep = dict(starts)
    removed: list[Job] = []
    jobs = {job.key: job for job in ordered}
    while over := _over_cap(lane, keep):
        day = over[0]
        on_day = [key for key, steps in keep.items()
                  if any(lane.day_of[step] == day for step in steps)]
        weakest = min(on_day, key=lambda key: (sum(lane.scores[s] for s in keep[key]), key))
        del keep[weakest]
        removed.append(jobs[weakest])
    return _insert(lane, removed, keep)


def _insert_missing(
    lane: Lane, ordered: list[Job], starts: dict[str, list[int]]
) -> dict[str, list[int]]:
    """Jobs the fixed deadline order left out (nested windows) may still fit around the rest."""
    missing = [job for job in ordered if job.key not in starts]
    return _insert(lane, missing, starts) if missing else starts


def _insert(lane: Lane, jobs: list[Job], keep: dict[str, list[int]]) -> dict[str, list[int]]:
    """Each job in turn at its best free steps that keep the gap and the cap."""
    keep = dict(keep)
    for job in jobs:
        taken = [*lane.busy, *(step for steps in keep.values() for step in steps)]
        bundle = _bundle_scores(lane, job, _allowed(lane, taken))
        start = _first_capped(lane, taken, job, bundle)
        if start is not None:
            keep[job.key] = [start + i * lane.gap for i in range(job.size)]
    return keep


def _latest(lane: Lane, job: Job) -> int:
    last = len(lane.scores) - 1
    return last if job.latest is None else min(job.latest, last)


def _allowed(lane: Lane, busy: Sequence[int]) -> list[bool]:
    allowed = [not (s < 0 or s != s) for s in lane.scores]  # s != s: nan
    size = len(allowed)
    for step in busy:
        for near in range(max(0, step - lane.gap + 1), min(size, step + lane.gap)):
            allowed[near] = False
    return allowed


def _penalised(lane: Lane, penalty: dict[int, float]) -> list[float]:
    allowed = _allowed(lane, lane.busy)
    return [
        NEG if not ok else score - penalty.get(day, 0.0)
        for score, ok, day in zip(lane.scores, allowed, lane.day_of, strict=True)
    ]


def _bundle_scores(lane: Lane, job: Job, allowed: Sequence[bool]) -> list[float]:
    """The summed score of the job's bundle starting at each step (NEG: not there)."""
    size = len(lane.scores)
    span = (job.size - 1) * lane.gap
    latest = _latest(lane, job)
    result = [NEG] * size
    for start in range(max(0, job.earliest), latest - span + 1):
        steps = range(start, start + span + 1, lane.gap)
        if all(allowed[s] for s in steps):
            result[start] = sum(lane.scores[s] for s in steps)
    return result


def _window_scores(scores: Sequence[float], job: Job, gap: int, latest: int) -> list[float]:
    """Like :func:`_bundle_scores` on already-masked scores, at C speed for size 1."""
    size = len(scores)
    span = (job.size - 1) * gap
    first, last = max(0, job.earliest), latest - span
    result = [NEG] * size
    if last < first:
        return result
    if job.size == 1:
        result[first:last + 1] = scores[first:last + 1]
        return result
    total = list(scores[first:last + 1])
    for i in range(1, job.size):
        shifted = scores[first + i * gap:last + 1 + i * gap]
        total = [a + b for a, b in zip(total, shifted, strict=True)]
    result[first:last + 1] = total
    return result


def _solve(lane: Lane, ordered: list[Job], scores: list[float]) -> dict[str, list[int]]:
    """The DP; first without the skip option (every job fits: the common case,
    two list passes fewer per job), again with it when some job does not fit."""
    tables = _tables(lane, ordered, scores, allow_skip=False)
    if tables and tables[-1][0][-1] == NEG:
        tables = _tables(lane, ordered, scores, allow_skip=True)
    return _backtrack(ordered, tables, lane.gap, len(scores))


def _tables(lane: Lane, ordered: list[Job], scores: list[float], *, allow_skip: bool) -> list:
    size, gap = len(scores), lane.gap
    prev = [0.0] * size
    floor = 0.0  # the value of the previous jobs "before step 0": all skipped
    tables: list[tuple[list[float], list[float], float]] = []
    for job in ordered:
        span = (job.size - 1) * gap
        bundle = _window_scores(scores, job, gap, _latest(lane, job))
        # Candidate value when the bundle ends at step v (it starts at v - span).
        ends = [NEG] * size
        before = [floor] * min(size, gap) + prev[: max(0, size - gap)]  # prev[u - gap]
        starts_value = list(map(add, bundle, before))
        ends[span:] = starts_value[: size - span] if span < size else []
        if allow_skip:
            skip = map(add, prev, repeat(-SKIP, size))
            best = list(accumulate(map(max, ends, skip), max))
        else:
            best = list(accumulate(ends, max))
        tables.append((best, ends, floor))
        prev, floor = best, (floor - SKIP if allow_skip else NEG)
    return tables


def _backtrack(ordered: list[Job], tables: list, gap: int, size: int) -> dict[str, list[int]]:
    starts: dict[str, list[int]] = {}
    limit = size - 1
    for index in range(len(ordered) - 1, -1, -1):
        if limit < 0:
            break
        job = ordered[index]
        best, ends, _floor = tables[index]
        value = best[limit]
        step = limit
        while step > 0 and best[step - 1] == value:
            step -= 1  # the earliest step that reaches this value
        if ends[step] == value and value > NEG:
            first = step - (job.size - 1) * gap
            starts[job.key] = [first + i * gap for i in range(job.size)]
            limit = first - gap
        else:
            limit = step  # skipped: the earlier jobs keep the same room
    return starts


def _over_cap(lane: Lane, starts: dict[str, list[int]]) -> list[int]:
    if lane.max_per_day is None:
        return []
    load = dict(lane.day_load)
    for step in lane.busy:
        if 0 <= step < len(lane.day_of):
            load[lane.day_of[step]] = load.get(lane.day_of[step], 0) + 1
    for steps in starts.values():
        for step in steps:
            load[lane.day_of[step]] = load.get(lane.day_of[step], 0) + 1
    return sorted(day for day, count in load.items() if count > lane.max_per_day)


def _cap_ok(lane: Lane, taken: list[int], job: Job, start: int) -> bool:
    if lane.max_per_day is None:
        return True
    steps = [start + i * lane.gap for i in range(job.size)]
    load = dict(lane.day_load)
    for step in [*taken, *steps]:
        if 0 <= step < len(lane.day_of):
            load[lane.day_of[step]] = load.get(lane.day_of[step], 0) + 1
    return all(load.get(lane.day_of[s], 0) <= lane.max_per_day for s in steps)


def _first_capped(lane: Lane, taken: list[int], job: Job, bundle: list[float]) -> int | None:
    order = sorted((u for u in range(len(bundle)) if bundle[u] > NEG),
                   key=lambda u: (-bundle[u], u))
    return next((u for u in order if _cap_ok(lane, taken, job, u)), None)


def _no_room(job: Job) -> str:
    if job.latest is not None:
        return _("no free slot before its deadline (minimum gap, daily cap or blackout)")
    return _("no free slot in the planning horizon")
