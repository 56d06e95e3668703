"""Real small videos for the tests, made by the ffmpeg binary the imageio-ffmpeg wheel
carries (a test dependency only)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

CODECS = {"mp4": ("libx264", "aac"), "mov": ("libx264", "aac"), "webm": ("libvpx-vp9", "libopus")}


def make_video(path: Path, *, seconds: float = 2.0, width: int = 320, height: int = 240,
               fps: int = 25, audio: bool = True, container: str | None = None) -> Path:
    container = container or path.suffix.lstrip(".")
    video_codec, audio_codec = CODECS[container]
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi",
               "-i", f"testsrc=size={width}x{height}:rate={fps}:duration={seconds}"]
    if audio:
        command += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    "-c:a", audio_codec, "-shortest"]
    command += ["-c:v", video_codec, "-pix_fmt", "yuv420p"]
    if container != "webm":
        command += ["-movflags", "+faststart"]
    subprocess.run([*command, str(path)], check=True, capture_output=True)
    return path
