"""Bluesky videos against the loopback fakes: the video service's job (service tokens,
upload limits, several polls, a failed job, a cut connection), the plain blob on a PDS
the service cannot reach, captions as WebVTT blobs, and the checks at scheduling.
Real small videos, made with ffmpeg."""

from __future__ import annotations

import json
import shutil
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import run_cli
from fakes.base import Scripted
from fakes.bluesky import FakeBluesky, FakeVideoService
from queue_helpers import add_account, cli, items, schedule, states
from test_linkedin import flush_process
from video_files import make_video

from publisher.domain.accounts import make_account
from publisher.domain.subtitles import parse_vtt
from publisher.domain.video import VideoInfo, video_problems
from publisher.platforms.base import (
    MediaFile,
    MemoryCheckpoints,
    Post,
    RateLimited,
    Rejected,
    SubtitleFile,
    Transient,
)
from publisher.platforms.bluesky.adapter import BlueskyAdapter
from publisher.platforms.bluesky.video import SERVICE_LIMITS, video_service_for
from publisher.platforms.common.http import make_session
from publisher.platforms.common.progress import UploadProgress
from publisher.platforms.common.video import subtitles_as
from publisher.services.secrets import KeyringSecrets, set_secret

NOW = "2026-12-01T09:00:10+01:00"
DUE = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SRT_EN = "1\n00:00:00,000 --> 00:00:01,500\nGood morning\n\n2\n00:00:01,500 --> 00:00:02,000\nBye\n"
VTT_SQ = "WEBVTT\n\n00:00.000 --> 00:02.000\nMirëmëngjes\n"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("video") / "clip.mp4", seconds=2.0)


@pytest.fixture
def bsky():
    with FakeBluesky() as pds, FakeVideoService(pds) as service:
        yield pds, service


def adapter(pds: FakeBluesky, service: FakeVideoService | None, checkpoints=None,
            sleeps=None, progress=None) -> BlueskyAdapter:
    set_secret("bsky", pds.password)
    return BlueskyAdapter(
        "bsky", pds.url, pds.user_handle, KeyringSecrets(), make_session(), lambda: DUE,
        video_service=service.url if service else None,
        checkpoints=checkpoints or MemoryCheckpoints(),
        sleep=sleeps.append if sleeps is not None else (lambda s: None),
        progress=progress.append if progress is not None else (lambda p: None))


def subtitles(tmp_path: Path) -> tuple[SubtitleFile, ...]:
    (tmp_path / "clip.en.srt").write_text(SRT_EN, encoding="utf-8")
    (tmp_path / "clip.sq.vtt").write_text(VTT_SQ, encoding="utf-8")
    return (SubtitleFile("en", tmp_path / "clip.en.srt"),
            SubtitleFile("sq", tmp_path / "clip.sq.vtt"))


def video_post(video: Path, subs: tuple[SubtitleFile, ...] = (), alt: str = "A test card",
               ) -> Post:
    account = make_account("bsky", "bluesky", locales=["en"], handle="embassy.test")
    return Post(account, "Our video", ("en",), (MediaFile(video, alt, "cd" * 32, subs),),
                due_at=DUE)


def test_the_video_service_processes_it_and_the_record_names_its_blob(
        bsky, clip: Path, tmp_path: Path) -> None:
    pds, service = bsky
    service.processing_polls = 2
    sleeps: list[float] = []
    progress: list[UploadProgress] = []
    published = adapter(pds, service, sleeps=sleeps, progress=progress).publish(
        video_post(clip, subtitles(tmp_path)), "key-1")
    (upload,) = service.requests_to("POST", "/xrpc/app.bsky.video.uploadVideo")
    assert upload.body == clip.read_bytes() and upload.headers["content-type"] == "video/mp4"
    assert upload.query == {"did": [pds.did], "name": ["clip.mp4"]}
    assert pds.service_tokens[upload.headers["authorization"].removeprefix("Bearer ")] == (
        "did:web:127.0.0.1", "com.atproto.repo.uploadBlob")
    assert len(service.requests_to("GET", "/xrpc/app.bsky.video.getUploadLimits")) == 1
    assert len(service.requests_to("GET", "/xrpc/app.bsky.video.getJobStatus")) == 3
    assert len(sleeps) == 2
    record = pds.records[published.remote_id]
    embed = record["embed"]
    assert embed["$type"] == "app.bsky.embed.video" and embed["alt"] == "A test card"
    assert embed["aspectRatio"] == {"width": 320, "height": 240}
    assert embed["video"] == service.jobs["job-1"]["blob"]
    assert [c["lang"] for c in embed["captions"]] == ["en", "sq"]
    captions = [pds.blobs[c["file"]["ref"]["$link"]].decode() for c in embed["captions"]]
    assert captions[0] == ("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nGood morning\n\n"
                           "00:00:01.500 --> 00:00:02.000\nBye\n")
    assert parse_vtt(captions[1]) == parse_vtt(VTT_SQ)  # re-rendered, the same cues
    assert all(c["file"]["mimeType"] == "text/vtt" for c in embed["captions"])
    assert [p.stage for p in progress] == ["uploading", "processing"]


