"""Learning each account's hours from its own results, and exploring the hours it
is unsure of.

The model, per weekday x hour cell of the audience's local week:

* The **prior** is the audience's profile as people gave it (windows, an
  imported histogram, a grid from ``audiences learn``, or the default): its mean
  weight over the hour, ``m0``.
* Each sent post of the account is an **observation**: its interactions
  relative to the account's mean, times the prior's mean over the hours posted
  (as :func:`publisher.domain.audiences.learn_grid` reads them), so a post that
  did twice our average at an hour says "this hour is worth twice what our
  posting hours are worth on average".
* The **posterior** of a cell is a normal one: the prior counts as ``STRENGTH``
  posts, so ``mean = (STRENGTH * m0 + sum of evidence) / (STRENGTH + n)`` and its
  spread is ``noise / sqrt(STRENGTH + n)``; the noise is the spread of posts
  within a cell, measured from the cells with two posts or more (and a prior
  guess while there are few). Thin data stays near the prior; much data follows
  the results; the spread shrinks as the count ``n`` grows.
* **The other days share evidence**: a post also counts ``DAY_SHARE`` of a post
  for the same hour on the other days of its kind (weekdays, the weekend), as a
  difference from their prior (a quiet Friday stays quieter than a Tuesday).
  An audience's daily rhythm repeats over the week far more than each
  weekday-hour differs, so one post informs five cells instead of one: in
  bench/learning_sim.py it lifts weeks 9-12 by several points. Sharing with the
  hour before and after was tried too and lowered the figures (an hour's
  surprise is not its neighbour's), so it is not done.

Within an hour the prior's own shape is kept (a window may start at 07:30): a
step scores ``prior weight + (posterior mean - prior mean)`` of its hour, never
below the night floor, divided by the profile's largest hour so weights stay
0..1. With no observation that is exactly the prior.

**Exploration** (optimism under uncertainty): a post that explores is placed on
an optimistic score instead of the mean: each hour's posterior mean plus a random
share (0 to 1) of ``OPTIMISM`` spreads, so it goes to an hour that may well be
better than we think, most often one with few posts; as the spreads shrink, the
explorers' hours become the best ones and exploring costs nothing. In
bench/learning_sim.py this lifts weeks 9-12 by about a point over a Thompson draw
(a plain normal draw from each posterior), which too often sent explorers to
hours drawn low or to a wild tail; the random share spreads the explorers over
hours instead of sending them all to the one highest bound. Draws come from a
seeded generator (the plan's start and the account), so a plan is reproducible.
Which posts explore and how many: see :func:`choose_explorers`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from publisher.domain.audiences import NIGHT_FLOOR, Audience, Grid
from publisher.domain.placement import Job, Lane, Placement, place
from publisher.domain.results import Observation
from publisher.i18n import _, ngettext

# Tuned with bench/learning_sim.py (seeds 1-6; see the README's Benchmarks).
STRENGTH = 1.5  # the prior weighs as much as this many posts in its hour
DAY_SHARE = 0.75  # a post's weight as evidence for its hour on the other days of its kind
WORKDAYS, WEEKEND = range(5), range(5, 7)
# The spread of one post's evidence around its hour's true weight, as a share of the
# weights posted at, until the posts themselves say (it counts as PRIOR_NOISE_POSTS).
# Wide: a prior typed by people may well be off by that much, so uncertain hours
# are worth trying.
PRIOR_NOISE = 1.0
PRIOR_NOISE_POSTS = 8
# An explorer scores an hour at its posterior mean plus up to this many spreads: an upper
# confidence bound, with a random share of it so explorers spread over hours.
OPTIMISM = 3.0
HOURS = 24
MINUTE_SAMPLES = range(0, 60, 5)


@dataclass(frozen=True)
class Cell:
    """What is believed about one weekday-hour."""

    prior: float  # the prior's mean weight over the hour
    mean: float  # the posterior mean
    spread: float  # the posterior's standard deviation
    posts: int  # observations at this very hour
    nearby: int  # observations at the same hour on the other days of its kind


def _cell_index(weekday: int, hour: int) -> int:
    return (weekday * HOURS + hour) % (7 * HOURS)


def prior_cells(audience: Audience) -> tuple[list[float], list[float]]:
    """Each hour's mean and largest prior weight (windows may cover part of an hour)."""
    monday = datetime(2024, 1, 1)  # any Monday: only wall-clock fields are read
    means, tops = [], []
    for day in range(7):
        for hour in range(HOURS):
            weights = [audience.weight_local(monday.replace(day=1 + day, hour=hour, minute=m))
                       for m in MINUTE_SAMPLES]
            means.append(sum(weights) / len(weights))
            tops.append(max(weights))
    return means, tops


