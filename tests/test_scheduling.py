"""Slots and automatic placement through the command line, on real workspaces."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from queue_helpers import add_account, cli, items, write_draft

BELGRADE = ZoneInfo("Europe/Belgrade")
NOW = "2026-11-23T06:00:00Z"  # a Monday, 07:00 in Prishtina


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def ws(home: Path) -> Path:
    assert cli(home, "audiences", "add", "kosovo", "--timezone", "Europe/Belgrade",
               "--window", "MO-FR 08:00-10:00 0.9 morning",
               "--window", "MO-SU 19:00-21:00 1 evening").code == 0
    add_account(home, "box", "--platform", "outbox", "--locales", "sq,en,sr",
                "--audience", "kosovo", "--min-gap", "60")
    return home


def slots(home: Path, account: str, *extra: str) -> list[dict]:
    result = cli(home, "slots", account, "--now", NOW, "--json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_slots_are_the_best_free_times_with_a_reason(ws: Path) -> None:
    found = slots(ws, "box", "--count", "4")
    assert len(found) == 4
    times = [when(s["utc"]) for s in found]
    assert times == sorted(times) and all(b - a >= timedelta(minutes=30)
                                          for a, b in itertools.pairwise(times))
    assert all(s["score"] == 1.0 for s in found)  # four evening slots beat any morning
    first = found[0]
    local = when(first["local"])
    assert local.utcoffset() == timedelta(hours=1) and 19 <= local.hour < 21
    assert first["why"].startswith(f"Mon {local:%H:%M} Europe/Belgrade, weight 1.00 prior "
                                   "(window 'evening')")
    table = cli(ws, "slots", "box", "--now", NOW, "--count", "2")
    assert table.code == 0 and "evening" in table.out


def test_slots_keep_the_gap_from_queued_posts_and_say_how_long_since(ws: Path) -> None:
    add_account(ws, "solo", "--platform", "outbox", "--locales", "sq", "--audience", "kosovo",
                "--min-gap", "120")
    write_draft(ws, "taken", ["solo"])
    assert cli(ws, "schedule", "taken", "--at", "2026-11-23T19:00:00+01:00",
               "--now", NOW).code == 0
    found = slots(ws, "solo", "--count", "3")
    taken = when("2026-11-23T18:00:00Z")
    for slot in found:
        assert abs(when(slot["utc"]) - taken) >= timedelta(minutes=120)
    later = [s for s in found if when(s["utc"]) > taken]
    assert later and "after your last post" in later[0]["why"]


def test_default_profile_is_named_in_every_reason(home: Path) -> None:
    add_account(home, "plain", "--platform", "outbox", "--locales", "sq")
    found = slots(home, "plain", "--count", "3")
    assert all("default profile" in s["why"] for s in found)


def test_blackout_days_get_no_slot(ws: Path) -> None:
    assert cli(ws, "blackout", "add", "2026-11-23", "--reason", "mourning").code == 0
    found = slots(ws, "box", "--count", "6")
    assert all(when(s["local"]).date().isoformat() != "2026-11-23" for s in found)
    assert cli(ws, "blackout", "add", "2026-11-24", "--audience", "kosovo").code == 0
    found = slots(ws, "box", "--count", "6")
    assert all(when(s["local"]).day not in (23, 24) for s in found)


def test_windows_stay_on_the_wall_clock_across_the_spring_change(ws: Path) -> None:
    add_account(ws, "mornings", "--platform", "outbox", "--locales", "sq")
    assert cli(ws, "audiences", "add", "early", "--timezone", "Europe/Belgrade",
               "--window", "MO-SU 08:00-08:30 1 coffee").code == 0
    assert cli(ws, "accounts", "set", "mornings", "--audience", "early",
               "--min-gap", "600").code == 0
    result = cli(ws, "slots", "mornings", "--now", "2026-03-27T12:00:00Z", "--count", "4",
                 "--json")
    found = json.loads(result.out)
    assert [s["utc"][:16] for s in found] == [
        "2026-03-28T07:00", "2026-03-29T06:00", "2026-03-30T06:00", "2026-03-31T06:00"]
    assert {when(s["local"]).strftime("%H:%M") for s in found} == {"08:00"}


def approved_three_languages(home: Path, draft_id: str, accounts: list[str],
                             extra: str = "") -> None:
    from publisher.domain.locales import fingerprint

    source = f"Lajm nga ambasada ({draft_id})."
    mark = fingerprint(source)
    accounts_toml = ", ".join(f'"{a}"' for a in accounts)
    (home / "drafts" / f"{draft_id}.toml").write_text(
        f'title = "{draft_id}"\nsource = "sq"\naccounts = [{accounts_toml}]\n'
        f"approved = true\n{extra}\n"
        f'[variants.sq]\ntext = """{source}"""\n\n'
        f'[variants.en]\ntext = """News from the embassy ({draft_id})."""\n'
        f'from_source = "{mark}"\n\n'
        f'[variants.sr]\ntext = """Вести из амбасаде ({draft_id})."""\n'
        f'from_source = "{mark}"\n',
        encoding="utf-8",
    )


def test_auto_places_the_three_versions_together_and_the_gap_apart(ws: Path) -> None:
    approved_three_languages(ws, "visa", ["box"])
    result = cli(ws, "schedule", "visa", "--auto", "--now", NOW, "--json")
    assert result.code == 0, result.err
    placed = json.loads(result.out)["placed"]
    assert [p["locales"] for p in placed] == [["sq"], ["en"], ["sr"]]
    times = [when(p["due_utc"]) for p in placed]
    assert [b - a for a, b in itertools.pairwise(times)] == [timedelta(hours=1)] * 2
    # This morning's window (0.9) beats the evening's (1.0) 12 h later (freshness, a
    # half-life of 2 days) and holds two of the three an hour apart; the third is the
    # best the bundle can do beside them (a daytime 0.02), not the evening at 1.0.
    assert sum(p["score"] for p in placed) == pytest.approx(1.82)
    assert sorted(when(p["due_local"]).hour for p in placed)[:2] == [8, 9]
    queued = items(ws)
    assert {item["due_utc"] for item in queued} == {t.isoformat() for t in times}
    assert {item["timezone"] for item in queued} == {"Europe/Belgrade"}
    again = cli(ws, "schedule", "visa", "--auto", "--now", NOW)
    assert again.code == 2 and "already" in again.err


def test_auto_respects_embargo_and_deadline(ws: Path) -> None:
    approved_three_languages(
        ws, "embargoed", ["box"],
        extra="not_before = 2026-11-25T12:00:00+01:00\ndeadline = 2026-11-25T23:00:00+01:00",
    )
    result = cli(ws, "schedule", "embargoed", "--auto", "--now", NOW, "--json")
    assert result.code == 0, result.err
    for placed in json.loads(result.out)["placed"]:
        moment = when(placed["due_utc"])
        assert when("2026-11-25T12:00:00+01:00") <= moment <= when("2026-11-25T23:00:00+01:00")


def test_a_deadline_that_cannot_be_met_is_refused_whole(ws: Path) -> None:
    approved_three_languages(ws, "late", ["box"],
                             extra="deadline = 2026-11-23T07:20:00+01:00")
    result = cli(ws, "schedule", "late", "--auto", "--now", NOW)
    assert result.code == 2
    assert "late" in result.err and len(result.err.strip().splitlines()) == 1
    assert items(ws) == []


def test_all_approved_places_many_and_reports_what_did_not_fit(ws: Path) -> None:
    for number in range(6):
        approved_three_languages(ws, f"news-{number}", ["box"])
    approved_three_languages(ws, "late", ["box"], extra="deadline = 2026-11-23T07:20:00+01:00")
    write_draft(ws, "unapproved", ["box"], approved=False)
    (ws / "drafts" / "broken.toml").write_text('title = "broken"\naccounts = [\n')
    result = cli(ws, "schedule", "--auto", "--all-approved", "--now", NOW, "--json")
    assert result.code == 4
    report = json.loads(result.out)
    assert set(report["unplaced"]) == {"late", "drafts/broken.toml"}
    assert len(report["placed"]) == 18
    times = sorted(when(p["due_utc"]) for p in report["placed"])
    assert all(b - a >= timedelta(minutes=60) for a, b in itertools.pairwise(times))
    assert "not queued: late" in result.err
    nothing = cli(ws, "schedule", "--auto", "--all-approved", "--now", NOW)
    assert nothing.code == 4 and "late" in nothing.err  # the rest are queued already


def test_daily_cap(ws: Path) -> None:
    assert cli(ws, "accounts", "set", "box", "--max-per-day", "2", "--locales", "sq").code == 0
    for number in range(5):
        write_draft(ws, f"item-{number}", ["box"])
    result = cli(ws, "schedule", "--auto", "--all-approved", "--now", NOW, "--json")
    assert result.code == 0, result.err
    days: dict[str, int] = {}
    for placed in json.loads(result.out)["placed"]:
        day = when(placed["due_local"]).date().isoformat()
        days[day] = days.get(day, 0) + 1
    assert max(days.values()) <= 2 and sum(days.values()) == 5


def test_the_freeze_stops_automatic_placement(ws: Path) -> None:
    approved_three_languages(ws, "visa", ["box"])
    assert cli(ws, "pause", "--all", "--reason", "crisis", "--now", NOW).code == 0
    single = cli(ws, "schedule", "visa", "--auto", "--now", NOW)
    assert single.code == 2 and "frozen" in single.err and "resume" in single.err
    many = cli(ws, "schedule", "--auto", "--all-approved", "--now", NOW)
    assert many.code == 4 and "frozen" in many.err
    assert items(ws) == []


def test_usage_errors(ws: Path) -> None:
    assert cli(ws, "schedule", "--auto", "--now", NOW).code == 2
    assert cli(ws, "schedule", "visa", "--auto", "--all-approved").code == 2
    assert cli(ws, "schedule", "visa", "--at", NOW, "--auto").code == 2
    assert cli(ws, "slots", "box", "--count", "0").code == 2
    assert cli(ws, "slots", "nobody").code == 2


def test_the_demo_places_its_approved_drafts(demo: Path) -> None:
    result = cli(demo, "schedule", "--auto", "--all-approved", "--now", "2026-11-22T10:00:00Z",
                 "--json")
    assert result.code in (0, 4), result.err
    report = json.loads(result.out)
    assert report["placed"], result.err
    for placed in report["placed"]:
        assert when(placed["due_utc"]) > datetime(2026, 11, 22, 10, tzinfo=UTC)


def test_a_post_just_past_the_horizon_still_keeps_its_gap(ws: Path) -> None:
    from publisher.services.context import open_context
    from publisher.services.scheduling import Timeline, _build_lane, occupying_items

    add_account(ws, "solo", "--platform", "outbox", "--locales", "sq", "--min-gap", "60")
    timeline = Timeline.after(when(NOW))
    beyond = timeline.at(timeline.steps) + timedelta(minutes=10)
    write_draft(ws, "far", ["solo"])
    assert cli(ws, "schedule", "far", "--at", beyond.isoformat(), "--now", NOW).code == 0
    context = open_context(ws)
    lane = _build_lane(context, context.account("solo"), timeline, occupying_items(context)).lane
    assert lane.busy == (timeline.steps + 2,)  # its 60 minutes reach 10 steps back
