"""Each platform sends the link card read at scheduling in its own form, end to end
through schedule and flush against its loopback fake: Bluesky's external embed with
the thumb uploaded as a blob, LinkedIn's article content with a thumbnail from the
Images API, Facebook's ``link``, Threads' ``link_attachment``; X builds its own
preview (nothing extra); Telegram's own preview goes off with ``link_card = false``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_cli
from fakes.base import Scripted
from fakes.bluesky import FakeBluesky
from fakes.bluesky import _cid as bluesky_cid
from fakes.facebook import FakeFacebook
from fakes.linkedin import FakeLinkedIn
from fakes.meta import MediaServer
from fakes.telegram import FakeTelegram
from fakes.threads import FakeThreads
from fakes.web import FakeWeb, Page, html, png
from fakes.x import FakeX
from queue_helpers import add_account, cli, items, schedule

from publisher.platforms.common.token_records import write_token_meta
from publisher.services.secrets import KeyringSecrets

NOW = "2026-12-01T09:00:10+01:00"
IMAGE = png(60, 30)
TAGS = ('<meta property="og:title" content="Dita e Flamurit">'
        '<meta property="og:description" content="Festë në Prishtinë">'
        '<meta property="og:image" content="/flag.png">')


@pytest.fixture
def web():
    with FakeWeb() as server:
        server.pages["/flag"] = Page(html(TAGS))
        server.pages["/flag.png"] = Page(IMAGE, "image/png")
        yield server


def post_link(home: Path, web: FakeWeb, account: str, *, extra: str = "",
              path: str = "/flag", locale: str = "sq") -> str:
    """A draft ``news`` for ``account`` whose text links to the page; returns the link."""
    link = f"{web.url}{path}"
    (home / "drafts" / "news.toml").write_text(
        f'title = "news"\nsource = "{locale}"\naccounts = ["{account}"]\napproved = true\n'
        f'{extra}\n[variants.{locale}]\ntext = "Gëzuar! {link}"\n', encoding="utf-8")
    return link


def set_secret(home: Path, account: str, secret: str) -> None:
    result = run_cli("--home", str(home), "accounts", "set-secret", account, stdin=secret + "\n")
    assert result.code == 0, result.err


def send(home: Path) -> None:
    schedule(home, "news")
    result = cli(home, "flush", "--now", NOW)
    assert result.code == 0, result.err
    assert [item["state"] for item in items(home)] == ["sent"]


def test_bluesky_sends_an_external_embed_with_its_thumb_blob(home: Path, web: FakeWeb) -> None:
    with FakeBluesky() as bsky:
        add_account(home, "bsky", "--platform", "bluesky", "--api-base", bsky.url,
                    "--handle", bsky.user_handle, "--locales", "sq")
        set_secret(home, "bsky", bsky.password)
        link = post_link(home, web, "bsky")
        send(home)
        (record,) = bsky.posts()
    embed = record["embed"]
    thumb = embed["external"].pop("thumb")
    assert embed == {"$type": "app.bsky.embed.external", "external": {
        "uri": link, "title": "Dita e Flamurit", "description": "Festë në Prishtinë"}}
    assert thumb["mimeType"] == "image/png" and thumb["size"] == len(IMAGE)
    assert bsky.blobs[thumb["ref"]["$link"]] == IMAGE


def test_bluesky_leaves_out_a_thumb_over_its_limit(home: Path, web: FakeWeb) -> None:
    web.pages["/big.png"] = Page(IMAGE + os.urandom(1_100_000), "image/png")
    web.pages["/big"] = Page(html(TAGS.replace("/flag.png", "/big.png")))
    with FakeBluesky() as bsky:
        add_account(home, "bsky", "--platform", "bluesky", "--api-base", bsky.url,
                    "--handle", bsky.user_handle, "--locales", "sq")
        set_secret(home, "bsky", bsky.password)
        post_link(home, web, "bsky", path="/big")
        send(home)
        (record,) = bsky.posts()
    assert "thumb" not in record["embed"]["external"] and bsky.blobs == {}


def test_a_thumb_the_pds_refuses_leaves_the_card_without_it(home: Path, web: FakeWeb) -> None:
    with FakeBluesky() as bsky:
        add_account(home, "bsky", "--platform", "bluesky", "--api-base", bsky.url,
                    "--handle", bsky.user_handle, "--locales", "sq")
        set_secret(home, "bsky", bsky.password)
        link = post_link(home, web, "bsky")
        bsky.fail_next("POST /xrpc/com.atproto.repo.uploadBlob", Scripted(
            400, {"error": "InvalidRequest", "message": "Unsupported image"}))
        send(home)
        (record,) = bsky.posts()
    assert record["embed"]["external"] == {
        "uri": link, "title": "Dita e Flamurit", "description": "Festë në Prishtinë"}


def test_linkedin_sends_article_content_with_an_uploaded_thumbnail(home: Path,
                                                                   web: FakeWeb) -> None:
    organization = "urn:li:organization:2414183"
    with FakeLinkedIn(token="li-token", organization=organization) as li:
        add_account(home, "li", "--platform", "linkedin", "--api-base", li.url,
                    "--handle", organization, "--locales", "en")
        set_secret(home, "li", "li-token")
        link = post_link(home, web, "li", locale="en")
        send(home)
        (post,) = li.posts
        article = post["content"]["article"]
        assert article == {"source": link, "title": "Dita e Flamurit",
                           "description": "Festë në Prishtinë",
                           "thumbnail": article["thumbnail"]}
        assert li.images[article["thumbnail"]]["bytes"] == IMAGE


def test_facebook_sends_the_link(home: Path, web: FakeWeb) -> None:
    with FakeFacebook() as fb:
        add_account(home, "fb", "--platform", "facebook", "--api-base", fb.url,
                    "--handle", fb.page_id, "--locales", "sq")
        set_secret(home, "fb", fb.token)
        link = post_link(home, web, "fb")
        send(home)
        (post,) = fb.posts
    assert post["link"] == link and post["message"] == f"Gëzuar! {link}"


def test_threads_attaches_the_link_to_its_text_container(home: Path, web: FakeWeb) -> None:
    with FakeThreads(token="th-token") as th, MediaServer(home / "media") as site:
        add_account(home, "th", "--platform", "threads", "--api-base", th.url,
                    "--handle", "@kosovoembassy", "--media-url", site.url, "--locales", "sq")
        set_secret(home, "th", "th-token")
        write_token_meta(KeyringSecrets(), "th", {"expires_at": "2027-01-20T00:00:00+00:00"})
        link = post_link(home, web, "th")
        send(home)
        assert th.container_requests() == [{"media_type": "TEXT", "text": f"Gëzuar! {link}",
                                            "link_attachment": link}]


def test_x_builds_its_own_preview_and_gets_nothing_more(home: Path, web: FakeWeb) -> None:
    with FakeX() as x:
        add_account(home, "x", "--platform", "x", "--api-base", x.url, "--handle", "@MFAKosovo",
                    "--locales", "sq")
        set_secret(home, "x", "x-access-token")
        link = post_link(home, web, "x")
        send(home)
        (tweet,) = x.tweets
        (sent,) = [r for r in x.requests if r.method == "POST" and r.path == "/2/tweets"]
    assert web.hits == []  # X's card is X's own: the page is not read
    assert tweet["text"] == f"Gëzuar! {link}" and set(json.loads(sent.body)) == {"text"}


@pytest.mark.parametrize("extra,disabled", [("", None), ("link_card = false", True)])
def test_telegram_turns_its_own_preview_off_only_when_the_draft_says(
        home: Path, web: FakeWeb, extra: str, disabled: bool | None) -> None:
    with FakeTelegram() as tg:
        add_account(home, "tg", "--platform", "telegram", "--api-base", tg.url,
                    "--handle", tg.channel, "--locales", "sq")
        set_secret(home, "tg", tg.token)
        post_link(home, web, "tg", extra=extra)
        send(home)
        (message,) = tg.messages
    assert message.get("link_preview_disabled") is disabled and web.hits == []


def test_a_bluesky_thread_carries_its_card_on_the_first_part_only(home: Path,
                                                                   web: FakeWeb) -> None:
    """Threads and cards together: the first part gets the external embed with its
    thumb, the reply its root and parent refs and no card, though it links too."""
    link = f"{web.url}/flag"
    (home / "drafts" / "news.toml").write_text(
        'title = "news"\nsource = "sq"\naccounts = ["bsky"]\napproved = true\n\n'
        f'[variants.sq]\ntext = "Gëzuar! {link}"\nthread = ["Programi i plotë: {link}"]\n',
        encoding="utf-8")
    with FakeBluesky() as bsky:
        add_account(home, "bsky", "--platform", "bluesky", "--api-base", bsky.url,
                    "--handle", bsky.user_handle, "--locales", "sq")
        set_secret(home, "bsky", bsky.password)
        schedule(home, "news")
        queued = items(home)
        assert [(i["part"]["kind"], i["card"] and i["card"]["title"]) for i in queued] == [
            ("post", "Dita e Flamurit"), ("reply", None)]
        result = cli(home, "flush", "--now", NOW)
        assert result.code == 0, result.err
        assert [i["state"] for i in items(home)] == ["sent", "sent"]
        (first_uri, first), (_second_uri, second) = bsky.records.items()
    assert web.hits_of("/flag") == 1  # read once, at scheduling
    thumb = first["embed"]["external"].pop("thumb")
    assert first["embed"] == {"$type": "app.bsky.embed.external", "external": {
        "uri": link, "title": "Dita e Flamurit", "description": "Festë në Prishtinë"}}
    assert bsky.blobs[thumb["ref"]["$link"]] == IMAGE and "reply" not in first
    root = {"uri": first_uri, "cid": bluesky_cid(first_uri)}
    assert second["text"] == f"Programi i plotë: {link}"
    assert second["reply"] == {"root": root, "parent": root} and "embed" not in second
