"""The crisis kit end to end on every platform: schedule and flush a draft with its
thread or first comment, then ``retract``, ``correct`` and ``resolve`` through the
command line, against each platform's loopback fake (tests/fakes), with accounts and
secrets set as a person does (``accounts add``, ``accounts set-secret``).

What each fake holds afterwards is what the platform would show: every part gone
after a retraction (on Instagram the post stays, with its URL in the plan, and its
first comment goes), the new text after a correction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_cli
from fakes.base import FakeServer, Scripted
from fakes.bluesky import FakeBluesky
from fakes.facebook import FakeFacebook
from fakes.instagram import FakeInstagram
from fakes.linkedin import FakeLinkedIn
from fakes.mastodon import FakeMastodon
from fakes.meta import FakeMeta, MediaServer, jpeg_bytes
from fakes.meta import graph_error as meta_error
from fakes.telegram import FakeTelegram
from fakes.threads import FakeThreads
from fakes.x import FakeX
from queue_helpers import T0, cli, items, schedule

from publisher.domain.posttypes import FIRST_COMMENT, ThreadMode, thread_mode
from publisher.domain.queue import State
from publisher.platforms.common.token_records import write_token_meta
from publisher.services.secrets import KeyringSecrets
from publisher.storage.queue import Queue

LATER = "2026-12-01T09:10:00+01:00"
LATER_STILL = "2026-12-01T09:20:00+01:00"
WRONG = "Thirrni 112 për ndihmë."
RIGHT = "Thirrni 192 për ndihmë."
PLATFORMS = ("mastodon", "bluesky", "x", "facebook", "instagram", "threads", "linkedin",
             "telegram")
# The correction's default way on each platform (README, "what each platform allows").
EDITS = {"mastodon", "facebook", "linkedin", "telegram"}
REPOSTS = {"bluesky", "x", "threads"}


@dataclass
class Platform:
    """One platform's fake, the account ``acct`` on it, and what the fake shows."""

    name: str
    server: FakeServer
    live: Callable[[], list[str]]  # the texts of every post and comment still there
    image: bool = False  # a post there needs one (Instagram)

    @property
    def thread(self) -> bool:
        return thread_mode(self.name) == ThreadMode.REPLIES

    @property
    def comment(self) -> bool:
        return self.name in FIRST_COMMENT


def _add(home: Path, *args: str, secret: str) -> None:
    added = run_cli("--home", str(home), "accounts", "add", "acct", *args, "--locales", "sq")
    assert added.code == 0, added.err
    result = run_cli("--home", str(home), "accounts", "set-secret", "acct",
                     stdin=secret + "\n")
    assert result.code == 0, result.err


def _meta_live(server: FakeMeta) -> list[str]:
    return [p["text"] for p in server.posts] + [
        c["text"] for comments in server.comments.values() for c in comments]


def open_platform(name: str, stack: ExitStack, home: Path) -> Platform:
    enter = stack.enter_context
    if name == "mastodon":
        md = enter(FakeMastodon())
        _add(home, "--platform", "mastodon", "--api-base", md.url, secret=md.token)
        return Platform(name, md, lambda: [s["text"] for s in md.statuses])
    if name == "bluesky":
        bsky = enter(FakeBluesky())
        _add(home, "--platform", "bluesky", "--api-base", bsky.url, "--handle",
             bsky.user_handle, secret=bsky.password)
        return Platform(name, bsky, lambda: [r["text"] for r in bsky.records.values()])
    if name == "x":
        xs = enter(FakeX())
        _add(home, "--platform", "x", "--api-base", xs.url, "--handle", "@MFAKosovo",
             secret="x-access-token")
        return Platform(name, xs, lambda: [t["text"] for t in xs.tweets])
    if name == "facebook":
        fb = enter(FakeFacebook())
        _add(home, "--platform", "facebook", "--api-base", fb.url, "--handle", fb.page_id,
             secret=fb.token)
        return Platform(name, fb, lambda: [p["message"] for p in fb.posts] + [
            c["message"] for comments in fb.comments.values() for c in comments])
    if name in ("instagram", "threads"):
        meta: FakeMeta = enter(FakeInstagram() if name == "instagram" else FakeThreads())
        site = enter(MediaServer(home / "media"))
        token = "ig-token" if name == "instagram" else "th-token"
        _add(home, "--platform", name, "--api-base", meta.url, "--handle", meta.user_id,
             "--media-url", site.url + "/", secret=token)
        write_token_meta(KeyringSecrets(), "acct", {"expires_at": "2027-01-20T00:00:00+00:00"})
        return Platform(name, meta, lambda: _meta_live(meta), image=name == "instagram")
    if name == "linkedin":
        li = enter(FakeLinkedIn())
        _add(home, "--platform", "linkedin", "--api-base", li.url, "--handle",
             li.organization, secret="li-access-token")
        return Platform(name, li, lambda: [p["text"] for p in li.posts] + [
            c["message"]["text"] for comments in li.comments.values() for c in comments])
    assert name == "telegram"
    tg = enter(FakeTelegram())
    _add(home, "--platform", "telegram", "--api-base", tg.url, "--handle", tg.channel,
         secret=tg.token)
    return Platform(name, tg, lambda: [m.get("text") or m.get("caption") or ""
                                       for m in tg.messages])


