"""A first start on a workspace without a drafts index shows every draft by id at
once, then each with its title and badges, without a key."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import drive, make_app, settle

from publisher.services.drafts import QUICK_READS
from publisher.storage.drafts_index import INDEX_PATH


def test_a_first_start_lists_the_drafts_then_reads_them(demo: Path) -> None:
    samples = sorted((demo / "drafts").glob("*.toml"))
    for index in range(QUICK_READS + 1):
        source = samples[index % len(samples)]
        (demo / "drafts" / f"copy-{index:03d}-{source.name}").write_text(source.read_text())
    (demo / INDEX_PATH).unlink(missing_ok=True)
    count = len(samples) + QUICK_READS + 1

    async def scenario(app, pilot):
        # The full read starts on a timer after the quick listing: wait for it (a
        # loaded machine takes longer), up to a bound.
        for _round in range(150):
            await settle(pilot)
            if app.screen.overview.complete:
                break
            await pilot.pause(0.1)
        table = app.screen.query_one("#drafts-table", DataTable)
        assert table.row_count == count
        assert app.screen.overview.complete
        assert str(table.get_cell("flag-day-2026", "title")) == "Flag Day greeting"
        assert str(table.get_cell("diaspora-holiday-consular", "sr")).strip() == "sr ✗"
        assert (demo / INDEX_PATH).is_file()

    drive(make_app(demo), scenario, (140, 40))
