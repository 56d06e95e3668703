"""LinkedIn's engagement: a post's social actions (likes, comments) and, for a page's
post, the organization's share statistics (impressions, clicks, reshares), read from
the loopback fake over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from fakes.base import Scripted
from fakes.linkedin import FakeLinkedIn
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

COUNTS = {"likes": 52, "comments": 8, "shares": 6, "impressions": 2400, "unique": 1900,
          "clicks": 75}


@pytest.fixture
def server() -> Iterator[FakeLinkedIn]:
    with FakeLinkedIn() as fake:
        yield fake


def sent(server: FakeLinkedIn, tmp_path: Path, author: str | None = None
         ) -> tuple[object, Published, Post]:
    author = author or server.organization
    adapter, account = adapter_for(tmp_path, "linkedin", server.url, author,
                                   "li-access-token")
    urn = server.add_post(author, "Java e kulturës")
    server.counts[urn] = dict(COUNTS)
    return adapter, Published(urn, f"https://www.linkedin.com/feed/update/{urn}/"), post_of(
        account, "Java e kulturës")


def actions_route(target: Published) -> str:
    return f"GET /rest/socialActions/{quote(target.remote_id, safe='')}"


def test_a_page_post_reads_social_actions_and_share_statistics(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path)
    assert adapter.engagement(target, post) == Engagement(
        likes=52, reposts=6, replies=8, impressions=2400, clicks=75)
    stats = server.requests_to("GET", "/rest/organizationalEntityShareStatistics")
    assert stats[0].query["shares"] == [f"List({target.remote_id})"]


def test_without_the_admin_scope_a_page_post_reads_likes_and_comments(server, tmp_path
                                                                      ) -> None:
    adapter, target, post = sent(server, tmp_path)
    server.org_admin = False  # no rw_organization_admin: statistics refused (403)
    assert adapter.engagement(target, post) == Engagement(likes=52, replies=8)


def test_a_members_post_is_unsupported_without_partner_access(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path, server.person)
    with pytest.raises(Unsupported, match="r_member_social"):
        adapter.engagement(target, post)


def test_a_members_post_with_partner_access_reads_likes_and_comments(server, tmp_path
                                                                     ) -> None:
    adapter, target, post = sent(server, tmp_path, server.person)
    server.member_can_read = True
    assert adapter.engagement(target, post) == Engagement(likes=52, replies=8)
    assert not server.requests_to("GET", "/rest/organizationalEntityShareStatistics")


def test_a_post_gone_is_rejected(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path)
    adapter.delete(target, post)
    with pytest.raises(Rejected, match="no post"):
        adapter.engagement(target, post)


def test_a_429_is_rate_limited_after_retry_after(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path)
    server.fail_next(actions_route(target), Scripted(
        429, {"status": 429, "message": "Resource level throttle APPLICATION DAY limit for "
              "calls to this resource is reached."}, {"Retry-After": "60"}))
    with pytest.raises(RateLimited) as limited:
        adapter.engagement(target, post)
    assert limited.value.retry_after == NOW + timedelta(seconds=60)


def test_a_401_is_an_auth_failure(server, tmp_path) -> None:
    adapter, target, post = sent(server, tmp_path)
    server.fail_next(actions_route(target), Scripted(
        401, {"status": 401, "code": "EXPIRED_ACCESS_TOKEN", "serviceErrorCode": 65601,
              "message": "The token used in the request has expired"}))
    with pytest.raises(AuthFailed):
        adapter.engagement(target, post)


@pytest.mark.parametrize("status", [500, 503])
def test_a_5xx_is_transient(server, tmp_path, status: int) -> None:
    adapter, target, post = sent(server, tmp_path)
    server.fail_next(actions_route(target), Scripted(
        status, {"status": status, "message": "Internal Server Error"}))
    with pytest.raises(Transient):
        adapter.engagement(target, post)
