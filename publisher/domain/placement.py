"""Placing many posts at once: the most posts placed, then the largest summed
activity score -- not first come, first served.

Interface
---------
Time is a grid of steps (the scheduler uses 5 minutes). Each account is a
:class:`Lane`: a score per step (the audience's activity; ``nan`` or a
negative value forbids the step), a minimum gap in steps between any two of
its posts (values below 1 count as 1: two posts never share a step), the
local day of every step (``day_of`` must not decrease along the grid), an
optional cap of posts per day, and the posts already there (``busy`` steps,
which may lie outside the grid, and ``day_load`` for posts counted on a day
but not in ``busy``). New posts keep the gap from busy steps; busy posts on
the grid count towards their day's cap.

Each :class:`Job` is a bundle of ``size`` posts (one draft's locale versions
on one account) placed one after the other, exactly ``gap`` steps apart, its
first post at or after ``earliest`` and its last at or before ``latest``.
Keys must be unique. :func:`place` returns a :class:`Placement`: the steps of
every placed job, why the others found no room, the summed score and, when
every job is placed, a proven upper bound on the score (``bound``; equal to
the score up to the tie-breaking amount when the placement is proven optimal).

Ties go to earlier steps: every step's score is lowered by a tiny amount that
grows with the step (in total at most a millionth of the largest score), so
among placements whose scores agree to that amount the one whose posts go out
earlier in total wins, deterministically.

How, per lane (lanes are independent)
-------------------------------------
1. **Dynamic programming for a fixed time order of the jobs.** All posts of
   a lane share one score per step, so a placement's value depends only on
   the steps it uses. With the jobs in a fixed order, ``G[j][t]``, the best
   total of the first ``j`` jobs with all their posts at steps <= ``t``, is::

       G[j][t] = max(G[j][t-1], G[j-1][u - gap] + bundle(u))

   with ``u`` the start of a bundle ending at ``t`` -- and, only when some job
   cannot be placed, ``G[j-1][t] - SKIP`` (SKIP exceeds any total score, so
   the number placed comes first). Each job touches only its own window (the
   DP that places every job keeps its table only between the earliest end
   its predecessors allow and the latest that leaves its successors room),
   and the running maximum is one numpy call (``maximum.accumulate``): the
   same maxima, the same ties (the earliest end), at C speed. With a daily cap
   that binds, the state also counts the posts on the current day (1..cap;
   the running maxima restart each day), which keeps the DP exact.

2. **The deadline order is optimal when no window lies inside another** (and
   the bundles have equal sizes). Exchange argument: take an optimal
   placement and jobs A, B with (deadline, embargo) of A <= that of B but B
   placed first, at p_B < p_A. Swap them. A gets p_B: p_B >= earliest(B) >=
   earliest(A) (no nesting) and p_B < p_A <= deadline(A). B gets p_A: p_A <=
   deadline(A) <= deadline(B) and p_A > p_B >= earliest(B). Same steps, so the
   same score and the same posts per day; one inversion fewer. Repeat until
   the placement follows the deadline order, which the DP searches
   exhaustively. With nesting (a short embargoed window inside a long one)
   the swap can fail, hence steps 3 and 4.

3. **An upper bound, often reached.** The i-th post in time of any placement
   lies between the i-th smallest earliest step and the i-th smallest latest
   step of all windows: at least i posts are at or before it, so at least i
   windows open there; symmetrically for the deadlines. These sorted windows
   never nest, so the DP of step 1 (caps included) solves this relaxation
   exactly, and its value bounds every placement. (Equal-sized bundles are
   relaxed by their starts; mixed sizes into single posts.) If the jobs can
   be matched to the relaxation's steps -- earliest deadline first among the
   open jobs, which finds a matching whenever one exists (Hall's condition on
   intervals) -- that is an optimal placement. This is the common case.

4. **Otherwise, improve** from the better of the relaxation's partial
   matching and the deadline-order DP: each job in turn moves to its best
   free start that keeps the gap and the cap (a move the fixed order could
   not make; the free starts are read off per-step marks of the steps within
   a gap of a placed post and of the full days, kept as posts move); then
   the DP runs again in the new time order of the jobs, which
   can only gain. Repeated while it gains (a few rounds) or until the bound is
   reached. ``bench/placement.py`` measures the result against an exact LP
   optimum.
"""

from __future__ import annotations

import math
from bisect import insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from heapq import heappop, heappush

import numpy as np

from publisher.i18n import _

NEG = -math.inf
TIE_SHARE = 1e-6  # of the largest score: the most the earliness preference may cost
IMPROVE_ROUNDS = 4
# Jobs x steps x cap above which the capped DP that chooses which jobs to
# leave out (only needed when not every job fits) gives way to a repair by
# hand: it costs about 0.2 us per unit in CPython 3.11.
CAPPED_BUDGET = 2_000_000


