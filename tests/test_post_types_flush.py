"""Threads, first comments, own texts and options from scheduling to the outbox:
refusals at scheduling, one queue item per part, exactly once part by part."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from queue_helpers import T0, add_account, cli, items, outbox_files, schedule, states

from publisher.domain.queue import State
from publisher.services.context import open_context
from publisher.services.flush import flush
from publisher.services.queueing import open_queue

STATEMENT = '''title = "Statement"
source = "sq"
accounts = [{accounts}]
approved = true
{top}
[variants.sq]
text = "Pjesa e parë."
thread = ["Pjesa e dytë.", "Pjesa e tretë."]
first_comment = "Lidhjet: https://mfa-ks.net"
{variant}
'''


def write(home: Path, accounts: list[str], *, top: str = "", variant: str = "",
          draft_id: str = "statement") -> None:
    (home / "drafts" / f"{draft_id}.toml").write_text(STATEMENT.format(
        accounts=", ".join(f'"{a}"' for a in accounts), top=top, variant=variant),
        encoding="utf-8")


def imitate(home: Path, account: str, platform: str) -> None:
    """An outbox account that follows another platform's rules (as the demo's do)."""
    path = home / "accounts.toml"
    path.write_text(path.read_text().replace(
        f"[accounts.{account}]\n", f'[accounts.{account}]\nimitates = "{platform}"\n'))


def records(home: Path) -> list[dict]:
    found = [json.loads(path.read_text()) for path in outbox_files(home)]
    return sorted(found, key=lambda record: record["item"])


@pytest.fixture
def ws(home: Path) -> Path:
    add_account(home, "box", "--platform", "outbox", "--locales", "sq")
    return home


def test_a_thread_and_a_first_comment_are_one_item_each(ws: Path) -> None:
    write(ws, ["box"])
    ids = schedule(ws, "statement")
    listed = items(ws)
    assert [item["part"]["label"] for item in listed] == [
        "thread 1/3", "thread 2/3", "thread 3/3", "first comment"]
    assert [item["part"]["after"] for item in listed] == [None, *ids[:3]]
    assert {item["part"]["chain_of"] for item in listed[1:]} == {ids[0]}
    table = cli(ws, "queue").out
    assert "sq, thread 2/3" in table and "sq, first comment" in table
    result = cli(ws, "flush", "--now", T0)
    assert result.code == 0, result.err
    sent = records(ws)
    assert [r["text"] for r in sent] == ["Pjesa e parë.", "Pjesa e dytë.", "Pjesa e tretë.",
                                          "Lidhjet: https://mfa-ks.net"]
    first, second, third, comment = sent
    assert "reply_to" not in first
    assert (second["reply_to"], second["root"]) == (first["id"], first["id"])
    assert (third["reply_to"], third["root"]) == (second["id"], first["id"])
    assert (comment["kind"], comment["reply_to"]) == ("comment", first["id"])
    assert set(states(ws).values()) == {"sent"}


def test_a_later_part_never_goes_before_the_one_it_follows(ws: Path) -> None:
    write(ws, ["box"])
    first, second, *_rest = schedule(ws, "statement")
    context = open_context(ws)
    now = datetime.fromisoformat(T0)
    with open_queue(context) as queue:
        # As if the first part had failed for a passing reason: it waits for a retry.
        queue.move(first, State.QUEUED, State.SENDING, now=now, actor="test")
        queue.move(first, State.SENDING, State.RETRY, now=now, actor="test",
                   next_attempt_at=now + timedelta(hours=1))
    report = flush(context, clock=lambda: now)
    assert report.outcomes == [] and outbox_files(ws) == []
    assert states(ws)[second] == "queued"


def test_a_first_part_that_fails_for_good_stops_the_rest(ws: Path) -> None:
    write(ws, ["box"])
    first, *later = schedule(ws, "statement")
    # The outbox refuses a record whose file is in the way: the first part fails.
    (ws / "outbox" / "box").mkdir(parents=True)
    with open_queue(open_context(ws)) as queue:
        idempotency_key = queue.get(first).idempotency_key
    (ws / "outbox" / "box" / f"{idempotency_key}.json").mkdir()
    result = cli(ws, "flush", "--now", T0)
    assert result.code == 4
    listed = {item["id"]: item for item in items(ws)}
    assert listed[first]["state"] == "failed"
    for item_id in later:
        assert listed[item_id]["state"] == "failed"
        assert listed[item_id]["error"].startswith("the post it replies to was not sent")
    assert [path for path in outbox_files(ws) if path.is_file()] == []
    # A person fixes it and retries the first part: the rest go with it, in order.
    (ws / "outbox" / "box" / f"{idempotency_key}.json").rmdir()
    assert cli(ws, "retry", str(first), "--now", T0).code == 0
    assert cli(ws, "flush", "--now", T0).code == 0
    assert set(states(ws).values()) == {"sent"}
    assert len(records(ws)) == 4


def test_cancelling_the_first_part_cancels_the_rest(ws: Path) -> None:
    write(ws, ["box"])
    first, *_later = schedule(ws, "statement")
    assert cli(ws, "cancel", str(first), "--now", T0).code == 0
    assert set(states(ws).values()) == {"cancelled"}
    assert cli(ws, "flush", "--now", T0).code == 0
    assert outbox_files(ws) == []


def test_joined_where_the_platform_has_no_threads(ws: Path) -> None:
    add_account(ws, "page", "--platform", "outbox", "--locales", "sq")
    imitate(ws, "page", "facebook")
    write(ws, ["page"])
    _post, _comment = schedule(ws, "statement")
    assert cli(ws, "flush", "--now", T0).code == 0
    joined, under = records(ws)
    assert joined["text"] == "Pjesa e parë.\n\nPjesa e dytë.\n\nPjesa e tretë."
    assert (under["kind"], under["reply_to"]) == ("comment", joined["id"])


def test_a_joined_thread_too_long_is_refused_with_the_reason(ws: Path) -> None:
    add_account(ws, "page", "--platform", "outbox", "--locales", "sq")
    imitate(ws, "page", "linkedin")
    long_part = "Fjalë " * 500  # 3000 characters: two of them pass LinkedIn's 3000
    write(ws, ["page"])
    path = ws / "drafts" / "statement.toml"
    path.write_text(path.read_text().replace('"Pjesa e dytë."', f'"{long_part.strip()}"'))
    result = cli(ws, "schedule", "statement", "--at", T0, "--now", T0)
    assert result.code == 2
    assert "linkedin has no threads, and the thread joined into one post is too long" \
        in result.err
    assert items(ws) == []


def test_each_thread_part_is_counted(ws: Path) -> None:
    add_account(ws, "bird", "--platform", "outbox", "--locales", "sq")
    imitate(ws, "bird", "x")
    write(ws, ["bird"])
    path = ws / "drafts" / "statement.toml"
    path.write_text(path.read_text().replace('"Pjesa e tretë."', '"' + "a" * 300 + '"'))
    result = cli(ws, "schedule", "statement", "--at", T0, "--now", T0)
    assert result.code == 2
    assert "statement on bird (sq): thread part 3: 300/280" in result.err


def test_an_unsupported_option_is_a_warning_not_a_refusal(ws: Path) -> None:
    add_account(ws, "bird", "--platform", "outbox", "--locales", "sq")
    imitate(ws, "bird", "x")
    write(ws, ["bird"], top='[options]\nvisibility = "unlisted"\npin = true\n')
    result = cli(ws, "schedule", "statement", "--at", T0, "--now", T0, "--json")
    assert result.code == 0, result.err
    assert "bird: x does not do the option visibility" in result.err
    assert "bird: x does not do the option pin" in result.err
    assert len(json.loads(result.out)) == 4
    validate = cli(ws, "drafts", "validate")
    assert validate.code == 0 and "does not do the option pin" in validate.err


def test_options_and_content_warning_reach_the_adapter(ws: Path) -> None:
    write(ws, ["box"], top='[options]\nvisibility = "private"\nsilent = true\n',
          variant='content_warning = "Politikë"')
    schedule(ws, "statement")
    (item, *_rest) = items(ws)
    assert item["part"]["options"] == ["visibility", "silent"]
    assert cli(ws, "flush", "--now", T0).code == 0
    first = records(ws)[0]
    assert first["options"] == {"visibility": "private", "silent": True}
    assert first["content_warning"] == "Politikë"


def test_an_accounts_own_text_replaces_the_variants(ws: Path) -> None:
    add_account(ws, "box2", "--platform", "outbox", "--locales", "sq")
    write(ws, ["box", "box2"], variant='[variants.sq.accounts.box2]\ntext = "Shkurt."\n')
    schedule(ws, "statement")
    assert cli(ws, "flush", "--now", T0).code == 0
    by_account: dict[str, list[str]] = {}
    for record in records(ws):
        by_account.setdefault(record["account"], []).append(record["text"])
    assert by_account["box2"] == ["Shkurt.", "Lidhjet: https://mfa-ks.net"]
    assert len(by_account["box"]) == 4


def test_an_edit_to_a_thread_part_stops_the_queued_parts(ws: Path) -> None:
    write(ws, ["box"])
    schedule(ws, "statement")
    path = ws / "drafts" / "statement.toml"
    path.write_text(path.read_text().replace("Pjesa e tretë.", "Pjesa e tretë, ndryshuar."))
    assert cli(ws, "flush", "--now", T0).code == 4
    assert set(states(ws).values()) == {"failed"}
    assert outbox_files(ws) == []


def test_drafts_show_json_has_every_part(ws: Path) -> None:
    add_account(ws, "box2", "--platform", "outbox", "--locales", "sq")
    write(ws, ["box", "box2"], top='[options]\npin = true\n',
          variant='content_warning = "Politikë"\n[variants.sq.accounts.box2]\ntext = "Shkurt."\n')
    shown = json.loads(cli(ws, "drafts", "show", "statement", "--json").out)
    source = shown["variants"]["sq"]
    assert source["thread"] == ["Pjesa e dytë.", "Pjesa e tretë."]
    assert source["first_comment"] == "Lidhjet: https://mfa-ks.net"
    assert source["content_warning"] == "Politikë"
    assert source["accounts"]["box2"]["text"] == "Shkurt."
    assert shown["options"] == {"visibility": "public", "silent": False, "pin": True}
    assert shown["link_card"] is True


def test_the_cross_language_check_reads_every_part(ws: Path) -> None:
    write(ws, ["box"], variant='[variants.en]\ntext = "Part one."\n'
          'thread = ["Part two.", "Part three."]\nfirst_comment = "Links: none"\n')
    add_account(ws, "box-en", "--platform", "outbox", "--locales", "en")
    checked = json.loads(cli(ws, "drafts", "check", "statement", "--json").out)
    findings = json.dumps(checked, ensure_ascii=False)
    assert "https://mfa-ks.net" in findings  # in the Albanian first comment only


def test_a_thread_past_its_lateness_expires_whole(ws: Path) -> None:
    write(ws, ["box"])
    schedule(ws, "statement")
    late = cli(ws, "flush", "--now", "2026-12-03T09:00:00+01:00")
    assert late.code == 0, late.err
    assert set(states(ws).values()) == {"expired"}
    assert outbox_files(ws) == []


def test_a_stale_own_text_is_said_at_approval_and_refused_at_scheduling(ws: Path) -> None:
    add_account(ws, "box-sr", "--platform", "outbox", "--locales", "sr")
    write(ws, ["box-sr"], variant=(
        '[variants.sq.accounts.box-sr]\ntext = "Shkurt."\n'
        '[variants.sr]\ntext = "Први део."\nthread = ["Други.", "Трећи."]\n'
        '[variants.sr.accounts.box-sr]\ntext = "Кратко."\nfrom_source = "00000000"\n'))
    path = ws / "drafts" / "statement.toml"
    path.write_text(path.read_text().replace("approved = true", "approved = false"))
    approved = cli(ws, "drafts", "approve", "statement")
    assert approved.code == 0, approved.err
    assert "sr for box-sr is stale" in approved.err
    refused = cli(ws, "schedule", "statement", "--at", T0, "--now", T0)
    assert refused.code == 2
    assert "the sr text of 'statement' for box-sr is stale" in refused.err


def test_a_post_with_only_a_first_comment_stops_its_comment_when_it_fails(ws: Path) -> None:
    write(ws, ["box"])
    path = ws / "drafts" / "statement.toml"
    path.write_text(path.read_text().replace(
        'thread = ["Pjesa e dytë.", "Pjesa e tretë."]\n', ""))
    post, comment = schedule(ws, "statement")
    with open_queue(open_context(ws)) as queue:
        key = queue.get(post).idempotency_key
    (ws / "outbox" / "box").mkdir(parents=True)
    (ws / "outbox" / "box" / f"{key}.json").mkdir()  # the outbox refuses the post
    context = open_context(ws)
    report = flush(context, clock=lambda: datetime.fromisoformat(T0), only={post})
    assert [(o.item.id, o.state) for o in report.outcomes] == [
        (post, State.FAILED), (comment, State.FAILED)]
    assert report.outcomes[1].detail.startswith("the post it replies to was not sent")


def test_the_journal_keeps_the_ref_a_first_comment_needs(ws: Path) -> None:
    from publisher.platforms.base import Published
    from publisher.services.queue_file import journal_of, record_published

    write(ws, ["box"])
    path = ws / "drafts" / "statement.toml"
    path.write_text(path.read_text().replace(
        'thread = ["Pjesa e dytë.", "Pjesa e tretë."]\n', ""))
    post, _comment = schedule(ws, "statement")  # a post alone, with its first comment
    context = open_context(ws)
    with open_queue(context) as queue:
        item = queue.get(post)
    record_published(context, item, Published("at://x/post/1", None, "bafyrei1"),
                     datetime.fromisoformat(T0))
    (record,) = [r for r in journal_of(context).records() if r.get("item") == post]
    assert record["ref"] == "bafyrei1"


def test_a_thread_is_rescheduled_whole_from_its_first_part(ws: Path) -> None:
    write(ws, ["box"])
    first, second, *_rest = schedule(ws, "statement")
    later = "2026-12-01T15:00:00+01:00"
    moved = cli(ws, "reschedule", str(first), "--at", later, "--now", T0)
    assert moved.code == 0, moved.err
    assert {item["due_utc"] for item in items(ws)} == {"2026-12-01T14:00:00+00:00"}
    alone = cli(ws, "reschedule", str(second), "--at", T0, "--now", T0)
    assert alone.code == 2
    assert f"item {second} is part of a post: it moves with item {first}" in alone.err
