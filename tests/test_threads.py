"""Threads through `publisher flush` against a loopback server that speaks the
Threads API (graph.threads.net/v1.0), with media/ served on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from fakes.meta import MediaServer, graph_error
from fakes.threads import FakeThreads
from queue_helpers import add_account, cli, items, schedule
from test_instagram import put_jpeg, write_draft

from publisher.domain.accounts import make_account
from publisher.domain.remedies import remedy_of, set_account
from publisher.platforms.base import NOT_FOUND, MediaFile, MemoryCheckpoints, Post, Transient
from publisher.platforms.common.token_records import read_token_meta, write_token_meta
from publisher.platforms.meta.graph import ContainerGone
from publisher.platforms.registry import Adapters
from publisher.services.secrets import KeyringSecrets, get_secret
from publisher.storage.workspace import Workspace

NOW = "2026-12-01T09:00:10+01:00"
NOW_UTC = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)
TOKEN = "th-token"
PNG = ROOT / "drafts" / "media" / "kosovo-flag.png"


@pytest.fixture
def th():
    with FakeThreads(token=TOKEN) as server:
        yield server


@pytest.fixture
def site(home: Path):
    with MediaServer(home / "media") as server:
        yield server


@pytest.fixture
def ws(home: Path, th: FakeThreads, site: MediaServer) -> Path:
    add_account(home, "th", "--platform", "threads", "--api-base", th.url,
                "--handle", "@kosovoembassy", "--media-url", site.url, "--locales", "sq")
    result = run_cli("--home", str(home), "accounts", "set-secret", "th", stdin=TOKEN + "\n")
    assert result.code == 0, result.err
    write_token_meta(KeyringSecrets(), "th", {"expires_at": "2027-01-20T00:00:00+00:00"})
    return home


def flush(home: Path, now: str = NOW):
    return cli(home, "flush", "--now", now)


def test_a_text_post_is_a_text_container_published_under_me(ws: Path, th: FakeThreads) -> None:
    write_draft(ws, "words", ["th"], "Mirëmëngjes nga Prishtina! https://mfa-ks.net")
    schedule(ws, "words")
    result = flush(ws)
    assert result.code == 0, result.err
    assert th.container_requests() == [{"media_type": "TEXT",
                                        "text": "Mirëmëngjes nga Prishtina! https://mfa-ks.net"}]
    routes = [f"{r.method} {r.path}" for r in th.requests]
    assert routes[0] == "GET /v1.0/me/threads_publishing_limit"
    assert "POST /v1.0/me/threads" in routes and "POST /v1.0/me/threads_publish" in routes
    (post,) = th.posts
    (item,) = items(ws)
    assert item["state"] == "sent" and item["url"] == f"{th.permalink_base}{post['id']}/"


def test_a_png_goes_up_as_an_image_container_with_alt_text(
    ws: Path, th: FakeThreads, site: MediaServer
) -> None:
    (ws / "media" / "flag.png").write_bytes(PNG.read_bytes())
    write_draft(ws, "flag", ["th"], "Flamuri", {"flag.png": "Flamuri i Kosovës"})
    schedule(ws, "flag")
    assert flush(ws).code == 0
    assert th.container_requests() == [{"media_type": "IMAGE", "image_url": f"{site.url}/flag.png",
                                        "text": "Flamuri", "alt_text": "Flamuri i Kosovës"}]
    assert th.fetched == [f"{site.url}/flag.png"]
    assert len(th.posts) == 1


def test_a_numeric_handle_is_used_in_the_paths(ws: Path, th: FakeThreads) -> None:
    assert cli(ws, "accounts", "set", "th", "--handle", th.user_id).code == 0
    write_draft(ws, "words", ["th"], "Lajm")
    schedule(ws, "words")
    assert flush(ws).code == 0
    assert th.requests_to("POST", f"/v1.0/{th.user_id}/threads_publish")


def test_over_500_characters_is_refused_when_scheduled(ws: Path) -> None:
    write_draft(ws, "long", ["th"], "a" * 495 + " 🇽🇰")  # the flag weighs its 8 UTF-8 bytes
    result = cli(ws, "schedule", "long", "--at", "2026-12-01T09:00:00+01:00",
                 "--now", "2026-12-01T08:00:00+01:00")
    assert result.code == 2
    assert "504/500 characters: 4 over Threads's limit" in result.err


def test_a_used_up_quota_is_a_rate_limit(ws: Path, th: FakeThreads) -> None:
    th.other_usage = 250
    write_draft(ws, "words", ["th"], "Lajm")
    schedule(ws, "words")
    assert flush(ws).code == 3
    (item,) = items(ws)
    assert item["state"] == "retry" and "250 of 250" in item["error"]
    assert th.container_requests() == []


def test_an_image_threads_cannot_fetch_makes_a_new_container_next_time(
    ws: Path, th: FakeThreads, site: MediaServer
) -> None:
    made, account = adapter(ws, th, media_url=site.url)
    flag = put_jpeg(ws)
    post = Post(account, "Flamuri", ("sq",), (MediaFile(flag, "Flamuri"),))
    flag.rename(ws / "media" / "elsewhere.jpg")  # the website lost it after validation
    with pytest.raises(ContainerGone) as error:
        made.publish(post, "key-1")
    assert "ERROR: UNKNOWN" in error.value.message and error.value.maybe_sent is False
    (ws / "media" / "elsewhere.jpg").rename(flag)
    published = made.publish(post, "key-1")
    first, second = th.containers
    assert th.posts[0]["container"] == second
    assert published.remote_id == th.posts[0]["id"]
    assert th.containers[first]["state"] == "ERROR"


def test_the_token_is_renewed_with_th_refresh_token(ws: Path, th: FakeThreads) -> None:
    write_token_meta(KeyringSecrets(), "th", {"expires_at": "2026-12-20T00:00:00+00:00"})
    write_draft(ws, "words", ["th"], "Lajm")
    schedule(ws, "words")
    assert flush(ws).code == 0
    (refresh,) = th.requests_to("GET", "/refresh_access_token")
    assert refresh.query["grant_type"] == ["th_refresh_token"]
    assert refresh.query["access_token"] == [TOKEN]
    assert get_secret("th") == th.refreshed[0] != TOKEN
    assert read_token_meta(KeyringSecrets(), "th")["expires_at"].startswith("2027-01-30")
    listing = cli(ws, "accounts", "list", "--json")
    assert TOKEN not in listing.out + listing.err


def test_an_expired_token_holds_the_account(ws: Path, th: FakeThreads) -> None:
    write_token_meta(KeyringSecrets(), "th", {"expires_at": "2026-12-01T00:00:00+00:00"})
    write_draft(ws, "one", ["th"], "Një")
    write_draft(ws, "two", ["th"], "Dy")
    schedule(ws, "one")
    schedule(ws, "two")
    assert flush(ws).code == 4
    assert {item["state"] for item in items(ws)} == {"held"}
    assert th.requests == []


def test_a_revoked_token_holds_the_account(ws: Path, th: FakeThreads) -> None:
    th.tokens.clear()
    write_draft(ws, "one", ["th"], "Një")
    schedule(ws, "one")
    assert flush(ws).code == 4
    (item,) = items(ws)
    assert item["state"] == "held" and "190" in item["error"]
    assert TOKEN not in item["error"]


def test_killed_while_publish_was_in_flight_is_sent_once(ws: Path, th: FakeThreads) -> None:
    write_draft(ws, "words", ["th"], "Lajm i rëndësishëm")
    schedule(ws, "words")
    th.hold_path = "POST /v1.0/me/threads_publish"
    process = subprocess.Popen([sys.executable, "-m", "publisher", "--home", str(ws), "flush",
                                "--now", NOW], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert th.received.wait(timeout=30)
    finally:
        process.kill()
        process.wait()
    th.hold_path = None
    th.release.set()
    assert items(ws)[0]["state"] == "sending"
    assert flush(ws, "2026-12-01T09:03:00+01:00").code == 0
    (post,) = th.posts
    (item,) = items(ws)
    assert item["state"] == "sent" and item["url"].endswith(f"/{post['id']}/")
    assert len(th.publish_requests()) == 1


def adapter(home: Path, th: FakeThreads, media_url: str | None = None):
    account = make_account("th", "threads", locales=["sq"], api_base=th.url,
                           media_url=media_url)
    adapters = Adapters(outbox_dir=Workspace(home).outbox_dir, secrets=KeyringSecrets(),
                        clock=lambda: NOW_UTC, media_dir=home / "media")
    adapters.sleep = lambda seconds: None
    made = adapters.for_account(account)
    made.checkpoints = MemoryCheckpoints()
    return made, account


def test_a_publish_error_after_the_post_went_out_is_not_a_failure(
    ws: Path, th: FakeThreads
) -> None:
    made, account = adapter(ws, th)
    post = Post(account, "Lajm", ("sq",))
    # Threads published, but the answer was lost as a 500.
    original = th.publish

    def publish_then_fail(fields):
        original(fields)
        return 500, graph_error(1, "An unknown error occurred"), {}

    th.publish = publish_then_fail
    published = made.publish(post, "key-1")
    assert published.remote_id == th.posts[0]["id"]
    assert made.find("key-1", post) == published


def test_validation_of_images_and_text(ws: Path, th: FakeThreads, site: MediaServer) -> None:
    made, account = adapter(ws, th, media_url=site.url)
    gif = ws / "media" / "anim.gif"
    gif.write_bytes(b"GIF89a" + b"\x00" * 20)
    problems = made.validate(Post(account, "Lajm", ("sq",), (MediaFile(gif, "x"),)))
    assert "image anim.gif is image/gif: Threads takes JPEG or PNG only" in problems
    many = tuple(MediaFile(put_jpeg(ws, f"p{n}.jpg"), "x") for n in range(21))
    assert "21 images: Threads takes at most 20" in made.validate(
        Post(account, "Lajm", ("sq",), many))
    links = " ".join(f"https://e{n}.example.com" for n in range(6))
    assert any("6 links" in p for p in made.validate(Post(account, links, ("sq",))))
    assert made.validate(Post(account, "Vetëm tekst", ("sq",))) == []
    made_without, account_without = adapter(ws, th)
    flag = put_jpeg(ws)
    (problem,) = made_without.validate(Post(account_without, "Lajm", ("sq",),
                                            (MediaFile(flag, "x"),)))
    assert problem == "th has no media URL, and Threads takes images only from a public address"
    assert remedy_of(problem) == set_account("th", "media_url", "URL")


def test_find_reads_the_container(ws: Path, th: FakeThreads) -> None:
    made, account = adapter(ws, th)
    post = Post(account, "Lajm", ("sq",))
    assert made.find("key-1", post) is NOT_FOUND
    th.finish_after_polls = 100
    with pytest.raises(Transient):
        made.publish(post, "key-1")
    assert made.find("key-1", post) is NOT_FOUND
    assert made.check().name == "@kosovoembassy"