@dataclass(frozen=True)
class Lane:
    """One account's timeline on the shared grid."""

    account: str
    scores: Sequence[float]  # per step; nan or < 0: forbidden
    gap: int  # minimum steps between two posts of this lane (< 1 counts as 1)
    day_of: Sequence[int]  # the local day number of each step, non-decreasing
    max_per_day: int | None = None
    # Steps of posts already queued (may be outside the grid: they still keep
    # the gap, and count towards their day's cap when on the grid).
    busy: Sequence[int] = ()
    # Posts already on a day (by day number) that are not in ``busy``.
    day_load: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    """A bundle of ``size`` posts for one lane, placed ``gap`` steps apart."""

    key: str
    account: str
    size: int = 1
    earliest: int = 0  # first allowed step of the first post (embargo), inclusive
    latest: int | None = None  # last allowed step of the last post (deadline), inclusive


@dataclass(frozen=True)
class Placement:
    starts: dict[str, list[int]]  # job key -> the step of each of its posts
    unplaced: dict[str, str]  # job key -> why it found no room
    score: float = 0.0  # summed score of all placed posts
    # When every job is placed (by place()): no placement scores more than this.
    bound: float | None = None


def place(lanes: Sequence[Lane], jobs: Sequence[Job]) -> Placement:
    """The placement with the most jobs placed and then the largest summed score."""
    return _per_lane(lanes, jobs, _optimise)


def place_greedy(lanes: Sequence[Lane], jobs: Sequence[Job]) -> Placement:
    """First come, first served: each job in the given order takes its best
    free start (the baseline the optimiser is measured against)."""
    return _per_lane(lanes, jobs, _greedy)


def _per_lane(lanes: Sequence[Lane], jobs: Sequence[Job], solve) -> Placement:
    by_lane: dict[str, list[Job]] = {}
    for job in jobs:
        if job.size < 1:
            raise ValueError(f"job {job.key}: size must be at least 1")
        by_lane.setdefault(job.account, []).append(job)
    known = {lane.account: lane for lane in lanes}
    starts: dict[str, list[int]] = {}
    unplaced: dict[str, str] = {}
    score, bound = 0.0, 0.0
    for account, lane_jobs in by_lane.items():
        lane = known.get(account)
        if lane is None:
            for job in lane_jobs:
                unplaced[job.key] = _("no lane for account {account}").format(account=account)
            continue
        grid = _Grid(lane, sum(job.size for job in lane_jobs))
        placed, lane_bound = solve(grid, lane_jobs)
        for job in lane_jobs:
            if job.key in placed:
                steps = grid.steps(job, placed[job.key])
                starts[job.key] = steps
                score += sum(lane.scores[s] for s in steps)
            else:
                unplaced[job.key] = _no_room(job)
        bound = math.nan if lane_bound is None else bound + lane_bound
    complete = not unplaced and not math.isnan(bound)
    return Placement(starts, unplaced, score, bound if complete else None)


def _no_room(job: Job) -> str:
    if job.latest is not None:
        return _("no free slot before its deadline (minimum gap, daily cap or blackout)")
    return _("no free slot in the planning horizon")


# One lane's grid


