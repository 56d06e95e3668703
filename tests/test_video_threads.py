"""Threads video posts through `publisher flush` against the loopback Threads fake, which
fetches the video from the workspace's media/ at the account's media URL: the VIDEO
container with text and alt text, polls, a failed processing, a failed download, a
crash after the container was made, and the limits. Real small videos."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import test_threads
from fakes.meta import MediaServer
from fakes.threads import FakeThreads
from queue_helpers import cli, items
from test_video_facebook import NOW, SRT, put_video, schedule, write_video_draft

from publisher.domain.accounts import make_account
from publisher.domain.video import VideoInfo, video_problems
from publisher.platforms.base import MediaFile, MemoryCheckpoints, Post, Rejected
from publisher.platforms.common.token_records import write_token_meta
from publisher.platforms.meta.graph import ContainerGone
from publisher.platforms.meta.threads import THREADS_VIDEO
from publisher.platforms.registry import Adapters
from publisher.services.secrets import KeyringSecrets

TOKEN = "th-token"
TEXT = "Ambasadori flet për vizat."

# The platform's own fixtures (fake, media server, workspace), as its tests use them.
site, th, ws = test_threads.site, test_threads.th, test_threads.ws


def test_a_video_post_is_a_video_container_with_text_and_alt_text(
    ws: Path, th: FakeThreads, site: MediaServer
) -> None:
    path = put_video(ws, seconds=2.0)
    (ws / "media" / "clip.sq.srt").write_text(SRT, encoding="utf-8")
    write_video_draft(ws, ["th"], alt="Ambasadori në zyrë", subtitles={"sq": "clip.sq.srt"})
    scheduled = schedule(ws)
    assert scheduled.code == 0, scheduled.err
    assert "th: threads takes no subtitle files" in scheduled.err
    result = cli(ws, "flush", "--now", NOW)
    assert result.code == 0, result.err
    assert th.container_requests() == [{
        "media_type": "VIDEO", "video_url": f"{site.url}/clip.mp4", "text": TEXT,
        "alt_text": "Ambasadori në zyrë"}]
    (container,) = th.containers.values()
    assert container["video"]["data"] == path.read_bytes()
    (post,) = th.posts
    (item,) = items(ws)
    assert item["state"] == "sent" and item["url"] == post["permalink"]


def adapter_for(home: Path, th: FakeThreads, site: MediaServer, waits: list[float]):
    account = make_account("th", "threads", locales=["sq"], api_base=th.url,
                           media_url=site.url + "/")
    secrets = KeyringSecrets()
    secrets.set("th", TOKEN)
    write_token_meta(secrets, "th", {"expires_at": "2027-01-20T00:00:00+00:00"})
    adapters = Adapters(outbox_dir=home / "outbox", secrets=secrets,
                        clock=lambda: datetime(2026, 12, 1, 8, tzinfo=UTC),
                        checkpoints=MemoryCheckpoints(), media_dir=home / "media")
    adapters.sleep = waits.append
    return account, adapters.for_account(account)


def test_several_polls_then_a_failed_processing_is_rejected_with_its_reason(
    home: Path, th: FakeThreads, site: MediaServer
) -> None:
    path = put_video(home)
    waits: list[float] = []
    account, adapter = adapter_for(home, th, site, waits)
    th.finish_after_polls = 3
    th.video_error = "FAILED_PROCESSING_VIDEO"
    with pytest.raises(Rejected, match="could not process the video: FAILED_PROCESSING_VIDEO"):
        adapter.publish(Post(account, TEXT, ("sq",), (MediaFile(path, ""),)), "key-1")
    assert waits == [2.0, 2.0, 2.0] and th.posts == [] and th.publish_requests() == []


def test_a_failed_download_makes_a_new_container_next_time(
    home: Path, th: FakeThreads, site: MediaServer
) -> None:
    path = put_video(home)
    account, adapter = adapter_for(home, th, site, [])
    post = Post(account, TEXT, ("sq",), (MediaFile(path, ""),))
    th.video_error = "FAILED_DOWNLOADING_VIDEO"
    with pytest.raises(ContainerGone) as raised:
        adapter.publish(post, "key-2")
    assert raised.value.maybe_sent is False
    th.video_error = None
    published = adapter.publish(post, "key-2")
    assert th.containers_made == 2 and len(th.posts) == 1
    assert published.remote_id == th.posts[0]["id"]


def test_a_flush_killed_after_the_container_was_made_reuses_it(
    ws: Path, th: FakeThreads
) -> None:
    put_video(ws)
    write_video_draft(ws, ["th"])
    assert schedule(ws).code == 0
    first_container = str(th._next)
    th.hold_path = f"GET /v1.0/{first_container}"
    process = subprocess.Popen([sys.executable, "-m", "publisher", "--home", str(ws), "flush",
                                "--now", NOW], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert th.received.wait(timeout=30)
    finally:
        process.kill()
        process.wait()
    th.hold_path = None
    th.release.set()
    assert items(ws)[0]["state"] == "sending" and th.containers_made == 1
    for _run in range(2):
        assert cli(ws, "flush", "--now", "2026-12-01T09:03:00+01:00").code == 0
        if items(ws)[0]["state"] == "sent":
            break
    assert items(ws)[0]["state"] == "sent"
    assert th.containers_made == 1 and len(th.fetched) == 1 and len(th.posts) == 1
    assert th.publish_requests() == [{"creation_id": first_container}]


def test_threads_limits_of_a_video(home: Path, th: FakeThreads, site: MediaServer) -> None:
    long = VideoInfo(size=1100 * 1024**2, duration=301, width=1080, height=1920,
                     container="mov", video_codec="hevc", audio_codec="aac", frame_rate=61)
    assert video_problems("Threads", "a.mov", long, THREADS_VIDEO) == [
        "video a.mov is 1100.0 MB: Threads takes at most 1,024 MB",
        "video a.mov lasts 301.0 s: Threads takes at most 5 min",
        "video a.mov has 61 frames a second: Threads takes at most 60"]
    account, adapter = adapter_for(home, th, site, [])
    webm = make_video_in(home, "clip.webm")
    assert adapter.validate(Post(account, TEXT, ("sq",), (MediaFile(webm, "x" * 1001),))) == [
        "video clip.webm is webm: Threads takes mov, mp4",
        "video clip.webm is coded in vp9: Threads takes h264, hevc",
        "the sound of video clip.webm is opus: Threads takes aac",
        "alt text of clip.webm is over 1000 characters"]


def make_video_in(home: Path, name: str) -> Path:
    return put_video(home, name, container=name.rsplit(".", 1)[1])


def test_scheduling_refuses_a_video_threads_would_not_take(ws: Path, th: FakeThreads) -> None:
    put_video(ws, "clip.webm", container="webm")
    write_video_draft(ws, ["th"], video="clip.webm")
    result = schedule(ws)
    assert result.code == 2 and result.err.count("\n") == 1
    assert "clip.webm is webm: Threads takes mov, mp4" in result.err
    assert items(ws) == [] and th.requests == []
