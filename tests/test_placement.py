"""The placement solver: constraints, ties, and optimality against brute force."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from publisher.domain.placement import Job, Lane, place, place_greedy


def lane(scores, gap=1, cap=None, busy=(), days=None, load=None) -> Lane:
    day_of = days or [0] * len(scores)
    return Lane("a", list(scores), gap, day_of, cap, tuple(busy), dict(load or {}))


def used_steps(placement) -> list[int]:
    return sorted(s for steps in placement.starts.values() for s in steps)


def brute_force(the_lane: Lane, jobs: list[Job]) -> tuple[int, float]:
    """(most jobs placed, best score) over every choice of start (or none) per job."""
    size, gap = len(the_lane.scores), max(1, the_lane.gap)
    allowed = [not (s < 0 or math.isnan(s)) for s in the_lane.scores]
    on_grid = [b for b in the_lane.busy if 0 <= b < size]
    best = (0, 0.0)

    def cap_ok(steps: list[int]) -> bool:
        if the_lane.max_per_day is None:
            return True
        load = dict(the_lane.day_load)
        for step in [*on_grid, *steps]:
            day = the_lane.day_of[step]
            load[day] = load.get(day, 0) + 1
        return all(load[the_lane.day_of[s]] <= the_lane.max_per_day for s in steps)

    def search(index: int, taken: list[int], count: int, score: float) -> None:
        nonlocal best
        if index == len(jobs):
            best = max(best, (count, round(score, 9)))
            return
        search(index + 1, taken, count, score)
        job = jobs[index]
        last = size - 1 if job.latest is None else min(job.latest, size - 1)
        for start in range(max(0, job.earliest), size):
            steps = [start + i * gap for i in range(job.size)]
            if steps[-1] > last:
                break
            if not all(allowed[s] for s in steps):
                continue
            if any(abs(s - t) < gap for s in steps for t in [*taken, *the_lane.busy]):
                continue
            if cap_ok([*taken, *steps]):
                search(index + 1, taken + steps, count + 1,
                       score + sum(the_lane.scores[s] for s in steps))

    search(0, [], 0, 0.0)
    return best


def assert_feasible(the_lane: Lane, jobs: list[Job], result) -> None:
    gap = max(1, the_lane.gap)
    steps = used_steps(result)
    assert all(b - a >= gap for a, b in itertools.pairwise(steps))
    assert all(abs(s - b) >= gap for s in steps for b in the_lane.busy)
    assert all(the_lane.scores[s] >= 0 for s in steps)  # nan compares false
    for job in jobs:
        if job.key in result.starts:
            mine = result.starts[job.key]
            assert mine == [mine[0] + i * gap for i in range(job.size)]
            assert mine[0] >= job.earliest
            assert job.latest is None or mine[-1] <= job.latest
    if the_lane.max_per_day is not None:
        load = dict(the_lane.day_load)
        for step in [*(b for b in the_lane.busy if 0 <= b < len(the_lane.scores)), *steps]:
            load[the_lane.day_of[step]] = load.get(the_lane.day_of[step], 0) + 1
        assert all(load[the_lane.day_of[s]] <= the_lane.max_per_day for s in steps)
    assert len(result.starts) + len(result.unplaced) == len(jobs)
    assert result.score == pytest.approx(sum(the_lane.scores[s] for s in steps))


# The constraints, one by one


def test_best_steps_keep_the_gap_and_ties_go_early() -> None:
    scores = [0.1, 0.9, 0.9, 0.2, 0.9, 0.1]
    result = place([lane(scores, gap=2)], [Job("x", "a"), Job("y", "a")])
    assert used_steps(result) == [1, 4]  # [2, 4] scores the same but goes out later
    assert result.score == pytest.approx(1.8)


def test_equal_scores_everywhere_give_the_earliest_steps_every_time() -> None:
    jobs = [Job(f"j{n}", "a") for n in range(4)]
    first = place([lane([0.5] * 20, gap=3)], jobs)
    assert used_steps(first) == [0, 3, 6, 9]
    again = place([lane([0.5] * 20, gap=3)], jobs)
    assert again.starts == first.starts


def test_busy_steps_and_forbidden_steps_are_avoided() -> None:
    scores = [0.5, 1.0, 1.0, math.nan, 0.8, 0.3]
    result = place([lane(scores, gap=2, busy=[2])], [Job("x", "a")])
    assert result.starts["x"] == [4]  # 1 and 3 are within the gap of 2; 3 is forbidden anyway
    early = place([lane(scores, gap=3, busy=[-1])], [Job("x", "a")])
    assert early.starts["x"] == [2]  # a post just before the grid still keeps the gap
    negative = place([lane([0.2, -1.0, 0.1])], [Job("x", "a")])
    assert negative.starts["x"] == [0]


def test_a_gap_of_zero_still_means_distinct_steps() -> None:
    result = place([lane([1.0, 0.2, 0.1], gap=0)], [Job("x", "a"), Job("y", "a")])
    assert used_steps(result) == [0, 1]


def test_bundles_are_consecutive_and_gap_spaced() -> None:
    scores = [0.1, 1.0, 0.1, 1.0, 0.1, 1.0, 0.1]
    result = place([lane(scores, gap=2)], [Job("draft", "a", size=3)])
    assert result.starts["draft"] == [1, 3, 5]


def test_embargo_and_deadline() -> None:
    scores = [1.0, 0.2, 0.3, 0.9, 0.1]
    result = place([lane(scores)], [Job("x", "a", earliest=1, latest=2)])
    assert result.starts["x"] == [2]


def test_daily_cap_counts_busy_posts_and_the_day_load() -> None:
    scores = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    days = [0, 0, 0, 1, 1, 1]
    jobs = [Job("x", "a"), Job("y", "a"), Job("z", "a")]
    result = place([lane(scores, cap=2, busy=(0,), days=days)], jobs)
    assert [days[s] for s in used_steps(result)] == [0, 1, 1]  # busy step 0 already counts
    loaded = place([lane(scores, cap=2, days=days, load={0: 2})], jobs[:2])
    assert [days[s] for s in used_steps(loaded)] == [1, 1]  # day 0 is already full


def test_a_bundle_crossing_midnight_counts_for_both_days() -> None:
    scores = [0.1, 0.9, 1.0, 0.8, 0.2]
    days = [0, 0, 0, 1, 1]
    result = place([lane(scores, cap=1, days=days)], [Job("x", "a", size=2)])
    assert result.starts["x"] == [2, 3]  # [1, 2] scores 1.9 but puts two posts on day 0
    assert result.score == pytest.approx(1.8)
    uncapped = place([lane(scores, days=days)], [Job("x", "a", size=2)])
    assert uncapped.starts["x"] == [1, 2]


def test_infeasible_jobs_are_reported_and_the_others_still_placed() -> None:
    result = place([lane([1.0, 1.0, 1.0], gap=5)],
                   [Job("x", "a", latest=2), Job("y", "a", latest=2)])
    assert len(result.starts) == 1 and len(result.unplaced) == 1
    assert "deadline" in next(iter(result.unplaced.values()))
    assert result.bound is None  # no bound is promised when not everything fits
    nowhere = place([lane([math.nan] * 4)], [Job("z", "a")])
    assert "horizon" in nowhere.unplaced["z"]
    stranger = place([lane([1.0])], [Job("w", "elsewhere")])
    assert "elsewhere" in stranger.unplaced["w"]


def test_a_job_without_posts_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        place([lane([1.0])], [Job("x", "a", size=0)])


def test_lanes_are_solved_independently() -> None:
    lanes = [Lane("a", [0.1, 1.0], 1, [0, 0]), Lane("b", [1.0, 0.1], 1, [0, 0])]
    result = place(lanes, [Job("x", "a"), Job("y", "b")])
    assert result.starts == {"x": [1], "y": [0]}
    assert result.score == pytest.approx(2.0)


# Better than first come, first served


def test_first_come_first_served_misses_a_deadline_that_the_optimum_meets() -> None:
    # Step 1 is the best step and the only one before the urgent post's deadline.
    scores = [0.0, 1.0, 0.2, 0.9, 0.9]
    jobs = [Job("routine", "a"), Job("urgent", "a", latest=1)]
    greedy = place_greedy([lane(scores, gap=2)], jobs)
    assert greedy.starts["routine"] == [1] and "urgent" in greedy.unplaced
    best = place([lane(scores, gap=2)], jobs)
    assert not best.unplaced
    assert best.starts["urgent"] == [1] and best.starts["routine"] == [3]


def test_a_nested_embargo_does_not_push_the_long_window_behind_it() -> None:
    # The deadline order puts the embargoed post first and the open one after
    # it, away from step 1; the optimum puts the open one at step 1.
    scores = [0.0, 1.0, 0.0, 0.0, 0.0, 0.6, 0.5, 0.0, 0.2, 0.1]
    jobs = [Job("open", "a", latest=9), Job("embargoed", "a", earliest=5, latest=6)]
    result = place([lane(scores, gap=2)], jobs)
    assert result.starts == {"open": [1], "embargoed": [5]}
    assert result.bound == pytest.approx(result.score, abs=1e-5)  # proven optimal


# Optimality against brute force on small random lanes


def random_instance(seed: int, *, nested: bool, mixed: bool) -> tuple[Lane, list[Job]]:
    rng = random.Random(seed)
    size = rng.randint(6, 11)
    scores = [round(rng.random(), 2) for _ in range(size)]
    for _ in range(rng.randint(0, 2)):
        scores[rng.randrange(size)] = math.nan
    per_day = rng.choice([3, 4])
    days = [t // per_day for t in range(size)]
    busy = tuple(rng.sample(range(-1, size + 1), rng.randint(0, 1)))
    the_lane = lane(scores, rng.randint(1, 3), rng.choice([None, 1, 2]), busy, days)
    count = rng.randint(1, 4)
    sizes = [rng.choice([1, 1, 2]) for _ in range(count)] if mixed else [rng.choice([1, 2])] * count
    if nested:
        windows = []
        for _ in range(count):
            earliest = rng.choice([0, 0, rng.randrange(size)])
            deadline = min(size - 1, earliest + rng.randint(1, 6))
            windows.append((earliest, rng.choice([None, deadline])))
    else:  # agreeable: embargoes and deadlines in the same order
        earliest = sorted(rng.choice([0, 0, 1, 2]) for _ in range(count))
        latest = sorted(rng.choice([size - 1, min(size - 1, e + 4)]) for e in earliest)
        windows = list(zip(earliest, latest, strict=True))
    jobs = [Job(f"j{n}", "a", s, e, lt)
            for n, (s, (e, lt)) in enumerate(zip(sizes, windows, strict=True))]
    return the_lane, jobs


@pytest.mark.parametrize("seed", range(150))
def test_agreeable_windows_are_solved_exactly(seed: int) -> None:
    # The proven case (module docstring, step 2), with caps, busy steps,
    # forbidden steps and equal-sized bundles.
    the_lane, jobs = random_instance(seed, nested=False, mixed=False)
    result = place([the_lane], jobs)
    assert_feasible(the_lane, jobs, result)
    count, value = brute_force(the_lane, jobs)
    assert len(result.starts) == count
    assert result.score == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("seed", range(300))
def test_any_windows_stay_feasible_under_a_true_bound(seed: int) -> None:
    the_lane, jobs = random_instance(seed, nested=True, mixed=True)
    result = place([the_lane], jobs)
    assert_feasible(the_lane, jobs, result)
    count, value = brute_force(the_lane, jobs)
    assert len(result.starts) <= count
    if result.bound is not None:
        assert value <= result.bound + 1e-9  # the bound holds for every placement
        if result.score >= result.bound - 1e-5:
            assert result.score == pytest.approx(value, abs=1e-5)  # "proven" means optimal
    greedy = place_greedy([the_lane], jobs)
    assert_feasible(the_lane, jobs, greedy)


def test_on_small_lanes_the_optimiser_almost_always_finds_the_optimum() -> None:
    # Nested windows and mixed bundle sizes are where no order is provably
    # right; the relaxation, several orders and the local moves close the gap
    # on nearly all of them. Counted, so a regression shows.
    misses = count_misses = 0
    for seed in range(300):
        the_lane, jobs = random_instance(seed, nested=True, mixed=True)
        result = place([the_lane], jobs)
        count, value = brute_force(the_lane, jobs)
        count_misses += len(result.starts) < count
        misses += (len(result.starts), round(result.score, 6)) != (count, round(value, 6))
    assert count_misses <= 1 and misses <= 6, (count_misses, misses)
