"""How the main screens look, in English and Albanian (SVG snapshots, pytest-textual-snapshot).

Update after an intended change of appearance or of the catalogs:
``pytest tests/tui/test_tui_snapshots.py --snapshot-update``, then look at the SVGs.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from tui_helpers import NOW, SIZE, make_app, settle

from publisher.i18n import set_language
from publisher.services import queueing
from publisher.services.context import open_context

LANGUAGES = ["en", "sq"]


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


def snapshot(snap_compare, home: Path, language: str, steps) -> bool:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await steps(pilot.app, pilot)
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return snap_compare(make_app(home, language), terminal_size=SIZE, run_before=run_before)


async def nothing(app, pilot) -> None:
    pass


@pytest.mark.parametrize("language", LANGUAGES)
def test_drafts(snap_compare, demo: Path, language: str) -> None:
    assert snapshot(snap_compare, demo, language, nothing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_editor(snap_compare, demo: Path, language: str) -> None:
    async def steps(app, pilot):
        from publisher.tui.screens.editor import EditorScreen

        await app.push_screen(EditorScreen("flag-day-2026"))

    assert snapshot(snap_compare, demo, language, steps)


@pytest.mark.parametrize("language", LANGUAGES)
def test_queue_frozen(snap_compare, demo: Path, language: str) -> None:
    context = open_context(demo)
    queueing.schedule(context, "consular-alert-floods", NOW + timedelta(hours=3), now=NOW)
    queueing.pause(context, None, "day of mourning", NOW)

    async def steps(app, pilot):
        await pilot.press("f3")

    assert snapshot(snap_compare, demo, language, steps)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translator(snap_compare, demo: Path, language: str) -> None:
    async def steps(app, pilot):
        await pilot.press("f4")
        await settle(pilot)
        app.screen.query_one("#locale-select").value = "en"

    assert snapshot(snap_compare, demo, language, steps)


@pytest.mark.parametrize("language", LANGUAGES)
def test_accounts(snap_compare, demo: Path, language: str) -> None:
    async def steps(app, pilot):
        await pilot.press("f5")

    assert snapshot(snap_compare, demo, language, steps)


@pytest.mark.parametrize("language", LANGUAGES)
def test_schedule(snap_compare, demo: Path, language: str) -> None:
    async def steps(app, pilot):
        from publisher.tui.screens.schedule import ScheduleScreen

        await app.push_screen(ScheduleScreen("consular-alert-floods"))

    assert snapshot(snap_compare, demo, language, steps)


@pytest.mark.parametrize("language", LANGUAGES)
def test_crisis(snap_compare, demo: Path, language: str) -> None:
    async def steps(app, pilot):
        await pilot.press("f11")
        await settle(pilot)
        table = app.screen.query_one("#statements")
        table.move_cursor(row=table.get_row_index("holding-consular-emergency"))
        await settle(pilot)
        app.screen.query_one("#value-place").value = "Skopje"

    assert snapshot(snap_compare, demo, language, steps)


@pytest.mark.parametrize("language", LANGUAGES)
def test_results(snap_compare, demo: Path, language: str) -> None:
    from publisher.services.workspace import fill_demo_results

    fill_demo_results(open_context(demo).workspace, NOW)

    async def steps(app, pilot):
        await pilot.press("ctrl+k")
        await settle(pilot)
        table = app.screen.query_one("#results-table")
        table.move_cursor(row=table.get_row_index("embassy-berlin-bluesky\tsq"))
        await settle(pilot)

    assert snapshot(snap_compare, demo, language, steps)
