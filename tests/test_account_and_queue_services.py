"""services/accounts.py and the queue side of services/queueing.py, without a UI.

One view per thing: ``accounts list`` and the accounts screen show the rows of
:func:`accounts_overview`, ``publisher queue`` and the queue screen those of
:func:`queue_overview`, and both name the same command for a stopped account. And a
person's "publish this item now" from the queue screen."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import run_cli

from publisher.commands import command
from publisher.domain.queue import State
from publisher.domain.remedies import Fix, Remedy
from publisher.services import queueing
from publisher.services.accounts import accounts_overview, stopped_accounts
from publisher.services.context import open_context
from publisher.storage.queue import AccountHold, Pause

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW
LOGIN_THEN_RESUME = "publisher accounts login mfa-x && publisher resume --account mfa-x"


def stop_two_accounts(home: Path) -> None:
    """mfa-x held after an auth failure, mfa-telegram paused by a person."""
    context = open_context(home)
    with queueing.open_queue(context) as queue:
        queue.set_hold(AccountHold("mfa-x", "auth", None, "token revoked"))
    queueing.pause(context, "mfa-telegram", "channel review", NOW)


def test_accounts_list_shows_the_rows_of_the_accounts_view(demo: Path) -> None:
    overview = accounts_overview(open_context(demo), lambda: NOW)
    listed = json.loads(run_cli("--home", str(demo), "accounts", "list", "--json").out)
    assert [row["id"] for row in listed] == [row.account.id for row in overview.rows]
    assert [row["id"] for row in listed] == sorted(row["id"] for row in listed)
    assert {row["secret"] for row in listed} == {row.secret_state for row in overview.rows}


def test_a_stopped_account_gets_one_fixing_command_everywhere(demo: Path) -> None:
    stop_two_accounts(demo)
    overview = accounts_overview(open_context(demo), lambda: NOW)
    fixes = {row.account.id: row.remedy for row in overview.rows if row.remedy}
    assert fixes == {"mfa-x": Remedy(Fix.LOG_IN_AND_RESUME, account="mfa-x"),
                     "mfa-telegram": Remedy(Fix.RESUME_ACCOUNT, account="mfa-telegram")}
    assert {key: command(remedy) for key, remedy in fixes.items()} == {
        "mfa-x": LOGIN_THEN_RESUME, "mfa-telegram": "publisher resume --account mfa-telegram"}
    listing = run_cli("--home", str(demo), "accounts", "list")
    assert listing.code == 0, listing.err
    assert f"mfa-x: held after an auth failure; fix: {LOGIN_THEN_RESUME}" in listing.err
    assert ("mfa-telegram: paused (channel review); fix: publisher resume --account "
            "mfa-telegram") in listing.err


def test_the_queue_names_accounts_login_for_an_auth_hold(demo: Path) -> None:
    # It used to say 'accounts set-secret', which stores a token one already has; the
    # guided login is what gets a new one (the accounts screen said so already).
    stop_two_accounts(demo)
    listing = run_cli("--home", str(demo), "queue")
    assert listing.code == 0, listing.err
    assert f"mfa-x: held after an auth failure; fix: {LOGIN_THEN_RESUME}" in listing.out
    assert "set-secret" not in listing.out
    assert "mfa-telegram: paused (channel review)" in listing.out


def test_stopped_accounts_in_id_order_with_the_hold_before_the_pause() -> None:
    since = NOW - timedelta(hours=1)
    pauses = {"*": Pause("*", "freeze", since), "b": Pause("b", "", since),
              "c": Pause("c", "review", since)}
    holds = {"c": AccountHold("c", "rate", NOW, "429"), "a": AccountHold("a", "auth", None, "")}
    assert [(s.account_id, s.kind, s.reason, s.remedy)
            for s in stopped_accounts(pauses, holds)] == [
        ("a", "auth", "", Remedy(Fix.LOG_IN_AND_RESUME, account="a")),
        ("b", "paused", "", Remedy(Fix.RESUME_ACCOUNT, account="b")),
        ("c", "rate", "429", Remedy(Fix.RESUME_ACCOUNT, account="c")),
    ]


def test_queue_json_keeps_every_item_and_its_keys(demo: Path) -> None:
    context = open_context(demo)
    ids = queueing.schedule(context, "consular-alert-floods", NOW + timedelta(hours=1), now=NOW)
    queueing.cancel_item(context, ids[0], NOW)
    listed = json.loads(run_cli("--home", str(demo), "queue", "--json").out)
    assert [item["id"] for item in listed] == ids  # the cancelled one too
    assert set(listed[0]) == {
        "id", "draft", "account", "platform", "locales", "due_utc", "due_local", "timezone",
        "state", "held_by", "attempts", "next_attempt", "error", "fix", "url", "part", "card",
        "action", "target"}
    cancelled = json.loads(run_cli("--home", str(demo), "queue", "--state", "cancelled",
                                   "--json").out)
    assert [item["id"] for item in cancelled] == ids[:2]  # a thread's first part and its reply
    assert cancelled[0]["state"] == State.CANCELLED.value


# Publish one item now


def test_publish_now_brings_a_waiting_item_forward_and_sends_it(demo: Path) -> None:
    context = open_context(demo)
    ids = queueing.schedule(context, "consular-alert-floods", NOW + timedelta(days=2), now=NOW)
    report = queueing.publish_item_now(context, ids[0], clock)
    assert [o.state for o in report.outcomes] == [State.SENT] * 2  # the part and its reply
    with queueing.open_queue(context) as queue:
        assert queue.get(ids[2]).state == State.QUEUED  # the others keep their time
        reasons = [row.reason for row in queue.history(ids[0])]
    assert "a person asked to publish it now" in reasons


def test_publish_now_sends_a_failed_item_again(demo: Path) -> None:
    context = open_context(demo)
    ids = queueing.schedule(context, "consular-alert-floods", NOW, now=NOW)
    with queueing.open_queue(context) as queue:
        queue.move(ids[0], State.QUEUED, State.FAILED, now=NOW, actor="test", last_error="x")
    report = queueing.publish_item_now(context, ids[0], clock)
    assert [o.state for o in report.outcomes] == [State.SENT] * 2  # the part and its reply
