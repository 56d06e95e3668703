"""Instagram through `publisher flush` against a loopback server that speaks the
content publishing API, with the workspace's media/ served by a local web server
for the fake to fetch (as Meta fetches the embassy's website)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from fakes.base import Scripted
from fakes.instagram import FakeInstagram
from fakes.meta import MediaServer, graph_error, jpeg_bytes
from queue_helpers import add_account, cli, items, schedule

from publisher.commands import command
from publisher.domain.accounts import make_account
from publisher.domain.remedies import remedy_of
from publisher.platforms.base import (
    NOT_FOUND,
    AuthFailed,
    MediaFile,
    MemoryCheckpoints,
    Post,
    Published,
    RateLimited,
    Rejected,
    Transient,
)
from publisher.platforms.common.token_records import read_token_meta, write_token_meta
from publisher.platforms.meta.graph import ContainerGone, graph_error_of_body
from publisher.platforms.meta.instagram import count_mentions
from publisher.platforms.registry import Adapters
from publisher.services.secrets import KeyringSecrets, get_secret, set_secret
from publisher.storage.workspace import Workspace

NOW = "2026-12-01T09:00:10+01:00"
NOW_UTC = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)
TOKEN = "ig-token"
PNG = ROOT / "drafts" / "media" / "kosovo-flag.png"


def write_draft(home: Path, draft_id: str, accounts: list[str], text: str,
                images: dict[str, str] | None = None) -> None:
    """An approved Albanian draft; ``images`` maps media/ file names to alt texts."""
    lines = [f'title = "{draft_id}"', 'source = "sq"',
             "accounts = [" + ", ".join(f'"{a}"' for a in accounts) + "]", "approved = true",
             f'\n[variants.sq]\ntext = """{text}"""']
    for name, alt in (images or {}).items():
        lines.append(f'\n[[media]]\nfile = "media/{name}"\nalt.sq = "{alt}"')
    (home / "drafts" / f"{draft_id}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def put_jpeg(home: Path, name: str = "flag.jpg", **size: int) -> Path:
    path = home / "media" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(jpeg_bytes(**size))
    return path


def flush(home: Path, now: str = NOW):
    return cli(home, "flush", "--now", now)


@pytest.fixture
def ig():
    with FakeInstagram(token=TOKEN) as server:
        yield server


@pytest.fixture
def site(home: Path):
    with MediaServer(home / "media") as server:
        yield server


@pytest.fixture
def ws(home: Path, ig: FakeInstagram, site: MediaServer) -> Path:
    add_account(home, "ig", "--platform", "instagram", "--api-base", ig.url,
                "--handle", ig.user_id, "--media-url", site.url + "/", "--locales", "sq")
    result = run_cli("--home", str(home), "accounts", "set-secret", "ig", stdin=TOKEN + "\n")
    assert result.code == 0, result.err
    # What a login leaves beside the token: its expiry (50 days ahead, no renewal due).
    write_token_meta(KeyringSecrets(), "ig", {"expires_at": "2027-01-20T00:00:00+00:00"})
    return home


def item_key(home: Path) -> str:
    with sqlite3.connect(home / "queue.sqlite3") as db:
        return db.execute("SELECT idempotency_key FROM items").fetchone()[0]


def checkpoint(home: Path, key: str) -> str | None:
    with sqlite3.connect(home / "queue.sqlite3") as db:
        row = db.execute("SELECT value FROM checkpoints WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def test_a_post_goes_out_as_container_then_publish_with_alt_text(
    ws: Path, ig: FakeInstagram, site: MediaServer
) -> None:
    put_jpeg(ws)
    write_draft(ws, "flag", ["ig"], "Gëzuar Ditën e Flamurit! #DigitalKosovo",
                {"flag.jpg": "Flamuri i Kosovës"})
    schedule(ws, "flag")
    result = flush(ws)
    assert result.code == 0, result.err
    assert result.out == ""
    (created,) = ig.container_requests()
    assert created == {"image_url": f"{site.url}/flag.jpg",
                       "caption": "Gëzuar Ditën e Flamurit! #DigitalKosovo",
                       "alt_text": "Flamuri i Kosovës"}
    assert ig.fetched == [f"{site.url}/flag.jpg"]
    (container_id,) = ig.containers
    assert ig.publish_requests() == [{"creation_id": container_id}]
    (post,) = ig.posts
    (item,) = items(ws)
    assert item["state"] == "sent"
    assert item["url"] == f"https://www.instagram.com/p/{post['id']}/"
    # The quota was read before the container was made, the container noted before publishing.
    routes = [f"{r.method} {r.path}" for r in ig.requests]
    base = f"/v23.0/{ig.user_id}"
    assert routes.index(f"GET {base}/content_publishing_limit") < \
        routes.index(f"POST {base}/media") < routes.index(f"POST {base}/media_publish")
    assert checkpoint(ws, item_key(ws)) == container_id
    # The token went in a header, never in a URL.
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in ig.requests)
    assert not any("access_token" in r.query for r in ig.requests)


def test_several_images_make_one_carousel(ws: Path, ig: FakeInstagram, site: MediaServer) -> None:
    put_jpeg(ws, "one.jpg")
    put_jpeg(ws, "two.jpg", width=1080, height=1350)
    write_draft(ws, "two", ["ig"], "Dy pamje nga Prizreni",
                {"one.jpg": "Ura e Gurit", "two.jpg": "Kalaja"})
    schedule(ws, "two")
    assert flush(ws).code == 0
    first, second, parent = ig.container_requests()
    assert first == {"image_url": f"{site.url}/one.jpg", "is_carousel_item": "true",
                     "alt_text": "Ura e Gurit"}
    assert second["alt_text"] == "Kalaja"
    children = [cid for cid, c in ig.containers.items() if c["fields"].get("is_carousel_item")]
    assert parent == {"media_type": "CAROUSEL", "children": ",".join(children),
                      "caption": "Dy pamje nga Prizreni"}
    assert len(ig.posts) == 1 and ig.posts[0]["container"] not in children


# Validation (at schedule time)


def test_text_only_post_is_refused_when_scheduled(ws: Path) -> None:
    write_draft(ws, "words", ["ig"], "Vetëm fjalë")
    result = cli(ws, "schedule", "words", "--at", "2026-12-01T09:00:00+01:00",
                 "--now", "2026-12-01T08:00:00+01:00")
    assert result.code == 2
    assert "Instagram needs an image" in result.err
    assert items(ws) == []


def test_a_missing_media_url_names_the_setting_that_fixes_it(
    ws: Path, ig: FakeInstagram, site: MediaServer
) -> None:
    """The problem is the account's, not the draft's: the fix is ``accounts set``, said
    at scheduling, in the flush's output and beside the failed item's error."""
    put_jpeg(ws)
    write_draft(ws, "flag", ["ig"], "Flamuri", {"flag.jpg": "Flamuri"})
    fix = "publisher accounts set ig --media-url URL"
    assert cli(ws, "accounts", "set", "ig", "--media-url", "none").code == 0
    refused = cli(ws, "schedule", "flag", "--at", "2026-12-01T09:00:00+01:00",
                  "--now", "2026-12-01T08:00:00+01:00")
    assert refused.code == 2
    assert f"(set it with '{fix}')" in refused.err and "fix the draft" not in refused.err
    # Queued while it had one; the address is gone by the time it is due.
    assert cli(ws, "accounts", "set", "ig", "--media-url", site.url).code == 0
    schedule(ws, "flag")
    assert cli(ws, "accounts", "set", "ig", "--media-url", "none").code == 0
    result = flush(ws)
    assert result.code == 4
    assert f"set it with '{fix}'" in result.err
    (item,) = items(ws)
    assert item["state"] == "failed" and "has no media URL" in item["error"]
    assert "publisher" not in item["error"] and item["fix"] == fix
    assert ig.posts == []


def test_an_image_missing_from_the_website_is_refused(ws: Path, site: MediaServer) -> None:
    put_jpeg(ws)
    write_draft(ws, "flag", ["ig"], "Flamuri", {"flag.jpg": "Flamuri"})
    (ws / "media" / "flag.jpg").rename(ws / "flag.jpg")  # on disk, but not served
    (ws / "drafts" / "flag.toml").write_text(
        (ws / "drafts" / "flag.toml").read_text().replace("media/flag.jpg", "flag.jpg"))
    result = cli(ws, "schedule", "flag", "--at", "2026-12-01T09:00:00+01:00",
                 "--now", "2026-12-01T08:00:00+01:00")
    assert result.code == 2
    assert "not in the workspace's media/ folder" in result.err


def adapter(home: Path, ig: FakeInstagram, *, media_url: str | None, handle: str | None = None,
            api_base: str | None = None, sleep=lambda seconds: None):
    workspace = Workspace(home)
    made = make_account("ig", "instagram", locales=["sq"], handle=handle or ig.user_id,
                        api_base=api_base or ig.url, media_url=media_url)
    adapters = Adapters(outbox_dir=workspace.outbox_dir, secrets=KeyringSecrets(),
                        clock=lambda: NOW_UTC, media_dir=home / "media")
    adapters.sleep = sleep
    return adapters.for_account(made), made


def post_of(account, text: str, *paths: Path, alt: str = "alt") -> Post:
    return Post(account, text, ("sq",), tuple(MediaFile(p, alt) for p in paths), "d")


@pytest.mark.parametrize("case, expected", [
    ("png", "image/png: Instagram takes JPEG only"),
    ("wide", "Instagram takes aspect ratios from 1:1.25 to 1.91:1"),
    ("eleven", "11 images: Instagram takes at most 10"),
    ("hashtags", "31 hashtags: Instagram allows at most 30"),
    ("mentions", "21 @ tags: Instagram allows at most 20"),
    ("long", "2201/2200 characters"),
    ("alt", "alt text of flag.jpg is over 1000 characters"),
    ("not served", "(HTTP 404); copy media/ to the media URL"),
    ("stale copy", "differs from media/flag.jpg"),
    ("no media url", "ig has no media URL, and Instagram takes images only from a public "
                     "address"),
    ("no handle", "the handle must be the Instagram account's numeric id"),
])
def test_validation_names_what_stops_the_post(
    ws: Path, ig: FakeInstagram, site: MediaServer, case: str, expected: str
) -> None:
    flag = put_jpeg(ws)
    text, images, alt = "Flamuri", [flag], "Flamuri"
    media_url: str | None = site.url
    handle, api_base = None, None
    if case == "png":
        images = [ws / "media" / "flag.png"]
        images[0].write_bytes(PNG.read_bytes())
    elif case == "wide":
        images = [put_jpeg(ws, "wide.jpg", width=2000, height=1000)]
    elif case == "eleven":
        images = [put_jpeg(ws, f"p{n}.jpg") for n in range(11)]
    elif case == "hashtags":
        text = " ".join(f"#tag{n}" for n in range(31))
    elif case == "mentions":
        text = " ".join(f"@friend_{n}" for n in range(21))
    elif case == "long":
        text = "a" * 2201
    elif case == "alt":
        alt = "a" * 1001
    elif case == "not served":
        media_url = site.url + "/missing"
    elif case == "stale copy":
        site_copy = ws / "site"
        site_copy.mkdir()
        (site_copy / "flag.jpg").write_bytes(jpeg_bytes(padding=10))
        with MediaServer(site_copy) as other:
            made, account = adapter(ws, ig, media_url=other.url)
            problems = made.validate(post_of(account, text, *images, alt=alt))
        assert any(expected in p for p in problems), problems
        return
    elif case == "no media url":
        media_url = None
    elif case == "no handle":
        handle, api_base = "@kosovoembassy", ig.url.replace("http://127.0.0.1",
                                                              "https://graph.facebook.com")
    made, account = adapter(ws, ig, media_url=media_url, handle=handle, api_base=api_base)
    if case == "no handle":
        problems = made.extra_problems(post_of(account, text, *images, alt=alt))
    else:
        problems = made.validate(post_of(account, text, *images, alt=alt))
    assert any(expected in p for p in problems), problems
    # A problem of the account's settings carries what fixes it (the CLI's command).
    fixes = {"no media url": "publisher accounts set ig --media-url URL",
             "no handle": "publisher accounts set ig --handle ID"}
    if case in fixes:
        (problem,) = (p for p in problems if expected in p)
        assert command(remedy_of(problem)) == fixes[case]


def test_twenty_at_tags_are_allowed_and_addresses_tag_nobody(ws: Path, ig: FakeInstagram) -> None:
    made, account = adapter(ws, ig, media_url="https://example.org/media")
    text = (" ".join(f"@friend_{n}" for n in range(20)) + " @friend_0 @Friend_1"
            " press@embassy.example https://medium.com/@someone")
    assert count_mentions(text) == 20
    assert made.extra_problems(post_of(account, text)) == []
    assert made.extra_problems(post_of(account, text + " @one.more")) == [
        "21 @ tags: Instagram allows at most 20"]


def test_a_good_post_has_no_problems_and_one_head_per_image(
    ws: Path, ig: FakeInstagram, site: MediaServer
) -> None:
    made, account = adapter(ws, ig, media_url=site.url)
    post = post_of(account, "Flamuri #DigitalKosovo", put_jpeg(ws))
    assert made.validate(post) == []
    assert made.validate(post) == []  # the answer is kept for the run
    assert ig.requests == []  # no call to Instagram itself


# Quota and rate limits


def test_a_used_up_quota_holds_the_account_without_making_a_container(
    ws: Path, ig: FakeInstagram
) -> None:
    ig.other_usage = 50
    put_jpeg(ws)
    write_draft(ws, "flag", ["ig"], "Flamuri", {"flag.jpg": "Flamuri"})
    schedule(ws, "flag")
    result = flush(ws)
    assert result.code == 3, result.err
    (item,) = items(ws)
    assert item["state"] == "retry"
    assert "publishing limit is used up (50 of 50 posts in 24 hours)" in item["error"]
    assert ig.container_requests() == [] and ig.posts == []
    ig.other_usage = 0
    assert flush(ws, "2026-12-01T10:01:00+01:00").code == 0
    assert len(ig.posts) == 1


def test_a_quota_answer_without_its_config_counts_against_the_guides_100(
    ws: Path, ig: FakeInstagram
) -> None:
    ig.send_config = False
    ig.quota_total = 100
    ig.other_usage = 99
    put_jpeg(ws)
    write_draft(ws, "flag", ["ig"], "Flamuri", {"flag.jpg": "Flamuri"})
    schedule(ws, "flag")
    assert flush(ws).code == 0  # 99 of 100: one more may go out
    assert len(ig.posts) == 1
    write_draft(ws, "flag2", ["ig"], "Flamuri 2", {"flag.jpg": "Flamuri"})
    schedule(ws, "flag2")
    assert flush(ws, "2026-12-01T09:30:00+01:00").code == 3
    (held,) = [item for item in items(ws) if item["state"] == "retry"]
    assert "(100 of 100 posts in 24 hours)" in held["error"]
    assert len(ig.container_requests()) == 1


def test_the_publishing_limit_error_is_a_rate_limit(ws: Path, ig: FakeInstagram) -> None:
    put_jpeg(ws)
    write_draft(ws, "flag", ["ig"], "Flamuri", {"flag.jpg": "Flamuri"})
    schedule(ws, "flag")
    ig.fail_next(f"POST /v23.0/{ig.user_id}/media_publish",
                 Scripted(400, ig.quota_exceeded()[1]))
    assert flush(ws).code == 3
    (item,) = items(ws)
    assert item["state"] == "retry" and "2207042" in item["error"]
    # The next flush publishes the same container, not a second one.
    assert flush(ws, "2026-12-01T10:01:00+01:00").code == 0
    assert len(ig.container_requests()) == 1 and len(ig.posts) == 1


def test_a_spam_restriction_waits_an_hour_not_the_usual_minutes() -> None:
    # Error codes reference: 4/2207051 "We restrict certain activity to protect
    # our community" -- code 4 alone is the app's rate limit (no time given).
    spam = graph_error_of_body(400, graph_error(4, "spam", 2207051), "Instagram",
                               now=NOW_UTC, secrets=())
    assert isinstance(spam, RateLimited)
    assert spam.retry_after == NOW_UTC + timedelta(hours=1)
    plain = graph_error_of_body(400, graph_error(4, "Application request limit reached"),
                                "Instagram", now=NOW_UTC, secrets=())
    assert isinstance(plain, RateLimited) and plain.retry_after is None


@pytest.mark.parametrize("body, kind", [
    (graph_error(190, "Error validating access token"), AuthFailed),
    (graph_error(4, "Application request limit reached"), RateLimited),
    (graph_error(32, "Page request limit reached"), RateLimited),
    (graph_error(613, "Calls to this api have exceeded the rate limit."), RateLimited),
    (graph_error(9, "limit", 2207042), RateLimited),
    (graph_error(9004, "Only photo or video can be accepted as media type.", 2207052),
     Transient),
    (graph_error(9007, "Media ID is not available", 2207027), Transient),
    (graph_error(-2, "expired", 2207020), ContainerGone),
    (graph_error(25, "inactive", 2207050), AuthFailed),
    (graph_error(36001, "The image format is not supported.", 2207005), Rejected),
    (graph_error(4, "spam", 2207051), RateLimited),
    (graph_error(100, "Invalid parameter"), Rejected),
    (graph_error(2, "Service temporarily unavailable", is_transient=True), Transient),
])
def test_graph_errors_map_to_the_four_kinds(body: dict, kind: type) -> None:
    error = graph_error_of_body(400, body, "Instagram", now=NOW_UTC, secrets=("sekret",))
    assert type(error) is kind
    assert str(body["error"]["code"]) in error.message


# Tokens


def test_an_instagram_login_token_is_renewed_ahead_and_kept_in_the_keyring(
    ws: Path, ig: FakeInstagram
) -> None:
    write_token_meta(KeyringSecrets(), "ig", {"expires_at": "2026-12-05T00:00:00+00:00"})
    put_jpeg(ws)
    write_draft(ws, "flag", ["ig"], "Flamuri", {"flag.jpg": "Flamuri"})
    schedule(ws, "flag")
    assert flush(ws).code == 0
    (refresh,) = ig.requests_to("GET", "/refresh_access_token")
    assert refresh.query["grant_type"] == ["ig_refresh_token"]
    new_token = ig.refreshed[0]
    assert get_secret("ig") == new_token
    meta = read_token_meta(KeyringSecrets(), "ig")
    assert meta["expires_at"].startswith("2027-01-30")  # 60 days after the flush's clock
    assert ig.requests[-1].headers["authorization"] == f"Bearer {new_token}"
    status = cli(ws, "accounts", "list", "--json")
    assert status.code == 0
    assert TOKEN not in status.out and new_token not in status.out


def test_a_token_far_from_expiry_is_not_renewed(ws: Path, ig: FakeInstagram) -> None:
    put_jpeg(ws)
    write_draft(ws, "flag", ["ig"], "Flamuri", {"flag.jpg": "Flamuri"})
    schedule(ws, "flag")
    assert flush(ws).code == 0
    assert ig.requests_to("GET", "/refresh_access_token") == []


def test_an_expired_token_holds_the_account_and_fails_no_post(ws: Path, ig: FakeInstagram) -> None:
    write_token_meta(KeyringSecrets(), "ig", {"expires_at": "2026-11-30T00:00:00+00:00"})
    put_jpeg(ws)
    write_draft(ws, "flag", ["ig"], "Flamuri", {"flag.jpg": "Flamuri"})
    schedule(ws, "flag")
    result = flush(ws)
    assert result.code == 4
    (item,) = items(ws)
    assert item["state"] == "held"
    assert "expired on 2026-11-30" in item["error"]
    assert ig.requests == []


def test_a_record_of_an_earlier_token_is_not_believed(ws: Path, ig: FakeInstagram) -> None:
    from publisher.platforms.meta.tokens import fingerprint as token_fingerprint

    write_token_meta(KeyringSecrets(), "ig", {"expires_at": "2026-11-30T00:00:00+00:00",
                                              "token_sha256": token_fingerprint("old")})
    made, _account = adapter(ws, ig, media_url="http://127.0.0.1:9")
    assert made.token_status().expires_at is None
    set_secret("ig", "old")
    assert made.token_status().expires_at == datetime(2026, 11, 30, tzinfo=UTC)


def test_a_token_of_unknown_expiry_is_renewed_once_to_learn_it(
    ws: Path, ig: FakeInstagram
) -> None:
    KeyringSecrets().set("ig", "{}", "oauth")
    made, _account = adapter(ws, ig, media_url="http://127.0.0.1:9")
    assert made.token_status().expires_at is None
    made.check()
    assert get_secret("ig") == ig.refreshed[0]
    assert made.token_status().expires_at == NOW_UTC + timedelta(days=60)
    # Refused (Meta renews only tokens a day old): noted, tried again a day later, never fatal.
    set_secret("ig", TOKEN)
    ig.tokens.add(TOKEN)
    ig.fail_next("GET /refresh_access_token", Scripted(400, graph_error(
        10, "Application does not have permission for this action")))
    for _run in range(2):
        again, _account = adapter(ws, ig, media_url="http://127.0.0.1:9")
        assert again.check().name == "@kosovoembassy"
    assert len(ig.requests_to("GET", "/refresh_access_token")) == 2
    assert get_secret("ig") == TOKEN
    assert again.token_status() == again.token_status().__class__(None, refreshable=False)


def test_a_facebook_login_token_is_never_refreshed(ws: Path, ig: FakeInstagram) -> None:
    write_token_meta(KeyringSecrets(), "ig", {"expires_at": "2026-12-05T00:00:00+00:00",
                                              "login": "facebook"})
    made, _account = adapter(ws, ig, media_url="http://127.0.0.1:9")
    assert made.token_status().refreshable is False
    assert made.check().name == "@kosovoembassy"
    assert ig.requests_to("GET", "/refresh_access_token") == []


# Crash recovery (the checkpoint state a killed flush leaves, then a real flush)


def crashed_after_container(home: Path, ig: FakeInstagram, state: str) -> str:
    """Make the container, note it and leave the item in `sending`, as a killed flush does."""
    put_jpeg(home)
    write_draft(home, "flag", ["ig"], "Flamuri valon", {"flag.jpg": "Flamuri"})
    schedule(home, "flag")
    ig.hold_path = f"POST /v23.0/{ig.user_id}/media_publish"
    import subprocess
    import sys

    ig.received.clear()
    process = subprocess.Popen([sys.executable, "-m", "publisher", "--home", str(home), "flush",
                                "--now", NOW], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert ig.received.wait(timeout=30), "the flush never reached media_publish"
    finally:
        process.kill()
        process.wait()
    ig.hold_path = None
    ig.release.set()
    (container_id,) = ig.containers
    assert checkpoint(home, item_key(home)) == container_id
    (item,) = items(home)
    assert item["state"] == "sending"
    if state != "PUBLISHED":  # the publish never reached Instagram after all
        ig.posts.clear()
        ig.containers[container_id]["state"] = "FINISHED" if state == "FINISHED" else state
    if state == "EXPIRED":
        ig.containers[container_id]["state"] = "FINISHED"
        ig.advance(timedelta(hours=25))
    return container_id


def test_killed_after_publish_went_through_is_marked_sent_without_a_second_post(
    ws: Path, ig: FakeInstagram
) -> None:
    container_id = crashed_after_container(ws, ig, "PUBLISHED")
    result = flush(ws, "2026-12-01T09:05:00+01:00")
    assert result.code == 0, result.err
    (post,) = ig.posts
    assert post["container"] == container_id
    (item,) = items(ws)
    assert item["state"] == "sent" and item["url"].endswith(f"/p/{post['id']}/")
    assert len(ig.publish_requests()) == 1 and len(ig.container_requests()) == 1


def test_killed_before_publish_publishes_that_container_once(ws: Path, ig: FakeInstagram) -> None:
    container_id = crashed_after_container(ws, ig, "FINISHED")
    assert flush(ws, "2026-12-01T09:05:00+01:00").code == 0
    (post,) = ig.posts
    assert post["container"] == container_id
    assert len(ig.container_requests()) == 1  # no second container
    assert items(ws)[0]["state"] == "sent"


@pytest.mark.parametrize("state", ["ERROR", "EXPIRED"])
def test_a_broken_or_expired_container_is_replaced(
    ws: Path, ig: FakeInstagram, state: str
) -> None:
    old = crashed_after_container(ws, ig, state)
    assert flush(ws, "2026-12-01T09:05:00+01:00").code == 0
    (post,) = ig.posts
    assert post["container"] != old
    assert len(ig.container_requests()) == 2
    assert checkpoint(ws, item_key(ws)) == post["container"]


def test_find_without_a_container_says_nothing_went_out(ws: Path, ig: FakeInstagram) -> None:
    made, account = adapter(ws, ig, media_url="http://127.0.0.1:9")
    assert made.find("key-1", post_of(account, "x", put_jpeg(ws))) is NOT_FOUND
    assert made.resend_is_safe(NOW_UTC, NOW_UTC) is True


def test_a_container_still_in_progress_is_picked_up_by_the_next_attempt(
    ws: Path, ig: FakeInstagram, site: MediaServer
) -> None:
    ig.finish_after_polls = 100
    made, account = adapter(ws, ig, media_url=site.url)
    made.checkpoints = MemoryCheckpoints()
    post = post_of(account, "Flamuri", put_jpeg(ws))
    with pytest.raises(Transient) as error:
        made.publish(post, "key-1")
    assert error.value.maybe_sent is False
    assert made.find("key-1", post) is NOT_FOUND
    ig.finish_after_polls = 0
    published = made.publish(post, "key-1")
    assert isinstance(published, Published)
    assert len(ig.container_requests()) == 1 and len(ig.posts) == 1
    assert made.find("key-1", post) == published


def test_a_refused_renewal_near_expiry_is_tried_again_an_hour_later_not_every_run(
    ws: Path, ig: FakeInstagram
) -> None:
    write_token_meta(KeyringSecrets(), "ig", {"expires_at": "2026-12-04T00:00:00+00:00"})
    ig.fail_next("GET /refresh_access_token",
                 Scripted(500, graph_error(2, "Service temporarily unavailable")))
    for _run in range(3):
        made, _account = adapter(ws, ig, media_url="http://127.0.0.1:9")
        made.check()
    assert len(ig.requests_to("GET", "/refresh_access_token")) == 1
    assert get_secret("ig") == TOKEN
    status = made.token_status()
    assert status.refreshable is False  # so the week-ahead warning shows
    assert status.expires_at == datetime(2026, 12, 4, tzinfo=UTC)


def test_the_login_noted_in_the_token_record_decides_host_and_renewal(home: Path) -> None:
    adapters = Adapters(outbox_dir=Workspace(home).outbox_dir, secrets=KeyringSecrets(),
                        clock=lambda: NOW_UTC)
    write_token_meta(KeyringSecrets(), "ig", {"login": "instagram"})
    made = adapters.for_account(make_account("ig", "instagram", locales=["sq"], handle="1"))
    assert made.base_url == "https://graph.instagram.com" and made.can_refresh()
    write_token_meta(KeyringSecrets(), "ig2", {"login": "facebook"})
    other = adapters.for_account(make_account("ig2", "instagram", locales=["sq"], handle="1"))
    assert other.base_url == "https://graph.facebook.com" and not other.can_refresh()
    plain = adapters.for_account(make_account("ig3", "instagram", locales=["sq"], handle="1"))
    assert plain.base_url == "https://graph.facebook.com" and not plain.can_refresh()


def test_a_renewal_keeps_what_the_login_noted(ws: Path, ig: FakeInstagram) -> None:
    # An Instagram Login account without its own --api-base finds graph.instagram.com
    # by the record's "login": a renewal that forgot it sent the next run to
    # graph.facebook.com, where the token is refused and the account is held.
    write_token_meta(KeyringSecrets(), "ig", {
        "expires_at": "2026-12-05T00:00:00+00:00", "login": "instagram", "client_id": "app-1",
        "user_id": ig.user_id})
    made, _account = adapter(ws, ig, media_url="http://127.0.0.1:9")
    made.check()
    assert get_secret("ig") == ig.refreshed[0]
    meta = read_token_meta(KeyringSecrets(), "ig")
    assert meta["expires_at"].startswith("2027-01-30")
    assert (meta["login"], meta["client_id"], meta["user_id"]) == (
        "instagram", "app-1", ig.user_id)
    adapters = Adapters(outbox_dir=Workspace(ws).outbox_dir, secrets=KeyringSecrets(),
                        clock=lambda: NOW_UTC)
    again = adapters.for_account(make_account("ig", "instagram", locales=["sq"], handle="1"))
    assert again.base_url == "https://graph.instagram.com" and again.can_refresh()


def test_a_website_down_at_send_time_retries_instead_of_failing_the_post(
    ws: Path, ig: FakeInstagram, site: MediaServer
) -> None:
    put_jpeg(ws)
    write_draft(ws, "flag", ["ig"], "Flamuri", {"flag.jpg": "Flamuri"})
    schedule(ws, "flag")  # checked against the website while it was up
    site.__exit__()  # the embassy's website goes down for a while
    result = flush(ws)
    (item,) = items(ws)
    assert item["state"] == "retry", result.err
    assert ig.posts == []
