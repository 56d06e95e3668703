"""Secrets on a headless server: the keyring opens without a person, or says in one line why.

Every command here runs as cron or systemd runs it: a child process in a new
session (``setsid``: no controlling terminal, so no ``/dev/tty`` to ask a
password on) with standard input a pipe. The keyring is a real file backend
under a temporary data folder, chosen through keyring's own configuration
(``PYTHON_KEYRING_BACKEND``); the X stand-in rotates its refresh token on every
use, so a renewed token that is not stored back shows at the next flush.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import keyring.errors
import pytest
from conftest import ROOT, Result
from fakes.x import FakeX
from keyring.backend import KeyringBackend
from queue_helpers import add_account, items, schedule
from test_adapters import write_post

ALT_ENCRYPTED = "keyrings.alt.file.EncryptedKeyring"
NOW = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)
TOKEN = "x-access-token"


def headless(home: Path, env: dict[str, str], *argv: str, stdin: str = "") -> Result:
    """``publisher --home HOME ARGV`` with no terminal, as cron or systemd starts it."""
    done = subprocess.run(
        [sys.executable, "-m", "publisher", "--home", str(home), *argv],
        input=stdin, capture_output=True, text=True, env=env, timeout=120,
        start_new_session=True,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def server_env(tmp_path: Path, backend: str, **extra: str) -> dict[str, str]:
    """The service user's environment: its own data folder, keyring's backend setting."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("CREDENTIALS_DIRECTORY", "PUBLISHER_KEYRING_PASSWORD_FILE")}
    env.update(XDG_DATA_HOME=str(tmp_path / "service-data"), PYTHON_KEYRING_BACKEND=backend,
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    env.update(extra)
    return env


def assert_one_line_error(result: Result, *never_shown: str) -> str:
    """Exit 2, one ``publisher: error:`` line on stderr, no traceback, no secret."""
    assert result.code == 2, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("publisher: error: "), result.err
    for value in never_shown:
        assert value not in result.out + result.err
    return lines[0]


@pytest.fixture
def x_server():
    with FakeX(token=TOKEN) as server:
        yield server


@pytest.fixture
def x_home(home: Path, x_server: FakeX) -> Path:
    add_account(home, "mfa-x", "--platform", "x", "--api-base", x_server.url,
                "--handle", "@MFAKosovo", "--locales", "en")
    return home


def queue_post(home: Path, draft_id: str, at: datetime) -> None:
    write_post(home, draft_id, ["mfa-x"], {"en": f"News {draft_id}"})
    schedule(home, draft_id, at=at.isoformat(), now=NOW.isoformat())


# The README's former advice: keyrings.alt's EncryptedKeyring asks on a terminal.


def test_set_secret_without_a_terminal_names_the_fix_for_a_prompting_keyring(
    x_home: Path, tmp_path: Path
) -> None:
    env = server_env(tmp_path, ALT_ENCRYPTED)
    result = headless(x_home, env, "accounts", "set-secret", "mfa-x", stdin=TOKEN + "\n")
    line = assert_one_line_error(result, TOKEN)
    assert "terminal" in line and "keyrings.cryptfile" in line


def test_flush_without_a_terminal_keeps_the_posts_queued_and_says_why(
    x_home: Path, x_server: FakeX, tmp_path: Path
) -> None:
    queue_post(x_home, "due", NOW)
    env = server_env(tmp_path, ALT_ENCRYPTED)
    result = headless(x_home, env, "flush", "--now", NOW.isoformat())
    line = assert_one_line_error(result)
    assert "terminal" in line and "keyrings.cryptfile" in line
    assert [item["state"] for item in items(x_home)] == ["queued"]
    assert x_server.tweets == []


# The server backend: keyrings.cryptfile, its password from a file only its user reads.

CRYPTFILE = "keyrings.cryptfile.cryptfile.CryptFileKeyring"
PASSWORD = "correct horse battery staple"


def write_password(path: Path, password: str = PASSWORD, mode: int = 0o600) -> Path:
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def crypt_env(tmp_path: Path) -> dict[str, str]:
    password_file = write_password(tmp_path / "keyring-password")
    return server_env(tmp_path, CRYPTFILE, PUBLISHER_KEYRING_PASSWORD_FILE=str(password_file))


def keyring_file(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "python_keyring" / "cryptfile_pass.cfg"


def store_token_record(env: dict[str, str], expires_at: datetime) -> None:
    """What ``accounts login`` keeps beside an X token, written as the service user."""
    record = json.dumps({"expires_at": expires_at.isoformat(), "client_id": "client-123",
                         "refresh_token": "x-refresh-1"})
    code = ("import sys; from publisher.services.secrets import set_secret; "
            "set_secret('mfa-x', sys.stdin.read().strip(), 'oauth')")
    done = subprocess.run([sys.executable, "-c", code], input=record, env=env, text=True,
                          capture_output=True, timeout=120, start_new_session=True)
    assert done.returncode == 0, done.stderr


def bearers(server: FakeX) -> list[str]:
    return [r.headers["authorization"].removeprefix("Bearer ")
            for r in server.requests_to("POST", "/2/tweets")]


def test_set_secret_flush_and_a_rotated_token_without_a_terminal(
    x_home: Path, x_server: FakeX, crypt_env: dict[str, str]
) -> None:
    stored = headless(x_home, crypt_env, "accounts", "set-secret", "mfa-x", stdin=TOKEN + "\n")
    assert stored.code == 0, stored.err
    store_token_record(crypt_env, NOW + timedelta(minutes=2))
    outputs = [stored]

    # Due with a token about to expire: renewed, the new pair stored back, published.
    queue_post(x_home, "first", NOW)
    outputs.append(headless(x_home, crypt_env, "flush", "--now", NOW.isoformat()))
    assert outputs[-1].code == 0, outputs[-1].err
    assert bearers(x_server) == ["x-access-2"] and x_server.refresh_tokens == {"x-refresh-2"}
    kept = keyring_file(crypt_env)
    assert kept.stat().st_mode & 0o777 == 0o600
    assert not {"x-access-2", "x-refresh-2", TOKEN} & set(kept.read_text().split())

    # The next flush, in a new process, uses the stored new token without renewing it.
    later = NOW + timedelta(minutes=30)
    queue_post(x_home, "second", later)
    outputs.append(headless(x_home, crypt_env, "flush", "--now", later.isoformat()))
    assert outputs[-1].code == 0, outputs[-1].err
    assert bearers(x_server)[-1] == "x-access-2"
    assert len(x_server.requests_to("POST", "/2/oauth2/token")) == 1

    # Once that one expires, the rotated refresh token that was stored back renews it.
    much_later = NOW + timedelta(hours=3)
    queue_post(x_home, "third", much_later)
    outputs.append(headless(x_home, crypt_env, "flush", "--now", much_later.isoformat()))
    assert outputs[-1].code == 0, outputs[-1].err
    assert bearers(x_server)[-1] == "x-access-3" and x_server.refresh_tokens == {"x-refresh-3"}
    assert [item["state"] for item in items(x_home)] == ["sent"] * 3
    for result in outputs:
        for secret in (TOKEN, PASSWORD, "x-access-2", "x-refresh-1", "x-refresh-2"):
            assert secret not in result.out + result.err


def test_systemd_credential_opens_the_same_keyring(
    x_home: Path, x_server: FakeX, crypt_env: dict[str, str], tmp_path: Path
) -> None:
    credentials = tmp_path / "credentials"  # what LoadCredential= makes: 0500 folder, 0400 file
    credentials.mkdir(mode=0o500)
    write_password(credentials / "keyring-password", mode=0o400)
    unit_env = {key: value for key, value in crypt_env.items()
                if key != "PUBLISHER_KEYRING_PASSWORD_FILE"}
    unit_env["CREDENTIALS_DIRECTORY"] = str(credentials)
    stored = headless(x_home, unit_env, "accounts", "set-secret", "mfa-x", stdin=TOKEN + "\n")
    assert stored.code == 0, stored.err
    queue_post(x_home, "first", NOW)
    flushed = headless(x_home, crypt_env, "flush", "--now", NOW.isoformat())
    assert flushed.code == 0, flushed.err
    assert bearers(x_server) == [TOKEN]


# Every way the server keyring can fail: one line naming the fix, for set-secret and
# for the flush, whose queued post stays queued.


@pytest.fixture(scope="module")
def made_keyring(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A keyring file made with PASSWORD (holding one token), copied into each test."""
    folder = tmp_path_factory.mktemp("made-keyring")
    env = server_env(folder, CRYPTFILE, PUBLISHER_KEYRING_PASSWORD_FILE=str(
        write_password(folder / "keyring-password")))
    code = "from publisher.services.secrets import set_secret; set_secret('mfa-x', 'x-old')"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120, start_new_session=True)
    assert done.returncode == 0, done.stderr
    return keyring_file(env)


def _wrong_password(env: dict[str, str], tmp_path: Path) -> None:
    write_password(Path(env["PUBLISHER_KEYRING_PASSWORD_FILE"]), "not the password")


def _missing_password_file(env: dict[str, str], tmp_path: Path) -> None:
    env["PUBLISHER_KEYRING_PASSWORD_FILE"] = str(tmp_path / "nowhere" / "keyring-password")


def _password_file_0644(env: dict[str, str], tmp_path: Path) -> None:
    Path(env["PUBLISHER_KEYRING_PASSWORD_FILE"]).chmod(0o644)


def _empty_password_file(env: dict[str, str], tmp_path: Path) -> None:
    write_password(Path(env["PUBLISHER_KEYRING_PASSWORD_FILE"]), "")


def _no_password_file_named(env: dict[str, str], tmp_path: Path) -> None:
    del env["PUBLISHER_KEYRING_PASSWORD_FILE"]


def _unreadable_keyring_file(env: dict[str, str], tmp_path: Path) -> None:
    # A folder where the file should be: unreadable even for root, unlike chmod 000.
    path = keyring_file(env)
    path.unlink()
    path.mkdir()


def _damaged_keyring_file(env: dict[str, str], tmp_path: Path) -> None:
    keyring_file(env).write_text("this is not a keyring\n", encoding="utf-8")


def _prompting_backend_with_a_password_file(env: dict[str, str], tmp_path: Path) -> None:
    env["PYTHON_KEYRING_BACKEND"] = ALT_ENCRYPTED


def _backend_not_installed(env: dict[str, str], tmp_path: Path) -> None:
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.not_installed.Keyring"


FAILURES = {
    "wrong password": (_wrong_password, "password is wrong"),
    "missing password file": (_missing_password_file, "No such file"),
    "password file 0644": (_password_file_0644, "chmod 600"),
    "empty password file": (_empty_password_file, "is empty"),
    "no password file named": (_no_password_file_named, "PUBLISHER_KEYRING_PASSWORD_FILE"),
    "unreadable keyring file": (_unreadable_keyring_file, "cannot read or write the keyring"),
    "damaged keyring file": (_damaged_keyring_file, "file is damaged"),
    "keyrings.alt with a password file": (_prompting_backend_with_a_password_file,
                                          "cannot take its password from a file"),
    "backend not installed": (_backend_not_installed, "pip install"),
}


@pytest.mark.parametrize("case", FAILURES)
def test_each_keyring_failure_is_one_line_naming_the_fix(
    case: str, x_home: Path, x_server: FakeX, crypt_env: dict[str, str], made_keyring: Path,
    tmp_path: Path,
) -> None:
    keyring_file(crypt_env).parent.mkdir(parents=True)
    shutil.copy2(made_keyring, keyring_file(crypt_env))
    queue_post(x_home, "due", NOW)
    break_it, fix = FAILURES[case]
    break_it(crypt_env, tmp_path)

    stored = headless(x_home, crypt_env, "accounts", "set-secret", "mfa-x", stdin=TOKEN + "\n")
    assert fix in assert_one_line_error(stored, TOKEN, PASSWORD)
    flushed = headless(x_home, crypt_env, "flush", "--now", NOW.isoformat())
    assert fix in assert_one_line_error(flushed, PASSWORD, "x-old")
    assert [item["state"] for item in items(x_home)] == ["queued"]
    assert x_server.tweets == []


# Whatever a backend raises at get, set or delete is one KeyringUnavailable line.


class RaisingKeyring(KeyringBackend):
    """A backend whose every call fails the way a real one can."""

    priority = 1  # type: ignore[assignment]
    file_path = "/srv/press/.local/share/python_keyring/cryptfile_pass.cfg"

    def __init__(self, error: BaseException):
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


BACKEND_ERRORS = {
    "EOFError": (EOFError(), "no terminal"),
    "ValueError": (ValueError("MAC check failed"), "password is wrong"),
    "AssertionError": (AssertionError(), "password is wrong"),
    "KeyError": (KeyError("salt"), "file is damaged"),
    "configparser.Error": (configparser.MissingSectionHeaderError("f", 1, "x"),
                           "file is damaged"),
    "PermissionError": (PermissionError(13, "Permission denied", "/srv/press/keyring"),
                        "Permission denied"),
    "OSError": (OSError(28, "No space left on device"), "No space left"),
    "KeyringLocked": (keyring.errors.KeyringLocked("locked"), "locked"),
    "NoKeyringError": (keyring.errors.NoKeyringError("none"), "no usable keyring"),
    "RuntimeError": (RuntimeError("no backend"), "no usable keyring"),
    "InitError": (keyring.errors.InitError("dbus"), "no usable keyring"),
    "TypeError": (TypeError("odd"), "the keyring failed"),
}


@pytest.fixture
def raising_keyring():
    from publisher.services import secrets

    saved = keyring.get_keyring()
    yield lambda error: keyring.set_keyring(RaisingKeyring(error))
    keyring.set_keyring(saved)
    secrets._opened = None


@pytest.mark.parametrize("case", BACKEND_ERRORS)
def test_every_backend_failure_becomes_one_line(case: str, raising_keyring) -> None:
    from publisher.services.secrets import (
        KeyringUnavailable,
        delete_secret,
        get_secret,
        set_secret,
    )

    error, says = BACKEND_ERRORS[case]
    raising_keyring(error)
    for call in (lambda: get_secret("mfa-x"), lambda: set_secret("mfa-x", "s3cret-token"),
                 lambda: delete_secret("mfa-x", "oauth")):
        with pytest.raises(KeyringUnavailable) as caught:
            call()
        text = str(caught.value)
        assert says in text and "\n" not in text and "s3cret-token" not in text
        assert caught.value.hint


def test_adapters_read_an_unavailable_keyring_as_no_secret(raising_keyring, caplog) -> None:
    from publisher.services.secrets import KeyringSecrets

    raising_keyring(ValueError("MAC check failed"))
    secrets = KeyringSecrets()
    assert secrets.get("mfa-x") is None
    secrets.set("mfa-x", "s3cret-token", "oauth")  # logged, not raised: the run goes on
    assert "password is wrong" in caplog.text and "s3cret-token" not in caplog.text
