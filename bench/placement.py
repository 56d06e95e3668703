"""How good and how fast is the placement of many posts at once?

    python bench/placement.py [--posts 500] [--days 30] [--accounts 10] [--seed 1]
                              [--repeat 1] [--no-exact]

Makes a seeded instance (5-minute steps; accounts with audiences in Kosovo,
Germany and the US, minimum gaps of 60-240 minutes, daily caps on some,
deadlines on most posts, embargoes on some, a few blackout days) and places
it three ways, printing the summed score, its share of the optimum, the
number of posts placed and the wall time:

- ours: publisher.domain.placement.place (dynamic programming per account),
  with the upper bound it proves itself (no solver needed); with --repeat N
  it is timed N times (best and median: a shared machine is noisy);
- greedy: first come, first served, each post taking its best free step;
- exact: the optimum, from a linear program solved by HiGHS (scipy). For
  posts of one step each whose score depends only on the step, every
  constraint (at most one post in any gap-long span, at most the cap in a
  day, at least as many posts in [a, b] as there are posts whose window lies
  inside [a, b] -- Hall's condition for matching posts to steps -- and the
  total) is a row of consecutive ones over the time-ordered steps, so the
  matrix is totally unimodular and the LP's vertex optimum is integral.

Bundles (one draft's locale versions placed gap-spaced together) are kept
out of this comparison: the LP above is exact only for single posts, and a
MILP over (bundle, start) pairs is too large at this size; the tests compare
bundles against brute force on small instances instead.

Needs scipy for the exact column (pip install 'scipy>=1.11'); without it
that column is skipped.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from publisher.domain.audiences import default_audience
from publisher.domain.placement import Job, Lane, place, place_greedy

STEP = timedelta(minutes=5)
ZONES = ("Europe/Belgrade", "Europe/Berlin", "Europe/Zurich", "America/New_York")


def make_instance(posts: int, days: int, accounts: int, seed: int):
    rng = random.Random(seed)
    start = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    steps = days * 24 * 12
    lanes = []
    for number in range(accounts):
        zone = ZoneInfo(ZONES[number % len(ZONES)])
        audience = default_audience(f"a{number}", zone.key)
        blackout = {rng.randrange(days) for _ in range(rng.randint(0, 2))}
        scores, day_of = [], []
        first_day = (start.astimezone(zone)).date().toordinal()
        for step in range(steps):
            local = (start + step * STEP).astimezone(zone)
            day = local.date().toordinal()
            day_of.append(day)
            weight = audience.weight_local(local)
            # Audiences differ a little from the default profile.
            weight = min(1.0, weight * (0.85 + 0.3 * ((local.hour * 7 + number) % 5) / 4))
            scores.append(math.nan if day - first_day in blackout else weight)
        gap = rng.choice((12, 18, 24, 36, 48))
        cap = rng.choice((None, None, 3, 4))
        lanes.append(Lane(f"acc{number}", scores, gap, day_of, cap))
    jobs = []
    for number in range(posts):
        lane = lanes[number % accounts]
        earliest = 0
        if rng.random() < 0.2:
            earliest = rng.randrange(steps // 2)
        latest = None
        if rng.random() < 0.6:
            latest = min(steps - 1, earliest + rng.randint(2 * 288, 12 * 288))
        jobs.append(Job(f"p{number}", lane.account, 1, earliest, latest))
    return lanes, jobs


class _Rows:
    """Sparse rows of the LP: each a set of steps, a sign and a bound."""

    def __init__(self, column: dict[int, int]):
        self.column = column
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.values: list[float] = []
        self.upper: list[float] = []
        self.count = 0

    def add(self, members, bound: float, sign: float = 1.0) -> None:
        members = [self.column[t] for t in members if t in self.column]
        if not members:
            return
        self.rows.extend([self.count] * len(members))
        self.cols.extend(members)
        self.values.extend([sign] * len(members))
        self.upper.append(bound)
        self.count += 1


def exact(lanes: list[Lane], jobs: list[Job]) -> tuple[float, float, int, set[str]] | None:
    """(optimum, largest fractional part, posts placed, accounts solved); a lane
    where not every post fits is left out (the LP places all of a lane's posts)."""
    try:
        import numpy as np
        from scipy.optimize import linprog
        from scipy.sparse import csr_matrix
    except ImportError:
        return None
    total, worst_fraction, placed, solved = 0.0, 0.0, 0, set()
    for lane in lanes:
        mine = [job for job in jobs if job.account == lane.account]
        size = len(lane.scores)
        allowed = [t for t in range(size) if not math.isnan(lane.scores[t])]
        column = {t: i for i, t in enumerate(allowed)}
        rows = _Rows(column)
        add_row = rows.add
        for t in range(size):  # at most one post in any gap-long span
            add_row(range(t, min(size, t + lane.gap)), 1.0)
        if lane.max_per_day:
            for day in sorted(set(lane.day_of)):
                add_row([t for t in range(size) if lane.day_of[t] == day], lane.max_per_day)
        starts = sorted({job.earliest for job in mine})
        ends = sorted({size - 1 if job.latest is None else job.latest for job in mine})
        for a in starts:  # Hall: -(points in [a, b]) <= -(posts whose window is inside)
            for b in ends:
                if b < a:
                    continue
                inside = sum(1 for job in mine if job.earliest >= a
                             and (size - 1 if job.latest is None else job.latest) <= b)
                if inside:
                    add_row(range(a, b + 1), -float(inside), -1.0)
        matrix = csr_matrix((rows.values, (rows.rows, rows.cols)),
                            shape=(rows.count, len(allowed)))
        cost = -np.array([lane.scores[t] for t in allowed])
        result = linprog(cost, A_ub=matrix, b_ub=np.array(rows.upper),
                         A_eq=np.ones((1, len(allowed))), b_eq=[len(mine)],
                         bounds=(0, 1), method="highs-ds")
        if result.status != 0:
            print(f"  exact: not every post fits on {lane.account}; "
                  "that lane is left out of the comparison")
            continue
        solved.add(lane.account)
        total += -result.fun
        placed += len(mine)
        fractions = np.minimum(result.x, 1 - result.x)
        worst_fraction = max(worst_fraction, float(fractions.max()))
    return total, worst_fraction, placed, solved


def _on(lanes: list[Lane], jobs: list[Job], placement, accounts: set[str]) -> tuple[float, int]:
    """Score and number placed on these accounts only."""
    account_of = {job.key: job.account for job in jobs}
    scores = {lane.account: lane.scores for lane in lanes}
    mine = [(key, steps) for key, steps in placement.starts.items()
            if account_of[key] in accounts]
    return (sum(scores[account_of[key]][s] for key, steps in mine for s in steps), len(mine))


def run(args: argparse.Namespace) -> None:
    lanes, jobs = make_instance(args.posts, args.days, args.accounts, args.seed)
    print(f"{args.posts} posts, {args.days} days of 5-minute steps, {args.accounts} accounts, "
          f"seed {args.seed}")
    times = []
    for _run in range(max(1, args.repeat)):
        began = time.perf_counter()
        ours = place(lanes, jobs)
        times.append(time.perf_counter() - began)
    ours_time = min(times)
    began = time.perf_counter()
    greedy = place_greedy(lanes, jobs)
    greedy_time = time.perf_counter() - began
    began = time.perf_counter()
    optimum = None if args.no_exact else exact(lanes, jobs)
    exact_time = time.perf_counter() - began
    best = optimum[0] if optimum else None
    accounts = optimum[3] if optimum else {lane.account for lane in lanes}
    compared = [job for job in jobs if job.account in accounts]

    def line(name: str, placement, seconds: float) -> None:
        score, placed = _on(lanes, jobs, placement, accounts)
        share = f"{100 * score / best:7.3f}%" if best else "      -"
        print(f"  {name:<7} score {score:9.3f}  {share} of the optimum  "
              f"placed {placed:4d}/{len(compared)}  {seconds:7.3f} s")

    line("ours", ours, ours_time)
    if len(times) > 1:
        print(f"  ours    {len(times)} runs: best {min(times):.3f} s, "
              f"median {statistics.median(times):.3f} s")
    if ours.bound is not None:
        print(f"  ours    proven upper bound {ours.bound:9.3f} (ours is within "
              f"{100 * (1 - ours.score / ours.bound):.3f}% of it, without any solver)")
    line("greedy", greedy, greedy_time)
    if optimum:
        print(f"  exact   score {optimum[0]:9.3f}  100.000% of the optimum  "
              f"placed {optimum[2]:4d}/{len(compared)}  {exact_time:7.3f} s")
        print(f"  exact LP solution's largest fractional part: {optimum[1]:.2e} "
              "(0: integral, as total unimodularity promises)")
    elif not args.no_exact:
        print("  exact: scipy is not installed (pip install 'scipy>=1.11')")
    if len(compared) < len(jobs):
        print(f"  (all placed on any lane: ours {len(ours.starts)}/{len(jobs)}, "
              f"greedy {len(greedy.starts)}/{len(jobs)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="time ours this many times")
    parser.add_argument("--no-exact", action="store_true", help="skip the LP optimum")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
