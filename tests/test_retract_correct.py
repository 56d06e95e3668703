"""publisher retract and correct: the plan, the queue steps, the outbox's records.

Real workspaces, the real queue file, the outbox adapter (its ``cannot.txt`` says what
a platform cannot do, its ``refuse.txt`` refuses) and real subprocesses killed with
SIGKILL in the middle of a step.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from hypothesis import given
from hypothesis import strategies as st
from queue_helpers import T0, add_account, cli, history, items, states

LATER = "2026-12-01T09:10:00+01:00"
LATER_STILL = "2026-12-01T09:20:00+01:00"


def write_alert(home: Path, accounts: list[str], number: str = "112",
                approved: bool = True) -> None:
    """A draft of a post, a thread reply and a first comment, in sq and en."""
    listed = ", ".join(f'"{a}"' for a in accounts)
    (home / "drafts" / "alert.toml").write_text(
        f'title = "alert"\nsource = "sq"\naccounts = [{listed}]\n'
        f"approved = {'true' if approved else 'false'}\n"
        f'[variants.sq]\ntext = "Numri i emergjencës: {number}."\n'
        f'thread = ["Pjesa e dytë."]\nfirst_comment = "Koment."\n'
        f'[variants.en]\ntext = "Emergency number: {number}."\n'
        f'thread = ["Part two."]\nfirst_comment = "Comment."\n',
        encoding="utf-8")


@pytest.fixture
def published(home: Path) -> Path:
    """The alert, published on two outbox accounts (box-a in sq and en, box-b in sq)."""
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq,en")
    add_account(home, "box-b", "--platform", "outbox", "--locales", "sq")
    write_alert(home, ["box-a", "box-b"])
    done = cli(home, "publish-now", "alert", "--now", T0)
    assert done.code == 0, done.err
    assert len(items(home)) == 9
    return home


def outbox(home: Path, account: str, pattern: str) -> list[Path]:
    return sorted((home / "outbox" / account).glob(pattern))


def steps(home: Path) -> list[dict]:
    return [item for item in items(home) if item["action"] != "post"]


# Retract


def test_retract_deletes_every_part_children_first_on_every_account(published: Path) -> None:
    result = cli(published, "retract", "alert", "--yes", "--reason", "wrong number",
                 "--now", LATER, "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert {step["action"] for step in report["plan"]} == {"delete"}
    assert len(report["plan"]) == 9 and report["exit_code"] == 0
    assert set(report["plan"][0]) == {"account", "locale", "part", "item", "action", "why",
                                      "url"}
    assert {o["state"] for o in report["outcome"]} == {"sent"}
    # One deletion record beside each post's record, and the post's record kept.
    assert len(outbox(published, "box-a", "*.deleted.json")) == 6
    assert len(outbox(published, "box-b", "*.deleted.json")) == 3
    posts = {item["id"]: item for item in items(published) if item["action"] == "post"}
    for post in posts.values():
        key = post["url"].rsplit("/", 1)[1].removesuffix(".json")
        deleted = json.loads((published / "outbox" / post["account"] /
                              f"{key}.deleted.json").read_text())
        post["deleted_by"] = deleted["item"]
    # Children first: each chain's first comment, then its reply, then its first post.
    for first in [p for p in posts.values() if p["part"]["chain_of"] is None]:
        chain = [p for p in posts.values() if p["part"]["chain_of"] == first["id"]]
        assert all(p["deleted_by"] < first["deleted_by"] for p in chain)
        comment = next(p for p in chain if p["part"]["kind"] == "comment")
        reply = next(p for p in chain if p["part"]["kind"] == "reply")
        assert comment["deleted_by"] < reply["deleted_by"]
    # Each step's history says who queued it and why.
    step = steps(published)[0]
    assert [(frm, to) for frm, to, _who in history(published, step["id"])] == [
        (None, "queued"), ("queued", "sending"), ("sending", "sent")]
    with sqlite3.connect(published / "queue.sqlite3") as db:
        (reason,) = db.execute("SELECT reason FROM history WHERE item_id = ? ORDER BY id",
                               (step["id"],)).fetchone()
    assert "wrong number" in reason


def test_retract_without_yes_and_no_terminal_prints_the_plan_and_does_nothing(
        published: Path) -> None:
    before = states(published)
    result = cli(published, "retract", "alert", "--now", LATER)
    assert result.code == 2
    assert "delete" in result.out and "box-b" in result.out
    assert result.err.count("\n") == 1 and "--yes" in result.err
    assert states(published) == before
    assert not outbox(published, "box-a", "*.deleted.json")


def test_retract_one_account_only(published: Path) -> None:
    result = cli(published, "retract", "alert", "--account", "box-b", "--yes", "--now", LATER)
    assert result.code == 0, result.err
    assert len(outbox(published, "box-b", "*.deleted.json")) == 3
    assert not outbox(published, "box-a", "*.deleted.json")


def test_the_plan_and_its_outcome_speak_the_chosen_language(published: Path) -> None:
    result = run_cli("--lang", "sq", "--home", str(published), "retract", "alert",
                     "--account", "box-b", "--yes", "--now", LATER)
    assert result.code == 0, result.err
    assert "(fshij në box-b" in result.out and "(delete " not in result.out


def test_the_freeze_does_not_block_a_retraction(published: Path) -> None:
    assert cli(published, "pause", "--all", "--reason", "crisis", "--now", T0).code == 0
    result = cli(published, "retract", "alert", "--yes", "--now", LATER)
    assert result.code == 0, result.err
    assert {step["state"] for step in steps(published)} == {"sent"}
    assert len(outbox(published, "box-a", "*.deleted.json")) == 6


def test_a_retraction_while_another_flush_runs_is_queued_and_done_by_the_next(
    published: Path,
) -> None:
    from publisher.storage.lock import FileLock

    with FileLock(published / ".flush.lock"):
        result = cli(published, "retract", "alert", "--yes", "--now", LATER)
    assert result.code == 3, result.err  # waiting for the next flush, nothing lost
    assert "a flush is running" in result.err + result.out
    assert {step["state"] for step in steps(published)} == {"queued"}
    assert not outbox(published, "box-a", "*.deleted.json")
    assert cli(published, "flush", "--now", LATER).code == 0
    assert {step["state"] for step in steps(published)} == {"sent"}
    assert len(outbox(published, "box-a", "*.deleted.json")) == 6


def test_retract_cancels_what_was_not_sent(home: Path) -> None:
    add_account(home, "box-a", "--platform", "outbox", "--locales", "sq")
    write_alert(home, ["box-a"])
    assert cli(home, "schedule", "alert", "--at", LATER_STILL, "--now", T0).code == 0
    result = cli(home, "retract", "alert", "--yes", "--now", LATER, "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert {step["action"] for step in report["plan"]} == {"cancel"}
    assert set(states(home).values()) == {"cancelled"}
    assert not (home / "outbox").exists() or not outbox(home, "box-a", "*.json")


def test_a_platform_that_cannot_delete_says_why_and_where(published: Path) -> None:
    (published / "outbox" / "box-b" / "cannot.txt").write_text(
        "delete: the API has no deletion\n")
    result = cli(published, "retract", "alert", "--yes", "--now", LATER, "--json")
    assert result.code == 4, result.err
    plan = json.loads(result.out)["plan"]
    cannot = [step for step in plan if step["action"] == "cannot"]
    assert len(cannot) == 3 and {step["account"] for step in cannot} == {"box-b"}
    assert all(step["why"] == "the API has no deletion" and step["url"].startswith("file:")
               for step in cannot)
    assert len(outbox(published, "box-a", "*.deleted.json")) == 6
    text = cli(published, "retract", "alert", "--account", "box-b", "--yes", "--now", LATER)
    assert text.code == 4
    assert "cannot on box-b" in text.err and "do it by hand at file:" in text.err


def test_a_post_already_gone_counts_as_deleted_and_deleting_again_is_a_no_op(
        published: Path) -> None:
    first = next(i for i in items(published) if i["account"] == "box-b"
                 and i["part"]["kind"] == "post")
    record = published / "outbox" / "box-b" / first["url"].rsplit("/", 1)[1]
    record.unlink()  # removed by hand on the platform
    result = cli(published, "retract", "alert", "--account", "box-b", "--yes", "--now", LATER)
    assert result.code == 0, result.err
    assert len(outbox(published, "box-b", "*.deleted.json")) == 2
    again = cli(published, "retract", "alert", "--account", "box-b", "--yes", "--now", LATER)
    assert again.code == 2 and "no post to retract" in again.err


def test_a_refused_deletion_needs_a_person_and_the_first_post_stays(published: Path) -> None:
    # The reply's deletion is refused: the first post is not deleted before it.
    (published / "outbox" / "box-b" / "refuse.txt").write_text("policy says no")
    result = cli(published, "retract", "alert", "--account", "box-b", "--yes", "--now", LATER,
                 "--json")
    assert result.code == 4, result.err
    outcome = json.loads(result.out)["outcome"]
    assert [o["state"] for o in outcome] == ["failed", "failed", "failed"]
    assert "policy says no" in outcome[0]["detail"]
    assert "item" in outcome[2]["detail"]  # waits for the step before it, which failed
    assert not outbox(published, "box-b", "*.deleted.json")


# Correct


def test_correct_edits_where_it_can_and_reposts_where_it_cannot(published: Path) -> None:
    write_alert(published, ["box-a", "box-b"], number="911")
    (published / "outbox" / "box-b" / "cannot.txt").write_text("edit: no edits here\n")
    result = cli(published, "correct", "alert", "--yes", "--now", LATER, "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert {(s["account"], s["action"]) for s in plan} == {("box-a", "edit"),
                                                           ("box-b", "repost")}
    # box-a: the first post in sq and en edited in place, replies and comments unchanged.
    edits = outbox(published, "box-a", "*.edit-1.json")
    assert sorted(json.loads(p.read_text())["text"] for p in edits) == [
        "Emergency number: 911.", "Numri i emergjencës: 911."]
    # box-b: the old chain deleted, the new one posted whole.
    assert len(outbox(published, "box-b", "*.deleted.json")) == 3
    new = [i for i in items(published) if i["account"] == "box-b" and i["action"] == "post"
           and i["target"] is not None]
    assert len(new) == 3 and {i["state"] for i in new} == {"sent"}
    # Nothing changed since: refused.
    again = cli(published, "correct", "alert", "--yes", "--now", LATER_STILL)
    assert again.code == 2 and "has not changed" in again.err
    assert again.err.count("\n") == 1


def test_correct_as_a_reply_under_the_post(published: Path) -> None:
    write_alert(published, ["box-a", "box-b"], number="911")
    result = cli(published, "correct", "alert", "--how", "box-b=reply", "--how",
                 "box-a=edit", "--yes", "--now", LATER, "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert {(s["account"], s["action"]) for s in plan} == {("box-a", "edit"),
                                                           ("box-b", "reply")}
    (reply,) = [i for i in items(published) if i["account"] == "box-b" and i["target"]]
    first = next(i for i in items(published) if i["id"] == reply["part"]["chain_of"])
    key = reply["url"].rsplit("/", 1)[1]
    record = json.loads((published / "outbox" / "box-b" / key).read_text())
    assert record["text"] == "Numri i emergjencës: 911."
    assert record["reply_to"] == first["url"].rsplit("/", 1)[1].removesuffix(".json")


def test_correct_refuses_an_unapproved_draft_and_an_impossible_way(published: Path) -> None:
    write_alert(published, ["box-a", "box-b"], number="911", approved=False)
    result = cli(published, "correct", "alert", "--yes", "--now", LATER)
    assert result.code == 2 and "not approved" in result.err
    write_alert(published, ["box-a", "box-b"], number="911")
    (published / "outbox" / "box-b" / "cannot.txt").write_text("edit: no edits here\n")
    result = cli(published, "correct", "alert", "--how", "box-b=edit", "--yes", "--now", LATER)
    assert result.code == 2 and "no edits here" in result.err
    result = cli(published, "correct", "alert", "--how", "box-z=edit", "--yes", "--now", LATER)
    assert result.code == 2 and "box-z" in result.err
    assert not steps(published)


def test_a_platform_that_can_neither_edit_nor_delete_is_corrected_by_reply(
        published: Path) -> None:
    write_alert(published, ["box-a", "box-b"], number="911")
    (published / "outbox" / "box-b" / "cannot.txt").write_text("edit: no\ndelete: no\n")
    result = cli(published, "correct", "alert", "--yes", "--now", LATER, "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert {s["action"] for s in plan if s["account"] == "box-b"} == {"reply"}


# Killed mid-step: the next flush finishes the step, once


def _kill_mid_step(home: Path, account: str, *argv: str) -> None:
    """Run ``publisher *argv`` with the account's refuse.txt a FIFO: the step's request
    (the outbox reads refuse.txt before it writes) blocks after its claim; SIGKILL it
    there, then take the FIFO away."""
    fifo = home / "outbox" / account / "refuse.txt"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "--home", str(home), *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(s["state"] == "sending" for s in steps(home)):
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        else:
            pytest.fail("the step was never claimed")
        time.sleep(0.2)  # blocked opening the FIFO
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
        fifo.unlink()


def test_retract_killed_mid_step_is_finished_by_the_next_flush(published: Path) -> None:
    _kill_mid_step(published, "box-b", "retract", "alert", "--account", "box-b", "--yes",
                   "--now", LATER)
    assert [s["state"] for s in steps(published)] == ["sending", "queued", "queued"]
    flushed = cli(published, "flush", "--now", LATER_STILL)
    assert flushed.code == 0, flushed.err
    assert {s["state"] for s in steps(published)} == {"sent"}
    assert len(outbox(published, "box-b", "*.deleted.json")) == 3
    first = steps(published)[0]
    assert [(frm, to) for frm, to, _who in history(published, first["id"])] == [
        (None, "queued"), ("queued", "sending"), ("sending", "retry"), ("retry", "sending"),
        ("sending", "sent")]


def test_correct_killed_mid_edit_is_finished_once_by_the_next_flush(published: Path) -> None:
    write_alert(published, ["box-a", "box-b"], number="911")
    _kill_mid_step(published, "box-b", "correct", "alert", "--how", "box-a=reply", "--yes",
                   "--now", LATER)
    assert [s["state"] for s in steps(published)] == ["sending"]
    flushed = cli(published, "flush", "--now", LATER_STILL)
    assert flushed.code == 0, flushed.err
    assert {s["state"] for s in steps(published)} == {"sent"}
    (edit,) = outbox(published, "box-b", "*.edit-*.json")
    assert edit.name.endswith(".edit-1.json")
    assert json.loads(edit.read_text())["text"] == "Numri i emergjencës: 911."


# Old workspaces


def test_a_schema_5_queue_opens_and_its_items_are_posts(tmp_path: Path) -> None:
    from publisher.storage.queue import MIGRATIONS, SCHEMA_VERSION, Queue, _statements

    path = tmp_path / "queue.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:5]:
        for statement in _statements(script):
            db.execute(statement)
    db.execute("PRAGMA user_version = 5")
    stamp = "'2026-12-01T08:00:00.000000Z'"
    db.execute(
        "INSERT INTO items (draft_id, account_id, platform, locales, text, content_hash,"
        " due_at, state, idempotency_key, created_at, updated_at, remote_id, url) VALUES"
        f" ('d', 'a', 'outbox', '[\"sq\"]', 'tekst', 'h', {stamp}, 'sent', 'k1', {stamp},"
        f" {stamp}, 'k1', 'file:///k1.json')")
    db.commit()
    db.close()
    with Queue(path) as queue:
        assert queue.schema_version == SCHEMA_VERSION
        (old,) = queue.items()
        assert old.action == "post" and old.target is None and not old.is_step
        assert queue.items(steps=True) == [old]


# --how ACCOUNT=WAY, as a person types it


@given(st.text(max_size=40))
def test_how_is_a_known_account_and_way_or_one_user_error(text: str) -> None:
    from publisher.cli.crisis import parse_how
    from publisher.domain.corrections import How
    from publisher.domain.errors import UserError

    try:
        account, how = parse_how(text)
    except UserError as error:
        assert error.message.startswith("--how ")
        return
    assert account == account.strip() and account and isinstance(how, How)
    assert text.partition("=")[2].strip().lower() == how.value


@pytest.mark.parametrize("text, expected", [
    ("box-a=edit", ("box-a", "edit")), (" box-b = Repost ", ("box-b", "repost")),
    ("box-a=reply", ("box-a", "reply"))])
def test_how_examples(text: str, expected: tuple[str, str]) -> None:
    from publisher.cli.crisis import parse_how

    assert parse_how(text) == expected


# The journal knows deletions: a retracted draft is no longer published


def journal(home: Path) -> list[dict]:
    return [json.loads(line) for line in
            (home / "journal.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_retracted_draft_is_scheduled_again_without_again(published: Path) -> None:
    assert cli(published, "retract", "alert", "--yes", "--now", LATER).code == 0
    deleted = [r for r in journal(published) if r["event"] == "deleted"]
    posts = {i["id"]: i for i in items(published) if i["action"] == "post"}
    assert len(deleted) == 9 and {r["draft"] for r in deleted} == {"alert"}
    assert {r["url"] for r in deleted} == {p["url"] for p in posts.values()}
    again = cli(published, "schedule", "alert", "--at", LATER_STILL, "--now", LATER)
    assert again.code == 0, again.err


def test_after_a_queue_reset_a_retracted_draft_is_not_published(published: Path) -> None:
    assert cli(published, "retract", "alert", "--account", "box-b", "--yes",
               "--now", LATER).code == 0
    assert cli(published, "queue", "reset", "--yes", "--now", LATER).code == 0
    # box-a still shows it: scheduling it there is refused; on box-b it is gone.
    refused = cli(published, "schedule", "alert", "--at", LATER_STILL, "--now", LATER)
    assert refused.code == 2 and "already published on box-a" in refused.err
    write_alert(published, ["box-b"])
    again = cli(published, "schedule", "alert", "--at", LATER_STILL, "--now", LATER)
    assert again.code == 0, again.err