class _Grid:
    """A lane prepared for solving: masked, tie-broken scores and day bookkeeping."""

    def __init__(self, lane: Lane, posts: int):
        self.lane = lane
        self.size = size = len(lane.scores)
        self.gap = gap = max(1, lane.gap)
        self.cap = lane.max_per_day
        self.day_of = lane.day_of
        raw = np.asarray(lane.scores, dtype=float)
        allowed = raw >= 0  # nan compares false
        self.scale = max(float(raw[allowed].max()) if allowed.any() else 1.0, 1e-9)
        self.tie = TIE_SHARE * self.scale / (max(1, size) * max(1, posts))
        self.slack = TIE_SHARE * self.scale  # the most the tie-breaking moves a total
        # More than any total, so that one more placed job outweighs any score.
        self.skip = 2.0 * self.scale * (posts + 1) + 1.0
        scores = np.where(allowed, raw - self.tie * np.arange(size), NEG)
        for step in lane.busy:
            low, high = max(0, step - gap + 1), min(size, step + gap)
            if low < high:
                scores[low:high] = NEG
        self.first, self.last = _day_bounds(lane.day_of)
        self.base_load: dict[int, int] = dict(lane.day_load)
        for step in lane.busy:
            if 0 <= step < size:
                day = lane.day_of[step]
                self.base_load[day] = self.base_load.get(day, 0) + 1
        if self.cap is not None:
            for day, load in self.base_load.items():
                if load >= self.cap and day in self.first:
                    low, high = self.first[day], self.last[day] + 1
                    scores[low:high] = NEG
        self.scores = scores
        self._sums: dict[int, list[float]] = {}
        self._arrays: dict[int, np.ndarray] = {1: scores}
        self._days: _Days | None = None

    def steps(self, job: Job, start: int) -> list[int]:
        return [start + i * self.gap for i in range(job.size)]

    def window(self, job: Job) -> tuple[int, int]:
        """The allowed starts of the job's first post."""
        latest = self.size - 1 if job.latest is None else min(job.latest, self.size - 1)
        return max(0, job.earliest), latest - (job.size - 1) * self.gap

    def sums(self, size: int) -> list[float]:
        """The bundle's (tie-broken) score by start step; NEG where it cannot start."""
        if size not in self._sums:
            self._sums[size] = self.array(size).tolist()
        return self._sums[size]

    def array(self, size: int) -> np.ndarray:
        """:meth:`sums` as an array, for the dynamic programmes."""
        if size not in self._arrays:
            self._arrays[size] = bundle_sums(self.scores, size, self.gap)
        return self._arrays[size]

    def days(self) -> _Days:
        if self._days is None:
            self._days = _Days(self)
        return self._days

    def value(self, jobs: dict[str, Job], placed: dict[str, int]) -> tuple[int, float]:
        return len(placed), sum(self.sums(jobs[k].size)[u] for k, u in placed.items())

    def over_cap(self, steps: list[int]) -> list[int]:
        """The days these new posts would fill beyond the cap."""
        if self.cap is None:
            return []
        load = dict(self.base_load)
        for step in steps:
            load[self.day_of[step]] = load.get(self.day_of[step], 0) + 1
        return sorted(day for day, count in load.items() if count > self.cap)

    def loads(self, jobs: dict[str, Job], placed: dict[str, int]) -> dict[int, int]:
        load = dict(self.base_load)
        for key, start in placed.items():
            for step in self.steps(jobs[key], start):
                day = self.day_of[step]
                load[day] = load.get(day, 0) + 1
        return load


def _day_bounds(day_of: Sequence[int]) -> tuple[dict[int, int], dict[int, int]]:
    """The first and the last step of each day (days do not decrease along the grid)."""
    days = np.asarray(day_of, dtype=np.int64)
    if not len(days):
        return {}, {}
    change = np.flatnonzero(days[1:] != days[:-1]) + 1
    firsts = np.concatenate(((0,), change))
    lasts = np.concatenate((change - 1, (len(days) - 1,)))
    names = days[firsts].tolist()
    return dict(zip(names, firsts.tolist(), strict=True)), dict(zip(names, lasts.tolist(),
                                                                    strict=True))


def bundle_sums(scores: np.ndarray, size: int, gap: int) -> np.ndarray:
    """scores[u] + scores[u + gap] + ... (size terms) for every start u."""
    length = len(scores)
    span = (size - 1) * gap
    total = np.full(length, NEG)
    if span < length:
        part = scores[: length - span].copy()
        for i in range(1, size):
            part += scores[i * gap: length - span + i * gap]
        total[: length - span] = part
    return total


def _first(values: np.ndarray, value: float, low: int, high: int) -> int:
    """The first index in [low, high] where ``values`` equals ``value`` (it must)."""
    return low + int(np.argmax(values[low: high + 1] == value))


def _const(length: int, value: float) -> np.ndarray:
    return np.full(max(0, length), value)


# The fixed-order dynamic programme (arrays: a running maximum is one C loop)


def chain(
    sums: dict[int, np.ndarray], items: list[tuple[int, int, int]], gap: int, skip: float
) -> list[int | None]:
    """Starts for items (size, first start, last start) in this time order that
    maximise (number placed, summed score); None for a skipped item."""
    every = _chain_all(sums, items, gap)
    if every is None:  # some item cannot be placed: let the DP skip, at a price
        return _chain_skipping(sums, items, gap, skip)
    return list(every)


def _cell_then_lower(post: dict[int, np.ndarray], at: int, k: int) -> tuple[float, int]:
    """Rank a count ``k`` by its value at step ``at``; ties go to the lower count."""
    return float(post[k][at]), -k


