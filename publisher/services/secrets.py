"""Secrets (tokens, app passwords) in the system keyring, never in a file of ours.

Service name ``publisher``, user name = the account id. Which keyring backend
is used is keyring's own configuration (``PYTHON_KEYRING_BACKEND`` or
keyringrc.cfg), so headless hosts and tests pick a file or memory backend
without code here knowing.

A file backend locked by a password (keyrings.cryptfile, the one the README
advises for a server) gets that password here, never on a terminal nobody
watches: from systemd's credential ``keyring-password`` (``LoadCredential=``,
read from ``$CREDENTIALS_DIRECTORY``) or from the file named by
``$PUBLISHER_KEYRING_PASSWORD_FILE``, readable by its owner only. The password
stays out of argv and of the environment. Every failure of the keyring, of
whatever type its backend raises, is one :class:`KeyringUnavailable` line that
names the fix and never the secret.
"""

from __future__ import annotations

import configparser
import inspect
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.platforms.common.token_records import OAUTH_PART, SESSION_PART

SERVICE = "publisher"
PASSWORD_FILE_VARIABLE = "PUBLISHER_KEYRING_PASSWORD_FILE"
CREDENTIAL = "keyring-password"  # systemd: LoadCredential=keyring-password:/etc/...
SERVER_BACKEND = "keyrings.cryptfile.cryptfile.CryptFileKeyring"
PROBE = ":probe"  # a name no account has (ids have no colon): "does the keyring answer?"
log = logging.getLogger("publisher.secrets")
T = TypeVar("T")

# The backend this process has given its password to (it keeps it for the run).
_opened: KeyringBackend | None = None


class KeyringUnavailable(UserError):
    """The keyring cannot be used: none, locked, no password, a wrong one, a bad file."""


def _server_hint() -> str:
    return _("on a server use PYTHON_KEYRING_BACKEND={backend} with a password file, "
             "see the README's 'Secrets on a server'").format(backend=SERVER_BACKEND)


def _password_file_hint() -> str:
    return _("put the keyring's password in a file only this user can read, mode 600, and "
             "name it in {variable}, or give it to the systemd unit with "
             "LoadCredential={credential}:FILE").format(variable=PASSWORD_FILE_VARIABLE,
                                                        credential=CREDENTIAL)


def _no_terminal(backend: KeyringBackend | None) -> KeyringUnavailable:
    hint = _password_file_hint() if backend is not None and _takes_password(backend) \
        else _server_hint()
    return KeyringUnavailable(
        _("the keyring asks for its password and there is no terminal to type it on"),
        hint=hint)


def _unavailable(error: Exception, backend: KeyringBackend | None) -> KeyringUnavailable:
    """One line for whatever a keyring backend raised: what is wrong, and the fix."""
    keyring_file = getattr(backend, "file_path", None)
    kind = type(error).__name__
    if isinstance(error, EOFError):  # a password prompt read an empty standard input
        return _no_terminal(backend)
    if isinstance(error, keyring.errors.KeyringLocked):
        return KeyringUnavailable(_("the keyring is locked"), hint=_(
            "unlock it in the desktop session, or {server}").format(server=_server_hint()))
    if isinstance(error, ImportError):
        return KeyringUnavailable(
            _("the keyring backend named by PYTHON_KEYRING_BACKEND or keyringrc.cfg cannot "
              "be loaded ({kind})").format(kind=kind),
            hint=_("install it: pip install 'publisher[server]' brings keyrings.cryptfile"))
    if isinstance(error, OSError):
        return KeyringUnavailable(
            _("cannot read or write the keyring file: {reason}").format(
                reason=error.strerror or kind),
            where=str(error.filename or keyring_file or "") or None,
            hint=_("the user that runs publisher must own the file and its folder, and the "
                   "disk needs room"))
    if isinstance(error, ValueError | AssertionError | KeyError | configparser.Error):
        # Wrong passwords end in ValueError (cryptfile's MAC check, "Incorrect Password")
        # or AssertionError (keyrings.alt); a damaged file in parse or decode errors.
        return KeyringUnavailable(
            _("the keyring cannot be opened: the password is wrong, or the file is damaged"),
            where=str(keyring_file) if keyring_file else None,
            hint=_("check the password in {file}; if it is right, restore the keyring file "
                   "from a backup or set the secrets again").format(
                file=_password_file() or _("the keyring's password file")))
    if isinstance(error, keyring.errors.KeyringError | RuntimeError):
        return KeyringUnavailable(
            _("no usable keyring to keep secrets in ({kind})").format(kind=kind),
            hint=_("start a Secret Service such as gnome-keyring, or {server}").format(
                server=_server_hint()))
    return KeyringUnavailable(_("the keyring failed ({kind})").format(kind=kind),
                              hint=_server_hint())


# Opening the keyring: the password of a file backend


def _asks_for_password(backend: KeyringBackend) -> bool:
    """Encrypted file backends (keyrings.cryptfile, keyrings.alt) keep it as ``keyring_key``."""
    return inspect.getattr_static(type(backend), "keyring_key", None) is not None


def _takes_password(backend: KeyringBackend) -> bool:
    """Whether setting ``keyring_key`` checks it against the file (keyrings.cryptfile).

    keyrings.alt's attribute takes any value unchecked, so a wrong password would
    write secrets no other run can read: that backend is only for a terminal.
    """
    static = inspect.getattr_static(type(backend), "keyring_key", None)
    return isinstance(static, property) and static.fset is not None


