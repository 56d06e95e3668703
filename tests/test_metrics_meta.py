"""Facebook, Instagram and Threads engagement, read from the loopback fakes over real
HTTP: each platform's counts mapped onto Engagement, insights a token may not read, a
post gone, and the failure kinds as for publishing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fakes.base import FakeServer, Scripted
from fakes.facebook import FakeFacebook
from fakes.instagram import FakeInstagram
from fakes.meta import FakeMeta
from fakes.meta import graph_error as meta_error
from fakes.threads import FakeThreads
from metrics_helpers import NOW, adapter_for, post_of

from publisher.domain.results import Engagement
from publisher.platforms.base import (
    Adapter,
    AuthFailed,
    Post,
    Published,
    RateLimited,
    Rejected,
    Transient,
    Unsupported,
)


@dataclass
class Kit:
    """One platform: its fake, its adapter, a post there with its counts set, what
    those counts read as, and how to remove the post."""

    server: FakeServer
    adapter: Adapter
    target: Published
    post: Post
    expected: Engagement
    route: str  # "METHOD /path" of the call a scripted failure answers
    gone: Callable[[], None]
    refuse_insights: Callable[[], None]


def facebook(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeFacebook())
    adapter, account = adapter_for(tmp_path, "facebook", server.url, server.page_id,
                                   server.token)
    post = post_of(account, "Dita e hapur në ambasadë")
    target = adapter.publish(post, "key-fb")
    server.counts[target.remote_id] = {"reactions": 120, "comments": 14, "shares": 9,
                                       "views": 5400}

    def refuse() -> None:
        server.insights_refused = True

    return Kit(server, adapter, target, post,
               Engagement(likes=120, reposts=9, replies=14, impressions=5400),
               f"GET /v23.0/{target.remote_id}",
               lambda: server.posts.clear(), refuse)


def placed(server: FakeMeta, text: str) -> Published:
    """A post already on the platform (as the fake's own record)."""
    media_id = server.new_id()
    server.posts.append({"id": media_id, "text": text, "container": None, "reply_to": None,
                         "published_at": server.now,
                         "permalink": f"{server.permalink_base}{media_id}/"})
    return Published(media_id, f"{server.permalink_base}{media_id}/")


def instagram(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeInstagram())
    adapter, account = adapter_for(tmp_path, "instagram", server.url, server.user_id,
                                   "ig-token")
    target = placed(server, "Flamuri")
    server.counts[target.remote_id] = {"likes": 230, "comments": 31, "shares": 12,
                                       "views": 8800, "reach": 6100, "saved": 40}

    def refuse() -> None:
        server.insights_refused = True

    return Kit(server, adapter, target, post_of(account, "Flamuri"),
               Engagement(likes=230, reposts=12, replies=31, impressions=8800),
               f"GET /v23.0/{target.remote_id}", lambda: server.posts.clear(), refuse)


def threads(stack: ExitStack, tmp_path: Path) -> Kit:
    server = stack.enter_context(FakeThreads())
    adapter, account = adapter_for(tmp_path, "threads", server.url, server.user_id,
                                   "th-token")
    target = placed(server, "Mirëmëngjes")
    server.counts[target.remote_id] = {"views": 990, "likes": 44, "replies": 6,
                                       "reposts": 3, "quotes": 1, "shares": 2}

    def refuse() -> None:
        server.insights_refused = True

    return Kit(server, adapter, target, post_of(account, "Mirëmëngjes"),
               Engagement(likes=44, reposts=3, replies=6, quotes=1, impressions=990),
               f"GET /v1.0/{target.remote_id}/insights", lambda: server.posts.clear(),
               refuse)


KITS = {"facebook": facebook, "instagram": instagram, "threads": threads}


@pytest.fixture(params=list(KITS))
def kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kit]:
    with ExitStack() as stack:
        yield KITS[request.param](stack, tmp_path)


def test_the_counts_are_mapped_onto_engagement(kit: Kit) -> None:
    assert kit.adapter.abilities.metrics
    assert kit.adapter.engagement(kit.target, kit.post) == kit.expected


def test_insights_refused_leave_the_views_unknown_but_read_the_rest(kit: Kit) -> None:
    kit.refuse_insights()
    if kit.adapter.platform == "threads":  # its insights are its only counts
        with pytest.raises(Unsupported, match="threads_manage_insights") as refused:
            kit.adapter.engagement(kit.target, kit.post)
        assert refused.value.remedy is not None
        return
    counts = kit.adapter.engagement(kit.target, kit.post)
    assert counts.impressions is None
    assert (counts.likes, counts.replies) == (kit.expected.likes, kit.expected.replies)
    if kit.adapter.platform == "facebook":  # shares are a field of the post there
        assert counts.reposts == kit.expected.reposts


def test_a_post_gone_is_rejected(kit: Kit) -> None:
    kit.gone()
    with pytest.raises(Rejected):
        kit.adapter.engagement(kit.target, kit.post)


def test_a_429_is_rate_limited_until_meta_says(kit: Kit) -> None:
    usage = {"1234": [{"type": "pages", "call_count": 100, "total_cputime": 20,
                       "total_time": 30, "estimated_time_to_regain_access": 12}]}
    kit.server.fail_next(kit.route, Scripted(
        429, meta_error(4, "Application request limit reached"),
        {"X-Business-Use-Case-Usage": json.dumps(usage)}))
    with pytest.raises(RateLimited) as limited:
        kit.adapter.engagement(kit.target, kit.post)
    assert limited.value.retry_after == NOW + timedelta(minutes=12)


def test_a_401_is_an_auth_failure(kit: Kit) -> None:
    kit.server.fail_next(kit.route, Scripted(
        401, meta_error(190, "Error validating access token: Session has expired")))
    with pytest.raises(AuthFailed):
        kit.adapter.engagement(kit.target, kit.post)


@pytest.mark.parametrize("status", [500, 503])
def test_a_5xx_is_transient(kit: Kit, status: int) -> None:
    kit.server.fail_next(kit.route, Scripted(status, meta_error(
        2, "An unexpected error has occurred. Please retry your request later.",
        is_transient=True)))
    with pytest.raises(Transient):
        kit.adapter.engagement(kit.target, kit.post)


def test_facebook_asks_for_views_by_the_metric_that_is_current(tmp_path: Path) -> None:
    with ExitStack() as stack:
        kit = facebook(stack, tmp_path)
        kit.adapter.engagement(kit.target, kit.post)
        asked = kit.server.requests_to("GET", f"/v23.0/{kit.target.remote_id}/insights")
        # post_impressions was retired on 15 November 2025: the fake refuses it.
        assert [r.query["metric"] for r in asked] == [["post_media_view"]]


def test_an_instagram_media_without_views_data_reads_its_reach(tmp_path: Path) -> None:
    with ExitStack() as stack:
        kit = instagram(stack, tmp_path)
        assert isinstance(kit.server, FakeInstagram)
        del kit.server.counts[kit.target.remote_id]["views"]  # no data: left out
        assert kit.adapter.engagement(kit.target, kit.post).impressions == 6100
