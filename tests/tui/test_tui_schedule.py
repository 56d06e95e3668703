"""Scheduling from the UI: suggested slots with scores and reasons, the heat map, picking a
slot, placing automatically, typing a time; shown in both time zones."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import NOW, drive, notified, screen_text, settle, until

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
        assert "Enter queues all of them at the selected time" in " ".join(text.split())
        table = app.screen.query_one("#slots", DataTable)
        row = next(r for r in range(table.row_count)
                   if str(table.get_cell_at((r, 1))) == "mfa-x ★")
        assert best[0].why[:20] in str(table.get_cell_at((row, 4)))
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        assert "Queued (see it in the queue: F3):" in screen_text(app)
        assert "your time" in screen_text(app) and "Europe/Berlin" in screen_text(app)

    drive(app_on(), scenario)
    items = queued(demo, "consular-alert-floods")
    assert {i.due_at for i in items} == {best[0].at}
    assert len(items) == 13  # the alert is a thread of two: 6 posts + 6 replies + facebook joined


def test_each_suggested_time_lists_every_account_and_a_pick_queues_them_all(
        app_on, demo: Path) -> None:
    """One pick queues the whole draft, so a time is shown with how it suits each
    account, not only the account whose best time it is (★)."""
    context = open_context(demo)
    accounts = context.drafts.load("consular-alert-floods").draft.accounts
    berlin = suggest_slots(context, "embassy-berlin-bluesky", 3, NOW)
    picked = next(s.at for s in berlin
                  if s.at not in {m.at for m in suggest_slots(context, "mfa-x", 3, NOW)})

    async def scenario(app, pilot):
        await open_schedule(app, pilot, "consular-alert-floods")
        table = app.screen.query_one("#slots", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(r)] for r in range(table.row_count)]
        groups: list[list[list[str]]] = []
        for row in rows:
            if row[0]:
                groups.append([])
            groups[-1].append(row)
        assert len(groups) * len(accounts) == len(rows)
        for group in groups:  # every account once per time, in the draft's order
            assert [r[1].removesuffix(" ★") for r in group] == list(accounts)
            assert any(r[1].endswith(" ★") for r in group)
        # The mfa-x row of a time only embassy-berlin-bluesky suggested: not starred,
        # with its own score and reason; picking it queues every account then.
        index = next(i for i, r in enumerate(rows) if r[1] == "mfa-x"
                     and app.screen.plan.options[int(str(table.coordinate_to_cell_key(
                         (i, 0)).row_key.value).split(":")[0])].at == picked)
        assert "Europe/Belgrade" in rows[index][4]
        table.move_cursor(row=index)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Queued (see it in the queue: F3):" in screen_text(app)

    drive(app_on(), scenario)
    items = queued(demo, "consular-alert-floods")
    assert {i.account_id for i in items} == set(accounts)
    assert {i.due_at for i in items} == {picked}


def test_place_automatically_puts_each_account_at_its_best_time(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        await open_schedule(app, pilot, "flag-day-2026")
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert "Queued (see it in the queue: F3):" in screen_text(app)

    drive(app_on(), scenario)
    items = queued(demo, "flag-day-2026")
    assert len(items) == 8  # with the first comments of mfa-x (2) and mfa-facebook
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
        await until(pilot, lambda: notified(app, "is not approved"))

    drive(app_on(), scenario)
    assert queued(demo, "prizren-old-town") == []


def test_a_language_switch_shows_the_reasons_in_the_new_language(app_on) -> None:
    async def scenario(app, pilot):
        await open_schedule(app, pilot, "consular-alert-floods")
        table = app.screen.query_one("#slots", DataTable)
        assert str(table.get_cell_at((0, 4))).startswith("Fri 19:00")
        await app.switch_language("sq")
        await settle(pilot)
        table = app.screen.query_one("#slots", DataTable)
        assert str(table.get_cell_at((0, 4))).startswith("pre 19:00")
        assert str(table.get_cell_at((0, 0))).startswith("pre, 20 nën")

    drive(app_on(), scenario)


def test_a_typed_time_outside_the_queues_years_is_refused_in_the_dialog(app_on, demo) -> None:
    async def scenario(app, pilot):
        await open_schedule(app, pilot, "consular-alert-floods")
        await pilot.press("ctrl+t")
        app.screen.query_one("#prompt-input").value = "3000-01-01 09:30"
        await pilot.press("enter")
        await settle(pilot)
        assert "is not between the years 2000 and 2999" in screen_text(app)
        assert type(app.screen).__name__ == "PromptDialog"

    drive(app_on(), scenario)
    assert queued(demo, "consular-alert-floods") == []