def test_a_failed_job_refuses_the_post_with_the_services_reason(bsky, clip: Path) -> None:
    pds, service = bsky
    service.fail_processing = "Video is too long"
    with pytest.raises(Rejected, match="could not process the video: Video is too long"):
        adapter(pds, service).publish(video_post(clip), "key-2")
    assert pds.records == {}


def test_a_cut_connection_while_polling_polls_the_same_job_again(bsky, clip: Path) -> None:
    pds, service = bsky
    checkpoints = MemoryCheckpoints()
    service.fail_next("GET /xrpc/app.bsky.video.getJobStatus", Scripted(502, b"Bad Gateway"))
    with pytest.raises(Transient) as raised:
        adapter(pds, service, checkpoints).publish(video_post(clip), "key-3")
    assert raised.value.maybe_sent is False and pds.records == {}
    adapter(pds, service, checkpoints).publish(video_post(clip), "key-3")
    assert len(service.uploads) == 1  # the job recorded before polling is reused
    assert len(pds.records) == 1


def test_a_used_up_day_waits_and_a_barred_account_is_refused(bsky, clip: Path) -> None:
    pds, service = bsky
    service.limits = {"canUpload": False, "remainingDailyVideos": 0,
                      "remainingDailyBytes": 0, "message": "daily limit reached"}
    with pytest.raises(RateLimited, match="daily video allowance is used up"):
        adapter(pds, service).publish(video_post(clip), "key-4")
    service.limits = {"canUpload": False, "remainingDailyVideos": 25,
                      "remainingDailyBytes": 10**10, "message": "Please verify your email"}
    with pytest.raises(Rejected, match="Please verify your email"):
        adapter(pds, service).publish(video_post(clip), "key-4")
    assert service.uploads == [] and pds.records == {}


def test_a_pds_the_service_cannot_reach_gets_a_plain_blob() -> None:
    assert video_service_for("https://bsky.social") == "https://video.bsky.app"
    assert video_service_for("http://127.0.0.1:2583") is None
    assert video_service_for("https://localhost:2583") is None


# Through the CLI (a loopback PDS: the video goes as a blob)


def add_bluesky(home: Path, pds: FakeBluesky) -> None:
    add_account(home, "bsky", "--platform", "bluesky", "--api-base", pds.url, "--handle",
                pds.user_handle, "--locales", "en")
    result = run_cli("--home", str(home), "accounts", "set-secret", "bsky",
                     stdin=pds.password + "\n")
    assert result.code == 0, result.err


