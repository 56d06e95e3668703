"""The screens fit 100x30 and 120x36 terminals in every interface language: the columns
that decide an action are visible without scrolling, long values are shortened with
"…" and shown whole in the detail line, the footer always shows F10 and the quit key.

Plain-text snapshots of the drafts, queue, schedule and accounts screens live in
``__snapshots__/test_tui_layout/``. After an intended change (or new catalogs):

    pytest -n0 tests/tui/test_tui_layout.py --snapshot-update
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from textual.widgets import DataTable
from tui_helpers import NOW, drive, make_app, screen_text, settle

from publisher.domain.queue import State
from publisher.i18n import _, set_language
from publisher.services import queueing
from publisher.services.context import open_context

SIZES = [(100, 30), (120, 36)]
LANGUAGES = ["en", "sq", "sr"]
SCREENS = ["drafts", "queue", "schedule", "accounts"]
# Screens without a table of their own: their footer must fit all the same.
OTHER_SCREENS = ["calendar", "editor", "translator", "results"]
LONG_TITLE = "Përgëzime për ekipin kombëtar pas fitores në Prishtinë 東京 nga ministria"
LONG_ERROR = ("rejected: the platform says this status duplicates one posted an hour ago "
              "on the same account")


class TextSnapshot(SingleFileSnapshotExtension):
    """One reviewable .txt file per snapshot."""

    _file_extension = "txt"
    _write_mode = WriteMode.TEXT


@pytest.fixture
def text_snapshot(snapshot):
    return snapshot.use_extension(TextSnapshot)


@pytest.fixture
def workspace(demo: Path) -> Path:
    """The demo with a long-titled draft and a queue holding a failed item."""
    (demo / "drafts" / "long-title-draft-for-the-layout-tests.toml").write_text(
        f'title = "{LONG_TITLE}"\nsource = "sq"\ncampaign = "KosovoInEuropeAndTheWorld"\n'
        'accounts = ["mfa-x", "mfa-facebook", "mfa-telegram", "embassy-berlin-bluesky"]\n'
        '[variants.sq]\ntext = """Urime!"""\n', encoding="utf-8")
    context = open_context(demo)
    ids = queueing.schedule(context, "consular-alert-floods", NOW + timedelta(hours=2), now=NOW)
    queueing.schedule(context, "flag-day-2026", NOW + timedelta(days=8), now=NOW)
    with queueing.open_queue(context) as queue:
        queue.move(ids[0], State.QUEUED, State.FAILED, now=NOW, actor="test",
                   last_error=LONG_ERROR)
    return demo


async def show(app, pilot, screen: str) -> None:
    """Open ``screen`` as a person would, and let it settle."""
    if screen == "queue":
        await pilot.press("f3")
    elif screen == "accounts":
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("ctrl+r")  # check the first account's connection
    elif screen == "calendar":
        await pilot.press("f12")
    elif screen == "translator":
        await pilot.press("f4")
    elif screen == "editor":
        await settle(pilot)
        await pilot.press("ctrl+o")  # the selected draft
    elif screen == "results":
        from publisher.services.workspace import fill_demo_results

        fill_demo_results(open_context(app.home).workspace, NOW)
        await pilot.press("ctrl+k")
    elif screen == "schedule":
        from publisher.tui.screens.schedule import ScheduleScreen

        await app.push_screen(ScheduleScreen("consular-alert-floods"))
    for _round in range(3):
        await settle(pilot)
    app.clear_notifications()
    await pilot.pause()


def lines(app) -> list[str]:
    return [line.rstrip() for line in screen_text(app).splitlines()]


def words(app) -> str:
    """The screen's text with its line breaks and runs of spaces made single spaces."""
    return " ".join(screen_text(app).split())


def header_and_rows(app, table_id: str) -> tuple[str, list[str]]:
    """The table's header line and its row lines, as shown (without its scrollbar)."""
    table = app.screen.query_one(table_id, DataTable)
    region = table.scrollable_content_region
    shown = [line[:region.right] for line in screen_text(app).splitlines()]
    top = table.region.y
    return shown[top], shown[top + 1: top + 1 + min(table.row_count, table.region.height - 1)]


# The snapshots


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot(text_snapshot, workspace: Path, screen: str, language: str,
                  size: tuple[int, int]) -> None:
    shown: list[str] = []

    async def scenario(app, pilot):
        await show(app, pilot, screen)
        shown.extend(lines(app))

    drive(make_app(workspace, language), scenario, size)
    assert "\n".join(shown) + "\n" == text_snapshot


# What decides an action is visible (the header and the values)


