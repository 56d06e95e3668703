"""The crisis kit's platform side: delete, edit and locate on every real adapter,
against the loopback fakes that delete and edit as each API does.

Each platform is a :class:`Kit`: its fake, its adapter (made by the registry, with
the real keyring backend), how to make a post there and how to read it back.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import ROOT
from fakes.base import FakeServer, Scripted
from fakes.bluesky import FakeBluesky
from fakes.facebook import FakeFacebook
from fakes.instagram import FakeInstagram
from fakes.linkedin import FakeLinkedIn
from fakes.mastodon import FakeMastodon
from fakes.meta import FakeMeta
from fakes.meta import graph_error as meta_error
from fakes.telegram import FakeTelegram
from fakes.threads import FakeThreads
from fakes.x import FakeX
from hypothesis import given
from hypothesis import strategies as st

from publisher.domain.accounts import Account, make_account
from publisher.domain.posttypes import PartKind
from publisher.platforms.base import (
    Adapter,
    AuthFailed,
    MediaFile,
    Post,
    Published,
    RateLimited,
    Rejected,
    Unsupported,
)
from publisher.platforms.bluesky.adapter import post_of_url
from publisher.platforms.linkedin.adapter import permalink as linkedin_permalink
from publisher.platforms.linkedin.adapter import post_urn_of
from publisher.platforms.mastodon.adapter import status_id_of
from publisher.platforms.meta.containers import shortcode_of
from publisher.platforms.meta.facebook import fb_object_of
from publisher.platforms.registry import Adapters
from publisher.platforms.telegram.adapter import message_of_url
from publisher.platforms.x.adapter import tweet_id_of
from publisher.services.secrets import KeyringSecrets, set_secret

NOW = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)
FLAG = ROOT / "drafts" / "media" / "kosovo-flag.png"
WRONG = "Thirrni 112 / Позовите 112"
RIGHT = "Thirrni 192 / Позовите 192"
PLATFORMS = ("mastodon", "bluesky", "x", "facebook", "instagram", "threads", "linkedin",
             "telegram")


@dataclass
class Kit:
    """One platform's fake and adapter, and how a test uses them."""

    server: FakeServer
    adapter: Adapter
    account: Account
    make: Callable[[str], tuple[Published, Post]]  # a post (or first comment) there
    exists: Callable[[Published], bool]
    text_of: Callable[[Published], str] | None  # None: the platform cannot edit
    own_url: Callable[[Published], str]  # the address a person would paste
    other_url: Callable[[], str]  # another account's post
    no_id_url: str  # an address of the platform without a post id
    delete_route: Callable[[Published], str]  # "METHOD /path" of the delete request
    unauthorized: Scripted
    limited: Scripted


def adapter_for(tmp_path: Path, platform: str, base: str, handle: str, secret: str,
                **fields: object) -> tuple[Adapter, Account]:
    set_secret(platform, secret)
    account = make_account(platform, platform, locales=["sq"], api_base=base, handle=handle,
                           **fields)  # type: ignore[arg-type]
    adapters = Adapters(outbox_dir=tmp_path / "outbox", secrets=KeyringSecrets(),
                        clock=lambda: NOW, media_dir=tmp_path / "media")
    adapters.sleep = lambda seconds: None
    return adapters.for_account(account), account


def post_of(account: Account, text: str, **fields: object) -> Post:
    return Post(account, text, ("sq",), due_at=NOW, **fields)  # type: ignore[arg-type]


def publisher_of(adapter: Adapter, account: Account) -> Callable[[str], tuple[Published, Post]]:
    def make(text: str) -> tuple[Published, Post]:
        post = post_of(account, text)
        return adapter.publish(post, f"key-{abs(hash(text))}"), post
    return make


def mastodon(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeMastodon())
    adapter, account = adapter_for(tmp_path, "mastodon", server.url, "@embassy", server.token)
    return Kit(server, adapter, account, publisher_of(adapter, account),
               lambda p: server.status(p.remote_id) is not None,
               lambda p: server.status(p.remote_id)["text"],
               lambda p: str(p.url), lambda: server.add_other_status("Tjetër")["url"],
               f"{server.url}/@embassy",
               lambda p: f"DELETE /api/v1/statuses/{p.remote_id}",
               Scripted(401, {"error": "The access token is invalid"}),
               Scripted(429, {"error": "Too many requests"},
                        {"X-RateLimit-Reset": "2026-12-01T08:05:00.000Z"}))


