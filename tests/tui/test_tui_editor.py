"""The editor: live counter, save with from_source, conflicts, warnings, alt text, times."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import Input, TextArea
from tui_helpers import drive, screen_text, settle

from publisher.domain.locales import fingerprint
from publisher.services.context import open_context
from publisher.tui.dialogs import ChoiceDialog


async def open_editor(app, pilot, draft_id: str) -> None:
    from publisher.tui.screens.editor import EditorScreen

    await app.push_screen(EditorScreen(draft_id))
    await settle(pilot)


async def show_tab(app, pilot, tag: str) -> None:
    app.screen.query_one("#editor-tabs").active = f"tab-{tag}"
    await settle(pilot)


def counter_text(app, tag: str) -> str:
    return str(app.screen.query_one(f"#counter-{tag}").render())


def read(path: Path) -> dict:
    return tomllib.loads(path.read_text())


def test_typing_a_variant_updates_the_per_account_counter(app_on) -> None:
    async def scenario(app, pilot):
        await open_editor(app, pilot, "consular-alert-floods")
        assert "mfa-x (X): 197/280 weighted characters" in counter_text(app, "en")
        assert "embassy-berlin-bluesky (Bluesky): 197/300 graphemes" in counter_text(app, "en")
        area = app.screen.query_one("#text-en", TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.press("space", "O", "K")
        assert "mfa-x (X): 200/280" in counter_text(app, "en")
        counter = app.screen.query_one("#counter-en")
        assert not counter.has_class("-near") and not counter.has_class("-over")
        area.insert("x" * 59)
        await pilot.press("x")  # 260: within 10% of X's 280
        assert "20 left: near X's limit" in counter_text(app, "en")
        assert counter.has_class("-near") and not counter.has_class("-over")
        near = next(line for line in counter.render().split("\n") if "mfa-x" in line.plain)
        assert any("red" in str(span.style) for span in near.spans)
        area.insert("x" * 29)
        await pilot.press("x")
        assert "10 over X's limit" in counter_text(app, "en")
        assert counter.has_class("-over")
        # The combined Facebook post counts all three languages.
        assert "combined sq+en+sr" in counter_text(app, "en")

    drive(app_on(), scenario)


def test_saving_a_translation_records_its_source_and_withdraws_approval(app_on, demo) -> None:
    path = demo / "drafts" / "consular-alert-floods.toml"

    async def scenario(app, pilot):
        await open_editor(app, pilot, "consular-alert-floods")
        area = app.screen.query_one("#text-en", TextArea)
        area.load_text("Consular alert: avoid travel. 24/7 line: +383 38 213 444.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "not approved" in screen_text(app)

    drive(app_on(), scenario)
    data = read(path)
    assert data["variants"]["en"]["text"].startswith("Consular alert: avoid travel.")
    # The editor saves the variant whole: made from every part of the source.
    assert data["variants"]["en"]["from_source"] == \
        open_context(demo).drafts.load("consular-alert-floods").draft.source_fingerprint
    assert data["approved"] is False
    assert path.read_text().startswith("# Crisis statement")  # the comment survives


def test_a_stale_translation_becomes_current_when_saved(app_on, demo) -> None:
    path = demo / "drafts" / "visa-free-anniversary.toml"

    async def scenario(app, pilot):
        await open_editor(app, pilot, "visa-free-anniversary")
        area = app.screen.query_one("#text-en", TextArea)
        area.load_text(area.text + " Welcome!")
        await pilot.press("ctrl+s")
        await settle(pilot)

    drive(app_on(), scenario)
    data = read(path)
    assert data["variants"]["en"]["from_source"] == fingerprint(data["variants"]["sq"]["text"])


def test_conflict_on_save_keep_mine_keeps_theirs_in_a_file(app_on, demo) -> None:
    path = demo / "drafts" / "prizren-old-town.toml"

    async def scenario(app, pilot):
        await open_editor(app, pilot, "prizren-old-town")
        path.write_text(path.read_text().replace('title = "', 'title = "Edited: '))
        app.screen.query_one("#text-en", TextArea).load_text("My English text.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        app.screen.query_one("#choice-mine").press()
        await settle(pilot)

    drive(app_on(), scenario)
    data = read(path)
    assert data["variants"]["en"]["text"] == "My English text."
    assert data["title"].startswith("Edited: ")  # their change to another field stays
    kept = list((demo / ".publisher-kept").glob("*prizren-old-town-theirs.txt"))
    assert len(kept) == 1 and "Edited: " in kept[0].read_text()


def test_conflict_on_save_reload_shows_theirs_and_keeps_mine(app_on, demo) -> None:
    path = demo / "drafts" / "prizren-old-town.toml"

    async def scenario(app, pilot):
        await open_editor(app, pilot, "prizren-old-town")
        theirs = read(path)["variants"]["en"]["text"].replace("Prizren", "PRIZREN")
        path.write_text(path.read_text().replace("Prizren", "PRIZREN"))
        app.screen.query_one("#text-en", TextArea).load_text("Mine, unsaved.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        app.screen.query_one("#choice-reload").press()
        await settle(pilot)
        assert app.screen.query_one("#text-en", TextArea).text == theirs

    drive(app_on(), scenario)
    kept = list((demo / ".publisher-kept").glob("*prizren-old-town-mine.txt"))
    assert len(kept) == 1 and "Mine, unsaved." in kept[0].read_text()


def test_consistency_warnings_follow_the_text(app_on) -> None:
    async def scenario(app, pilot):
        await open_editor(app, pilot, "consular-alert-floods")
        assert "missing in" not in screen_text(app)
        app.screen.query_one("#text-en", TextArea).load_text("Consular alert: avoid travel.")
        await pilot.pause(0.5)
        assert "number 383 38 213 444" in str(app.screen.query_one("#warnings").render()) or \
            "383" in str(app.screen.query_one("#warnings").render())

    drive(app_on(), scenario)


def test_telegram_alt_text_note_and_alt_text_saved_per_locale(app_on, demo) -> None:
    path = demo / "drafts" / "flag-day-2026.toml"

    async def scenario(app, pilot):
        await open_editor(app, pilot, "flag-day-2026")
        await show_tab(app, pilot, "sr")
        assert "Telegram shows no alt text (mfa-telegram)" in screen_text(app)
        app.screen.query_one("#alt-0-sr", Input).value = "Застава"
        await pilot.press("ctrl+s")
        await settle(pilot)

    drive(app_on(), scenario)
    assert read(path)["media"][0]["alt"]["sr"] == "Застава"


def test_serbian_latin_is_derived_and_read_only_until_written_by_hand(app_on, demo) -> None:
    path = demo / "drafts" / "flag-day-2026.toml"

    async def scenario(app, pilot):
        await open_editor(app, pilot, "flag-day-2026")
        await show_tab(app, pilot, "sr-Latn")
        latin = app.screen.query_one("#text-sr-Latn", TextArea)
        assert latin.read_only and latin.text.startswith("Srećan 28. novembar")
        await pilot.press("ctrl+l")
        await settle(pilot)
        latin = app.screen.query_one("#text-sr-Latn", TextArea)
        assert not latin.read_only
        latin.load_text("Srećan Dan zastave!")
        await pilot.press("ctrl+s")
        await settle(pilot)

    drive(app_on(), scenario)
    assert read(path)["variants"]["sr-Latn"]["text"] == "Srećan Dan zastave!"


def test_embargo_and_deadline_are_saved_in_the_staff_zone(app_on, demo) -> None:
    path = demo / "drafts" / "prizren-old-town.toml"

    async def scenario(app, pilot):
        await open_editor(app, pilot, "prizren-old-town")
        await show_tab(app, pilot, "details")
        app.screen.query_one("#field-not-before", Input).value = "2026-12-01 08:00"
        app.screen.query_one("#field-deadline", Input).value = "tomorrow"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is not a date and time" in screen_text(app)  # refused, nothing written
        app.screen.query_one("#field-deadline", Input).value = "2026-12-02 20:00"
        await pilot.press("ctrl+s")
        await settle(pilot)

    drive(app_on(), scenario)
    data = read(path)
    assert data["not_before"].isoformat() == "2026-12-01T08:00:00+01:00"  # Europe/Belgrade
    assert data["deadline"].isoformat() == "2026-12-02T20:00:00+01:00"


def test_embargo_and_deadline_pickers_refuse_a_deadline_before_the_embargo(app_on, demo) -> None:
    path = demo / "drafts" / "prizren-old-town.toml"
    before = path.read_text()

    async def scenario(app, pilot):
        await open_editor(app, pilot, "prizren-old-town")
        await show_tab(app, pilot, "details")
        embargo = app.screen.query_one("#field-not-before", Input)
        deadline = app.screen.query_one("#field-deadline", Input)
        embargo.value = "2026-12-02 08:00"
        deadline.value = "2026-12-01 20:00"
        await pilot.pause()
        assert "the deadline must be after the embargo" in screen_text(app)
        assert deadline.has_class("-invalid") and not embargo.has_class("-invalid")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert path.read_text() == before  # refused, nothing written
        deadline.value = "2026-11-19 20:00"  # before the clock's now
        embargo.value = ""
        await pilot.pause()
        assert not deadline.has_class("-invalid")
        assert "the deadline has passed" in screen_text(app)
        embargo.value = "soon"
        await pilot.pause()
        assert embargo.has_class("-invalid")
        assert "is not a date and time" in screen_text(app)

    drive(app_on(), scenario)


def test_a_time_near_the_calendars_ends_is_refused_not_a_crash(app_on, demo) -> None:
    path = demo / "drafts" / "prizren-old-town.toml"
    before = path.read_text()

    async def scenario(app, pilot):
        await open_editor(app, pilot, "prizren-old-town")
        await show_tab(app, pilot, "details")
        embargo = app.screen.query_one("#field-not-before", Input)
        embargo.value = "0001-01-01T00:00+14:00"  # before the year 1 in UTC
        await pilot.pause()
        assert "is not between the years 2000 and 2999" in screen_text(app)
        assert embargo.has_class("-invalid")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert path.read_text() == before

    drive(app_on(), scenario)


def test_an_untouched_draft_with_seconds_or_in_the_hour_twice_leaves_without_asking(
        app_on, demo) -> None:
    path = demo / "drafts" / "prizren-old-town.toml"
    path.write_text(path.read_text().replace(
        "not_before = 2026-12-05T11:00:00+01:00",
        "not_before = 2026-10-25T02:30:00+01:00\n"  # the second 02:30 that night
        "deadline = 2026-12-07T08:00:30+01:00"))
    before = path.read_text()

    async def scenario(app, pilot):
        await open_editor(app, pilot, "prizren-old-town")
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "DraftsScreen"  # nothing to save: no question

    drive(app_on(), scenario)
    assert path.read_text() == before


# Threads, first comments and content warnings


def test_thread_parts_first_comment_and_warning_are_fields_with_their_counters(
        app_on, demo) -> None:
    path = demo / "drafts" / "consular-alert-floods.toml"

    async def scenario(app, pilot):
        await open_editor(app, pilot, "consular-alert-floods")
        await show_tab(app, pilot, "en")
        reply = app.screen.query_one("#thread-en--0", TextArea)
        assert reply.text.startswith("Updates will follow in this thread.")
        assert "mfa-x (X): 92/280" in counter_text(app, "en--thread-0")
        await pilot.press("ctrl+j")  # a new reply, focused
        await settle(pilot)
        added = app.screen.query_one("#thread-en--1", TextArea)
        assert app.screen.focused is added
        await pilot.press("O", "K")
        assert "mfa-x (X): 2/280" in counter_text(app, "en--thread-1")
        comment = app.screen.query_one("#comment-en", TextArea)
        comment.load_text("Links: https://www.mfa-ks.net/floods")
        await settle(pilot)
        assert "mfa-x (X): 30/280" in counter_text(app, "en--comment")
        app.screen.query_one("#cw-en", Input).value = "floods"
        await pilot.press("ctrl+s")
        await settle(pilot)

    drive(app_on(), scenario)
    data = read(path)
    assert data["variants"]["en"]["thread"][1] == "OK"
    assert data["variants"]["en"]["first_comment"] == "Links: https://www.mfa-ks.net/floods"
    assert data["variants"]["en"]["content_warning"] == "floods"
    assert path.read_text().startswith("# Crisis statement")  # the comment survives


def test_an_emptied_part_is_removed_on_save(app_on, demo) -> None:
    path = demo / "drafts" / "consular-alert-floods.toml"

    async def scenario(app, pilot):
        await open_editor(app, pilot, "consular-alert-floods")
        await show_tab(app, pilot, "en")
        app.screen.query_one("#thread-en--0", TextArea).load_text("")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.screen.query("#thread-en--0")

    drive(app_on(), scenario)
    assert "thread" not in read(path)["variants"]["en"]


def test_ctrl_g_proposes_splitting_an_over_long_text_into_a_thread(app_on, demo) -> None:
    long = " ".join(f"Sentence number {n} says something worth saying." for n in range(12))

    async def scenario(app, pilot):
        await open_editor(app, pilot, "consular-alert-floods")
        await show_tab(app, pilot, "en")
        app.screen.query_one("#text-en", TextArea).load_text(long)
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.focused.id == "choice-no"  # the safe answer
        await pilot.press("enter")  # keeps the text
        await settle(pilot)
        assert app.screen.query_one("#text-en", TextArea).text == long
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("right")
        assert app.screen.focused.id == "choice-yes"
        await pilot.press("enter")
        await settle(pilot)
        first = app.screen.query_one("#text-en", TextArea).text
        assert first.startswith("Sentence number 0") and first.endswith(".")
        assert "✗" not in counter_text(app, "en")
        assert app.screen.query_one("#thread-en--0", TextArea).text.startswith(
            "Sentence number")
        replies = [a.text for a in app.screen.query(".thread-text").results(TextArea)
                   if str(a.id).startswith("thread-en--")]
        assert len(replies) >= 2 and replies[-1].startswith("Updates will follow")

    drive(app_on(), scenario)
