"""The crisis kit in the terminal UI: retract and correct everywhere from the queue and
the drafts, the Crisis screen's holding statements (filled with a live preview, then
sent) and its unknown items (resolved either way)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable, Input
from tui_helpers import NOW, clock, drive, screen_text, settle

from publisher.domain.queue import State
from publisher.services import flush as flushing
from publisher.services import queueing
from publisher.services.context import open_context
from publisher.tui.corrections import PlanDialog

SENT_DRAFT = "consular-alert-floods"


def publish(home: Path, draft_id: str = SENT_DRAFT) -> list[int]:
    """The draft sent through the demo's outbox accounts, an hour ago."""
    context = open_context(home)
    earlier = NOW - timedelta(hours=1)
    ids = queueing.schedule(context, draft_id, earlier, now=earlier - timedelta(minutes=5))
    flushing.flush(context, clock=lambda: earlier)
    return ids


def items(home: Path) -> list:
    with queueing.open_queue(open_context(home)) as queue:
        return queue.items(steps=True)


def outbox(home: Path, pattern: str) -> list[Path]:
    return sorted((home / "outbox").rglob(pattern))


async def show_queue(app, pilot) -> DataTable:
    await pilot.press("f3")
    await settle(pilot)
    return app.screen.query_one("#queue-table", DataTable)


def test_retract_from_the_queue_shows_the_plan_and_deletes_everywhere(app_on, demo) -> None:
    ids = publish(demo)
    sent = [i for i in items(demo) if i.state == State.SENT]
    assert sent and not outbox(demo, "*.deleted.json")

    async def scenario(app, pilot):
        table = await show_queue(app, pilot)
        table.move_cursor(row=table.get_row_index(str(ids[0])))
        await pilot.press("ctrl+x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PlanDialog)
        assert dialog.focused.id == "plan-cancel"  # Enter alone does nothing
        plan = dialog.query_one("#plan-table", DataTable)
        assert plan.row_count == len(sent)
        assert "delete" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert not outbox(demo, "*.deleted.json")
        await pilot.press("ctrl+x")
        await settle(pilot)
        app.screen.query_one("#plan-reason", Input).value = "wrong hotline"
        await pilot.click("#plan-act")
        await settle(pilot)
        assert any("Retracted consular-alert-floods" in n.message
                   for n in app._notifications)

    drive(app_on(), scenario)
    assert len(outbox(demo, "*.deleted.json")) == len(sent)
    deletions = [i for i in items(demo) if i.is_step]
    assert {i.state for i in deletions} == {State.SENT}
