"""Who wrote and who cleared a draft in the terminal UI: the editor's lines, the
translator's, F7 with approval steps, and the history panel. Identities other than
the process's own user are passed to the services (the UI is always the process's
own user: ME, who holds no step unless a test gives it one)."""

from __future__ import annotations

import os
import pwd
from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable, TextArea
from tui_helpers import NOW, drive, notified, screen_text, settle, until

from publisher.i18n import format_datetime
from publisher.services import drafts, queueing
from publisher.services.approvals import clearance
from publisher.services.context import open_context

ME = pwd.getpwuid(os.getuid()).pw_name
DRAFT = "prizren-old-town"
EARLIER = NOW - timedelta(hours=3)
LATER = NOW - timedelta(hours=1)


def with_steps(home: Path, desk: str = '"arta", "ilir"', extra: str = "") -> None:
    settings = home / "publisher.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + f'\n[approval]\nsteps = ["desk", "spokesperson"]\n\n'
          f'[people]\ndesk = [{desk}]\nspokesperson = ["drita"]\n{extra}',
        encoding="utf-8")


def approve(home: Path, by: str, at=NOW) -> None:
    drafts.approve(open_context(home), DRAFT, by=by, now=at)


def when(app, moment) -> str:
    """A time as the UI writes it (its language, its zone)."""
    return format_datetime(moment, app.zone)


async def open_editor(app, pilot, draft_id: str = DRAFT) -> None:
    from publisher.tui.screens.editor import EditorScreen

    await app.push_screen(EditorScreen(draft_id))
    await settle(pilot)


def select(app, draft_id: str = DRAFT) -> None:
    grid = app.screen.query_one("#drafts-table", DataTable)
    grid.move_cursor(row=grid.get_row_index(draft_id))


def test_the_editor_shows_two_steps_approved_by_two_people(app_on, demo: Path) -> None:
    with_steps(demo)
    context = open_context(demo)
    loaded = context.drafts.load(DRAFT)
    drafts.save_draft(context, DRAFT, loaded.digest,
                      drafts.DraftEdit(texts={"sq": "Prizreni i vjetër, sot."}),
                      by="ilir", now=EARLIER)
    approve(demo, "arta", EARLIER + timedelta(minutes=5))
    approve(demo, "drita", LATER)

    async def scenario(app, pilot):
        await open_editor(app, pilot)
        app.screen.query_one("#editor-tabs").active = "tab-sq"
        await until(pilot, lambda: "drita" in screen_text(app))
        shown = screen_text(app)
        assert (f"desk: approved by arta, {when(app, EARLIER + timedelta(minutes=5))}"
                in shown)
        assert f"spokesperson: approved by drita, {when(app, LATER)}" in shown
        assert f"sq last changed by ilir, {when(app, EARLIER)}" in shown
        assert "not approved" not in shown

    drive(app_on(), scenario)


