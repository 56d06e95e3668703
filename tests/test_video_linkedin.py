"""LinkedIn videos through the Videos API, against the loopback fake: the multipart
upload (each part's bytes, the ETags in order), captions, processing polls, a failed
processing, a crash mid-upload resumed part by part, and the checks at scheduling.
Real small videos, made with ffmpeg."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_cli
from fakes.base import Scripted
from fakes.linkedin import FakeLinkedIn
from queue_helpers import add_account, cli, items, schedule, states
from test_linkedin import flush_process
from video_files import make_video

from publisher.domain.accounts import make_account
from publisher.domain.video import MB, VideoInfo, video_problems
from publisher.platforms.base import (
    MediaFile,
    MemoryCheckpoints,
    Post,
    Rejected,
    SubtitleFile,
    Transient,
)
from publisher.platforms.common.http import make_session
from publisher.platforms.common.progress import UploadProgress
from publisher.platforms.common.video import subtitles_as
from publisher.platforms.linkedin.adapter import LinkedInAdapter
from publisher.platforms.linkedin.video import VIDEO_LIMITS
from publisher.services.secrets import KeyringSecrets, set_secret

TOKEN = "li-access-token"
ORG = "urn:li:organization:2414183"
NOW = "2026-12-01T09:00:10+01:00"
DUE = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PART = 32 * 1024  # the fake's part size: a ~100 KB video goes in several parts

VTT_EN = ("WEBVTT\n\nNOTE made for the test\n\n00:00.000 --> 00:02.500\nGood morning from "
          "Prishtina\n\n00:02.500 --> 00:05.000\n<i>Mirëmëngjes</i>\n")
SRT_SQ = "1\n00:00:00,000 --> 00:00:05,000\nMirëmëngjes nga Prishtina\n"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 5-second H.264/AAC MP4 over LinkedIn's least size (75 KB)."""
    path = make_video(tmp_path_factory.mktemp("video") / "clip.mp4", seconds=5.0,
                      width=640, height=360)
    assert path.stat().st_size > 75 * 1024
    return path


@pytest.fixture
def li():
    with FakeLinkedIn(token=TOKEN, organization=ORG) as server:
        server.part_size = PART
        yield server


def adapter(li: FakeLinkedIn, checkpoints=None, sleeps=None, progress=None) -> LinkedInAdapter:
    set_secret("li", TOKEN)
    return LinkedInAdapter("li", li.url, ORG, KeyringSecrets(), make_session(), lambda: DUE,
                           checkpoints or MemoryCheckpoints(),
                           sleep=(sleeps.append if sleeps is not None else lambda s: None),
                           progress=(progress.append if progress is not None else lambda p: None))


def video_post(clip: Path, tmp_path: Path, alt: str = "The ambassador speaks",
               subtitles: tuple[SubtitleFile, ...] = ()) -> Post:
    account = make_account("li", "linkedin", locales=["en"], handle=ORG)
    return Post(account, "Our new video", ("en",), (MediaFile(clip, alt, "ab" * 32, subtitles),),
                due_at=DUE)


def subtitle(tmp_path: Path, name: str, text: str, locale: str) -> SubtitleFile:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return SubtitleFile(locale, path)


