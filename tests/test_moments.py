"""Times people type (``parse_moment``) and how they are written back (``show_moment``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from publisher.domain.errors import UserError
from publisher.domain.moments import EARLIEST, LATEST, parse_moment, show_moment
from publisher.i18n import format_datetime

BELGRADE = ZoneInfo("Europe/Belgrade")
# The staff's zone, zones with a repeated hour, and the calendar's widest offsets.
ZONES = st.sampled_from([BELGRADE, UTC, ZoneInfo("America/New_York"),
                         ZoneInfo("Asia/Kathmandu"), ZoneInfo("Pacific/Kiritimati"),
                         ZoneInfo("Pacific/Pago_Pago"), ZoneInfo("Australia/Lord_Howe")])
# What a person types: our own format, ISO 8601 pieces, and anything at all.
TYPED = st.one_of(
    st.text(),
    st.from_regex(r"\s*\d{1,4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d{1,9})?)?)?"
                  r"(Z|[+-]\d\d:\d\d)?\s*", fullmatch=True),
)


def test_the_staff_zone_unless_an_offset_is_written() -> None:
    assert parse_moment(" 2026-11-28 08:00 ", BELGRADE, "embargo") == datetime(
        2026, 11, 28, 8, 0, tzinfo=BELGRADE)
    assert parse_moment("2026-11-28T08:00:00+05:00", BELGRADE, "embargo") == datetime(
        2026, 11, 28, 3, 0, tzinfo=UTC)
    assert parse_moment("   ", BELGRADE, "embargo") is None


def test_a_text_that_is_no_time_is_refused_naming_the_field() -> None:
    with pytest.raises(UserError) as refused:
        parse_moment("tomorrow", BELGRADE, "deadline")
    assert str(refused.value) == ("deadline: 'tomorrow' is not a date and time "
                                  "(write it as 2026-11-28 08:00)")


def test_a_moment_is_shown_in_the_staff_zone() -> None:
    assert show_moment(datetime(2026, 11, 28, 7, 0, tzinfo=UTC), BELGRADE) == "2026-11-28 08:00"
    assert show_moment(None, BELGRADE) == ""


@given(TYPED, ZONES)
@example("2026-11-28 08:00", BELGRADE)
def test_typed_text_is_a_moment_with_a_zone_nothing_or_a_one_line_refusal(text, zone) -> None:
    try:
        moment = parse_moment(text, zone, "embargo")
    except UserError as error:
        assert str(error).startswith("embargo: ") and "\n" not in str(error)
        return
    if not text.strip():
        assert moment is None
    else:
        assert moment is not None and moment.utcoffset() is not None


@given(st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2999, 12, 30)), ZONES)
def test_a_typed_local_minute_reads_as_that_minute_in_the_zone(local, zone) -> None:
    local = local.replace(second=0, microsecond=0)
    moment = parse_moment(local.strftime("%Y-%m-%d %H:%M"), zone, "embargo")
    assert moment is not None
    assert moment.replace(tzinfo=None) == local and moment.tzinfo is zone


@given(st.integers(min_value=-14 * 60, max_value=14 * 60), ZONES)
def test_an_offset_written_wins_over_the_zone(minutes, zone) -> None:
    offset = timezone(timedelta(minutes=minutes))
    moment = parse_moment(datetime(2026, 11, 28, 8, 0, tzinfo=offset).isoformat(), zone, "x")
    assert moment == datetime(2026, 11, 28, 8, 0, tzinfo=offset)


@given(TYPED, ZONES, ZONES)
@example("0001-01-01T00:00+14:00", BELGRADE, BELGRADE)  # before the year 1 in UTC
@example("9999-12-31 23:59", BELGRADE, ZoneInfo("Pacific/Kiritimati"))
def test_what_is_read_lies_in_the_queues_years_and_can_be_shown_in_any_zone(
        text, zone, shown_in) -> None:
    try:
        moment = parse_moment(text, zone, "embargo")
    except UserError:
        return
    if moment is not None:
        assert EARLIEST <= moment <= LATEST
        assert show_moment(moment, shown_in) and format_datetime(moment, shown_in)


def test_a_year_outside_the_queues_is_refused_with_the_range() -> None:
    with pytest.raises(UserError) as refused:
        parse_moment("3000-01-01 12:00", BELGRADE, "deadline")
    assert str(refused.value) == ("deadline: '3000-01-01 12:00' is not between the years "
                                  "2000 and 2999 (write it as 2026-11-28 08:00)")


@given(st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2999, 12, 30),
                    timezones=ZONES), ZONES)
@example(datetime(2026, 11, 28, 8, 0, 30, tzinfo=BELGRADE), BELGRADE)  # seconds
@example(datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BELGRADE), BELGRADE)  # the hour twice
def test_a_shown_moment_reads_back_as_the_same_instant(moment, zone) -> None:
    shown = show_moment(moment, zone)
    read = parse_moment(shown, zone, "embargo")
    assert read is not None and read.astimezone(UTC) == moment.astimezone(UTC), shown


def test_a_whole_minute_is_shown_without_seconds_or_offset() -> None:
    assert show_moment(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), BELGRADE) == (
        "2026-10-25 02:30+01:00")  # the second 02:30 that night: the offset says which
    assert show_moment(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), BELGRADE) == (
        "2026-10-25 02:30")
    assert show_moment(datetime(2026, 11, 28, 7, 0, 30, tzinfo=UTC), BELGRADE) == (
        "2026-11-28 08:00:30")