def _has_terminal() -> bool:
    """Whether a password prompt reaches a person (getpass asks on /dev/tty)."""
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError:
        # No controlling terminal (cron, systemd, setsid); getpass would read the
        # password from standard input, which holds the secret or nothing.
        return sys.platform == "win32" and sys.stdin is not None and sys.stdin.isatty()
    return True


def _password_file() -> Path | None:
    """systemd's credential first (LoadCredential=), then $PUBLISHER_KEYRING_PASSWORD_FILE."""
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials and (Path(credentials) / CREDENTIAL).exists():
        return Path(credentials) / CREDENTIAL
    named = os.environ.get(PASSWORD_FILE_VARIABLE)
    return Path(named).expanduser() if named else None


def _read_password(path: Path) -> str:
    """The password in ``path``: one line, in a file no other user can read or change."""
    hint = _("write the keyring's password in it, readable by this user only: chmod 600")
    try:
        if path.stat().st_mode & 0o077:
            raise KeyringUnavailable(
                _("the keyring's password file can be read or changed by other users"),
                where=str(path), hint=_("chmod 600 {path}").format(path=path))
        password = path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or _("not UTF-8 text")
        raise KeyringUnavailable(
            _("cannot read the keyring's password file: {reason}").format(reason=reason),
            where=str(path), hint=hint) from None
    if not password.strip():
        raise KeyringUnavailable(_("the keyring's password file is empty"), where=str(path),
                                 hint=hint)
    return password


def _give_password(backend: KeyringBackend) -> None:
    """Give a password-locked file backend its password, or refuse in one line."""
    if not _asks_for_password(backend):
        return
    path = _password_file()
    if path is None:
        if _has_terminal():
            return  # a person is there: the backend asks them itself
        raise _no_terminal(backend)
    if not _takes_password(backend):
        raise KeyringUnavailable(
            _("{backend} cannot take its password from a file").format(
                backend=f"{type(backend).__module__}.{type(backend).__qualname__}"),
            where=str(path), hint=_server_hint())
    password = _read_password(path)
    keyring_file = Path(backend.file_path)  # type: ignore[attr-defined]
    if keyring_file.exists():
        # configparser skips a file it cannot open, and the backend would then start
        # a new keyring over the old one: a file it cannot read stops here.
        keyring_file.open("rb").close()
    # keyrings.cryptfile checks it against the file (ValueError when wrong), or starts
    # a new file with it.
    backend.keyring_key = password  # type: ignore[attr-defined]


def _with_keyring(action: Callable[[KeyringBackend], T]) -> T:
    """Run ``action`` on keyring's backend, opened; any failure is one KeyringUnavailable."""
    global _opened
    backend = None
    try:
        backend = keyring.get_keyring()
        if backend is not _opened:
            _give_password(backend)
            _opened = backend
        return action(backend)
    except KeyringUnavailable:
        raise
    except Exception as error:  # backends are plugins: they raise what they like
        log.debug("keyring failure", exc_info=True)
        raise _unavailable(error, backend) from None


def _secret_key(account_id: str, part: str | None) -> str:
    # Extra parts (a Bluesky session, a refresh token) sit beside the main secret.
    return account_id if part is None else f"{account_id}:{part}"


def require_keyring() -> None:
    """Raise KeyringUnavailable unless the keyring opens and answers (reads no secret)."""
    _with_keyring(lambda backend: backend.get_password(SERVICE, PROBE))


def get_secret(account_id: str, part: str | None = None) -> str | None:
    key = _secret_key(account_id, part)
    return _with_keyring(lambda backend: backend.get_password(SERVICE, key))


def set_secret(account_id: str, secret: str, part: str | None = None) -> None:
    if not secret or secret != secret.strip() or "\n" in secret:
        raise UserError(_("the secret is empty or has spaces around it"))
    key = _secret_key(account_id, part)
    _with_keyring(lambda backend: backend.set_password(SERVICE, key, secret))


def delete_secret(account_id: str, part: str | None = None) -> bool:
    """Remove a secret; False when there was none."""
    key = _secret_key(account_id, part)

    def delete(backend: KeyringBackend) -> bool:
        try:
            backend.delete_password(SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            return False
        return True

    return _with_keyring(delete)


def store_by_hand(account_id: str, platform: str, secret: str) -> None:
    """What ``accounts set-secret`` stores: the secret, and nothing of the old one's.

    A new Bluesky app password makes the kept session go; the token record
    (expiry, refresh token) described the old token, and a token stored by
    hand has none (``accounts login`` writes both together).
    """
    set_secret(account_id, secret)
    if platform == "bluesky":
        delete_secret(account_id, SESSION_PART)
    delete_secret(account_id, OAUTH_PART)


def has_secret(account_id: str) -> bool | None:
    """Whether a secret is stored; None when the keyring cannot be asked."""
    try:
        return get_secret(account_id) is not None
    except KeyringUnavailable:
        return None


class KeyringSecrets:
    """The keyring for adapters: an unreachable keyring reads as "no secret".

    Screens and checks that merely look at an account go on with a logged
    line. The flush asks :meth:`require_open` before anything moves, so a
    keyring that does not open stops it with the fix, not with posts held as
    if the account's login had failed.
    """

    def require_open(self) -> None:
        require_keyring()

    def get(self, account_id: str, part: str | None = None) -> str | None:
        try:
            return get_secret(account_id, part)
        except KeyringUnavailable as error:
            log.error("%s", error)
            return None

    def set(self, account_id: str, value: str, part: str | None = None) -> None:
        try:
            set_secret(account_id, value, part)
        except UserError as error:
            # The value stays usable for this run; the next run starts over.
            log.error("could not store %s for %s: %s", part or "the secret", account_id, error)
