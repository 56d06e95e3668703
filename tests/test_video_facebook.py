"""Facebook page videos through `publisher flush` against the loopback Graph fake: the
resumable upload (start, transfer in chunks, finish), captions per locale, processing
polls, a failed processing, an expired session, and a flush killed mid-upload that the
next one resumes at the offset Facebook expects. Real small videos (tests/video_files)."""

from __future__ import annotations

import signal
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from conftest import run_cli, run_process
from fakes.base import Scripted
from fakes.facebook import FakeFacebook
from queue_helpers import add_account, cli, items
from test_flush_http import flush_process
from video_files import make_video

from publisher.domain.accounts import make_account
from publisher.domain.video import VideoInfo, video_problems
from publisher.platforms.base import MediaFile, MemoryCheckpoints, Post, SubtitleFile, Transient
from publisher.platforms.common.video import subtitles_as
from publisher.platforms.meta.facebook import FACEBOOK_VIDEO
from publisher.platforms.registry import Adapters

NOW = "2026-12-01T09:00:10+01:00"
AT = "2026-12-01T09:00:00+01:00"
TEXT = "Ambasadori flet për vizat."
SRT = "1\n00:00:00,500 --> 00:00:01,500\nMirëdita\n"
VTT = "WEBVTT\n\n00:00.500 --> 00:01.500 align:start\nGood day\n"