def bluesky(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeBluesky())
    adapter, account = adapter_for(tmp_path, "bluesky", server.url, server.user_handle,
                                   server.password)
    return Kit(server, adapter, account, publisher_of(adapter, account),
               lambda p: p.remote_id in server.records, None, lambda p: str(p.url),
               lambda: "https://bsky.app/profile/friend.test/post/3l2abcdefghij",
               f"https://bsky.app/profile/{server.user_handle}",
               lambda p: "POST /xrpc/com.atproto.repo.deleteRecord",
               Scripted(401, {"error": "AuthenticationRequired", "message": "Invalid token"}),
               Scripted(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                        {"RateLimit-Reset": str(int((NOW + timedelta(minutes=5)).timestamp()))}))


def x(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeX())
    adapter, account = adapter_for(tmp_path, "x", server.url, "@embassy", "x-access-token")
    return Kit(server, adapter, account, publisher_of(adapter, account),
               lambda p: any(t["id"] == p.remote_id for t in server.tweets), None,
               lambda p: str(p.url),
               lambda: f"https://x.com/consulate/status/{server.add_other_tweet('Tjetër')['id']}",
               "https://x.com/embassy", lambda p: f"DELETE /2/tweets/{p.remote_id}",
               Scripted(401, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}),
               Scripted(429, {"title": "Too Many Requests", "status": 429},
                        {"x-rate-limit-reset": str(int(NOW.timestamp()) + 300)}))


def facebook(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeFacebook())
    adapter, account = adapter_for(tmp_path, "facebook", server.url, server.page_id,
                                   server.token)

    def story(page: str) -> str:
        return server.add_other_post(page, "Tjetër")["id"].split("_")[1]

    return Kit(server, adapter, account, publisher_of(adapter, account),
               lambda p: server._find_node(p.remote_id)[0] is not None,
               lambda p: server._find_node(p.remote_id)[0]["message"], lambda p: str(p.url),
               lambda: f"https://www.facebook.com/4242/posts/{story('4242')}",
               "https://www.facebook.com/embassy", lambda p: f"DELETE /v23.0/{p.remote_id}",
               Scripted(401, meta_error(190, "Error validating access token")),
               Scripted(429, meta_error(32, "Page request limit reached")))


def placed(server: FakeMeta, text: str) -> Published:
    """A post already on the platform (made earlier, as the fake's own record)."""
    media_id = server.new_id()
    server.posts.append({"id": media_id, "text": text, "container": None, "reply_to": None,
                         "published_at": server.now,
                         "permalink": f"{server.permalink_base}{media_id}/"})
    return Published(media_id, f"{server.permalink_base}{media_id}/")


def instagram(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeInstagram())
    adapter, account = adapter_for(tmp_path, "instagram", server.url, server.user_id,
                                   "ig-token")

    def first_comment(text: str) -> tuple[Published, Post]:
        # On Instagram only a first comment can be deleted through the API.
        post = post_of(account, text, kind=PartKind.COMMENT,
                       reply_to=placed(server, f"Posti për {text}"))
        return adapter.publish(post, f"key-{abs(hash(text))}"), post

    def exists(target: Published) -> bool:
        return any(c["id"] == target.remote_id for cs in server.comments.values() for c in cs)

    return Kit(server, adapter, account, first_comment, exists, None,
               lambda p: str(placed(server, "Posti").url),
               lambda: "https://www.instagram.com/p/C0therAccount1/",
               "https://www.instagram.com/kosovoembassy/", lambda p: f"DELETE /v23.0/{p.remote_id}",
               Scripted(401, meta_error(190, "Error validating access token")),
               Scripted(429, meta_error(4, "Application request limit reached")))


def threads(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeThreads())
    adapter, account = adapter_for(tmp_path, "threads", server.url, server.user_id,
                                   "th-token")

    def make(text: str) -> tuple[Published, Post]:
        return placed(server, text), post_of(account, text)

    return Kit(server, adapter, account, make,
               lambda p: any(post["id"] == p.remote_id for post in server.posts), None,
               lambda p: str(p.url),
               lambda: "https://www.threads.net/@someone/post/C0therAccount1",
               "https://www.threads.net/@kosovoembassy", lambda p: f"DELETE /v1.0/{p.remote_id}",
               Scripted(401, meta_error(190, "Error validating access token")),
               Scripted(429, meta_error(4, "Application request limit reached")))


