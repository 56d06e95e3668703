"""Does learning from results (with exploration) find each audience's real hours?

    python bench/learning_sim.py [--seed 1] [--audiences 4] [--weeks 12] [--explore 0.1]

A few audiences, each with a hidden true weekday x hour curve that differs from
the prior the account is given (its windows): every hour's truth is the prior's
times random noise (log-normal, sd 0.35), some prior peaks are duds (half their
weight), and a few surprise hours that the prior rates low are really among the
best (each: the evening one hour after a window ends, on weekdays, and a few
single weekday-hours at random). Each week 21 posts (3 a day: a cap of 3 per
day, no deadline) are placed on an hourly grid with the domain's own code
(publisher.domain.placement.place and publisher.domain.learning: the model,
the explorers' choice, the Thompson draw and the two-pass placement); each
post's engagement is drawn (seeded) from the truth at its hour (a gamma
distribution around it, coefficient of variation 0.5), and the strategies that
learn read it back as an observation before the next week.

Printed: the share of the oracle's engagement (the oracle places on the truth
itself) per week and over weeks 9-12, for the static prior, learning without
exploring, and ours (learning + exploring). The shares are of the expected
engagement (the truth at the placed hours: the drawn noise would only blur
the comparison); "drawn" repeats weeks 9-12 with the engagement as drawn.
Freshness is left out (no half-life): it trades engagement for earliness on
purpose, which is not what this measures.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from publisher.domain.audiences import Audience, Window
from publisher.domain.learning import (
    choose_explorers,
    place_exploring,
    plan_rng,
    posterior,
    prior_cells,
)
from publisher.domain.placement import Job, Lane, place

HOURS = 7 * 24
POSTS_PER_DAY = 3
WEEKDAYS = frozenset(range(5))


def _priors() -> list[Audience]:
    """Four kinds of prior a team would type."""
    def w(days, start, end, weight, name=""):
        return Window(frozenset(days), start * 60, end * 60, weight, name)

    return [
        Audience("kosovo", "Europe/Belgrade", (
            w(WEEKDAYS, 8, 10, 0.8, "morning"), w(WEEKDAYS, 12, 14, 0.6, "lunch"),
            w(WEEKDAYS, 18, 21, 1.0, "evening"), w({5}, 10, 21, 0.6), w({6}, 10, 20, 0.4))),
        Audience("diaspora-de", "Europe/Berlin", (
            w(WEEKDAYS, 7, 9, 0.7), w(WEEKDAYS, 19, 22, 1.0), w({5, 6}, 11, 20, 0.8))),
        Audience("diaspora-us", "America/New_York", (
            w(range(7), 9, 11, 0.6), w(range(7), 17, 20, 1.0))),
        Audience("press", "Europe/Brussels", (
            w(WEEKDAYS, 9, 12, 1.0), w(WEEKDAYS, 14, 17, 0.7))),
    ]


def _kind(cell: int) -> int:
    return 1 if cell // 24 >= 5 else 0  # weekend, weekday


def _truth(prior: list[float], rng: random.Random) -> tuple[list[float], list[int]]:
    """The hidden curve: the prior with noise (mostly per hour of the day, as a daily
    rhythm that differs from the one typed; a little per weekday-hour), duds and
    surprises."""
    hour_effect = {(k, h): rng.lognormvariate(0.0, 0.3) for k in (0, 1) for h in range(24)}
    truth = [max(0.02, p) * hour_effect[_kind(c), c % 24] * rng.lognormvariate(0.0, 0.15)
             for c, p in enumerate(prior)]
    top = max(prior)
    hours = {(k, h): max(prior[c] for c in range(HOURS) if _kind(c) == k and c % 24 == h)
             for k in (0, 1) for h in range(24)}
    peaks = sorted((key for key, p in hours.items() if p >= 0.7 * top), key=lambda key: key)
    moderate = sorted(key for key, p in hours.items() if 0.2 * top <= p <= 0.75 * top)
    duds = rng.sample(peaks, min(2, len(peaks)))  # hours the prior rates high that are not
    # hours it rates middling that are the best:
    surprises = rng.sample(moderate, min(2, len(moderate)))
    for cell in range(HOURS):
        key = (_kind(cell), cell % 24)
        if key in duds:
            truth[cell] *= 0.5
        if key in surprises:
            truth[cell] = top * rng.uniform(1.05, 1.3)
    middling = [c for c in range(HOURS) if 0.2 * top <= prior[c] <= 0.75 * top]
    single = rng.sample(middling, min(3, len(middling)))
    for cell in single:  # and a few single weekday-hours
        truth[cell] = top * rng.uniform(1.05, 1.3)
    marked = [c for c in range(HOURS) if (_kind(c), c % 24) in surprises] + single
    return truth, sorted(set(marked))


def _lane(name: str, scores: list[float]) -> Lane:
    return Lane(name, scores, 1, [c // 24 for c in range(HOURS)], POSTS_PER_DAY)


def _jobs(name: str, week: int) -> list[Job]:
    return [Job(f"w{week}-{n}", name) for n in range(POSTS_PER_DAY * 7)]


def _cells(placement) -> list[int]:
    return [step for steps in placement.starts.values() for step in steps]


def simulate(audience: Audience, seed: int, weeks: int, explore: float,
             strength: float, day_share: float) -> dict[str, list[tuple[float, float]]]:
    """Per strategy, per week: (expected, drawn) engagement."""
    means, tops = prior_cells(audience)
    rng = random.Random(f"{seed}|{audience.name}")
    truth, _surprises = _truth(means, rng)
    name = f"{audience.name}-{seed}"
    monday = datetime(2026, 1, 5, tzinfo=UTC)
    seen: dict[str, list[tuple[int, float]]] = {"learn": [], "ours": []}
    results: dict[str, list[tuple[float, float]]] = {
        k: [] for k in ("oracle", "static", "learn", "ours")}
    draw = random.Random(f"engagement|{seed}|{audience.name}")
    for week in range(weeks):
        jobs = _jobs(name, week)
        placed: dict[str, list[int]] = {
            "oracle": _cells(place([_lane(name, truth)], jobs)),
            "static": _cells(place([_lane(name, means)], jobs)),
        }
        for strategy in ("learn", "ours"):
            profile = posterior(audience, means, tops, seen[strategy], strength, day_share)
            scores = [c.mean for c in profile.cells]
            explorers: list[str] = []
            drawn: dict[str, list[float]] = {}
            if strategy == "ours":
                plan = plan_rng(monday + timedelta(weeks=week), name)
                explorers = choose_explorers(jobs, [j.key for j in jobs], explore, plan)
                shifts = profile.draw(plan)
                drawn[name] = [max(0.001, m + s) for m, s in zip(means, shifts, strict=True)]
            placement, _explored = place_exploring(
                [_lane(name, [max(0.001, s) for s in scores])], drawn, jobs, explorers)
            placed[strategy] = _cells(placement)
        for strategy, cells in placed.items():
            values = [draw.gammavariate(4.0, truth[c] / 4.0) for c in cells]
            if strategy in seen:
                seen[strategy] += list(zip(cells, values, strict=True))
            results[strategy].append((sum(truth[c] for c in cells), sum(values)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--audiences", type=int, default=4)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--explore", type=float, default=0.1)
    parser.add_argument("--strength", type=float, default=None,
                        help="the prior's pseudo-count (default: the model's)")
    parser.add_argument("--day-share", type=float, default=None)
    args = parser.parse_args()
    from publisher.domain import learning

    strength = learning.STRENGTH if args.strength is None else args.strength
    day_share = learning.DAY_SHARE if args.day_share is None else args.day_share
    began = time.perf_counter()
    audiences = _priors()[: args.audiences]
    totals: dict[str, list[tuple[float, float]]] = {}
    for audience in audiences:
        for strategy, weeks in simulate(audience, args.seed, args.weeks, args.explore,
                                        strength, day_share).items():
            if strategy not in totals:
                totals[strategy] = [(0.0, 0.0)] * args.weeks
            totals[strategy] = [(a + x, b + y) for (a, b), (x, y)
                                in zip(totals[strategy], weeks, strict=True)]
    oracle = totals["oracle"]
    print(f"seed {args.seed}, {len(audiences)} audiences, {args.weeks} weeks, "
          f"explore {args.explore}, strength {strength}, day share {day_share}")
    print("week  " + "  ".join(f"{w + 1:>5}" for w in range(args.weeks)))
    late = slice(8, 12)
    for strategy in ("static", "learn", "ours"):
        weekly = [s[0] / o[0] for s, o in zip(totals[strategy], oracle, strict=True)]
        expected = sum(s[0] for s in totals[strategy][late]) / sum(o[0] for o in oracle[late])
        drawn = sum(s[1] for s in totals[strategy][late]) / sum(o[1] for o in oracle[late])
        print(f"{strategy:<6}" + "  ".join(f"{100 * v:5.1f}" for v in weekly)
              + f"   weeks 9-12: {100 * expected:5.1f} % (drawn {100 * drawn:5.1f} %)")
    print(f"({time.perf_counter() - began:.1f} s)")


if __name__ == "__main__":
    main()
