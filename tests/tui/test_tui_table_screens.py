"""The table views' shared skeleton: workers report by messages, rows that stay are
changed cell by cell (the cursor stays on its row), columns follow the language."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import NOW, SIZE, drive, settle

from publisher.i18n import set_language
from publisher.services import queueing
from publisher.services.context import open_context
from publisher.tui.messages import AccountChecked, Loaded


def table_of(app) -> DataTable:
    return app.screen.query_one(DataTable)


def row_keys(table: DataTable) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


def test_workers_report_to_their_screen_by_messages(app_on) -> None:
    seen: list = []

    async def main() -> None:
        app = app_on()
        async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
            await settle(pilot)
            for key in ("f3", "f4", "f5"):
                await pilot.press(key)
                await settle(pilot)
            table = table_of(app)
            table.move_cursor(row=table.get_row_index("mfa-x"))
            await pilot.press("ctrl+r")
            await settle(pilot)

    try:
        asyncio.run(main())
    finally:
        set_language("en")
    loaded = {type(m.data).__name__ for m in seen if isinstance(m, Loaded)}
    assert {"DraftsOverview", "QueueOverview", "WorkList", "AccountsOverview"} <= loaded
    checked = [m for m in seen if isinstance(m, AccountChecked)]
    assert [(m.account_id, m.result.plain) for m in checked] == [
        ("mfa-x", "ok: @MFAKosovo (demo)")]


def test_a_reload_changes_rows_in_place_and_keeps_the_cursor(app_on, demo: Path) -> None:
    ids = queueing.schedule(open_context(demo), "consular-alert-floods",
                            NOW + timedelta(hours=2), now=NOW)

    async def scenario(app, pilot):
        await pilot.press("f3")
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(row=table.get_row_index(str(ids[3])))
        rows = dict(table.rows)
        queueing.cancel_item(open_context(demo), ids[3], NOW)
        await pilot.press("ctrl+l")  # reload
        await settle(pilot)
        assert row_keys(table) == [str(i) for i in ids]
        assert all(table.rows[key] is row for key, row in rows.items())  # not refilled
        assert str(table.get_cell(str(ids[3]), "state")).strip() == "cancelled"
        assert table.cursor_row == table.get_row_index(str(ids[3]))

    drive(app_on(), scenario)


def test_the_accounts_view_keeps_the_selected_account_across_a_reload(app_on) -> None:
    async def scenario(app, pilot):
        await pilot.press("f5")
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(row=table.get_row_index("mfa-telegram"))
        await pilot.press("ctrl+l")  # reload (also after every freeze and resume)
        await settle(pilot)
        assert row_keys(table)[table.cursor_row] == "mfa-telegram"

    drive(app_on(), scenario)


def test_rows_added_or_gone_fill_the_table_again_in_order(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        table = table_of(app)
        before = row_keys(table)
        (demo / "drafts" / "aaa-first.toml").write_text(
            'title = "First"\nsource = "sq"\n\n[variants.sq]\ntext = "Mirëmëngjes!"\n')
        (demo / "drafts" / "prizren-old-town.toml").unlink()
        await pilot.press("ctrl+r")
        await settle(pilot)
        after = row_keys(table)
        assert "aaa-first" in after and "prizren-old-town" not in after
        assert [key for key in after if key != "aaa-first"] == [
            key for key in before if key != "prizren-old-town"]

    drive(app_on(), scenario)


def test_columns_follow_a_language_switch(app_on) -> None:
    async def scenario(app, pilot):
        await pilot.press("f3")
        await settle(pilot)
        labels = [str(c.label) for c in table_of(app).ordered_columns]
        assert labels[:2] == ["Day", "Your time"]
        await app.switch_language("sq")
        await settle(pilot)
        translated = [str(c.label) for c in table_of(app).ordered_columns]
        assert len(translated) == len(labels) and translated[0] != "Day"
        assert translated[1] == "Ora juaj"

    drive(app_on(), scenario)
