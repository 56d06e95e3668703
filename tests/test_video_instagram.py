"""Instagram Reels through `publisher flush` against the loopback content publishing
fake, which fetches the video from the workspace's media/ served at the account's
media URL (as Meta fetches the embassy's website): the REELS container, processing
polls, a failed processing, a crash after the container was made, and the limits
refused at scheduling. Real small videos (tests/video_files)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import test_instagram
from conftest import run_process
from fakes.instagram import FakeInstagram
from fakes.meta import MediaServer
from queue_helpers import cli, items
from test_video_facebook import AT, NOW, SRT, put_video, schedule, write_video_draft
from video_files import make_video

from publisher.domain.accounts import make_account
from publisher.platforms.base import MediaFile, MemoryCheckpoints, Post, Rejected, Transient
from publisher.platforms.common.token_records import write_token_meta
from publisher.platforms.registry import Adapters
from publisher.services.secrets import KeyringSecrets

TOKEN = "ig-token"
TEXT = "Ambasadori flet për vizat. #DigitalKosovo"

# The platform's own fixtures (fake, media server, workspace), as its tests use them.
ig, site, ws = test_instagram.ig, test_instagram.site, test_instagram.ws


def test_a_reel_is_a_container_of_its_public_address_published_once(
    ws: Path, ig: FakeInstagram, site: MediaServer
) -> None:
    path = put_video(ws, seconds=3.5)
    (ws / "media" / "clip.sq.srt").write_text(SRT, encoding="utf-8")
    write_video_draft(ws, ["ig"], text=TEXT, subtitles={"sq": "clip.sq.srt"})
    scheduled = schedule(ws)
    assert scheduled.code == 0, scheduled.err
    assert "ig: instagram takes no subtitle files" in scheduled.err
    result = run_process("--home", str(ws), "-v", "flush", "--now", NOW)
    assert result.code == 0, result.err
    assert ig.container_requests() == [{
        "media_type": "REELS", "video_url": f"{site.url}/clip.mp4", "caption": TEXT,
        "share_to_feed": "true"}]  # no alt_text: the API takes it for images only
    (container,) = ig.containers.values()
    assert container["video"]["data"] == path.read_bytes()
    assert container["video"]["type"] == "video/mp4"
    assert ig.publish_requests() == [{"creation_id": container["id"]}]
    (post,) = ig.posts
    (item,) = items(ws)
    assert item["state"] == "sent" and item["url"] == post["permalink"]
    assert "ig: clip.mp4 uploaded, the platform is processing it" in result.err


def adapter_for(home: Path, ig: FakeInstagram, site: MediaServer, waits: list[float]):
    account = make_account("ig", "instagram", locales=["sq"], handle=ig.user_id,
                           api_base=ig.url, media_url=site.url + "/")
    secrets = KeyringSecrets()
    secrets.set("ig", TOKEN)
    write_token_meta(secrets, "ig", {"expires_at": "2027-01-20T00:00:00+00:00"})
    adapters = Adapters(outbox_dir=home / "outbox", secrets=secrets,
                        clock=lambda: datetime(2026, 12, 1, 8, tzinfo=UTC),
                        checkpoints=MemoryCheckpoints(), media_dir=home / "media")
    adapters.sleep = waits.append
    return account, adapters.for_account(account)


def test_processing_is_polled_and_slow_processing_reuses_the_container(
    home: Path, ig: FakeInstagram, site: MediaServer
) -> None:
    path = put_video(home, seconds=3.5)
    waits: list[float] = []
    account, adapter = adapter_for(home, ig, site, waits)
    post = Post(account, TEXT, ("sq",), (MediaFile(path, "Ambasadori", "ab" * 32),))
    ig.finish_after_polls = 1000  # still processing after this attempt's two minutes
    with pytest.raises(Transient, match="still being processed") as raised:
        adapter.publish(post, "key-1")
    assert raised.value.maybe_sent is False and ig.posts == []
    assert sum(waits) <= 120 and len(waits) > 3
    # Three reads say IN_PROGRESS, the fourth FINISHED; the look at the recorded
    # container is the first read.
    ig.finish_after_polls = 3
    for container in ig.containers.values():
        container["polls"] = 0
    waits.clear()
    published = adapter.publish(post, "key-1")
    assert ig.containers_made == 1 and len(ig.fetched) == 1  # fetched once, made once
    assert waits == [2.0, 2.0]
    assert published.remote_id == ig.posts[0]["id"]


def test_failed_processing_is_rejected_with_instagrams_reason(
    home: Path, ig: FakeInstagram, site: MediaServer
) -> None:
    path = put_video(home, seconds=3.5)
    account, adapter = adapter_for(home, ig, site, [])
    ig.video_error = "The video format is not supported (2207026)"
    with pytest.raises(Rejected, match="could not process the video: Error: The video "
                                       r"format is not supported \(2207026\)"):
        adapter.publish(Post(account, TEXT, ("sq",), (MediaFile(path, ""),)), "key-2")
    assert ig.posts == [] and ig.publish_requests() == []


def test_failed_processing_fails_the_item_through_the_flush(ws: Path, ig: FakeInstagram) -> None:
    put_video(ws, seconds=3.5)
    write_video_draft(ws, ["ig"], text=TEXT)
    assert schedule(ws).code == 0
    ig.video_error = "The video format is not supported (2207026)"
    cli(ws, "flush", "--now", NOW)
    (item,) = items(ws)
    assert item["state"] == "failed" and "2207026" in item["error"]


def test_a_flush_killed_after_the_container_was_made_reuses_it(
    ws: Path, ig: FakeInstagram
) -> None:
    put_video(ws, seconds=3.5)
    write_video_draft(ws, ["ig"], text=TEXT)
    assert schedule(ws).code == 0
    first_container = str(ig._next)
    ig.hold_path = f"GET /v23.0/{first_container}"  # the first status read
    process = subprocess.Popen([sys.executable, "-m", "publisher", "--home", str(ws), "flush",
                                "--now", NOW], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert ig.received.wait(timeout=30)
    finally:
        process.kill()
        process.wait()
    ig.hold_path = None
    ig.release.set()
    assert items(ws)[0]["state"] == "sending" and ig.containers_made == 1
    for _run in range(2):
        assert cli(ws, "flush", "--now", "2026-12-01T09:03:00+01:00").code == 0
        if items(ws)[0]["state"] == "sent":
            break
    assert items(ws)[0]["state"] == "sent"
    assert ig.containers_made == 1 and len(ig.fetched) == 1
    assert ig.publish_requests() == [{"creation_id": first_container}] and len(ig.posts) == 1


def test_scheduling_refuses_a_reel_instagram_would_not_take(ws: Path, ig: FakeInstagram) -> None:
    put_video(ws, seconds=2.0, fps=15)
    write_video_draft(ws, ["ig"], text=TEXT)
    result = cli(ws, "schedule", "video", "--at", AT, "--now", AT)
    assert result.code == 2 and result.err.count("\n") == 1
    assert "clip.mp4 lasts 2.0 s: Instagram needs at least 3 s" in result.err
    assert items(ws) == [] and ig.requests == []


def test_instagram_limits_of_a_reel(home: Path, ig: FakeInstagram, site: MediaServer,
                                    tmp_path: Path) -> None:
    account, adapter = adapter_for(home, ig, site, [])
    adapter.check_reachability = False
    webm = make_video(home / "media" / "clip.webm", seconds=3.5, container="webm")
    slow = make_video(home / "media" / "slow.mp4", seconds=3.5, fps=15)

    def problems(path: Path) -> list[str]:
        return adapter.validate(Post(account, TEXT, ("sq",), (MediaFile(path, ""),)))

    assert problems(webm) == [
        "video clip.webm is webm: Instagram takes mov, mp4",
        "video clip.webm is coded in vp9: Instagram takes h264, hevc",
        "the sound of video clip.webm is opus: Instagram takes aac"]
    assert problems(slow) == [
        "video slow.mp4 has 15 frames a second: Instagram needs at least 23"]
    wide = make_video(home / "media" / "wide.mp4", seconds=3.5, width=1944, height=160)
    assert problems(wide) == ["video wide.mp4 is 1944x160: Instagram takes at most 1920x-",
                              "video wide.mp4 is 1944x160 (ratio 12.15): Instagram takes "
                              "ratios from 0.01 to 10.00"]


def test_validate_asks_the_website_for_the_video(home: Path, ig: FakeInstagram,
                                                 site: MediaServer) -> None:
    account, adapter = adapter_for(home, ig, site, [])
    path = put_video(home, seconds=3.5)
    post = Post(account, TEXT, ("sq",), (MediaFile(path, ""),))
    assert adapter.validate(post) == []
    elsewhere = make_video(home / "clip.mp4", seconds=3.5)
    assert adapter.validate(Post(account, TEXT, ("sq",), (MediaFile(elsewhere, ""),))) == [
        "video clip.mp4 is not in the workspace's media/ folder, the only one published at "
        "the media URL"]