def linkedin(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeLinkedIn())
    adapter, account = adapter_for(tmp_path, "linkedin", server.url, server.organization,
                                   "li-access-token")

    def post_with(urn: str) -> dict:
        return next(p for p in server.posts if p["id"] == urn)

    return Kit(server, adapter, account, publisher_of(adapter, account),
               lambda p: any(post["id"] == p.remote_id for post in server.posts),
               lambda p: post_with(p.remote_id)["text"], lambda p: str(p.url),
               lambda: linkedin_permalink(server.add_post("urn:li:organization:99", "Tjetër")),
               "https://www.linkedin.com/feed/",
               lambda p: f"DELETE /rest/posts/{quote(p.remote_id, safe='')}",
               Scripted(401, {"status": 401, "code": "EXPIRED_ACCESS_TOKEN",
                              "message": "The token used in the request has expired",
                              "serviceErrorCode": 65601}),
               Scripted(429, {"status": 429, "message": "Resource level throttle APPLICATION "
                              "DAY limit for calls to this resource is reached."},
                        {"Retry-After": "60"}))


def telegram(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeTelegram())
    adapter, account = adapter_for(tmp_path, "telegram", server.url, server.channel,
                                   server.token)
    return Kit(server, adapter, account, publisher_of(adapter, account),
               lambda p: server.message(int(p.remote_id)) is not None,
               lambda p: server.message(int(p.remote_id))["text"], lambda p: str(p.url),
               lambda: "https://t.me/other_channel/5", "https://t.me/embassy_news",
               lambda p: f"POST /bot{server.token}/deleteMessage",
               Scripted(401, {"ok": False, "error_code": 401, "description": "Unauthorized"}),
               Scripted(429, {"ok": False, "error_code": 429,
                              "description": "Too Many Requests: retry after 7",
                              "parameters": {"retry_after": 7}}))


KITS = {"mastodon": mastodon, "bluesky": bluesky, "x": x, "facebook": facebook,
        "instagram": instagram, "threads": threads, "linkedin": linkedin,
        "telegram": telegram}


@pytest.fixture(params=PLATFORMS)
def kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kit]:
    with ExitStack() as stack:
        yield KITS[request.param](stack, tmp_path)


# Every platform


def test_delete_removes_the_post(kit: Kit) -> None:
    target, post = kit.make(WRONG)
    assert kit.exists(target)
    kit.adapter.delete(target, post)
    assert not kit.exists(target)


def test_a_second_delete_of_a_post_already_gone_is_done(kit: Kit) -> None:
    target, post = kit.make(WRONG)
    kit.adapter.delete(target, post)
    seen = len(kit.server.requests)
    kit.adapter.delete(target, post)  # the platform's "not found" (or no-op) is done
    assert len(kit.server.requests) > seen  # it asked, and took the answer as done
    assert not kit.exists(target)


def test_edit_brings_the_post_to_the_new_text_or_says_it_cannot(kit: Kit) -> None:
    target, post = kit.make(WRONG)
    corrected = replace(post, text=RIGHT)
    if kit.text_of is None:
        assert not kit.adapter.abilities.edit and kit.adapter.abilities.why_not_edit
        with pytest.raises(Unsupported):
            kit.adapter.edit(target, corrected)
        assert kit.exists(target)  # nothing was touched
        return
    assert kit.adapter.abilities.edit and not kit.adapter.abilities.why_not_edit
    assert kit.adapter.edit(target, corrected).remote_id == target.remote_id
    assert kit.text_of(target) == RIGHT


def test_locate_finds_the_accounts_own_post_from_its_url(kit: Kit) -> None:
    target, _post = kit.make(WRONG)
    url = kit.own_url(target)
    found = kit.adapter.locate(url)
    assert found.url
    if kit.adapter.platform != "instagram":  # there: a post, not the comment we made
        assert found.remote_id == target.remote_id


def test_locate_refuses_another_accounts_post(kit: Kit) -> None:
    with pytest.raises(Rejected) as refused:
        kit.adapter.locate(kit.other_url())
    assert "is not a post of this account" in refused.value.message


def test_locate_cannot_read_an_id_from_garbage(kit: Kit) -> None:
    for garbage in ("", "not a url", "ftp://example.org/1", "https://", "http://[::1"):
        with pytest.raises(Unsupported):
            kit.adapter.locate(garbage)


def test_locate_cannot_read_an_id_from_the_platforms_address_without_one(kit: Kit) -> None:
    with pytest.raises(Unsupported):
        kit.adapter.locate(kit.no_id_url)


