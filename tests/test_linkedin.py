"""LinkedIn: little-text escaping, and the adapter end to end through schedule and
flush against a loopback server speaking LinkedIn's Posts, Images and OAuth APIs."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from fakes.base import Scripted
from fakes.linkedin import FakeLinkedIn, render_little
from queue_helpers import add_account, cli, items, schedule, states

from publisher.domain.accounts import make_account
from publisher.domain.little_text import RESERVED, escape, hashtag_spans, to_little, to_plain
from publisher.platforms.base import MediaFile, Post, Published
from publisher.platforms.common.http import make_session
from publisher.platforms.common.media import image_size
from publisher.platforms.linkedin.adapter import API_VERSION, LinkedInAdapter, permalink
from publisher.services.secrets import KeyringSecrets, get_secret, set_secret

NOW = "2026-12-01T09:00:10+01:00"
DUE = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
FLAG = ROOT / "drafts" / "media" / "kosovo-flag.png"
PRIZREN = ROOT / "drafts" / "media" / "prizren-old-town.png"
TOKEN = "li-access-token"
ORG = "urn:li:organization:2414183"

HARD = ("Gëzuar Ditën e Flamurit! 🇽🇰 Срећан Дан заставе (17. фебруар) — "
        "#DigitalKosovo #KosovoInUN #Косово [live] {today} a|b *not bold* _x_ ~y~ <3 "
        "C:\\dir\\ \\( \\# @embassy mail@mfa-ks.net C# #1 #snake_case "
        "https://mfa-ks.net/a_(b)~c?x=1#part")


# Escaping, as pure functions


@pytest.mark.parametrize("char", sorted(RESERVED))
def test_every_reserved_character_is_escaped(char: str) -> None:
    assert to_little(f"a{char}b") == f"a\\{char}b"
    assert escape(char) == "\\" + char
    assert render_little(to_little(f"a{char}b"))[0] == f"a{char}b"


def test_unescaped_text_is_what_linkedin_would_cut_short() -> None:
    # The failure the escaping prevents: LinkedIn stops at the first bare '('.
    assert render_little("Visa-free travel (since 2024) for all")[0] == "Visa-free travel "
    assert render_little(to_little("Visa-free travel (since 2024) for all"))[0] == (
        "Visa-free travel (since 2024) for all")


def test_backslashes_and_text_that_already_looks_escaped() -> None:
    assert to_little("C:\\path\\") == "C:\\\\path\\\\"
    assert to_little("\\(already\\)") == "\\\\\\(already\\\\\\)"
    assert to_little("{hashtag|\\#|x}") == "\\{hashtag\\|\\\\\\#\\|x\\}"
    assert to_little("@[Acme](urn:li:organization:1)") == (
        "\\@\\[Acme\\]\\(urn:li:organization:1\\)")
    for text in ("\\(already\\)", "{hashtag|\\#|x}", "@[Acme](urn:li:organization:1)", "\\"):
        shown, tags, mentions = render_little(to_little(text))
        assert (shown, tags, mentions) == (text, [], [])


def test_links_keep_their_reserved_characters_escaped_and_no_hashtag_inside() -> None:
    url = "https://mfa-ks.net/visa_(2024)~info?lang=sq#apply"
    assert to_little(f"See {url}") == (
        "See https://mfa-ks.net/visa\\_\\(2024\\)\\~info?lang=sq\\#apply")
    shown, tags, _ = render_little(to_little(f"See {url} #DigitalKosovo"))
    assert shown == f"See {url} #DigitalKosovo" and tags == ["DigitalKosovo"]


def test_hashtags_become_templates_in_any_script_others_stay_text() -> None:
    text = "#DigitalKosovo #Косово #Kosova2026 ＃KosovoInUN C# #1 #snake_case a#b"
    assert to_little(text) == (
        "{hashtag|\\#|DigitalKosovo} {hashtag|\\#|Косово} {hashtag|\\#|Kosova2026} "
        "{hashtag|＃|KosovoInUN} C\\# \\#1 \\#snake\\_case a\\#b")
    shown, tags, _ = render_little(to_little(text))
    assert shown == text
    assert tags == ["DigitalKosovo", "Косово", "Kosova2026", "KosovoInUN"]
    assert [text[a:b] for a, b in hashtag_spans(text)][:2] == ["#DigitalKosovo", "#Косово"]


def test_mentions_emoji_and_cyrillic_are_plain_text() -> None:
    text = "Faleminderit @KosovoMFA! 🇽🇰👏🏽 Хвала! Gëzuar Ditën e Pavarësisë"
    little = to_little(text)
    assert little == "Faleminderit \\@KosovoMFA! 🇽🇰👏🏽 Хвала! Gëzuar Ditën e Pavarësisë"
    assert render_little(little) == (text, [], [])


def test_any_text_survives_linkedins_parser_and_reads_back() -> None:
    pieces = [*RESERVED, "a", " ", "\n", "ë", "Ж", "🇽🇰", "#tag", "#Косово", "＃x",
              "https://x.org/a_(b)~c", "@[A](urn:li:person:1)", "{hashtag|#|x}", "\\#",
              "1", "_"]
    rng = random.Random(20261201)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        little = to_little(text)
        assert render_little(little)[0] == text, (text, little)
        assert to_plain(little) == text
    assert to_plain(to_little(HARD)) == HARD


def test_to_plain_reads_what_linkedin_returns() -> None:
    assert to_plain("Hi {hashtag|\\#|DigitalKosovo} @[Acme](urn:li:organization:1) \\(x\\)") \
        == "Hi #DigitalKosovo Acme (x)"


# The adapter end to end


@pytest.fixture
def li():
    with FakeLinkedIn(token=TOKEN, organization=ORG) as server:
        yield server


def write_post(home: Path, draft_id: str, text: str, images: list[tuple[Path, str]] = (),
               account: str = "li") -> None:
    lines = [f'title = "{draft_id}"', 'source = "en"', f'accounts = ["{account}"]',
             "approved = true", "", f"[variants.en]\ntext = {json.dumps(text, ensure_ascii=False)}"]
    (home / "media").mkdir(exist_ok=True)
    for source, alt in images:
        shutil.copy(source, home / "media" / source.name)
        alt_toml = json.dumps(alt, ensure_ascii=False)
        lines.append(f'\n[[media]]\nfile = "media/{source.name}"\nalt.en = {alt_toml}')
    (home / "drafts" / f"{draft_id}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def add_linkedin(home: Path, server: FakeLinkedIn, account: str = "li",
                 handle: str = ORG) -> None:
    add_account(home, account, "--platform", "linkedin", "--api-base", server.url,
                "--handle", handle, "--locales", "en")
    result = run_cli("--home", str(home), "accounts", "set-secret", account, stdin=TOKEN + "\n")
    assert result.code == 0, result.err


@pytest.fixture
def li_home(home: Path, li: FakeLinkedIn) -> Path:
    add_linkedin(home, li)
    return home


def flush(home: Path, now: str = NOW):
    return cli(home, "flush", "--now", now)


def test_posts_escaped_commentary_with_restli_headers(li_home: Path, li: FakeLinkedIn) -> None:
    write_post(li_home, "hard", HARD)
    schedule(li_home, "hard")
    result = flush(li_home)
    assert result.code == 0, result.err
    (request,) = li.requests_to("POST", "/rest/posts")
    assert request.headers["linkedin-version"] == API_VERSION
    assert request.headers["x-restli-protocol-version"] == "2.0.0"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    body = request.json()
    assert body["author"] == ORG and body["visibility"] == "PUBLIC"
    assert body["distribution"]["feedDistribution"] == "MAIN_FEED"
    assert body["lifecycleState"] == "PUBLISHED" and body["isReshareDisabledByAuthor"] is False
    assert "content" not in body
    (post,) = li.posts
    assert post["text"] == HARD  # nothing cut short, nothing added
    assert post["hashtags"] == ["DigitalKosovo", "KosovoInUN", "Косово"]
    (item,) = items(li_home)
    assert item["state"] == "sent"
    assert item["url"] == f"https://www.linkedin.com/feed/update/{post['id']}/"


def test_one_image_goes_up_with_its_alt_text(li_home: Path, li: FakeLinkedIn) -> None:
    write_post(li_home, "flag", "The flag of Kosovo", [(FLAG, "Blue flag, gold map (six stars)")])
    schedule(li_home, "flag")
    assert flush(li_home).code == 0
    (init,) = li.requests_to("POST", "/rest/images")
    assert init.query["action"] == ["initializeUpload"]
    assert init.json() == {"initializeUploadRequest": {"owner": ORG}}
    assert init.headers["linkedin-version"] == API_VERSION
    (put,) = [r for r in li.requests if r.method == "PUT"]
    assert put.body == FLAG.read_bytes() and put.headers["content-type"] == "image/png"
    (post,) = li.posts
    (image,) = post["images"]
    assert post["content"] == {"media": {"id": image["id"],
                                         "altText": "Blue flag, gold map (six stars)"}}
    assert image["bytes"] == FLAG.read_bytes()


def test_two_images_go_as_multi_image(li_home: Path, li: FakeLinkedIn) -> None:
    write_post(li_home, "two", "Prizren and the flag",
               [(FLAG, "The flag"), (PRIZREN, "Prizren's old town")])
    schedule(li_home, "two")
    assert flush(li_home).code == 0, "flush failed"
    (post,) = li.posts
    images = post["content"]["multiImage"]["images"]
    assert [i["altText"] for i in images] == ["The flag", "Prizren's old town"]
    assert [i["bytes"] for i in post["images"]] == [FLAG.read_bytes(), PRIZREN.read_bytes()]


def adapter(li: FakeLinkedIn, handle: str = ORG, account_id: str = "li",
            now: datetime = DUE) -> LinkedInAdapter:
    return LinkedInAdapter(account_id, li.url, handle, KeyringSecrets(), make_session(),
                           lambda: now)


def post_of(text: str, media=(), handle: str = ORG) -> Post:
    account = make_account("li", "linkedin", locales=["en"], handle=handle)
    return Post(account, text, ("en",), tuple(media), due_at=DUE)


def test_validate_names_what_linkedin_would_refuse(li: FakeLinkedIn, tmp_path: Path) -> None:
    webp = tmp_path / "photo.webp"
    webp.write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    huge = tmp_path / "huge.png"
    huge.write_bytes(FLAG.read_bytes()[:16] + (8000).to_bytes(4, "big") * 2
                     + FLAG.read_bytes()[24:])
    problems = adapter(li, handle="urn:li:company:1").validate(post_of(
        "x" * 3001, [MediaFile(webp, "a"), MediaFile(huge, "b" * 4087)]))
    text = "\n".join(problems)
    assert "urn:li:organization:<id>" in text and "urn:li:company:1" in text
    assert "3001/3000" in text
    assert "photo.webp: LinkedIn takes JPG, PNG or GIF" in text
    assert "8000x8000 pixels" in text
    assert "alt text of huge.png is over 4086" in text
    # Counted as readers see it: 3000 reserved characters fit, although escaped they double.
    assert adapter(li).validate(post_of("(" * 3000)) == []
    assert adapter(li, handle="urn:li:person:8675309abc").validate(post_of("ok")) == []
    assert image_size(FLAG) is not None


def test_schedule_refuses_a_handle_that_is_no_author_urn(home: Path, li: FakeLinkedIn) -> None:
    add_linkedin(home, li, handle="embassy-of-kosovo")
    write_post(home, "p", "Hello")
    result = cli(home, "schedule", "p", "--at", "2026-12-01T09:00:00+01:00",
                 "--now", "2026-12-01T08:00:00+01:00")
    assert result.code == 2 and "urn:li:organization" in result.err
    assert items(home) == []


# Tokens


def token_record(**fields: object) -> None:
    set_secret("li", json.dumps(fields), "oauth")


def test_token_status_tells_the_expiry_and_lists_warn_a_week_ahead(
    li_home: Path, li: FakeLinkedIn
) -> None:
    soon = datetime.now(UTC) + timedelta(days=5)
    token_record(expires_at=soon.isoformat(), client_id="li-client")
    status = adapter(li).token_status()
    assert status.expires_at == soon and status.refreshable is False
    listed = cli(li_home, "accounts", "list")
    assert listed.code == 0 and "li: the token expires in 4 days" in listed.err
    assert "publisher accounts login li" in listed.err
    token_record(expires_at=(datetime.now(UTC) + timedelta(days=50)).isoformat())
    assert "li:" not in cli(li_home, "accounts", "list").err


def test_expired_token_holds_the_account_before_any_request(
    li_home: Path, li: FakeLinkedIn
) -> None:
    token_record(expires_at="2026-11-30T08:00:00+00:00", client_id="li-client")
    write_post(li_home, "p", "Sent only with a live token")
    (item_id,) = schedule(li_home, "p")
    result = flush(li_home)
    assert result.code == 4
    assert "expired" in result.err and "publisher accounts login li" in result.err
    assert states(li_home) == {item_id: "held"}
    assert li.requests == []


def test_refreshes_a_week_ahead_and_keeps_the_new_token(li_home: Path, li: FakeLinkedIn) -> None:
    token_record(expires_at="2026-12-04T00:00:00+00:00", refresh_token="li-refresh-1",
                 refresh_token_expires_at="2027-06-01T00:00:00+00:00",
                 client_id=li.client_id, client_secret=li.client_secret,
                 token_url=f"{li.url}/oauth/v2/accessToken")
    assert adapter(li).token_status().refreshable
    write_post(li_home, "p", "Fresh token")
    schedule(li_home, "p")
    result = cli(li_home, "-v", "flush", "--now", NOW)
    assert result.code == 0, result.err
    (refresh,) = li.requests_to("POST", "/oauth/v2/accessToken")
    assert "grant_type=refresh_token" in refresh.body.decode()
    assert get_secret("li") == "li-access-2"
    record = json.loads(get_secret("li", "oauth"))
    assert record["refresh_token"] == "li-refresh-1"
    assert record["expires_at"].startswith("2027-01-30")  # 60 days after the flush
    assert record["client_secret"] == li.client_secret
    (post,) = li.requests_to("POST", "/rest/posts")
    assert post.headers["authorization"] == "Bearer li-access-2"
    for secret in ("li-refresh-1", li.client_secret, "li-access-2", TOKEN):
        assert secret not in result.out + result.err


def test_a_record_without_token_url_refreshes_under_the_api_base(li_home: Path,
                                                                  li: FakeLinkedIn) -> None:
    # LinkedIn's token endpoint is www.linkedin.com/oauth/v2/accessToken; an account
    # pointed at another API base (a test server, a proxy) finds it under that base.
    token_record(expires_at="2026-12-04T00:00:00+00:00", refresh_token="li-refresh-1",
                 client_id=li.client_id, client_secret=li.client_secret)
    write_post(li_home, "p", "Fresh token, default endpoint")
    schedule(li_home, "p")
    result = flush(li_home)
    assert result.code == 0, result.err
    assert li.refreshes == 1 and get_secret("li") == "li-access-2"
    assert len(li.posts) == 1


def test_a_401_refreshes_once_then_a_refused_refresh_holds(li_home: Path,
                                                           li: FakeLinkedIn) -> None:
    token_record(expires_at="2027-01-20T00:00:00+00:00", refresh_token="li-refresh-1",
                 client_id=li.client_id, client_secret=li.client_secret,
                 token_url=f"{li.url}/oauth/v2/accessToken")
    li.tokens.clear()  # the member revoked the token
    write_post(li_home, "p", "After a revocation")
    schedule(li_home, "p")
    assert flush(li_home).code == 0
    assert li.refreshes == 1 and len(li.posts) == 1
    li.tokens.clear()
    li.refresh_tokens.clear()
    write_post(li_home, "q", "Refresh token gone too")
    (item_id,) = schedule(li_home, "q")
    result = flush(li_home, "2026-12-01T09:05:00+01:00")
    assert result.code == 4 and "refresh token" in result.err
    assert "publisher accounts login li" in result.err
    assert states(li_home)[item_id] == "held"


def test_401_without_refresh_holds_and_names_login(li_home: Path, li: FakeLinkedIn) -> None:
    set_secret("li", "stale-token-value")
    write_post(li_home, "p", "Nope")
    (item_id,) = schedule(li_home, "p")
    result = flush(li_home)
    assert result.code == 4
    assert "REVOKED_ACCESS_TOKEN" in result.err and "publisher accounts login li" in result.err
    assert "stale-token-value" not in result.err + result.out
    assert states(li_home) == {item_id: "held"}


# Errors


def test_403_missing_permission_holds_other_403_fails(li_home: Path, li: FakeLinkedIn) -> None:
    write_post(li_home, "p", "No permission")
    (first,) = schedule(li_home, "p")
    li.fail_next("POST /rest/posts", Scripted(403, {
        "status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED",
        "message": "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260901"}))
    result = flush(li_home)
    assert result.code == 4 and "w_organization_social" in result.err
    assert states(li_home) == {first: "held"}
    assert cli(li_home, "resume", "--account", "li").code == 0
    li.fail_next("POST /rest/posts", Scripted(403, {
        "status": 403, "serviceErrorCode": 65001, "code": "FORBIDDEN",
        "message": "Posting this content is blocked"}))
    result = flush(li_home, "2026-12-01T09:05:00+01:00")
    assert result.code == 4
    (item,) = items(li_home)
    assert item["state"] == "failed" and "Posting this content is blocked" in item["error"]


def test_429_waits_for_retry_after_or_the_next_utc_midnight(li_home: Path,
                                                            li: FakeLinkedIn) -> None:
    assert cli(li_home, "accounts", "set", "li", "--max-lateness", "1440").code == 0
    write_post(li_home, "p", "Busy day")
    schedule(li_home, "p")
    li.fail_next("POST /rest/posts", Scripted(429, {
        "status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
        "message": "Resource level throttle APPLICATION DAY limit for calls to this resource "
                   "is reached."}, {"Retry-After": "3600"}))
    assert flush(li_home).code == 3
    (item,) = items(li_home)
    assert item["state"] == "retry" and item["next_attempt"].startswith("2026-12-01T09:00:10")
    li.fail_next("POST /rest/posts", Scripted(429, {
        "status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
        "message": "Resource level throttle MEMBER DAY limit for calls to this resource is "
                   "reached."}))
    assert flush(li_home, "2026-12-01T10:00:20+01:00").code == 3
    (item,) = items(li_home)
    assert item["next_attempt"].startswith("2026-12-02T00:00:00")
    assert flush(li_home, "2026-12-02T01:00:30+01:00").code == 0
    assert len(li.posts) == 1


def test_422_duplicate_names_the_earlier_post_which_counts_as_sent(
    li_home: Path, li: FakeLinkedIn
) -> None:
    write_post(li_home, "dup", "Visa information (updated) #DigitalKosovo")
    schedule(li_home, "dup")
    earlier = li.add_post(ORG, to_little("Visa information (updated) #DigitalKosovo"))
    result = flush(li_home)
    assert result.code == 0, result.err
    (item,) = items(li_home)
    assert item["state"] == "sent" and item["url"] == permalink(earlier)
    assert len(li.posts) == 1


def test_duplicate_without_a_urn_is_looked_up(li: FakeLinkedIn) -> None:
    set_secret("li", TOKEN)
    earlier = li.add_post(ORG, to_little("Same words"))
    li.fail_next("POST /rest/posts", Scripted(422, {
        "status": 422, "code": "DUPLICATE_POST", "message": "Duplicate post is detected"}))
    published = adapter(li).publish(post_of("Same words"), "pub-1")
    assert published == Published(earlier, permalink(earlier))


def test_lost_answer_is_unknown_not_resent_and_503_is_retried(li_home: Path,
                                                              li: FakeLinkedIn) -> None:
    write_post(li_home, "lost", "Lost answer")
    (item_id,) = schedule(li_home, "lost")
    li.fail_next("POST /rest/posts", Scripted(502, b"<html>Bad Gateway</html>"))
    assert flush(li_home).code == 4
    assert states(li_home) == {item_id: "unknown"}
    assert flush(li_home, "2026-12-01T09:30:00+01:00").code == 0
    assert len(li.requests_to("POST", "/rest/posts")) == 1  # never resent blindly
    write_post(li_home, "later", "Try later")
    (later,) = schedule(li_home, "later")
    li.fail_next("POST /rest/posts", Scripted(503, error_body := {
        "status": 503, "code": "SERVICE_UNAVAILABLE", "message": "Service Unavailable"}))
    assert error_body["status"] == 503
    assert flush(li_home, "2026-12-01T09:31:00+01:00").code == 3
    assert states(li_home)[later] == "retry"
    assert flush(li_home, "2026-12-01T09:45:00+01:00").code == 0
    assert states(li_home)[later] == "sent"


def test_a_failed_upload_is_a_plain_retry_and_uploads_are_not_repeated(
    li_home: Path, li: FakeLinkedIn
) -> None:
    write_post(li_home, "img", "With a picture", [(FLAG, "The flag")])
    (item_id,) = schedule(li_home, "img")
    li.fail_next("POST /rest/images", Scripted(504, b"Gateway Timeout"))
    assert flush(li_home).code == 3
    assert states(li_home) == {item_id: "retry"}  # an upload cannot have posted
    li.fail_next("POST /rest/posts", Scripted(503, {"status": 503, "message": "Unavailable"}))
    assert flush(li_home, "2026-12-01T09:10:00+01:00").code == 3
    assert flush(li_home, "2026-12-01T09:30:00+01:00").code == 0
    assert len(li.requests_to("POST", "/rest/images")) == 2  # the 504 and one real upload
    assert states(li_home) == {item_id: "sent"}
    (post,) = li.posts
    assert post["content"]["media"]["id"] in li.images


def test_a_sunset_api_version_holds_the_account(li_home: Path, li: FakeLinkedIn) -> None:
    li.sunset_before = "209901"
    write_post(li_home, "p", "Old version")
    (item_id,) = schedule(li_home, "p")
    result = flush(li_home)
    assert result.code == 4 and "update publisher" in result.err
    assert states(li_home) == {item_id: "held"}


def test_accounts_check_names_the_page(li_home: Path, li: FakeLinkedIn) -> None:
    result = cli(li_home, "accounts", "check", "li")
    assert result.code == 0, result.err
    assert "Embassy of Kosovo" in result.out


def test_accounts_check_without_the_page_admin_scope_still_passes(li_home: Path,
                                                                   li: FakeLinkedIn) -> None:
    # The organization lookup needs rw_organization_admin, which a login for posting
    # (w_organization_social r_organization_social) does not ask: a 403 there proves
    # the token valid, and the check names the page by its URN.
    li.org_admin = False
    result = cli(li_home, "accounts", "check", "li")
    assert result.code == 0, result.err
    assert ORG in result.out and "linkedin.com/company/2414183/" in result.out
    assert "publisher: warning: the token may not read the page's name" in result.err


# Crashes


def flush_process(home: Path, now: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "publisher", "--home", str(home), "flush", "--now", now],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def kill_in_flight(home: Path, li: FakeLinkedIn) -> None:
    li.hold_path = "POST /rest/posts"
    process = flush_process(home, NOW)
    assert li.received.wait(timeout=30), "the flush never reached the server"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    li.hold_path = None
    li.release.set()


def test_killed_in_flight_the_page_post_is_found_and_never_resent(
    li_home: Path, li: FakeLinkedIn
) -> None:
    write_post(li_home, "crash", "After the crash (really) #DigitalKosovo")
    (item_id,) = schedule(li_home, "crash")
    kill_in_flight(li_home, li)
    assert states(li_home) == {item_id: "sending"} and len(li.posts) == 1
    rerun = flush(li_home, "2026-12-01T09:05:00+01:00")
    assert rerun.code == 0, rerun.err
    (item,) = items(li_home)
    assert item["state"] == "sent" and item["url"] == permalink(li.posts[0]["id"])
    assert len(li.requests_to("POST", "/rest/posts")) == 1
    (finder,) = li.requests_to("GET", "/rest/posts")
    assert finder.query["q"] == ["author"] and finder.query["author"] == [ORG]
    assert finder.query["sortBy"] == ["LAST_MODIFIED"]
    assert finder.headers["x-restli-method"] == "FINDER"
    assert finder.headers["linkedin-version"] == API_VERSION


def test_killed_before_the_post_arrived_stays_unknown(li_home: Path, li: FakeLinkedIn) -> None:
    write_post(li_home, "crash", "Maybe sent")
    (item_id,) = schedule(li_home, "crash")
    li.add_post(ORG, to_little("Maybe sent"), created=DUE - timedelta(days=5))  # an old one
    kill_in_flight(li_home, li)
    del li.posts[1:]  # as if the request had died before LinkedIn took it
    rerun = flush(li_home, "2026-12-01T09:05:00+01:00")
    assert rerun.code == 4 and "unknown" in rerun.err
    assert states(li_home) == {item_id: "unknown"}  # the old post is not taken for it
    assert len(li.requests_to("POST", "/rest/posts")) == 1


def test_a_person_without_read_access_is_unknown_after_a_crash(home: Path,
                                                               li: FakeLinkedIn) -> None:
    add_linkedin(home, li, handle=li.person)
    write_post(home, "crash", "Personal post")
    (item_id,) = schedule(home, "crash")
    kill_in_flight(home, li)
    rerun = flush(home, "2026-12-01T09:05:00+01:00")
    assert rerun.code == 4
    assert states(home) == {item_id: "unknown"}
    (finder,) = li.requests_to("GET", "/rest/posts")
    assert finder.query["author"] == [li.person]
    li.member_can_read = True  # with r_member_social the finder can tell
    published = adapter(li, handle=li.person).find("pub-x", post_of("Personal post",
                                                                    handle=li.person))
    assert published == Published(li.posts[0]["id"], permalink(li.posts[0]["id"]))


def test_little_text_is_pure_domain_code() -> None:
    code = ("import sys, publisher.domain.little_text\n"
            "print([m for m in ('requests', 'textual', 'sqlite3', 'keyring') "
            "if m in sys.modules])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_201_without_x_restli_id_is_looked_up(li: FakeLinkedIn) -> None:
    set_secret("li", TOKEN)
    li.fail_next("POST /rest/posts", Scripted(201, None, {}))
    li.add_post(ORG, to_little("Created, unnamed"))  # what the scripted 201 made
    published = adapter(li).publish(post_of("Created, unnamed"), "pub-2")
    assert published.url == permalink(li.posts[0]["id"])


def test_check_for_a_person_says_whose_token_it_is(li: FakeLinkedIn) -> None:
    set_secret("li", TOKEN)
    identity = adapter(li, handle=li.person).check()
    assert identity.name == "Embassy Officer" and "warning" not in identity.details
    other = adapter(li, handle="urn:li:person:someoneElse").check()
    assert li.person in other.details["warning"]


def animated_gif(frames: int) -> bytes:
    """A 1x1 GIF89a with a global colour table, a loop extension and ``frames`` images."""
    import struct

    out = bytearray(b"GIF89a" + struct.pack("<HH", 1, 1) + bytes([0x80, 0, 0]))
    out += b"\x00\x00\x00\xff\xff\xff" + b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    for _ in range(frames):
        out += b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control: 0.1 s
        out += b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00\x02\x02\x44\x01\x00"
    return bytes(out + b"\x3b")


def test_a_gif_over_250_frames_is_refused(li: FakeLinkedIn, tmp_path: Path) -> None:
    long_gif, short_gif = tmp_path / "long.gif", tmp_path / "short.gif"
    long_gif.write_bytes(animated_gif(251))
    short_gif.write_bytes(animated_gif(250))
    assert adapter(li).validate(post_of("Animated", [MediaFile(short_gif, "a")])) == []
    (problem,) = adapter(li).validate(post_of("Animated", [MediaFile(long_gif, "a")]))
    assert problem == "GIF long.gif has 251 frames: LinkedIn takes at most 250"


def test_a_jpeg_over_the_pixel_limit_is_refused(li: FakeLinkedIn, tmp_path: Path) -> None:
    def jpeg(width: int, height: int) -> bytes:
        app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        sof = (b"\xff\xc2\x00\x11\x08" + height.to_bytes(2, "big") + width.to_bytes(2, "big")
               + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01")
        return b"\xff\xd8" + app0 + sof + b"\xff\xd9"

    big, fine = tmp_path / "big.jpg", tmp_path / "fine.jpg"
    big.write_bytes(jpeg(7000, 6000))
    fine.write_bytes(jpeg(6000, 6000))  # 36,000,000 pixels: just under
    assert image_size(big) == (7000, 6000)
    assert adapter(li).validate(post_of("Photo", [MediaFile(fine, "a")])) == []
    (problem,) = adapter(li).validate(post_of("Photo", [MediaFile(big, "a")]))
    assert "7000x6000 pixels" in problem
