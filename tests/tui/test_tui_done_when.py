"""Issue 7's "Done when", end to end on a demo workspace, by keys alone: a new user
writes a post in three languages, schedules it into a suggested slot, freezes and
resumes the queue, and sees it "published" to the outbox."""

from __future__ import annotations

import asyncio
import json
import tomllib
from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable, SelectionList, TextArea
from tui_helpers import NOW, SIZE, notified, screen_text, settle, type_text, until

from publisher.domain.queue import State
from publisher.i18n import set_language
from publisher.services import queueing
from publisher.services.context import open_context
from publisher.tui.app import make_app
from publisher.tui.dialogs import ChoiceDialog, PromptDialog

TEXTS = {
    "sq": "Gëzuar festat! #DigitalKosovo",
    "en": "Happy holidays! #DigitalKosovo",
    "sr": "Срећни празници! #DigitalKosovo",
}


def items(home: Path) -> list:
    with queueing.open_queue(open_context(home)) as queue:
        return queue.items()



def test_a_new_user_writes_schedules_freezes_resumes_and_publishes(demo: Path) -> None:
    now = [NOW]  # the cron's clock, moved on at the end
    app = make_app(demo, language="en", clock=lambda: now[0], cursor_blink=False,
                   watch_seconds=0)
    app.animation_level = "none"

    async def scenario(pilot) -> None:
        await settle(pilot)
        # A new draft: its title is all it asks.
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, PromptDialog)
        await type_text(pilot, "Winter greeting")
        await pilot.press("enter")
        await settle(pilot)
        editor = app.screen
        assert type(editor).__name__ == "EditorScreen"
        assert editor.draft_id == "winter-greeting"
        # It opens on the accounts to choose, ready for the keyboard.
        accounts = editor.query_one("#field-accounts", SelectionList)
        assert app.focused is accounts
        order = [str(accounts.get_option_at_index(i).value)
                 for i in range(accounts.option_count)]
        await pilot.press(*["down"] * order.index("mfa-facebook"), "space")
        assert list(accounts.selected) == ["mfa-facebook"]
        # The three texts, each with its live counter (Facebook counts all three at once:
        # the demo's page posts them combined).
        for tag in ("sq", "en", "sr"):
            await pilot.press("ctrl+t")
            await settle(pilot)
            area = editor.query_one(f"#text-{tag}", TextArea)
            assert app.focused is area, tag
            counter = editor.query_one(f"#counter-{tag}")
            await type_text(pilot, TEXTS[tag])
            assert area.text == TEXTS[tag]
            typed = ("sq", "en", "sr")[:("sq", "en", "sr").index(tag) + 1]
            used = len("\n\n".join(TEXTS[t] for t in typed))
            assert f"mfa-facebook (Facebook, combined sq+en+sr): {used}/" in str(
                counter.render()), tag
        await pilot.press("ctrl+s")
        await settle(pilot)
        await until(pilot, lambda: notified(app, "Saved winter-greeting"))
        await pilot.press("f7")
        await settle(pilot)
        await until(pilot, lambda: notified(app, "Approved winter-greeting"))
        # Schedule it into the best suggested slot.
        await pilot.press("f6")
        await settle(pilot)
        assert "Next best slots" in screen_text(app)
        slots = app.screen.query_one("#slots", DataTable)
        assert slots.row_count > 0
        first = app.screen.plan.slots[0][1]
        await pilot.press("enter")
        await settle(pilot)
        assert "Queued (see it in the queue: F3):" in screen_text(app)
        [item] = items(demo)
        assert item.due_at == first.at and item.state == State.QUEUED
        assert item.locales == ("sq", "en", "sr")
        # The queue shows it; freeze, with a reason, and the banner follows every view.
        await pilot.press("f3")
        await settle(pilot)
        table = app.screen.query_one("#queue-table", DataTable)
        assert str(table.get_cell(str(item.id), "state")).strip() == "queued"
        await pilot.press("f10")
        assert isinstance(app.screen, PromptDialog)
        await type_text(pilot, "Day of mourning")
        await pilot.press("enter")
        await settle(pilot)
        assert [i.state for i in items(demo)] == [State.HELD]
        for view in ("f2", "f4", "f5", "f3"):
            await pilot.press(view)
            await settle(pilot)
            assert "FROZEN" in screen_text(app) and "Day of mourning" in screen_text(app)
        table = app.screen.query_one("#queue-table", DataTable)
        assert str(table.get_cell(str(item.id), "why")) == "held by the freeze"
        # Resume (the arrows reach the answer), then it is the slot's time: send what is due.
        await pilot.press("f10")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("right", "enter")
        await settle(pilot)
        assert "FROZEN" not in screen_text(app)
        assert [i.state for i in items(demo)] == [State.QUEUED]
        now[0] = first.at + timedelta(minutes=1)
        await pilot.press("ctrl+o")
        await settle(pilot)
        published = "Published winter-greeting on mfa-facebook (sq+en+sr)"
        await until(pilot, lambda: notified(app, published))
        # It stays in view, "sent", with where it went.
        table = app.screen.query_one("#queue-table", DataTable)
        assert str(table.get_cell(str(item.id), "state")).strip() == "sent"
        url = str(table.get_cell(str(item.id), "why"))
        assert url.startswith("file://") and url.endswith(".json")
        assert "outbox/mfa-facebook/pub-" in screen_text(app)  # whole in the detail line

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await scenario(pilot)

    try:
        asyncio.run(main())
    finally:
        set_language("en")
    [sent] = items(demo)
    assert sent.state == State.SENT
    [published] = (demo / "outbox" / "mfa-facebook").glob("*.json")
    record = json.loads(published.read_text(encoding="utf-8"))
    assert record["draft"] == "winter-greeting"
    assert record["text"] == "\n\n".join(TEXTS[tag] for tag in ("sq", "en", "sr"))
    draft = tomllib.loads((demo / "drafts" / "winter-greeting.toml").read_text())
    assert draft["approved"] is True and draft["title"] == "Winter greeting"
    assert {tag: v["text"] for tag, v in draft["variants"].items()} == TEXTS