@dataclass(frozen=True)
class Profile:
    """An account's posterior week: the audience's prior moved by the account's results."""

    audience: Audience
    cells: tuple[Cell, ...]  # 168: Monday 00h, 01h, ..., Sunday 23h (local)
    top: float  # the largest weight before scaling to 0..1
    posts: int

    def cell(self, local: datetime) -> Cell:
        return self.cells[_cell_index(local.weekday(), local.hour)]

    def weight_local(self, local: datetime, shifts: Sequence[float] | None = None) -> float:
        """The weight at a local time: the prior's, moved by its hour's evidence (or by a
        explorer's optimistic draw, ``shifts``)."""
        index = _cell_index(local.weekday(), local.hour)
        cell = self.cells[index]
        shift = cell.mean - cell.prior if shifts is None else shifts[index]
        return max(NIGHT_FLOOR, self.audience.weight_local(local) + shift) / self.top

    def draw(self, rng: random.Random) -> list[float]:
        """One optimistic draw for the explorers: each hour's shift from its prior, at
        its posterior mean plus a random share (0 to 1) of OPTIMISM spreads."""
        return [cell.mean + OPTIMISM * cell.spread * rng.random() - cell.prior
                for cell in self.cells]

    def grid(self) -> Grid:
        """Each hour's posterior mean, 0..1 (for a heat map)."""
        values = [max(NIGHT_FLOOR, cell.mean) / self.top for cell in self.cells]
        return tuple(tuple(round(v, 3) for v in values[d * HOURS:(d + 1) * HOURS])
                     for d in range(7))

    def source(self, local: datetime, *, exploring: bool = False) -> str:
        """Where the weight at this local time comes from, in words."""
        cell = self.cell(local)
        prior = self.audience.activity_local(local).why
        if exploring:
            return ngettext("exploration (few observations: {n} post at this hour)",
                            "exploration (few observations: {n} posts at this hour)",
                            cell.posts).format(n=cell.posts)
        if cell.posts:
            counted = ngettext("results: {n} post at this hour",
                               "results: {n} posts at this hour", cell.posts).format(n=cell.posts)
        elif cell.nearby:
            counted = ngettext("results: {n} post at this hour on other days",
                               "results: {n} posts at this hour on other days",
                               cell.nearby).format(n=cell.nearby)
        else:
            return _("prior ({source})").format(source=prior)
        return _("{results}, blended with the prior {weight:.2f} ({source})").format(
            results=counted, weight=cell.prior, source=prior)


def profile(audience: Audience, observations: Iterable[Observation], *,
            strength: float = STRENGTH, day_share: float = DAY_SHARE) -> Profile:
    """The posterior from the audience's prior and the account's observations."""
    zone = audience.zone
    samples = []
    for seen in observations:
        local = seen.sent_at.astimezone(zone)
        samples.append((_cell_index(local.weekday(), local.hour), max(0.0, seen.value)))
    means, tops = prior_cells(audience)
    return posterior(audience, means, tops, samples, strength, day_share)


def posterior(audience: Audience, means: Sequence[float], tops: Sequence[float],
              samples: Sequence[tuple[int, float]], strength: float = STRENGTH,
              day_share: float = DAY_SHARE, prior_noise: float = PRIOR_NOISE) -> Profile:
    """The posterior from prior means (and largest weights) per cell and (cell, value)
    samples; see the module."""
    count = len(means)
    total = sum(value for _cell, value in samples)
    if not samples or total <= 0:  # nothing relative to learn
        cells = tuple(Cell(m, m, _spread(prior_noise * max(means), strength), 0, 0)
                      for m in means)
        return Profile(audience, cells, max(1.0, max(tops)), len(samples))
    average = total / len(samples)
    scale = sum(means[cell] for cell, _value in samples) / len(samples)
    evidence = [(cell, value / average * scale) for cell, value in samples]
    posts = [0] * count
    nearby = [0] * count
    weight = [0.0] * count
    moved = [0.0] * count  # weighted sum of (evidence - its own hour's prior)
    own: dict[int, list[float]] = {}
    for cell, level in evidence:
        own.setdefault(cell, []).append(level)
        posts[cell] += 1
        for other, share in _sharing(cell, count, day_share):
            if other != cell:
                nearby[other] += 1
            weight[other] += share
            moved[other] += share * (level - means[cell])
    noise = _noise(own.values(), prior_noise * scale)
    cells = tuple(
        Cell(means[c], means[c] + moved[c] / (strength + weight[c]),
             _spread(noise, strength + weight[c]), posts[c], nearby[c])
        for c in range(count))
    top = max(1.0, max(tops[c] + cells[c].mean - means[c] for c in range(count)))
    return Profile(audience, cells, top, len(samples))