def write_video_draft(home: Path, draft_id: str, video: Path, alt: str = "A test card") -> None:
    (home / "media").mkdir(exist_ok=True)
    shutil.copy(video, home / "media" / video.name)
    (home / "media" / "clip.en.srt").write_text(SRT_EN, encoding="utf-8")
    (home / "media" / "clip.sq.vtt").write_text(VTT_SQ, encoding="utf-8")
    lines = [f'title = "{draft_id}"', 'source = "en"', 'accounts = ["bsky"]', "approved = true",
             "", '[variants.en]\ntext = "Watch our video"', "", "[[media]]",
             f'file = "media/{video.name}"', f"alt.en = {json.dumps(alt)}",
             'subtitles.en = "media/clip.en.srt"', 'subtitles.sq = "media/clip.sq.vtt"']
    (home / "drafts" / f"{draft_id}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def video_blob_uploads(pds: FakeBluesky) -> int:
    return len([r for r in pds.requests_to("POST", "/xrpc/com.atproto.repo.uploadBlob")
                if r.headers.get("content-type") == "video/mp4"])


def test_the_flush_posts_a_video_blob_with_captions(home: Path, clip: Path) -> None:
    with FakeBluesky() as pds:
        add_bluesky(home, pds)
        write_video_draft(home, "film", clip)
        schedule(home, "film")
        result = cli(home, "flush", "--now", NOW)
        assert result.code == 0, result.err
        (record,) = pds.records.values()
        embed = record["embed"]
        assert embed["video"]["mimeType"] == "video/mp4"
        assert pds.blobs[embed["video"]["ref"]["$link"]] == clip.read_bytes()
        assert [c["lang"] for c in embed["captions"]] == ["en", "sq"]
        assert items(home)[0]["state"] == "sent"


def test_a_flush_killed_after_the_video_went_up_reuses_its_blob(home: Path,
                                                                 clip: Path) -> None:
    with FakeBluesky() as pds:
        add_bluesky(home, pds)
        write_video_draft(home, "crash", clip)
        (item_id,) = schedule(home, "crash")
        # Held at the first caption's upload (the video's blob is recorded by then).
        pds.hold_path, pds.hold_skip = "POST /xrpc/com.atproto.repo.uploadBlob", 1
        process = flush_process(home, NOW)
        assert pds.received.wait(timeout=60), "the flush never reached the captions"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        pds.hold_path = None
        pds.release.set()
        assert pds.records == {} and video_blob_uploads(pds) == 1
        rerun = cli(home, "flush", "--now", "2026-12-01T09:05:00+01:00")
        assert rerun.code == 0, rerun.err
        assert video_blob_uploads(pds) == 1 and len(pds.records) == 1
        assert states(home) == {item_id: "sent"}


# The checks at scheduling


def test_validate_names_what_bluesky_would_refuse(bsky, tmp_path: Path) -> None:
    pds, service = bsky
    webm = make_video(tmp_path / "clip.webm", container="webm")
    big_caption = tmp_path / "long.en.vtt"
    big_caption.write_text("WEBVTT\n\n" + "00:00.000 --> 00:01.000\nwords\n\n" * 700,
                           encoding="utf-8")
    post = video_post(webm, (SubtitleFile("en", big_caption),), alt="")
    problems = adapter(pds, None).validate(post)  # a plain blob must be an MP4
    assert "video clip.webm is webm: Bluesky takes mp4" in problems
    assert any("long.en.vtt is" in p and "Bluesky takes at most 20,000" in p for p in problems)
    assert "video clip.webm needs alt text" in problems
    through_service = adapter(pds, service).validate(video_post(webm))
    assert through_service == []  # the video service turns WebM into MP4


def test_blueskys_limits_are_100_mb_and_3_minutes() -> None:
    long = VideoInfo(size=101_000_000, duration=181, width=1920, height=1080, container="mp4",
                     video_codec="h264", audio_codec="aac", frame_rate=30)
    assert video_problems("Bluesky", "long.mp4", long, SERVICE_LIMITS) == [
        "video long.mp4 is 96.3 MB: Bluesky takes at most 95.4 MB",
        "video long.mp4 lasts 181.0 s: Bluesky takes at most 3 min"]


def test_schedule_refuses_a_video_bluesky_would_refuse(home: Path, tmp_path: Path) -> None:
    with FakeBluesky() as pds:
        add_bluesky(home, pds)
        write_video_draft(home, "nope", make_video(tmp_path / "clip.webm", container="webm"))
        result = cli(home, "schedule", "nope", "--at", "2026-12-01T09:00:00+01:00",
                     "--now", "2026-12-01T08:00:00+01:00")
        assert result.code == 2 and "clip.webm is webm: Bluesky takes mp4" in result.err
        assert items(home) == []


def test_srt_becomes_webvtt(tmp_path: Path) -> None:
    path = tmp_path / "a.srt"
    path.write_text("\ufeff1\r\n01:02:03,004 --> 01:02:04,000\r\nHi\r\n", encoding="utf-8")
    assert subtitles_as(SubtitleFile("sq", path), ".vtt") == (
        "WEBVTT\n\n01:02:03.004 --> 01:02:04.000\nHi\n")