def visible(header: str, label: str) -> bool:
    return f" {label} " in f" {header} " or f" {label}" in header


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_drafts_show_the_three_badges_and_next_due(workspace: Path, language: str,
                                                   size: tuple[int, int]) -> None:
    async def scenario(app, pilot):
        await show(app, pilot, "drafts")
        header, rows = header_and_rows(app, "#drafts-table")
        for label in ("sq", "en", "sr", _("Next due")):
            assert visible(header, label), (label, header)
        diaspora = next(row for row in rows if row.startswith(" Consular services"))
        assert "sq ✓" in diaspora and "en ✓" in diaspora and "sr ✗" in diaspora
        assert all(len(line) <= size[0] for line in rows)

    drive(make_app(workspace, language), scenario, size)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_queue_shows_state_time_and_error(workspace: Path, language: str,
                                          size: tuple[int, int]) -> None:
    async def scenario(app, pilot):
        await show(app, pilot, "queue")
        header, rows = header_and_rows(app, "#queue-table")
        for label in (_("Your time"), _("State"), _("Why / error")):
            assert visible(header, label), (label, header)
        failed = rows[0]
        assert _("failed") in failed and "12:00" in failed and "rejected: the" in failed
        # Shortened at a word, whole under the table.
        assert "…" in failed and " ".join(LONG_ERROR.split()[:3]) in failed
        assert LONG_ERROR in words(app)

    drive(make_app(workspace, language), scenario, size)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_schedule_shows_score_and_reason(workspace: Path, language: str,
                                         size: tuple[int, int]) -> None:
    async def scenario(app, pilot):
        await show(app, pilot, "schedule")
        header, rows = header_and_rows(app, "#slots")
        for label in (_("Score"), _("Why")):
            assert visible(header, label), (label, header)
        plan = app.screen.plan
        first = plan.options[0].fits[0]
        assert f"{first.score:.2f}" in rows[0]
        shown_why = rows[0].split(f"{first.score:.2f}", 1)[1].strip()
        whole = first.why
        # The reason is whole or cut at a word boundary, never inside a word.
        assert shown_why == whole or (shown_why.endswith("…") and (
            whole[len(shown_why) - 1:][:1] in (" ", ",")
            or whole.startswith(shown_why[:-1] + " ")
            or whole.startswith(shown_why[:-1] + ","))), (shown_why, whole)
        assert whole in words(app)  # the detail line

    drive(make_app(workspace, language), scenario, size)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_accounts_show_the_connection_result(workspace: Path, language: str,
                                             size: tuple[int, int]) -> None:
    async def scenario(app, pilot):
        await show(app, pilot, "accounts")
        header, rows = header_and_rows(app, "#accounts-table")
        assert visible(header, _("Connection")), header
        result = _("ok: {name}").format(name="@berlin_embassy")
        assert result.split(":")[0] + ":" in rows[0], rows[0]
        assert visible(header, _("Status"))

    drive(make_app(workspace, language), scenario, size)


# Long values: shortened with "…", whole in the detail line


def test_a_long_title_is_shortened_and_shown_whole_for_the_selected_row(workspace) -> None:
    async def scenario(app, pilot):
        await show(app, pilot, "drafts")
        table = app.screen.query_one("#drafts-table", DataTable)
        table.move_cursor(row=table.get_row_index("long-title-draft-for-the-layout-tests"))
        await pilot.pause()
        _header, rows = header_and_rows(app, "#drafts-table")
        row = next(row for row in rows if row.startswith(" Përgëzime"))
        assert "…" in row and LONG_TITLE not in row
        detail = words(app)
        assert "long-title-draft-for-the-layout-tests" in detail and LONG_TITLE in detail

    drive(make_app(workspace), scenario, (100, 30))


def test_columns_fit_again_after_a_resize(workspace: Path) -> None:
    async def scenario(app, pilot):
        await show(app, pilot, "queue")
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        header, rows = header_and_rows(app, "#queue-table")
        assert visible(header, "State") and visible(header, "Why / error")
        assert "failed" in rows[0] and "rejected:" in rows[0]
        table = app.screen.query_one("#queue-table", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width

    drive(make_app(workspace), scenario, (200, 50))


# The footer


@pytest.mark.parametrize("screen", SCREENS + OTHER_SCREENS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_footer_always_shows_freeze_and_quit_and_nothing_stray(workspace: Path, screen: str,
                                                              language: str) -> None:
    async def scenario(app, pilot):
        await show(app, pilot, screen)
        footer = lines(app)[-1]
        assert f"f10 {_('Freeze')}" in footer, footer
        assert f"^q {_('Quit')}" in footer, footer
        # Every word is a key or part of its label: nothing drawn over another.
        labels = " ".join(f"{app.get_key_display(binding)} {binding.description}"
                          for _key, binding, _on, _tip in app.screen.active_bindings.values())
        for word in footer.replace("▏", " ").split():
            assert word in labels.split(), (word, footer)

    drive(make_app(workspace, language), scenario, (100, 30))


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")