def test_a_401_on_delete_is_an_auth_failure(kit: Kit) -> None:
    target, post = kit.make(WRONG)
    kit.server.fail_next(kit.delete_route(target), kit.unauthorized, kit.unauthorized)
    with pytest.raises(AuthFailed):
        kit.adapter.delete(target, post)
    assert kit.exists(target)


def test_a_429_on_delete_is_rate_limited(kit: Kit) -> None:
    target, post = kit.make(WRONG)
    kit.server.fail_next(kit.delete_route(target), kit.limited)
    with pytest.raises(RateLimited):
        kit.adapter.delete(target, post)
    assert kit.exists(target)


def test_abilities_say_why_not_for_every_missing_ability(kit: Kit) -> None:
    abilities = kit.adapter.abilities
    assert bool(abilities.why_not_delete) == (not abilities.delete)
    assert bool(abilities.why_not_edit) == (not abilities.edit)


# What only some platforms have


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as opened:
        yield opened


def test_mastodon_edit_keeps_images_and_content_warning_and_the_history(
        stack: ExitStack, tmp_path: Path) -> None:
    kit = mastodon(stack, tmp_path)
    shutil.copy(FLAG, tmp_path / "flag.png")
    post = post_of(kit.account, WRONG, media=(MediaFile(tmp_path / "flag.png", "Flamuri"),),
                   content_warning="Njoftim")
    target = kit.adapter.publish(post, "key-cw")
    kit.adapter.edit(target, replace(post, text=RIGHT, content_warning="Korrigjim"))
    status = kit.server.status(target.remote_id)
    assert status["text"] == RIGHT and status["spoiler_text"] == "Korrigjim"
    assert [m["id"] for m in status["media_attachments"]] == ["1"]
    assert status["edited_at"] and status["history"][0]["spoiler_text"] == "Njoftim"
    (put,) = kit.server.requests_to("PUT", f"/api/v1/statuses/{target.remote_id}")
    assert put.json()["media_ids"] == ["1"]


def test_mastodon_locate_refuses_a_status_on_another_instance(stack: ExitStack,
                                                              tmp_path: Path) -> None:
    kit = mastodon(stack, tmp_path)
    with pytest.raises(Rejected, match=r"mastodon\.social"):
        kit.adapter.locate("https://mastodon.social/@embassy/109000000000000001")


def test_bluesky_locate_takes_the_at_uri_too(stack: ExitStack, tmp_path: Path) -> None:
    kit = bluesky(stack, tmp_path)
    target, _post = kit.make(WRONG)
    found = kit.adapter.locate(target.remote_id)
    assert found == target  # with its cid, as a reply to it needs


def test_facebook_first_comment_is_edited_and_deleted_by_its_node(stack: ExitStack,
                                                                 tmp_path: Path) -> None:
    kit = facebook(stack, tmp_path)
    parent, _post = kit.make("Deklarata")
    comment_post = post_of(kit.account, WRONG, kind=PartKind.COMMENT, reply_to=parent)
    comment = kit.adapter.publish(comment_post, "key-comment")
    kit.adapter.edit(comment, replace(comment_post, text=RIGHT))
    assert kit.server.comments[parent.remote_id][0]["message"] == RIGHT
    url = f"https://www.facebook.com/{kit.server.page_id}/posts/" \
          f"{parent.remote_id.split('_')[1]}?comment_id={comment.remote_id.split('_')[1]}"
    assert kit.adapter.locate(url).remote_id == comment.remote_id
    kit.adapter.delete(comment, comment_post)
    kit.adapter.delete(comment, comment_post)
    assert kit.server.comments[parent.remote_id] == [] and kit.exists(parent)


def test_instagram_cannot_delete_or_edit_a_post_and_says_where_to_do_it(
        stack: ExitStack, tmp_path: Path) -> None:
    kit = instagram(stack, tmp_path)
    assert not kit.adapter.abilities.delete and not kit.adapter.abilities.edit
    target = placed(kit.server, WRONG)
    assert isinstance(kit.server, FakeMeta)
    with pytest.raises(Unsupported) as refused:
        kit.adapter.delete(target, post_of(kit.account, WRONG))
    assert str(target.url) in refused.value.message
    with pytest.raises(Unsupported):
        kit.adapter.edit(target, post_of(kit.account, RIGHT))
    assert kit.server.requests_to("DELETE", f"/v23.0/{target.remote_id}") == []


