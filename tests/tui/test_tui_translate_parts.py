"""The translator's view carries every part of a variant (thread, first comment, content
warning) and the accounts' own texts, as the PO files and the editor do."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import TextArea
from tui_helpers import drive, screen_text, settle

from publisher.domain.drafts import TranslationState
from publisher.domain.locales import fingerprint
from publisher.services.context import open_context

CURRENT = (TranslationState.TRANSLATED, TranslationState.APPROVED)


async def show_translator(app, pilot, locale: str) -> None:
    await pilot.press("f4")
    await settle(pilot)
    app.screen.query_one("#locale-select").value = locale
    await settle(pilot)


def area(app, widget_id: str) -> TextArea:
    return app.screen.query_one(f"#{widget_id}", TextArea)


def make_stale(home: Path, draft_id: str, locale: str) -> None:
    path = home / "drafts" / f"{draft_id}.toml"
    text = path.read_text()
    marker = f"[variants.{locale}]"
    head, tail = text.split(marker, 1)
    path.write_text(head + marker + tail.replace('from_source = "7503d774"',
                                                 'from_source = "00000000"', 1))


def test_a_stale_thread_translated_in_the_translator_becomes_current(app_on, demo) -> None:
    make_stale(demo, "consular-alert-floods", "en")

    async def scenario(app, pilot):
        await show_translator(app, pilot, "en")
        assert "consular-alert-floods" in screen_text(app)
        assert area(app, "source-thread-2").text.startswith("Përditësimet do të pasojnë")
        assert area(app, "target-thread-2").text.startswith("Updates will follow")
        assert "Thread, part 2" in screen_text(app)
        assert "mfa-x (X)" in str(app.screen.query_one("#counter-thread-2").render())
        area(app, "target-thread-2").load_text("Updates follow in this thread.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "consular-alert-floods" not in screen_text(app).split("of")[0]
        assert app.screen.unsaved() == []  # what was saved is not asked about again

    drive(app_on(), scenario)
    draft = open_context(demo).drafts.load("consular-alert-floods").draft
    assert draft.state("en") in CURRENT
    assert draft.variants["en"].thread == ("Updates follow in this thread.",)


def add_comment_draft(home: Path) -> None:
    (home / "drafts" / "aaa-comment.toml").write_text(
        'title = "Comment"\nsource = "sq"\naccounts = ["mfa-x"]\n\n'
        '[variants.sq]\ntext = "Mirëmëngjes!"\nfirst_comment = "Lexoni më shumë."\n'
        'content_warning = "Lajme"\n')


def test_a_missing_translation_with_a_first_comment_is_saved_whole(app_on, demo) -> None:
    add_comment_draft(demo)

    async def scenario(app, pilot):
        await show_translator(app, pilot, "en")
        assert "1 of 2: Comment" in screen_text(app)
        assert area(app, "source-first_comment").text == "Lexoni më shumë."
        area(app, "target-text").load_text("Good morning!")
        area(app, "target-content_warning").load_text("News")
        await pilot.press("ctrl+s")  # the first comment is not translated: refused
        await settle(pilot)
        assert "1 of 2: Comment" in screen_text(app)
        area(app, "target-first_comment").load_text("Read more.")
        await pilot.press("ctrl+n", "ctrl+n")  # away and back: what was typed stays
        await settle(pilot)
        assert "1 of 2: Comment" in screen_text(app)
        assert area(app, "target-first_comment").text == "Read more."
        assert area(app, "target-content_warning").text == "News"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "1 of 1" in screen_text(app)

    drive(app_on(), scenario)
    loaded = open_context(demo).drafts.load("aaa-comment")
    assert loaded.draft.state("en") in CURRENT
    en = tomllib.loads(loaded.path.read_text())["variants"]["en"]
    assert (en["text"], en["first_comment"], en["content_warning"]) == (
        "Good morning!", "Read more.", "News")


def add_own_text_draft(home: Path) -> None:
    current = fingerprint("Mirëmëngjes!")
    (home / "drafts" / "aaa-own.toml").write_text(
        'title = "Own"\nsource = "sq"\naccounts = ["mfa-x"]\n\n'
        '[variants.sq]\ntext = "Mirëmëngjes!"\n\n'
        '[variants.sq.accounts.mfa-x]\ntext = "Mirëmëngjes, X!"\nthread = ["Pjesa e dytë."]\n\n'
        f'[variants.en]\ntext = "Good morning!"\nfrom_source = "{current}"\n')


def test_an_accounts_own_text_is_listed_and_saved_in_its_table(app_on, demo) -> None:
    add_own_text_draft(demo)

    async def scenario(app, pilot):
        await show_translator(app, pilot, "en")
        assert "aaa-own (mfa-x)" in screen_text(app)
        assert area(app, "source-text").text == "Mirëmëngjes, X!"
        assert area(app, "source-thread-2").text == "Pjesa e dytë."
        area(app, "target-text").load_text("Good morning, X!")
        area(app, "target-thread-2").load_text("Part two.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "aaa-own (mfa-x)" not in screen_text(app)

    drive(app_on(), scenario)
    loaded = open_context(demo).drafts.load("aaa-own")
    assert loaded.draft.own_state("en", "mfa-x") in CURRENT
    own = tomllib.loads(loaded.path.read_text())["variants"]["en"]["accounts"]["mfa-x"]
    assert (own["text"], own["thread"]) == ("Good morning, X!", ["Part two."])
    assert loaded.draft.variants["en"].text == "Good morning!"


async def quit_and_save(app, pilot) -> None:
    from publisher.tui.dialogs import ChoiceDialog

    await pilot.press("ctrl+q")
    await pilot.pause()
    assert isinstance(app.screen, ChoiceDialog)
    app.screen.query_one("#choice-save").press()
    await settle(pilot)


def test_quitting_saves_every_part_typed_or_keeps_an_incomplete_one(app_on, demo) -> None:
    make_stale(demo, "consular-alert-floods", "en")
    add_comment_draft(demo)

    async def scenario(app, pilot):
        await show_translator(app, pilot, "en")
        area(app, "target-text").load_text("Good morning!")  # its first comment left empty
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert "consular-alert-floods" in str(app.screen.query_one("#target-label").render())
        area(app, "target-thread-2").load_text("Updates follow here.")
        await pilot.pause()
        await quit_and_save(app, pilot)
        assert app.return_code == 0

    drive(app_on(), scenario)
    draft = open_context(demo).drafts.load("consular-alert-floods").draft
    assert draft.state("en") in CURRENT
    assert draft.variants["en"].thread == ("Updates follow here.",)
    assert "en" not in open_context(demo).drafts.load("aaa-comment").draft.variants
    [kept] = (demo / ".publisher-kept").glob("*aaa-comment-unsaved.txt")
    assert "Good morning!" in kept.read_text()
