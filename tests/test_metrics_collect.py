"""``publisher metrics collect``: the counts of sent posts at 1 h, 24 h and 7 days, read
over real HTTP from the loopback fakes into the real queue file, with fixed clocks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_cli
from fakes.base import Scripted
from fakes.bluesky import FakeBluesky
from fakes.mastodon import FakeMastodon
from fakes.telegram import FakeTelegram
from queue_helpers import add_account, cli, items, schedule

from publisher.services.context import open_context
from publisher.services.metrics import observations
from publisher.storage.lock import FileLock

T0 = datetime.fromisoformat("2026-12-01T09:00:00+01:00")
THREAD = '''title = "{id}"
source = "sq"
campaign = "DigitalKosovo"
accounts = [{accounts}]
approved = true

[variants.sq]
text = "Lajm i ri ({id})."
thread = ["Pjesa e dytë ({id})."]
'''


def at(**delta: float) -> str:
    return (T0 + timedelta(**delta)).isoformat()


def write(home: Path, draft_id: str, accounts: list[str], thread: bool = False) -> None:
    text = THREAD.format(id=draft_id, accounts=", ".join(f'"{a}"' for a in accounts))
    if not thread:
        text = "\n".join(line for line in text.splitlines() if not line.startswith("thread"))
    (home / "drafts" / f"{draft_id}.toml").write_text(text, encoding="utf-8")


def collect(home: Path, now: str, *args: str):
    result = cli(home, *args, "metrics", "collect", "--now", now, "--json")
    return result, (json.loads(result.out) if result.out else None)


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    with FakeMastodon() as server:
        yield server


@pytest.fixture
def ws(home: Path, mastodon: FakeMastodon) -> Path:
    add_account(home, "md", "--platform", "mastodon", "--api-base", mastodon.url,
                "--locales", "sq")
    assert run_cli("--home", str(home), "accounts", "set-secret", "md",
                   stdin=mastodon.token + "\n").code == 0
    return home


def send(home: Path, draft_id: str, accounts: list[str], when: datetime = T0,
         thread: bool = False) -> list[int]:
    write(home, draft_id, accounts, thread)
    ids = schedule(home, draft_id, when.isoformat(), when.isoformat())
    done = cli(home, "flush", "--now", when.isoformat())
    assert done.code == 0, done.err
    return ids


def reads(server: FakeMastodon) -> int:
    return sum(1 for r in server.requests
               if r.method == "GET" and r.path.startswith("/api/v1/statuses/"))


def test_a_post_is_read_at_each_age_as_it_comes(ws: Path, mastodon: FakeMastodon) -> None:
    (item,) = send(ws, "visa", ["md"])
    status = mastodon.statuses[0]["id"]
    result, report = collect(ws, at(minutes=30))
    assert result.code == 0 and report["readings"] == [] and reads(mastodon) == 0
    mastodon.set_counts(status, favourites=4, reblogs=1)
    result, report = collect(ws, at(hours=1, minutes=5))
    assert result.code == 0, result.err
    assert [(r["item"], r["age"], r["likes"], r["reposts"], r["interactions"])
            for r in report["readings"]] == [(item, "1h", 4, 1, 5)]
    assert collect(ws, at(hours=2))[1]["readings"] == []  # 1 h is read; 24 h not yet come
    mastodon.set_counts(status, favourites=20, reblogs=5, replies=3, quotes=1)
    assert [r["age"] for r in collect(ws, at(hours=24, minutes=1))[1]["readings"]] == ["24h"]
    mastodon.set_counts(status, favourites=31, reblogs=6, replies=3, quotes=1)
    assert [r["age"] for r in collect(ws, at(days=7, hours=1))[1]["readings"]] == ["7d"]
    before = reads(mastodon)
    assert collect(ws, at(days=8))[1]["readings"] == [] and reads(mastodon) == before
    # Learning's number: the interactions at the reference age (24 h).
    (seen,) = observations(open_context(ws), "md")
    assert (seen.value, seen.locale, seen.draft_id, seen.campaign) == (
        29.0, "sq", "visa", "DigitalKosovo")
    assert seen.sent_at == T0


def test_only_the_latest_due_age_is_read_after_cron_was_down(
        ws: Path, mastodon: FakeMastodon) -> None:
    send(ws, "visa", ["md"])
    assert [r["age"] for r in collect(ws, at(hours=30))[1]["readings"]] == ["24h"]
    assert reads(mastodon) == 1
    assert [r["age"] for r in collect(ws, at(days=9))[1]["readings"]] == ["7d"]
    assert collect(ws, at(days=10))[1]["readings"] == []  # never the skipped 1 h
    assert reads(mastodon) == 2


def test_a_thread_is_measured_by_its_first_post_only(ws: Path, mastodon: FakeMastodon) -> None:
    first, _reply = send(ws, "thread", ["md"], thread=True)
    assert len(mastodon.statuses) == 2
    assert [r["item"] for r in collect(ws, at(hours=1))[1]["readings"]] == [first]
    assert reads(mastodon) == 1


def test_a_rate_limit_holds_the_readings_not_the_posts(ws: Path, mastodon: FakeMastodon) -> None:
    send(ws, "visa", ["md"])
    status = mastodon.statuses[0]["id"]
    mastodon.fail_next(f"GET /api/v1/statuses/{status}", Scripted(
        429, {"error": "Too many requests"}, {"X-RateLimit-Reset": at(hours=1, minutes=30)}))
    result, report = collect(ws, at(hours=1))
    assert result.code == 3
    (trouble,) = report["accounts"]
    assert (trouble["account"], trouble["kind"]) == ("md", "rate-limited")
    assert trouble["until"].startswith("2026-12-01T09:30:00")  # UTC
    # A post due meanwhile on the same account goes out: no posting hold was set.
    (later,) = schedule(ws, "again", at(hours=1, minutes=10), at(hours=1))  # written below
    flushed = cli(ws, "flush", "--now", at(hours=1, minutes=10))
    assert flushed.code == 0, flushed.err
    assert {i["id"]: i["state"] for i in items(ws)}[later] == "sent"
    # Until the hold ends, no reading is tried; after it, the reading is made.
    before = reads(mastodon)
    result, report = collect(ws, at(hours=1, minutes=20))
    assert result.code == 3 and report["accounts"][0]["kind"] == "held"
    assert reads(mastodon) == before
    result, report = collect(ws, at(hours=1, minutes=40))
    assert result.code == 0 and [(r["item"], r["age"]) for r in report["readings"]] == [
        (1, "1h")]  # the other post is 30 minutes old


@pytest.fixture(autouse=True)
def _second_draft(request: pytest.FixtureRequest) -> None:
    if "ws" in request.fixturenames:
        write(request.getfixturevalue("ws"), "again", ["md"])


def test_an_auth_failure_is_said_and_exits_4(ws: Path, mastodon: FakeMastodon) -> None:
    send(ws, "visa", ["md"])
    mastodon.token = "revoked"
    result = cli(ws, "metrics", "collect", "--now", at(hours=1))
    assert result.code == 4 and result.out == ""
    (line,) = result.err.splitlines()
    assert line.startswith("publisher: md: counts not read: the login failed: HTTP 401")
    assert "publisher accounts login md" in line and "revoked" not in line
    # Nothing held for posting: the next post is only waiting for its time.
    assert cli(ws, "queue", "--json").code == 0
    result, report = collect(ws, at(hours=1, minutes=1))
    assert report["accounts"][0]["fix"] == "publisher accounts login md"


def test_a_deleted_post_is_gone_and_never_read_again(ws: Path, mastodon: FakeMastodon) -> None:
    (item,) = send(ws, "visa", ["md"])
    mastodon.statuses.clear()  # deleted on the instance
    result, report = collect(ws, at(hours=1))
    assert result.code == 0
    assert [(g["item"], g["account"]) for g in report["gone"]] == [(item, "md")]
    before = reads(mastodon)
    assert collect(ws, at(hours=24))[1] == {"exit_code": 0, "locked": False, "readings": [],
                                          "gone": [], "accounts": []}
    assert reads(mastodon) == before


def test_a_retracted_post_is_not_read(ws: Path, mastodon: FakeMastodon) -> None:
    send(ws, "visa", ["md"])
    retracted = cli(ws, "retract", "visa", "--yes", "--now", at(minutes=10))
    assert retracted.code == 0, retracted.err
    assert collect(ws, at(hours=1))[1]["readings"] == [] and reads(mastodon) == 0


def test_telegram_and_the_outbox_are_listed_as_not_measurable_without_a_request(
        ws: Path, mastodon: FakeMastodon) -> None:
    with FakeTelegram() as telegram, FakeBluesky() as bluesky:
        add_account(ws, "tg", "--platform", "telegram", "--api-base", telegram.url,
                    "--handle", telegram.channel, "--locales", "sq")
        assert run_cli("--home", str(ws), "accounts", "set-secret", "tg",
                       stdin=telegram.token + "\n").code == 0
        add_account(ws, "bsky", "--platform", "bluesky", "--api-base", bluesky.url,
                    "--handle", bluesky.user_handle, "--locales", "sq")
        assert run_cli("--home", str(ws), "accounts", "set-secret", "bsky",
                       stdin=bluesky.password + "\n").code == 0
        add_account(ws, "box", "--platform", "outbox", "--locales", "sq")
        send(ws, "visa", ["md", "tg", "bsky", "box"])
        (uri,) = bluesky.records
        bluesky.set_counts(uri, likes=9, reposts=2, replies=1, quotes=1)
        sent_to_telegram = len(telegram.requests)
        verbose = cli(ws, "-v", "metrics", "collect", "--now", at(hours=1))
        assert verbose.code == 0, verbose.err
        assert "tg: not measured: Telegram bots cannot read a message's views" in verbose.out
        assert "box: not measured: the outbox is a local folder" in verbose.out
        assert "md: read 1 post (1h: 1)" in verbose.out
        assert "bsky: read 1 post (1h: 1)" in verbose.out
        assert len(telegram.requests) == sent_to_telegram  # not one request
        quiet = cli(ws, "metrics", "collect", "--now", at(hours=24))
        assert (quiet.code, quiet.out, quiet.err) == (0, "", "")  # cron: nothing to mail
        _result, report = collect(ws, at(days=7))
        assert {(a["account"], a["kind"]) for a in report["accounts"]} == {
            ("tg", "unsupported"), ("box", "unsupported")}
        bsky_read = next(r for r in report["readings"] if r["account"] == "bsky")
        assert (bsky_read["likes"], bsky_read["quotes"], bsky_read["interactions"]) == (
            9, 1, 13)


def test_collection_runs_beside_a_flush_and_not_beside_itself(ws: Path) -> None:
    send(ws, "visa", ["md"])
    home = open_context(ws).workspace
    with FileLock(home.lock_path):  # a flush runs: collection goes on all the same
        assert collect(ws, at(hours=1))[0].code == 0
    with FileLock(home.metrics_lock_path):  # another collection runs
        result, report = collect(ws, at(hours=24))
        assert result.code == 75 and report["locked"] is True
        plain = cli(ws, "metrics", "collect", "--now", at(hours=24))
        assert (plain.code, plain.out, plain.err) == (75, "", "")
