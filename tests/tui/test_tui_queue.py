"""The queue view: items by day with state colours and errors, freeze with a banner on
every screen, resume, publish now, retry, cancel, accounts that need a person."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import NOW, drive, notified, screen_text, settle, until

from publisher.domain.queue import State
from publisher.services import queueing
from publisher.services.context import open_context
from publisher.storage.queue import AccountHold
from publisher.tui.dialogs import ChoiceDialog, PromptDialog


def schedule(home: Path, draft_id: str = "consular-alert-floods", hours: int = 2) -> list[int]:
    return queueing.schedule(open_context(home), draft_id, NOW + timedelta(hours=hours), now=NOW)


def states(home: Path) -> dict[int, State]:
    with queueing.open_queue(open_context(home)) as queue:
        return {item.id: item.state for item in queue.items()}


async def show_queue(app, pilot) -> DataTable:
    await pilot.press("f3")
    await settle(pilot)
    return app.screen.query_one("#queue-table", DataTable)


def test_items_by_day_with_their_state_and_why_they_failed(app_on, demo: Path) -> None:
    ids = schedule(demo)
    schedule(demo, "flag-day-2026", hours=24 * 8)
    with queueing.open_queue(open_context(demo)) as queue:
        queue.move(ids[0], State.QUEUED, State.FAILED, now=NOW, actor="test",
                   last_error="rejected: duplicate status")

    async def scenario(app, pilot):
        table = await show_queue(app, pilot)
        assert table.row_count == len(states(demo))
        text = screen_text(app)
        assert "Fri 20 Nov" in text and "Sat 28 Nov" in text  # whole in the detail line
        assert "Friday, 20 November 2026" in text
        assert "rejected: duplicate status" in text
        assert str(table.get_cell(str(ids[0]), "state")).strip() == "failed"
        assert str(table.get_cell(str(ids[1]), "state")).strip() == "queued"

    drive(app_on(), scenario)


def test_freeze_shows_a_banner_everywhere_holds_items_and_resume_releases(app_on, demo) -> None:
    ids = schedule(demo)

    async def scenario(app, pilot):
        await show_queue(app, pilot)
        assert "FROZEN" not in screen_text(app)
        await pilot.press("f10")
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("enter")  # a reason is required
        assert isinstance(app.screen, PromptDialog)
        app.screen.query_one("#prompt-input").value = "day of mourning"
        await pilot.press("enter")
        await settle(pilot)
        assert "FROZEN" in screen_text(app) and "day of mourning" in screen_text(app)
        assert set(states(demo).values()) == {State.HELD}
        for view in ("f2", "f4", "f5"):
            await pilot.press(view)
            await settle(pilot)
            assert "FROZEN" in screen_text(app), view
        await pilot.press("f10")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("right", "left", "right")  # arrows move between the answers
        assert app.screen.focused.id == "choice-yes"
        await pilot.press("enter")
        await settle(pilot)
        assert "FROZEN" not in screen_text(app)

    drive(app_on(), scenario)
    assert set(states(demo).values()) == {State.QUEUED}
    assert len(ids) == len(states(demo))


def test_publish_now_sends_the_selected_item_to_the_outbox(app_on, demo: Path) -> None:
    ids = schedule(demo)

    async def scenario(app, pilot):
        await show_queue(app, pilot)
        await pilot.press("ctrl+g", "right", "enter")  # it asks first
        await settle(pilot)
        assert any("Published consular-alert-floods on mfa-x" in n.message
                   for n in app._notifications)

    drive(app_on(), scenario)
    assert states(demo)[ids[0]] == State.SENT
    assert any((demo / "outbox").rglob("*"))


def test_publish_now_is_refused_while_frozen(app_on, demo: Path) -> None:
    ids = schedule(demo)
    queueing.pause(open_context(demo), None, "crisis", NOW)

    async def scenario(app, pilot):
        await show_queue(app, pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await until(pilot, lambda: notified(app, "held by a pause"))

    drive(app_on(), scenario)
    assert states(demo)[ids[0]] == State.HELD


def test_retry_a_failed_item_and_cancel_another(app_on, demo: Path) -> None:
    ids = schedule(demo)
    with queueing.open_queue(open_context(demo)) as queue:
        queue.move(ids[0], State.QUEUED, State.FAILED, now=NOW, actor="test", last_error="x")

    async def scenario(app, pilot):
        table = await show_queue(app, pilot)
        table.move_cursor(row=table.get_row_index(str(ids[0])))
        await pilot.press("ctrl+r")
        await settle(pilot)
        table.move_cursor(row=table.get_row_index(str(ids[1])))
        await pilot.press("f8")
        await pilot.press("enter")  # Cancel (the dialog's safe default): nothing happens
        await settle(pilot)
        await pilot.press("f8", "tab", "enter")
        await settle(pilot)

    drive(app_on(), scenario)
    assert states(demo)[ids[0]] == State.QUEUED
    assert states(demo)[ids[1]] == State.CANCELLED


def test_accounts_that_need_a_person_are_shown_with_the_fixing_command(app_on, demo) -> None:
    schedule(demo)
    with queueing.open_queue(open_context(demo)) as queue:
        queue.set_hold(AccountHold("mfa-x", "auth", None, "token revoked"))
    queueing.pause(open_context(demo), "mfa-telegram", "channel review", NOW)

    async def scenario(app, pilot):
        await show_queue(app, pilot)
        text = screen_text(app)
        assert "mfa-x: sign-in failed (token revoked)" in text
        assert "publisher accounts login mfa-x && publisher resume --account mfa-x" in text
        assert "mfa-telegram: paused (channel review)" in text
        assert "publisher resume --account mfa-telegram" in text

    drive(app_on(), scenario)


def test_an_item_that_needs_a_person_says_what_to_do_by_the_screens_keys(app_on, demo) -> None:
    """An unknown fate is resolved in a terminal (posted or not), so the detail names
    the command; an account's setting has no screen, so its command is shown as the
    CLI says it."""
    from publisher.domain.remedies import set_account

    ids = schedule(demo)
    with queueing.open_queue(open_context(demo)) as queue:
        queue.move(ids[0], State.QUEUED, State.SENDING, now=NOW, actor="test")
        queue.move(ids[0], State.SENDING, State.UNKNOWN, now=NOW, actor="test",
                   last_error="read timed out")
        queue.move(ids[1], State.QUEUED, State.FAILED, now=NOW, actor="test",
                   last_error="no media URL", remedy=set_account("mfa-x", "media_url", "URL"))

    async def scenario(app, pilot):
        table = await show_queue(app, pilot)
        table.move_cursor(row=table.get_row_index(str(ids[0])))
        await settle(pilot)
        text = screen_text(app)
        assert "Fix: check the account, then say whether it went out" in text
        table.move_cursor(row=table.get_row_index(str(ids[1])))
        await settle(pilot)
        assert "Fix: publisher accounts set mfa-x --media-url URL" in screen_text(app)

    drive(app_on(), scenario)


def test_each_part_of_a_thread_and_a_first_comment_is_labelled(app_on, demo: Path) -> None:
    ids = schedule(demo)  # the consular alert is a thread of two
    schedule(demo, "flag-day-2026", hours=24 * 8)  # with a first comment

    async def scenario(app, pilot):
        table = await show_queue(app, pilot)
        with queueing.open_queue(open_context(demo)) as queue:
            items = {item.id: item for item in queue.items()}
        reply = next(i for i in ids if items[i].part_no == 2)
        comment = next(i for i, item in items.items() if str(item.part_kind) == "comment")
        assert str(table.get_cell(str(reply), "part")) == "thread 2/2"
        assert str(table.get_cell(str(comment), "part")) == "first comment"
        table.move_cursor(row=table.get_row_index(str(reply)))
        await settle(pilot)
        detail = str(app.screen.query_one("#item-detail").render())
        assert f"({'+'.join(items[reply].locales)}, thread 2/2)" in detail

    drive(app_on(), scenario)
