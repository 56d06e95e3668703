"""Flush against a real HTTP server on 127.0.0.1 that speaks Mastodon's API.

Covers what only real sockets and real processes show: a flush killed with
SIGKILL while its request is in flight, two flushes started together, rate
limits, passing server errors and a revoked token.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_cli
from fakes.base import Scripted
from fakes.mastodon import FakeMastodon
from queue_helpers import add_account, cli, items, schedule, states, write_draft

TOKEN = "test-access-token"


@pytest.fixture
def server():
    with FakeMastodon(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def ws(home: Path, server: FakeMastodon) -> Path:
    add_account(home, "dc-mastodon", "--platform", "mastodon", "--api-base", server.url,
                "--locales", "en")
    add_account(home, "box", "--platform", "outbox", "--locales", "en")
    assert run_cli("--home", str(home), "accounts", "set-secret", "dc-mastodon",
                   stdin=TOKEN + "\n").code == 0
    write_draft(home, "visa", ["dc-mastodon"], text="Visa-free travel since 2024.",
                extra="")
    path = home / "drafts" / "visa.toml"
    path.write_text(path.read_text().replace('source = "sq"', 'source = "en"')
                    .replace("[variants.sq]", "[variants.en]"))
    return home


def flush_process(home: Path, now: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "publisher", "--home", str(home), "flush", "--now", now],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )


def test_publishes_with_language_and_idempotency_key(ws: Path, server: FakeMastodon) -> None:
    (_item_id,) = schedule(ws, "visa")
    result = cli(ws, "flush", "--now", "2026-12-01T09:00:10+01:00")
    assert result.code == 0, result.err
    (request,) = server.requests_to("POST", "/api/v1/statuses")
    assert request.json()["language"] == "en"
    assert request.headers["idempotency-key"].startswith("pub-")
    assert request.headers["user-agent"].startswith("publisher/")
    (item,) = items(ws)
    assert item["state"] == "sent" and item["url"] == server.statuses[0]["url"]


def test_kill_9_in_flight_then_rerun_posts_exactly_once(ws: Path, server: FakeMastodon) -> None:
    schedule(ws, "visa")
    server.hold_path = "POST /api/v1/statuses"
    process = flush_process(ws, "2026-12-01T09:00:10+01:00")
    assert server.received.wait(timeout=30), "the flush never reached the server"
    process.send_signal(signal.SIGKILL)  # killed while its request is in flight
    process.wait(timeout=10)
    assert len(server.statuses) == 1  # the server took the post before the kill
    assert set(states(ws).values()) == {"sending"}
    server.hold_path = None
    server.release.set()
    rerun = cli(ws, "flush", "--now", "2026-12-01T09:05:00+01:00")
    assert rerun.code == 0, rerun.err
    assert len(server.statuses) == 1  # the same key: the server returned the first post
    (item,) = items(ws)
    assert item["state"] == "sent" and item["url"] == server.statuses[0]["url"]
    keys = {r.headers["idempotency-key"] for r in server.requests_to("POST", "/api/v1/statuses")}
    assert len(keys) == 1


def kill_in_flight(ws: Path, server: FakeMastodon) -> None:
    """A flush at 09:00:10 killed with SIGKILL while its status request is in flight."""
    server.now = datetime(2026, 12, 1, 8, 0, 11, tzinfo=UTC)
    schedule(ws, "visa")
    server.hold_path = "POST /api/v1/statuses"
    process = flush_process(ws, "2026-12-01T09:00:10+01:00")
    assert server.received.wait(timeout=30)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    server.hold_path = None
    server.release.set()


def test_killed_flush_found_after_the_key_expired_is_marked_sent(
    ws: Path, server: FakeMastodon
) -> None:
    kill_in_flight(ws, server)
    rerun = cli(ws, "flush", "--now", "2026-12-01T10:30:00+01:00")  # past the key's hour
    assert rerun.code == 0, rerun.err
    assert len(server.statuses) == 1
    assert len(server.requests_to("POST", "/api/v1/statuses")) == 1  # never resent
    (item,) = items(ws)
    assert item["state"] == "sent" and item["url"] == server.statuses[0]["url"]


def test_killed_before_the_post_arrived_is_sent_once_after_the_hour(
    ws: Path, server: FakeMastodon
) -> None:
    kill_in_flight(ws, server)
    server.statuses.clear()  # as if the request had died before the server took it
    server.by_key.clear()
    rerun = cli(ws, "flush", "--now", "2026-12-01T10:30:00+01:00")
    assert rerun.code == 0, rerun.err
    assert len(server.statuses) == 1
    assert set(states(ws).values()) == {"sent"}


def test_unknown_when_the_account_posted_more_than_a_page_since(
    ws: Path, server: FakeMastodon
) -> None:
    kill_in_flight(ws, server)
    server.statuses.clear()
    server.by_key.clear()
    for number in range(45):  # someone posted a lot by hand since the crash
        server.statuses.append({
            "id": str(200 + number), "url": f"{server.url}/@embassy/{200 + number}",
            "content": f"<p>Other post {number}</p>", "text": f"Other post {number}",
            "created_at": f"2026-12-01T08:{10 + number % 50:02d}:00.000Z",
        })
    rerun = cli(ws, "flush", "--now", "2026-12-01T10:30:00+01:00")
    assert rerun.code == 4
    assert "unknown" in rerun.err
    assert len(server.requests_to("POST", "/api/v1/statuses")) == 1  # never blindly resent
    assert set(states(ws).values()) == {"unknown"}


def test_two_flushes_started_together_send_once(ws: Path, server: FakeMastodon) -> None:
    schedule(ws, "visa")
    server.hold_path = "POST /api/v1/statuses"
    first = flush_process(ws, "2026-12-01T09:00:10+01:00")
    assert server.received.wait(timeout=30)
    second = flush_process(ws, "2026-12-01T09:00:11+01:00")
    assert second.wait(timeout=30) == 75
    server.release.set()
    assert first.wait(timeout=30) == 0
    assert len(server.statuses) == 1
    assert set(states(ws).values()) == {"sent"}


def test_429_holds_the_account_until_reset(ws: Path, server: FakeMastodon) -> None:
    write_draft(ws, "second", ["dc-mastodon"], text="Second post.")
    path = ws / "drafts" / "second.toml"
    path.write_text(path.read_text().replace('source = "sq"', 'source = "en"')
                    .replace("[variants.sq]", "[variants.en]"))
    schedule(ws, "visa")
    schedule(ws, "second")
    server.fail_next("POST /api/v1/statuses", Scripted(
        429, {"error": "Too many requests"},
        {"X-RateLimit-Reset": "2026-12-01T08:30:00.000Z", "Retry-After": "1800"},
    ))
    result = cli(ws, "flush", "--now", "2026-12-01T09:00:10+01:00")
    assert result.code == 3
    assert len(server.requests_to("POST", "/api/v1/statuses")) == 1  # the account was held
    assert sorted(states(ws).values()) == ["queued", "retry"]
    still = cli(ws, "flush", "--now", "2026-12-01T09:20:00+01:00")
    assert still.code == 0
    assert len(server.requests_to("POST", "/api/v1/statuses")) == 1
    after = cli(ws, "flush", "--now", "2026-12-01T09:31:00+01:00")
    assert after.code == 0, after.err
    assert set(states(ws).values()) == {"sent"} and len(server.statuses) == 2


def test_500_then_success(ws: Path, server: FakeMastodon) -> None:
    schedule(ws, "visa")
    server.fail_next("POST /api/v1/statuses", Scripted(500, {"error": "Internal error"}))
    first = cli(ws, "flush", "--now", "2026-12-01T09:00:10+01:00")
    assert first.code == 3 and "retry" in first.err
    (item,) = items(ws)
    assert item["state"] == "retry" and "500" in item["error"]
    too_soon = cli(ws, "flush", "--now", "2026-12-01T09:00:20+01:00")
    assert too_soon.code == 0 and len(server.statuses) == 0
    second = cli(ws, "flush", "--now", "2026-12-01T09:05:00+01:00")
    assert second.code == 0, second.err
    assert set(states(ws).values()) == {"sent"} and len(server.statuses) == 1


def test_persistent_5xx_gives_up_after_the_last_attempt(ws: Path, server: FakeMastodon) -> None:
    schedule(ws, "visa")
    server.fail_next("POST /api/v1/statuses", *[Scripted(502, {"error": "Bad gateway"})] * 8)
    # Each flush comes after the longest backoff (+20 % jitter) the previous failure can set.
    start = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)
    codes = []
    for minutes in (0, 2, 5, 10, 20, 40, 80, 155):
        moment = (start + timedelta(minutes=minutes)).isoformat()
        codes.append(cli(ws, "flush", "--now", moment).code)
    assert codes == [3] * 7 + [4]
    (item,) = items(ws)
    assert item["state"] == "failed" and item["attempts"] == 8
    assert len(server.statuses) == 0


def test_401_holds_the_account_and_names_the_fix(ws: Path, server: FakeMastodon) -> None:
    server.token = "rotated-token"
    schedule(ws, "visa")
    write_draft(ws, "local", ["box"], text="Local post.")
    path = ws / "drafts" / "local.toml"
    path.write_text(path.read_text().replace('source = "sq"', 'source = "en"')
                    .replace("[variants.sq]", "[variants.en]"))
    schedule(ws, "local")
    result = cli(ws, "flush", "--now", "2026-12-01T09:00:10+01:00")
    assert result.code == 4
    assert "accounts login dc-mastodon" in result.err
    assert TOKEN not in result.err and "rotated-token" not in result.err
    by_account = {i["account"]: i["state"] for i in items(ws)}
    assert by_account == {"dc-mastodon": "held", "box": "sent"}  # one account never stops others
    run_cli("--home", str(ws), "accounts", "set-secret", "dc-mastodon", stdin="rotated-token\n")
    assert cli(ws, "resume", "--account", "dc-mastodon").code == 0
    again = cli(ws, "flush", "--now", "2026-12-01T09:10:00+01:00")
    assert again.code == 0, again.err
    assert {i["state"] for i in items(ws)} == {"sent"}


def test_422_fails_the_item_with_the_platform_message(ws: Path, server: FakeMastodon) -> None:
    schedule(ws, "visa")
    server.fail_next("POST /api/v1/statuses", Scripted(
        422, {"error": "Validation failed: Text character limit of 500 exceeded"}))
    result = cli(ws, "flush", "--now", "2026-12-01T09:00:10+01:00")
    assert result.code == 4
    (item,) = items(ws)
    assert item["state"] == "failed" and "character limit" in item["error"]


def test_connection_refused_is_a_retry_not_unknown(ws: Path, server: FakeMastodon) -> None:
    schedule(ws, "visa")
    accounts = ws / "accounts.toml"
    accounts.write_text(accounts.read_text().replace(server.url, "http://127.0.0.1:9"))
    result = cli(ws, "flush", "--now", "2026-12-01T09:00:10+01:00")
    assert result.code == 3
    assert set(states(ws).values()) == {"retry"}


def test_flush_prints_nothing_on_success(ws: Path, server: FakeMastodon) -> None:
    schedule(ws, "visa")
    started = time.monotonic()
    process = flush_process(ws, "2026-12-01T09:00:10+01:00")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0 and out == "" and err == ""
    assert time.monotonic() - started < 60


def test_the_instance_limit_is_read_and_enforced(home: Path) -> None:
    with FakeMastodon(token=TOKEN, max_characters=20) as small:
        add_account(home, "tiny", "--platform", "mastodon", "--api-base", small.url,
                    "--locales", "sq")
        assert run_cli("--home", str(home), "accounts", "set-secret", "tiny",
                       stdin=TOKEN + "\n").code == 0
        write_draft(home, "long", ["tiny"], text="Ky tekst është më i gjatë se njëzet shkronja.")
        (item_id,) = schedule(home, "long")
        result = cli(home, "flush", "--now", "2026-12-01T09:00:10+01:00")
        assert result.code == 4 and "20" in result.err
        assert states(home) == {item_id: "failed"}
        assert small.statuses == []


def test_a_crash_checked_with_a_dead_login_waits_for_the_person_then_goes_out_once(
    ws: Path, server: FakeMastodon
) -> None:
    kill_in_flight(ws, server)
    server.token = "rotated-token"  # the stored token stopped working meanwhile
    stuck = cli(ws, "flush", "--now", "2026-12-01T10:30:00+01:00")
    assert stuck.code == 4
    assert "can be checked once the account's login works again" in stuck.err
    (item,) = items(ws)
    assert item["state"] == "sending"  # never guessed: not resent, not given up
    asked = len(server.requests)
    assert cli(ws, "flush", "--now", "2026-12-01T10:31:00+01:00").code == 0
    assert len(server.requests) == asked  # a held account is not asked again every minute
    run_cli("--home", str(ws), "accounts", "set-secret", "dc-mastodon", stdin="rotated-token\n")
    assert cli(ws, "resume", "--account", "dc-mastodon").code == 0
    rerun = cli(ws, "flush", "--now", "2026-12-01T10:32:00+01:00")
    assert rerun.code == 0, rerun.err
    assert len(server.statuses) == 1
    assert set(states(ws).values()) == {"sent"}