def test_a_video_goes_in_parts_with_its_captions_and_alt_text(li: FakeLinkedIn, clip: Path,
                                                              tmp_path: Path) -> None:
    sleeps: list[float] = []
    progress: list[UploadProgress] = []
    li.processing_polls = 3
    subtitles = (subtitle(tmp_path, "clip.en.vtt", VTT_EN, "en"),
                 subtitle(tmp_path, "clip.sq.srt", SRT_SQ, "sq"))
    published = adapter(li, sleeps=sleeps, progress=progress).publish(
        video_post(clip, tmp_path, subtitles=subtitles), "key-1")
    (urn,) = li.videos
    (init,) = [r for r in li.requests_to("POST", "/rest/videos")
               if r.query["action"] == ["initializeUpload"]]
    assert init.json() == {"initializeUploadRequest": {
        "owner": ORG, "fileSizeBytes": clip.stat().st_size, "uploadCaptions": True,
        "uploadThumbnail": False}}
    parts = [r for r in li.requests if r.method == "PUT" and "/part-" in r.path]
    size = clip.stat().st_size
    assert len(parts) == -(-size // PART) >= 3
    assert [p.body for p in parts] == [clip.read_bytes()[i:i + PART] for i in range(0, size, PART)]
    assert all(p.headers["content-type"] == "application/octet-stream" for p in parts)
    assert li.video_bytes(urn) == clip.read_bytes()
    (final,) = [r for r in li.requests_to("POST", "/rest/videos")
                if r.query["action"] == ["finalizeUpload"]]
    request = final.json()["finalizeUploadRequest"]
    assert request["video"] == urn and request["uploadToken"] == li.videos[urn]["token"] != ""
    assert request["uploadedPartIds"] == [li.videos[urn]["etags"][i] for i in range(len(parts))]
    # One captions file: the post's own locale's, WebVTT turned into SRT.
    assert li.videos[urn]["captions"].decode() == (
        "1\n00:00:00,000 --> 00:00:02,500\nGood morning from Prishtina\n\n"
        "2\n00:00:02,500 --> 00:00:05,000\n<i>Mirëmëngjes</i>\n")
    # Processing took several polls, each after a wait; the post names the video.
    assert len(li.requests_to("GET", f"/rest/videos/{urn.replace(':', '%3A')}")) == 4
    assert len(sleeps) == 3
    (post,) = li.posts
    assert post["content"] == {"media": {"id": urn, "altText": "The ambassador speaks"}}
    assert published.remote_id == post["id"]
    # Progress: after each part, then once while LinkedIn processes.
    assert [p.stage for p in progress] == ["uploading"] * len(parts) + ["processing"]
    assert progress[-2].sent == size and progress[0].sent == PART


def test_a_failed_processing_refuses_the_post_with_linkedins_reason(
        li: FakeLinkedIn, clip: Path, tmp_path: Path) -> None:
    li.processing_polls, li.fail_processing = 1, "VIDEO_CODEC_UNSUPPORTED"
    checkpoints = MemoryCheckpoints()
    with pytest.raises(Rejected, match="could not process the video: VIDEO_CODEC_UNSUPPORTED"):
        adapter(li, checkpoints).publish(video_post(clip, tmp_path), "key-2")
    assert li.posts == []
    # The failed video is not reused: another attempt uploads anew.
    li.fail_processing = None
    adapter(li, checkpoints).publish(video_post(clip, tmp_path), "key-2")
    assert len(li.videos) == 2 and len(li.posts) == 1


def test_still_processing_is_a_retry_that_only_polls(li: FakeLinkedIn, clip: Path,
                                                      tmp_path: Path) -> None:
    li.processing_polls = 1000
    checkpoints = MemoryCheckpoints()
    with pytest.raises(Transient) as raised:
        adapter(li, checkpoints).publish(video_post(clip, tmp_path), "key-3")
    assert raised.value.maybe_sent is False and li.posts == []
    puts = len(li.part_puts)
    li.processing_polls = 0
    li.videos[next(iter(li.videos))]["polls"] = 0
    adapter(li, checkpoints).publish(video_post(clip, tmp_path), "key-3")
    assert len(li.part_puts) == puts and len(li.videos) == 1 and len(li.posts) == 1
    assert len([r for r in li.requests_to("POST", "/rest/videos")
                if r.query["action"] == ["finalizeUpload"]]) == 1


def test_a_failed_part_is_a_retry_that_resends_only_the_missing_parts(
        li: FakeLinkedIn, clip: Path, tmp_path: Path) -> None:
    checkpoints = MemoryCheckpoints()
    li.fail_next("PUT /dms-uploads/sp/video-1/part-2", Scripted(503, {"message": "busy"}))
    with pytest.raises(Transient) as raised:
        adapter(li, checkpoints).publish(video_post(clip, tmp_path), "key-4")
    assert raised.value.maybe_sent is False and li.posts == []
    assert [index for _urn, index in li.part_puts] == [0, 1]  # part 2 was refused
    adapter(li, checkpoints).publish(video_post(clip, tmp_path), "key-4")
    (urn,) = li.videos
    parts = len(li.videos[urn]["instructions"])
    assert [index for _urn, index in li.part_puts] == list(range(parts))
    assert li.video_bytes(urn) == clip.read_bytes() and len(li.posts) == 1


def test_expired_upload_urls_start_the_upload_over(li: FakeLinkedIn, clip: Path,
                                                   tmp_path: Path) -> None:
    checkpoints = MemoryCheckpoints()
    li.fail_next("PUT /dms-uploads/sp/video-1/part-1", Scripted(503, {"message": "busy"}))
    with pytest.raises(Transient):
        adapter(li, checkpoints).publish(video_post(clip, tmp_path), "key-5")
    later = LinkedInAdapter("li", li.url, ORG, KeyringSecrets(), make_session(),
                            lambda: DUE + timedelta(days=2), checkpoints,
                            sleep=lambda s: None, progress=lambda p: None)
    later.publish(video_post(clip, tmp_path), "key-5")
    assert len(li.videos) == 2
    (post,) = li.posts
    assert post["content"]["media"]["id"] == list(li.videos)[1]


# Through the CLI


def add_linkedin(home: Path, li: FakeLinkedIn) -> None:
    add_account(home, "li", "--platform", "linkedin", "--api-base", li.url, "--handle", ORG,
                "--locales", "en")
    result = run_cli("--home", str(home), "accounts", "set-secret", "li", stdin=TOKEN + "\n")
    assert result.code == 0, result.err


def write_video_draft(home: Path, draft_id: str, video: Path, alt: str = "A short film",
                      subtitles: dict[str, tuple[str, str]] | None = None) -> None:
    (home / "media").mkdir(exist_ok=True)
    shutil.copy(video, home / "media" / video.name)
    lines = [f'title = "{draft_id}"', 'source = "en"', 'accounts = ["li"]', "approved = true",
             "", '[variants.en]\ntext = "Watch: our new video"', "", "[[media]]",
             f'file = "media/{video.name}"', f"alt.en = {json.dumps(alt)}"]
    for locale, (name, text) in (subtitles or {}).items():
        (home / "media" / name).write_text(text, encoding="utf-8")
        lines.append(f'subtitles.{locale} = "media/{name}"')
    (home / "drafts" / f"{draft_id}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_flush_posts_a_video_with_captions(home: Path, li: FakeLinkedIn, clip: Path) -> None:
    add_linkedin(home, li)
    write_video_draft(home, "film", clip, subtitles={"en": ("clip.en.srt", SRT_SQ)})
    schedule(home, "film")
    result = cli(home, "flush", "--now", NOW)
    assert result.code == 0, result.err
    (post,) = li.posts
    (urn,) = li.videos
    assert post["content"]["media"] == {"id": urn, "altText": "A short film"}
    assert li.video_bytes(urn) == clip.read_bytes()
    assert li.videos[urn]["captions"].decode() == SRT_SQ
    (item,) = items(home)
    assert item["state"] == "sent"


def test_a_flush_killed_mid_upload_resumes_at_the_part_it_died_on(
        home: Path, li: FakeLinkedIn, clip: Path) -> None:
    add_linkedin(home, li)
    write_video_draft(home, "crash", clip)
    (item_id,) = schedule(home, "crash")
    process = flush_process(home, NOW)
    li.kill_at_part = (process.pid, 2)
    process.wait(timeout=60)
    assert process.returncode == -9
    assert [index for _urn, index in li.part_puts] == [0, 1, 2] and li.posts == []
    assert states(home) == {item_id: "sending"}
    rerun = cli(home, "flush", "--now", "2026-12-01T09:05:00+01:00")
    assert rerun.code == 0, rerun.err
    (urn,) = li.videos  # the same upload, not a new one
    parts = len(li.videos[urn]["instructions"])
    # Parts 0 and 1 were confirmed before the crash: never sent again.
    assert [index for _urn, index in li.part_puts] == [0, 1, 2, *range(2, parts)]
    assert li.video_bytes(urn) == clip.read_bytes()
    assert len(li.posts) == 1 and states(home) == {item_id: "sent"}


# The checks at scheduling


def test_validate_refuses_what_linkedin_would_refuse(li: FakeLinkedIn, tmp_path: Path) -> None:
    short = make_video(tmp_path / "short.mp4", seconds=2.0)
    webm = make_video(tmp_path / "clip.webm", seconds=4.0, container="webm")
    account = make_account("li", "linkedin", locales=["en"], handle=ORG)
    problems = adapter(li).validate(Post(account, "x", ("en",), (MediaFile(short, "a"),)))
    assert "video short.mp4 lasts 2.0 s: LinkedIn needs at least 3 s" in problems
    assert any("LinkedIn needs at least 75 KB" in p for p in problems)
    problems = adapter(li).validate(Post(account, "x", ("en",), (MediaFile(webm, "a"),)))
    assert "video clip.webm is webm: LinkedIn takes mp4" in problems
    assert "video clip.webm is coded in vp9: LinkedIn takes h264" in problems
    flag = Path(__file__).resolve().parent.parent / "drafts" / "media" / "kosovo-flag.png"
    problems = adapter(li).validate(Post(account, "x", ("en",), (MediaFile(short, "a"),
                                                                   MediaFile(flag, "b"))))
    assert "LinkedIn takes a video or images, not both in one post" in problems


def test_linkedins_limits_name_size_length_and_ratio() -> None:
    big = VideoInfo(size=501 * MB, duration=31 * 60, width=3000, height=1000, container="mp4",
                    video_codec="h264", audio_codec="aac", frame_rate=30)
    assert video_problems("LinkedIn", "big.mp4", big, VIDEO_LIMITS) == [
        "video big.mp4 is 501.0 MB: LinkedIn takes at most 500 MB",
        "video big.mp4 lasts 1860.0 s: LinkedIn takes at most 30 min",
        "video big.mp4 is 3000x1000 (ratio 3.00): LinkedIn takes ratios from 0.42 to 2.40"]
    assert VIDEO_LIMITS.subtitles is True


def test_schedule_refuses_a_video_linkedin_would_refuse(home: Path, li: FakeLinkedIn,
                                                        tmp_path: Path) -> None:
    add_linkedin(home, li)
    write_video_draft(home, "short", make_video(tmp_path / "short.mp4", seconds=2.0))
    result = cli(home, "schedule", "short", "--at", "2026-12-01T09:00:00+01:00",
                 "--now", "2026-12-01T08:00:00+01:00")
    assert result.code == 2
    assert "lasts 2.0 s: LinkedIn needs at least 3 s" in result.err
    assert items(home) == []


def test_webvtt_becomes_numbered_srt(tmp_path: Path) -> None:
    path = tmp_path / "a.vtt"
    path.write_text("WEBVTT - title\n\n1\n01:02:03.004 --> 01:02:04.000 align:start\nHi\n",
                    encoding="utf-8")
    assert subtitles_as(SubtitleFile("en", path), ".srt") == (
        "1\n01:02:03,004 --> 01:02:04,000\nHi\n")
