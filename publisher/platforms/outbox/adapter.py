"""The offline ``outbox`` platform: "publishes" by writing JSON files.

Used by the demo and by every test above the adapters. Each post becomes
``<home>/outbox/<account>/<idempotency key>.json``; the key makes a second
attempt find the first, so the outbox is idempotent like the best real APIs.
The folders must stay inside the workspace (a link leading out is refused),
and a record is written once, never through a link nor over another file.

A video is recorded like an image, with its subtitle files (locale and file name),
so that the demo can "send" one; any video the probe reads is taken.

A file ``<home>/outbox/<account>/refuse.txt`` makes the account refuse every post,
edit and deletion (a rejection, as a platform would), with the file's text as the
reason: the demo shows a failed post that way, and a trainer can make one.

The crisis kit's steps keep the records write-once: deleting a post writes
``<key>.deleted.json`` beside its record (deleting again, or a post whose record is
gone, is done already), an edit writes ``<key>.edit-<n>.json`` (an edit to the text
the post has now writes nothing). For tests and training, a file
``<home>/outbox/<account>/cannot.txt`` makes the account say what a platform's API
cannot do, one line each: ``delete: <why>`` and ``edit: <why>``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from publisher.domain.accounts import Account
from publisher.domain.results import Engagement
from publisher.domain.video import VideoLimits
from publisher.i18n import N_
from publisher.platforms.base import (
    NOT_FOUND,
    Abilities,
    Identity,
    MediaFile,
    NotFound,
    Post,
    Published,
    Rejected,
    TokenStatus,
    Unsupported,
)
from publisher.storage.atomic import write_new
from publisher.storage.paths import leads_inside
from publisher.storage.workspace import OUTBOX_REFUSAL

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

_SAFE_KEY = re.compile(r"[A-Za-z0-9._-]{1,200}")
# The test and training switch of what the account cannot do (see above).
OUTBOX_CANNOT = "cannot.txt"
_EDIT_NUMBER = re.compile(r"\.edit-(\d+)\.json$")
NO_METRICS = N_("the outbox is a local folder: nobody reads it, so it has no engagement")
# Any video the probe reads, with its subtitles.
VIDEO = VideoLimits(max_bytes=2**63, max_seconds=float("inf"),
                    containers=frozenset({"mp4", "mov", "webm"}),
                    video_codecs=frozenset({"h264", "hevc", "vp8", "vp9", "av1"}),
                    subtitles=True)


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
        problems += [f"missing image {m.path.name}" for m in post.media
                     if not m.is_video and not m.path.is_file()]
        if any(m.is_video for m in post.media):
            from publisher.platforms.common.video import video_post_problems

            problems += video_post_problems("the outbox", post.media, VIDEO)
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
            "media": [_media_record(m) for m in post.media],
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

    # The crisis kit: what is done to a post already published

    @property
    def abilities(self) -> Abilities:
        cannot = self._cannot()
        return Abilities(delete="delete" not in cannot, edit="edit" not in cannot,
                         why_not_delete=cannot.get("delete", ""),
                         why_not_edit=cannot.get("edit", ""), metrics=False,
                         why_no_metrics=NO_METRICS, video=VIDEO)

    def _cannot(self) -> dict[str, str]:
        """What cannot.txt says the account cannot do, and why."""
        try:
            text = (self.folder / self.account_id / OUTBOX_CANNOT).read_text(
                encoding="utf-8", errors="replace")
        except (FileNotFoundError, NotADirectoryError):
            return {}
        found: dict[str, str] = {}
        for line in text.splitlines():
            ability, _sep, why = line.partition(":")
            if ability.strip() in ("delete", "edit"):
                found[ability.strip()] = why.strip() or f"{OUTBOX_CANNOT} says so"
        return found

    def delete(self, target: Published, post: Post) -> None:
        record = self._path(target.remote_id)
        if self._read(record) is None:
            return  # already gone: done
        why = self._cannot().get("delete")
        if why is not None:
            raise Unsupported(why)
        self._check_refusal()
        mark = record.with_name(f"{target.remote_id}.deleted.json")
        if self._read_any(mark):
            return  # deleted before
        deleted = {"id": target.remote_id, "account": self.account_id, "item": post.item_id,
                   "deleted_at": self.clock().astimezone(UTC).isoformat()}
        # Another attempt may have deleted it meanwhile: done all the same.
        with contextlib.suppress(FileExistsError):
            write_new(mark, json.dumps(deleted, ensure_ascii=False, indent=2) + "\n")

    def edit(self, target: Published, post: Post) -> Published:
        record = self._path(target.remote_id)
        if self._read(record) is None or self._read_any(
                record.with_name(f"{target.remote_id}.deleted.json")):
            raise Rejected(f"{self._shown(record)} is gone; nothing to edit")
        why = self._cannot().get("edit")
        if why is not None:
            raise Unsupported(why)
        problems = self.validate(post)
        if problems:
            raise Rejected("; ".join(problems))
        self._check_refusal()
        edits = self._edits(target.remote_id)
        latest = json.loads((edits[-1][1] if edits else record).read_text(encoding="utf-8"))
        if (latest.get("text"), latest.get("content_warning", "")) == (
                post.text, post.content_warning):
            return Published(target.remote_id, record.resolve().as_uri())  # edited before
        number = edits[-1][0] + 1 if edits else 1
        edited = {"id": target.remote_id, "account": self.account_id, "item": post.item_id,
                  "text": post.text, "edited_at": self.clock().astimezone(UTC).isoformat()}
        if post.content_warning:
            edited["content_warning"] = post.content_warning
        path = record.with_name(f"{target.remote_id}.edit-{number}.json")
        try:
            write_new(path, json.dumps(edited, ensure_ascii=False, indent=2) + "\n")
        except FileExistsError:
            raise Rejected(f"{self._shown(path)} appeared while writing it; not written"
                           ) from None
        return Published(target.remote_id, record.resolve().as_uri())

    def _edits(self, key: str) -> list[tuple[int, Path]]:
        """The post's edit records, oldest first."""
        found = []
        for path in (self.folder / self.account_id).glob(f"{key}.edit-*.json"):
            number = _EDIT_NUMBER.search(path.name)
            if number and self._read_any(path):
                found.append((int(number.group(1)), path))
        return sorted(found)

    def _read_any(self, path: Path) -> bool:
        """Whether a record exists (a link or anything but a file there is refused)."""
        return self._read(path) is not None

    def engagement(self, target: Published, post: Post) -> Engagement:
        """Nobody reads the outbox: nothing to count."""
        raise Unsupported(NO_METRICS)

    def locate(self, url: str) -> Published:
        """A record's ``file:`` URL, as the outbox gives it, of this account's folder."""
        parts = urlparse(url)
        path = Path(unquote(parts.path)) if parts.scheme == "file" else None
        account = (self.folder / self.account_id).resolve()
        if path is None or path.parent != account or not path.name.endswith(".json") \
                or not _SAFE_KEY.fullmatch(path.name[:-5]) or "." in path.name[:-5]:
            raise Rejected(f"{url} is not a post of {self.folder.name}/{self.account_id}")
        found = self._read(self._path(path.name[:-5]))
        if found is None:
            raise Rejected(f"{url}: no such post in {self.folder.name}/{self.account_id}")
        return found


def _media_record(media: MediaFile) -> dict[str, object]:
    """An image or video as the record shows it (a video with its subtitle files)."""
    record: dict[str, object] = {"file": media.path.name, "alt": media.alt}
    if media.subtitles:
        record["subtitles"] = [{"locale": s.locale, "file": s.path.name}
                               for s in media.subtitles]
    return record
