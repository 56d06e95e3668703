"""publisher resolve ITEM --posted URL | --not-posted: a person decides an unknown item.

The item is made unknown as a crash would leave it (queued, claimed, then unknown),
in the real queue file; the outbox adapter checks the URL a person gives.
"""

from __future__ import annotations

import json
import os
import pwd
from datetime import UTC, datetime
from pathlib import Path

import pytest
from queue_helpers import add_account, cli, history, items, schedule, write_draft

from publisher.domain.accounts import Account
from publisher.domain.queue import State
from publisher.platforms.base import Published, Unsupported
from publisher.platforms.outbox.adapter import OutboxAdapter
from publisher.platforms.registry import Adapters
from publisher.services import corrections
from publisher.services.context import open_context
from publisher.storage.queue import Queue

NOW = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
LATER = "2026-12-01T09:30:00+01:00"


@pytest.fixture
def unknown(home: Path) -> tuple[Path, int]:
    """A post the outbox took, whose item a crash left ``unknown``."""
    add_account(home, "box", "--platform", "outbox", "--locales", "sq")
    write_draft(home, "news", ["box"])
    (item_id,) = schedule(home, "news")
    with Queue(home / "queue.sqlite3", create=False) as queue:
        queue.move(item_id, State.QUEUED, State.SENDING, now=NOW, actor="flush")
        queue.move(item_id, State.SENDING, State.UNKNOWN, now=NOW, actor="flush")
        item = queue.get(item_id)
    assert item is not None
    return home, item_id


def _post_in_outbox(home: Path, item_id: int) -> str:
    """What the platform has: the outbox record of the item's key. Its URL."""
    with Queue(home / "queue.sqlite3", create=False) as queue:
        item = queue.get(item_id)
    assert item is not None
    context = open_context(home)
    adapter = OutboxAdapter(home / "outbox", "box")
    from publisher.platforms.base import Post

    published = adapter.publish(Post(context.accounts["box"], item.text, item.locales),
                                item.idempotency_key)
    assert published.url is not None
    return published.url


def test_posted_with_a_url_the_platform_confirms(unknown: tuple[Path, int]) -> None:
    home, item_id = unknown
    url = _post_in_outbox(home, item_id)
    result = cli(home, "resolve", str(item_id), "--posted", url, "--now", LATER)
    assert result.code == 0, result.err
    assert "the platform confirmed it" in result.out
    (item,) = items(home)
    assert item["state"] == "sent" and item["url"] == url
    frm, to, who = history(home, item_id)[-1]
    assert (frm, to) == ("unknown", "sent")
    assert who == pwd.getpwuid(os.getuid()).pw_name
    # The journal knows it went out: scheduling it there again needs --again.
    again = cli(home, "schedule", "news", "--at", LATER, "--now", LATER)
    assert again.code == 2 and "already published" in again.err


def test_a_url_that_is_not_this_accounts_post_is_refused(unknown: tuple[Path, int]) -> None:
    home, item_id = unknown
    result = cli(home, "resolve", str(item_id), "--posted", "https://example.org/p/1",
                 "--now", LATER)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "is not a post of box" in result.err
    assert items(home)[0]["state"] == "unknown"


def test_not_posted_queues_it_again_and_the_flush_sends_it(unknown: tuple[Path, int]) -> None:
    home, item_id = unknown
    result = cli(home, "resolve", str(item_id), "--not-posted", "--now", LATER)
    assert result.code == 0, result.err
    assert items(home)[0]["state"] == "queued"
    assert history(home, item_id)[-1][:2] == ("unknown", "queued")
    assert cli(home, "flush", "--now", LATER).code == 0
    assert items(home)[0]["state"] == "sent"


def test_only_an_unknown_item_is_resolved(unknown: tuple[Path, int]) -> None:
    home, item_id = unknown
    assert cli(home, "resolve", str(item_id), "--not-posted", "--now", LATER).code == 0
    result = cli(home, "resolve", str(item_id), "--not-posted", "--now", LATER)
    assert result.code == 2 and "only an unknown item" in result.err
    missing = cli(home, "resolve", "999", "--not-posted", "--now", LATER)
    assert missing.code == 2 and "no queue item 999" in missing.err


class _CannotLocate(OutboxAdapter):
    """An outbox that cannot read a post's id from a URL, as some platforms cannot."""

    def locate(self, url: str) -> Published:
        raise Unsupported("no way to look a post up by its URL")


class _Adapters(Adapters):
    def for_account(self, account: Account):  # type: ignore[override]
        return _CannotLocate(self.outbox_dir, account.id)


def test_the_persons_word_is_recorded_when_the_platform_cannot_confirm(
        unknown: tuple[Path, int]) -> None:
    home, item_id = unknown
    context = open_context(home)
    adapters = _Adapters(outbox_dir=context.workspace.outbox_dir, secrets=None,  # type: ignore[arg-type]
                         clock=lambda: NOW)
    resolved = corrections.resolve_posted(
        context, item_id, "https://platform.example/p/42", who="ardita", clock=lambda: NOW,
        adapters=adapters)
    assert not resolved.confirmed
    assert resolved.item.state == State.SENT
    assert resolved.item.url == "https://platform.example/p/42"
    assert resolved.item.remote_id is None
    with Queue(home / "queue.sqlite3", create=False) as queue:
        row = queue.history(item_id)[-1]
    assert row.actor == "ardita" and "could not confirm" in row.reason
    journal = [json.loads(line) for line in
               (home / "journal.jsonl").read_text().splitlines()]
    assert journal[-1]["url"] == "https://platform.example/p/42"


def test_the_login_name_comes_from_the_system_not_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "somebody-else")
    monkeypatch.setenv("USER", "somebody-else")
    assert corrections.login_name() == pwd.getpwuid(os.getuid()).pw_name


def test_an_unknown_items_fix_is_to_resolve_it(unknown: tuple[Path, int]) -> None:
    home, item_id = unknown
    (item,) = items(home)
    assert item["fix"] == f"publisher resolve {item_id} --posted URL"
