"""The drafts view: badges, filters, new, duplicate, delete with confirmation, approve."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import DataTable, Input
from tui_helpers import drive, screen_text, settle, type_text

from publisher.tui.dialogs import ChoiceDialog, PromptDialog


def table(app) -> DataTable:
    return app.screen.query_one("#drafts-table", DataTable)


def select(app, draft_id: str) -> None:
    grid = table(app)
    grid.move_cursor(row=grid.get_row_index(draft_id))


def keys(app) -> list[str]:
    grid = table(app)
    return [str(grid.coordinate_to_cell_key((row, 0)).row_key.value)
            for row in range(grid.row_count)]


def test_every_draft_is_listed_with_its_locale_badges(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        grid = table(app)
        assert grid.row_count == len(list((demo / "drafts").glob("*.toml")))
        assert str(grid.get_cell("visa-free-anniversary", "en")).strip() == "en ~"  # stale
        assert str(grid.get_cell("diaspora-holiday-consular", "sr")).strip() == "sr ✗"
        assert str(grid.get_cell("flag-day-2026", "sq")).strip() == "sq ✔"  # approved
        assert str(grid.get_cell("independence-day-reception", "sr")).strip() == "–"

    drive(app_on(), scenario)


def test_filters_by_text_campaign_state_and_my_language(app_on) -> None:
    async def scenario(app, pilot):
        await pilot.press("ctrl+f")
        await type_text(pilot, "pri")
        app.screen.query_one("#filter-text", Input).value = "prizren"
        await pilot.pause(0.3)
        assert keys(app) == ["prizren-old-town"]
        app.screen.query_one("#filter-text", Input).value = ""
        await pilot.pause(0.3)
        app.screen.query_one("#filter-campaign").value = "KosovoInUS"
        await pilot.pause()
        assert keys(app) == ["independence-day-reception"]
        app.screen.query_one("#filter-campaign").clear()
        app.screen.query_one("#filter-state").value = "stale"
        await pilot.pause()
        assert keys(app) == ["visa-free-anniversary"]
        app.screen.query_one("#filter-state").clear()
        app.screen.query_one("#filter-mine").value = True  # English: missing or stale en
        await pilot.pause()
        assert keys(app) == ["visa-free-anniversary"]
        await pilot.press("ctrl+l")  # the same switch by key (and in the palette)
        await pilot.pause()
        assert len(keys(app)) == 10  # the 8 sample drafts and the 2 holding statements
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert keys(app) == ["visa-free-anniversary"]

    drive(app_on(), scenario)


def test_needs_my_language_follows_the_interface_language(app_on) -> None:
    async def scenario(app, pilot):
        app.screen.query_one("#filter-mine").value = True
        await pilot.pause()
        assert keys(app) == ["diaspora-holiday-consular"]  # sr missing

    drive(app_on("sr"), scenario)


def test_new_draft_takes_a_title_and_makes_its_file_name(app_on, demo: Path) -> None:
    (demo / "drafts" / "dita-e-flamurit-2027.toml").write_text(
        (demo / "drafts" / "flag-day-2026.toml").read_text())

    async def scenario(app, pilot):
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("!", "enter")
        assert isinstance(app.screen, PromptDialog)  # refused, the dialog says why
        assert "at least one letter" in screen_text(app)
        app.screen.query_one(Input).value = "Dita e Flamurit 2027"
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "EditorScreen"
        assert app.screen.draft_id == "dita-e-flamurit-2027-2"  # the first id is taken

    drive(app_on(), scenario)
    text = (demo / "drafts" / "dita-e-flamurit-2027-2.toml").read_text()
    assert 'title = "Dita e Flamurit 2027"' in text


def test_duplicate_copies_without_approval(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        select(app, "flag-day-2026")
        await pilot.press("ctrl+b")  # tmux takes ctrl+b for itself: ctrl+d does the same
        assert app.screen.query_one(Input).value == "flag-day-2026-copy"
        await pilot.press("escape")
        await pilot.press("ctrl+d")
        assert app.screen.query_one(Input).value == "flag-day-2026-copy"
        await pilot.press("enter")
        await settle(pilot)
        assert "flag-day-2026-copy" in keys(app)

    drive(app_on(), scenario)
    copy = tomllib.loads((demo / "drafts" / "flag-day-2026-copy.toml").read_text())
    assert copy["approved"] is False
    assert copy["variants"]["sq"]["text"].startswith("Gëzuar 28 Nëntorin")


def test_delete_asks_first_and_keeps_a_copy(app_on, demo: Path) -> None:
    path = demo / "drafts" / "prizren-old-town.toml"
    original = path.read_text()

    async def scenario(app, pilot):
        select(app, "prizren-old-town")
        await pilot.press("f8")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # focus starts on Cancel
        await settle(pilot)
        assert path.is_file()
        await pilot.press("f8")
        await pilot.press("tab", "enter")  # Delete
        await settle(pilot)
        assert "prizren-old-town" not in keys(app)

    drive(app_on(), scenario)
    assert not path.exists()
    kept = list((demo / ".publisher-kept").glob("*prizren-old-town.toml"))
    assert [k.read_text() for k in kept] == [original]


def test_approve_updates_the_file_and_the_badges(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        select(app, "prizren-old-town")
        await pilot.press("f7")
        await settle(pilot)
        assert str(table(app).get_cell("prizren-old-town", "sq")).strip() == "sq ✔"

    drive(app_on(), scenario)
    data = tomllib.loads((demo / "drafts" / "prizren-old-town.toml").read_text())
    assert data["approved"] is True
