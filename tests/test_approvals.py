"""Approvals as records (steps, people, fingerprints), authorship, and the history's
actors: real workspaces, real SQLite, fixed clocks, identities passed in (the CLI's
is the process's own user)."""

from __future__ import annotations

import json
import os
import pwd
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from queue_helpers import add_account, cli, history, items, outbox_files, write_draft

from publisher.domain.approvals import (
    DEFAULT_STEP,
    approval_fingerprint,
    changed_locales,
)
from publisher.domain.drafts import Draft, Media, Variant
from publisher.domain.errors import UserError
from publisher.domain.people import parse_people
from publisher.services import approvals, drafts, queueing
from publisher.services.context import open_context
from publisher.services.flush import flush
from publisher.storage.drafts import VariantEdit

ME = pwd.getpwuid(os.getuid()).pw_name
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
AT = NOW + timedelta(hours=1)
STEPS = """
[approval]
steps = ["desk", "spokesperson"]
self_approval = false

[people]
desk = ["arta", "ilir", "{me}"]
spokesperson = ["drita"]
"""


def with_steps(home: Path, extra: str = "") -> None:
    settings = home / "publisher.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + STEPS.format(me=ME) + extra,
                        encoding="utf-8")


@pytest.fixture
def ws(home: Path) -> Path:
    add_account(home, "box", "--platform", "outbox", "--locales", "sq")
    write_draft(home, "news", ["box"], approved=False)
    return home


@pytest.fixture
def steps(ws: Path) -> Path:
    with_steps(ws)
    return ws


def edit_text(home: Path, text: str, *, by: str, at: datetime = NOW) -> None:
    """Change the sq text through the tool (the editor's save)."""
    context = open_context(home)
    loaded = context.drafts.load("news")
    drafts.save_draft(context, "news", loaded.digest, drafts.DraftEdit(texts={"sq": text}),
                      by=by, now=at)


def approve(home: Path, by: str, step: str | None = None, at: datetime = NOW):
    return drafts.approve(open_context(home), "news", by=by, step=step, now=at)


def send(home: Path) -> list[int]:
    context = open_context(home)
    ids = queueing.schedule(context, "news", AT, now=NOW, actor="arta")
    report = flush(open_context(home), clock=lambda: AT + timedelta(seconds=30))
    assert report.exit_code == 0, [o.detail for o in report.outcomes]
    return ids


# Two steps, two people, end to end


def test_two_steps_by_two_people_then_scheduled_and_sent(steps: Path) -> None:
    edit_text(steps, "Lajm i ri.", by="ilir")
    first = approve(steps, "arta")
    assert first.record.step == "desk" and not first.clearance.cleared
    assert first.clearance.pending == ["spokesperson"]
    assert "approved = false" in (steps / "drafts" / "news.toml").read_text()
    with pytest.raises(UserError, match="not approved as it is now"):
        queueing.schedule(open_context(steps), "news", AT, now=NOW)
    second = approve(steps, "drita", at=NOW + timedelta(minutes=5))
    assert second.record.step == "spokesperson" and second.clearance.cleared
    assert "approved = true" in (steps / "drafts" / "news.toml").read_text()
    (item_id,) = send(steps)
    assert len(outbox_files(steps)) == 1
    actors = [row[2] for row in history(steps, item_id)]
    assert actors == ["arta", "cron", "cron"]


def test_the_steps_go_in_order(steps: Path) -> None:
    with pytest.raises(UserError, match="'spokesperson' comes after 'desk'") as refused:
        approve(steps, "drita", "spokesperson")
    assert "desk approves first" in str(refused.value)


def test_only_the_steps_people_may_take_it(steps: Path) -> None:
    with pytest.raises(UserError, match="marko may not approve the step 'desk'") as refused:
        approve(steps, "marko", "desk")
    assert "arta, ilir" in str(refused.value)
    approve(steps, "arta")
    with pytest.raises(UserError, match="ilir may not approve the step 'spokesperson'"):
        approve(steps, "ilir", "spokesperson")


def test_an_unknown_step_is_refused_in_one_line(steps: Path) -> None:
    with pytest.raises(UserError, match="'legal' is not an approval step") as refused:
        approve(steps, "arta", "legal")
    assert "desk, spokesperson" in str(refused.value)


def test_self_approval_false_refuses_the_author_of_the_text(steps: Path) -> None:
    edit_text(steps, "Teksti i Artës.", by="arta")
    with pytest.raises(UserError, match="arta wrote or last changed these texts"):
        approve(steps, "arta")
    approve(steps, "ilir")  # someone else of the desk


