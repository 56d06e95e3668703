"""Mastodon videos against the loopback fake that speaks its asynchronous media API
(POST /api/v2/media 202, then GET /api/v1/media/:id 206 until 200), with the limits the
instance gives in /api/v2/instance; a flush killed while the instance processes the
video reuses the uploaded media."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_cli
from fakes.mastodon import FakeMastodon
from queue_helpers import add_account, cli, items
from test_flush_http import flush_process
from test_video_x import SCHEDULE, SRT, AdapterRun, write_video_draft
from video_files import make_video

from publisher.domain.accounts import make_account
from publisher.platforms.base import MediaFile, Rejected, Transient

NOW = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)
TOKEN = "test-access-token"


class Run(AdapterRun):
    """A Mastodon account on the fake."""

    def __init__(self, tmp_path: Path, server: FakeMastodon) -> None:
        super().__init__(tmp_path, make_account("mastodon", "mastodon", locales=["en"],
                                                api_base=server.url), TOKEN, NOW)


@pytest.fixture
def server():
    with FakeMastodon(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def clip(tmp_path: Path) -> MediaFile:
    return MediaFile(make_video(tmp_path / "clip.mp4"), "A diplomat speaks.", "cd" * 32)


def uploads(server: FakeMastodon) -> int:
    return len(server.requests_to("POST", "/api/v2/media"))


def test_a_video_goes_out_with_its_description_after_several_polls(
    tmp_path: Path, server: FakeMastodon, clip: MediaFile
) -> None:
    server.video_polls_before_ready = 3
    run = Run(tmp_path, server)
    published = run.adapter.publish(run.post(clip), "key-1")
    (media,) = server.media.values()
    assert media["type"] == "video" and media["content"] == clip.path.read_bytes()
    assert media["description"] == "A diplomat speaks."
    assert len(server.requests_to("GET", "/api/v1/media/1")) == 3  # 206, 206, 200
    assert run.waits == [1.0, 1.0]
    (status,) = server.statuses
    assert [m["id"] for m in status["media_attachments"]] == ["1"]
    assert published.remote_id == status["id"]
    size = clip.path.stat().st_size
    assert [(p.sent, p.total, p.stage) for p in run.told] == [
        (size, size, "uploading"), (size, size, "processing")]


def test_failed_processing_is_rejected_with_the_instances_reason(
    tmp_path: Path, server: FakeMastodon, clip: MediaFile
) -> None:
    server.video_failure = "Error processing video: unsupported codec"
    run = Run(tmp_path, server)
    with pytest.raises(Rejected, match="could not process the video: HTTP 422: Error "
                                       "processing video: unsupported codec"):
        run.adapter.publish(run.post(clip), "key-1")
    assert server.statuses == []


def test_slow_processing_is_left_to_the_next_attempt_which_reuses_the_media(
    tmp_path: Path, server: FakeMastodon, clip: MediaFile
) -> None:
    server.video_polls_before_ready = 10_000
    run = Run(tmp_path, server)
    with pytest.raises(Transient, match="still being processed") as raised:
        run.adapter.publish(run.post(clip), "key-1")
    assert raised.value.maybe_sent is False and server.statuses == []
    server.video_polls_before_ready = 0
    run.adapter.publish(run.post(clip), "key-1")
    assert uploads(server) == 1 and len(server.statuses) == 1


def test_media_the_instance_dropped_or_too_old_is_uploaded_again(
    tmp_path: Path, server: FakeMastodon, clip: MediaFile
) -> None:
    server.video_polls_before_ready = 10_000
    run = Run(tmp_path, server)
    with pytest.raises(Transient):
        run.adapter.publish(run.post(clip), "key-1")
    server.forget_media("1")  # Mastodon's cleanup of unattached media
    server.video_polls_before_ready = 0
    run.adapter.publish(run.post(clip), "key-1")
    assert uploads(server) == 2 and len(server.statuses) == 1
    server.video_polls_before_ready = 10_000
    with pytest.raises(Transient):
        run.adapter.publish(run.post(clip, "Another video."), "key-2")
    run.now = NOW + timedelta(hours=21)  # past the day the instance keeps it
    server.video_polls_before_ready = 0
    run.adapter.publish(run.post(clip, "Another video."), "key-2")
    assert uploads(server) == 4 and len(server.statuses) == 2


def test_the_instances_own_limits_refuse_a_video(
    tmp_path: Path, server: FakeMastodon, clip: MediaFile
) -> None:
    server.media_configuration.update(video_frame_rate_limit=20, video_matrix_limit=50_000,
                                      supported_mime_types=["video/mp4", "video/quicktime"])
    run = Run(tmp_path, server)
    assert run.adapter.validate(run.post(clip)) == [
        "video clip.mp4 has 25 frames a second: Mastodon takes at most 20"]
    webm = MediaFile(make_video(tmp_path / "clip.webm"), "")
    assert run.adapter.validate(run.post(webm)) == [
        "video clip.webm is webm: Mastodon takes mov, mp4",
        "video clip.webm has 25 frames a second: Mastodon takes at most 20",
        "video clip.webm has no alt text"]
    server.media_configuration.update(video_frame_rate_limit=60)
    fresh = Run(tmp_path, server)  # a new run reads the instance again
    assert fresh.adapter.validate(fresh.post(clip)) == [
        "video clip.mp4 is 320x240: the instance takes at most 50,000 pixels"]
    server.media_configuration.update(video_size_limit=10_000, video_matrix_limit=2304000)
    with pytest.raises(Rejected, match="Mastodon takes at most"):
        Run(tmp_path, server).adapter.publish(fresh.post(clip), "key-9")
    assert uploads(server) == 0


def test_an_instance_that_says_no_limits_gets_the_documented_ones(
    tmp_path: Path, server: FakeMastodon, clip: MediaFile
) -> None:
    server.media_configuration = None
    run = Run(tmp_path, server)
    limits, matrix = run.adapter.video_limits()
    assert (limits.max_bytes, limits.max_frame_rate, matrix) == (41943040, 60, 2304000)
    assert limits.subtitles is False
    assert run.adapter.validate(run.post(clip)) == []


# Through the command line


@pytest.fixture
def masto_home(home: Path, server: FakeMastodon) -> Path:
    add_account(home, "dc-mastodon", "--platform", "mastodon", "--api-base", server.url,
                "--locales", "en")
    assert run_cli("--home", str(home), "accounts", "set-secret", "dc-mastodon",
                   stdin=TOKEN + "\n").code == 0
    (home / "media").mkdir(exist_ok=True)
    return home


def test_scheduling_refuses_what_the_instance_refuses_and_says_subtitles_stay_behind(
    masto_home: Path, server: FakeMastodon
) -> None:
    clip = make_video(masto_home / "media" / "clip.mp4")
    write_video_draft(masto_home, "dc-mastodon", clip, subtitles={"en": SRT})
    server.media_configuration.update(video_frame_rate_limit=20)
    refused = cli(masto_home, *SCHEDULE)
    assert refused.code == 2
    assert "video clip.mp4 has 25 frames a second: Mastodon takes at most 20" in refused.err
    assert items(masto_home) == []
    server.media_configuration.update(video_frame_rate_limit=60)
    taken = cli(masto_home, *SCHEDULE)
    assert taken.code == 0, taken.err
    assert "dc-mastodon: mastodon takes no subtitle files" in taken.err


def test_a_flush_killed_while_the_instance_processes_reuses_the_upload(
    masto_home: Path, server: FakeMastodon
) -> None:
    clip = make_video(masto_home / "media" / "clip.mp4")
    write_video_draft(masto_home, "dc-mastodon", clip)
    assert cli(masto_home, *SCHEDULE).code == 0
    server.now = datetime(2026, 12, 1, 8, 0, 11, tzinfo=UTC)
    server.hold_path = "GET /api/v1/media/1"
    process = flush_process(masto_home, "2026-12-01T09:00:10+01:00")
    assert server.received.wait(timeout=60), "the flush never polled the video"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    server.hold_path = None
    server.release.set()
    rerun = cli(masto_home, "flush", "--now", "2026-12-01T09:01:00+01:00")
    assert rerun.code == 0, rerun.err
    assert uploads(server) == 1  # the media the instance had was reused
    (status,) = server.statuses
    assert [m["id"] for m in status["media_attachments"]] == ["1"]
    (item,) = items(masto_home)
    assert item["state"] == "sent"
