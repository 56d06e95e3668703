"""Which adapter serves which account, built with its secret, session and clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher.domain.accounts import Account
from publisher.platforms.base import Adapter, Checkpoints, MemoryCheckpoints, SecretStore

if TYPE_CHECKING:
    import requests

# Each platform's adapter (or factory), imported when an account of that platform is
# first served: a flush with nothing to send loads none of them.
_ADAPTERS = {
    "outbox": "publisher.platforms.outbox:OutboxAdapter",
    "mastodon": "publisher.platforms.mastodon:MastodonAdapter",
    "bluesky": "publisher.platforms.bluesky:BlueskyAdapter",
    "x": "publisher.platforms.x:XAdapter",
    "facebook": "publisher.platforms.facebook:FacebookAdapter",
    "telegram": "publisher.platforms.telegram:TelegramAdapter",
    # Made from the whole registry (they read its session, secrets, clock,
    # checkpoints, media folder and sleep).
    "instagram": "publisher.platforms.instagram:make_adapter",
    "threads": "publisher.platforms.threads:make_adapter",
    "linkedin": "publisher.platforms.linkedin:make_adapter",
}


def _default_session() -> requests.Session:
    from publisher.platforms.http import make_session

    return make_session()


def _adapter_of(platform: str) -> Any:
    module, name = _ADAPTERS[platform].split(":")
    return getattr(import_module(module), name)


class UnsupportedPlatform(Exception):
    pass


class Adapters:
    """Makes one adapter per account and keeps it for the run (one shared session)."""

    def __init__(
        self,
        *,
        outbox_dir: Path,
        secrets: SecretStore,
        clock: Callable[[], datetime],
        session: requests.Session | None = None,
        checkpoints: Checkpoints | None = None,
        media_dir: Path | None = None,
        make_session: Callable[[], requests.Session] = _default_session,
    ):
        self.outbox_dir = outbox_dir
        # The workspace's media/ folder: Instagram and Threads publish its
        # files from the account's media_url.
        self.media_dir = media_dir or outbox_dir.parent / "media"
        # Whether validate() may ask the web whether an image is at its public
        # URL. The flush turns it off: at send time the platform's own fetch
        # answers that, and a website down for a minute must not fail a post.
        self.check_reachability = True
        # How adapters wait between polls of a platform (tests pass a fake).
        self.sleep: Callable[[float], None] = time.sleep
        self.secrets = secrets
        self.clock = clock
        # The shared session, made when an adapter first asks for it: a flush with
        # nothing to send never loads the HTTP stack.
        self._session = session
        self._make_session = make_session
        # The flush puts the queue's own here before the first adapter is made.
        self.checkpoints: Checkpoints = checkpoints or MemoryCheckpoints()
        self._made: dict[str, Adapter] = {}

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = self._make_session()
        return self._session

    def for_account(self, account: Account) -> Adapter:
        if account.id not in self._made:
            self._made[account.id] = self._make(account)
        return self._made[account.id]

    def _make(self, account: Account) -> Adapter:
        base = account.effective_api_base or ""
        if account.platform not in _ADAPTERS:
            raise UnsupportedPlatform(
                f"publishing to {account.platform} is not available in this version yet"
            )
        make = _adapter_of(account.platform)
        if account.platform == "outbox":
            return make(self.outbox_dir, account.id, account.handle, self.clock)
        if account.platform == "mastodon":
            return make(base, self.secrets.get(account.id), self.session, self.clock)
        if account.platform == "bluesky":
            return make(account.id, base, account.handle, self.secrets, self.session,
                        self.clock)
        if account.platform == "x":
            return make(account.id, base, account.handle, self.secrets, self.session,
                        self.clock)
        if account.platform == "facebook":
            return make(base, self.secrets.get(account.id), account.handle,
                        self.session, self.clock)
        if account.platform == "telegram":
            return make(base, self.secrets.get(account.id), account.handle,
                        self.session, self.clock)
        return make(account, self)  # instagram, threads, linkedin
