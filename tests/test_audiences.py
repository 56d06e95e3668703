"""Audiences: windows, histograms, the default profile, DST, imports and learning."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT, run_cli, snapshot_tree

from publisher.domain.activity_files import read_csv, read_online_followers, shift_zone
from publisher.domain.audiences import (
    NIGHT_FLOOR,
    Audience,
    default_audience,
    learn_grid,
    parse_window,
    resolve_local,
)
from publisher.domain.errors import UserError

DATA = ROOT / "tests" / "data" / "audiences"  # copied from the brief's shared sample data
BELGRADE = ZoneInfo("Europe/Belgrade")
KOSOVO_CSV = DATA / "kosovo-page-activity.csv"
INSTAGRAM_JSON = DATA / "diaspora-de-instagram-online_followers.json"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def morning(zone: str = "Europe/Belgrade") -> Audience:
    return Audience("kosovo", zone, (parse_window("MO-SU 08:00-10:00 0.9 morning"),))


# Windows and the time rule


def test_window_spec_round_trip_and_errors() -> None:
    window = parse_window("MO-FR 08:00-10:30 0.9 morning commute")
    assert window.days == frozenset(range(5)) and (window.start, window.end) == (480, 630)
    assert window.spec() == "MO-FR 08:00-10:30 0.9 morning commute"
    assert parse_window("SA,SU 10:00-24:00 0.5").spec() == "SA,SU 10:00-24:00 0.5"
    for bad in ("MO-FR 10:00-08:00 0.9", "XX 08:00-10:00 0.5", "MO 08:00-10:00 1.5",
                "MO 8-10 0.5", "MO-FR 08:00-10:00", "SU-MO 08:00-09:00 0.5"):
        with pytest.raises(UserError):
            parse_window(bad)


@pytest.mark.parametrize(("instant", "inside"), [
    (utc(2026, 3, 28, 7, 0), True),   # Sat 08:00 CET (+01:00)
    (utc(2026, 3, 30, 6, 0), True),   # Mon 08:00 CEST (+02:00): same wall clock
    (utc(2026, 3, 30, 7, 59), True),  # 09:59 CEST
    (utc(2026, 3, 30, 8, 0), False),  # 10:00 CEST
    (utc(2026, 10, 24, 6, 0), True),  # Sat 08:00 CEST
    (utc(2026, 10, 26, 7, 0), True),  # Mon 08:00 CET, after the change
    (utc(2026, 10, 26, 6, 0), False),  # 07:00 CET
])
def test_windows_keep_their_wall_clock_across_both_2026_changes(
    instant: datetime, inside: bool
) -> None:
    assert (morning().activity(instant).weight == 0.9) is inside


def test_the_repeated_hour_counts_twice_and_the_missing_hour_is_simply_absent() -> None:
    night = Audience("night", "Europe/Belgrade", (parse_window("MO-SU 02:00-03:00 0.7 late"),))
    fall = [utc(2026, 10, 25, 0, 0) + timedelta(minutes=5 * n) for n in range(48)]
    inside = [t for t in fall if night.activity(t).weight == 0.7]
    assert len(inside) == 24  # 02:00-03:00 happened twice: 2 x 12 five-minute steps
    spring = [utc(2026, 3, 29, 0, 0) + timedelta(minutes=5 * n) for n in range(48)]
    assert not [t for t in spring if night.activity(t).weight == 0.7]  # no 02:xx that night


def test_local_times_without_offset_follow_one_written_rule() -> None:
    # Does not exist: moved forward by the gap.
    assert resolve_local(datetime(2026, 3, 29, 2, 30), BELGRADE) == utc(2026, 3, 29, 1, 30)
    assert resolve_local(datetime(2026, 3, 29, 2, 30), BELGRADE).astimezone(
        BELGRADE).strftime("%H:%M%z") == "03:30+0200"
    # Happens twice: the first one (still summer time).
    assert resolve_local(datetime(2026, 10, 25, 2, 30), BELGRADE) == utc(2026, 10, 25, 0, 30)
    # An ordinary time.
    assert resolve_local(datetime(2026, 7, 1, 9, 0), BELGRADE) == utc(2026, 7, 1, 7, 0)


@pytest.mark.parametrize(("day", "hours_apart"), [
    (datetime(2026, 3, 2), 6),   # both on winter time
    (datetime(2026, 3, 16), 5),  # the US changed on 8 March, Europe not until 29 March
    (datetime(2026, 4, 6), 6),   # both on summer time
    (datetime(2026, 10, 28), 5),  # Europe went back on 25 October, the US on 1 November
    (datetime(2026, 11, 4), 6),
])
def test_a_new_york_morning_window_moves_in_kosovo_time_when_the_gap_is_5_hours(
    day: datetime, hours_apart: int
) -> None:
    diaspora = morning("America/New_York")
    nine_in_new_york = resolve_local(day.replace(hour=9), ZoneInfo("America/New_York"))
    assert diaspora.activity(nine_in_new_york).weight == 0.9
    in_kosovo = nine_in_new_york.astimezone(BELGRADE)
    assert in_kosovo.hour == 9 + hours_apart


def test_default_profile_says_it_is_the_default_and_keeps_nights_quiet() -> None:
    audience = default_audience("default", "Europe/Belgrade")
    evening = audience.activity(utc(2026, 11, 24, 19, 0))  # Tue 20:00 local
    assert evening.weight == 1.0 and "default profile" in evening.why
    night = audience.activity(utc(2026, 11, 24, 2, 0))
    assert night.weight == NIGHT_FLOOR and "default profile" in night.why
    grid = audience.grid()
    assert grid[6][19] < grid[1][19]  # Sunday evenings are weaker than Tuesday's
    assert max(grid[0][0:6]) < 0.01


# Imports


def test_the_page_insights_csv_reads_into_a_week() -> None:
    histogram = read_csv(KOSOVO_CSV.read_text(), "kosovo.csv")
    assert histogram.cells == 168
    monday = histogram.values[0]
    assert monday[9] > monday[3]  # awake at nine, asleep at three


def test_csv_errors_name_the_line() -> None:
    with pytest.raises(UserError) as error:
        read_csv("weekday,hour,value\nMon,0,1\nMonday,25,3\n", "a.csv")
    assert error.value.where == "a.csv:3"
    with pytest.raises(UserError, match="twice"):
        read_csv("weekday,hour,value\nMon,1,1\nmon,1,2\n", "a.csv")
    with pytest.raises(UserError, match="header"):
        read_csv("day,hour,value\n", "a.csv")
    with pytest.raises(UserError, match="negative"):
        read_csv("weekday,hour,value\nTue,1,-4\n", "a.csv")


def test_instagram_online_followers_are_averaged_per_weekday() -> None:
    histogram = read_online_followers(INSTAGRAM_JSON.read_text(), "ig.json")
    assert histogram.days == 30 and histogram.cells == 168
    wednesday = histogram.values[2]  # the first value closes Wed 30 September
    assert wednesday[20] > wednesday[3]
    with pytest.raises(UserError):
        read_online_followers('{"data": []}', "ig.json")


def test_shifting_an_export_from_utc_to_kosovo_moves_every_hour() -> None:
    values = tuple(tuple(float(d * 24 + h) for h in range(24)) for d in range(7))
    winter = shift_zone(values, "UTC", "Europe/Belgrade", utc(2026, 1, 10))
    assert winter[0][1] == values[0][0]  # 00 UTC is 01 in Prishtina
    summer = shift_zone(values, "UTC", "Europe/Belgrade", utc(2026, 7, 10))
    assert summer[0][2] == values[0][0]
    assert winter[0][0] == values[6][23]  # wraps round the week


# Learning


def test_learning_shrinks_to_the_prior_when_data_is_thin() -> None:
    prior = default_audience("d", "Europe/Belgrade").grid()
    thin, posts = learn_grid(prior, [(0, 15, 100.0), (0, 19, 10.0)])
    assert posts == 2
    many, _posts = learn_grid(prior, [(0, 15, 100.0)] * 40 + [(0, 19, 10.0)] * 40)
    # Monday 15h is outside every window in the prior (0.02). One post there that
    # did ten times as well as one on Monday evening moves it a little; forty
    # such pairs move it near the top, and Monday evening (1.0 in the prior) falls.
    assert 0.1 < thin[0][15] < 0.4 and thin[0][19] > 0.6
    assert many[0][15] > 0.8 and many[0][19] < 0.2
    assert many[1][19] == 1.0  # no data on Tuesday: the prior stands
    untouched, _n = learn_grid(prior, [])
    assert untouched == prior


# The command line


def cli(home: Path, *argv: str):
    return run_cli("--home", str(home), *argv)


def test_audiences_add_show_and_list(home: Path) -> None:
    result = cli(home, "audiences", "add", "kosovo", "--timezone", "Europe/Belgrade",
                 "--window", "MO-FR 08:00-10:00 0.9 morning", "--window", "SA,SU 10:00-12:00 0.5")
    assert result.code == 0, result.err
    text = (home / "accounts.toml").read_text()
    assert 'timezone = "Europe/Belgrade"' in text and 'name = "morning"' in text
    shown = cli(home, "audiences", "show", "kosovo", "--json")
    data = json.loads(shown.out)
    assert data["windows"] == ["MO-FR 08:00-10:00 0.9 morning", "SA,SU 10:00-12:00 0.5"]
    assert data["hourly"]["Mon"][8] == 0.9
    assert "█" in cli(home, "audiences", "show", "kosovo").out
    assert json.loads(cli(home, "audiences", "list", "--json").out)[0]["kind"] == "windows"


def test_bad_audience_input_is_one_line_exit_2_and_writes_nothing(home: Path) -> None:
    before = snapshot_tree(home)
    for argv in (
        ("audiences", "add", "kosovo", "--timezone", "Europe/Pristina"),
        ("audiences", "add", "Kosovo", "--timezone", "Europe/Belgrade"),
        ("audiences", "add", "kosovo", "--timezone", "Europe/Belgrade", "--window", "MO 9-5 1"),
        ("audiences", "import", "new", str(KOSOVO_CSV)),
        ("blackout", "add", "2026-13-01"),
        ("blackout", "add", "2026-12-24", "--audience", "nobody"),
        ("accounts", "add", "box", "--platform", "outbox", "--audience", "No Body"),
    ):
        result = cli(home, *argv)
        assert result.code == 2, (argv, result.err)
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "Traceback" not in result.err
    assert snapshot_tree(home) == before


def test_import_keeps_comments_and_other_audiences(home: Path) -> None:
    accounts = home / "accounts.toml"
    accounts.write_text(accounts.read_text() + "# our audiences below\n")
    assert cli(home, "audiences", "add", "us", "--timezone", "America/New_York").code == 0
    result = cli(home, "audiences", "import", "kosovo", str(KOSOVO_CSV),
                 "--timezone", "Europe/Belgrade")
    assert result.code == 0, result.err
    text = accounts.read_text()
    assert "# our audiences below" in text and "[audiences.us]" in text
    assert 'imported_from = "kosovo-page-activity.csv"' in text
    data = json.loads(cli(home, "audiences", "show", "kosovo", "--json").out)
    assert data["kind"] == "histogram" and max(max(r) for r in data["hourly"].values()) == 1.0
    ig = cli(home, "audiences", "import", "us", str(INSTAGRAM_JSON), "--hours-in", "UTC",
             "--now", "2026-11-22T12:00:00Z")
    assert ig.code == 0, ig.err


def test_blackouts_and_account_settings(home: Path) -> None:
    assert cli(home, "audiences", "add", "kosovo", "--timezone", "Europe/Belgrade").code == 0
    assert cli(home, "blackout", "add", "2026-12-24", "--reason", "holiday").code == 0
    assert cli(home, "blackout", "add", "2026-12-25", "--audience", "kosovo").code == 0
    rows = json.loads(cli(home, "blackout", "list", "--json").out)
    assert rows == [{"date": "2026-12-24", "audience": None, "reason": "holiday"},
                    {"date": "2026-12-25", "audience": "kosovo", "reason": ""}]
    assert cli(home, "blackout", "remove", "2026-12-25").code == 2  # that one is kosovo's
    assert cli(home, "blackout", "remove", "2026-12-25", "--audience", "kosovo").code == 0
    assert cli(home, "accounts", "add", "box", "--platform", "outbox").code == 0
    result = cli(home, "accounts", "set", "box", "--audience", "kosovo", "--min-gap", "90",
                 "--max-per-day", "3")
    assert result.code == 0, result.err
    (row,) = json.loads(cli(home, "accounts", "list", "--json").out)
    assert (row["audience"], row["min_gap"], row["max_per_day"]) == ("kosovo", 90, 3)
    assert cli(home, "accounts", "set", "box", "--audience", "none", "--max-per-day", "0").code == 0
    (row,) = json.loads(cli(home, "accounts", "list", "--json").out)
    assert (row["audience"], row["max_per_day"]) == (None, None)