def test_the_creator_may_not_clear_their_draft_either(steps: Path) -> None:
    context = open_context(steps)
    drafts.new_draft(context, "mine", "sq", by="ilir", now=NOW)
    made = approvals.authorship(context, "mine")
    assert made.created is not None and made.created.by == "ilir"
    context.drafts.update("mine", expected_digest=context.drafts.load("mine").digest,
                          variants={"sq": VariantEdit("Tekst.")},)
    path = steps / "drafts" / "mine.toml"
    path.write_text(path.read_text().replace("accounts = []", 'accounts = ["box"]'))
    with pytest.raises(UserError, match="ilir wrote or last changed"):
        drafts.approve(open_context(steps), "mine", by="ilir", now=NOW)


def test_self_approval_true_lets_the_author_clear(ws: Path) -> None:
    with_steps(ws)
    settings = ws / "publisher.toml"
    settings.write_text(settings.read_text().replace("self_approval = false",
                                                     "self_approval = true"))
    edit_text(ws, "Teksti i Artës.", by="arta")
    assert approve(ws, "arta").record.by == "arta"


# Changed texts withdraw approvals; the flush sends only what was approved


def test_a_change_through_the_tool_withdraws_and_is_recorded(steps: Path) -> None:
    approve(steps, "arta")
    approve(steps, "drita")
    edit_text(steps, "Tekst tjetër.", by="ilir", at=NOW + timedelta(minutes=9))
    records = approvals.approval_records(open_context(steps), "news")
    withdrawn = [r for r in records if r.kind == "withdrawn"]
    assert [(r.step, r.by) for r in withdrawn] == [("desk", "ilir"), ("spokesperson", "ilir")]
    state = approvals.clearance(open_context(steps), open_context(steps).drafts.load(
        "news").draft)
    assert not state.cleared and state.pending == ["desk", "spokesperson"]
    assert "approved = false" in (steps / "drafts" / "news.toml").read_text()


def test_a_title_change_keeps_the_approvals(steps: Path) -> None:
    approve(steps, "arta")
    context = open_context(steps)
    loaded = context.drafts.load("news")
    drafts.save_draft(context, "news", loaded.digest, drafts.DraftEdit(title="Other"),
                      by="ilir", now=NOW)
    assert [r.kind for r in approvals.approval_records(open_context(steps), "news")] == [
        "approved"]


def _approved_and_queued(home: Path) -> int:
    approve(home, "arta")
    approve(home, "drita")
    (item_id,) = queueing.schedule(open_context(home), "news", AT, now=NOW, actor="arta")
    return item_id


def test_an_edit_by_hand_after_queueing_with_approved_set_by_hand_is_not_sent(
        steps: Path) -> None:
    item_id = _approved_and_queued(steps)
    path = steps / "drafts" / "news.toml"
    text = path.read_text().replace("Lajm i ri nga ambasada", "Lajm i NDRYSHUAR")
    path.write_text(text.replace("approved = false", "approved = true"))
    assert "approved = true" in path.read_text()
    report = flush(open_context(steps), clock=lambda: AT + timedelta(seconds=30))
    assert outbox_files(steps) == []
    (outcome,) = report.outcomes
    assert outcome.item.id == item_id and outcome.state == "failed"
    assert "not approved as it is now" in outcome.detail


def test_an_image_changed_by_hand_is_not_sent(steps: Path) -> None:
    media = steps / "media"
    media.mkdir(exist_ok=True)
    (media / "a.png").write_bytes(b"\x89PNG first")
    path = steps / "drafts" / "news.toml"
    path.write_text(path.read_text() + '\n[[media]]\nfile = "media/a.png"\nalt.sq = "A"\n')
    approve(steps, "arta")
    approve(steps, "drita")
    (media / "a.png").write_bytes(b"\x89PNG second")
    with pytest.raises(UserError, match="not approved as it is now"):
        queueing.schedule(open_context(steps), "news", AT, now=NOW)


def test_a_changed_text_is_refused_by_scheduling(steps: Path) -> None:
    approve(steps, "arta")
    approve(steps, "drita")
    path = steps / "drafts" / "news.toml"
    path.write_text(path.read_text().replace("Lajm i ri", "Lajm i vjetër"))
    with pytest.raises(UserError, match=r"waiting for: desk, spokesperson"):
        queueing.schedule(open_context(steps), "news", AT, now=NOW)