def _chain_skipping(sums, items, gap, skip) -> list[int | None]:
    """The DP that may leave items out, each at the price ``skip``. Its tables
    never decrease: the previous table less ``skip``, raised to the item's own
    running maxima over its window and to their last value after it."""
    length = len(next(iter(sums.values()))) if sums else 0
    prev = np.zeros(length)
    floor = 0.0  # the previous items' value "before step 0": all skipped
    tables = []
    for size, lo, hi in items:
        span = (size - 1) * gap
        hi = min(hi, length - 1 - span)
        table = prev - skip
        if hi >= lo:
            cut = min(max(0, gap - lo), hi - lo + 1)  # starts whose predecessor is before 0
            before = np.concatenate((_const(cut, floor), prev[lo + cut - gap: hi - gap + 1]))
            best = np.maximum.accumulate(sums[size][lo: hi + 1] + before)
            window = table[lo + span: hi + span + 1]
            np.maximum(window, best, out=window)
            after = table[hi + span + 1:]
            np.maximum(after, best[-1], out=after)
        tables.append(table)
        prev = table
        floor -= skip
    return _backtrack(items, tables, gap, skip, length)


def _chain_all(sums, items, gap) -> list[int] | None:
    """The DP that places every item, or None. Each item's table is kept only
    over its own ends, as (first end, running maxima): below, nothing can end
    (NEG); above, it stays at its last value. No per-item work over the whole
    grid, only over the item's window."""
    length = len(next(iter(sums.values()))) if sums else 0
    last_end = _last_ends(items, gap, length)
    prev: tuple[int, np.ndarray] = (0, np.zeros(1))  # no item yet: 0.0 at every step
    tables: list[tuple[int, np.ndarray]] = []
    for (size, lo, hi), latest in zip(items, last_end, strict=True):
        span = (size - 1) * gap
        hi = latest - span  # later ends leave the next items no room
        if tables:  # earlier starts have no predecessor (NEG): skip them
            lo = max(lo, prev[0] + gap)
        if hi < lo:
            return None
        cut = min(max(0, gap - lo), hi - lo + 1)  # starts whose predecessor is before 0
        floor = 0.0 if not tables else NEG
        before = np.concatenate((_const(cut, floor), _span_of(prev, lo + cut - gap, hi - gap)))
        best = np.maximum.accumulate(sums[size][lo: hi + 1] + before)
        if best[-1] == NEG:
            return None
        prev = (lo + span, best)
        tables.append(prev)
    starts = [0] * len(items)
    limit = length - 1
    for index in range(len(items) - 1, -1, -1):
        end_lo, best = tables[index]
        value = best[min(limit - end_lo, len(best) - 1)]
        end = end_lo + int(np.searchsorted(best, value))  # earliest such end (non-decreasing)
        starts[index] = end - (items[index][0] - 1) * gap
        limit = end - (items[index][0] - 1) * gap - gap
    return starts


def _last_ends(items, gap: int, length: int) -> list[int]:
    """The latest end of each item that still leaves the later ones room."""
    ends, limit = [], length - 1
    for size, _lo, hi in reversed(items):
        span = (size - 1) * gap
        end = min(hi + span, limit)
        ends.append(end)
        limit = end - span - gap
    return ends[::-1]


def _span_of(table: tuple[int, np.ndarray], low: int, high: int) -> np.ndarray:
    """A sparse table of :func:`_chain_all` at steps low..high (low >= 0)."""
    out = np.full(max(0, high - low + 1), NEG)
    if high < low:
        return out
    start, best = table
    end = start + len(best) - 1
    if high >= start and low <= end:
        inside = best[max(low, start) - start: min(high, end) + 1 - start]
        out[max(low, start) - low: max(low, start) - low + len(inside)] = inside
    if high > end:
        out[max(low, end + 1) - low:] = best[-1]
    return out


def _backtrack(items, tables, gap, skip, length) -> list[int | None]:
    starts: list[int | None] = [None] * len(items)
    limit = length - 1
    for index in range(len(items) - 1, -1, -1):
        if limit < 0:
            break  # the rest are skipped
        table = tables[index]
        value = table[limit]
        prev = tables[index - 1][limit] if index else 0.0
        if value == prev + -skip:
            continue
        size, lo, _hi = items[index]
        end = _first(table, value, lo + (size - 1) * gap, limit)  # earliest such end
        starts[index] = end - (size - 1) * gap
        limit = end - (size - 1) * gap - gap
    return starts


# The same with a daily cap: the state also counts the posts of the day


