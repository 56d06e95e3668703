"""Token lifetimes across adapters, and the queue's durable checkpoints.

An expired token that cannot be renewed holds its account (auth) and no post
fails; one that expires within a week is warned of by the flush, once a day
per account with posts waiting; the queue keeps adapters' notes across a
crash and is created safely by two processes at once.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_cli
from fakes.x import FakeX
from queue_helpers import add_account, cli, items, schedule
from test_adapters import store_secret, write_post

from publisher.platforms.base import TokenStatus
from publisher.platforms.common.token_records import WARN_AHEAD, write_token_meta
from publisher.services.context import open_context
from publisher.services.secrets import KeyringSecrets
from publisher.services.tokens import token_notices, token_status_of
from publisher.storage.queue import MIGRATIONS, SCHEMA_VERSION, Queue

NOW = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)


@pytest.fixture
def x_server():
    with FakeX() as server:
        yield server


@pytest.fixture
def x_home(home: Path, x_server: FakeX) -> Path:
    add_account(home, "mfa-x", "--platform", "x", "--api-base", x_server.url,
                "--handle", "@MFAKosovo", "--locales", "en")
    store_secret(home, "mfa-x", "x-access-token")
    return home


def token_record(expires_at: datetime, **extra: str) -> None:
    write_token_meta(KeyringSecrets(), "mfa-x", {"expires_at": expires_at.isoformat(), **extra})


def flush_at(home: Path, moment: datetime, *extra: str):
    return cli(home, "flush", "--now", moment.isoformat(), *extra)


def test_an_expired_token_holds_the_account_and_fails_no_post(
    x_home: Path, x_server: FakeX
) -> None:
    token_record(NOW - timedelta(hours=1))
    write_post(x_home, "late", ["mfa-x"], {"en": "Token gone"})
    schedule(x_home, "late", at=NOW.isoformat(), now=NOW.isoformat())
    result = flush_at(x_home, NOW)
    assert result.code == 4
    (item,) = items(x_home)
    assert item["state"] == "held" and item["held_by"] == "auth"
    # The error is the platform's words; the fix is beside it (it was inside it).
    assert "expired" in item["error"] and "publisher" not in item["error"]
    assert item["fix"] == "publisher accounts login mfa-x && publisher resume --account mfa-x"
    assert x_server.tweets == []
    assert "x-access-token" not in result.err + result.out


def test_a_refreshable_token_is_renewed_not_warned_of(x_home: Path, x_server: FakeX) -> None:
    token_record(NOW + timedelta(minutes=2), refresh_token="x-refresh-1", client_id="client-123")
    context = open_context(x_home)
    assert token_status_of(context, "mfa-x", lambda: NOW).refreshable
    assert token_notices(context, lambda: NOW) == []
    write_post(x_home, "renewed", ["mfa-x"], {"en": "Renewed"})
    schedule(x_home, "renewed", at=NOW.isoformat(), now=NOW.isoformat())
    result = flush_at(x_home, NOW)
    assert result.code == 0, result.err
    assert len(x_server.tweets) == 1 and "warning" not in result.err


def test_flush_warns_a_week_ahead_once_a_day_for_accounts_with_posts_waiting(
    x_home: Path,
) -> None:
    expiry = NOW + timedelta(days=5)
    token_record(expiry)
    # Nothing waiting: nothing said.
    assert flush_at(x_home, NOW).err == ""
    write_post(x_home, "later", ["mfa-x"], {"en": "Next week"})
    schedule(x_home, "later", at=(NOW + timedelta(days=2)).isoformat(), now=NOW.isoformat())
    first = flush_at(x_home, NOW)
    assert first.code == 0
    assert "mfa-x: the token expires in 5 days (2026-12-06)" in first.err
    assert "publisher accounts login mfa-x" in first.err
    assert flush_at(x_home, NOW + timedelta(minutes=1)).err == ""  # said today already
    again = flush_at(x_home, NOW + timedelta(days=1), "--json")
    assert json.loads(again.out)["token_warnings"] == [
        "mfa-x: the token expires in 4 days (2026-12-06); log in again before then "
        "(publisher accounts login mfa-x)"]


def test_notices_start_exactly_a_week_ahead(x_home: Path) -> None:
    context = open_context(x_home)
    token_record(NOW + WARN_AHEAD + timedelta(seconds=1))
    assert token_notices(context, lambda: NOW) == []
    token_record(NOW + WARN_AHEAD)
    (notice,) = token_notices(context, lambda: NOW)
    assert notice.account_id == "mfa-x" and not notice.expired and not notice.refreshable


def test_accounts_without_expiring_tokens_have_no_expiry(demo: Path) -> None:
    context = open_context(demo)
    for account_id in context.accounts:
        assert token_status_of(context, account_id, lambda: NOW) == TokenStatus(None)


# The queue's checkpoints


def test_checkpoints_survive_reopening_and_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    with Queue(path) as queue:
        notes = queue.checkpoints()
        assert notes.get("key-1") is None
        notes.set("key-1", "container-17")
        notes.set("key-1", "container-18")
    with Queue(path) as queue:
        assert queue.checkpoints().get("key-1") == "container-18"


def test_a_first_release_queue_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("INSERT INTO pauses (scope, reason, since) VALUES (?, ?, ?)",
               ("*", "elections", "2026-11-30T08:00:00.000000Z"))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Queue(path) as queue:
        assert queue.schema_version == SCHEMA_VERSION
        assert queue.pauses()["*"].reason == "elections"
        queue.checkpoints().set("k", "v")


def test_a_token_stored_by_hand_forgets_the_old_tokens_record(x_home: Path) -> None:
    token_record(NOW - timedelta(hours=1), refresh_token="old-refresh")
    store = run_cli("--home", str(x_home), "accounts", "set-secret", "mfa-x",
                    stdin="x-access-token\n")
    assert store.code == 0, store.err
    assert KeyringSecrets().get("mfa-x", "oauth") is None
    assert token_status_of(open_context(x_home), "mfa-x", lambda: NOW) == TokenStatus(None)
