"""Telegram videos against the loopback Bot API fake (sendVideo, one streamed request
within the bots' 50 MB), the offline outbox's record of a video, and the longer
deadline a whole-file upload gets."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import run_cli
from fakes.telegram import FakeTelegram
from queue_helpers import add_account, cli, items, outbox_files
from test_flush_http import flush_process
from test_video_x import SCHEDULE, SRT, VTT, write_video_draft
from video_files import make_video

from publisher.domain.accounts import make_account
from publisher.domain.video import MB, VideoInfo, video_problems
from publisher.platforms.base import MediaFile, Post
from publisher.platforms.common.http import Session
from publisher.platforms.common.progress import UploadProgress
from publisher.platforms.common.video import upload_deadline
from publisher.platforms.registry import Adapters
from publisher.platforms.telegram.adapter import VIDEO
from publisher.services.secrets import KeyringSecrets, set_secret

NOW = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)
TOKEN = "123456:ABC-bot-token"


@pytest.fixture
def server():
    with FakeTelegram(token=TOKEN) as fake:
        yield fake


def adapter_for(tmp_path: Path, server: FakeTelegram):
    set_secret("telegram", TOKEN)
    account = make_account("telegram", "telegram", locales=["en"], api_base=server.url,
                           handle="@embassy_news")
    adapters = Adapters(outbox_dir=tmp_path / "outbox", secrets=KeyringSecrets(),
                        clock=lambda: NOW)
    told: list[UploadProgress] = []
    adapters.progress = told.append
    return adapters.for_account(account), account, told


def test_a_video_goes_with_its_size_length_and_caption(
    tmp_path: Path, server: FakeTelegram
) -> None:
    path = make_video(tmp_path / "clip.mp4", seconds=2.0, width=320, height=240)
    adapter, account, told = adapter_for(tmp_path, server)
    published = adapter.publish(Post(account, "Our message.", ("en",),
                                     (MediaFile(path, "unused alt"),)), "key-1")
    (message,) = server.messages
    assert message["caption"] == "Our message."
    assert {k: message["video"][k] for k in ("width", "height", "duration")} == {
        "width": 320, "height": 240, "duration": 2}
    assert message["supports_streaming"] == "true"
    assert server.videos[message["message_id"]] == path.read_bytes()
    assert published.url == f"https://t.me/embassy_news/{message['message_id']}"
    size = path.stat().st_size
    assert [(p.sent, p.total, p.stage) for p in told] == [(size, size, "uploading")]
    assert TOKEN not in repr(adapter)


def test_a_text_too_long_for_a_caption_follows_the_video(
    tmp_path: Path, server: FakeTelegram
) -> None:
    path = make_video(tmp_path / "clip.mp4")
    adapter, account, _told = adapter_for(tmp_path, server)
    text = "A long statement. " * 80  # over the 1024 characters of a caption
    published = adapter.publish(Post(account, text, ("en",), (MediaFile(path, ""),)), "k")
    video, words = server.messages
    assert "video" in video and "caption" not in video and words["text"] == text
    assert published.ref == f"{video['message_id']} {words['message_id']}"


def test_telegram_refuses_a_webm_a_video_beside_an_image_and_over_50_mb(
    tmp_path: Path, server: FakeTelegram
) -> None:
    adapter, account, _told = adapter_for(tmp_path, server)
    webm = make_video(tmp_path / "clip.webm")
    assert adapter.validate(Post(account, "Video", ("en",), (MediaFile(webm, ""),))) == [
        "video clip.webm is webm: Telegram takes mp4",
        "video clip.webm is coded in vp9: Telegram takes h264, hevc"]
    image = tmp_path / "flag.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    mp4 = make_video(tmp_path / "clip.mp4")
    both = (MediaFile(mp4, ""), MediaFile(image, ""))
    assert adapter.validate(Post(account, "Video", ("en",), both)) == [
        "Telegram takes a video or images, not both in one post"]
    big = VideoInfo(size=51 * MB, duration=300.0, width=1920, height=1080, container="mp4",
                    video_codec="h264", audio_codec="aac", frame_rate=30)
    assert video_problems("Telegram", "big.mp4", big, VIDEO) == [
        "video big.mp4 is 51.0 MB: Telegram takes at most 50 MB"]
    assert VIDEO.subtitles is False


def test_one_upload_has_time_for_its_size_within_the_flushs_end() -> None:
    session = Session(deadline=60.0)
    with upload_deadline(session, 40 * MB):
        assert session.deadline == 60.0 + 320.0  # 40 MB at 128 kB/s
    assert session.deadline == 60.0
    with upload_deadline(object(), 40 * MB):  # a plain session has no deadline to change
        pass


# Through the command line


@pytest.fixture
def tg_home(home: Path, server: FakeTelegram) -> Path:
    add_account(home, "tg", "--platform", "telegram", "--api-base", server.url,
                "--handle", "@embassy_news", "--locales", "en")
    assert run_cli("--home", str(home), "accounts", "set-secret", "tg",
                   stdin=TOKEN + "\n").code == 0
    (home / "media").mkdir(exist_ok=True)
    return home


def test_scheduling_refuses_a_webm_and_says_subtitles_stay_behind(
    tg_home: Path, server: FakeTelegram
) -> None:
    make_video(tg_home / "media" / "clip.webm")
    write_video_draft(tg_home, "tg", tg_home / "media" / "clip.webm")
    refused = cli(tg_home, *SCHEDULE)
    assert refused.code == 2 and "video clip.webm is webm: Telegram takes mp4" in refused.err
    assert items(tg_home) == []
    make_video(tg_home / "media" / "clip.mp4")
    write_video_draft(tg_home, "tg", tg_home / "media" / "clip.mp4", subtitles={"en": SRT})
    taken = cli(tg_home, *SCHEDULE)
    assert taken.code == 0, taken.err
    assert "tg: telegram takes no subtitle files" in taken.err
    assert cli(tg_home, "flush", "--now", "2026-12-01T09:00:10+01:00").code == 0
    assert len(server.videos) == 1


def test_a_flush_killed_during_send_video_is_left_for_a_person(
    tg_home: Path, server: FakeTelegram
) -> None:
    make_video(tg_home / "media" / "clip.mp4")
    write_video_draft(tg_home, "tg", tg_home / "media" / "clip.mp4")
    assert cli(tg_home, *SCHEDULE).code == 0
    server.hold_path = f"POST /bot{TOKEN}/sendVideo"
    process = flush_process(tg_home, "2026-12-01T09:00:10+01:00")
    assert server.received.wait(timeout=60)
    process.send_signal(signal.SIGKILL)  # Telegram has the video; the flush never heard
    process.wait(timeout=10)
    server.hold_path = None
    server.release.set()
    rerun = cli(tg_home, "flush", "--now", "2026-12-01T09:01:00+01:00")
    assert rerun.code == 4 and "check the account" in rerun.err
    assert len(server.videos) == 1  # never sent twice
    (item,) = items(tg_home)
    assert item["state"] == "unknown"


# The offline outbox


def test_the_outbox_records_a_video_with_its_subtitles(demo_video: Path) -> None:
    (record,) = [json.loads(p.read_text()) for p in outbox_files(demo_video)]
    assert record["media"] == [{"file": "clip.mp4", "alt": "A speech.", "subtitles": [
        {"locale": "en", "file": "clip.en.srt"}, {"locale": "sq", "file": "clip.sq.vtt"}]}]


@pytest.fixture
def demo_video(home: Path) -> Path:
    add_account(home, "box", "--platform", "outbox", "--locales", "en")
    (home / "media").mkdir(exist_ok=True)
    make_video(home / "media" / "clip.mp4")
    write_video_draft(home, "box", home / "media" / "clip.mp4",
                      subtitles={"en": SRT, "sq": VTT})
    assert cli(home, *SCHEDULE).code == 0
    assert cli(home, "flush", "--now", "2026-12-01T09:00:10+01:00").code == 0
    return home
