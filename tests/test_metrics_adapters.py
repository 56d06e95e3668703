"""Each adapter's ``engagement``: the counts its platform's API gives for one post, read
from the loopback fakes (Mastodon, Bluesky), or why it cannot (Telegram, the outbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.base import Scripted
from fakes.bluesky import FakeBluesky
from fakes.mastodon import FakeMastodon
from fakes.telegram import FakeTelegram

from publisher.domain.accounts import make_account
from publisher.domain.results import Engagement
from publisher.platforms.base import (
    AuthFailed,
    Post,
    Published,
    RateLimited,
    Rejected,
    Unsupported,
)
from publisher.platforms.bluesky.adapter import BlueskyAdapter
from publisher.platforms.common.http import make_session
from publisher.platforms.mastodon.adapter import MastodonAdapter
from publisher.platforms.outbox.adapter import OutboxAdapter
from publisher.platforms.telegram.adapter import TelegramAdapter

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Secrets:
    def __init__(self, **values: str) -> None:
        self.values = {(k, None): v for k, v in values.items()}

    def get(self, account_id: str, part: str | None = None) -> str | None:
        return self.values.get((account_id, part))

    def set(self, account_id: str, value: str, part: str | None = None) -> None:
        self.values[(account_id, part)] = value


def _post(platform: str) -> Post:
    base = "https://example.test" if platform in ("mastodon", "bluesky") else None
    account = make_account("acc", platform, locales=["sq"], api_base=base)
    return Post(account, "Lajm", ("sq",), due_at=NOW)


def test_mastodon_reads_the_status_counts() -> None:
    with FakeMastodon(token="tok") as server:
        adapter = MastodonAdapter(server.url, "tok", make_session(), clock=lambda: NOW)
        published = adapter.publish(_post("mastodon"), "pub-1")
        server.set_counts(published.remote_id, favourites=12, reblogs=3, replies=2, quotes=1)
        assert adapter.engagement(published, _post("mastodon")) == Engagement(
            likes=12, reposts=3, replies=2, quotes=1)
        (read,) = server.requests_to("GET", f"/api/v1/statuses/{published.remote_id}")
        assert read.headers["authorization"] == "Bearer tok"


def test_mastodon_before_quotes_leaves_them_unknown_and_a_deleted_status_is_gone() -> None:
    with FakeMastodon(token="tok") as server:
        server.quotes = False
        adapter = MastodonAdapter(server.url, "tok", make_session(), clock=lambda: NOW)
        published = adapter.publish(_post("mastodon"), "pub-1")
        counts = adapter.engagement(published, _post("mastodon"))
        assert counts == Engagement(likes=0, reposts=0, replies=0, quotes=None)
        adapter.delete(published, _post("mastodon"))
        with pytest.raises(Rejected):
            adapter.engagement(published, _post("mastodon"))


def test_mastodon_failures_keep_their_kinds() -> None:
    with FakeMastodon(token="tok") as server:
        adapter = MastodonAdapter(server.url, "tok", make_session(), clock=lambda: NOW)
        published = adapter.publish(_post("mastodon"), "pub-1")
        path = f"GET /api/v1/statuses/{published.remote_id}"
        server.fail_next(path, Scripted(429, {"error": "Too many requests"},
                                        {"X-RateLimit-Reset": "2026-12-01T09:05:00Z"}))
        with pytest.raises(RateLimited) as limited:
            adapter.engagement(published, _post("mastodon"))
        assert limited.value.retry_after == datetime(2026, 12, 1, 9, 5, tzinfo=UTC)
        wrong = MastodonAdapter(server.url, "wrong", make_session(), clock=lambda: NOW)
        with pytest.raises(AuthFailed):
            wrong.engagement(published, _post("mastodon"))


def test_bluesky_reads_get_posts_through_the_pds_with_its_session() -> None:
    with FakeBluesky() as server:
        adapter = BlueskyAdapter("acc", server.url, server.user_handle,
                                 Secrets(acc=server.password), make_session(), lambda: NOW)
        published = adapter.publish(_post("bluesky"), "pub-1")
        server.set_counts(published.remote_id, likes=40, reposts=7, replies=5, quotes=2)
        assert adapter.engagement(published, _post("bluesky")) == Engagement(
            likes=40, reposts=7, replies=5, quotes=2)
        (read,) = server.requests_to("GET", "/xrpc/app.bsky.feed.getPosts")
        assert read.query["uris"] == [published.remote_id]
        assert read.headers["authorization"].startswith("Bearer ")
        adapter.delete(published, _post("bluesky"))
        with pytest.raises(Rejected):  # getPosts leaves out what is gone
            adapter.engagement(published, _post("bluesky"))


def test_telegram_and_the_outbox_say_why_they_cannot_count(tmp_path: Path) -> None:
    with FakeTelegram() as server:
        telegram = TelegramAdapter(server.url, "1:abc", make_session(), chat="@mfa")
        assert not telegram.abilities.metrics
        assert telegram.abilities.why_no_metrics == "Telegram bots cannot read a message's views"
        with pytest.raises(Unsupported):
            telegram.engagement(Published("5"), _post("telegram"))
        assert server.requests == []  # not one request
    outbox = OutboxAdapter(tmp_path / "outbox", "box")
    assert not outbox.abilities.metrics and "outbox" in outbox.abilities.why_no_metrics
    with pytest.raises(Unsupported):
        outbox.engagement(Published("k"), _post("outbox"))
