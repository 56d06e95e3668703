"""Secrets travel only over TLS: an account's API base (and a login's token and
authorisation addresses) must be https, except http to this machine (a test
server). The one check serves ``accounts add``, ``accounts set`` and the reader
of accounts.toml, so a hand-edited file cannot bypass it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Result, run_cli, snapshot_tree
from queue_helpers import add_account, cli

REFUSED = [
    "http://example.org",
    "http://api.example.org:8080/prefix",
    "HTTP://Example.org",
    "hTTp://mastodon.social",
    "http://127.0.0.1.evil.example",
    "http://localhost.evil.example",
    "http://localhost@evil.example",
    "http://127.0.0.1@evil.example",
    "http://127.0.0.1:80@evil.example/",
    "http://evil.example#@127.0.0.1",
    "http://evil.example?@127.0.0.1",
    "http://evil.example\\@127.0.0.1",
    "http://[::ffff:7f00:1]",
    "http://[::1].evil.example",
    "http://[127.0.0.1]",
    "http://::1",
    "http://0x7f000001",
    "http://2130706433",
    "http://127.1",
    "http://0.0.0.0",
    "http://[::]",
    "http://10.0.0.5",
    "http://192.168.1.1",
    "https://user:secret@mastodon.social",
    "https://mastodon.social@evil.example",
    "https://mastodon.social/?token=x",
    "https://mastodon.social/#x",
    "https://bad host",
    "https://mastodon.social\n",
    "https://",
    "http://",
    "https:///path",
    "//127.0.0.1",
    "ftp://127.0.0.1",
    "127.0.0.1:8080",
    "https://[::1",
    "https://127.0.0.1:99999",
    "https://exa_mple.org",
    "not a url",
    "",
]

ALLOWED = {
    "https://mastodon.social": "https://mastodon.social",
    "https://diplo.social/": "https://diplo.social",
    "HTTPS://Diplo.Social/api/": "https://Diplo.Social/api",
    "https://pds.example.org:8443/base": "https://pds.example.org:8443/base",
    "https://[2001:db8::1]:443": "https://[2001:db8::1]:443",
    "http://127.0.0.1:8080": "http://127.0.0.1:8080",
    "http://127.5.6.7/x/": "http://127.5.6.7/x",
    "http://[::1]:9000/base": "http://[::1]:9000/base",
    "http://localhost:3000": "http://localhost:3000",
    "HTTP://LOCALHOST": "http://LOCALHOST",
}


def one_line_error(result: Result) -> str:
    assert "Traceback" not in result.err, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("publisher: error: "), result.err
    assert result.code == 2
    return lines[0]


@pytest.mark.parametrize("url", REFUSED)
def test_accounts_add_refuses_an_address_secrets_could_leak_to(home: Path, url: str) -> None:
    before = snapshot_tree(home)
    one_line_error(cli(home, "accounts", "add", "m", "--platform", "mastodon", "--api-base", url))
    assert snapshot_tree(home) == before


def test_the_error_says_why(home: Path) -> None:
    line = one_line_error(cli(home, "accounts", "add", "m", "--platform", "mastodon",
                              "--api-base", "http://diplo.social"))
    assert "https" in line and "127.0.0.1" in line


@pytest.mark.parametrize("url", sorted(ALLOWED))
def test_accounts_add_takes_https_and_loopback_http(home: Path, url: str) -> None:
    add_account(home, "m", "--platform", "mastodon", "--api-base", url)
    listing = run_cli("--home", str(home), "accounts", "list", "--json")
    assert f'"api_base": "{ALLOWED[url]}"' in listing.out


@pytest.mark.parametrize("url", ["http://diplo.social", "http://localhost@evil.example"])
def test_accounts_set_refuses_plain_http(home: Path, url: str) -> None:
    add_account(home, "m", "--platform", "mastodon", "--api-base", "https://diplo.social")
    before = snapshot_tree(home)
    one_line_error(cli(home, "accounts", "set", "m", "--api-base", url))
    assert snapshot_tree(home) == before


@pytest.mark.parametrize("url", ["http://diplo.social", "http://127.0.0.1.evil.example"])
def test_a_hand_edited_accounts_file_cannot_bypass_it(home: Path, url: str) -> None:
    add_account(home, "m", "--platform", "mastodon", "--api-base", "https://diplo.social")
    path = home / "accounts.toml"
    path.write_text(path.read_text().replace('"https://diplo.social"', f'"{url}"'))
    (home / "drafts" / "news.toml").write_text(
        'title = "n"\nsource = "sq"\naccounts = ["m"]\napproved = true\n'
        '[variants.sq]\ntext = "Lajm"\n')
    before = snapshot_tree(home)
    for args in (("accounts", "list"), ("accounts", "check", "m"),
                 ("schedule", "news", "--at", "2026-12-01T09:00:00Z",
                  "--now", "2026-12-01T08:00:00Z")):
        line = one_line_error(cli(home, *args))
        assert "accounts.toml" in line and "https" in line
    assert snapshot_tree(home) == before


@pytest.mark.parametrize("option", ["--token-url", "--authorize-url"])
def test_login_addresses_must_be_https_too(home: Path, option: str) -> None:
    add_account(home, "x-main", "--platform", "x", "--api-base", "http://127.0.0.1:9")
    before = snapshot_tree(home)
    result = run_cli("--home", str(home), "accounts", "login", "x-main", "--client-id", "abc",
                     "--no-browser", "--port", "0", "--timeout", "1",
                     option, "http://auth.example/oauth", stdin="")
    line = one_line_error(result)
    assert option in line and "https" in line
    assert snapshot_tree(home) == before
