"""Secrets (tokens, app passwords) in the system keyring, never in a file.

Service name ``publisher``, user name = the account id. Which keyring backend
is used is keyring's own configuration (``PYTHON_KEYRING_BACKEND`` or
keyringrc.cfg), so headless hosts and tests pick a file or memory backend
without code here knowing.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors

from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.platforms.tokens import OAUTH_PART

SERVICE = "publisher"
log = logging.getLogger("publisher.secrets")


class KeyringUnavailable(UserError):
    """No usable keyring backend on this machine."""


def _unavailable(error: Exception) -> KeyringUnavailable:
    return KeyringUnavailable(
        _("no usable keyring to keep secrets in ({kind})").format(kind=type(error).__name__),
        hint=_(
            "start a Secret Service such as gnome-keyring, or on a headless host "
            "'pip install keyrings.alt' and set "
            "PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring"
        ),
    )


def _secret_key(account_id: str, part: str | None) -> str:
    # Extra parts (a Bluesky session, a refresh token) sit beside the main secret.
    return account_id if part is None else f"{account_id}:{part}"


def get_secret(account_id: str, part: str | None = None) -> str | None:
    try:
        return keyring.get_password(SERVICE, _secret_key(account_id, part))
    except (keyring.errors.KeyringError, RuntimeError) as error:
        raise _unavailable(error) from None


def set_secret(account_id: str, secret: str, part: str | None = None) -> None:
    if not secret or secret != secret.strip() or "\n" in secret:
        raise UserError(_("the secret is empty or has spaces around it"))
    try:
        keyring.set_password(SERVICE, _secret_key(account_id, part), secret)
    except (keyring.errors.KeyringError, RuntimeError) as error:
        raise _unavailable(error) from None


def delete_secret(account_id: str, part: str | None = None) -> bool:
    """Remove a secret; False when there was none."""
    try:
        keyring.delete_password(SERVICE, _secret_key(account_id, part))
    except keyring.errors.PasswordDeleteError:
        return False
    except (keyring.errors.KeyringError, RuntimeError) as error:
        raise _unavailable(error) from None
    return True


def store_by_hand(account_id: str, platform: str, secret: str) -> None:
    """What ``accounts set-secret`` stores: the secret, and nothing of the old one's.

    A new Bluesky app password makes the kept session go; the token record
    (expiry, refresh token) described the old token, and a token stored by
    hand has none (``accounts login`` writes both together).
    """
    set_secret(account_id, secret)
    if platform == "bluesky":
        delete_secret(account_id, "session")
    delete_secret(account_id, OAUTH_PART)


def has_secret(account_id: str) -> bool | None:
    """Whether a secret is stored; None when the keyring cannot be asked."""
    try:
        return get_secret(account_id) is not None
    except KeyringUnavailable:
        return None


class KeyringSecrets:
    """The keyring for adapters: an unreachable keyring reads as "no secret".

    The adapter then reports an auth failure, which holds the account and
    tells the person what to do; a flush never dies on it.
    """

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
