"""The crisis kit in the terminal UI: retract and correct everywhere from the queue and
the drafts, the Crisis screen's holding statements (filled with a live preview, then
sent) and its unknown items (resolved either way)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable, Input
from tui_helpers import NOW, drive, notified, screen_text, settle, until

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
        screen.query_one("#value-place--sr", Input).value = "Скопљу"  # Serbian's own
        await settle(pilot)
        assert "Скопљу" in str(screen.query_one("#preview-sr").render())
        assert "Скопљу" not in str(screen.query_one("#preview-en").render())

    drive(app_on(), scenario)


def test_the_consular_statement_is_filled_and_sent_to_every_account(app_on, demo) -> None:
    async def scenario(app, pilot):
        screen = await show_crisis(app, pilot)
        for name, value in (("place", "Skopje"), ("place--sr", "Скопљу"),
                            ("hotline", "+383 38 213 444"), ("time", "14:00")):
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
    assert any("Скопљу" in p.read_text(encoding="utf-8") for p in records)


def test_correct_from_the_drafts_after_an_edit_brings_every_post_to_the_new_text(
        app_on, demo) -> None:
    publish(demo)
    path = demo / "drafts" / f"{SENT_DRAFT}.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "24/7 emergency line: +383 38 213 444.", "24/7 emergency line: +383 38 213 445."),
        encoding="utf-8")
    before = {p.name for p in outbox(demo, "*.json")}

    async def scenario(app, pilot):
        table = app.screen.query_one("#drafts-table", DataTable)
        table.move_cursor(row=table.get_row_index(SENT_DRAFT))
        await pilot.press("ctrl+e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PlanDialog)
        assert dialog.focused.id == "plan-cancel"
        shown = screen_text(app)
        assert "Correct consular-alert-floods everywhere?" in shown
        assert "edit" in shown or "repost" in shown
        await pilot.click("#plan-act")
        await settle(pilot)
        await until(pilot, lambda: notified(app, "Corrected consular-alert-floods"))

    drive(app_on(), scenario, size=(160, 50))
    new = [p for p in outbox(demo, "*.json") if p.name not in before]
    assert any("213 445" in p.read_text(encoding="utf-8") for p in new)


def unknown_item(home: Path) -> int:
    """An item a crash left ``unknown`` (claimed, then never heard of)."""
    context = open_context(home)
    ids = queueing.schedule(context, "flag-day-2026", NOW + timedelta(days=8), now=NOW)
    with queueing.open_queue(context) as queue:
        queue.move(ids[0], State.QUEUED, State.SENDING, now=NOW, actor="flush")
        queue.move(ids[0], State.SENDING, State.UNKNOWN, now=NOW, actor="flush")
    return ids[0]


def post_in_outbox(home: Path, item_id: int) -> str:
    """What the platform has: the outbox's record of the item. Its URL."""
    from publisher.platforms.base import Post
    from publisher.platforms.outbox.adapter import OutboxAdapter

    context = open_context(home)
    with queueing.open_queue(context) as queue:
        item = queue.get(item_id)
    assert item is not None
    adapter = OutboxAdapter(home / "outbox", item.account_id)
    published = adapter.publish(Post(context.accounts[item.account_id], item.text,
                                     item.locales), item.idempotency_key)
    assert published.url is not None
    return published.url


def state_of(home: Path, item_id: int) -> State:
    return next(i.state for i in items(home) if i.id == item_id)


def test_an_unknown_item_that_went_out_is_resolved_with_its_url(app_on, demo) -> None:
    from publisher.services.corrections import login_name
    from publisher.tui.dialogs import PromptDialog

    item_id = unknown_item(demo)
    url = post_in_outbox(demo, item_id)

    async def scenario(app, pilot):
        screen = await show_crisis(app, pilot)
        table = screen.query_one("#unknown-table", DataTable)
        assert table.row_count == 1 and str(item_id) in screen_text(app)
        table.focus()
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        app.screen.query_one("#prompt-input", Input).value = url
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: notified(app, "the platform confirmed it"))
        assert screen.query_one("#unknown-table", DataTable).row_count == 0

    drive(app_on(), scenario, size=(160, 50))
    assert state_of(demo, item_id) == State.SENT
    with queueing.open_queue(open_context(demo)) as queue:
        assert queue.history(item_id)[-1].actor == login_name()


def test_an_unknown_item_that_did_not_go_out_is_queued_again(app_on, demo) -> None:
    item_id = unknown_item(demo)

    async def scenario(app, pilot):
        screen = await show_crisis(app, pilot)
        screen.query_one("#unknown-table", DataTable).focus()
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.focused.id == "choice-no"
        await pilot.click("#choice-yes")
        await settle(pilot)
        await until(pilot, lambda: notified(app, "is queued again"))

    drive(app_on(), scenario, size=(160, 50))
    assert state_of(demo, item_id) == State.QUEUED


def test_correct_plans_again_with_the_way_chosen_for_an_account(app_on, demo) -> None:
    publish(demo)
    path = demo / "drafts" / f"{SENT_DRAFT}.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "24/7 emergency line: +383 38 213 444.", "24/7 emergency line: +383 38 213 445."),
        encoding="utf-8")

    async def scenario(app, pilot):
        table = app.screen.query_one("#drafts-table", DataTable)
        table.move_cursor(row=table.get_row_index(SENT_DRAFT))
        await pilot.press("ctrl+e")
        await settle(pilot)
        way = app.screen.query(".plan-way Select").first()
        account = str(way.id).removeprefix("way-")
        way.value = "repost"
        await pilot.click("#plan-again")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PlanDialog) and dialog.how == {account: "repost"}
        plan = dialog.query_one("#plan-table", DataTable)
        rows = [plan.get_row_at(i) for i in range(plan.row_count)]
        assert {str(r[4]) for r in rows if r[0] == account} == {"repost"}
        await pilot.click("#plan-cancel")
        await settle(pilot)

    drive(app_on(), scenario, size=(160, 50))


def test_a_statement_goes_through_the_freeze_only_when_ticked(app_on, demo) -> None:
    queueing.pause(open_context(demo), None, "day of mourning", NOW)

    async def scenario(app, pilot):
        screen = await show_crisis(app, pilot)
        assert screen.query_one("#through-freeze").display
        for name, value in (("place", "Skopje"), ("hotline", "+383 38 213 444"),
                            ("time", "14:00")):
            screen.query_one(f"#value-{name}", Input).value = value
        await settle(pilot)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: app.screen.query("#choice-yes"))
        await pilot.click("#choice-yes")
        await settle(pilot)
        await until(pilot, lambda: notified(app, "frozen"))
        assert not [i for i in items(demo) if i.draft_id.startswith(f"{CONSULAR}-")]
        screen.query_one("#through-freeze").value = True
        await pilot.press("ctrl+g")
        await until(pilot, lambda: app.screen.query("#choice-yes"))
        await pilot.click("#choice-yes")
        await settle(pilot)

    drive(app_on(), scenario, size=(160, 50))
    made = [i for i in items(demo) if i.draft_id.startswith(f"{CONSULAR}-")]
    assert made and {i.state for i in made} == {State.SENT}