def test_approved_true_by_hand_does_not_approve(steps: Path) -> None:
    path = steps / "drafts" / "news.toml"
    path.write_text(path.read_text().replace("approved = false", "approved = true"))
    with pytest.raises(UserError, match="not approved"):
        queueing.schedule(open_context(steps), "news", AT, now=NOW)
    result = cli(steps, "schedule", "news", "--at", AT.isoformat(), "--now", NOW.isoformat())
    assert result.code == 2 and "not approved" in result.err and items(steps) == []


def test_without_steps_a_draft_with_records_ignores_its_files_approved(ws: Path) -> None:
    approve(ws, "arta")
    edit_text(ws, "Tekst tjetër.", by="ilir")
    path = ws / "drafts" / "news.toml"
    path.write_text(path.read_text().replace("approved = false", "approved = true"))
    with pytest.raises(UserError, match="not approved"):
        queueing.schedule(open_context(ws), "news", AT, now=NOW)


def test_without_steps_anyone_approves_in_one_step(ws: Path) -> None:
    done = approve(ws, "whoever")
    assert done.record.step == DEFAULT_STEP and done.clearance.cleared
    send(ws)
    assert len(outbox_files(ws)) == 1


# Per-language approval


def test_a_language_step_clears_that_language(ws: Path) -> None:
    add_account(ws, "box-sr", "--platform", "outbox", "--locales", "sr")
    with_steps(ws, '\n[approval.languages]\nsr = ["marko"]\n')
    path = ws / "drafts" / "news.toml"
    path.write_text(path.read_text().replace('accounts = ["box"]', 'accounts = ["box", '
                                             '"box-sr"]') + '\n[variants.sr]\ntext = "Вест."\n')
    approve(ws, "arta")
    done = approve(ws, "drita")
    assert not done.clearance.cleared and done.clearance.pending == ["sr"]
    with pytest.raises(UserError, match="arta may not approve the step 'sr'"):
        approve(ws, "arta", "sr")
    assert approve(ws, "marko", "sr").clearance.cleared


def test_languages_must_name_logins() -> None:
    where = lambda *keys: "publisher.toml"  # noqa: E731
    people = parse_people({"steps": ["desk"], "languages": {"sr": ["marko"]}},
                          {"desk": ["arta"]}, where)
    assert people.language_approvers == {"sr": ("marko",)}
    with pytest.raises(UserError, match="is not a user name"):
        parse_people({"languages": {"sr": ["not a login"]}}, {}, where)
    with pytest.raises(UserError, match="is both a step and a language"):
        parse_people({"steps": ["sr"], "languages": {"sr": ["m"]}}, {"sr": ["a"]}, where)


@given(st.dictionaries(st.text(max_size=8), st.lists(st.text(max_size=8), max_size=3),
                       max_size=3))
def test_any_languages_table_is_read_or_refused_in_one_line(table: dict) -> None:
    where = lambda *keys: "publisher.toml"  # noqa: E731
    try:
        people = parse_people({"steps": ["desk"], "languages": table}, {"desk": ["a"]}, where)
    except UserError as error:
        assert "\n" not in str(error)
    else:
        assert all(logins for logins in people.language_approvers.values())


# The fingerprint


def test_the_fingerprint_covers_every_text_and_image_and_nothing_else() -> None:
    draft = Draft("d", "sq", accounts=("a",), variants={
        "sq": Variant("sq", "Tekst", thread=("dy",)), "en": Variant("en", "Text")},
        media=(Media("media/a.png", {"sq": "A", "en": "B"}),))
    digests = {"media/a.png": "00"}
    base = approval_fingerprint(draft, digests)
    assert base.startswith("v1:") and base == approval_fingerprint(draft, dict(digests))
    from dataclasses import replace
    assert approval_fingerprint(replace(draft, title="other"), digests) == base
    assert approval_fingerprint(draft, {"media/a.png": "01"}) != base
    changed = replace(draft, variants={**draft.variants, "en": Variant("en", "Text!")})
    assert approval_fingerprint(changed, digests) != base
    assert approval_fingerprint(changed, digests, ("sq",)) == approval_fingerprint(
        draft, digests, ("sq",))
    assert changed_locales(draft, changed) == ("en",)


# --step, drafts show --json, history, as the current user


def test_the_cli_approves_as_the_current_user_and_show_lists_it(ws: Path) -> None:
    result = cli(ws, "drafts", "approve", "news", "--now", NOW.isoformat())
    assert result.code == 0, result.err
    shown = json.loads(cli(ws, "drafts", "show", "news", "--json").out)
    (record,) = shown["approvals"]
    assert record["step"] == DEFAULT_STEP and record["by"] == ME
    assert record["at"] == NOW.isoformat() and record["fingerprint"].startswith("v1:")
    assert shown["pending_steps"] == [] and shown["approved"] is True