class _Days:
    """Index tables of a capped lane (for gathering predecessors at C speed)."""

    def __init__(self, grid: _Grid):
        size, gap, cap = grid.size, grid.gap, grid.cap or 0
        days = np.asarray(grid.day_of, dtype=np.int64)
        # A row per day: its number along the grid, and each row's first and last step.
        self.row = np.cumsum(np.diff(days, prepend=days[:1]) != 0)
        firsts = np.array([grid.first[d] for d in grid.first], dtype=np.int64)
        lasts = np.array([grid.last[d] for d in grid.first], dtype=np.int64)
        loads = np.array([grid.base_load.get(d, 0) for d in grid.first], dtype=np.int64)
        steps = np.arange(size)
        day_start = firsts[self.row] if size else steps
        self.day_start = day_start.tolist()
        self.day_end = (lasts[self.row] if size else steps).tolist()
        self.room = room = (cap - loads)[self.row] if size else steps
        self.column = steps - day_start
        self.width = int(self.column.max()) + 1 if size else 0
        self.same_day = steps - gap >= day_start
        # Into [floor] + G: the predecessor ends on an earlier day and gap steps before.
        self.fresh_at = np.maximum(-1, np.minimum(steps - gap, day_start - 1)) + 1
        self.fresh = self.fresh_at.tolist()
        # Into [NEG] + H[k-1]: the predecessor ends gap steps before, on the same day.
        self.follow = {k: np.where(self.same_day & (room >= k), steps - gap + 1, 0)
                       for k in range(2, cap + 1)}


def capped_chain(
    grid: _Grid, items: list[tuple[int, int, int]], *, may_skip: bool = True
) -> list[int | None] | None:
    """Like :func:`chain`, keeping at most ``cap`` posts a day."""
    starts = _capped_chain(grid, items, None)
    if starts is None and may_skip:
        starts = _capped_chain(grid, items, grid.skip)
    return starts


def _capped_chain(grid: _Grid, items, skip):
    days, size, gap, cap = grid.days(), grid.size, grid.gap, grid.cap or 1
    scores = grid.array(1)
    prev_g, prev_h, floor = np.zeros(size), {k: np.full(size, NEG) for k in range(1, cap)}, 0.0
    tables = []
    for count, lo, hi in items:
        span = (count - 1) * gap
        hi = min(hi, size - 1 - span)
        if hi < lo and skip is None:
            return None
        posts = []
        if hi >= lo:
            here = scores[lo: hi + 1]
            post = {1: here + _gather(prev_g, days.fresh_at[lo: hi + 1], floor)}
            for k in range(2, cap + 1):
                post[k] = here + _gather(prev_h[k - 1], days.follow[k][lo: hi + 1], NEG)
            posts.append(post)
            for i in range(1, count):
                posts.append(_next_post(days, scores, posts[-1], lo + i * gap, hi + i * gap, cap))
        table_g, table_h = _capped_tables(days, posts, lo + span, hi + span, size, cap)
        if skip is not None:
            table_g = np.maximum.accumulate(np.maximum(table_g, prev_g - skip))
            table_h = {k: np.maximum(h, prev_h[k] - skip) for k, h in table_h.items()}
        elif table_g[-1] == NEG:
            return None
        tables.append((table_g, table_h, posts))
        prev_g, prev_h = table_g, table_h
        floor = NEG if skip is None else floor - skip
    return _capped_backtrack(days, items, tables, gap, size, skip)


def _gather(table: np.ndarray, at: np.ndarray, missing: float) -> np.ndarray:
    """``table[at - 1]``, with ``missing`` where ``at`` is 0 (no predecessor)."""
    values = table[at - 1]
    values[at == 0] = missing
    return values


def _capped_tables(days: _Days, posts: list[dict], end_lo: int, end_hi: int, size: int,
                   cap: int) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """G (any count, at or before t) and H[k] (count k, on t's day, at or before t)."""
    if not posts:
        return np.full(size, NEG), {k: np.full(size, NEG) for k in range(1, cap)}
    last = posts[-1]
    best = np.maximum.accumulate(np.maximum.reduce([last[k] for k in range(1, cap + 1)]))
    table_g = np.concatenate((_const(end_lo, NEG), best, _const(size - 1 - end_hi, best[-1])))
    table_h = {k: _daily_running_max(days, last[k], end_lo, end_hi, size)
               for k in range(1, cap)}  # a post at the cap is nobody's predecessor that day
    return table_g, table_h


def _next_post(days: _Days, scores, before: dict, lo: int, hi: int, cap: int) -> dict:
    """A bundle's next post, exactly ``gap`` after the previous one."""
    here, same, room = scores[lo: hi + 1], days.same_day[lo: hi + 1], days.room[lo: hi + 1]
    anyk = np.maximum.reduce([before[k] for k in range(1, cap + 1)])
    post = {1: np.where(same, NEG, anyk) + here}
    for k in range(2, cap + 1):
        post[k] = np.where(same & (room >= k), before[k - 1], NEG) + here
    return post


