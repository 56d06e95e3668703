"""Clear states: an item that already moved gets one friendly line, empty views say what
to do next, the schedule of a queued draft says so, checkboxes show their state without
colour, and publishing now asks first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import NOW, drive, make_app, screen_text, settle

from publisher.domain.queue import State
from publisher.services import queueing
from publisher.services.context import open_context
from publisher.tui.dialogs import ChoiceDialog

DRAFT = "consular-alert-floods"


def schedule(home: Path) -> list[int]:
    return queueing.schedule(open_context(home), DRAFT, NOW + timedelta(hours=2), now=NOW)


def states(home: Path) -> dict[int, State]:
    with queueing.open_queue(open_context(home)) as queue:
        return {item.id: item.state for item in queue.items()}


async def show_queue(app, pilot, item_id: int) -> DataTable:
    await pilot.press("f3")
    await settle(pilot)
    table = app.screen.query_one("#queue-table", DataTable)
    table.move_cursor(row=table.get_row_index(str(item_id)))
    return table


async def publish_now(app, pilot) -> None:
    """ctrl+g, and yes when asked."""
    await pilot.press("ctrl+g")
    if isinstance(app.screen, ChoiceDialog):
        app.screen.query_one("#choice-yes").press()
        await pilot.pause()


def test_publish_now_asks_first_and_enter_keeps_it_queued(app_on, demo: Path) -> None:
    ids = schedule(demo)

    async def scenario(app, pilot):
        await show_queue(app, pilot, ids[0])
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.focused.id == "choice-no"
        assert "Enter: keep it queued" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)

    drive(app_on(), scenario)
    assert states(demo)[ids[0]] == State.QUEUED


def test_publish_now_pressed_three_times_gives_one_friendly_line(app_on, demo: Path) -> None:
    ids = schedule(demo)

    async def scenario(app, pilot):
        await show_queue(app, pilot, ids[0])
        for _ in range(3):
            await publish_now(app, pilot)
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert not any("unexpected error" in m or "StaleState" in m for m in messages), messages
        assert sum("Published" in m for m in messages) == 1, messages
        assert len(messages) <= 2, messages  # the publication, at most one line besides
        await publish_now(app, pilot)  # once it shows sent: says so, in one line
        await settle(pilot)
        last = app._notifications.last if hasattr(app._notifications, "last") else None
        messages = [n.message for n in app._notifications]
        assert any(f"item {ids[0]} is sent" in m for m in messages), (messages, last)

    drive(app_on(), scenario)
    assert states(demo)[ids[0]] == State.SENT
    # The first part of the alert's thread, and its reply with it: once each.
    assert len(list((demo / "outbox").rglob("*.json"))) == 2


def test_an_item_moved_by_another_process_gets_one_friendly_line(app_on) -> None:
    from publisher.storage.queue import StaleState

    async def scenario(app, pilot):
        # What the queue raises when the cron job (another process) moved the item
        # between reading it and changing it.
        app.show_error(StaleState("item 7 is no longer queued"))
        await pilot.pause()
        [note] = [n.message for n in app._notifications]
        assert "unexpected" not in note and "StaleState" not in note
        assert "changed meanwhile" in note

    drive(app_on(), scenario)


def empty_workspace(tmp_path: Path) -> Path:
    from publisher.services.workspace import create_workspace

    home = tmp_path / "empty"
    create_workspace(home)
    return home


def test_empty_views_say_what_to_do_next(tmp_path: Path) -> None:
    home = empty_workspace(tmp_path)

    async def scenario(app, pilot):
        assert "No drafts yet: ctrl+n writes one" in screen_text(app)
        await pilot.press("f3")
        await settle(pilot)
        assert "The queue is empty" in screen_text(app)
        await pilot.press("f5")
        await settle(pilot)
        assert "No accounts yet: add one in a terminal with" in screen_text(app)
        assert "publisher accounts add" in screen_text(app)

    drive(make_app(home), scenario)


def test_a_filter_that_keeps_no_draft_says_so(app_on) -> None:
    async def scenario(app, pilot):
        app.screen.query_one("#filter-text").value = "no such draft anywhere"
        await pilot.pause(0.4)
        await settle(pilot)
        assert "No draft matches the filters" in screen_text(app)

    drive(app_on(), scenario)


def test_the_schedule_of_a_queued_draft_says_it_is_queued_and_when(app_on, demo: Path) -> None:
    schedule(demo)

    async def scenario(app, pilot):
        from publisher.tui.screens.schedule import ScheduleScreen

        await app.push_screen(ScheduleScreen(DRAFT))
        await settle(pilot)
        text = screen_text(app)
        assert "Already queued:" in text, text
        assert "Friday, 20 November 2026" in text or "20 Nov" in text, text

    drive(app_on(), scenario)


def test_checkboxes_show_their_state_without_colour(app_on) -> None:
    from publisher.tui.screens.editor import EditorScreen

    def box(text: str, label: str) -> str:
        line = next(line for line in text.splitlines() if label in line)
        return line[line.index("▐"):line.index("▌") + 1]

    async def scenario(app, pilot):
        assert box(screen_text(app), "Needs my language") == "▐ ▌"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert box(screen_text(app), "Needs my language") == "▐X▌"
        await pilot.press("ctrl+l")
        await app.push_screen(EditorScreen("prizren-old-town"))
        await settle(pilot)
        app.screen.query_one("#editor-tabs").active = "tab-details"
        await settle(pilot)
        text = screen_text(app)
        chosen = app.screen.state.targets
        accounts = app.screen.state.accounts
        for account_id in accounts:
            expected = "▐X▌" if account_id in chosen else "▐ ▌"
            assert box(text, f"{account_id} ·") == expected, account_id

    drive(app_on(), scenario)