def write_video_draft(home: Path, accounts: list[str], *, text: str = TEXT,
                      video: str = "clip.mp4", alt: str = "Ambasadori në zyrë",
                      subtitles: dict[str, str] | None = None) -> None:
    """An approved Albanian draft whose one [[media]] is media/<video>; ``subtitles``
    maps locales to file names under media/."""
    lines = ['title = "video"', 'source = "sq"',
             "accounts = [" + ", ".join(f'"{a}"' for a in accounts) + "]", "approved = true",
             f'\n[variants.sq]\ntext = """{text}"""',
             f'\n[[media]]\nfile = "media/{video}"\nalt.sq = "{alt}"']
    for locale, name in (subtitles or {}).items():
        lines.append(f'subtitles.{locale} = "media/{name}"')
    (home / "drafts" / "video.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def put_video(home: Path, name: str = "clip.mp4", **options: object) -> Path:
    (home / "media").mkdir(exist_ok=True)
    return make_video(home / "media" / name, **options)  # type: ignore[arg-type]


def schedule(home: Path) -> object:
    return cli(home, "schedule", "video", "--at", AT, "--now", AT, "--json")


def item_key(home: Path) -> str:
    with sqlite3.connect(home / "queue.sqlite3") as db:
        return db.execute("SELECT idempotency_key FROM items").fetchone()[0]


@pytest.fixture
def fb():
    with FakeFacebook() as server:
        server.chunk_size = 16 * 1024
        yield server


@pytest.fixture
def ws(home: Path, fb: FakeFacebook) -> Path:
    add_account(home, "fb", "--platform", "facebook", "--api-base", fb.url,
                "--handle", fb.page_id, "--locales", "sq")
    result = run_cli("--home", str(home), "accounts", "set-secret", "fb", stdin=fb.token + "\n")
    assert result.code == 0, result.err
    return home


def kept_offsets(fb: FakeFacebook) -> list[int]:
    return [offset for offset, _length, kept in fb.transfers if kept]


def test_a_video_goes_out_in_chunks_with_captions_per_locale(ws: Path, fb: FakeFacebook) -> None:
    path = put_video(ws, seconds=3.0)
    (ws / "media" / "clip.sq.srt").write_text(SRT, encoding="utf-8")
    (ws / "media" / "clip.en.vtt").write_text(VTT, encoding="utf-8")
    write_video_draft(ws, ["fb"], subtitles={"sq": "clip.sq.srt", "en": "clip.en.vtt"})
    assert schedule(ws).code == 0
    fb.processing_polls = 2  # "processing" twice, then ready
    result = run_process("--home", str(ws), "-v", "flush", "--now", NOW)  # -v: progress
    assert result.code == 0, result.err
    (video_id,) = fb.videos
    size = path.stat().st_size
    assert fb.video_bytes(video_id) == path.read_bytes()
    offsets = kept_offsets(fb)
    assert len(offsets) == -(-size // fb.chunk_size) >= 3
    assert offsets == list(range(0, size, fb.chunk_size))  # in order, none twice
    (post,) = fb.posts
    assert post["message"] == TEXT and fb.videos[video_id]["published"] == "true"
    assert fb.videos[video_id]["polls"] == 3
    assert fb.captions[video_id] == {
        "sq_AL": SRT, "en_US": "1\n00:00:00,500 --> 00:00:01,500\nGood day\n"}
    (item,) = items(ws)
    assert item["state"] == "sent" and item["url"].endswith(f"/videos/{video_id}/")
    assert "fb: clip.mp4 uploaded, the platform is processing it" in result.err
    sent = [line for line in result.err.splitlines() if "MB sent" in line]
    assert [line.rsplit("(", 1)[1] for line in sent] == [
        f"{100 * min(n * fb.chunk_size, size) // size}%)" for n in range(1, len(offsets) + 1)]


def test_failed_processing_is_rejected_with_facebooks_reason(ws: Path, fb: FakeFacebook) -> None:
    put_video(ws)
    write_video_draft(ws, ["fb"])
    assert schedule(ws).code == 0
    fb.processing_error = "The video could not be decoded"
    result = cli(ws, "flush", "--now", NOW)
    assert result.code != 0
    (item,) = items(ws)
    assert item["state"] == "failed"
    assert "could not process the video: The video could not be decoded" in item["error"]


def adapter_for(fb: FakeFacebook, checkpoints: MemoryCheckpoints):
    account = make_account("fb", "facebook", locales=["sq"], handle=fb.page_id, api_base=fb.url)
    adapters = Adapters(outbox_dir=Path("/nonexistent/outbox"), secrets=_Token(fb.token),
                        clock=lambda: datetime.fromisoformat(NOW), checkpoints=checkpoints)
    adapters.sleep = lambda _seconds: None
    return account, adapters.for_account(account)


class _Token:
    def __init__(self, token: str) -> None:
        self.token = token

    def get(self, account_id: str, part: str | None = None) -> str | None:
        return self.token if part is None else None

    def set(self, account_id: str, value: str, part: str | None = None) -> None:
        pass


def test_a_cut_upload_resumes_and_an_expired_session_starts_over(
    tmp_path: Path, fb: FakeFacebook
) -> None:
    path = make_video(tmp_path / "clip.mp4", seconds=3.0)
    checkpoints = MemoryCheckpoints()
    account, adapter = adapter_for(fb, checkpoints)
    post = Post(account, TEXT, ("sq",), (MediaFile(path, "", "ab" * 32),))
    # The third transfer meets passing trouble: nothing went out, the upload is recorded.
    original = fb._transfer

    def cut_third(request, fields, session):
        if len(kept_offsets(fb)) == 2:
            fb._transfer = original
            return 503, {"error": {"message": "Service temporarily unavailable", "code": 2,
                                   "is_transient": True}}, {}
        return original(request, fields, session)

    fb._transfer = cut_third
    with pytest.raises(Transient) as raised:
        adapter.publish(post, "key-1")
    assert raised.value.maybe_sent is False and fb.posts == []
    assert kept_offsets(fb) == [0, fb.chunk_size]
    # Resumed: the next chunk, not the first again.
    published = adapter.publish(post, "key-1")
    assert kept_offsets(fb)[:3] == [0, fb.chunk_size, 2 * fb.chunk_size]
    assert len(fb.sessions) == 1 and len(fb.posts) == 1
    assert published.remote_id == next(iter(fb.videos))
    assert published.url == f"https://www.facebook.com/{fb.page_id}/videos/{published.remote_id}/"
    # Another post whose recorded session expired meanwhile starts over, once.
    post2 = Post(account, "Një tjetër.", ("sq",), (MediaFile(path, "", "cd" * 32),))
    fb.fail_next(f"POST /v23.0/{fb.page_id}/videos", Scripted(
        503, {"error": {"message": "Service temporarily unavailable", "code": 2}}))
    with pytest.raises(Transient):
        adapter.publish(post2, "key-2")
    assert len(fb.sessions) == 1  # the start itself failed: no session yet
    adapter.publish(post2, "key-2")
    assert len(fb.sessions) == 2 and len(fb.posts) == 2


def test_an_expired_session_is_forgotten_and_the_upload_starts_over(
    tmp_path: Path, fb: FakeFacebook
) -> None:
    path = make_video(tmp_path / "clip.mp4", seconds=2.0)
    checkpoints = MemoryCheckpoints()
    account, adapter = adapter_for(fb, checkpoints)
    post = Post(account, TEXT, ("sq",), (MediaFile(path, "", "ef" * 32),))
    original = fb._transfer

    def expire_after_first(request, fields, session):
        if len(kept_offsets(fb)) == 1 and not session["expired"]:
            session["expired"] = True
            fb._transfer = original
        return original(request, fields, session)

    fb._transfer = expire_after_first
    # The second chunk finds the session expired (1363030): a new one, from offset 0.
    fb.chunk_size = 8 * 1024
    published = adapter.publish(post, "key-3")
    assert len(fb.sessions) == 2 and len(fb.posts) == 1
    assert fb.video_bytes(published.remote_id) == path.read_bytes()


def test_a_flush_killed_mid_upload_resumes_where_facebook_expects(
    ws: Path, fb: FakeFacebook
) -> None:
    path = put_video(ws, seconds=3.0)
    write_video_draft(ws, ["fb"])
    assert schedule(ws).code == 0
    process = flush_process(ws, NOW)
    fb.kill_at_chunk = (2, process.pid)  # SIGKILL when the third chunk arrives (kept)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert kept_offsets(fb) == [0, fb.chunk_size, 2 * fb.chunk_size] and fb.posts == []
    fb.kill_at_chunk = None
    for _run in range(2):  # the first run may only look at the interrupted item
        result = cli(ws, "flush", "--now", NOW)
        assert result.code == 0, result.err
        if items(ws)[0]["state"] == "sent":
            break
    (item,) = items(ws)
    assert item["state"] == "sent"
    # The killed flush never heard that chunk 2 arrived: it is offered again once,
    # refused with the offset Facebook expects, and the upload goes on from there.
    refused = [offset for offset, _length, kept in fb.transfers if not kept]
    assert refused == [2 * fb.chunk_size]
    size = path.stat().st_size
    assert kept_offsets(fb) == list(range(0, size, fb.chunk_size))
    assert len(fb.sessions) == 1 and len(fb.posts) == 1
    assert fb.video_bytes(next(iter(fb.videos))) == path.read_bytes()


def test_facebook_refuses_what_its_video_api_does_not_take() -> None:
    long = VideoInfo(size=11 * 1024**3, duration=241 * 60, width=1920, height=1080,
                     container="mp4", video_codec="h264", audio_codec="aac", frame_rate=30)
    assert video_problems("Facebook", "a.mp4", long, FACEBOOK_VIDEO) == [
        "video a.mp4 is 11264.0 MB: Facebook takes at most 10,240 MB",
        "video a.mp4 lasts 14460.0 s: Facebook takes at most 240 min"]
    odd = VideoInfo(1000, 5.0, 640, 360, "mkv", "mpeg4", "ac3", 25.0)
    assert video_problems("Facebook", "a.mkv", odd, FACEBOOK_VIDEO) == [
        "video a.mkv is mkv: Facebook takes mov, mp4, webm",
        "video a.mkv is coded in mpeg4: Facebook takes h264, hevc, vp8, vp9",
        "the sound of video a.mkv is ac3: Facebook takes aac, mp3, opus, vorbis"]
    webm = VideoInfo(1000, 5.0, 640, 360, "webm", "vp9", "opus", 25.0)
    assert video_problems("Facebook", "a.webm", webm, FACEBOOK_VIDEO) == []


def test_validate_refuses_big_captions_and_a_video_beside_images(tmp_path: Path,
                                                                fb: FakeFacebook) -> None:
    path = make_video(tmp_path / "clip.mp4")
    big = tmp_path / "clip.sq.srt"
    big.write_text(SRT * 12_000, encoding="utf-8")
    _account, adapter = adapter_for(fb, MemoryCheckpoints())
    account = make_account("fb", "facebook", locales=["sq"], handle=fb.page_id, api_base=fb.url)
    video = MediaFile(path, "", subtitles=(SubtitleFile("sq", big),))
    assert adapter.validate(Post(account, TEXT, ("sq",), (video,))) == [
        "subtitles clip.sq.srt are over Facebook's limit of 200 KB"]
    image = tmp_path / "flag.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert adapter.validate(Post(account, TEXT, ("sq",), (MediaFile(path, ""),
                                                          MediaFile(image, "")))) == [
        "Facebook takes a video or images, not both in one post"]


