"""Bluesky, X, Facebook and Telegram adapters against loopback servers that speak
each platform's documented API, end to end through schedule and flush."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from fakes.base import Scripted
from fakes.bluesky import FakeBluesky
from fakes.facebook import FakeFacebook
from fakes.telegram import FakeTelegram
from fakes.x import FakeX
from queue_helpers import add_account, cli, items, schedule, states

from publisher.platforms.bluesky.adapter import facets_for, record_key
from publisher.services.secrets import get_secret, set_secret

NOW = "2026-12-01T09:00:10+01:00"
T0_UTC = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
FLAG = ROOT / "drafts" / "media" / "kosovo-flag.png"


def write_post(home: Path, draft_id: str, accounts: list[str], texts: dict[str, str],
               alt: dict[str, str] | None = None) -> None:
    lines = [f'title = "{draft_id}"', f'source = "{next(iter(texts))}"',
             "accounts = [" + ", ".join(f'"{a}"' for a in accounts) + "]", "approved = true", ""]
    source_fingerprint = None
    for locale, text in texts.items():
        lines.append(f'[variants.{locale}]\ntext = """{text}"""')
        if source_fingerprint:
            lines.append(f'from_source = "{source_fingerprint}"')
        else:
            from publisher.domain.locales import fingerprint

            source_fingerprint = fingerprint(text)
    if alt is not None:
        (home / "media").mkdir(exist_ok=True)
        shutil.copy(FLAG, home / "media" / "flag.png")
        lines.append('\n[[media]]\nfile = "media/flag.png"')
        lines += [f'alt.{locale} = "{value}"' for locale, value in alt.items()]
    (home / "drafts" / f"{draft_id}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def store_secret(home: Path, account_id: str, secret: str) -> None:
    result = run_cli("--home", str(home), "accounts", "set-secret", account_id,
                     stdin=secret + "\n")
    assert result.code == 0, result.err


def flush(home: Path, now: str = NOW):
    return cli(home, "flush", "--now", now)


# Bluesky


@pytest.fixture
def bsky():
    with FakeBluesky() as server:
        yield server


@pytest.fixture
def bsky_home(home: Path, bsky: FakeBluesky) -> Path:
    add_account(home, "bsky", "--platform", "bluesky", "--api-base", bsky.url,
                "--handle", bsky.user_handle, "--locales", "sq,sr-Latn", "--layout", "combined")
    store_secret(home, "bsky", bsky.password)
    return home


def test_bluesky_posts_with_langs_facets_and_a_stable_record_key(
    bsky_home: Path, bsky: FakeBluesky
) -> None:
    write_post(bsky_home, "flag", ["bsky"], {
        "sq": "Gëzuar Ditën e Flamurit! Çdo detaj: https://mfa-ks.net/flamuri #DigitalKosovo",
        "sr": "Срећан Дан заставе! Више: https://mfa-ks.net/zastava #DigitalKosovo",
    })
    schedule(bsky_home, "flag")
    result = flush(bsky_home)
    assert result.code == 0, result.err
    (record,) = bsky.posts()
    assert record["langs"] == ["sq", "sr-Latn"]
    assert "Srećan Dan zastave" in record["text"]
    encoded = record["text"].encode()
    spans = {encoded[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode():
             f["features"][0] for f in record["facets"]}
    assert spans["https://mfa-ks.net/flamuri"]["uri"] == "https://mfa-ks.net/flamuri"
    assert spans["#DigitalKosovo"] == {"$type": "app.bsky.richtext.facet#tag",
                                       "tag": "DigitalKosovo"}
    (item,) = items(bsky_home)
    assert item["url"].startswith(f"https://bsky.app/profile/{bsky.user_handle}/post/")
    rkey = item["url"].rsplit("/", 1)[1]
    assert rkey == record_key(item_key(bsky_home, item["id"]), T0_UTC)
    assert f"at://{bsky.did}/app.bsky.feed.post/{rkey}" in bsky.records


def item_key(home: Path, item_id: int) -> str:
    import sqlite3

    with sqlite3.connect(home / "queue.sqlite3") as db:
        return db.execute("select idempotency_key from items where id = ?",
                          (item_id,)).fetchone()[0]


def test_bluesky_session_is_created_once_and_reused_across_runs(
    bsky_home: Path, bsky: FakeBluesky
) -> None:
    for number in range(3):
        write_post(bsky_home, f"post-{number}", ["bsky"], {"sq": f"Lajm {number}",
                                                           "sr": f"Вест {number}"})
        schedule(bsky_home, f"post-{number}")
        assert flush(bsky_home).code == 0
    assert bsky.sessions_created == 1
    stored = json.loads(get_secret("bsky", "session"))
    assert stored["did"] == bsky.did and "accessJwt" in stored


def test_bluesky_expired_access_token_is_refreshed_not_recreated(
    bsky_home: Path, bsky: FakeBluesky
) -> None:
    write_post(bsky_home, "one", ["bsky"], {"sq": "Një", "sr": "Један"})
    schedule(bsky_home, "one")
    assert flush(bsky_home).code == 0
    bsky.expire_access_tokens()
    write_post(bsky_home, "two", ["bsky"], {"sq": "Dy", "sr": "Два"})
    schedule(bsky_home, "two")
    assert flush(bsky_home).code == 0
    assert bsky.sessions_created == 1
    assert len(bsky.requests_to("POST", "/xrpc/com.atproto.server.refreshSession")) == 1
    assert len(bsky.posts()) == 2


def test_bluesky_image_goes_up_with_its_alt_text(bsky_home: Path, bsky: FakeBluesky) -> None:
    write_post(bsky_home, "img", ["bsky"], {"sq": "Flamuri", "sr": "Застава"},
               alt={"sq": "Flamuri i Kosovës", "sr": "Застава Косова"})
    schedule(bsky_home, "img")
    assert flush(bsky_home).code == 0, "flush failed"
    (record,) = bsky.posts()
    (image,) = record["embed"]["images"]
    assert image["alt"] == "Flamuri i Kosovës / Zastava Kosova"
    assert image["image"]["ref"]["$link"] in bsky.blobs
    (upload,) = bsky.requests_to("POST", "/xrpc/com.atproto.repo.uploadBlob")
    assert upload.headers["content-type"] == "image/png"
    assert upload.body == FLAG.read_bytes()


def test_bluesky_retry_after_a_lost_answer_recognises_its_own_post(
    bsky_home: Path, bsky: FakeBluesky
) -> None:
    write_post(bsky_home, "once", ["bsky"], {"sq": "Vetëm një herë", "sr": "Само једном"})
    (item_id,) = schedule(bsky_home, "once")
    # The gateway loses the answer: the post may or may not exist.
    bsky.fail_next("POST /xrpc/com.atproto.repo.createRecord", Scripted(502, b"Bad Gateway"))
    assert flush(bsky_home).code == 3
    assert states(bsky_home) == {item_id: "retry"}  # safe: the record key is fixed
    # It did go out: the PDS holds the record under the item's key.
    rkey = record_key(item_key(bsky_home, item_id), T0_UTC)
    bsky.records[f"at://{bsky.did}/app.bsky.feed.post/{rkey}"] = {
        "$type": "app.bsky.feed.post", "text": "Vetëm një herë\n\nSamo jednom",
        "createdAt": "2026-12-01T08:00:10.000Z"}
    assert flush(bsky_home, "2026-12-01T09:30:00+01:00").code == 0
    assert states(bsky_home) == {item_id: "sent"}
    assert len(bsky.posts()) == 1


def test_bluesky_wrong_app_password_holds_the_account(bsky_home: Path, bsky: FakeBluesky) -> None:
    set_secret("bsky", "wrong-password")
    write_post(bsky_home, "nope", ["bsky"], {"sq": "Jo", "sr": "Не"})
    (item_id,) = schedule(bsky_home, "nope")
    result = flush(bsky_home)
    assert result.code == 4
    assert "Invalid identifier or password" in result.err
    assert "wrong-password" not in result.err + result.out
    assert states(bsky_home) == {item_id: "held"}


def test_bluesky_rate_limit_reads_ratelimit_reset(bsky_home: Path, bsky: FakeBluesky) -> None:
    write_post(bsky_home, "busy", ["bsky"], {"sq": "Shumë", "sr": "Много"})
    schedule(bsky_home, "busy")
    bsky.fail_next("POST /xrpc/com.atproto.repo.createRecord", Scripted(
        429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        {"RateLimit-Limit": "5000", "RateLimit-Remaining": "0",
         "RateLimit-Reset": "1796115600"}))  # 2026-12-01T09:00:00Z
    result = flush(bsky_home)
    assert result.code == 3
    (item,) = items(bsky_home)
    assert item["state"] == "retry"
    assert item["next_attempt"].startswith("2026-12-01T09:00:00")


def test_bluesky_find_after_a_crash_asks_get_record(bsky_home: Path, bsky: FakeBluesky) -> None:
    from publisher.domain.accounts import make_account
    from publisher.platforms.base import NOT_FOUND, Post, Published
    from publisher.platforms.bluesky.adapter import BlueskyAdapter
    from publisher.platforms.common.http import make_session
    from publisher.services.secrets import KeyringSecrets

    account = make_account("bsky", "bluesky", locales=["sq"], api_base=bsky.url,
                           handle=bsky.user_handle)
    adapter = BlueskyAdapter("bsky", bsky.url, bsky.user_handle, KeyringSecrets(), make_session())
    due = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    post = Post(account, "Pas rrëzimit", ("sq",), due_at=due)
    assert adapter.find("pub-crash", post) is NOT_FOUND
    published = adapter.publish(post, "pub-crash")
    assert isinstance(adapter.find("pub-crash", post), Published)
    # A second create with the same key fails on the server; the adapter sees its post.
    again = adapter.publish(post, "pub-crash")
    assert again.remote_id == published.remote_id
    assert len(bsky.posts()) == 1
    assert adapter.resend_is_safe(due, due)


def test_bluesky_facets_use_utf8_byte_offsets() -> None:
    text = "Ç'kemi @friend.test! Лист: https://example.org/ë?x=1. #Kosova2026 #Косово"
    facets = facets_for(text, lambda handle: "did:plc:friend" if handle == "friend.test"
                        else None)
    encoded = text.encode()
    found = [(encoded[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode(),
              f["features"][0]["$type"].rsplit("#", 1)[1]) for f in facets]
    assert found == [("@friend.test", "mention"), ("https://example.org/ë?x=1", "link"),
                     ("#Kosova2026", "tag"), ("#Косово", "tag")]


def test_record_keys_are_valid_tids_and_differ_per_item() -> None:
    due = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    keys = {record_key(f"pub-{n}", due) for n in range(500)}
    assert len(keys) == 500
    for key in keys:
        assert len(key) == 13 and key[0] in "234567abcdefghij"
        assert set(key) <= set("234567abcdefghijklmnopqrstuvwxyz")
    assert record_key("pub-1", due) == record_key("pub-1", due)


# X


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


def test_x_posts_with_image_and_alt_text(x_home: Path, x_server: FakeX) -> None:
    write_post(x_home, "flag", ["mfa-x"], {"en": "Happy Flag Day! https://mfa-ks.net"},
               alt={"en": "The flag of Kosovo"})
    schedule(x_home, "flag")
    result = flush(x_home)
    assert result.code == 0, result.err
    (tweet,) = x_server.tweets
    (media,) = x_server.media.values()
    assert media["alt"] == "The flag of Kosovo" and media["category"] == "tweet_image"
    assert tweet["media_ids"] == list(x_server.media)
    (item,) = items(x_home)
    assert item["url"] == f"https://x.com/MFAKosovo/status/{tweet['id']}"


def test_x_duplicate_403_is_looked_up_and_counted_as_sent(x_home: Path, x_server: FakeX) -> None:
    write_post(x_home, "dup", ["mfa-x"], {"en": "Read more: https://mfa-ks.net/visa"})
    schedule(x_home, "dup")
    # An earlier attempt went out, but its answer was lost.
    x_server.tweets.append({"id": "1900000000000000777",
                            "text": "Read more: https://mfa-ks.net/visa", "media_ids": []})
    result = flush(x_home)
    assert result.code == 0, result.err
    (item,) = items(x_home)
    assert item["state"] == "sent" and item["url"].endswith("/1900000000000000777")
    assert len(x_server.tweets) == 1


def test_x_refreshes_an_expired_token_and_keeps_the_new_pair(
    x_home: Path, x_server: FakeX
) -> None:
    set_secret("mfa-x", "revoked-token")
    set_secret("mfa-x", json.dumps({"refresh_token": "x-refresh-1", "client_id": "client-123",
                                    "expires_at": "2026-12-01T10:00:00+00:00"}), "oauth")
    write_post(x_home, "fresh", ["mfa-x"], {"en": "Fresh token"})
    schedule(x_home, "fresh")
    result = flush(x_home)
    assert result.code == 0, result.err
    assert get_secret("mfa-x") == "x-access-2"
    assert json.loads(get_secret("mfa-x", "oauth"))["refresh_token"] == "x-refresh-2"
    assert "revoked-token" not in result.err


def test_x_confidential_client_refreshes_with_basic_auth(x_home: Path, x_server: FakeX) -> None:
    x_server.client_secret = "x-client-secret"
    set_secret("mfa-x", "revoked-token")
    set_secret("mfa-x", json.dumps({"refresh_token": "x-refresh-1", "client_id": "client-123",
                                    "client_secret": "x-client-secret",
                                    "expires_at": "2026-12-01T08:01:00+00:00"}), "oauth")
    write_post(x_home, "basic", ["mfa-x"], {"en": "Confidential client"})
    schedule(x_home, "basic")
    result = flush(x_home)
    assert result.code == 0, result.err
    assert get_secret("mfa-x") == "x-access-2"
    renewed = json.loads(get_secret("mfa-x", "oauth"))
    assert renewed["client_secret"] == "x-client-secret"
    assert renewed["refresh_token"] == "x-refresh-2"


def test_x_429_reads_x_rate_limit_reset(x_home: Path, x_server: FakeX) -> None:
    write_post(x_home, "busy", ["mfa-x"], {"en": "Busy"})
    schedule(x_home, "busy")
    x_server.fail_next("POST /2/tweets", Scripted(
        429, {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
        {"x-rate-limit-limit": "200", "x-rate-limit-remaining": "0",
         "x-rate-limit-reset": "1796115600"}))  # 2026-12-01T09:00:00Z
    result = flush(x_home)
    assert result.code == 3
    (item,) = items(x_home)
    assert item["next_attempt"].startswith("2026-12-01T09:00:00")


def test_x_unknown_after_a_lost_answer_is_not_resent(x_home: Path, x_server: FakeX) -> None:
    write_post(x_home, "lost", ["mfa-x"], {"en": "Lost answer"})
    (item_id,) = schedule(x_home, "lost")
    x_server.fail_next("POST /2/tweets", Scripted(502, b"<html>Bad Gateway</html>"))
    result = flush(x_home)
    assert result.code == 4
    assert states(x_home) == {item_id: "unknown"}


# Facebook


@pytest.fixture
def fb():
    with FakeFacebook() as server:
        yield server


@pytest.fixture
def fb_home(home: Path, fb: FakeFacebook) -> Path:
    add_account(home, "fb", "--platform", "facebook", "--api-base", fb.url,
                "--handle", fb.page_id, "--locales", "sq,en,sr", "--layout", "combined")
    store_secret(home, "fb", fb.token)
    return home


def test_facebook_page_post_and_photo_with_alt_text(fb_home: Path, fb: FakeFacebook) -> None:
    write_post(fb_home, "text", ["fb"], {"sq": "Përshëndetje", "en": "Hello", "sr": "Здраво"})
    write_post(fb_home, "photo", ["fb"], {"sq": "Flamuri", "en": "Flag", "sr": "Застава"},
               alt={"sq": "Flamuri", "en": "The flag", "sr": "Застава"})
    schedule(fb_home, "text")
    schedule(fb_home, "photo")
    result = flush(fb_home)
    assert result.code == 0, result.err
    assert fb.posts[0]["message"] == "Përshëndetje\n\nHello\n\nЗдраво"
    (photo,) = fb.photos.values()
    assert photo["alt"] == "Flamuri / The flag / Застава"
    urls = sorted(item["url"] for item in items(fb_home))
    assert urls[0].startswith(f"https://www.facebook.com/{fb.page_id}/posts/")
    assert "Authorization" not in result.err
    assert all("access_token" not in r.path and not r.query.get("access_token")
               for r in fb.requests)


def test_facebook_error_190_holds_the_account(fb_home: Path, fb: FakeFacebook) -> None:
    set_secret("fb", "expired-page-token")
    write_post(fb_home, "p", ["fb"], {"sq": "A", "en": "B", "sr": "В"})
    (item_id,) = schedule(fb_home, "p")
    result = flush(fb_home)
    assert result.code == 4 and "Graph error 190" in result.err
    assert "expired-page-token" not in result.err
    assert states(fb_home) == {item_id: "held"}


def test_facebook_rate_limit_codes_wait(fb_home: Path, fb: FakeFacebook) -> None:
    write_post(fb_home, "p", ["fb"], {"sq": "A", "en": "B", "sr": "В"})
    schedule(fb_home, "p")
    fb.fail_next(f"POST /v23.0/{fb.page_id}/feed", Scripted(
        400, {"error": {"message": "(#32) Page request limit reached", "type": "OAuthException",
                        "code": 32, "fbtrace_id": "x"}},
        {"X-Business-Use-Case-Usage": json.dumps({fb.page_id: [{
            "type": "pages", "call_count": 100, "estimated_time_to_regain_access": 30}]})}))
    result = flush(fb_home)
    assert result.code == 3
    (item,) = items(fb_home)
    assert item["state"] == "retry" and item["next_attempt"].startswith("2026-12-01T08:30")


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001, 80002])
def test_every_graph_rate_limit_code_waits_on_facebook(fb_home: Path, fb: FakeFacebook,
                                                       code: int) -> None:
    # Graph API rate limiting: 80002 is the Instagram Business Use Case limit, which
    # Facebook's own reading of Graph errors did not know (it failed the post).
    write_post(fb_home, "p", ["fb"], {"sq": "A", "en": "B", "sr": "В"})
    schedule(fb_home, "p")
    fb.fail_next(f"POST /v23.0/{fb.page_id}/feed", Scripted(
        400, {"error": {"message": "limit reached", "type": "OAuthException", "code": code,
                        "fbtrace_id": "x"}}))
    result = flush(fb_home)
    assert result.code == 3, result.err
    (item,) = items(fb_home)
    assert item["state"] == "retry"


def test_facebook_duplicate_506_finds_the_earlier_post(fb_home: Path, fb: FakeFacebook) -> None:
    write_post(fb_home, "p", ["fb"], {"sq": "A", "en": "B", "sr": "В"})
    schedule(fb_home, "p")
    fb.posts.append({"id": f"{fb.page_id}_8888", "message": "A\n\nB\n\nВ"})
    result = flush(fb_home)
    assert result.code == 0, result.err
    (item,) = items(fb_home)
    assert item["state"] == "sent" and item["url"].endswith(f"{fb.page_id}_8888")


# Telegram


@pytest.fixture
def tg():
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def tg_home(home: Path, tg: FakeTelegram) -> Path:
    add_account(home, "tg", "--platform", "telegram", "--api-base", tg.url,
                "--handle", tg.channel, "--locales", "sq")
    store_secret(home, "tg", tg.token)
    return home


def test_telegram_message_and_photo_with_permalinks(tg_home: Path, tg: FakeTelegram) -> None:
    write_post(tg_home, "text", ["tg"], {"sq": "Lajm i shkurtër"})
    write_post(tg_home, "photo", ["tg"], {"sq": "Me foto"}, alt={"sq": "Flamuri"})
    schedule(tg_home, "text")
    schedule(tg_home, "photo")
    result = flush(tg_home)
    assert result.code == 0, result.err
    assert [m.get("text") or m.get("caption") for m in tg.messages] == [
        "Lajm i shkurtër", "Me foto"]
    assert sorted(i["url"] for i in items(tg_home)) == [
        "https://t.me/embassy_news/1", "https://t.me/embassy_news/2"]


def test_telegram_retry_after_and_no_token_in_any_output(tg_home: Path, tg: FakeTelegram) -> None:
    write_post(tg_home, "busy", ["tg"], {"sq": "Shumë"})
    schedule(tg_home, "busy")
    tg.fail_next(f"POST /bot{tg.token}/sendMessage", Scripted(429, {
        "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7}}))
    result = cli(tg_home, "-v", "flush", "--now", NOW, "--json")
    assert result.code == 3
    assert tg.token not in result.out + result.err
    (item,) = items(tg_home)
    assert item["next_attempt"].startswith("2026-12-01T08:00:17")


def test_telegram_bot_not_in_channel_holds_the_account(tg_home: Path, tg: FakeTelegram) -> None:
    tg.channel = "@another_channel"
    write_post(tg_home, "p", ["tg"], {"sq": "Lajm"})
    (item_id,) = schedule(tg_home, "p")
    result = flush(tg_home)
    assert result.code == 4
    assert "chat not found" in result.err and "administrator" in result.err
    assert tg.token not in result.err
    assert states(tg_home) == {item_id: "held"}


def test_telegram_wrong_token_is_redacted(tg_home: Path, tg: FakeTelegram) -> None:
    set_secret("tg", "999:WRONG-token-value")
    write_post(tg_home, "p", ["tg"], {"sq": "Lajm"})
    schedule(tg_home, "p")
    result = flush(tg_home)
    assert result.code == 4 and "Unauthorized" in result.err
    assert "WRONG-token-value" not in result.err + result.out


def test_schedule_refuses_what_the_platform_would_refuse(bsky_home: Path) -> None:
    write_post(bsky_home, "no-alt", ["bsky"], {"sq": "Foto", "sr": "Фото"}, alt={})
    result = cli(bsky_home, "schedule", "no-alt", "--at", "2026-12-01T09:00:00+01:00",
                 "--now", "2026-12-01T08:00:00+01:00")
    assert result.code == 2 and "needs alt text" in result.err
    assert items(bsky_home) == []


def test_accounts_check_says_who_can_post(tg_home: Path, tg: FakeTelegram) -> None:
    result = cli(tg_home, "accounts", "check", "tg")
    assert result.code == 0 and "@embassy_bot" in result.out and "Embassy news" in result.out
    set_secret("tg", "1:bad")
    failed = cli(tg_home, "accounts", "check", "tg")
    assert failed.code == 4 and "cannot post" in failed.err and "1:bad" not in failed.err


def test_new_bluesky_app_password_drops_the_old_session(bsky_home: Path,
                                                        bsky: FakeBluesky) -> None:
    assert cli(bsky_home, "accounts", "check", "bsky").code == 0
    assert get_secret("bsky", "session")
    store_secret(bsky_home, "bsky", bsky.password)
    assert get_secret("bsky", "session") is None
