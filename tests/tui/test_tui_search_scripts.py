"""Searches match across the Serbian scripts and Albanian letters typed without marks."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input
from tui_helpers import drive, settle, type_text

from publisher.tui.commands import Palette


def draft_ids(app) -> list[str]:
    grid = app.screen.query_one("#drafts-table", DataTable)
    return [str(grid.coordinate_to_cell_key((row, 0)).row_key.value)
            for row in range(grid.row_count)]


def add_draft(demo: Path, draft_id: str, title: str) -> None:
    text = (demo / "drafts" / "flag-day-2026.toml").read_text()
    lines = [f"title = {title!r}" if line.startswith("title =") else line
             for line in text.splitlines()]
    (demo / "drafts" / f"{draft_id}.toml").write_text("\n".join(lines) + "\n")


def test_drafts_filter_matches_across_scripts_and_diacritics(app_on, demo: Path) -> None:
    add_draft(demo, "kosovo-un", "Косово у УН")
    add_draft(demo, "pergjigje", "Përgjigje për gazetarët")

    async def scenario(app, pilot):
        await settle(pilot)
        field = app.screen.query_one("#filter-text", Input)
        for typed, expected in [("Kosovo u", ["kosovo-un"]), ("pergjigje", ["pergjigje"]),
                                ("призрен", ["prizren-old-town"])]:
            field.value = typed
            await pilot.pause(0.3)
            assert draft_ids(app) == expected, typed

    drive(app_on(), scenario)


def test_palette_finds_latin_commands_typed_in_cyrillic(app_on) -> None:
    async def scenario(app, pilot):
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, Palette)
        await type_text(pilot, "замрз")
        await pilot.pause(0.3)
        hits = [str(option.prompt) for option in app.screen.query_one("CommandList")._options]
        assert any("Zamrzni" in hit for hit in hits), hits

    drive(app_on("sr-Latn"), scenario)