def test_instagram_locate_refuses_a_comment_address(stack: ExitStack, tmp_path: Path) -> None:
    kit = instagram(stack, tmp_path)
    with pytest.raises(Unsupported):
        kit.adapter.locate("https://www.instagram.com/p/C0de1/c/17900000000000001/")


def test_linkedin_first_comment_is_edited_and_deleted_through_social_actions(
        stack: ExitStack, tmp_path: Path) -> None:
    kit = linkedin(stack, tmp_path)
    parent, _post = kit.make("Deklarata")
    comment_post = post_of(kit.account, WRONG, kind=PartKind.COMMENT, reply_to=parent)
    comment = kit.adapter.publish(comment_post, "key-comment")
    kit.adapter.edit(comment, replace(comment_post, text=RIGHT))
    assert kit.server.comments[parent.remote_id][0]["message"]["text"] == RIGHT
    kit.adapter.delete(comment, comment_post)
    kit.adapter.delete(comment, comment_post)  # 404: gone already
    assert kit.server.comments[parent.remote_id] == [] and kit.exists(parent)


def test_linkedin_edit_sends_a_partial_update_of_the_commentary(stack: ExitStack,
                                                                tmp_path: Path) -> None:
    kit = linkedin(stack, tmp_path)
    target, post = kit.make(WRONG)
    kit.adapter.edit(target, replace(post, text="Thirrni (192) #DigitalKosovo"))
    path = f"/rest/posts/{quote(target.remote_id, safe='')}"
    (update,) = kit.server.requests_to("POST", path)
    assert update.headers["x-restli-method"] == "PARTIAL_UPDATE"
    assert update.json() == {"patch": {"$set": {
        "commentary": "Thirrni \\(192\\) {hashtag|\\#|DigitalKosovo}"}}}
    assert kit.text_of is not None and kit.text_of(target) == "Thirrni (192) #DigitalKosovo"


def album(kit: Kit, tmp_path: Path) -> tuple[Published, Post]:
    shutil.copy(FLAG, tmp_path / "a.png")
    shutil.copy(FLAG, tmp_path / "b.png")
    post = post_of(kit.account, WRONG, media=(MediaFile(tmp_path / "a.png", ""),
                                              MediaFile(tmp_path / "b.png", "")))
    return kit.adapter.publish(post, "key-album"), post


def test_telegram_deletes_every_message_of_an_album(stack: ExitStack, tmp_path: Path) -> None:
    kit = telegram(stack, tmp_path)
    assert isinstance(kit.server, FakeTelegram)
    target, post = album(kit, tmp_path)
    assert target.ref == "1 2" and len(kit.server.messages) == 2
    kit.adapter.delete(target, post)
    assert kit.server.messages == []


def test_telegram_edits_an_albums_caption(stack: ExitStack, tmp_path: Path) -> None:
    kit = telegram(stack, tmp_path)
    assert isinstance(kit.server, FakeTelegram)
    target, post = album(kit, tmp_path)
    kit.adapter.edit(target, replace(post, text=RIGHT))
    assert kit.server.message(1)["caption"] == RIGHT
    kit.adapter.edit(target, replace(post, text=RIGHT))  # "message is not modified": done


def test_telegram_edits_the_text_after_a_photo_of_a_long_post(stack: ExitStack,
                                                             tmp_path: Path) -> None:
    kit = telegram(stack, tmp_path)
    assert isinstance(kit.server, FakeTelegram)
    shutil.copy(FLAG, tmp_path / "a.png")
    long_text = "Njoftim. " * 130
    post = post_of(kit.account, long_text, media=(MediaFile(tmp_path / "a.png", ""),))
    target = kit.adapter.publish(post, "key-long")
    assert target.remote_id == "2" and target.ref == "1 2"
    kit.adapter.edit(target, replace(post, text=RIGHT + " " + long_text))
    assert kit.server.message(2)["text"].startswith(RIGHT)
    kit.adapter.delete(target, post)
    assert kit.server.messages == []


def test_telegram_past_48_hours_a_person_deletes_it(stack: ExitStack, tmp_path: Path) -> None:
    kit = telegram(stack, tmp_path)
    assert isinstance(kit.server, FakeTelegram)
    target, post = kit.make(WRONG)
    kit.server.now += 48 * 3600
    with pytest.raises(Unsupported) as refused:
        kit.adapter.delete(target, post)
    assert "48 hours" in refused.value.message and str(target.url) in refused.value.message
    assert kit.exists(target)


