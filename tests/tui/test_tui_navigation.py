"""Navigation and help: F2 reaches the drafts from every screen, Esc goes back one level
(and harms nothing on a view), F1 lists the keys of the screen in the interface language,
and nothing of Textual's own shows up in English."""

from __future__ import annotations

from textual.command import CommandList
from textual.widgets import DataTable, TextArea
from tui_helpers import drive, screen_text, settle

from publisher.tui.dialogs import ChoiceDialog


def screen_name(app) -> str:
    return type(app.screen).__name__


async def open_editor(app, pilot, draft_id: str = "prizren-old-town") -> None:
    from publisher.tui.screens.editor import EditorScreen

    await app.push_screen(EditorScreen(draft_id))
    await settle(pilot)


def test_f2_goes_to_the_drafts_from_the_editor_and_the_schedule(app_on) -> None:
    async def scenario(app, pilot):
        await open_editor(app, pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert screen_name(app) == "DraftsScreen"
        await pilot.press("f6")  # the schedule of the selected draft
        await settle(pilot)
        assert screen_name(app) == "ScheduleScreen"
        await pilot.press("f2")
        await settle(pilot)
        assert screen_name(app) == "DraftsScreen"
        for view in ("f3", "f4", "f5"):
            await pilot.press(view, "f2")
            await settle(pilot)
            assert screen_name(app) == "DraftsScreen", view

    drive(app_on(), scenario)


def test_f2_from_an_editor_with_changes_asks_first(app_on) -> None:
    async def scenario(app, pilot):
        await open_editor(app, pilot)
        app.screen.query_one("#text-en", TextArea).load_text("Unsaved words")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # Cancel: keep editing
        await settle(pilot)
        assert screen_name(app) == "EditorScreen"
        assert app.screen.query_one("#text-en", TextArea).text == "Unsaved words"
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one("#choice-discard").press()
        await settle(pilot)
        assert screen_name(app) == "DraftsScreen"

    drive(app_on(), scenario)


def test_escape_on_a_view_harms_nothing_and_leaves_the_filter(app_on) -> None:
    async def scenario(app, pilot):
        for view, name in (("f3", "QueueScreen"), ("f4", "TranslatorScreen"),
                           ("f5", "AccountsScreen"), ("f12", "CalendarScreen"),
                           ("f2", "DraftsScreen")):
            await pilot.press(view)
            await settle(pilot)
            await pilot.press("escape", "escape")
            await settle(pilot)
            assert screen_name(app) == name
            assert app.return_code is None
        await pilot.press("ctrl+f")
        assert app.focused.id == "filter-text"
        await pilot.press("escape")
        assert isinstance(app.focused, DataTable)

    drive(app_on(), scenario)


def test_f1_lists_the_keys_of_the_screen_and_escape_closes_it(app_on) -> None:
    from publisher.tui.screens.help import HelpScreen

    async def scenario(app, pilot):
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for shown in ("Queue", "ctrl+g", "Publish now", "Send the selected item now",
                      "F8", "Cancel item", "F2", "Drafts", "ctrl+q", "Quit"):
            assert shown in text, shown
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "QueueScreen"
        # In the editor, its own keys.
        await pilot.press("f2")
        await open_editor(app, pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert "Write the Serbian Latin text by hand" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "EditorScreen"

    drive(app_on(), scenario)


def test_the_keys_panel_is_the_help_screen_and_closes_with_escape(app_on) -> None:
    from publisher.tui.screens.help import HelpScreen

    async def scenario(app, pilot):
        keys = next(command for command in app.get_system_commands(app.screen)
                    if command.title == "Keys")
        keys.callback()
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "DraftsScreen"
        assert not app.screen.query("HelpPanel")

    drive(app_on(), scenario)


def test_help_shows_nothing_untranslated(app_on, marked_catalog) -> None:
    async def scenario(app, pilot):
        await app.switch_language("sq")
        await settle(pilot)
        for view in ("f2", "f3", "f4", "f5", "f12"):
            await pilot.press(view)
            await settle(pilot)
            await pilot.press("f1")
            await settle(pilot)
            help_lines = [line for line in screen_text(app).splitlines()
                          if "·" in line and "publisher" not in line]
            assert help_lines, view
            for line in help_lines:
                assert "«" in line, line
            await pilot.press("escape")
            await settle(pilot)

    drive(app_on(), scenario)


def test_the_palette_shows_nothing_untranslated(app_on, marked_catalog) -> None:
    async def scenario(app, pilot):
        await app.switch_language("sq")
        await settle(pilot)
        for view in ("f2", "f3", "f4", "f5", "f12"):
            await pilot.press(view)
            await settle(pilot)
            await pilot.press("ctrl+p")
            await pilot.pause(0.5)
            entries = app.screen.query_one(CommandList)
            titles = [str(entries.get_option_at_index(i).prompt).splitlines()[0]
                      for i in range(entries.option_count)]
            assert titles, view
            for title in titles:
                assert title.startswith("«"), title
            await pilot.press("escape")
            await settle(pilot)

    drive(app_on(), scenario)


def test_ctrl_c_says_how_to_quit_in_the_interface_language(app_on, marked_catalog) -> None:
    async def scenario(app, pilot):
        await app.switch_language("sq")
        await settle(pilot)
        await pilot.press("ctrl+c")  # the table has focus: nothing to copy
        await pilot.pause()
        [note] = list(app._notifications)
        assert note.message.startswith("«") and note.title.startswith("«"), note

    drive(app_on(), scenario)
