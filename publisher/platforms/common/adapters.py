"""What adapters share in their make-up: the fields, and how one is built for an account.

- :class:`TokenAdapter`: the one stored secret is the token it sends
  (Mastodon, a Facebook page, a Telegram bot);
- :class:`KeyringAdapter`: it reads the keyring itself, for what renews its
  token or session (X, Bluesky).

Neither shows a secret in its repr.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Self

from publisher.domain.accounts import Account
from publisher.domain.remedies import Remedy, log_in, set_account
from publisher.platforms.base import AuthFailed, SecretStore

if TYPE_CHECKING:
    import requests

    from publisher.platforms.registry import Adapters


@dataclass(repr=False)
class TokenAdapter:
    base_url: str
    token: str | None
    session: requests.Session
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # The account it posts for: named in the remedy of a failure (log in to it again).
    account_id: str | None = field(default=None, kw_only=True)
    _secrets: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self._secrets = (self.token,) if self.token else ()

    def __repr__(self) -> str:  # never show the token
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _missing_token(self, what: str) -> AuthFailed:
        """No token stored: a person logs in (to the account, when this adapter knows it)."""
        return AuthFailed(f"no {what} stored",
                          remedy=log_in(self.account_id) if self.account_id else None)

    def _set_handle(self, value: str) -> Remedy | None:
        """Give the account's handle ``value`` (when this adapter knows the account)."""
        return set_account(self.account_id, "handle", value) if self.account_id else None

    @classmethod
    def for_account(cls, account: Account, adapters: Adapters, **fields: object) -> Self:
        """The account's adapter with its stored token and the run's session and clock."""
        return cls(account.effective_api_base or "", adapters.secrets.get(account.id),
                   adapters.session, adapters.clock, account_id=account.id, **fields)


@dataclass(repr=False)
class KeyringAdapter:
    account_id: str
    base_url: str
    handle: str | None
    secrets: SecretStore
    session: requests.Session
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account_id={self.account_id!r}, base_url={self.base_url!r})"

    @classmethod
    def for_account(cls, account: Account, adapters: Adapters) -> Self:
        """The account's adapter with the run's keyring, session and clock."""
        return cls(account.id, account.effective_api_base or "", account.handle,
                   adapters.secrets, adapters.session, adapters.clock)