@pytest.fixture(params=PLATFORMS)
def platform(request: pytest.FixtureRequest, home: Path) -> Iterator[Platform]:
    with ExitStack() as stack:
        yield open_platform(request.param, stack, home)


def write_alert(home: Path, platform: Platform, text: str = WRONG,
                draft_id: str = "alert") -> None:
    """An approved draft with a thread reply and a first comment where the platform
    has them (and an image where it needs one)."""
    lines = [f'title = "{draft_id}"', 'source = "sq"', 'accounts = ["acct"]',
             "approved = true", "", "[variants.sq]", f'text = "{text}"']
    if platform.thread:
        lines.append('thread = ["Pjesa e dytë."]')
    if platform.comment:
        lines.append('first_comment = "Koment i parë."')
    if platform.image:
        media = home / "media"
        media.mkdir(exist_ok=True)
        (media / "flag.jpg").write_bytes(jpeg_bytes())
        lines += ["", "[[media]]", 'file = "media/flag.jpg"', 'alt.sq = "Flamuri"']
    (home / "drafts" / f"{draft_id}.toml").write_text("\n".join(lines) + "\n",
                                                       encoding="utf-8")


def send(home: Path, platform: Platform, draft_id: str = "alert") -> list[dict]:
    """Schedule and flush the draft; its items, every one sent."""
    schedule(home, draft_id)
    result = cli(home, "flush", "--now", T0)
    assert result.code == 0, result.err
    sent = [i for i in items(home) if i["draft"] == draft_id]
    assert {i["state"] for i in sent} == {"sent"}
    assert len(sent) == 1 + platform.thread + platform.comment
    return sent


def test_retract_removes_every_part(home: Path, platform: Platform) -> None:
    write_alert(home, platform)
    sent = send(home, platform)
    assert len(platform.live()) == len(sent)
    result = cli(home, "retract", "alert", "--yes", "--reason", "wrong number",
                 "--now", LATER, "--json")
    report = json.loads(result.out)
    if platform.name == "instagram":
        # The API cannot delete a post: the plan says so with its address; the first
        # comment goes.
        assert result.code == 4, result.err
        post = next(i for i in sent if i["part"]["kind"] == "post")
        assert [(s["action"], s["url"]) for s in report["plan"]
                if s["item"] == post["id"]] == [("cannot", post["url"])]
        assert "Instagram app" in next(s["why"] for s in report["plan"]
                                       if s["item"] == post["id"])
        assert [o["state"] for o in report["outcome"]] == ["sent"]
        assert platform.live() == [WRONG]
        return
    assert result.code == 0, result.err
    assert {s["action"] for s in report["plan"]} == {"delete"}
    assert len(report["plan"]) == len(sent)
    assert {o["state"] for o in report["outcome"]} == {"sent"}
    assert platform.live() == []
    again = cli(home, "retract", "alert", "--yes", "--now", LATER_STILL)
    assert again.code == 2 and "no post to retract" in again.err