def _daily_running_max(days: _Days, values: np.ndarray, lo: int, hi: int, size: int):
    """Running maxima over [lo, hi] restarting each day, carried to the day's end."""
    out = np.full(size, NEG)
    rows = days.row[lo: hi + 1] - days.row[lo]
    columns = days.column[lo: hi + 1]
    square = np.full((int(rows[-1]) + 1, days.width), NEG)
    square[rows, columns] = values
    np.maximum.accumulate(square, axis=1, out=square)
    out[lo: hi + 1] = square[rows, columns]
    out[hi + 1: days.day_end[hi] + 1] = out[hi]
    return out


def _capped_backtrack(days: _Days, items, tables, gap, size, skip) -> list[int | None]:
    starts: list[int | None] = [None] * len(items)
    limit, state = size - 1, None  # state None: any count; k: exactly k, same day
    for index in range(len(items) - 1, -1, -1):
        if limit < 0:
            break  # only when skipping: the rest are skipped
        count, lo, _hi = items[index]
        table_g, table_h, posts = tables[index]
        table = table_g if state is None else table_h[state]
        value = table[limit]
        if skip is not None:
            if index:
                earlier = tables[index - 1][0 if state is None else 1]
                before = (earlier if state is None else earlier[state])[limit]
            else:
                before = 0.0 if state is None else NEG
            if value == before + -skip:
                continue  # skipped: the earlier items keep the same room and state
        end_lo = lo + (count - 1) * gap
        if state is None:
            end = _first(table, value, end_lo, limit)
            state = next(k for k, post in posts[-1].items() if post[end - end_lo] == value)
        else:
            end = _first(table, value, max(end_lo, days.day_start[limit]), limit)
        step = end
        for i in range(count - 1, 0, -1):  # back through the bundle's posts
            if state == 1:  # the previous post was on an earlier day, any count
                before_post = posts[i - 1]
                at = step - gap - (lo + (i - 1) * gap)
                state = max(before_post, key=partial(_cell_then_lower, before_post, at))
            else:
                state -= 1
            step -= gap
        starts[index] = step
        if state == 1:
            limit, state = days.fresh[step] - 1, None
        else:
            limit, state = step - gap, state - 1
    return starts


# Solvers


def _greedy(grid: _Grid, jobs: list[Job]) -> tuple[dict[str, int], None]:
    state = _State(grid, {job.key: job for job in jobs}, {})
    for job in jobs:
        start = state.best_start(job)
        if start is not None:
            state.put(job, start)
    return state.placed, None


def _optimise(grid: _Grid, jobs: list[Job]) -> tuple[dict[str, int], float | None]:
    by_key = {job.key: job for job in jobs}
    bound, placed = _relax(grid, jobs)
    if placed is not None and len(placed) == len(jobs):
        return placed, _reported(grid, bound)  # the relaxation's optimum is a placement
    best_placed, best = {}, (-1, NEG)
    if placed is not None:  # complete the relaxation's partial matching
        state = _State(grid, by_key, placed)
        state.fill(sorted(jobs, key=lambda j: (grid.window(j)[1], j.key)))
        best_placed, best = state.placed, grid.value(by_key, state.placed)
    fits = bound is not None  # else not every job fits: one order, no capped DP that must fail
    for ordered in _orders(grid, jobs) if fits else _orders(grid, jobs)[:1]:
        if _reached(grid, bound, best):
            return best_placed, _reported(grid, bound)
        candidate = _ordered(grid, by_key, ordered, fits=fits)
        if grid.value(by_key, candidate) > best:
            best_placed, best = candidate, grid.value(by_key, candidate)
    affordable = len(jobs) * grid.size * (grid.cap or 0) <= CAPPED_BUDGET
    if best[0] < len(jobs) and grid.cap is not None and affordable:  # the count comes first
        candidate = _ordered(grid, by_key, _orders(grid, jobs)[0], cheap=False)
        if grid.value(by_key, candidate) > best:
            best_placed, best = candidate, grid.value(by_key, candidate)
    for _round in range(IMPROVE_ROUNDS):
        if _reached(grid, bound, best):
            break  # proven optimal
        state = _State(grid, by_key, best_placed)
        moved = state.improve()
        order = sorted(jobs, key=lambda j: (state.placed.get(j.key, grid.size), j.key))
        again = _ordered(grid, by_key, order, fits=fits)
        value, winner = max([(grid.value(by_key, state.placed), state.placed),
                             (grid.value(by_key, again), again)], key=lambda c: c[0])
        if value <= best and not moved:
            break
        if value > best:
            best, best_placed = value, winner
    return best_placed, _reported(grid, bound)


def _reached(grid: _Grid, bound: float | None, best: tuple[int, float]) -> bool:
    return bound is not None and best[1] >= bound - grid.slack


