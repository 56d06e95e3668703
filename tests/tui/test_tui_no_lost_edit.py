"""No lost edit: quitting or leaving with unsaved changes asks Save / Discard / Cancel,
fields keep their text when tabbed into, an empty title is refused, and every dialog that
changes something starts on its safe answer and says what Enter does."""

from __future__ import annotations

import os
import signal
import tomllib
from pathlib import Path

from textual.widgets import DataTable, Input, TextArea
from tui_helpers import NOW, drive, notified, screen_text, settle, until

from publisher.services import queueing
from publisher.services.context import open_context
from publisher.tui.dialogs import ChoiceDialog

DRAFT = "prizren-old-town"


def draft_file(home: Path) -> Path:
    return home / "drafts" / f"{DRAFT}.toml"


def english(home: Path) -> str:
    return tomllib.loads(draft_file(home).read_text())["variants"]["en"]["text"]


async def edit_english(app, pilot, text: str = "Unsaved words") -> None:
    from publisher.tui.screens.editor import EditorScreen

    await app.push_screen(EditorScreen(DRAFT))
    await settle(pilot)
    app.screen.query_one("#text-en", TextArea).load_text(text)
    await pilot.pause()


def answers(dialog: ChoiceDialog) -> list[str]:
    return [key for key, _label, _variant in dialog.choices]


async def quit_and_answer(app, pilot, answer: str) -> None:
    await pilot.press("ctrl+q")
    await pilot.pause()
    assert isinstance(app.screen, ChoiceDialog)
    assert answers(app.screen) == ["cancel", "discard", "save"]
    assert app.screen.focused.id == "choice-cancel"  # the safe answer
    app.screen.query_one(f"#choice-{answer}").press()
    await settle(pilot)


def test_quit_with_unsaved_changes_asks_and_enter_stays(app_on, demo: Path) -> None:
    before = draft_file(demo).read_text()

    async def scenario(app, pilot):
        await edit_english(app, pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert "Enter: stay in publisher" in screen_text(app)
        assert DRAFT in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.return_code is None  # still running
        assert app.screen.query_one("#text-en", TextArea).text == "Unsaved words"

    drive(app_on(), scenario)
    assert draft_file(demo).read_text() == before


def test_quit_and_save_writes_the_draft_then_quits(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        await edit_english(app, pilot)
        await quit_and_answer(app, pilot, "save")
        assert app.return_code == 0

    drive(app_on(), scenario)
    assert english(demo) == "Unsaved words"


def test_quit_and_discard_quits_without_writing(app_on, demo: Path) -> None:
    before = draft_file(demo).read_text()

    async def scenario(app, pilot):
        await edit_english(app, pilot)
        await quit_and_answer(app, pilot, "discard")
        assert app.return_code == 0

    drive(app_on(), scenario)
    assert draft_file(demo).read_text() == before


def test_quit_from_another_view_and_from_the_palette_asks_too(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        await edit_english(app, pilot)
        await pilot.press("f3")  # the editor waits in the drafts view
        await settle(pilot)
        quit_command = next(command for command in app.get_system_commands(app.screen)
                            if command.title == "Quit")
        quit_command.callback()
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # Cancel
        await settle(pilot)
        assert app.return_code is None
        await quit_and_answer(app, pilot, "save")
        assert app.return_code == 0

    drive(app_on(), scenario)
    assert english(demo) == "Unsaved words"


def test_quit_with_nothing_unsaved_quits_at_once(app_on) -> None:
    async def scenario(app, pilot):
        from publisher.tui.screens.editor import EditorScreen

        await app.push_screen(EditorScreen(DRAFT))
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code == 0

    drive(app_on(), scenario)


def test_quit_with_an_unsaved_translation_asks_and_saves_it(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        await pilot.press("f4")
        await settle(pilot)
        app.screen.query_one("#locale-select").value = "sr"
        await settle(pilot)
        app.screen.query_one("#target-text", TextArea).load_text("Услуге за дијаспору.")
        await pilot.pause()
        await quit_and_answer(app, pilot, "save")
        assert app.return_code == 0

    drive(app_on(), scenario)
    [saved] = [path for path in (demo / "drafts").glob("*.toml")
               if "Услуге за дијаспору." in path.read_text()]
    assert tomllib.loads(saved.read_text())["variants"]["sr"]["text"] == "Услуге за дијаспору."


def test_leaving_the_editor_offers_save(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        await edit_english(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert answers(app.screen) == ["cancel", "discard", "save"]
        assert app.screen.focused.id == "choice-cancel"
        assert "Enter: keep editing" in screen_text(app)
        app.screen.query_one("#choice-save").press()
        await settle(pilot)
        assert type(app.screen).__name__ == "DraftsScreen"

    drive(app_on(), scenario)
    assert english(demo) == "Unsaved words"


def test_a_closed_terminal_keeps_the_unsaved_edits_in_a_file(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        await edit_english(app, pilot, "Words typed before the terminal closed")
        assert signal.SIGHUP in app.hangup_signals  # or the signal would end the tests
        os.kill(os.getpid(), signal.SIGHUP)
        await pilot.pause(0.2)
        await settle(pilot)
        assert app.return_code is not None

    drive(app_on(), scenario)
    [kept] = (demo / ".publisher-kept").glob(f"*{DRAFT}-unsaved.txt")
    assert "Words typed before the terminal closed" in kept.read_text()


def test_tabbing_into_a_field_does_not_select_its_text(app_on) -> None:
    async def scenario(app, pilot):
        from publisher.tui.screens.editor import EditorScreen

        await app.push_screen(EditorScreen(DRAFT))
        await settle(pilot)
        app.screen.query_one("#editor-tabs").active = "tab-details"
        await settle(pilot)
        title = app.screen.query_one("#field-title", Input)
        before = title.value
        title.focus()
        await pilot.pause()
        await pilot.press("X")
        assert title.value.startswith(before[:-1]) and "X" in title.value
        assert title.value != "X"
        for field in app.query(Input):
            assert not field.select_on_focus, field.id

    drive(app_on(), scenario)


def test_an_empty_title_is_refused_on_save(app_on, demo: Path) -> None:
    before = draft_file(demo).read_text()

    async def scenario(app, pilot):
        from publisher.tui.screens.editor import EditorScreen

        await app.push_screen(EditorScreen(DRAFT))
        await settle(pilot)
        app.screen.query_one("#editor-tabs").active = "tab-details"
        await settle(pilot)
        app.screen.query_one("#field-title", Input).value = "   "
        await pilot.press("ctrl+s")
        await settle(pilot)
        await until(pilot, lambda: notified(app, "the title cannot be empty"))

    drive(app_on(), scenario)
    assert draft_file(demo).read_text() == before


def test_resume_starts_on_keep_frozen_and_says_what_enter_does(app_on, demo: Path) -> None:
    queueing.pause(open_context(demo), None, "crisis", NOW)

    async def scenario(app, pilot):
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.focused.id == "choice-no"
        assert "Enter: keep frozen" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)

    drive(app_on(), scenario)
    assert queueing.queue_overview(open_context(demo)).freeze is not None


def test_delete_a_draft_starts_on_keep_and_says_what_enter_does(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        table = app.screen.query_one("#drafts-table", DataTable)
        table.move_cursor(row=table.get_row_index(DRAFT))
        await pilot.press("f8")
        await pilot.pause()
        assert app.screen.focused.id == "choice-no"
        assert "Enter: keep the draft" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)

    drive(app_on(), scenario)
    assert draft_file(demo).exists()
