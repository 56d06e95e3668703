"""Which adapter serves which account, built with its secret, session and clock.

Every platform's adapter module has one factory, ``make_adapter(account,
adapters)``: it builds the account's adapter from what :class:`Adapters`
holds for the run (session, keyring, clock, checkpoints, folders, sleep).
:data:`ADAPTER_MODULES` says which module that is for each platform; a
module is imported the first time an account of its platform is met, so a
run that meets no account loads no adapter.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.domain.accounts import Account
from publisher.platforms.base import Adapter, Checkpoints, MemoryCheckpoints, SecretStore
from publisher.platforms.common.progress import Progress, log_progress

if TYPE_CHECKING:
    import requests

# platform -> the module whose make_adapter(account, adapters) builds its adapter.
ADAPTER_MODULES: dict[str, str] = {
    "outbox": "publisher.platforms.outbox.adapter",
    "mastodon": "publisher.platforms.mastodon.adapter",
    "bluesky": "publisher.platforms.bluesky.adapter",
    "x": "publisher.platforms.x.adapter",
    "facebook": "publisher.platforms.meta.facebook",
    "instagram": "publisher.platforms.meta.instagram",
    "threads": "publisher.platforms.meta.threads",
    "telegram": "publisher.platforms.telegram.adapter",
    "linkedin": "publisher.platforms.linkedin.adapter",
}

Factory = Callable[[Account, "Adapters"], Adapter]


def _default_session() -> requests.Session:
    from publisher.platforms.common.http import make_session

    return make_session()


class UnsupportedPlatform(Exception):
    pass


def factory_for(platform: str) -> Factory:
    """The platform's make_adapter (its module imported now)."""
    module = ADAPTER_MODULES.get(platform)
    if module is None:
        raise UnsupportedPlatform(
            f"publishing to {platform} is not available in this version yet"
        )
    return importlib.import_module(module).make_adapter


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
        # Told how far each video upload got (the log by default; the TUI shows it).
        self.progress: Progress = log_progress
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
            self._made[account.id] = factory_for(account.platform)(account, self)
        return self._made[account.id]
