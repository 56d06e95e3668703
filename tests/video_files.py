"""Real video files for tests, made by the ffmpeg binary that imageio-ffmpeg carries.

Everything comes from ffmpeg's own sources (lavfi ``testsrc``, ``sine``): no network,
no file in the repository. ``tests/conftest.py``'s ``video_file`` fixture makes each
distinct video once per test session (and per xdist worker); use :data:`VIDEO_KINDS`
to name the usual ones::

    def test_portrait(video_file):
        path = video_file(**VIDEO_KINDS["portrait"])

When the binary cannot run, :func:`make_video` raises, so the tests that need a video
fail (CI installs the test extras: a skip would hide a broken setup).
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# container -> (ffmpeg's muxer, the file's ending, the audio codec it carries)
CONTAINERS: dict[str, tuple[str, str, str]] = {
    "mp4": ("mp4", ".mp4", "aac"),
    "mov": ("mov", ".mov", "aac"),
    "webm": ("webm", ".webm", "libopus"),
}
# container -> the video codec it gets unless one is named
VIDEO_CODECS = {"mp4": "libx264", "mov": "libx264", "webm": "libvpx-vp9"}

# The kinds of video the platforms' tests meet, as make_video()'s parameters.
VIDEO_KINDS: dict[str, dict[str, Any]] = {
    # H.264/AAC in MP4: what every platform takes.
    "h264": {},
    # 9:16, as phones film (Reels, Shorts, TikTok).
    "portrait": {"width": 180, "height": 320},
    "mov": {"container": "mov"},
    "webm": {"container": "webm", "video_codec": "libvpx-vp9"},
    "silent": {"audio": False},
    # Over a minute (some platforms' limits), kept small by its size and frame rate.
    "long": {"seconds": 65.0, "width": 128, "height": 96, "fps": 2},
}


def ffmpeg() -> str:
    """The ffmpeg binary of imageio-ffmpeg (a test dependency, never a runtime one)."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def suffix_of(container: str) -> str:
    return CONTAINERS[container][1]


def make_video(
    path: Path,
    *,
    seconds: float = 2.0,
    width: int = 320,
    height: int = 240,
    fps: int = 25,
    video_codec: str | None = None,
    audio: bool = True,
    container: str | None = None,
    extra_args: Sequence[str] = (),
) -> Path:
    """Write a real video of ``testsrc`` (and a ``sine`` tone) to ``path``; return it.

    ``container`` None: as the path's ending says (else MP4); ``video_codec`` None: the
    container's usual one. ``extra_args`` go to ffmpeg before the output (e.g.
    ``("-b:v", "2M")``).
    """
    if container is None:
        ending = path.suffix.lower().lstrip(".")
        container = ending if ending in CONTAINERS else "mp4"
    video_codec = video_codec or VIDEO_CODECS[container]
    muxer, _suffix, audio_codec = CONTAINERS[container]
    inputs = ["-f", "lavfi", "-i",
              f"testsrc=size={width}x{height}:rate={fps}:duration={seconds}"]
    encoding = ["-map", "0:v", "-c:v", video_codec, "-pix_fmt", "yuv420p"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
        encoding += ["-map", "1:a", "-c:a", audio_codec, "-b:a", "64k"]
    _run_ffmpeg([*inputs, *encoding, *_faststart(muxer), *extra_args, "-f", muxer, str(path)])
    return path


# Noise does not compress: at a fixed bitrate the file grows by bitrate x time. At most
# this many bits a second keeps it under what 640x360 frames of noise can carry.
BIG_VIDEO_BITRATE = 32_000_000
MEGABYTE = 1024 * 1024


def make_big_video(path: Path, megabytes: float) -> Path:
    """Write a valid H.264/AAC MP4 of about ``megabytes`` MiB to ``path``, fast.

    ``testsrc2`` under noise at a fixed high bitrate (x264's fastest preset): 50 MiB
    take about a second. Small sizes overshoot (x264's rate control needs time to
    settle): one more encoding, at the bitrate corrected by the first one's miss,
    brings the size within a few per cent of the aim.
    """
    aim = megabytes * MEGABYTE
    seconds = max(2.0, math.ceil(aim * 8 / BIG_VIDEO_BITRATE))
    bitrate = aim * 8 / seconds
    _encode_noise(path, seconds, bitrate)
    miss = path.stat().st_size / aim
    if abs(miss - 1) > 0.05:
        _encode_noise(path, seconds, bitrate / miss)
    return path


def _encode_noise(path: Path, seconds: float, bitrate: float) -> None:
    _run_ffmpeg([
        "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=25:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-vf", "noise=alls=100:allf=t",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        # Audio's share is tiny (32 kbit/s); the video takes the rest of the aim.
        "-b:v", str(int(bitrate) - 32_000), "-maxrate", str(int(bitrate)),
        "-bufsize", str(int(bitrate)),
        "-c:a", "aac", "-b:a", "32k", *_faststart("mp4"), "-f", "mp4", str(path),
    ])


def _faststart(muxer: str) -> list[str]:
    """The index (moov) before the data, as uploads to the web expect."""
    return ["-movflags", "+faststart"] if muxer in ("mp4", "mov") else []


def _run_ffmpeg(arguments: Sequence[str]) -> None:
    command = [ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({done.returncode}): {done.stderr.strip()}")
