"""The Results screen (ctrl+k): each account in each language with its posts and mean
interactions against the account's, the selected account's realised week beside its
profile, and its best and latest posts; an empty workspace says how results come."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import NOW, drive, screen_text, settle

from publisher.services.context import open_context
from publisher.services.report import build_report
from publisher.services.workspace import fill_demo_results


def with_results(home: Path) -> None:
    fill_demo_results(open_context(home).workspace, NOW)


async def show_results(app, pilot) -> DataTable:
    await pilot.press("ctrl+k")
    await settle(pilot)
    return app.screen.query_one("#results-table", DataTable)


def test_results_list_each_account_in_each_language(app_on, demo) -> None:
    with_results(demo)
    report = build_report(open_context(demo))
    expected = {(s.account_id, s.locale): s for s in report.by_account_locale}
    assert ("embassy-berlin-bluesky", "sq") in expected  # the demo's diaspora account

    async def scenario(app, pilot):
        table = await show_results(app, pilot)
        assert table.row_count == len(expected)
        key = "embassy-berlin-bluesky\tsq"
        table.move_cursor(row=table.get_row_index(key))
        await settle(pilot)
        cells = app.screen.selected_cells()
        summary = expected[("embassy-berlin-bluesky", "sq")]
        assert cells["posts"] == str(summary.posts)
        # Albanian does better than the account's mean on the Berlin account.
        assert cells["against"].plain.startswith("+")
        text = screen_text(app)
        assert "embassy-berlin-bluesky: interactions by hour (Europe/Berlin)" in text
        assert "the profile it is scheduled by" in text
        assert f"{summary.posts} posts in sq" in text
        assert "best:" in text and "latest:" in text

    drive(app_on(), scenario)


def test_results_without_readings_say_how_they_come(app_on) -> None:
    async def scenario(app, pilot):
        table = await show_results(app, pilot)
        assert table.row_count == 0
        assert "No results yet" in screen_text(app)
        assert "publisher metrics collect" in screen_text(app)

    drive(app_on(), scenario)


def test_results_numbers_follow_the_interface_language(app_on, demo) -> None:
    from publisher.i18n import set_language
    from publisher.tui.screens.results import number

    with_results(demo)
    summary = build_report(open_context(demo)).by_account_locale[0]

    async def scenario(app, pilot):
        table = await show_results(app, pilot)
        table.move_cursor(row=0)
        await settle(pilot)
        assert app.screen.selected_cells()["mean"] == number(summary.mean_interactions)
        print(screen_text(app))

    drive(app_on("sq"), scenario)
    set_language("sq")
    try:
        assert number(12.5) == "12,5"  # Albanian writes a decimal comma
    finally:
        set_language("en")
