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