def _correct(home: Path, platform: Platform, *how: str) -> dict:
    write_alert(home, platform)
    send(home, platform)
    write_alert(home, platform, RIGHT)  # edited and approved again
    result = cli(home, "correct", "alert", *how, "--yes", "--now", LATER, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_correct_by_the_default_way(home: Path, platform: Platform) -> None:
    report = _correct(home, platform)
    actions = {s["action"] for s in report["plan"]}
    assert {o["state"] for o in report["outcome"]} == {"sent"}
    live = platform.live()
    assert RIGHT in live
    labels = [i["part"]["label"] for i in items(home) if i["action"] == "post"]
    assert ("correction" in labels) == (platform.name == "instagram"), labels
    if platform.name in EDITS:
        assert actions == {"edit"} and WRONG not in live
        assert len(live) == 1 + platform.thread + platform.comment  # in place
    elif platform.name in REPOSTS:
        assert actions == {"repost"} and WRONG not in live
        assert sorted(live) == sorted([RIGHT, "Pjesa e dytë.", "Koment i parë."])
    else:  # Instagram: neither edit nor delete, the correction as a comment
        assert platform.name == "instagram" and actions == {"reply"}
        assert sorted(live) == sorted([WRONG, "Koment i parë.", RIGHT])


@pytest.mark.parametrize("name", ["mastodon", "bluesky", "facebook"])
def test_correct_as_a_reply_when_asked(home: Path, name: str) -> None:
    with ExitStack() as stack:
        platform = open_platform(name, stack, home)
        report = _correct(home, platform, "--how", "acct=reply")
        assert {s["action"] for s in report["plan"]} == {"reply"}
        assert sorted(platform.live()) == sorted(
            [WRONG, RIGHT, "Koment i parë."] + ["Pjesa e dytë."] * platform.thread)
        (reply,) = [i for i in items(home) if i["target"] is not None]
        assert reply["part"]["label"] == "correction"
        assert "correction" in cli(home, "queue").out


# Resolving an unknown item with a URL the platform knows


def _made_unknown(home: Path) -> int:
    """The draft's post, left ``unknown`` as a crash after the request would leave it."""
    (item_id, *_rest) = schedule(home, "alert")
    with Queue(home / "queue.sqlite3", create=False) as queue:
        item = queue.get(item_id)
        assert item is not None
        queue.move(item_id, State.QUEUED, State.SENDING, now=item.due_at, actor="flush")
        queue.move(item_id, State.SENDING, State.UNKNOWN, now=item.due_at, actor="flush")
    return item_id


def test_resolve_posted_with_a_url_the_platform_knows(home: Path, platform: Platform) -> None:
    # The post went out (another account's draft, same account: its URL is real).
    write_alert(home, platform, draft_id="other")
    (url,) = [i["url"] for i in send(home, platform, "other") if i["part"]["kind"] == "post"]
    write_alert(home, platform)
    item_id = _made_unknown(home)
    result = cli(home, "resolve", str(item_id), "--posted", url, "--now", LATER)
    assert result.code == 0, result.err
    confirmed = platform.name != "telegram"  # the bot cannot read its channel
    assert ("the platform confirmed it" in result.out) == confirmed, result.out
    (item,) = [i for i in items(home) if i["id"] == item_id]
    assert item["state"] == "sent" and item["url"]  # as the platform writes it


# Rate limits and auth failures on a deletion step are held and retried like posts


def _remote_ids(home: Path) -> list[str]:
    with sqlite3.connect(home / "queue.sqlite3") as db:
        return [row[0] for row in db.execute(
            "SELECT remote_id FROM items WHERE action = 'post' ORDER BY id")]


def test_a_rate_limited_deletion_waits_and_goes_on_later(home: Path) -> None:
    with ExitStack() as stack:
        platform = open_platform("mastodon", stack, home)
        write_alert(home, platform)
        send(home, platform)
        last = _remote_ids(home)[-1]  # deleted first: the first comment
        platform.server.fail_next(f"DELETE /api/v1/statuses/{last}", Scripted(
            429, {"error": "Too many requests"},
            {"X-RateLimit-Reset": "2026-12-01T08:15:00.000Z"}))
        result = cli(home, "retract", "alert", "--yes", "--now", LATER, "--json")
        assert result.code == 3, result.err
        outcome = json.loads(result.out)["outcome"]
        assert [o["state"] for o in outcome] == ["retry", "queued", "queued"]
        assert len(platform.live()) == 3
        early = cli(home, "flush", "--now", "2026-12-01T09:12:00+01:00")
        assert early.code in (0, 3) and len(platform.live()) == 3
        done = cli(home, "flush", "--now", "2026-12-01T09:16:00+01:00")
        assert done.code == 0, done.err
        assert platform.live() == []
        assert {i["state"] for i in items(home)} == {"sent"}


def test_an_auth_failure_on_a_deletion_holds_it_until_resume(home: Path) -> None:
    with ExitStack() as stack:
        platform = open_platform("facebook", stack, home)
        write_alert(home, platform)
        send(home, platform)
        last = _remote_ids(home)[-1]
        platform.server.fail_next(f"DELETE /v23.0/{last}", Scripted(
            400, meta_error(190, "Error validating access token")))
        result = cli(home, "retract", "alert", "--yes", "--now", LATER, "--json")
        assert result.code == 4, result.err
        outcome = json.loads(result.out)["outcome"]
        assert [o["state"] for o in outcome] == ["held", "held"]
        assert "accounts login acct" in items(home, "held")[0]["fix"]
        assert len(platform.live()) == 2
        # Logged in again (the same token works now): resume, then the next flush.
        assert cli(home, "resume", "--account", "acct", "--now", LATER_STILL).code == 0
        done = cli(home, "flush", "--now", LATER_STILL)
        assert done.code == 0, done.err
        assert platform.live() == []
