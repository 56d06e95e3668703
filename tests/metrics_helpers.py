"""What the per-platform metrics tests share: an adapter made by the registry (the
real keyring backend, a fixed clock) for an account on a loopback fake, and a post."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from publisher.domain.accounts import Account, make_account
from publisher.platforms.base import Adapter, Post
from publisher.platforms.registry import Adapters
from publisher.services.secrets import KeyringSecrets, set_secret

NOW = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)


def adapter_for(tmp_path: Path, platform: str, base: str, handle: str, secret: str,
                now: datetime = NOW) -> tuple[Adapter, Account]:
    set_secret(platform, secret)
    account = make_account(platform, platform, locales=["sq"], api_base=base, handle=handle)
    adapters = Adapters(outbox_dir=tmp_path / "outbox", secrets=KeyringSecrets(),
                        clock=lambda: now, media_dir=tmp_path / "media")
    adapters.sleep = lambda seconds: None
    return adapters.for_account(account), account


def post_of(account: Account, text: str, due_at: datetime = NOW) -> Post:
    return Post(account, text, ("sq",), due_at=due_at)

