"""The editor edits an account's own text in each language, adds one and removes one."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import TextArea
from tui_helpers import drive, screen_text, settle

from publisher.services.context import open_context
from publisher.tui.dialogs import ChoiceDialog

DRAFT = "consular-alert-floods"


async def open_editor(app, pilot, draft_id: str) -> None:
    from publisher.tui.screens.editor import EditorScreen

    await app.push_screen(EditorScreen(draft_id))
    await settle(pilot)


async def show_tab(app, pilot, tag: str) -> None:
    app.screen.query_one("#editor-tabs").active = f"tab-{tag}"
    await settle(pilot)


def add_own_text(home: Path) -> Path:
    path = home / "drafts" / f"{DRAFT}.toml"
    path.write_text(path.read_text() + '\n[variants.en.accounts.mfa-x]\n'
                    'text = "Consular alert for X."\nthread = ["More on X."]\n')
    return path


def own(path: Path, tag: str) -> dict:
    return tomllib.loads(path.read_text())["variants"][tag].get("accounts", {})


def test_an_accounts_own_text_is_edited_with_its_own_counter(app_on, demo) -> None:
    path = add_own_text(demo)

    async def scenario(app, pilot):
        await open_editor(app, pilot, DRAFT)
        await show_tab(app, pilot, "en")
        area = app.screen.query_one("#own-en--0--mfa-x", TextArea)
        assert area.text == "Consular alert for X."
        assert app.screen.query_one("#own-en--1--mfa-x", TextArea).text == "More on X."
        counter = str(app.screen.query_one("#counter-en--own0--mfa-x").render())
        assert "mfa-x (X): 21/280" in counter and "bluesky" not in counter
        area.load_text("Consular alert, X edition.")
        await settle(pilot)
        assert "26/280" in str(app.screen.query_one("#counter-en--own0--mfa-x").render())
        await pilot.press("ctrl+s")
        await settle(pilot)

    drive(app_on(), scenario)
    mfa_x = own(path, "en")["mfa-x"]
    assert (mfa_x["text"], mfa_x["thread"]) == ("Consular alert, X edition.", ["More on X."])
    draft = open_context(demo).drafts.load(DRAFT).draft
    assert mfa_x["from_source"] == draft.own_source_fingerprint("mfa-x")


def test_an_own_text_is_added_for_an_account_and_removed_by_emptying_it(app_on, demo) -> None:
    path = demo / "drafts" / f"{DRAFT}.toml"

    async def scenario(app, pilot):
        await open_editor(app, pilot, DRAFT)
        await show_tab(app, pilot, "en")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert "mfa-telegram" not in screen_text(app)  # it posts no English
        await pilot.click("#choice-embassy-berlin-bluesky")
        await settle(pilot)
        area = app.screen.query_one("#own-en--0--embassy-berlin-bluesky", TextArea)
        area.load_text("Berlin's own alert.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert own(path, "en")["embassy-berlin-bluesky"]["text"] == "Berlin's own alert."
        app.screen.query_one("#own-en--0--embassy-berlin-bluesky", TextArea).load_text("")
        await pilot.press("ctrl+s")
        await settle(pilot)

    drive(app_on(), scenario)
    assert "embassy-berlin-bluesky" not in own(path, "en")