def _orders(grid: _Grid, jobs: list[Job]) -> list[list[Job]]:
    """Time orders worth a DP: deadline first (by the last post, and by the last
    start, which differ for bundles of mixed sizes) and embargo first."""
    keys = (
        lambda j: (grid.window(j)[1] + (j.size - 1) * grid.gap, j.earliest, j.key),
        lambda j: (grid.window(j)[1], j.earliest, j.key),
        lambda j: (j.earliest, grid.window(j)[1], j.key),
    )
    orders: dict[tuple[str, ...], list[Job]] = {}
    for key in keys:
        ordered = sorted(jobs, key=key)
        orders.setdefault(tuple(job.key for job in ordered), ordered)
    return list(orders.values())


def _reported(grid: _Grid, bound: float | None) -> float | None:
    """The bound against the scores before the tie-breaking discount."""
    return None if bound is None else bound + grid.slack


def _ordered(
    grid: _Grid, jobs: dict[str, Job], ordered: list[Job], *, cheap: bool = True,
    fits: bool = True,
) -> dict[str, int]:
    """The DP in this order (step 1), then whatever it left out where it still fits.
    ``cheap``: when the cap leaves no room for every job in this order, repair
    by hand instead of the (slower) capped DP that chooses whom to leave out;
    ``fits``: False when the relaxation showed the cap cannot take every job."""
    sums = {job.size: grid.array(job.size) for job in ordered}
    items = [(job.size, *grid.window(job)) for job in ordered]
    starts: list[int | None] | None = chain(sums, items, grid.gap, grid.skip)
    assert starts is not None
    placed = {job.key: s for job, s in zip(ordered, starts, strict=True) if s is not None}
    if grid.over_cap([s for k, u in placed.items() for s in grid.steps(jobs[k], u)]):
        kept = [job for job in ordered if job.key in placed] if cheap else ordered
        starts = None
        if fits or not cheap:
            starts = capped_chain(grid, [(job.size, *grid.window(job)) for job in kept],
                                  may_skip=not cheap)
        if starts is not None:
            placed = {job.key: s for job, s in zip(kept, starts, strict=True) if s is not None}
        else:  # the cap leaves no room for all of them in this order: make room by hand
            state = _State(grid, jobs, placed)
            state.repair()
            placed = state.placed
    state = _State(grid, jobs, placed)
    state.fill(ordered)
    return state.placed


def _relax(grid: _Grid, jobs: list[Job]) -> tuple[float | None, dict[str, int] | None]:
    """The relaxation of step 3 in the module's docstring: its value, an upper
    bound (None when not all jobs fit it), and its steps matched to jobs (all
    of them when it is a placement, then an optimal one)."""
    sizes = {job.size for job in jobs}
    size = sizes.pop() if len(sizes) == 1 else 1  # mixed sizes: relax bundles into posts
    lows, highs = [], []
    for job in jobs:
        first, last = grid.window(job)
        for i in range(job.size if sizes else 1):  # post i of the bundle: i gaps later
            lows.append(first + i * grid.gap)
            highs.append(last + i * grid.gap)
    items = [(size, lo, hi) for lo, hi in zip(sorted(lows), sorted(highs), strict=True)]
    sums = grid.sums(size)
    starts = _chain_all({size: grid.array(size)}, items, grid.gap)
    if starts is None:
        return None, None
    if grid.over_cap([s + i * grid.gap for s in starts for i in range(size)]):
        capped = capped_chain(grid, items, may_skip=False)
        if capped is None:
            return None, None
        starts = [s for s in capped if s is not None]  # all of them: no skipping
    bound = sum(sums[s] for s in starts)
    if sizes:  # mixed sizes: the relaxed posts do not make bundles
        return bound, None
    return bound, _match(grid, jobs, sorted(starts))


def _match(grid: _Grid, jobs: list[Job], starts: list[int]) -> dict[str, int]:
    """Jobs to these starts, earliest deadline first among the open jobs (a
    complete matching whenever one exists); starts no open job can take are
    left empty, jobs that miss out are left out."""
    waiting = sorted(jobs, key=lambda j: (grid.window(j)[0], j.key))
    open_jobs: list[tuple[int, str]] = []
    placed, index = {}, 0
    for start in starts:
        while index < len(waiting) and grid.window(waiting[index])[0] <= start:
            heappush(open_jobs, (grid.window(waiting[index])[1], waiting[index].key))
            index += 1
        while open_jobs and open_jobs[0][0] < start:
            heappop(open_jobs)  # its deadline passed: it misses out
        if open_jobs:
            placed[heappop(open_jobs)[1]] = start
    return placed


