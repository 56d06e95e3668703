"""``publisher accounts login``, every platform's flow end to end against local servers.

The command runs in a thread of this process with a pipe as its standard
input (the person typing); the test plays the browser: it reads the printed
authorisation address, checks its parameters, and follows it to the fake
authorisation server, whose 302 lands on the command's loopback listener
(or, for copy-paste flows, hands the test the address to paste). The fakes'
token endpoints check what the platforms check (PKCE S256, client secret,
single-use codes bound to their redirect URI). The keyring is the real test
backend; no secret may appear in what the command prints.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import Result, run_cli
from fakes.oauth import (
    FakeBlueskyAuth,
    FakeLinkedInAuth,
    FakeMastodonAuth,
    FakeMetaGraph,
    FakeTelegramBot,
    FakeThreadsAuth,
    FakeXAuth,
)

from publisher.services.secrets import get_secret, set_secret


class LoginRun:
    """``publisher --home H accounts login ID ...`` running in a thread."""

    def __init__(self, home: Path, account_id: str, *options: str, answers: tuple = ()):
        read_fd, write_fd = os.pipe()
        self._stdin = os.fdopen(read_fd, "r")
        self._typing = os.fdopen(write_fd, "w")
        self.out, self.err = io.StringIO(), io.StringIO()
        self.code: int | None = None
        for line in answers:
            self.type(line)
        argv = ["--home", str(home), "accounts", "login", account_id, "--no-browser", *options]
        self._thread = threading.Thread(target=self._run, args=(argv,), daemon=True)
        self._thread.start()

    def _run(self, argv: list[str]) -> None:
        from publisher.cli import main
        from publisher.i18n import set_language

        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = self._stdin, self.out, self.err
        try:
            self.code = main(argv)
        except SystemExit as exit_:
            self.code = exit_.code if isinstance(exit_.code, int) else 2
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
            set_language("en")

    def type(self, line: str) -> None:
        self._typing.write(line + "\n")
        self._typing.flush()

    def printed_url(self, timeout: float = 10.0) -> str:
        """The authorisation address the command printed for the person."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.out.getvalue().splitlines():
                if line.startswith("  http"):
                    return line.strip()
            if not self._thread.is_alive():
                break
            time.sleep(0.01)
        raise AssertionError(f"no address printed: {self.out.getvalue()!r} {self.err.getvalue()!r}")

    def wait_for(self, text: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.out.getvalue():
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise AssertionError(f"{text!r} never printed: {self.out.getvalue()!r}")
            time.sleep(0.01)

    def finish(self, timeout: float = 20.0) -> Result:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the login did not finish"
        self._typing.close()
        self._stdin.close()
        return Result(int(self.code if self.code is not None else -1), self.out.getvalue(),
                      self.err.getvalue())


def follow(url: str) -> tuple[int, str]:
    """The browser: open the address, follow redirects, return the last page."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def landing(url: str) -> str:
    """Where the authorisation server sends the browser (for copy-paste flows)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 302, error.read()
        return error.headers["Location"]
    raise AssertionError("no redirect")


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def add_account(home: Path, account_id: str, platform: str, base: str, *extra: str) -> None:
    result = run_cli("--home", str(home), "accounts", "add", account_id, "--platform", platform,
                     "--api-base", base, "--locales", "en", *extra)
    assert result.code == 0, result.err


def handle_of(home: Path, account_id: str) -> str | None:
    listing = json.loads(run_cli("--home", str(home), "accounts", "list", "--json").out)
    return next(row["handle"] for row in listing if row["id"] == account_id)


def adapter_written(platform: str) -> bool:
    """Whether this version has the platform's adapter (the second wave came later)."""
    from publisher.platforms.registry import ADAPTER_MODULES

    return platform in ADAPTER_MODULES


def listed(home: Path, account_id: str) -> dict:
    listing = json.loads(run_cli("--home", str(home), "accounts", "list", "--json").out)
    return next(row for row in listing if row["id"] == account_id)


def assert_no_secret_shown(result: Result, *values: str) -> None:
    shown = result.out + result.err
    for value in values:
        if value:
            assert value not in shown, f"a secret was printed: {value[:6]}..."


def assert_nothing_stored(account_id: str) -> None:
    for part in (None, "oauth", "session"):
        assert get_secret(account_id, part) is None, part


def token_record(account_id: str) -> dict:
    return json.loads(get_secret(account_id, "oauth") or "{}")


def near(iso: str, expected: datetime, slack: timedelta = timedelta(minutes=2)) -> bool:
    return abs(datetime.fromisoformat(iso) - expected) < slack


# Mastodon


def test_mastodon_registers_an_app_and_logs_in_through_the_loopback(home: Path) -> None:
    with FakeMastodonAuth() as server:
        add_account(home, "dc-mastodon", "mastodon", server.url)
        run = LoginRun(home, "dc-mastodon", "--port", "0")
        url = run.printed_url()
        params = query(url)
        assert url.startswith(f"{server.url}/oauth/authorize?")
        (app,) = server.apps.values()
        assert app["name"] == "publisher"
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/callback", app["redirect_uri"])
        assert app["scopes"] == ["read:accounts", "read:statuses", "write:statuses",
                                 "write:media"]
        assert params["client_id"] == app["client_id"]
        assert params["redirect_uri"] == app["redirect_uri"]
        assert params["response_type"] == "code"
        assert params["scope"] == "read:accounts read:statuses write:statuses write:media"
        assert len(params["state"]) >= 20
        status, page = follow(url)
        assert status == 200 and "close this window" in page
        result = run.finish()
        token_call = server.requests_to("POST", "/oauth/token")[0]
    assert result.code == 0, result.err
    token = get_secret("dc-mastodon")
    assert token in server.tokens and server.tokens[token] == "mastodon"
    assert get_secret("dc-mastodon", "oauth") is None  # Mastodon tokens do not expire
    fields = parse_qs(token_call.body.decode())
    assert fields["grant_type"] == ["authorization_code"]
    assert fields["client_secret"] == [app["client_secret"]]
    assert "@embassy@127.0.0.1" in result.out
    assert handle_of(home, "dc-mastodon") == "@embassy@127.0.0.1"
    assert_no_secret_shown(result, app["client_secret"], *server.secret_values())


def test_mastodon_out_of_band_code_is_pasted(home: Path) -> None:
    with FakeMastodonAuth() as server:
        add_account(home, "dc-mastodon", "mastodon", server.url, "--handle", "@press")
        run = LoginRun(home, "dc-mastodon", "--paste")
        url = run.printed_url()
        assert query(url)["redirect_uri"] == "urn:ietf:wg:oauth:2.0:oob"
        assert server.apps and next(iter(server.apps.values()))["redirect_uri"] == (
            "urn:ietf:wg:oauth:2.0:oob")
        status, page = follow(url)
        assert status == 200
        code = re.search(r"<code>([^<]+)</code>", page).group(1)
        run.type(code)
        result = run.finish()
    assert result.code == 0, result.err
    assert server.tokens.get(get_secret("dc-mastodon") or "") == "mastodon"
    assert handle_of(home, "dc-mastodon") == "@press"  # a handle given is kept
    assert_no_secret_shown(result, *server.secret_values())


# X


def test_x_public_client_pkce_through_the_loopback(home: Path) -> None:
    with FakeXAuth() as server:
        add_account(home, "mfa-x", "x", server.url)
        started = datetime.now(UTC)
        run = LoginRun(home, "mfa-x", "--port", "0", "--client-id", "x-client-id",
                       answers=("",))  # no client secret: a public client
        url = run.printed_url()
        params = query(url)
        assert url.startswith(f"{server.url}/i/oauth2/authorize?")
        assert params["response_type"] == "code"
        assert params["client_id"] == "x-client-id"
        assert params["scope"].split() == ["tweet.read", "tweet.write", "users.read",
                                           "media.write", "offline.access"]
        assert params["code_challenge_method"] == "S256"
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", params["code_challenge"])
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/callback", params["redirect_uri"])
        assert follow(url)[0] == 200
        result = run.finish()
        (token_call,) = server.requests_to("POST", "/2/oauth2/token")
    assert result.code == 0, result.err
    fields = {k: v[0] for k, v in parse_qs(token_call.body.decode()).items()}
    # The fake took the code only because SHA-256 of this verifier is the challenge.
    assert 43 <= len(fields["code_verifier"]) <= 128
    assert fields["redirect_uri"] == params["redirect_uri"]
    assert "authorization" not in token_call.headers
    token = get_secret("mfa-x")
    assert server.tokens.get(token or "") == "x"
    record = token_record("mfa-x")
    assert record["client_id"] == "x-client-id"
    assert server.tokens.get(record["refresh_token"]) == "x-refresh"
    assert near(record["expires_at"], started + timedelta(seconds=7200))
    assert "client_secret" not in record
    assert handle_of(home, "mfa-x") == "@EmbassyDC"
    assert "@EmbassyDC" in result.out
    assert_no_secret_shown(result, fields["code_verifier"], *server.secret_values())


def test_x_confidential_client_with_the_registered_redirect_uri(home: Path) -> None:
    port = free_port()
    redirect = f"http://127.0.0.1:{port}/x/callback"
    with FakeXAuth(client_secret="x-client-secret-xyz", redirect_uris=(redirect,)) as server:
        add_account(home, "mfa-x", "x", server.url, "--handle", "@EmbassyDC")
        run = LoginRun(home, "mfa-x", "--redirect-uri", redirect,
                       answers=("x-client-id", "x-client-secret-xyz"))
        url = run.printed_url()
        assert query(url)["redirect_uri"] == redirect
        assert follow(url)[0] == 200
        result = run.finish()
        (token_call,) = server.requests_to("POST", "/2/oauth2/token")
    assert result.code == 0, result.err
    assert token_call.headers["authorization"].startswith("Basic ")
    record = token_record("mfa-x")
    assert record["client_secret"] == "x-client-secret-xyz"
    assert server.tokens.get(get_secret("mfa-x") or "") == "x"
    assert_no_secret_shown(result, "x-client-secret-xyz", *server.secret_values())


@pytest.mark.parametrize("forged", [False, True])
def test_x_copy_paste_without_a_listener(home: Path, forged: bool) -> None:
    with FakeXAuth() as server:
        add_account(home, "mfa-x", "x", server.url)
        run = LoginRun(home, "mfa-x", "--paste", "--client-id", "x-client-id", answers=("",))
        url = run.printed_url()
        assert query(url)["redirect_uri"] == "http://127.0.0.1:8719/callback"
        pasted = landing(url)  # the browser cannot load it; the person copies it
        if forged:
            pasted = pasted.replace(query(url)["state"], "someone-elses-state")
        run.type(pasted)
        result = run.finish()
    if forged:
        assert result.code == 2 and "state does not match" in result.err
        assert_nothing_stored("mfa-x")
    else:
        assert result.code == 0, result.err
        assert server.tokens.get(get_secret("mfa-x") or "") == "x"
    assert_no_secret_shown(result, pasted, *server.secret_values())


def test_x_answer_with_a_wrong_state_stores_nothing(home: Path) -> None:
    with FakeXAuth() as server:
        add_account(home, "mfa-x", "x", server.url)
        set_secret("mfa-x", "the-old-token")
        run = LoginRun(home, "mfa-x", "--port", "0", "--client-id", "x-client-id",
                       answers=("",))
        redirect_uri = query(run.printed_url())["redirect_uri"]
        status, _page = follow(f"{redirect_uri}?code=forged-code&state=not-this-login")
        result = run.finish()
        assert server.requests_to("POST", "/2/oauth2/token") == []
    assert status == 200
    assert result.code == 2
    assert "state does not match" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert get_secret("mfa-x") == "the-old-token"  # the old secret stays
    assert get_secret("mfa-x", "oauth") is None


def test_x_denied_authorisation_stores_nothing(home: Path) -> None:
    with FakeXAuth() as server:
        server.deny = True
        add_account(home, "mfa-x", "x", server.url)
        run = LoginRun(home, "mfa-x", "--port", "0", "--client-id", "x-client-id",
                       answers=("",))
        status, page = follow(run.printed_url())
        result = run.finish()
    assert status == 200 and "did not grant access" in page
    assert result.code == 2
    assert "denied" in result.err
    assert_nothing_stored("mfa-x")


def test_listener_gives_up_after_the_timeout(home: Path) -> None:
    with FakeXAuth() as server:
        add_account(home, "mfa-x", "x", server.url)
        begun = time.monotonic()
        run = LoginRun(home, "mfa-x", "--port", "0", "--client-id", "x-client-id",
                       "--timeout", "0.5", answers=("",))
        run.printed_url()
        result = run.finish()
    assert result.code == 2
    assert "no answer from the browser within 0.5 seconds" in result.err
    assert time.monotonic() - begun < 10
    assert_nothing_stored("mfa-x")


def test_a_taken_port_is_a_clear_error(home: Path) -> None:
    with socket.socket() as taken, FakeXAuth() as server:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        add_account(home, "mfa-x", "x", server.url)
        run = LoginRun(home, "mfa-x", "--port", str(taken.getsockname()[1]),
                       "--client-id", "x-client-id", answers=("",))
        result = run.finish()
    assert result.code == 2
    assert "cannot listen on 127.0.0.1 port" in result.err
    assert_nothing_stored("mfa-x")


# Bluesky


def test_bluesky_app_password_is_checked_and_stored(home: Path) -> None:
    with FakeBlueskyAuth() as server:
        add_account(home, "dc-bsky", "bluesky", server.url, "--handle", "embassy.bsky.social")
        run = LoginRun(home, "dc-bsky", answers=("abcd-efgh-ijkl-mnop",))
        result = run.finish()
    assert result.code == 0, result.err
    assert "Settings -> Privacy and security -> App passwords" in result.out
    assert get_secret("dc-bsky") == "abcd-efgh-ijkl-mnop"
    session = json.loads(get_secret("dc-bsky", "session") or "{}")
    assert session["did"] == "did:plc:embassy123"
    assert server.tokens.get(session["accessJwt"]) == "access"
    assert_no_secret_shown(result, "abcd-efgh-ijkl-mnop", *server.secret_values())


def test_bluesky_wrong_app_password_stores_nothing(home: Path) -> None:
    with FakeBlueskyAuth() as server:
        add_account(home, "dc-bsky", "bluesky", server.url, "--handle", "embassy.bsky.social")
        result = LoginRun(home, "dc-bsky", answers=("wxyz-wxyz-wxyz-wxyz",)).finish()
    assert result.code == 2
    assert "Invalid identifier or password" in result.err
    assert "wxyz-wxyz-wxyz-wxyz" not in result.out + result.err
    assert_nothing_stored("dc-bsky")


def test_an_unreachable_platform_is_worth_another_try(home: Path) -> None:
    add_account(home, "dc-bsky", "bluesky", f"http://127.0.0.1:{free_port()}",
                "--handle", "embassy.bsky.social")
    result = LoginRun(home, "dc-bsky", answers=("abcd-efgh-ijkl-mnop",)).finish()
    assert result.code == 3
    assert "could not connect" in result.err
    assert_nothing_stored("dc-bsky")


# Telegram


def test_telegram_bot_that_administers_the_channel(home: Path) -> None:
    with FakeTelegramBot() as server:
        add_account(home, "news-tg", "telegram", server.url, "--handle", "@embassy_news")
        result = LoginRun(home, "news-tg", answers=(server.token,)).finish()
        (member_call,) = server.requests_to("POST", f"/bot{server.token}/getChatMember")
    assert result.code == 0, result.err
    assert "/newbot" in result.out and "@BotFather" in result.out
    assert member_call.json() == {"chat_id": "@embassy_news", "user_id": 7000001}
    assert get_secret("news-tg") == server.token
    assert_no_secret_shown(result, server.token)


@pytest.mark.parametrize(("membership", "can_post"), [("left", True), ("member", True),
                                                      ("administrator", False)])
def test_telegram_bot_not_admin_stores_nothing_and_explains(
    home: Path, membership: str, can_post: bool
) -> None:
    with FakeTelegramBot(membership=membership, can_post=can_post) as server:
        add_account(home, "news-tg", "telegram", server.url, "--handle", "@embassy_news")
        result = LoginRun(home, "news-tg", answers=(server.token,)).finish()
    assert result.code == 2
    assert "Add Admin" in result.err and "@embassy_news_bot" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert_nothing_stored("news-tg")
    assert_no_secret_shown(result, server.token)


def test_telegram_rejects_what_is_not_a_bot_token(home: Path) -> None:
    with FakeTelegramBot() as server:
        add_account(home, "news-tg", "telegram", server.url, "--handle", "@embassy_news")
        result = LoginRun(home, "news-tg", answers=("my password",)).finish()
        assert server.requests == []
    assert result.code == 2
    assert "not a bot token" in result.err
    assert "my password" not in result.err
    assert_nothing_stored("news-tg")


def test_telegram_flood_wait_says_when_to_try_again() -> None:
    import requests

    from publisher.platforms.base import RateLimited
    from publisher.platforms.common.login import LoginClient
    from publisher.platforms.telegram.login import bot_call

    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with FakeTelegramBot() as server, requests.Session() as session:
        server.flood_wait = 17
        with pytest.raises(RateLimited) as caught:
            bot_call(LoginClient(session, lambda: now), server.url, server.token, "getMe")
    assert caught.value.retry_after == now + timedelta(seconds=17)
    assert "retry after 17" in caught.value.message
    assert server.token not in caught.value.message


# Meta: Facebook pages, Instagram, Threads


def test_facebook_page_token_from_a_long_lived_user_token(home: Path) -> None:
    with FakeMetaGraph() as server:
        add_account(home, "dc-facebook", "facebook", server.url)
        run = LoginRun(home, "dc-facebook", "--port", "0", "--client-id", server.app_id,
                       answers=(server.app_secret,))
        url = run.printed_url()
        params = query(url)
        assert url.startswith(f"{server.url}/v23.0/dialog/oauth?")
        assert params["client_id"] == server.app_id
        assert "pages_manage_posts" in params["scope"].split(",")
        assert params["state"]
        assert follow(url)[0] == 200
        result = run.finish()
        exchange = [r for r in server.requests_to("GET", "/v23.0/oauth/access_token")
                    if r.query.get("grant_type") == ["fb_exchange_token"]]
    assert result.code == 0, result.err
    assert len(exchange) == 1
    token = get_secret("dc-facebook")
    assert token == server.page_tokens["101"]
    assert get_secret("dc-facebook", "oauth") is None  # a page token does not expire
    assert handle_of(home, "dc-facebook") == "101"
    assert_no_secret_shown(result, server.app_secret, *server.secret_values())


def test_facebook_with_several_pages_asks_which(home: Path) -> None:
    pages = [{"id": "101", "name": "Embassy DC"}, {"id": "202", "name": "Embassy Vienna"}]
    with FakeMetaGraph(pages=pages) as server:
        add_account(home, "vienna-facebook", "facebook", server.url)
        run = LoginRun(home, "vienna-facebook", "--port", "0", "--client-id", server.app_id,
                       answers=(server.app_secret,))
        assert follow(run.printed_url())[0] == 200
        run.wait_for("Embassy Vienna")
        run.type("202")
        result = run.finish()
    assert result.code == 0, result.err
    assert get_secret("vienna-facebook") == server.page_tokens["202"]
    assert handle_of(home, "vienna-facebook") == "202"


def test_instagram_account_of_the_page(home: Path) -> None:
    with FakeMetaGraph() as server:
        add_account(home, "dc-instagram", "instagram", server.url)
        run = LoginRun(home, "dc-instagram", "--port", "0", "--client-id", server.app_id,
                       answers=(server.app_secret,))
        url = run.printed_url()
        assert "instagram_content_publish" in query(url)["scope"].split(",")
        assert follow(url)[0] == 200
        result = run.finish()
    assert result.code == 0, result.err
    assert get_secret("dc-instagram") == server.page_tokens["101"]
    # A page token does not expire; the record tells the adapter not to renew it.
    assert token_record("dc-instagram") == {"login": "facebook"}
    if adapter_written("instagram"):
        assert listed(home, "dc-instagram")["expires_at"] is None
    assert handle_of(home, "dc-instagram") == "17841400000000001"
    assert "@kosovoembassy" in result.out
    assert_no_secret_shown(result, server.app_secret, *server.secret_values())


def test_threads_copy_paste_then_the_60_day_token(home: Path) -> None:
    with FakeThreadsAuth() as server:
        add_account(home, "dc-threads", "threads", server.url)
        started = datetime.now(UTC)
        run = LoginRun(home, "dc-threads", "--client-id", server.app_id,
                       "--redirect-uri", server.redirect_uri, answers=(server.app_secret,))
        url = run.printed_url()
        params = query(url)
        assert url.startswith(f"{server.url}/oauth/authorize?")
        assert params["redirect_uri"] == "https://example.org/threads-callback"
        assert params["scope"] == ("threads_basic,threads_content_publish,"
                                   "threads_manage_insights")
        pasted = landing(url)
        assert pasted.startswith(server.redirect_uri) and pasted.endswith("#_")
        run.type(pasted)
        result = run.finish()
    assert result.code == 0, result.err
    token = get_secret("dc-threads")
    assert server.tokens.get(token or "") == "long"
    record = token_record("dc-threads")
    assert near(record["expires_at"], started + timedelta(seconds=5183944))
    assert record["user_id"] == "7001"
    assert handle_of(home, "dc-threads") == "7001"
    assert "expires on" in result.out
    # The Threads adapter reads the same record: accounts list shows its expiry.
    if not adapter_written("threads"):
        return
    assert listed(home, "dc-threads")["expires_at"] == (
        datetime.fromisoformat(record["expires_at"]).isoformat())
    assert listed(home, "dc-threads")["token_refreshable"] is True
    assert_no_secret_shown(result, server.app_secret, pasted, *server.secret_values())


def test_instagram_login_copy_paste_then_the_60_day_token(home: Path) -> None:
    with FakeThreadsAuth(app_id="ig-app-1", redirect_uri="https://example.org/ig",
                         instagram=True) as server:
        add_account(home, "dc-instagram", "instagram", server.url)
        started = datetime.now(UTC)
        run = LoginRun(home, "dc-instagram", "--instagram-login", "--client-id", "ig-app-1",
                       "--redirect-uri", "https://example.org/ig",
                       answers=(server.app_secret,))
        url = run.printed_url()
        assert url.startswith(f"{server.url}/oauth/authorize?")
        assert query(url)["scope"] == (
            "instagram_business_basic,instagram_business_content_publish,"
            "instagram_business_manage_insights")
        pasted = landing(url)
        run.type(pasted)
        result = run.finish()
    assert result.code == 0, result.err
    assert server.tokens.get(get_secret("dc-instagram") or "") == "long"
    record = token_record("dc-instagram")
    assert record["login"] == "instagram"
    assert near(record["expires_at"], started + timedelta(seconds=5183944))
    assert handle_of(home, "dc-instagram") == "7001"
    if adapter_written("instagram"):
        assert listed(home, "dc-instagram")["token_refreshable"] is True
    assert_no_secret_shown(result, server.app_secret, pasted, *server.secret_values())


def test_threads_needs_an_https_redirect(home: Path) -> None:
    with FakeThreadsAuth() as server:
        add_account(home, "dc-threads", "threads", server.url)
        result = LoginRun(home, "dc-threads", "--client-id", server.app_id, "--redirect-uri",
                          "http://example.org/cb", answers=(server.app_secret,)).finish()
    assert result.code == 2
    assert "https" in result.err
    assert_nothing_stored("dc-threads")


# LinkedIn


def test_linkedin_code_flow_with_refresh_token(home: Path) -> None:
    with FakeLinkedInAuth(refresh=True) as server:
        add_account(home, "mfa-linkedin", "linkedin", server.url)
        started = datetime.now(UTC)
        run = LoginRun(home, "mfa-linkedin", "--port", "0", "--client-id", server.client_id,
                       "--authorize-url", f"{server.url}/oauth/v2/authorization",
                       "--token-url", f"{server.url}/oauth/v2/accessToken",
                       answers=(server.client_secret,))
        url = run.printed_url()
        params = query(url)
        assert params["scope"] == "openid profile w_member_social"
        assert params["response_type"] == "code" and params["state"]
        assert follow(url)[0] == 200
        result = run.finish()
    assert result.code == 0, result.err
    assert server.tokens.get(get_secret("mfa-linkedin") or "") == "linkedin"
    record = token_record("mfa-linkedin")
    assert record["client_id"] == server.client_id
    assert record["client_secret"] == server.client_secret
    assert server.tokens.get(record["refresh_token"]) == "li-refresh"
    assert near(record["expires_at"], started + timedelta(seconds=5183999))
    assert near(record["refresh_token_expires_at"], started + timedelta(seconds=31535999))
    assert handle_of(home, "mfa-linkedin") == "urn:li:person:782bbtaQ"
    assert_no_secret_shown(result, server.client_secret, *server.secret_values())


def test_linkedin_page_asks_only_the_community_management_scopes(home: Path) -> None:
    # The Community Management API must be the only product of its app: asking
    # openid/profile there is refused (unauthorized_scope_error).
    page = "urn:li:organization:2414183"
    app_scopes = ("w_organization_social", "r_organization_social", "rw_organization_admin",
                  "w_member_social")
    with FakeLinkedInAuth(scopes=app_scopes) as server:
        add_account(home, "mfa-linkedin", "linkedin", server.url, "--handle", page)
        run = LoginRun(home, "mfa-linkedin", "--port", "0", "--client-id", server.client_id,
                       answers=(server.client_secret,))
        url = run.printed_url()
        assert query(url)["scope"] == "w_organization_social r_organization_social"
        assert follow(url)[0] == 200
        result = run.finish()
        userinfo_calls = server.requests_to("GET", "/v2/userinfo")
    assert result.code == 0, result.err
    assert server.tokens.get(get_secret("mfa-linkedin") or "") == "linkedin"
    assert not userinfo_calls  # no openid scope: nothing to read there
    assert handle_of(home, "mfa-linkedin") == page
    assert page in result.out


def test_linkedin_scope_the_app_lacks_stores_nothing(home: Path) -> None:
    with FakeLinkedInAuth(scopes=("w_organization_social", "r_organization_social")) as server:
        add_account(home, "mfa-linkedin", "linkedin", server.url)  # a member's profile
        run = LoginRun(home, "mfa-linkedin", "--port", "0", "--client-id", server.client_id,
                       answers=(server.client_secret,))
        follow(run.printed_url())
        result = run.finish()
    assert result.code == 2
    assert "unauthorized_scope_error" in result.err
    assert_nothing_stored("mfa-linkedin")


def test_linkedin_cancelled_authorisation_stores_nothing(home: Path) -> None:
    with FakeLinkedInAuth() as server:
        server.deny = True
        add_account(home, "mfa-linkedin", "linkedin", server.url)
        run = LoginRun(home, "mfa-linkedin", "--port", "0", "--client-id", server.client_id,
                       answers=(server.client_secret,))
        follow(run.printed_url())
        result = run.finish()
    assert result.code == 2
    assert "denied" in result.err
    assert_nothing_stored("mfa-linkedin")


def test_linkedin_wrong_client_secret_stores_nothing(home: Path) -> None:
    with FakeLinkedInAuth() as server:
        add_account(home, "mfa-linkedin", "linkedin", server.url)
        run = LoginRun(home, "mfa-linkedin", "--port", "0", "--client-id", server.client_id,
                       answers=("not-the-secret-xyz",))
        follow(run.printed_url())
        result = run.finish()
    assert result.code == 2
    assert "invalid_client" in result.err
    assert "not-the-secret-xyz" not in result.out + result.err
    assert_nothing_stored("mfa-linkedin")


# Bad input and interruptions


@pytest.mark.parametrize("options", [("--port", "70000"), ("--timeout", "0"),
                                     ("--redirect-uri", "ftp://example.org/cb"),
                                     ("--redirect-uri", "http://127.0.0.1/callback")])
def test_bad_options_are_refused(home: Path, options: tuple[str, ...]) -> None:
    add_account(home, "mfa-x", "x", "http://127.0.0.1:9")
    result = run_cli("--home", str(home), "accounts", "login", "mfa-x", *options)
    assert result.code == 2
    assert result.err.startswith("publisher: error:")
    assert_nothing_stored("mfa-x")


def test_no_login_for_an_outbox_account(home: Path) -> None:
    assert run_cli("--home", str(home), "accounts", "add", "box", "--platform", "outbox",
                   "--locales", "en").code == 0
    result = run_cli("--home", str(home), "accounts", "login", "box")
    assert result.code == 2 and "need no login" in result.err


def test_an_unanswered_question_stores_nothing(home: Path) -> None:
    with FakeLinkedInAuth() as server:
        add_account(home, "mfa-linkedin", "linkedin", server.url)
        result = run_cli("--home", str(home), "accounts", "login", "mfa-linkedin",
                         "--no-browser", stdin="")
    assert result.code == 2
    assert "no client id given" in result.err
    assert_nothing_stored("mfa-linkedin")


def test_interrupted_login_stores_nothing(home: Path) -> None:
    """Ctrl-C at the last question (the pasted code) leaves the keyring as it was."""
    from publisher.services.context import open_context
    from publisher.services.login import LoginOptions, login

    class Person:
        def __init__(self) -> None:
            self.urls: list[str] = []

        def say(self, text: str) -> None:
            pass

        def show_url(self, url: str) -> None:
            self.urls.append(url)

        def ask(self, prompt: str) -> str:
            return ""

        def ask_secret(self, prompt: str) -> str:
            if self.urls:
                raise KeyboardInterrupt
            return "threads-secret-xyz"

    with FakeThreadsAuth() as server:
        add_account(home, "dc-threads", "threads", server.url)
        set_secret("dc-threads", "the-old-token")
        person = Person()
        options = LoginOptions(client_id=server.app_id, redirect_uri=server.redirect_uri)
        with pytest.raises(KeyboardInterrupt):
            login(open_context(home), "dc-threads", person, options,
                  lambda: datetime.now(UTC))
    assert person.urls
    assert get_secret("dc-threads") == "the-old-token"
    assert get_secret("dc-threads", "oauth") is None


# accounts list: when tokens expire


def test_accounts_list_shows_expiry_and_warns_a_week_ahead(home: Path) -> None:
    add_account(home, "mfa-x", "x", "http://127.0.0.1:9")
    add_account(home, "dc-x", "x", "http://127.0.0.1:9")
    soon = datetime.now(UTC) + timedelta(days=3)
    later = datetime.now(UTC) + timedelta(hours=1)
    set_secret("mfa-x", "token-a")
    set_secret("mfa-x", json.dumps({"expires_at": soon.isoformat()}), "oauth")
    set_secret("dc-x", "token-b")
    set_secret("dc-x", json.dumps({"expires_at": later.isoformat(), "refresh_token": "r",
                                   "client_id": "c"}), "oauth")
    result = run_cli("--home", str(home), "accounts", "list")
    assert result.code == 0, result.err
    header, *lines = result.out.splitlines()
    assert header.split()[-1] == "EXPIRES"
    row = {line.split()[0]: line for line in lines}
    assert row["mfa-x"].rstrip().endswith(f"{soon:%Y-%m-%d}")
    assert "(renews)" in row["dc-x"]
    # Only the token that cannot renew itself is warned about, with the fixing command.
    assert "mfa-x" in result.err and "publisher accounts login mfa-x" in result.err
    assert "dc-x" not in result.err
    listing = {row["id"]: row for row in json.loads(
        run_cli("--home", str(home), "accounts", "list", "--json").out)}
    assert datetime.fromisoformat(listing["mfa-x"]["expires_at"]) == soon.replace(
        microsecond=soon.microsecond)
    assert listing["mfa-x"]["token_refreshable"] is False
    assert listing["dc-x"]["token_refreshable"] is True


# The pieces


def test_pkce_challenge_is_rfc_7636_s256() -> None:
    from publisher.platforms.common.login import code_challenge, make_verifier

    # RFC 7636, appendix B.
    assert code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    verifier = make_verifier()
    assert re.fullmatch(r"[A-Za-z0-9._~-]{43,128}", verifier)
    assert make_verifier() != verifier


@pytest.mark.parametrize(("pasted", "expected"), [
    ("abc123", "abc123"),
    ("abc123#_", "abc123"),
    ("https://example.org/cb?code=abc123&state=S#_", "abc123"),
    ("https://example.org/cb?code=abc123", "abc123"),  # no state in it: nothing to compare
    ("?code=abc123&state=S", "abc123"),
])
def test_pasted_codes(pasted: str, expected: str) -> None:
    from publisher.platforms.common.login import code_from_paste

    assert code_from_paste(pasted, "S") == expected


@pytest.mark.parametrize(("pasted", "message"), [
    ("", "nothing was pasted"),
    ("https://example.org/cb?code=abc&state=other", "state does not match"),
    ("https://example.org/cb?error=access_denied&state=S", "denied"),
    ("https://example.org/cb?state=S", "no authorisation code"),
    ("two words", "does not look like"),
])
def test_pasted_answers_that_are_refused(pasted: str, message: str) -> None:
    from publisher.platforms.common.login import LoginFailed, code_from_paste

    with pytest.raises(LoginFailed, match=message):
        code_from_paste(pasted, "S")
