"""X's engagement: GET /2/tweets/:id's public (and, for a young post, non-public)
metrics, read from the loopback fake over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.base import Scripted
from fakes.x import FakeX
from metrics_helpers import NOW, adapter_for, post_of

from publisher.domain.results import Engagement
from publisher.platforms.base import (
    AuthFailed,
    Post,
    Published,
    RateLimited,
    Rejected,
    Transient,
    Unsupported,
)

COUNTS = {"like": 41, "retweet": 7, "reply": 5, "quote": 2, "impression": 1830,
          "url_link_clicks": 64}


@pytest.fixture
def server() -> Iterator[FakeX]:
    with FakeX() as fake:
        yield fake


def sent(server: FakeX, tmp_path: Path, text: str, age: timedelta = timedelta(hours=24)
         ) -> tuple[object, Published, Post]:
    """A post made ``age`` ago (the adapter's clock is NOW) with the counts set."""
    adapter, account = adapter_for(tmp_path, "x", server.url, "@embassy", "x-access-token")
    post = post_of(account, text, due_at=NOW - age)
    target = adapter.publish(post, "key-1")
    server.metrics[target.remote_id] = dict(COUNTS)
    return adapter, target, post


def fields_asked(server: FakeX, target: Published) -> list[str]:
    return [r.query["tweet.fields"][0] for r in server.requests_to(
        "GET", f"/2/tweets/{target.remote_id}")]


def test_counts_of_a_young_post_with_a_link_include_its_link_clicks(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path, "Lexoni: https://example.org/a")
    assert adapter.engagement(target, post) == Engagement(
        likes=41, reposts=7, replies=5, quotes=2, impressions=1830, clicks=64)
    assert fields_asked(server, target) == ["public_metrics,non_public_metrics"]


def test_a_post_without_a_link_has_no_link_clicks_to_report(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path, "Mirëmëngjes")
    counts = adapter.engagement(target, post)
    assert counts.clicks is None
    assert (counts.likes, counts.impressions) == (41, 1830)


def test_a_post_over_29_days_old_asks_for_the_public_counts_only(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path, "Lexoni: https://example.org/b",
                                 age=timedelta(days=40))
    counts = adapter.engagement(target, post)
    assert fields_asked(server, target) == ["public_metrics"]
    assert counts == Engagement(likes=41, reposts=7, replies=5, quotes=2, impressions=1830)


def test_non_public_counts_refused_still_read_the_public_ones(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path, "Lexoni: https://example.org/c")
    server.private_refused = True
    counts = adapter.engagement(target, post)
    assert fields_asked(server, target) == ["public_metrics,non_public_metrics",
                                            "public_metrics"]
    assert counts == Engagement(likes=41, reposts=7, replies=5, quotes=2, impressions=1830)


def test_a_post_gone_is_rejected(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path, "Fshihet")
    adapter.delete(target, post)
    with pytest.raises(Rejected, match="resource-not-found"):
        adapter.engagement(target, post)


def test_an_app_without_post_lookup_cannot_read_counts(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path, "Niveli i qasjes")
    server.not_enrolled = True
    with pytest.raises(Unsupported, match="access level"):
        adapter.engagement(target, post)


def test_a_429_is_rate_limited_until_xs_reset(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path, "Shumë kërkesa")
    reset = int((NOW + timedelta(minutes=15)).timestamp())
    server.fail_next(f"GET /2/tweets/{target.remote_id}",
                     Scripted(429, {"title": "Too Many Requests", "status": 429},
                              {"x-rate-limit-reset": str(reset)}))
    with pytest.raises(RateLimited) as limited:
        adapter.engagement(target, post)
    assert limited.value.retry_after == datetime.fromtimestamp(reset, UTC)


def test_a_401_is_an_auth_failure(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path, "Token")
    server.fail_next(f"GET /2/tweets/{target.remote_id}",
                     Scripted(401, {"title": "Unauthorized", "status": 401,
                                    "detail": "Unauthorized"}))
    with pytest.raises(AuthFailed):
        adapter.engagement(target, post)


@pytest.mark.parametrize("status", [500, 503])
def test_a_5xx_is_transient(server, tmp_path, status: int) -> None:
    adapter, target, post = sent(server, tmp_path, f"Gabim {status}")
    server.fail_next(f"GET /2/tweets/{target.remote_id}",
                     Scripted(status, {"title": "Service Unavailable", "status": status}))
    with pytest.raises(Transient):
        adapter.engagement(target, post)
