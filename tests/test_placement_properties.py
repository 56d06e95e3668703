"""Hypothesis cases for the placement solver: random lanes (caps, busy and
forbidden steps, bundles, nested windows) against brute force when small,
and against a plain reference dynamic programme when medium-sized."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.domain.placement import Job, Lane, place, place_greedy
from tests.test_placement import assert_feasible, brute_force


@st.composite
def small_lanes(draw) -> tuple[Lane, list[Job]]:
    size = draw(st.integers(4, 11))
    scores = draw(st.lists(st.sampled_from([0.0, 0.1, 0.2, 0.5, 0.9, 1.0, math.nan]),
                           min_size=size, max_size=size))
    per_day = draw(st.integers(2, 5))
    days = [t // per_day for t in range(size)]
    busy = draw(st.lists(st.integers(-2, size + 1), max_size=1))
    cap = draw(st.sampled_from([None, 1, 2]))
    load = {0: 1} if cap and draw(st.booleans()) else {}
    lane = Lane("a", scores, draw(st.integers(0, 3)), days, cap, tuple(busy), load)
    jobs = []
    for n in range(draw(st.integers(1, 4))):
        earliest = draw(st.integers(0, size - 1))
        latest = draw(st.one_of(st.none(), st.integers(earliest, size - 1)))
        jobs.append(Job(f"j{n}", "a", draw(st.sampled_from([1, 1, 2])), earliest, latest))
    return lane, jobs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_lanes())
def test_small_lanes_are_feasible_and_a_proven_bound_is_the_optimum(case) -> None:
    lane, jobs = case
    result = place([lane], jobs)
    assert_feasible(lane, jobs, result)
    count, value = brute_force(lane, jobs)
    assert len(result.starts) <= count
    if result.bound is not None:
        assert value <= result.bound + 1e-9  # the bound holds for every placement
        if result.score >= result.bound - 1e-5:  # "proven" means optimal
            assert (len(result.starts), result.score) == (count, _near(value, result.score))
    assert_feasible(lane, jobs, place_greedy([lane], jobs))


def _near(value: float, score: float) -> float:
    assert math.isclose(value, score, abs_tol=1e-5)
    return score


def reference(scores: list[float], gap: int, windows: list[tuple[int, int]]) -> tuple[int, float]:
    """(most placed, best score) for single posts in this time order, uncapped:
    the textbook table of (placed, score) pairs filled step by step."""
    previous = [(0, 0.0)] * len(scores)  # no post yet
    for low, high in windows:
        table: list[tuple[int, float]] = []
        for t, score in enumerate(scores):
            options = [previous[t]]  # this post left out
            if t:
                options.append(table[-1])
            if low <= t <= high and score >= 0:
                # Before the grid: every earlier post left out.
                count, total = previous[t - gap] if t >= gap else (0, 0.0)
                options.append((count + 1, total + score))
            table.append(max(options))
        previous = table
    return previous[-1]


@st.composite
def medium_agreeable_lanes(draw) -> tuple[Lane, list[Job]]:
    size = draw(st.integers(30, 240))
    base = draw(st.lists(st.sampled_from([0.0, 0.05, 0.3, 0.6, 0.9, 1.0, math.nan]),
                         min_size=24, max_size=24))
    decay = draw(st.sampled_from([0.0, 0.01, 0.05]))  # a freshness factor: not periodic
    scores = [base[t % 24] * 0.5 ** (decay * t) for t in range(size)]
    count = draw(st.integers(1, 25))
    earliest = sorted(draw(st.lists(st.integers(0, size - 1), min_size=count, max_size=count)))
    spans = draw(st.lists(st.integers(0, size), min_size=count, max_size=count))
    latest = sorted(min(size - 1, e + s) for e, s in zip(earliest, spans, strict=True))
    latest = [max(e, lt) for e, lt in zip(earliest, latest, strict=True)]
    latest = [max(latest[: n + 1]) for n in range(count)]  # still sorted after raising
    gap = draw(st.integers(1, 12))
    lane = Lane("a", scores, gap, [t // 24 for t in range(size)])
    jobs = [Job(f"j{n}", "a", 1, e, lt) for n, (e, lt) in enumerate(zip(earliest, latest,
                                                                       strict=True))]
    return lane, jobs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(medium_agreeable_lanes())
def test_medium_agreeable_lanes_match_the_textbook_dynamic_programme(case) -> None:
    # Embargoes and deadlines in the same order: the deadline order is optimal
    # (module docstring, step 2), so the plain DP in that order is the optimum.
    lane, jobs = case
    result = place([lane], jobs)
    assert_feasible(lane, jobs, result)
    count, value = reference(list(lane.scores), lane.gap,
                             [(j.earliest, j.latest) for j in jobs])  # type: ignore[misc]
    assert len(result.starts) == count
    assert math.isclose(result.score, value, abs_tol=1e-6)
    if result.bound is not None:
        assert result.score >= result.bound - 2e-6  # proven optimal when all fit
