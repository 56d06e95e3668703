"""The video tools every adapter shares: the probe, streamed bodies, recorded uploads,
processing polls. Real video files, made by the ffmpeg that imageio-ffmpeg carries."""

from __future__ import annotations

import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from video_files import make_video

from publisher.domain.video import VideoInfo, VideoLimits, video_problems
from publisher.platforms.base import MediaFile, MemoryCheckpoints, Rejected, Transient
from publisher.platforms.common.video import (
    FileSlice,
    MultipartBody,
    Processing,
    UploadRecord,
    VideoUnreadable,
    chunks,
    probe,
    video_post_problems,
    wait_for_processing,
)


def test_probe_reads_an_h264_aac_mp4(tmp_path: Path) -> None:
    path = make_video(tmp_path / "clip.mp4", seconds=2.0, width=320, height=240, fps=25)
    info = probe(path)
    assert (info.container, info.video_codec, info.audio_codec) == ("mp4", "h264", "aac")
    assert (info.width, info.height, info.frame_rate) == (320, 240, 25.0)
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert info.size == path.stat().st_size


def test_probe_names_webm_and_mov_and_a_silent_video(tmp_path: Path) -> None:
    webm = probe(make_video(tmp_path / "clip.webm", container="webm"))
    assert (webm.container, webm.video_codec, webm.audio_codec) == ("webm", "vp9", "opus")
    mov = probe(make_video(tmp_path / "clip.mov", container="mov", audio=False))
    assert (mov.container, mov.video_codec, mov.audio_codec) == ("mov", "h264", None)


def test_probe_refuses_what_is_not_a_video(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(VideoUnreadable, match="not a video"):
        probe(text)
    with pytest.raises(VideoUnreadable, match="missing"):
        probe(tmp_path / "gone.mp4")


COMMON = VideoInfo(size=5_000_000, duration=30.0, width=1280, height=720, container="mp4",
                   video_codec="h264", audio_codec="aac", frame_rate=30.0)


def test_video_problems_name_each_limit_passed() -> None:
    limits = VideoLimits(max_bytes=4_000_000, max_seconds=20, min_seconds=3,
                         max_frame_rate=25, aspect=(0.5, 1.0), max_width=1000)
    problems = video_problems("Example", "a.mp4", COMMON, limits)
    assert len(problems) == 5
    assert problems[0] == "video a.mp4 is 4.8 MB: Example takes at most 3.8 MB"
    assert "lasts 30.0 s" in problems[1]
    assert video_problems("Example", "a.mp4", COMMON,
                          VideoLimits(max_bytes=10**9, max_seconds=60)) == []


def test_video_problems_refuse_another_codec_or_container() -> None:
    webm = VideoInfo(1000, 5.0, 640, 360, "webm", "vp9", "opus", 25.0)
    problems = video_problems("Example", "a.webm", webm, VideoLimits(10**9, 60))
    assert problems == ["video a.webm is webm: Example takes mp4",
                        "video a.webm is coded in vp9: Example takes h264"]


def test_a_post_takes_one_video_and_no_images_beside_it(tmp_path: Path) -> None:
    video = make_video(tmp_path / "clip.mp4")
    image = tmp_path / "flag.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    limits = VideoLimits(max_bytes=10**9, max_seconds=60)
    media = (MediaFile(video, ""), MediaFile(video, ""), MediaFile(image, ""))
    problems = video_post_problems("Example", media, limits)
    assert problems[:2] == ["2 videos: Example takes one video per post",
                            "Example takes a video or images, not both in one post"]
    assert video_post_problems("Example", (MediaFile(video, ""),), None) == [
        "Example posts no video here"]
    assert video_post_problems("Example", (MediaFile(image, ""),), None) == []


@given(size=st.integers(0, 10_000), chunk=st.integers(1, 3000), start_chunk=st.integers(0, 5))
def test_chunks_cover_the_file_once_from_the_start_chunk(size: int, chunk: int,
                                                         start_chunk: int) -> None:
    start = start_chunk * chunk if start_chunk * chunk <= size else 0
    parts = list(chunks(size, chunk, start))
    assert sum(length for _i, _o, length in parts) == size - start
    assert all(offset == index * chunk for index, offset, _l in parts)


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append((dict(self.headers), self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    do_PUT = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Receiver.received
    server.shutdown()
    server.server_close()


def test_a_file_slice_goes_with_its_length_not_chunked(tmp_path: Path, receiver) -> None:
    url, received = receiver
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 4000)
    with FileSlice(path, 1000, 300_000) as body:
        requests.put(url, data=body, timeout=10)
    headers, data = received[0]
    assert headers["Content-Length"] == "300000" and "Transfer-Encoding" not in headers
    assert data == path.read_bytes()[1000:301_000]


def test_a_multipart_body_streams_its_file_part(tmp_path: Path, receiver) -> None:
    url, received = receiver
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x00\x01video bytes\r\n--" * 50_000)
    body = MultipartBody({"segment_index": "2", "command": "APPEND"}, "media", 'a"b.mp4',
                         "video/mp4", FileSlice(path, 10, 200_000))
    with body:
        requests.post(url, data=body, headers={"Content-Type": body.content_type}, timeout=10)
    headers, data = received[0]
    assert int(headers["Content-Length"]) == len(data) == len(body)
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + data)
    parts = {part.get_param("name", header="content-disposition"): part
             for part in message.iter_parts()}
    assert parts["segment_index"].get_content() == "2"
    assert parts["media"].get_content() == path.read_bytes()[10:200_010]
    assert parts["media"].get_filename() == "a_b.mp4"


def test_an_upload_record_outlives_its_reader(tmp_path: Path) -> None:
    checkpoints = MemoryCheckpoints()
    media = MediaFile(tmp_path / "clip.mp4", "", "ab" * 32)
    record = UploadRecord(checkpoints, "key-1", media)
    assert record.get("session") is None
    record.save(session="s-1", sent=3)
    again = UploadRecord(checkpoints, "key-1", media)
    assert (again.get("session"), again.get("sent")) == ("s-1", 3)
    again.forget()
    assert UploadRecord(checkpoints, "key-1", media).data == {}
    assert UploadRecord(checkpoints, "key-2", media).data == {}


def test_processing_is_polled_until_ready_at_the_pace_asked() -> None:
    answers = iter([Processing(False, wait=5), Processing(False, wait=1), Processing(True)])
    waits: list[float] = []
    wait_for_processing(lambda: next(answers), what="clip.mp4", sleep=waits.append)
    assert waits == [5, 1]


def test_failed_processing_is_rejected_and_slow_processing_left_for_later() -> None:
    with pytest.raises(Rejected, match="could not process the video: bad codec"):
        wait_for_processing(lambda: Processing(False, failed="bad codec"), what="a",
                            sleep=lambda _s: None)
    waits: list[float] = []
    with pytest.raises(Transient, match="still being processed") as raised:
        wait_for_processing(lambda: Processing(False, wait=10), what="a", sleep=waits.append,
                            limit=35)
    assert raised.value.maybe_sent is False and waits == [10, 10, 10]