def test_scheduling_refuses_a_file_that_is_not_a_video(ws: Path) -> None:
    (ws / "media").mkdir(exist_ok=True)
    (ws / "media" / "clip.mp4").write_text("not a video at all")
    write_video_draft(ws, ["fb"])
    result = schedule(ws)
    assert result.code == 2
    assert "clip.mp4 is not a video" in result.err and result.err.count("\n") == 1
    assert items(ws) == []


def test_vtt_becomes_numbered_srt(tmp_path: Path) -> None:
    vtt = ("WEBVTT\n\nNOTE made by hand\n\n00:01.000 --> 00:02.500 align:start\nFirst\n\n"
           "intro\n00:00:03.000 --> 00:00:04.000\nSecond\nline\n")
    (tmp_path / "a.vtt").write_text(vtt, encoding="utf-8")
    (tmp_path / "a.srt").write_text(SRT, encoding="utf-8")
    assert subtitles_as(SubtitleFile("en", tmp_path / "a.vtt"), ".srt") == (
        "1\n00:00:01,000 --> 00:00:02,500\nFirst\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nSecond\nline\n")
    assert subtitles_as(SubtitleFile("sq", tmp_path / "a.srt"), ".srt") == SRT


def test_a_video_posts_text_is_corrected_as_its_description(
    tmp_path: Path, fb: FakeFacebook
) -> None:
    """A page video's text is its ``description`` (Video API: POST /{video-id}); a
    ``message`` there would be refused, so a correction must not send one."""
    path = make_video(tmp_path / "clip.mp4", seconds=1.0)
    account, adapter = adapter_for(fb, MemoryCheckpoints())
    post = Post(account, TEXT, ("sq",), (MediaFile(path, "", "12" * 32),))
    published = adapter.publish(post, "key-edit")
    corrected = Post(account, "Ambasadori flet për vizat dhe pasaportat.", ("sq",), post.media)
    assert adapter.edit(published, corrected) == published
    assert fb.videos[published.remote_id]["message"] == corrected.text