def test_the_cli_names_the_pending_steps(steps: Path) -> None:
    result = cli(steps, "drafts", "approve", "news", "--step", "desk", "--now", NOW.isoformat())
    assert result.code == 0, result.err
    assert "waiting for: spokesperson" in result.out
    shown = json.loads(cli(steps, "drafts", "show", "news", "--json").out)
    assert [a["step"] for a in shown["approvals"]] == ["desk"]
    assert shown["pending_steps"] == ["spokesperson"] and shown["approved"] is False
    again = cli(steps, "drafts", "approve", "news", "--step", "spokesperson")
    assert again.code == 2 and again.err.count("\n") == 1
    assert f"{ME} may not approve the step 'spokesperson'" in again.err


@given(st.text(max_size=40))
def test_any_step_argument_is_taken_or_refused_in_one_line(text: str) -> None:
    from publisher.cli.drafts import STEP_ARGUMENT, step_name
    try:
        assert step_name(text) == text and STEP_ARGUMENT.fullmatch(text)
    except Exception as error:  # argparse's ArgumentTypeError
        assert "\n" not in str(error)


def test_history_says_who_did_what_newest_first(steps: Path) -> None:
    edit_text(steps, "Lajm.", by="ilir", at=NOW)
    approve(steps, "arta", at=NOW + timedelta(minutes=1))
    approve(steps, "drita", at=NOW + timedelta(minutes=2))
    queueing.schedule(open_context(steps), "news", AT, now=NOW + timedelta(minutes=3),
                      actor="arta")
    flush(open_context(steps), clock=lambda: AT + timedelta(seconds=30))
    lines = approvals.history(open_context(steps), "news")
    assert [(line.kind, line.actor, line.what) for line in lines] == [
        ("queue", "cron", "sent"), ("queue", "cron", "sending"), ("queue", "arta", "queued"),
        ("approval", "drita", "approved"), ("approval", "arta", "approved"),
        ("change", "ilir", "edited")]
    result = cli(steps, "history", "news", "--json", "--limit", "2")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [d["actor"] for d in data] == ["cron", "cron"]
    assert set(data[0]) == {"at", "actor", "kind", "draft", "what", "reason", "item",
                            "from_state", "step", "locales", "fingerprint"}
    text = cli(steps, "history").out.splitlines()
    assert len(text) == 6 and "drita" in text[3] and "approved step spokesperson" in text[3]


def test_history_of_an_unknown_draft_exits_2(ws: Path) -> None:
    result = cli(ws, "history", "nothing-here")
    assert result.code == 2 and "no draft 'nothing-here'" in result.err
    assert result.err.count("\n") == 1


def test_the_cli_records_its_user_as_the_actor(ws: Path) -> None:
    cli(ws, "drafts", "approve", "news", "--now", NOW.isoformat())
    scheduled = cli(ws, "schedule", "news", "--at", AT.isoformat(), "--now", NOW.isoformat(),
                    "--json")
    assert scheduled.code == 0, scheduled.err
    (item,) = json.loads(scheduled.out)
    cli(ws, "cancel", str(item["id"]), "--now", NOW.isoformat())
    assert [row[2] for row in history(ws, item["id"])] == [ME, ME]


def test_records_are_append_only(ws: Path) -> None:
    approve(ws, "arta")
    edit_text(ws, "Tekst.", by="ilir")
    with sqlite3.connect(ws / "queue.sqlite3") as db:
        for sql in ("UPDATE approvals SET actor = 'x'", "DELETE FROM approvals",
                    "UPDATE draft_changes SET actor = 'x'", "DELETE FROM draft_changes"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(sql)


def test_po_import_records_the_translator(ws: Path) -> None:
    add_account(ws, "box-en", "--platform", "outbox", "--locales", "en")
    write_draft(ws, "news", ["box", "box-en"], approved=False)
    approve(ws, "arta")
    po = ws / "en.po"
    exported = cli(ws, "translations", "export", "--locale", "en", "--out", str(po))
    assert exported.code == 0, exported.err
    text = po.read_text().rstrip("\n")
    assert text.endswith('msgstr ""')
    po.write_text(text[:-len('msgstr ""')] + 'msgstr "News from the embassy."\n')
    context = open_context(ws)
    from publisher.services.translations import import_po
    import_po(context, po, "en", by="marko", now=NOW)
    made = approvals.authorship(open_context(ws), "news")
    assert made.changed["en"].by == "marko"
    kinds = [r.kind for r in approvals.approval_records(open_context(ws), "news")]
    assert kinds == ["approved", "withdrawn"]