class _State:
    """A feasible placement being edited: sorted posts, loads per day, and per
    step whether a post keeps it within the gap (``near``) or its day is full."""

    def __init__(self, grid: _Grid, jobs: dict[str, Job], placed: dict[str, int]):
        self.grid = grid
        self.jobs = jobs
        self.placed = dict(placed)
        self.posts = sorted(s for k, u in placed.items() for s in grid.steps(jobs[k], u))
        self.load = grid.loads(jobs, placed)
        self.near = np.zeros(grid.size, dtype=np.int32)  # posts less than a gap away
        for step in self.posts:
            self._mark(step, 1)
        self.full = np.zeros(grid.size, dtype=bool)
        for day, load in self.load.items():
            self._set_full(day, load)

    def _mark(self, step: int, change: int) -> None:
        gap = self.grid.gap
        self.near[max(0, step - gap + 1): step + gap] += change

    def _set_full(self, day: int, load: int) -> None:
        if self.grid.cap is not None and day in self.grid.first:
            self.full[self.grid.first[day]: self.grid.last[day] + 1] = load >= self.grid.cap

    def put(self, job: Job, start: int) -> None:
        self.placed[job.key] = start
        for step in self.grid.steps(job, start):
            insort(self.posts, step)
            self._mark(step, 1)
            day = self.grid.day_of[step]
            self.load[day] = self.load.get(day, 0) + 1
            self._set_full(day, self.load[day])

    def take(self, job: Job) -> int:
        start = self.placed.pop(job.key)
        for step in self.grid.steps(job, start):
            self.posts.remove(step)
            self._mark(step, -1)
            day = self.grid.day_of[step]
            self.load[day] -= 1
            self._set_full(day, self.load[day])
        return start

    def repair(self) -> None:
        """Take the weakest bundles off over-full days, then put them back where they fit."""
        grid, removed = self.grid, []
        cap: float = math.inf if grid.cap is None else grid.cap
        on_day: dict[int, set[str]] = {}  # day -> the bundles with a post on it
        for key, first in self.placed.items():
            for step in grid.steps(self.jobs[key], first):
                on_day.setdefault(grid.day_of[step], set()).add(key)
        # Days over the cap with none of our posts (already full before) are not ours to fix.
        while over := [day for day, load in self.load.items() if load > cap and on_day.get(day)]:
            weakest = min(on_day[min(over)],
                          key=lambda k: (grid.sums(self.jobs[k].size)[self.placed[k]], k))
            for step in grid.steps(self.jobs[weakest], self.placed[weakest]):
                on_day[grid.day_of[step]].discard(weakest)
            self.take(self.jobs[weakest])
            removed.append(self.jobs[weakest])
        for job in removed:
            start = self.best_start(job)
            if start is not None:
                self.put(job, start)

    def fill(self, jobs: list[Job]) -> None:
        """Put each job not yet placed at its best free start, in this order."""
        for job in jobs:
            if job.key not in self.placed:
                start = self.best_start(job)
                if start is not None:
                    self.put(job, start)

    def improve(self) -> bool:
        """Move each job to its best free start; True if any moved."""
        moved = False
        for key in sorted(self.placed, key=lambda k: (self.placed[k], k)):
            job = self.jobs[key]
            old = self.take(job)
            new = self.best_start(job)
            sums = self.grid.sums(job.size)
            if new is None or sums[new] <= sums[old]:
                new = old
            moved |= new != old
            self.put(job, new)
        return moved

    def best_start(self, job: Job) -> int | None:
        """The best start for the job between the posts already placed: the
        highest bundle score (the earliest on ties) among the starts whose
        posts keep the gap from every placed post, on days not yet full."""
        grid = self.grid
        first, last = grid.window(job)
        if last < first:
            return None
        sums = grid.array(job.size)
        values = sums[first: last + 1].copy()
        count = last - first + 1
        for i in range(job.size):  # post i of the bundle, i gaps after the start
            low = first + i * grid.gap
            values[self.near[low: low + count] > 0] = NEG
            values[self.full[low: low + count]] = NEG
        best = int(np.argmax(values))
        if values[best] == NEG:
            return None
        if job.size == 1 or self._fits(job, first + best):
            return first + best
        # Two of the bundle's posts share a day that has room for only one: best first.
        ranked = np.argsort(-values, kind="stable")
        return next((first + int(u) for u in ranked
                     if values[u] > NEG and self._fits(job, first + int(u))), None)

    def _fits(self, job: Job, start: int) -> bool:
        if self.grid.cap is None:
            return True
        extra: dict[int, int] = {}
        for step in self.grid.steps(job, start):
            day = self.grid.day_of[step]
            extra[day] = extra.get(day, 0) + 1
        return all(self.load.get(d, 0) + n <= self.grid.cap for d, n in extra.items())
