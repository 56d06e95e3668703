"""Which adapter serves which account, built with its secret, session and clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import requests

from publisher.domain.accounts import Account
from publisher.platforms import instagram, linkedin, threads
from publisher.platforms.base import Adapter, Checkpoints, MemoryCheckpoints, SecretStore
from publisher.platforms.bluesky import BlueskyAdapter
from publisher.platforms.common.http import make_session
from publisher.platforms.facebook import FacebookAdapter
from publisher.platforms.mastodon import MastodonAdapter
from publisher.platforms.outbox import OutboxAdapter
from publisher.platforms.telegram import TelegramAdapter
from publisher.platforms.x import XAdapter

# Adapters made from the whole registry (they read its session, secrets,
# clock, checkpoints, media folder and sleep).
_FACTORIES = {
    "instagram": instagram.make_adapter,
    "threads": threads.make_adapter,
    "linkedin": linkedin.make_adapter,
}


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
        self.session = session or make_session()
        # The flush puts the queue's own here before the first adapter is made.
        self.checkpoints: Checkpoints = checkpoints or MemoryCheckpoints()
        self._made: dict[str, Adapter] = {}

    def for_account(self, account: Account) -> Adapter:
        if account.id not in self._made:
            self._made[account.id] = self._make(account)
        return self._made[account.id]

    def _make(self, account: Account) -> Adapter:
        base = account.effective_api_base or ""
        if account.platform == "outbox":
            return OutboxAdapter(self.outbox_dir, account.id, account.handle, self.clock)
        if account.platform == "mastodon":
            return MastodonAdapter(base, self.secrets.get(account.id), self.session, self.clock)
        if account.platform == "bluesky":
            return BlueskyAdapter(account.id, base, account.handle, self.secrets, self.session,
                                  self.clock)
        if account.platform == "x":
            return XAdapter(account.id, base, account.handle, self.secrets, self.session,
                            self.clock)
        if account.platform == "facebook":
            return FacebookAdapter(base, self.secrets.get(account.id), account.handle,
                                   self.session, self.clock)
        if account.platform == "telegram":
            return TelegramAdapter(base, self.secrets.get(account.id), account.handle,
                                   self.session, self.clock)
        if account.platform in _FACTORIES:
            return _FACTORIES[account.platform](account, self)
        raise UnsupportedPlatform(
            f"publishing to {account.platform} is not available in this version yet"
        )
