"""X videos against the loopback fake that speaks X's v2 chunked media upload: chunks,
processing polls, a failed processing, alt text and subtitles, a cut connection and a
flush killed mid-upload that the next flush resumes; refusals at scheduling."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_cli, run_process
from fakes.x import FakeX
from queue_helpers import add_account, cli, items
from test_flush_http import flush_process
from video_files import make_video

from publisher.domain.accounts import Account, make_account
from publisher.domain.video import VideoInfo, video_problems
from publisher.platforms.base import MediaFile, Post, Rejected, SubtitleFile, Transient
from publisher.platforms.common.progress import UploadProgress
from publisher.platforms.registry import Adapters
from publisher.platforms.x import video as x_video
from publisher.services.secrets import KeyringSecrets, set_secret

NOW = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)
SRT = "1\n00:00:00,000 --> 00:00:01,500\nWelcome to the embassy.\n"
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nMirë se vini në ambasadë.\n"


class AdapterRun:
    """An adapter made by the registry for ``account`` (its secret stored), with a fixed
    clock, recorded waits and progress, and the checkpoints of one queue."""

    def __init__(self, tmp_path: Path, account: Account, secret: str, now: datetime) -> None:
        set_secret(account.id, secret)
        self.account = account
        self.now = now
        self.adapters = Adapters(outbox_dir=tmp_path / "outbox", secrets=KeyringSecrets(),
                                 clock=lambda: self.now, media_dir=tmp_path / "media")
        self.waits: list[float] = []
        self.told: list[UploadProgress] = []
        self.adapters.sleep = self.waits.append
        self.adapters.progress = self.told.append
        self.adapter = self.adapters.for_account(self.account)

    def post(self, media: MediaFile, text: str = "Our new video.") -> Post:
        return Post(self.account, text, ("en",), (media,))


class Run(AdapterRun):
    """An X account on the fake."""

    def __init__(self, tmp_path: Path, server: FakeX, now: datetime = NOW) -> None:
        super().__init__(tmp_path, make_account("x", "x", locales=["en"], api_base=server.url,
                                                handle="@embassy"), "x-access-token", now)


@pytest.fixture
def server():
    with FakeX() as fake:
        yield fake


@pytest.fixture
def clip(tmp_path: Path) -> MediaFile:
    path = make_video(tmp_path / "clip.mp4", seconds=2.0)
    english, albanian = tmp_path / "clip.en.srt", tmp_path / "clip.sq.vtt"
    english.write_text(SRT, encoding="utf-8")
    albanian.write_text(VTT, encoding="utf-8")
    return MediaFile(path, "A diplomat speaks at a podium.", "ab" * 32,
                     (SubtitleFile("en", english), SubtitleFile("sq", albanian)))


def video_id(server: FakeX) -> str:
    (media_id,) = [k for k, v in server.media.items() if "segments" in v]
    return media_id


def test_a_video_goes_out_in_chunks_with_its_alt_text_and_subtitles(
    tmp_path: Path, server: FakeX, clip: MediaFile
) -> None:
    run = Run(tmp_path, server)
    published = run.adapter.publish(run.post(clip), "key-1")
    size = clip.path.stat().st_size
    (init,) = server.requests_to("POST", "/2/media/upload/initialize")
    assert init.json() == {"media_type": "video/mp4", "total_bytes": size,
                           "media_category": "tweet_video"}
    media_id = video_id(server)
    indices = [index for _id, index, _n in server.appends]
    assert len(indices) >= 3 and indices == list(range(len(indices)))
    assert all(n <= 5 * 1024 * 1024 for _id, _i, n in server.appends)
    video = server.media[media_id]
    assert video["content"] == clip.path.read_bytes() and video["state"] == "succeeded"
    assert video["alt"] == "A diplomat speaks at a podium."
    assert [(t["language_code"], t["display_name"], t["content"]) for t in video["subtitles"]
            ] == [("EN", "English", SRT.encode()), ("SQ", "Albanian", VTT.encode())]
    kinds = [m["type"] for m in server.media.values() if m["category"] == "subtitles"]
    assert kinds == ["text/srt", "text/vtt"]
    (tweet,) = server.tweets
    assert tweet["media_ids"] == [media_id] and published.remote_id == tweet["id"]
    uploading = [p.sent for p in run.told if p.stage == "uploading"]
    assert uploading == sorted(uploading) and uploading[-1] == size
    assert len(uploading) == len(indices) and run.told[-1].stage == "processing"


def test_processing_is_polled_at_the_pace_x_asks(
    tmp_path: Path, server: FakeX, clip: MediaFile
) -> None:
    server.polls_before_ready = 3
    run = Run(tmp_path, server)
    run.adapter.publish(run.post(clip), "key-1")
    statuses = server.requests_to("GET", "/2/media/upload")
    assert len(statuses) == 4  # three "in progress", then "succeeded"
    assert statuses[0].query == {"command": ["STATUS"], "media_id": [video_id(server)]}
    assert run.waits == [1, 1, 1, 1]  # check_after_secs, from finalize on
    assert len(server.tweets) == 1


def test_failed_processing_is_rejected_with_xs_reason(
    tmp_path: Path, server: FakeX, clip: MediaFile
) -> None:
    server.processing_failure = "Unsupported video format"
    run = Run(tmp_path, server)
    with pytest.raises(Rejected, match="could not process the video: Unsupported video"):
        run.adapter.publish(run.post(clip), "key-1")
    assert server.tweets == []


def test_slow_processing_is_left_to_the_next_attempt_which_only_polls(
    tmp_path: Path, server: FakeX, clip: MediaFile
) -> None:
    server.polls_before_ready = 1000
    run = Run(tmp_path, server)
    with pytest.raises(Transient, match="still being processed") as raised:
        run.adapter.publish(run.post(clip), "key-1")
    assert raised.value.maybe_sent is False and server.tweets == []
    sent = len(server.appends)
    server.polls_before_ready = 0
    run.adapter.publish(run.post(clip), "key-1")
    assert len(server.appends) == sent  # nothing uploaded again
    assert len(server.requests_to("POST", "/2/media/upload/initialize")) == 1
    assert len(server.tweets) == 1


def test_a_failed_chunk_is_resumed_from_that_chunk(
    tmp_path: Path, server: FakeX, clip: MediaFile
) -> None:
    server.fail_segment = 2
    run = Run(tmp_path, server)
    with pytest.raises(Transient) as raised:
        run.adapter.publish(run.post(clip), "key-1")
    assert raised.value.maybe_sent is False and server.tweets == []
    assert [i for _id, i, _n in server.appends] == [0, 1]
    run.adapter.publish(run.post(clip), "key-1")
    indices = [i for _id, i, _n in server.appends]
    assert indices == list(range(len(indices)))  # from chunk 2 on, none sent twice
    assert server.media[video_id(server)]["content"] == clip.path.read_bytes()
    assert len(server.tweets) == 1


def test_an_expired_upload_starts_over(tmp_path: Path, server: FakeX, clip: MediaFile) -> None:
    run = Run(tmp_path, server)
    first = server.next_media_id()
    server.fail_segment = 1
    with pytest.raises(Transient):
        run.adapter.publish(run.post(clip), "key-1")
    run.now = NOW + timedelta(days=1)  # past its expires_after_secs (86400)
    run.adapter.publish(run.post(clip), "key-1")
    (tweet,) = server.tweets
    assert tweet["media_ids"] != [first]
    assert len(server.requests_to("POST", "/2/media/upload/initialize")) == 2


def test_an_upload_x_forgot_starts_over(tmp_path: Path, server: FakeX, clip: MediaFile) -> None:
    server.polls_before_ready = 1000
    run = Run(tmp_path, server)
    with pytest.raises(Transient):
        run.adapter.publish(run.post(clip), "key-1")
    server.expire(video_id(server))  # X dropped it: STATUS is 404
    server.polls_before_ready = 0
    run.adapter.publish(run.post(clip), "key-1")
    assert len(server.requests_to("POST", "/2/media/upload/initialize")) == 2
    assert len(server.tweets) == 1


# What X refuses before anything is queued


def post_with(tmp_path: Path, path: Path, alt: str = "") -> Post:
    account = make_account("x", "x", locales=["en"], api_base="https://api.x.com")
    return Post(account, "Video", ("en",), (MediaFile(path, alt),))


def adapter_only(tmp_path: Path):
    account = make_account("x", "x", locales=["en"], api_base="https://api.x.com")
    adapters = Adapters(outbox_dir=tmp_path / "outbox", secrets=KeyringSecrets(),
                        clock=lambda: NOW)
    return adapters.for_account(account)


def test_x_refuses_another_codec_frame_rate_shape_and_long_alt(tmp_path: Path) -> None:
    adapter = adapter_only(tmp_path)
    webm = make_video(tmp_path / "clip.webm")
    assert adapter.validate(post_with(tmp_path, webm)) == [
        "video clip.webm is webm: X takes mov, mp4",
        "video clip.webm is coded in vp9: X takes h264",
        "the sound of video clip.webm is opus: X takes aac"]
    fast = make_video(tmp_path / "fast.mp4", fps=75, seconds=1.0)
    assert adapter.validate(post_with(tmp_path, fast)) == [
        "video fast.mp4 has 75 frames a second: X takes at most 60"]
    wide = make_video(tmp_path / "wide.mp4", width=1400, height=400, seconds=1.0)
    assert adapter.validate(post_with(tmp_path, wide)) == [
        "video wide.mp4 is 1400x400 (ratio 3.50): X takes ratios from 0.33 to 3.00"]
    big = make_video(tmp_path / "big.mp4", width=1080, height=1300, seconds=0.5)
    assert adapter.validate(post_with(tmp_path, big)) == [
        "video big.mp4 is 1080x1300: X takes from 32x32 to 1280x1024 (or 1024x1280)"]
    ok = make_video(tmp_path / "ok.mp4", width=720, height=1280, seconds=1.0)
    assert adapter.validate(post_with(tmp_path, ok, "x" * 1001)) == [
        "alt text of ok.mp4 is over 1000 characters"]


def test_x_refuses_a_video_too_long_or_too_big() -> None:
    info = VideoInfo(size=600 * 1024 * 1024, duration=141.0, width=1280, height=720,
                     container="mp4", video_codec="h264", audio_codec="aac", frame_rate=30)
    assert video_problems("X", "long.mp4", info, x_video.LIMITS) == [
        "video long.mp4 is 600.0 MB: X takes at most 512 MB",
        "video long.mp4 lasts 141.0 s: X takes at most 140 s"]


# Through the command line


def write_video_draft(home: Path, account: str, video: Path, *, alt: str = "A speech.",
                      subtitles: dict[str, str] | None = None,
                      text: str = "Our ambassador's message.") -> None:
    """A draft in English with one video under media/ (and its subtitle files)."""
    lines = ['title = "video"', 'source = "en"', f'accounts = ["{account}"]',
             "approved = true", f'[variants.en]\ntext = """{text}"""', "",
             f'[[media]]\nfile = "media/{video.name}"', f'alt.en = "{alt}"']
    for locale, content in (subtitles or {}).items():
        name = f"{video.stem}.{locale}.{'vtt' if content.startswith('WEBVTT') else 'srt'}"
        (home / "media" / name).write_text(content, encoding="utf-8")
        lines.append(f'subtitles.{locale} = "media/{name}"')
    (home / "drafts" / "video.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def x_home(home: Path, server: FakeX) -> Path:
    add_account(home, "mfa-x", "--platform", "x", "--api-base", server.url,
                "--handle", "@MFAKosovo", "--locales", "en")
    assert run_cli("--home", str(home), "accounts", "set-secret", "mfa-x",
                   stdin="x-access-token\n").code == 0
    (home / "media").mkdir(exist_ok=True)
    return home


SCHEDULE = ("schedule", "video", "--at", "2026-12-01T09:00:00+01:00",
            "--now", "2026-12-01T08:00:00+01:00")


def test_scheduling_refuses_a_video_x_would_refuse(x_home: Path) -> None:
    make_video(x_home / "media" / "clip.webm")
    write_video_draft(x_home, "mfa-x", x_home / "media" / "clip.webm")
    result = cli(x_home, *SCHEDULE)
    assert result.code == 2
    assert "video on mfa-x (en): video clip.webm is webm: X takes mov, mp4" in result.err
    assert items(x_home) == []


def test_a_flush_killed_mid_upload_resumes_and_posts_once(x_home: Path, server: FakeX) -> None:
    clip = make_video(x_home / "media" / "clip.mp4", seconds=3.0, width=640, height=480)
    write_video_draft(x_home, "mfa-x", clip, subtitles={"en": SRT})
    assert cli(x_home, *SCHEDULE).code == 0
    media_id = server.next_media_id()
    server.hold_path, server.hold_skip = f"POST /2/media/upload/{media_id}/append", 3
    process = flush_process(x_home, "2026-12-01T09:00:10+01:00")
    assert server.received.wait(timeout=60), "the flush never reached the fourth chunk"
    process.send_signal(signal.SIGKILL)  # killed while chunk 3 is in flight
    process.wait(timeout=10)
    server.hold_path = None
    server.release.set()
    before = len(server.appends)
    assert [i for _id, i, _n in server.appends] == [0, 1, 2, 3]
    rerun = cli(x_home, "flush", "--now", "2026-12-01T09:01:00+01:00")
    assert rerun.code == 0, rerun.err
    again = [i for _id, i, _n in server.appends[before:]]
    assert again[0] == 3 and again == list(range(3, 3 + len(again)))  # none before 3
    assert len(server.requests_to("POST", "/2/media/upload/initialize")) == 1
    assert server.media[media_id]["content"] == clip.read_bytes()
    (tweet,) = server.tweets
    assert tweet["media_ids"] == [media_id]
    assert [t["language_code"] for t in server.media[media_id]["subtitles"]] == ["EN"]
    (item,) = items(x_home)
    assert item["state"] == "sent"


def test_verbose_flush_tells_the_uploads_progress(x_home: Path, server: FakeX) -> None:
    clip = make_video(x_home / "media" / "clip.mp4")
    write_video_draft(x_home, "mfa-x", clip)
    assert cli(x_home, *SCHEDULE).code == 0
    result = run_process("--home", str(x_home), "-v", "flush",
                         "--now", "2026-12-01T09:00:10+01:00")
    assert result.code == 0, result.err
    assert "mfa-x: clip.mp4: 0.0 of 0.0 MB sent (100%)" in result.err
    assert "mfa-x: clip.mp4 uploaded, the platform is processing it" in result.err
    assert "x-access-token" not in result.err
    assert len(server.tweets) == 1
