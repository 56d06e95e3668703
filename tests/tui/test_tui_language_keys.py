"""The interface language (runtime switch, --lang, Babel dates), the command palette and
keys that work under any keyboard layout."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import NOW, drive, notified, screen_text, settle, type_text, until

from publisher import i18n
from publisher.services import queueing
from publisher.services.context import open_context
from publisher.tui.commands import Palette
from publisher.tui.dialogs import ChoiceDialog, PromptDialog


def test_switching_language_at_runtime_retranslates_everything_shown(
    app_on, marked_catalog
) -> None:
    async def scenario(app, pilot):
        await pilot.press("f9")
        assert isinstance(app.screen, ChoiceDialog)
        app.screen.query_one("#choice-sq").press()
        await settle(pilot)
        text = screen_text(app)
        for english in ("Drafts", "Open", "New", "Duplicate", "Delete", "Approve", "Schedule",
                        "Filter", "Title", "Campaign", "Next due", "missing", "approved"):
            assert f"«{english}»" in text, english
        assert "Any campaign" in text and "«Any campaign»" in text
        # A view opened later is in the new language too.
        await pilot.press("f3")
        await settle(pilot)
        assert "«Queue»" in screen_text(app) and "«Publish now»" in screen_text(app)

    drive(app_on(), scenario)


def test_unsaved_editor_text_survives_a_language_switch(app_on, marked_catalog) -> None:
    from textual.widgets import TextArea

    from publisher.tui.screens.editor import EditorScreen

    async def scenario(app, pilot):
        await app.push_screen(EditorScreen("prizren-old-town"))
        await settle(pilot)
        app.screen.query_one("#text-en", TextArea).load_text("Unsaved words")
        await pilot.pause()
        await app.switch_language("sq")
        await settle(pilot)
        assert app.screen.query_one("#text-en", TextArea).text == "Unsaved words"
        assert "«Save»" in screen_text(app)

    drive(app_on(), scenario)


def test_lang_option_and_babel_dates_in_albanian(app_on, demo: Path) -> None:
    queueing.schedule(open_context(demo), "consular-alert-floods",
                      NOW.replace(hour=18), now=NOW)

    async def scenario(app, pilot):
        assert i18n.current_language() == "sq"
        await pilot.press("f3")
        await settle(pilot)
        text = screen_text(app)
        assert "e premte, 20 nëntor 2026" in text  # Babel, sq_XK
        assert "19:00" in text  # 24-hour clock, the staff zone (Europe/Belgrade)

    drive(app_on("sq"), scenario)


def test_palette_lists_the_current_screens_actions_and_runs_them(app_on) -> None:
    async def scenario(app, pilot):
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, Palette)
        await type_text(pilot, "duplic")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)  # the duplicate dialog
        await pilot.press("escape")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("ctrl+p")
        app.screen.query_one("CommandInput").value = "send due"
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: notified(app, "Nothing was due"))

    drive(app_on(), scenario)


def test_palette_placeholder_is_translated(app_on, marked_catalog) -> None:
    async def scenario(app, pilot):
        await app.switch_language("sq")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert "«Search for commands…»" in screen_text(app)

    drive(app_on(), scenario)


def every_binding(app) -> list:
    """Every binding of every view and of the app."""
    from publisher.tui.corrections import PlanDialog
    from publisher.tui.screens.accounts import AccountsScreen
    from publisher.tui.screens.crisis import CrisisScreen
    from publisher.tui.screens.drafts import DraftsScreen
    from publisher.tui.screens.editor import EditorScreen
    from publisher.tui.screens.queue import QueueScreen
    from publisher.tui.screens.schedule import ScheduleScreen
    from publisher.tui.screens.translator import TranslatorScreen

    found = list(type(app).BINDINGS)
    for screen in (DraftsScreen, EditorScreen, QueueScreen, TranslatorScreen, AccountsScreen,
                   ScheduleScreen, CrisisScreen, PlanDialog):
        found += screen.BINDINGS
    return found


def test_every_action_has_an_id_a_tooltip_and_a_layout_independent_key(app_on) -> None:
    app = app_on()
    for binding in every_binding(app):
        assert binding.id and binding.tooltip, binding
        for key in binding.key.split(","):
            assert key.startswith(("f", "ctrl+")) or key in ("escape", "enter"), binding


def test_keymap_remaps_a_binding_by_its_id(app_on, demo: Path) -> None:
    async def scenario(app, pilot):
        app.set_keymap({"drafts.approve": "f12"})
        table = app.screen.query_one("#drafts-table", DataTable)
        table.move_cursor(row=table.get_row_index("prizren-old-town"))
        await pilot.press("f12")
        await settle(pilot)

    drive(app_on(), scenario)
    assert "approved = true" in (demo / "drafts" / "prizren-old-town.toml").read_text()
