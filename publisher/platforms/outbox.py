"""The offline ``outbox`` platform: "publishes" by writing JSON files.

Used by the demo and by every test above the adapters. Each post becomes
``<home>/outbox/<account>/<idempotency key>.json``; the key makes a second
attempt find the first, so the outbox is idempotent like the best real APIs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from publisher.platforms.base import (
    NOT_FOUND,
    Identity,
    NotFound,
    Post,
    Published,
    Rejected,
    TokenStatus,
)
from publisher.storage.atomic import write_atomic

_SAFE_KEY = re.compile(r"^[A-Za-z0-9._-]{1,200}$")


@dataclass
class OutboxAdapter:
    folder: Path
    account_id: str
    label: str | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    platform: str = "outbox"

    def _path(self, idempotency_key: str) -> Path:
        if not _SAFE_KEY.match(idempotency_key):
            raise Rejected(f"unusable idempotency key {idempotency_key!r}")
        return self.folder / self.account_id / f"{idempotency_key}.json"

    def validate(self, post: Post) -> list[str]:
        problems = []
        if not post.text.strip() and not post.media:
            problems.append("the post is empty")
        problems += [f"missing image {m.path.name}" for m in post.media if not m.path.is_file()]
        return problems

    def publish(self, post: Post, idempotency_key: str) -> Published:
        path = self._path(idempotency_key)
        earlier = self._read(path)
        if earlier is not None:
            return earlier
        problems = self.validate(post)
        if problems:
            raise Rejected("; ".join(problems))
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "id": idempotency_key,
            "account": self.account_id,
            "draft": post.draft_id,
            "item": post.item_id,
            "locales": list(post.locales),
            "text": post.text,
            "media": [{"file": m.path.name, "alt": m.alt} for m in post.media],
            "published_at": self.clock().astimezone(UTC).isoformat(),
        }
        write_atomic(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return Published(idempotency_key, path.resolve().as_uri())

    def _read(self, path: Path) -> Published | None:
        if not path.is_file():
            return None
        return Published(path.stem, path.resolve().as_uri())

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        return self._read(self._path(idempotency_key)) or NOT_FOUND

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        return True

    def token_status(self) -> TokenStatus:
        # The outbox needs no token.
        return TokenStatus(None)

    def check(self) -> Identity:
        return Identity(self.label or self.account_id, self.folder.resolve().as_uri())
