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


# The Crisis screen

CONSULAR = "holding-consular-emergency"


async def show_crisis(app, pilot):
    await pilot.press("f11")
    await settle(pilot)
    from publisher.tui.screens.crisis import CrisisScreen

    assert isinstance(app.screen, CrisisScreen)
    table = app.screen.query_one("#statements", DataTable)
    table.move_cursor(row=table.get_row_index(CONSULAR))
    await settle(pilot)
    return app.screen


def test_the_preview_follows_the_values_typed(app_on, demo) -> None:
    async def scenario(app, pilot):
        screen = await show_crisis(app, pilot)
        assert "{place}" in str(screen.query_one("#preview-en").render())
        assert "no value for {place}" in str(screen.query_one("#refusals").render())
        assert screen.query_one("#crisis-send-now").disabled
        await pilot.click("#value-place")
        await pilot.press(*"Skopje")
        await settle(pilot)
        assert "Skopje" in str(screen.query_one("#preview-en").render())
        assert "Skopje" in str(screen.query_one("#preview-sq").render())
        assert "{place}" not in str(screen.query_one("#refusals").render())
        assert "characters" in str(screen.query_one("#counter-en").render())

    drive(app_on(), scenario)


def test_the_consular_statement_is_filled_and_sent_to_every_account(app_on, demo) -> None:
    async def scenario(app, pilot):
        screen = await show_crisis(app, pilot)
        for name, value in (("place", "Skopje"), ("hotline", "+383 38 213 444"),
                            ("time", "14:00")):
            screen.query_one(f"#value-{name}", Input).value = value
        await settle(pilot)
        assert not str(screen.query_one("#refusals").render()).strip()
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.screen.focused.id == "choice-no"  # asks first; Enter keeps it
        await pilot.click("#choice-yes")
        await settle(pilot)
        assert any("Made draft holding-consular-emergency-" in n.message
                   for n in app._notifications)

    drive(app_on(), scenario, size=(160, 50))
    made = [i for i in items(demo) if i.draft_id.startswith(f"{CONSULAR}-")]
    assert made and {i.state for i in made} == {State.SENT}
    records = outbox(demo, "*.json")
    assert {i.account_id for i in made} == {p.parent.name for p in records}
    assert any("+383 38 213 444" in p.read_text(encoding="utf-8") for p in records)
