"""The editor's model without Textual: what changed, what Save writes, times, sr-Latn,
and what is kept after a conflict. Drafts are the demo workspace's, read from disk."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tui_helpers import NOW

from publisher.domain.errors import UserError
from publisher.services.context import open_context
from publisher.services.drafts import locales_of
from publisher.tui.editor_state import DETAILS, LATIN, EditState, is_empty

BELGRADE = ZoneInfo("Europe/Belgrade")  # the demo's staff zone


def state_of(home: Path, draft_id: str) -> EditState:
    context = open_context(home)
    loaded = context.drafts.load(draft_id)
    return EditState.of(loaded, dict(context.accounts), locales_of(context, loaded.draft),
                        BELGRADE)


def test_the_model_loads_no_textual() -> None:
    code = ("import sys, publisher.tui.editor_state\n"
            "print('textual' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_an_untouched_draft_has_nothing_to_save(demo_template: Path) -> None:
    for path in sorted((demo_template / "drafts").glob("*.toml")):
        state = state_of(demo_template, path.stem)
        assert is_empty(state.edit(BELGRADE)), path.stem
        assert not state.is_dirty(BELGRADE), path.stem


def test_save_writes_only_what_changed(demo_template: Path) -> None:
    state = state_of(demo_template, "flag-day-2026")
    state.type_text("en", "Happy Flag Day!")
    state.title = "Flag Day"
    state.campaign = "#DigitalKosovo"  # the same hashtag, written with its '#'
    state.type_alt(0, "sr", "Застава")
    edit = state.edit(BELGRADE)
    assert edit.texts == {"en": "Happy Flag Day!"}
    assert edit.title == "Flag Day"
    assert edit.campaign is None and edit.accounts is None
    assert edit.alts == {("media/kosovo-flag.png", "sr"): "Застава"}
    assert edit.not_before is None and not edit.clear_not_before
    assert state.is_dirty(BELGRADE)


def test_accounts_keep_their_order_and_new_ones_follow_the_list(demo_template: Path) -> None:
    state = state_of(demo_template, "flag-day-2026")
    assert state.targets == ("mfa-x", "mfa-facebook", "mfa-telegram")
    state.choose_targets({"mfa-telegram", "embassy-dc-mastodon", "mfa-x"})
    assert state.targets == ("mfa-x", "mfa-telegram", "embassy-dc-mastodon")
    assert state.edit(BELGRADE).accounts == state.targets


def test_serbian_latin_is_derived_until_written_by_hand(demo_template: Path) -> None:
    state = state_of(demo_template, "flag-day-2026")
    assert LATIN in state.locales and state.is_derived(LATIN)
    assert state.effective_texts()[LATIN].startswith("Srećan 28. novembar")
    assert not state.type_text(LATIN, "ignored")  # derived: nothing to type into
    state.type_text("sr", "Срећан Дан заставе!")
    assert state.effective_texts()[LATIN] == "Srećan Dan zastave!"
    assert LATIN not in state.edit(BELGRADE).texts
    assert state.write_latin_by_hand() and not state.write_latin_by_hand()
    assert state.type_text(LATIN, "Srećan Dan zastave, Kosovo!")
    assert state.edit(BELGRADE).texts[LATIN] == "Srećan Dan zastave, Kosovo!"


def test_times_are_read_in_the_staff_zone_and_a_blank_one_clears(demo_template: Path) -> None:
    state = state_of(demo_template, "flag-day-2026")
    assert (state.not_before, state.deadline) == ("2026-11-28 08:00", "2026-11-28 22:00")
    state.not_before = "2026-11-27 09:30"
    state.deadline = ""
    edit = state.edit(BELGRADE)
    assert edit.not_before == datetime(2026, 11, 27, 9, 30, tzinfo=BELGRADE)
    assert edit.deadline is None and edit.clear_deadline


def test_a_time_that_does_not_read_is_refused_and_blamed(demo_template: Path) -> None:
    state = state_of(demo_template, "flag-day-2026")
    state.deadline = "tomorrow"
    with pytest.raises(UserError, match="is not a date and time"):
        state.edit(BELGRADE)
    assert state.is_dirty(BELGRADE)  # leaving would lose what was typed
    lines = state.time_lines(BELGRADE, NOW)
    assert [line.blames for line in lines] == [None, "deadline"]
    assert lines[0].text == "embargo: 28 Nov 2026 08:00 +01:00"


def test_a_deadline_not_after_the_embargo_is_refused_and_blamed(demo_template: Path) -> None:
    state = state_of(demo_template, "flag-day-2026")
    state.deadline = "2026-11-28 08:00"
    with pytest.raises(UserError) as refused:
        state.edit(BELGRADE)
    assert str(refused.value) == ("the deadline must be after the embargo "
                                  "(change one of the two in Details)")
    assert state.time_lines(BELGRADE, NOW)[-1].blames == "deadline"


def test_a_passed_deadline_is_a_warning_not_an_error(demo_template: Path) -> None:
    state = state_of(demo_template, "prizren-old-town")
    state.not_before = ""
    state.deadline = "2026-11-19 20:00"
    lines = state.time_lines(BELGRADE, NOW)
    assert lines[-1].text.startswith("⚠ the deadline has passed")
    assert lines[-1].blames is None
    assert state.edit(BELGRADE).deadline == datetime(2026, 11, 19, 20, 0, tzinfo=BELGRADE)


def test_an_untouched_time_with_seconds_or_in_the_hour_twice_is_not_a_change(
        demo: Path) -> None:
    path = demo / "drafts" / "prizren-old-town.toml"
    path.write_text(path.read_text().replace(
        "not_before = 2026-12-05T11:00:00+01:00",
        "not_before = 2026-10-25T02:30:00+01:00\n"  # the second 02:30 that night
        "deadline = 2026-12-07T08:00:30+01:00"))
    state = state_of(demo, "prizren-old-town")
    assert (state.not_before, state.deadline) == ("2026-10-25 02:30+01:00",
                                                  "2026-12-07 08:00:30")
    assert not state.is_dirty(BELGRADE)


def test_where_the_work_is_and_what_telegram_lacks(demo_template: Path) -> None:
    state = state_of(demo_template, "flag-day-2026")
    assert state.first_tab() == "en"  # the source is written: the first translation
    assert state.telegram_targets("sr") == ["mfa-telegram"]
    assert state.telegram_targets("en") == []
    state.type_text(state.draft.source, " ")
    assert state.first_tab() == "sq"
    state.choose_targets(set())
    assert state.first_tab() == DETAILS


def test_warnings_name_what_a_variant_lacks(demo_template: Path) -> None:
    state = state_of(demo_template, "consular-alert-floods")
    assert state.warnings() == []
    state.type_text("en", "Consular alert: avoid travel.")
    assert any(line.startswith("⚠ number 383") and line.endswith("but missing in en")
               for line in state.warnings())


def test_mine_as_text_keeps_every_text_and_alt_typed(demo_template: Path) -> None:
    state = state_of(demo_template, "flag-day-2026")
    state.type_text("en", "Mine, unsaved.")
    state.type_alt(0, "en", "My alt")
    mine = state.mine_as_text()
    assert mine.startswith("# flag-day-2026: Flag Day greeting\n")
    assert "[en]\nMine, unsaved." in mine
    assert "[alt media/kosovo-flag.png en]\nMy alt" in mine


def test_after_a_save_the_newer_file_is_the_baseline(demo: Path) -> None:
    state = state_of(demo, "flag-day-2026")
    state.type_text("en", "Changed")
    again = state.reread(open_context(demo).drafts.load("flag-day-2026"), BELGRADE)
    assert not again.is_dirty(BELGRADE) and again.locales == state.locales


@given(tag=st.sampled_from(["sq", "en", "sr"]), typed=st.text())
def test_typing_then_typing_back_leaves_nothing_to_save(demo_template: Path, tag: str,
                                                        typed: str) -> None:
    state = state_of(demo_template, "flag-day-2026")
    original = state.texts[tag]
    state.type_text(tag, typed)
    assert state.edit(BELGRADE).texts == ({} if typed == original else {tag: typed})
    state.type_text(tag, original)
    assert not state.is_dirty(BELGRADE)


# Threads, first comments and content warnings


def save(home: Path, state: EditState):
    from publisher.services.drafts import save_draft

    return save_draft(open_context(home), state.draft.id, state.loaded.digest,
                      state.edit(BELGRADE))


def test_a_thread_part_added_typed_and_saved_keeps_the_files_comments(demo: Path) -> None:
    state = state_of(demo, "consular-alert-floods")
    assert state.threads["en"] == [
        "Updates will follow in this thread. Our consulates in the region stay open over "
        "the weekend."]
    index = state.add_thread_part("en")
    assert index == 1 and state.is_dirty(BELGRADE) is False  # an empty part is no change
    state.type_thread_part("en", index, "The emergency line answers in English too.")
    state.type_first_comment("en", "More: https://www.mfa-ks.net/floods")
    state.type_content_warning("en", "floods")
    edit = state.edit(BELGRADE)
    assert set(edit.parts) == {"en"}
    save(demo, state)
    written = (demo / "drafts" / "consular-alert-floods.toml").read_text(encoding="utf-8")
    assert written.startswith("# Crisis statement")
    variant = open_context(demo).drafts.load("consular-alert-floods").draft.variants["en"]
    assert variant.thread[1] == "The emergency line answers in English too."
    assert variant.first_comment == "More: https://www.mfa-ks.net/floods"
    assert variant.content_warning == "floods"


def test_an_emptied_thread_part_is_removed_on_save(demo: Path) -> None:
    state = state_of(demo, "consular-alert-floods")
    state.type_thread_part("sq", 0, "   ")
    assert state.edit(BELGRADE).parts["sq"].thread == ()
    save(demo, state)
    draft = open_context(demo).drafts.load("consular-alert-floods").draft
    assert draft.variants["sq"].thread == ()
    # The source changed: the translations made from its thread are stale now.
    assert draft.variants["en"].from_source != draft.source_fingerprint


def test_a_translation_saved_whole_is_current_against_every_part_of_the_source(
        demo: Path) -> None:
    state = state_of(demo, "consular-alert-floods")
    state.type_thread_part("en", 0, "Updates will follow here. Our consulates stay open.")
    save(demo, state)
    draft = open_context(demo).drafts.load("consular-alert-floods").draft
    assert draft.variants["en"].from_source == draft.source_fingerprint


def test_an_over_long_text_is_split_at_sentence_ends_into_a_thread(demo_template: Path) -> None:
    state = state_of(demo_template, "consular-alert-floods")
    text = state.texts["en"]
    parts = state.split_proposal("en", lambda part: len(part) <= 120)
    assert len(parts) >= 2 and all(len(part) <= 120 for part in parts)
    assert all(part.rstrip().endswith((".", ":", "4")) for part in parts)  # sentence ends
    assert " ".join(parts).split() == text.split()  # nothing lost
    reply = state.threads["en"][0]
    assert state.take_split("en", parts)
    assert state.texts["en"] == parts[0] and state.threads["en"] == [*parts[1:], reply]
    assert not state.take_split("en", ["one part only"])


def test_sr_latn_derives_every_part_from_sr(demo_template: Path) -> None:
    state = state_of(demo_template, "consular-alert-floods")
    assert state.parts_of(LATIN).thread[0].startswith("Ažuriranja")
    assert not state.type_thread_part(LATIN, 0, "x")
