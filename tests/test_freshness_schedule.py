"""Freshness and learning through the command line: a post is worth more sooner, the reasons
say where a score comes from and what was traded, the settings and draft fields that
steer it, and their errors."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from queue_helpers import add_account, cli, write_draft

MONDAY_0830 = "2026-11-23T07:30:00Z"  # Monday 08:30 in Prishtina: 08:00 has just passed


@pytest.fixture
def mornings(home: Path) -> Path:
    """Monday 08:00-08:30 is the best time (1.0), 09:00-10:00 a little less (0.9)."""
    assert cli(home, "audiences", "add", "kosovo", "--timezone", "Europe/Belgrade",
               "--window", "MO 08:00-08:30 1 early",
               "--window", "MO 09:00-10:00 0.9 morning").code == 0
    add_account(home, "box", "--platform", "outbox", "--locales", "sq", "--audience", "kosovo")
    return home


def auto(home: Path, draft_id: str, now: str = MONDAY_0830) -> list[dict]:
    result = cli(home, "schedule", draft_id, "--auto", "--now", now, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)["placed"]


def test_a_post_without_deadline_takes_the_next_good_hour_not_a_better_one_next_week(
        mornings: Path) -> None:
    """Issue 19's defect: the post went to next Monday 08:00 (1.0) rather than this
    Monday 09:00 (0.9). Now it goes today, and its reason names the trade."""
    write_draft(mornings, "visa", ["box"])
    placed = auto(mornings, "visa")
    local = datetime.fromisoformat(placed[0]["due_local"])
    assert local.isoformat() == "2026-11-23T09:00:00+01:00"
    assert placed[0]["why"].endswith("Mon 08:00 would be 1.00 but 7 days later")
    assert "weight 0.90 prior (window 'morning')" in placed[0]["why"]


def settings(home: Path, text: str) -> None:
    path = home / "publisher.toml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def weak_today(home: Path) -> Path:
    """Monday 09:00-10:00 is weak (0.5); next Monday 08:00-08:30 is the best (1.0)."""
    assert cli(home, "audiences", "add", "kosovo", "--timezone", "Europe/Belgrade",
               "--window", "MO 08:00-08:30 1 early",
               "--window", "MO 09:00-10:00 0.5 morning").code == 0
    add_account(home, "box", "--platform", "outbox", "--locales", "sq", "--audience", "kosovo")
    settings(home, "\n[schedule]\nexplore = 0\n")
    return home


def test_an_evergreen_post_may_wait_for_a_much_better_hour(weak_today: Path) -> None:
    write_draft(weak_today, "history", ["box"], extra='urgency = "evergreen"')
    placed = auto(weak_today, "history")
    assert placed[0]["due_local"] == "2026-11-30T08:00:00+01:00"


def test_a_lane_decays_with_the_shortest_half_life_among_its_posts(weak_today: Path) -> None:
    """Placed with a news post on the same account, the evergreen post goes today too: one
    curve per lane, the most urgent post's; nobody goes out later than it wants."""
    write_draft(weak_today, "history", ["box"], extra='urgency = "evergreen"')
    write_draft(weak_today, "storm", ["box"], extra='urgency = "news"')
    result = cli(weak_today, "schedule", "--auto", "--all-approved", "--now", MONDAY_0830,
                 "--json")
    assert result.code == 0, result.err
    placed = {p["draft"]: p["due_local"][:10] for p in json.loads(result.out)["placed"]}
    assert placed == {"history": "2026-11-23", "storm": "2026-11-23"}


def test_a_campaign_urgency_applies_to_its_drafts(weak_today: Path) -> None:
    settings(weak_today, '\n[campaigns.KosovoInUN]\nurgency = "3w"\n')
    write_draft(weak_today, "speech", ["box"], extra='campaign = "#KosovoInUN"')
    assert auto(weak_today, "speech")[0]["due_local"] == "2026-11-30T08:00:00+01:00"


def test_exploring_posts_say_so_and_posts_with_a_deadline_never_explore(
        mornings: Path) -> None:
    settings(mornings, "\n[schedule]\nexplore = 1.0\n")
    write_draft(mornings, "free", ["box"])
    write_draft(mornings, "due", ["box"], extra="deadline = 2026-11-27T12:00:00+01:00")
    write_draft(mornings, "urgent", ["box"], extra='urgency = "6h"')
    result = cli(mornings, "schedule", "--auto", "--all-approved", "--now", MONDAY_0830,
                 "--json")
    assert result.code == 0, result.err
    why = {p["draft"]: p["why"] for p in json.loads(result.out)["placed"]}
    assert "exploration (few observations: 0 posts at this hour)" in why["free"]
    assert "exploration" not in why["due"] and "prior (window" in why["due"]
    assert "exploration" not in why["urgent"]


def test_the_same_plan_explores_the_same_way(mornings: Path, tmp_path: Path) -> None:
    settings(mornings, "\n[schedule]\nexplore = 1.0\n")
    write_draft(mornings, "free", ["box"])
    first = auto(mornings, "free")
    assert cli(mornings, "queue", "cancel", "--draft", "free").code in (0, 2)
    import shutil
    twin = tmp_path / "twin"
    shutil.copytree(mornings, twin)
    (twin / "queue.sqlite3").unlink()
    for extra in twin.glob("queue.sqlite3-*"):
        extra.unlink()
    (twin / "journal.jsonl").unlink(missing_ok=True)
    assert auto(twin, "free")[0]["due_utc"] == first[0]["due_utc"]


def test_reasons_without_results_name_the_prior_and_the_heat_map_is_the_prior(
        mornings: Path) -> None:
    """The seam: scheduling reads the account's results from services.metrics; a workspace
    with none schedules by its prior alone."""
    from publisher.services.context import open_context
    from publisher.services.scheduling import account_profile, activity_grid

    context = open_context(mornings)
    profile = account_profile(context, context.account("box"))
    assert profile.posts == 0
    assert activity_grid(context, "box").values == context.audience("kosovo").grid()
    found = json.loads(cli(mornings, "slots", "box", "--now", MONDAY_0830, "--json").out)
    assert all(" prior (window '" in s["why"] for s in found)


@pytest.mark.parametrize("text, where, message", [
    ('[schedule]\nexplore = 2\n', ":6", "schedule.explore must be a number from 0 to 1"),
    ('[schedule]\nhalf_life = "soon"\n', ":6", "schedule.half_life: 'soon' is not a span"),
    ('[schedule]\nspeed = 1\n', ":6", "unknown setting 'schedule.speed'"),
    ('[campaigns.x]\nurgency = "now"\n', ":6", "campaigns.x.urgency: 'now' is not an urgency"),
])
def test_bad_schedule_settings_are_one_line_errors(home: Path, text: str, where: str,
                                                   message: str) -> None:
    settings(home, text)
    result = cli(home, "slots", "any", "--now", MONDAY_0830)
    assert result.code == 2
    assert result.err.count("\n") == 1 and message in result.err
    assert f"publisher.toml{where}" in result.err


def test_a_bad_urgency_in_a_draft_names_its_file_and_line(mornings: Path) -> None:
    write_draft(mornings, "visa", ["box"], extra='urgency = "asap"')
    result = cli(mornings, "schedule", "visa", "--auto", "--now", MONDAY_0830)
    assert result.code == 2 and result.err.count("\n") == 1
    assert "visa.toml:5" in result.err and "urgency: 'asap' is not an urgency" in result.err
