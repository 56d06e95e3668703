"""The test videos themselves: each kind is made by the real ffmpeg and is a real file
of its container (ISO-BMFF ``ftyp`` for MP4/MOV, EBML for WebM)."""

from __future__ import annotations

from pathlib import Path

import pytest
from video_files import MEGABYTE, VIDEO_KINDS, make_big_video, make_video

EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def container_magic_ok(path: Path, container: str) -> bool:
    head = path.read_bytes()[:12]
    if container == "webm":
        return head.startswith(EBML_MAGIC)
    # An ISO-BMFF file opens with a box: 4 bytes of size, then its type, 'ftyp'.
    return head[4:8] == b"ftyp"


@pytest.mark.parametrize("kind", sorted(VIDEO_KINDS))
def test_each_kind_is_a_real_file_of_its_container(video_file, kind: str) -> None:
    params = VIDEO_KINDS[kind]
    path = video_file(**params)

    assert path.stat().st_size > 0
    assert container_magic_ok(path, params.get("container", "mp4"))
    assert path.suffix == "." + params.get("container", "mp4")


def test_the_same_parameters_give_the_same_file_once(video_file) -> None:
    first = video_file(seconds=1.0, width=64, height=48)
    modified = first.stat().st_mtime_ns

    again = video_file(width=64, height=48, seconds=1.0)

    assert again == first
    assert again.stat().st_mtime_ns == modified
    assert video_file(seconds=1.0, width=64, height=64) != first


def test_a_longer_video_is_longer_not_bigger(video_file) -> None:
    long = video_file(**VIDEO_KINDS["long"])

    # Over a minute of video, yet small enough to upload to a fake server in a test.
    assert long.stat().st_size < 1 * MEGABYTE
    assert container_magic_ok(long, "mp4")


def test_a_big_video_has_about_the_size_asked(tmp_path: Path) -> None:
    path = make_big_video(tmp_path / "big.mp4", 3)

    assert container_magic_ok(path, "mp4")
    assert 0.85 * 3 * MEGABYTE <= path.stat().st_size <= 1.15 * 3 * MEGABYTE


def test_an_ffmpeg_that_cannot_run_fails_loudly(tmp_path: Path, monkeypatch) -> None:
    # imageio-ffmpeg's own override: the binary a broken setup would leave.
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-ffmpeg"))

    with pytest.raises(OSError):
        make_video(tmp_path / "never.mp4")
