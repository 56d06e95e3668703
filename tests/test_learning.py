"""The learning model, exploration and freshness in the domain, observations passed in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publisher.domain.audiences import Audience, Window
from publisher.domain.errors import UserError
from publisher.domain.freshness import (
    decay,
    is_urgent,
    lane_half_life,
    parse_span,
    parse_urgency,
)
from publisher.domain.learning import (
    OPTIMISM,
    choose_explorers,
    place_exploring,
    plan_rng,
    profile,
)
from publisher.domain.placement import Job, Lane
from publisher.domain.results import Observation

KOSOVO = Audience("kosovo", "Europe/Belgrade", (
    Window(frozenset(range(5)), 8 * 60, 10 * 60, 0.9, "morning"),
    Window(frozenset(range(7)), 19 * 60, 21 * 60, 1.0, "evening"),
))
TUESDAY_09 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC).astimezone(KOSOVO.zone).replace(hour=9)
SATURDAY_15 = datetime(2026, 11, 28, 15, 0).replace(tzinfo=KOSOVO.zone)


def seen(at: datetime, value: float, count: int = 1) -> list[Observation]:
    """``count`` posts at the same local hour on consecutive weeks."""
    return [Observation("box", "sq", (at + timedelta(weeks=n)).astimezone(UTC), value)
            for n in range(count)]


def evening_and(at: datetime, value: float, count: int) -> list[Observation]:
    """Posts at ``at`` among as many evening posts of engagement 10."""
    evening = datetime(2026, 11, 23, 19, 0).replace(tzinfo=KOSOVO.zone)
    return seen(evening, 10.0, count) + seen(at, value, count)


def test_without_results_the_profile_is_the_prior() -> None:
    learned = profile(KOSOVO, [])
    assert learned.weight_local(TUESDAY_09) == KOSOVO.weight_local(TUESDAY_09) == 0.9
    assert learned.posts == 0
    assert learned.source(TUESDAY_09) == "prior (window 'morning')"


def test_thin_data_stays_near_the_prior_much_data_follows_the_results() -> None:
    """Saturday 15:00 is outside every window (0.02); posts there do as well as Monday
    evening's (1.0). One post moves it part of the way, many all but the whole way to the
    evening's own learned weight (results are relative to the account's mean)."""
    monday_19 = datetime(2026, 11, 23, 19, 0).replace(tzinfo=KOSOVO.zone)

    def ratio(count: int) -> float:
        learned = profile(KOSOVO, evening_and(SATURDAY_15, 10.0, count))
        return learned.weight_local(SATURDAY_15) / learned.weight_local(monday_19)

    assert 0.02 < ratio(1) < 0.5
    assert ratio(30) > 0.9
    assert ratio(1) < ratio(3) < ratio(30)


def test_results_lower_an_hour_that_does_badly() -> None:
    learned = profile(KOSOVO, evening_and(TUESDAY_09, 1.0, 20))
    assert learned.weight_local(TUESDAY_09) < 0.5


def test_uncertainty_shrinks_with_the_number_of_posts() -> None:
    spreads = [profile(KOSOVO, evening_and(SATURDAY_15, 10.0, n)).cell(SATURDAY_15).spread
               for n in (0, 1, 4, 16)]
    assert spreads == sorted(spreads, reverse=True) and len(set(spreads)) == 4


def test_the_other_days_share_evidence_and_the_reason_counts_each() -> None:
    learned = profile(KOSOVO, evening_and(TUESDAY_09, 30.0, 4))
    wednesday = TUESDAY_09 + timedelta(days=1)
    assert learned.weight_local(wednesday) > 0.9  # moved by Tuesday's posts
    assert learned.source(TUESDAY_09) == (
        "results: 4 posts at this hour, blended with the prior 0.90 (window 'morning')")
    assert learned.source(wednesday).startswith("results: 4 posts at this hour on other days")
    assert learned.source(TUESDAY_09, exploring=True) == (
        "exploration (few observations: 4 posts at this hour)")
    one = profile(KOSOVO, evening_and(TUESDAY_09, 30.0, 1))
    assert one.source(TUESDAY_09).startswith("results: 1 post at this hour, blended")


def test_weights_stay_between_0_and_1() -> None:
    learned = profile(KOSOVO, evening_and(SATURDAY_15, 100.0, 10))
    grid = learned.grid()
    assert max(max(row) for row in grid) <= 1.0 and min(min(row) for row in grid) > 0


# Exploring


def lane(account: str = "box", steps: int = 48) -> Lane:
    return Lane(account, [1.0] * steps, 1, [s // 24 for s in range(steps)])


@given(st.integers(0, 40), st.floats(0, 1), st.integers(0, 2**32))
def test_explorers_are_never_above_the_rounded_up_share_nor_outside_the_allowed(
        jobs_count: int, share: float, seed: int) -> None:
    jobs = [Job(f"j{n}", "box") for n in range(jobs_count)]
    allowed = [job.key for job in jobs if int(job.key[1:]) % 3]  # some have a deadline
    chosen = choose_explorers(jobs, allowed, share, random.Random(seed))
    assert set(chosen) <= set(allowed)
    assert len(chosen) <= -(-share * jobs_count // 1)  # at most the share, rounded up
    if share == 0:
        assert chosen == []


def test_over_many_plans_the_share_is_the_setting() -> None:
    jobs = [Job("only", "box")]
    explored = sum(bool(choose_explorers(jobs, ["only"], 0.1, random.Random(seed)))
                   for seed in range(2000))
    assert 150 < explored < 250  # one plan in ten


def test_a_plan_draws_the_same_numbers_again() -> None:
    start = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    learned = profile(KOSOVO, [])
    jobs = [Job(f"j{n}", "box") for n in range(30)]
    first, second = plan_rng(start, "box"), plan_rng(start, "box")
    assert choose_explorers(jobs, [j.key for j in jobs], 0.1, first) == \
        choose_explorers(jobs, [j.key for j in jobs], 0.1, second)
    assert learned.draw(first) == learned.draw(second)
    assert learned.draw(plan_rng(start, "other")) != learned.draw(plan_rng(start, "box"))


def test_an_explorers_draw_is_optimistic_and_bounded() -> None:
    """Each hour's draw lies between its posterior mean and OPTIMISM spreads above it:
    explorers try hours that may be better than we think, never ones drawn below it."""
    learned = profile(KOSOVO, evening_and(SATURDAY_15, 10.0, 3))
    shifts = learned.draw(random.Random(7))
    for cell, shift in zip(learned.cells, shifts, strict=True):
        assert cell.mean <= cell.prior + shift <= cell.mean + OPTIMISM * cell.spread + 1e-12
    assert any(cell.prior + shift > cell.mean
               for cell, shift in zip(learned.cells, shifts, strict=True))


def test_explorers_go_first_on_the_draw_and_the_rest_on_the_means() -> None:
    means = lane()
    drawn = [0.1] * 48
    drawn[30] = 5.0
    jobs = [Job("explore", "box"), Job("plain", "box")]
    placement, explored = place_exploring([means], {"box": drawn}, jobs, ["explore"])
    assert explored == {"explore"}
    assert placement.starts["explore"] == [30]
    assert placement.starts["plain"] == [0]
    assert placement.score == 2.0  # on the means


def test_exploring_never_costs_a_post_that_fits_without_it() -> None:
    """The explorer's drawn best step is the only step the deadline post can take: then
    nothing explores and both are placed."""
    means = Lane("box", [1.0, 1.0], 1, [0, 0])
    jobs = [Job("explore", "box"), Job("due", "box", latest=0)]
    placement, explored = place_exploring([means], {"box": [9.0, 0.1]}, jobs, ["explore"])
    assert explored == set() and not placement.unplaced
    assert placement.starts == {"due": [0], "explore": [1]}


# Freshness


@given(st.integers(1, 520), st.sampled_from("mhdwMHDW"), st.sampled_from(["", " ", "  "]))
def test_spans_parse(number: int, unit: str, space: str) -> None:
    span = parse_span(f"{space}{number}{space}{unit}{space}")
    minutes = {"m": 1, "h": 60, "d": 1440, "w": 10080}[unit.lower()]
    assert span == timedelta(minutes=number * minutes)


@given(st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.none()))
def test_anything_else_is_refused_in_one_line(value: object) -> None:
    try:
        span = parse_urgency(value)
    except UserError as error:
        assert "\n" not in str(error) and "urgency" in error.message
    else:
        assert span is None or span > timedelta(0)


@pytest.mark.parametrize("text, expected", [
    ("news", timedelta(hours=6)), ("Evergreen", timedelta(weeks=3)), ("normal", None),
    ("6h", timedelta(hours=6)), ("3d", timedelta(days=3)), ("2w", timedelta(weeks=2)),
])
def test_urgency_names_and_spans(text: str, expected: timedelta | None) -> None:
    assert parse_urgency(text) == expected


@pytest.mark.parametrize("text", ["0h", "-1d", "1y", "1.5d", "d", "", "99999999w"])
def test_bad_spans(text: str) -> None:
    with pytest.raises(UserError):
        parse_span(text)


def test_the_shortest_half_life_of_a_lane_and_urgency() -> None:
    lives = [timedelta(weeks=3), timedelta(hours=6), timedelta(days=2)]
    assert lane_half_life(lives, timedelta(days=2)) == timedelta(hours=6)
    assert lane_half_life([], timedelta(days=2)) == timedelta(days=2)
    assert is_urgent(timedelta(hours=6)) and not is_urgent(timedelta(days=2))
    assert decay(timedelta(days=2), timedelta(days=2)) == 0.5
    # 0.9 now beats 1.0 a week later at two days; not at three weeks
    assert 1.0 * decay(timedelta(days=7), timedelta(days=2)) < 0.9
    assert 1.0 * decay(timedelta(days=7), timedelta(weeks=3)) > 0.7