def test_a_changed_text_shows_the_approval_withdrawn(app_on, demo: Path) -> None:
    with_steps(demo)
    approve(demo, "arta", EARLIER)

    async def scenario(app, pilot):
        await open_editor(app, pilot)
        app.screen.query_one("#editor-tabs").active = "tab-sq"
        await until(pilot, lambda: "desk: approved by arta" in screen_text(app))
        assert "spokesperson: waiting for drita" in screen_text(app)
        area = app.screen.query_one("#text-sq", TextArea)
        area.load_text("Prizreni, një tekst i ri.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "withdrawn" in screen_text(app))
        shown = screen_text(app)
        assert (f"desk: withdrawn (approved by arta, {when(app, EARLIER)}; the text changed "
                "since)") in shown
        assert f"sq last changed by {ME}, {when(app, NOW)}" in shown

    drive(app_on(), scenario)


def test_f7_by_someone_who_may_not_approve_names_who_may(app_on, demo: Path) -> None:
    with_steps(demo)

    async def scenario(app, pilot):
        select(app)
        await pilot.press("f7")
        await until(pilot, lambda: notified(app, "may not approve"))
        assert notified(app, f"{ME} may not approve the step 'desk' "
                             "(it is approved by arta, ilir)")

    drive(app_on(), scenario)
    context = open_context(demo)  # nothing recorded: both steps still wait
    assert clearance(context, context.drafts.load(DRAFT).draft).pending == [
        "desk", "spokesperson"]


def test_f7_takes_the_step_the_user_may_and_says_what_remains(app_on, demo: Path) -> None:
    with_steps(demo, desk=f'"{ME}"')

    async def scenario(app, pilot):
        await open_editor(app, pilot)
        await pilot.press("f7")
        await until(pilot, lambda: notified(app, "waiting for"))
        assert notified(app, f"Approved step desk of {DRAFT} (by {ME}); "
                             "waiting for: spokesperson")
        await until(pilot, lambda: f"desk: approved by {ME}" in screen_text(app))

    drive(app_on(), scenario)


def test_the_history_panel_lists_approvals_and_queue_moves_by_login(app_on,
                                                                    demo: Path) -> None:
    with_steps(demo)
    approve(demo, "arta", EARLIER)
    approve(demo, "drita", LATER)
    queueing.schedule(open_context(demo), DRAFT, NOW + timedelta(days=20), now=NOW,
                      actor="drita")

    def rows(app) -> list[tuple[str, ...]]:
        grid = app.screen.query_one("#history-table", DataTable)
        return [tuple(str(cell) for cell in grid.get_row_at(index))
                for index in range(grid.row_count)]

    async def scenario(app, pilot):
        from publisher.tui.screens.history import HistoryScreen

        select(app)
        await pilot.press("ctrl+y")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen)
                    and rows(app))
        lines = rows(app)
        assert lines[-2:] == [(when(app, LATER), "drita", "approved step spokesperson"),
                              (when(app, EARLIER), "arta", "approved step desk")]
        assert all(line[:2] == (when(app, NOW), "drita") for line in lines[:-2])
        assert any(line[2].startswith("item ") for line in lines[:-2])
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HistoryScreen)
        # The editor opens it too (F8), on the draft it shows.
        await open_editor(app, pilot)
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and rows(app))
        assert rows(app) == lines
        await pilot.press("escape")
        await settle(pilot)
        assert "Editor" in screen_text(app)

    drive(app_on(), scenario)


def test_the_translator_shows_who_changed_the_language_and_its_step(app_on,
                                                                   demo: Path) -> None:
    (demo / "drafts" / "aaa-first.toml").write_text(
        'title = "First"\nsource = "sq"\naccounts = ["mfa-telegram"]\n\n'
        '[variants.sq]\ntext = "Mirëmëngjes nga Prishtina!"\n', encoding="utf-8")
    settings = demo / "publisher.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + '\n[approval]\nlanguages.sr = ["vesna"]\n', encoding="utf-8")
    context = open_context(demo)
    drafts.save_draft(context, "aaa-first", context.drafts.load("aaa-first").digest,
                      drafts.DraftEdit(texts={"sr": "Добро јутро!"}), by="marko", now=EARLIER)
    drafts.save_draft(context, "aaa-first", context.drafts.load("aaa-first").digest,
                      drafts.DraftEdit(texts={"sq": "Mirëmbrëma nga Prishtina!"}), by="arta",
                      now=LATER)  # sr is stale now

    async def scenario(app, pilot):
        await pilot.press("f4")
        await settle(pilot)
        app.screen.query_one("#locale-select").value = "sr"
        await until(pilot, lambda: "First" in screen_text(app)
                    and "marko" in screen_text(app))
        assert (f"sr last changed by marko, {when(app, EARLIER)} · "
                "sr awaits its language approval (vesna)") in screen_text(app)

    drive(app_on(), scenario)