def test_telegram_locate_takes_a_private_channels_address(stack: ExitStack,
                                                         tmp_path: Path) -> None:
    kit = telegram(stack, tmp_path)
    found = kit.adapter.locate("https://t.me/c/1234567890/17")
    assert found.remote_id == "17" and found.url == "https://t.me/c/1234567890/17"


def test_x_locate_refuses_a_post_that_is_not_there(stack: ExitStack, tmp_path: Path) -> None:
    kit = x(stack, tmp_path)
    with pytest.raises(Rejected, match="no such post"):
        kit.adapter.locate("https://twitter.com/embassy/status/1999999999999999999")


# The URL parsers: any text is a post id or Rejected / Unsupported, nothing else


def _addresses(hosts: list[str]) -> st.SearchStrategy[str]:
    segment = st.one_of(st.text(max_size=12), st.from_regex(r"[0-9]{1,20}", fullmatch=True),
                        st.sampled_from(["@embassy", "status", "post", "posts", "p", "c",
                                         "feed", "update", "urn:li:share:123", "profile",
                                         "users", "statuses", "i", "web", "s",
                                         "permalink.php"]))
    return st.builds(lambda scheme, host, parts, query: f"{scheme}{host}/{'/'.join(parts)}"
                     f"{query}", st.sampled_from(["https://", "http://", "", "at://"]),
                     st.sampled_from(hosts), st.lists(segment, max_size=5),
                     st.sampled_from(["", "?comment_id=12", "?story_fbid=3&id=4",
                                      "?comment_id=x"]))


ANY_TEXT = st.one_of(st.text(), _addresses([
    "x.com", "twitter.com", "bsky.app", "www.facebook.com", "t.me", "www.linkedin.com",
    "www.instagram.com", "www.threads.net", "mastodon.example", "[::1", "did:plc:abc"]))


def _parses_or_refuses(parse: Callable[[], object]) -> None:
    try:
        result = parse()
    except (Rejected, Unsupported):
        return
    assert result


@given(ANY_TEXT)
def test_mastodon_url_parser_takes_any_text(text: str) -> None:
    _parses_or_refuses(lambda: status_id_of(text, "https://mastodon.example"))


@given(ANY_TEXT)
def test_bluesky_url_parser_takes_any_text(text: str) -> None:
    _parses_or_refuses(lambda: post_of_url(text))


@given(ANY_TEXT)
def test_x_url_parser_takes_any_text(text: str) -> None:
    _parses_or_refuses(lambda: tweet_id_of(text))


@given(ANY_TEXT)
def test_facebook_url_parser_takes_any_text(text: str) -> None:
    _parses_or_refuses(lambda: fb_object_of(text, "4"))


@given(ANY_TEXT)
def test_instagram_and_threads_url_parser_takes_any_text(text: str) -> None:
    _parses_or_refuses(lambda: shortcode_of(text, ("instagram.com",), ("p", "reel"),
                                            "Instagram"))
    _parses_or_refuses(lambda: shortcode_of(text, ("threads.net",), ("post",), "Threads"))


@given(ANY_TEXT)
def test_linkedin_url_parser_takes_any_text(text: str) -> None:
    _parses_or_refuses(lambda: post_urn_of(text))


@given(ANY_TEXT)
def test_telegram_url_parser_takes_any_text(text: str) -> None:
    _parses_or_refuses(lambda: message_of_url(text))


@pytest.mark.parametrize("url, expected", [
    ("https://x.com/embassy/status/1900000000000000001/photo/1", "1900000000000000001"),
    ("https://mobile.twitter.com/i/web/status/42", "42"),
])
def test_x_url_forms(url: str, expected: str) -> None:
    assert tweet_id_of(url) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://www.facebook.com/4/posts/9001", ("4_9001", False)),
    ("https://m.facebook.com/permalink.php?story_fbid=9001&id=4", ("4_9001", False)),
    ("https://www.facebook.com/4_9001", ("4_9001", False)),
    ("https://www.facebook.com/embassy/posts/9001?comment_id=77", ("9001_77", True)),
])
def test_facebook_url_forms(url: str, expected: tuple[str, bool]) -> None:
    assert fb_object_of(url, "4") == expected


@pytest.mark.parametrize("url", [
    "https://mastodon.example/@embassy/109", "https://mastodon.example/users/embassy/statuses/109",
    "https://mastodon.example/web/statuses/109", "https://Mastodon.Example/@embassy@x.org/109",
])
def test_mastodon_url_forms(url: str) -> None:
    assert status_id_of(url, "https://mastodon.example/") == "109"
