"""Threads and first comments on every platform, through schedule and flush against
the loopback fakes: the reply references each API wants, exactly once part by part,
and a flush killed between two parts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import run_cli
from fakes.bluesky import FakeBluesky
from fakes.facebook import FakeFacebook
from fakes.instagram import FakeInstagram
from fakes.linkedin import FakeLinkedIn
from fakes.mastodon import FakeMastodon
from fakes.meta import MediaServer
from fakes.telegram import FakeTelegram
from fakes.threads import FakeThreads
from fakes.x import FakeX
from queue_helpers import add_account, cli, items, states
from test_instagram import put_jpeg

from publisher.platforms.common.token_records import write_token_meta
from publisher.services.secrets import KeyringSecrets

NOW = "2026-12-01T09:00:10+01:00"
AT = "2026-12-01T09:00:00+01:00"
PARTS = ("Pjesa e parë.", "Pjesa e dytë.", "Pjesa e tretë.")
COMMENT = "Lidhjet: https://mfa-ks.net"


def write(home: Path, account: str, *, comment: bool = True, extra: str = "",
          variant: str = "", image: str | None = None) -> None:
    lines = ['title = "statement"', 'source = "sq"', f'accounts = ["{account}"]',
             "approved = true", extra, "[variants.sq]", f'text = "{PARTS[0]}"',
             f'thread = ["{PARTS[1]}", "{PARTS[2]}"]', variant]
    if comment:
        lines.append(f'first_comment = "{COMMENT}"')
    if image:
        lines.append(f'\n[[media]]\nfile = "media/{image}"\nalt.sq = "Flamuri"')
    (home / "drafts" / "statement.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def secret(home: Path, account: str, value: str) -> None:
    result = run_cli("--home", str(home), "accounts", "set-secret", account, stdin=value + "\n")
    assert result.code == 0, result.err


def schedule_and_flush(home: Path) -> tuple[list[int], object]:
    scheduled = cli(home, "schedule", "statement", "--at", AT, "--now", AT, "--json")
    assert scheduled.code == 0, scheduled.err
    ids = [item["id"] for item in json.loads(scheduled.out)]
    return ids, cli(home, "flush", "--now", NOW)


# Mastodon: in_reply_to_id, visibility, spoiler_text; a flush killed between parts


@pytest.fixture
def masto():
    with FakeMastodon() as server:
        yield server


@pytest.fixture
def masto_home(home: Path, masto: FakeMastodon) -> Path:
    add_account(home, "dc", "--platform", "mastodon", "--api-base", masto.url, "--locales", "sq")
    secret(home, "dc", masto.token)
    return home


def test_mastodon_thread_replies_with_visibility_and_content_warning(
    masto_home: Path, masto: FakeMastodon
) -> None:
    write(masto_home, "dc", extra='[options]\nvisibility = "unlisted"\n',
          variant='content_warning = "Politikë"')
    _ids, result = schedule_and_flush(masto_home)
    assert result.code == 0, result.err
    first, second, third, comment = masto.statuses
    assert [s["text"] for s in masto.statuses] == [*PARTS, COMMENT]
    assert first["in_reply_to_id"] is None
    assert second["in_reply_to_id"] == first["id"]
    assert third["in_reply_to_id"] == second["id"]
    assert comment["in_reply_to_id"] == first["id"]  # under the post, not the last part
    assert {s["visibility"] for s in masto.statuses} == {"unlisted"}
    assert {s["spoiler_text"] for s in masto.statuses} == {"Politikë"}
    keys = {r.headers["idempotency-key"] for r in masto.requests_to("POST", "/api/v1/statuses")}
    assert len(keys) == 4  # one key per part


def test_a_flush_killed_during_part_two_resumes_with_part_three_replying_to_it(
    masto_home: Path, masto: FakeMastodon
) -> None:
    write(masto_home, "dc", comment=False)
    scheduled = cli(masto_home, "schedule", "statement", "--at", AT, "--now", AT)
    assert scheduled.code == 0, scheduled.err
    masto.hold_path, masto.hold_skip = "POST /api/v1/statuses", 1  # the second one hangs
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "--home", str(masto_home), "flush", "--now", NOW],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    assert masto.received.wait(timeout=60), "the flush never sent part two"
    process.send_signal(signal.SIGKILL)  # killed while part two is in flight
    process.wait(timeout=10)
    masto.hold_path = None
    masto.release.set()
    assert sorted(states(masto_home).values()) == ["queued", "sending", "sent"]
    assert len(masto.statuses) == 2  # the server took part two before the kill
    rerun = cli(masto_home, "flush", "--now", "2026-12-01T09:05:00+01:00")
    assert rerun.code == 0, rerun.err
    assert [s["text"] for s in masto.statuses] == list(PARTS)  # never a duplicate part
    first, second, third = masto.statuses
    assert (second["in_reply_to_id"], third["in_reply_to_id"]) == (first["id"], second["id"])
    assert set(states(masto_home).values()) == {"sent"}


# Bluesky: reply with root and parent strong refs


@pytest.fixture
def bsky():
    with FakeBluesky() as server:
        yield server


def test_bluesky_thread_has_root_and_parent_strong_refs(home: Path, bsky: FakeBluesky) -> None:
    add_account(home, "bsky", "--platform", "bluesky", "--api-base", bsky.url,
                "--handle", bsky.user_handle, "--locales", "sq")
    secret(home, "bsky", bsky.password)
    write(home, "bsky")
    _ids, result = schedule_and_flush(home)
    assert result.code == 0, result.err
    records = list(bsky.records.items())
    (first_uri, first), (second_uri, second), (_third_uri, third), (_c, comment) = records
    assert [r["text"] for _uri, r in records] == [*PARTS, COMMENT]
    assert "reply" not in first
    root = {"uri": first_uri, "cid": bsky_cid(first_uri)}
    assert second["reply"] == {"root": root, "parent": root}
    assert third["reply"] == {"root": root,
                              "parent": {"uri": second_uri, "cid": bsky_cid(second_uri)}}
    assert comment["reply"] == {"root": root, "parent": root}


def bsky_cid(uri: str) -> str:
    from fakes.bluesky import _cid

    return _cid(uri)


def test_bluesky_part_found_after_a_crash_keeps_its_cid(home: Path, bsky: FakeBluesky) -> None:
    add_account(home, "bsky", "--platform", "bluesky", "--api-base", bsky.url,
                "--handle", bsky.user_handle, "--locales", "sq")
    secret(home, "bsky", bsky.password)
    write(home, "bsky", comment=False)
    _ids, result = schedule_and_flush(home)
    assert result.code == 0, result.err
    import sqlite3

    with sqlite3.connect(home / "queue.sqlite3") as db:
        refs = [row[0] for row in db.execute("SELECT ref FROM items ORDER BY id")]
    assert refs == [bsky_cid(uri) for uri in bsky.records]


# X: reply.in_reply_to_tweet_id


def test_x_thread_and_first_comment_are_self_replies(home: Path) -> None:
    with FakeX() as x:
        add_account(home, "mfa-x", "--platform", "x", "--api-base", x.url,
                    "--handle", "@embassy", "--locales", "sq")
        secret(home, "mfa-x", next(iter(x.tokens)))
        write(home, "mfa-x")
        _ids, result = schedule_and_flush(home)
        assert result.code == 0, result.err
        first, second, third, comment = x.tweets
        assert [t["text"] for t in x.tweets] == [*PARTS, COMMENT]
        assert (first["reply_to"], second["reply_to"], third["reply_to"]) == (
            None, first["id"], second["id"])
        assert comment["reply_to"] == first["id"]


# Telegram: reply_parameters, disable_notification, pinChatMessage


def test_telegram_thread_replies_silently_and_pins_the_first_message(home: Path) -> None:
    with FakeTelegram() as tg:
        add_account(home, "tg", "--platform", "telegram", "--api-base", tg.url,
                    "--handle", tg.channel, "--locales", "sq")
        secret(home, "tg", tg.token)
        write(home, "tg", extra="[options]\nsilent = true\npin = true\n")
        scheduled = cli(home, "schedule", "statement", "--at", AT, "--now", AT)
        assert scheduled.code == 0, scheduled.err
        assert "tg: telegram has no first comments; the first comment is not posted there" \
            in scheduled.err
        assert cli(home, "flush", "--now", NOW).code == 0
        first, second, third = tg.messages  # no comment: Telegram has none
        assert [m["text"] for m in tg.messages] == list(PARTS)
        assert "reply_to_message" not in first
        assert (second["reply_to_message"], third["reply_to_message"]) == (
            first["message_id"], second["message_id"])
        assert all(m["silent"] for m in tg.messages)
        assert tg.pinned == [first["message_id"]]


# Threads: reply_to_id in the reply's container


def test_threads_replies_are_reply_containers(home: Path) -> None:
    with FakeThreads(token="th-token") as th:
        add_account(home, "th", "--platform", "threads", "--api-base", th.url,
                    "--handle", "@kosovoembassy", "--locales", "sq")
        secret(home, "th", "th-token")
        write_token_meta(KeyringSecrets(), "th", {"expires_at": "2027-01-20T00:00:00+00:00"})
        write(home, "th")
        _ids, result = schedule_and_flush(home)
        assert result.code == 0, result.err
        first, second, third, comment = th.posts
        assert [p["text"] for p in th.posts] == [*PARTS, COMMENT]
        assert (first["reply_to"], second["reply_to"], third["reply_to"]) == (
            None, first["id"], second["id"])
        assert comment["reply_to"] == first["id"]


# Instagram, Facebook, LinkedIn: the thread joined, the first comment under the post


def test_instagram_joins_the_thread_and_comments_once(home: Path) -> None:
    with FakeInstagram(token="ig-token") as ig, MediaServer(home / "media") as site:
        add_account(home, "ig", "--platform", "instagram", "--api-base", ig.url,
                    "--handle", ig.user_id, "--media-url", site.url + "/", "--locales", "sq")
        secret(home, "ig", "ig-token")
        write_token_meta(KeyringSecrets(), "ig", {"expires_at": "2027-01-20T00:00:00+00:00"})
        put_jpeg(home)
        write(home, "ig", image="flag.jpg")
        _ids, result = schedule_and_flush(home)
        assert result.code == 0, result.err
        (post,) = ig.posts
        assert post["text"] == "\n\n".join(PARTS)
        assert [c["text"] for c in ig.comments[post["id"]]] == [COMMENT]
        listed = items(home)
        assert [i["part"]["label"] for i in listed] == ["", "first comment"]
        # Sent again (a person's retry after a crash it could not see): found, not doubled.
        from publisher.domain.posttypes import PartKind
        from publisher.platforms.base import MemoryCheckpoints, Post, Published
        from publisher.platforms.registry import Adapters
        from publisher.services.context import open_context

        account = open_context(home).account("ig")
        adapter = Adapters(outbox_dir=home / "outbox", secrets=KeyringSecrets(),
                           clock=lambda: datetime.fromisoformat(NOW),
                           checkpoints=MemoryCheckpoints()).for_account(account)
        again = adapter.publish(Post(account, COMMENT, ("sq",), kind=PartKind.COMMENT,
                                     reply_to=Published(post["id"])), "any-key")
        assert again.remote_id == ig.comments[post["id"]][0]["id"]
        assert len(ig.comments[post["id"]]) == 1


def test_facebook_joins_the_thread_and_comments_under_the_post(home: Path) -> None:
    with FakeFacebook() as fb:
        add_account(home, "fb", "--platform", "facebook", "--api-base", fb.url,
                    "--handle", fb.page_id, "--locales", "sq")
        secret(home, "fb", fb.token)
        write(home, "fb")
        _ids, result = schedule_and_flush(home)
        assert result.code == 0, result.err
        (post,) = fb.posts
        assert post["message"] == "\n\n".join(PARTS)
        assert [c["message"] for c in fb.comments[post["id"]]] == [COMMENT]
        assert set(states(home).values()) == {"sent"}


def test_linkedin_joins_the_thread_and_comments_as_the_author(home: Path) -> None:
    with FakeLinkedIn(token="li-access-token") as li:
        add_account(home, "li", "--platform", "linkedin", "--api-base", li.url,
                    "--handle", li.organization, "--locales", "sq")
        secret(home, "li", "li-access-token")
        write(home, "li")
        _ids, result = schedule_and_flush(home)
        assert result.code == 0, result.err
        (post,) = li.posts
        assert post["text"] == "\n\n".join(PARTS)
        (comment,) = li.comments[post["id"]]
        assert comment["message"] == {"text": COMMENT}
        assert comment["actor"] == post["author"]
        (_first, second) = items(home)
        assert second["part"]["kind"] == "comment" and second["state"] == "sent"


def test_after_a_crash_x_finds_a_reply_only_under_its_post(home: Path) -> None:
    with FakeX() as x:
        add_account(home, "mfa-x", "--platform", "x", "--api-base", x.url,
                    "--handle", "@embassy", "--locales", "sq")
        secret(home, "mfa-x", next(iter(x.tokens)))
        write(home, "mfa-x", comment=False)
        _ids, result = schedule_and_flush(home)
        assert result.code == 0, result.err
        first, second, _third = x.tweets
        from publisher.domain.posttypes import PartKind
        from publisher.platforms.base import NOT_FOUND, MemoryCheckpoints, Post, Published
        from publisher.platforms.registry import Adapters
        from publisher.services.context import open_context

        account = open_context(home).account("mfa-x")
        adapter = Adapters(outbox_dir=home / "outbox", secrets=KeyringSecrets(),
                           clock=lambda: datetime.fromisoformat(NOW),
                           checkpoints=MemoryCheckpoints()).for_account(account)

        def reply(text: str, to: dict) -> Post:
            return Post(account, text, ("sq",), kind=PartKind.REPLY,
                        reply_to=Published(to["id"]), root=Published(first["id"]))

        assert adapter.find("k", reply(PARTS[1], first)).remote_id == second["id"]
        # The same words under another post are not this reply.
        assert adapter.find("k", reply(PARTS[1], second)) in (None, NOT_FOUND)


def test_after_a_crash_mastodon_finds_a_reply_only_under_its_status(
    masto_home: Path, masto: FakeMastodon
) -> None:
    write(masto_home, "dc", comment=False)
    _ids, result = schedule_and_flush(masto_home)
    assert result.code == 0, result.err
    first, second, _third = masto.statuses
    from publisher.domain.posttypes import PartKind
    from publisher.platforms.base import MemoryCheckpoints, Post, Published
    from publisher.platforms.registry import Adapters
    from publisher.services.context import open_context

    account = open_context(masto_home).account("dc")
    adapter = Adapters(outbox_dir=masto_home / "outbox", secrets=KeyringSecrets(),
                       clock=lambda: datetime.fromisoformat(NOW),
                       checkpoints=MemoryCheckpoints()).for_account(account)

    def reply(to: dict) -> Post:
        return Post(account, PARTS[1], ("sq",), kind=PartKind.REPLY,
                    reply_to=Published(to["id"]), root=Published(first["id"]))

    found = adapter.find("k", reply(first))
    assert found is not None and found.remote_id == second["id"]
    assert not isinstance(adapter.find("k", reply(second)), Published)
