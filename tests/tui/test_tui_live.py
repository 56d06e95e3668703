"""Live state: every screen follows the workspace as it is now, also when another
process changes it (the cron flush, the CLI, a translator's editor), without a key."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import NOW, clock, screen_text

from publisher.i18n import set_language
from publisher.services import queueing
from publisher.services.context import open_context

WATCH_SECONDS = 0.1  # the tests' poll; the app polls every second


def live_app(home: Path, language: str = "en"):
    from publisher.tui.app import make_app

    app = make_app(home, language=language, clock=clock, cursor_blink=False,
                   watch_seconds=WATCH_SECONDS)
    app.animation_level = "none"
    return app


def run(app, scenario, size=(140, 40)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            assert await follows(pilot, lambda: shown(app, "#drafts-table"))
            await scenario(app, pilot)

    try:
        asyncio.run(main())
    finally:
        set_language("en")


async def publisher(home: Path, *argv: str) -> str:
    """Run ``python -m publisher`` in another process (as cron or a colleague would),
    without blocking the app's event loop; returns its output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "publisher", "--home", str(home), *argv,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=dict(os.environ))
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode in (0, 3, 4), err.decode()
    return out.decode()


async def follows(pilot, condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Whether ``condition`` becomes true within ``seconds`` while the app runs on its own
    (no key is pressed)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def shown(app, table: str) -> bool:
    """Whether the screen shown has the table ``table`` and has read its data (the
    polling workers never all finish: Pilot's waiting for them does not fit)."""
    return bool(app.screen.query(table)) and getattr(app.screen, "data", None) is not None


async def show(app, pilot, key: str, table: str) -> DataTable:
    await pilot.press(key)
    assert await follows(pilot, lambda: shown(app, table))
    return app.screen.query_one(table, DataTable)


def cell(table: DataTable, key: str, column: str) -> str:
    return str(table.get_cell(key, column)).strip()


def at(hours: float) -> str:
    return (NOW + timedelta(hours=hours)).isoformat()


def test_the_queue_shows_a_draft_queued_by_another_process(demo: Path) -> None:
    async def scenario(app, pilot):
        table = await show(app, pilot, "f3", "#queue-table")
        assert table.row_count == 0
        await publisher(demo, "schedule", "consular-alert-floods", "--at", at(2),
                        "--now", NOW.isoformat())
        assert await follows(pilot, lambda: table.row_count == 13), table.row_count

    run(live_app(demo), scenario)


def test_the_queue_follows_a_flush_in_another_process_keeping_the_cursor(demo: Path) -> None:
    ids = queueing.schedule(open_context(demo), "consular-alert-floods",
                            NOW - timedelta(minutes=1), now=NOW - timedelta(minutes=2))
    queueing.schedule(open_context(demo), "flag-day-2026", NOW + timedelta(days=8),
                      now=NOW)

    async def scenario(app, pilot):
        table = await show(app, pilot, "f3", "#queue-table")
        table.move_cursor(row=table.get_row_index(str(ids[2])))
        assert cell(table, str(ids[0]), "state") == "queued"
        await publisher(demo, "flush", "--now", NOW.isoformat())
        assert await follows(pilot, lambda: all(
            cell(table, str(i), "state") == "sent" for i in ids))
        assert app.screen.selected_key() == str(ids[2])
        assert await follows(pilot, lambda: "sent: 13" in screen_text(app)), screen_text(app)

    run(live_app(demo), scenario)


def test_held_items_and_the_banner_follow_a_freeze_and_resume_from_the_cli(demo: Path) -> None:
    ids = queueing.schedule(open_context(demo), "consular-alert-floods", NOW + timedelta(hours=2),
                            now=NOW)

    async def scenario(app, pilot):
        table = await show(app, pilot, "f3", "#queue-table")
        await publisher(demo, "pause", "--all", "--reason", "day of mourning")
        # The next flush holds the items (the CLI's pause does not move them).
        await publisher(demo, "flush", "--now", NOW.isoformat())
        assert await follows(pilot, lambda: "FROZEN" in screen_text(app)
                             and cell(table, str(ids[0]), "state") == "held")
        await show(app, pilot, "f2", "#drafts-table")  # the banner is on every screen
        assert "FROZEN" in screen_text(app)
        await publisher(demo, "resume", "--all")
        assert await follows(pilot, lambda: "FROZEN" not in screen_text(app)), (
            app.freeze, app.workspace_generation, screen_text(app)[:400])
        await pilot.press("f3")
        assert await follows(pilot, lambda: cell(table, str(ids[0]), "state") == "queued"), (
            cell(table, str(ids[0]), "state"), app.screen, app.workspace_generation,
            app.screen._read_generation)

    run(live_app(demo), scenario)


def test_the_drafts_badges_follow_a_draft_file_rewritten_outside(demo: Path) -> None:
    path = demo / "drafts" / "flag-day-2026.toml"

    async def scenario(app, pilot):
        table = app.screen.query_one("#drafts-table", DataTable)
        assert cell(table, "flag-day-2026", "sr") == "sr ✔"
        text = path.read_text(encoding="utf-8")
        start = text.index("[variants.sr]")
        end = text.index("[", start + 1)
        path.write_text(text[:start] + text[end:], encoding="utf-8")  # a translator's editor
        assert await follows(pilot, lambda: cell(table, "flag-day-2026", "sr") == "sr ✗")

    run(live_app(demo), scenario)


def test_the_drafts_next_due_follows_a_schedule_by_another_process(demo: Path) -> None:
    async def scenario(app, pilot):
        table = app.screen.query_one("#drafts-table", DataTable)
        assert cell(table, "consular-alert-floods", "due") == ""
        await publisher(demo, "schedule", "consular-alert-floods", "--at", at(2),
                        "--now", NOW.isoformat())
        assert await follows(pilot, lambda: cell(table, "consular-alert-floods", "due") != "")

    run(live_app(demo), scenario)


def test_a_screen_shown_again_reads_what_changed_while_it_was_hidden(demo: Path) -> None:
    async def scenario(app, pilot):
        table = await show(app, pilot, "f3", "#queue-table")
        queue_screen = app.screen
        await show(app, pilot, "f2", "#drafts-table")
        queueing.schedule(open_context(demo), "consular-alert-floods",
                          NOW + timedelta(hours=2), now=NOW)
        await pilot.press("f3")
        assert app.screen is queue_screen
        assert await follows(pilot, lambda: table.row_count == 13, seconds=3)

    app = live_app(demo)
    run(app, scenario)


def test_the_banner_warns_while_posts_wait_for_a_flush_that_does_not_come(demo: Path) -> None:
    from publisher.services import flush as flushing

    context = open_context(demo)
    queueing.schedule(context, "consular-alert-floods", NOW - timedelta(minutes=3),
                      now=NOW - timedelta(minutes=8))
    flushing.flush(context, clock=lambda: NOW - timedelta(minutes=7))  # nothing due yet

    async def scenario(app, pilot):
        assert await follows(pilot, lambda: "no flush for 7 minutes while posts are due"
                             in screen_text(app)), screen_text(app)
        table = await show(app, pilot, "f3", "#queue-table")
        assert "Last flush Friday, 20 November 2026 09:53: nothing was due." in screen_text(app)
        await publisher(demo, "flush", "--now", NOW.isoformat())
        assert await follows(pilot, lambda: "no flush for" not in screen_text(app))
        assert await follows(pilot, lambda: "10:00: sent: 13." in screen_text(app))
        assert table.row_count == 13

    run(live_app(demo), scenario)


def test_the_accounts_follow_a_pause_set_in_another_process(demo: Path) -> None:
    async def scenario(app, pilot):
        table = await show(app, pilot, "f5", "#accounts-table")
        assert cell(table, "mfa-x", "status") == "ok"
        await publisher(demo, "pause", "--account", "mfa-x", "--reason", "wrong handle")
        assert await follows(pilot, lambda: cell(table, "mfa-x", "status") == "paused")
        assert await follows(pilot, lambda: "mfa-x: paused — fix" in screen_text(app))
        await publisher(demo, "resume", "--account", "mfa-x")
        assert await follows(pilot, lambda: cell(table, "mfa-x", "status") == "ok")

    run(live_app(demo), scenario)


def test_the_calendar_shows_a_post_queued_by_another_process(demo: Path) -> None:
    async def scenario(app, pilot):
        await pilot.press("f12")
        assert await follows(pilot, lambda: getattr(app.screen, "data", None) is not None)
        assert not app.screen.data.posts
        await publisher(demo, "schedule", "consular-alert-floods", "--at", at(2),
                        "--now", NOW.isoformat())
        assert await follows(pilot, lambda: len(app.screen.data.posts) == 13)

    run(live_app(demo), scenario)
