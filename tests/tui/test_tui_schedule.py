"""Scheduling from the UI: suggested slots with scores and reasons, the heat map, picking a
slot, placing automatically, typing a time; shown in both time zones."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import NOW, drive, screen_text, settle

from publisher.domain.queue import State
from publisher.services import queueing
from publisher.services.context import open_context
from publisher.services.scheduling import suggest_slots


def queued(home: Path, draft_id: str) -> list:
    with queueing.open_queue(open_context(home)) as queue:
        return [i for i in queue.items(draft_id=draft_id) if i.state == State.QUEUED]


async def open_schedule(app, pilot, draft_id: str) -> None:
    from textual.coordinate import Coordinate

    table = app.screen.query_one("#drafts-table", DataTable)
    table.cursor_coordinate = Coordinate(table.get_row_index(draft_id), 0)
    await pilot.press("f6")
    await settle(pilot)


def test_slots_scores_reasons_and_heat_map_then_pick_one(app_on, demo: Path) -> None:
    best = suggest_slots(open_context(demo), "mfa-x", 3, NOW)

    async def scenario(app, pilot):
        await open_schedule(app, pilot, "consular-alert-floods")
        text = screen_text(app)
        assert "Next best slots" in text
        assert "mfa-x: audience kosovo, Europe/Belgrade" in text
        table = app.screen.query_one("#slots", DataTable)
        assert table.row_count == 3 * 4  # three per account
        row = next(r for r in range(table.row_count)
                   if str(table.get_cell_at((r, 0))) == "mfa-x")
        assert best[0].why[:20] in str(table.get_cell_at((row, 4)))
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        assert "Queued (see it in the queue: F3):" in screen_text(app)
        assert "your time" in screen_text(app) and "Europe/Berlin" in screen_text(app)

    drive(app_on(), scenario)
    items = queued(demo, "consular-alert-floods")
    assert {i.due_at for i in items} == {best[0].at}
    assert len(items) == 7


def test_place_automatically_puts_each_account_at_its_best_time(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        await open_schedule(app, pilot, "flag-day-2026")
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert "Queued (see it in the queue: F3):" in screen_text(app)

    drive(app_on(), scenario)
    items = queued(demo, "flag-day-2026")
    assert len(items) == 5
    embargo = datetime.fromisoformat("2026-11-28T08:00:00+01:00")
    assert all(item.due_at >= embargo for item in items)


def test_schedule_at_a_typed_time_in_the_staff_zone(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        await open_schedule(app, pilot, "consular-alert-floods")
        await pilot.press("ctrl+t")
        app.screen.query_one("#prompt-input").value = "2026-11-21 09:30"
        await pilot.press("enter")
        await settle(pilot)

    drive(app_on(), scenario)
    due = {item.due_at for item in queued(demo, "consular-alert-floods")}
    assert due == {datetime.fromisoformat("2026-11-21T09:30:00+01:00")}


def test_an_unapproved_draft_is_not_queued_and_the_reason_is_shown(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        await open_schedule(app, pilot, "prizren-old-town")
        assert "not approved: approve it first" in screen_text(app)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert any("is not approved" in n.message for n in app._notifications)

    drive(app_on(), scenario)
    assert queued(demo, "prizren-old-town") == []