def _sharing(cell: int, count: int, day_share: float) -> list[tuple[int, float]]:
    """The cells a post at ``cell`` is evidence for, with its weight in each: itself and
    the same hour on the other days of its kind (weekdays, the weekend)."""
    shared = [(cell, 1.0)]
    if day_share > 0 and count == 7 * HOURS:
        day, hour = divmod(cell, HOURS)
        kind = WEEKEND if day in WEEKEND else WORKDAYS
        shared += [(other * HOURS + hour, day_share) for other in kind if other != day]
    return shared


def _spread(noise: float, count: float) -> float:
    return noise / math.sqrt(count)


def _noise(groups: Iterable[list[float]], guess: float) -> float:
    """The spread of posts around their hour's mean: pooled over hours with two posts
    or more, with the guess counted as PRIOR_NOISE_POSTS posts."""
    squares, freedom = PRIOR_NOISE_POSTS * guess ** 2, PRIOR_NOISE_POSTS
    for levels in groups:
        if len(levels) > 1:
            centre = sum(levels) / len(levels)
            squares += sum((v - centre) ** 2 for v in levels)
            freedom += len(levels) - 1
    return math.sqrt(squares / freedom)


# Exploring


def plan_rng(start: datetime, account: str) -> random.Random:
    """The generator of one lane of one plan: the same plan draws the same numbers."""
    return random.Random(f"{start.isoformat()}|{account}")


def choose_explorers(jobs: Sequence[Job], may_explore: Iterable[str], share: float,
                     rng: random.Random) -> list[str]:
    """Which of one lane's jobs explore: ``share`` of its jobs, rounded down, plus one
    more with the remainder's probability (so a plan of one post explores one time in
    ten at 10 %, and many plans explore the share on average); only among
    ``may_explore`` (no deadline, not urgent), never more of them than there are."""
    allowed = sorted(set(may_explore) & {job.key for job in jobs})
    if share <= 0 or not allowed:
        return []
    wanted = math.floor(share * len(jobs) + rng.random())
    return sorted(rng.sample(allowed, min(wanted, len(allowed))))


def place_exploring(lanes: Sequence[Lane], drawn: Mapping[str, Sequence[float]],
                    jobs: Sequence[Job], explorers: Iterable[str]) -> tuple[Placement, set[str]]:
    """Place the exploring jobs first on their lane's drawn scores (``drawn``: account ->
    scores), then every other job on the lanes' own scores with the explorers' steps
    taken. Returns the placement and the keys that explored. If exploring would leave
    out a job that fits without it, nothing explores."""
    chosen = set(explorers)
    plain = None
    if chosen:
        first = place([replace(lane, scores=drawn[lane.account]) for lane in lanes
                       if lane.account in drawn], [job for job in jobs if job.key in chosen])
        taken: dict[str, list[int]] = {}
        by_key = {job.key: job for job in jobs}
        for key, steps in first.starts.items():
            taken.setdefault(by_key[key].account, []).extend(steps)
        rest = [job for job in jobs if job.key not in first.starts]
        second = place([replace(lane, busy=(*lane.busy, *taken.get(lane.account, ())))
                        for lane in lanes], rest)
        if second.unplaced:
            plain = place(lanes, jobs)
        if plain is None or len(plain.unplaced) >= len(second.unplaced):
            starts = {**first.starts, **second.starts}
            return Placement(starts, second.unplaced, _score(lanes, jobs, starts)), \
                set(first.starts)
    if plain is None:
        plain = place(lanes, jobs)
    return plain, set()


def _score(lanes: Sequence[Lane], jobs: Sequence[Job],
           starts: dict[str, list[int]]) -> float:
    scores = {lane.account: lane.scores for lane in lanes}
    account = {job.key: job.account for job in jobs}
    return sum(scores[account[key]][step] for key, steps in starts.items() for step in steps)
