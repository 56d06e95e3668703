"""accounts add / list / remove / set-secret, with a real keyring backend."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
from conftest import run_cli, run_process, snapshot_tree


def add(home: Path, *args: str):
    return run_cli("--home", str(home), "accounts", "add", *args)


def test_add_and_list(home: Path) -> None:
    result = add(
        home, "embassy-dc-mastodon", "--platform", "mastodon",
        "--api-base", "https://diplo.social/", "--handle", "@embassy_dc",
        "--locales", "en,sq", "--audience", "diaspora-us", "--min-gap", "90",
    )
    assert result.code == 0, result.err
    listing = json.loads(run_cli("--home", str(home), "accounts", "list", "--json").out)
    assert listing == [{
        "id": "embassy-dc-mastodon", "platform": "mastodon", "handle": "@embassy_dc",
        "api_base": "https://diplo.social", "locales": ["en", "sq"], "layout": "separate",
        "audience": "diaspora-us", "min_gap": 90, "max_per_day": None, "max_lateness": 360,
        "secret": "missing", "expires_at": None, "token_refreshable": False,
    }]
    assert "not defined yet" in result.err  # the default profile stands in meanwhile


def test_default_api_base_is_the_public_one(home: Path) -> None:
    assert add(home, "mfa-x", "--platform", "x", "--locales", "en").code == 0
    listing = json.loads(run_cli("--home", str(home), "accounts", "list", "--json").out)
    assert listing[0]["api_base"] == "https://api.x.com"
    text = (home / "accounts.toml").read_text()
    assert "api_base" not in text  # the default is not written, so it can change


def test_add_keeps_comments_of_the_file(home: Path) -> None:
    path = home / "accounts.toml"
    path.write_text(path.read_text() + "# our X account follows\n")
    assert add(home, "mfa-x", "--platform", "x", "--locales", "en,sq").code == 0
    assert add(home, "mfa-tg", "--platform", "telegram", "--handle", "@mfa").code == 0
    text = path.read_text()
    assert "# our X account follows" in text
    assert text.index("mfa-x") < text.index("mfa-tg")


def test_bad_input_is_refused_and_nothing_written(home: Path) -> None:
    before = snapshot_tree(home)
    cases = [
        ("Bad_Id", "--platform", "x"),
        ("a", "--platform", "myspace"),
        ("a", "--platform", "mastodon"),  # needs an instance
        ("a", "--platform", "x", "--locales", "de"),
        ("a", "--platform", "x", "--api-base", "not a url"),
        ("a", "--platform", "x", "--min-gap", "-5"),
        ("a", "--platform", "x", "--locales", "en,en"),
        ("a", "--platform", "instagram", "--media-url", "embassy.example/media"),
    ]
    for case in cases:
        result = add(home, *case)
        assert result.code == 2, case
        assert result.err.startswith("publisher: error: "), case
        assert result.err.count("\n") == 1, case
        assert "Traceback" not in result.err
    assert snapshot_tree(home) == before


def test_duplicate_id_is_refused(home: Path) -> None:
    assert add(home, "mfa-x", "--platform", "x").code == 0
    result = add(home, "mfa-x", "--platform", "x")
    assert result.code == 2
    assert "exists" in result.err


def test_set_secret_goes_to_the_keyring_only(home: Path) -> None:
    assert add(home, "mfa-tg", "--platform", "telegram", "--handle", "@mfa").code == 0
    token = "123456:test-only-not-a-real-token"
    result = run_cli("--home", str(home), "accounts", "set-secret", "mfa-tg", stdin=token + "\n")
    assert result.code == 0, result.err
    assert keyring.get_password("publisher", "mfa-tg") == token
    assert token not in result.out + result.err
    for path in home.rglob("*"):
        if path.is_file():
            assert token not in path.read_text(errors="replace")
    listing = json.loads(run_cli("--home", str(home), "accounts", "list", "--json").out)
    assert listing[0]["secret"] == "stored"


def test_set_secret_refuses_empty_input(home: Path) -> None:
    assert add(home, "mfa-tg", "--platform", "telegram").code == 0
    result = run_cli("--home", str(home), "accounts", "set-secret", "mfa-tg", stdin="\n")
    assert result.code == 2
    assert "stdin" in result.err or "standard input" in result.err


def test_outbox_needs_no_secret(home: Path) -> None:
    assert add(home, "local", "--platform", "outbox").code == 0
    result = run_cli("--home", str(home), "accounts", "set-secret", "local", stdin="x\n")
    assert result.code == 2


def test_no_keyring_backend_says_how_to_fix_it(home: Path) -> None:
    assert add(home, "mfa-tg", "--platform", "telegram").code == 0
    result = run_process(
        "--home", str(home), "accounts", "set-secret", "mfa-tg",
        stdin="123:abc\n",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "keyrings.cryptfile" in result.err and "PYTHON_KEYRING_BACKEND" in result.err
    assert "123:abc" not in result.err


def test_remove_deletes_account_and_secret(home: Path) -> None:
    assert add(home, "mfa-tg", "--platform", "telegram").code == 0
    run_cli("--home", str(home), "accounts", "set-secret", "mfa-tg", stdin="t0ken\n")
    result = run_cli("--home", str(home), "accounts", "remove", "mfa-tg")
    assert result.code == 0, result.err
    assert keyring.get_password("publisher", "mfa-tg") is None
    assert "mfa-tg" not in (home / "accounts.toml").read_text()


def test_remove_refuses_an_account_drafts_use(demo: Path) -> None:
    before = snapshot_tree(demo)
    result = run_cli("--home", str(demo), "accounts", "remove", "mfa-x")
    assert result.code == 2
    assert "used by drafts" in result.err
    assert snapshot_tree(demo) == before


def test_broken_accounts_file_names_the_line(home: Path) -> None:
    (home / "accounts.toml").write_text('[accounts.a]\nplatform = "x"\nlocales = ["xx"]\n')
    result = run_cli("--home", str(home), "accounts", "list")
    assert result.code == 2
    assert "accounts.toml:1" in result.err
    assert "xx" in result.err


def test_media_url_is_kept_without_its_trailing_slash_and_can_be_removed(home: Path) -> None:
    assert add(home, "ig", "--platform", "instagram", "--locales", "sq",
               "--media-url", "https://embassy.example/media/").code == 0
    assert 'media_url = "https://embassy.example/media"' in (home / "accounts.toml").read_text()
    done = run_cli("--home", str(home), "accounts", "set", "ig", "--media-url", "none")
    assert done.code == 0, done.err
    assert "media_url" not in (home / "accounts.toml").read_text()
