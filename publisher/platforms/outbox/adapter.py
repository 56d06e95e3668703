"""The offline ``outbox`` platform: "publishes" by writing JSON files.

Used by the demo and by every test above the adapters. Each post becomes
``<home>/outbox/<account>/<idempotency key>.json``; the key makes a second
attempt find the first, so the outbox is idempotent like the best real APIs.
The folders must stay inside the workspace (a link leading out is refused),
and a record is written once, never through a link nor over another file.

A file ``<home>/outbox/<account>/refuse.txt`` makes the account refuse every post
(a rejection, as a platform would), with the file's text as the reason: the demo
shows a failed post that way, and a trainer can make one.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.domain.accounts import Account
from publisher.platforms.base import (
    NOT_FOUND,
    Identity,
    NotFound,
    Post,
    Published,
    Rejected,
    TokenStatus,
)
from publisher.storage.atomic import write_new
from publisher.storage.paths import leads_inside
from publisher.storage.workspace import OUTBOX_REFUSAL

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

_SAFE_KEY = re.compile(r"[A-Za-z0-9._-]{1,200}")


def make_adapter(account: Account, adapters: Adapters) -> OutboxAdapter:
    return OutboxAdapter(adapters.outbox_dir, account.id, account.handle, adapters.clock)


@dataclass
class OutboxAdapter:
    folder: Path
    account_id: str
    label: str | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    platform: str = "outbox"

    def _path(self, idempotency_key: str) -> Path:
        if not _SAFE_KEY.fullmatch(idempotency_key):
            raise Rejected(f"unusable idempotency key {idempotency_key!r}")
        return self.folder / self.account_id / f"{idempotency_key}.json"

    def _check_folders(self) -> None:
        """The outbox inside the workspace, the account's folder inside the outbox."""
        account = self.folder / self.account_id
        if not leads_inside(self.folder, self.folder.parent) or not leads_inside(
                account, self.folder):
            raise Rejected(f"{self.folder.name}/{self.account_id} leads out of the workspace; "
                           "make it a plain folder")

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
        self._check_refusal()
        self.folder.mkdir(parents=True, exist_ok=True)
        path.parent.mkdir(exist_ok=True)
        self._check_folders()  # again: a link may have been made meanwhile
        record: dict[str, object] = {
            "id": idempotency_key,
            "account": self.account_id,
            "draft": post.draft_id,
            "item": post.item_id,
            "locales": list(post.locales),
            "text": post.text,
            "media": [{"file": m.path.name, "alt": m.alt} for m in post.media],
            "published_at": self.clock().astimezone(UTC).isoformat(),
        }
        if post.reply_to is not None:  # a thread's reply or a first comment
            record.update(kind=str(post.kind), reply_to=post.reply_to.remote_id,
                          root=post.root.remote_id if post.root else None)
        if post.content_warning:
            record["content_warning"] = post.content_warning
        if post.options.given():
            record["options"] = {name: getattr(post.options, name)
                                 for name in post.options.given()}
        if post.card is not None:  # the preview card another platform would show
            record["card"] = {
                "url": post.card.url, "title": post.card.title,
                "description": post.card.description,
                "image": post.card.thumb.path.name if post.card.thumb else None,
            }
        try:
            write_new(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        except FileExistsError:
            raise Rejected(f"{self._shown(path)} appeared while writing it; not written") from None
        return Published(idempotency_key, path.resolve().as_uri())

    def _read(self, path: Path) -> Published | None:
        """The earlier record of this key; a link or anything but a file there is refused."""
        self._check_folders()
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return None
        if not stat.S_ISREG(mode):
            raise Rejected(f"{self._shown(path)} is not a plain file; move it away")
        return Published(path.stem, path.resolve().as_uri())

    def _check_refusal(self) -> None:
        """Refuse the post when the account's folder holds a refusal file (see above)."""
        try:
            reason = (self.folder / self.account_id / OUTBOX_REFUSAL).read_text(
                encoding="utf-8", errors="replace").strip()
        except (FileNotFoundError, NotADirectoryError):
            return
        raise Rejected(reason or f"{self.folder.name}/{self.account_id}/{OUTBOX_REFUSAL} "
                       "refuses every post")

    def _shown(self, path: Path) -> str:
        return f"{self.folder.name}/{self.account_id}/{path.name}"

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        return self._read(self._path(idempotency_key)) or NOT_FOUND

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        return True

    def token_status(self) -> TokenStatus:
        # The outbox needs no token.
        return TokenStatus(None)

    def check(self) -> Identity:
        return Identity(self.label or self.account_id, self.folder.resolve().as_uri())
