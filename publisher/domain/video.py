"""What a video is (as probed) and what each platform takes: pure rules, no files.

The probe (``publisher.platforms.common.video.probe``) reads a file into a
:class:`VideoInfo`; each adapter states its platform's :class:`VideoLimits`;
:func:`video_problems` says, before anything is queued, why a platform would
refuse the video. Codec and container names are normalised to the short
lower-case names used here (``h264``, ``hevc``, ``vp9``, ``av1``; ``aac``,
``opus``, ``mp3``; ``mp4``, ``mov``, ``webm``).
"""

from __future__ import annotations

from dataclasses import dataclass

# The common denominator every platform takes: MP4 with H.264 video and AAC audio.
COMMON_CONTAINERS = frozenset({"mp4"})
COMMON_VIDEO_CODECS = frozenset({"h264"})
COMMON_AUDIO_CODECS = frozenset({"aac"})

MB = 1024 * 1024

# A [[media]] file with one of these endings is a video (probed at scheduling);
# any other is an image.
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".webm"})


@dataclass(frozen=True)
class VideoInfo:
    """A video as probed. ``audio_codec`` None: no sound track."""

    size: int  # bytes
    duration: float  # seconds
    width: int
    height: int
    container: str
    video_codec: str
    audio_codec: str | None
    frame_rate: float

    @property
    def aspect_ratio(self) -> float:
        return self.width / self.height if self.height else 0.0

    def describe(self) -> str:
        """One line for a person: ``mp4 h264/aac 1280x720 25 fps 12.3 s 4.1 MB``."""
        sound = self.audio_codec or "no sound"
        return (f"{self.container} {self.video_codec}/{sound} {self.width}x{self.height} "
                f"{self.frame_rate:g} fps {self.duration:.1f} s {self.size / MB:.1f} MB")


@dataclass(frozen=True)
class VideoLimits:
    """What one platform takes, from its API reference (each adapter cites it).

    ``subtitles``: whether the platform takes subtitle files with the video (when it
    does not, scheduling says so: burning them in is the editor's job, not ours).
    ``aspect``: the lowest and highest width/height ratio, None for any.
    """

    max_bytes: int
    max_seconds: float
    min_seconds: float = 0.0
    containers: frozenset[str] = COMMON_CONTAINERS
    video_codecs: frozenset[str] = COMMON_VIDEO_CODECS
    # Empty: any sound track (or none).
    audio_codecs: frozenset[str] = frozenset()
    max_frame_rate: float | None = None
    min_frame_rate: float | None = None
    max_width: int | None = None
    max_height: int | None = None
    min_width: int | None = None
    aspect: tuple[float, float] | None = None
    subtitles: bool = False


def video_problems(platform: str, name: str, info: VideoInfo, limits: VideoLimits) -> list[str]:
    """Why ``platform`` would refuse the video ``name``; empty when it takes it."""
    problems = []
    if info.size > limits.max_bytes:
        problems.append(f"video {name} is {info.size / MB:.1f} MB: {platform} takes at most "
                        f"{_megabytes(limits.max_bytes)}")
    if info.duration > limits.max_seconds:
        problems.append(f"video {name} lasts {info.duration:.1f} s: {platform} takes at most "
                        f"{_seconds(limits.max_seconds)}")
    if info.duration < limits.min_seconds:
        problems.append(f"video {name} lasts {info.duration:.1f} s: {platform} needs at least "
                        f"{_seconds(limits.min_seconds)}")
    if info.container not in limits.containers:
        problems.append(f"video {name} is {info.container or 'of an unknown kind'}: {platform} "
                        f"takes {_names(limits.containers)}")
    if info.video_codec not in limits.video_codecs:
        problems.append(f"video {name} is coded in {info.video_codec or 'an unknown codec'}: "
                        f"{platform} takes {_names(limits.video_codecs)}")
    if limits.audio_codecs and info.audio_codec and info.audio_codec not in limits.audio_codecs:
        problems.append(f"the sound of video {name} is {info.audio_codec}: {platform} takes "
                        f"{_names(limits.audio_codecs)}")
    problems += _picture_problems(platform, name, info, limits)
    return problems


def _picture_problems(platform: str, name: str, info: VideoInfo,
                      limits: VideoLimits) -> list[str]:
    problems = []
    if limits.max_frame_rate is not None and info.frame_rate > limits.max_frame_rate + 0.01:
        problems.append(f"video {name} has {info.frame_rate:g} frames a second: {platform} "
                        f"takes at most {limits.max_frame_rate:g}")
    if limits.min_frame_rate is not None and info.frame_rate < limits.min_frame_rate - 0.01:
        problems.append(f"video {name} has {info.frame_rate:g} frames a second: {platform} "
                        f"needs at least {limits.min_frame_rate:g}")
    too_wide = limits.max_width is not None and info.width > limits.max_width
    too_high = limits.max_height is not None and info.height > limits.max_height
    if too_wide or too_high:
        problems.append(f"video {name} is {info.width}x{info.height}: {platform} takes at most "
                        f"{limits.max_width or '-'}x{limits.max_height or '-'}")
    if limits.min_width is not None and info.width < limits.min_width:
        problems.append(f"video {name} is {info.width} pixels wide: {platform} needs at least "
                        f"{limits.min_width}")
    if limits.aspect is not None and info.height:
        low, high = limits.aspect
        if not low - 0.01 <= info.aspect_ratio <= high + 0.01:
            problems.append(f"video {name} is {info.width}x{info.height} "
                            f"(ratio {info.aspect_ratio:.2f}): {platform} takes ratios from "
                            f"{low:.2f} to {high:.2f}")
    return problems


def _megabytes(size: int) -> str:
    whole = size % MB == 0
    return f"{size // MB:,} MB" if whole else f"{size / MB:,.1f} MB"


def _seconds(value: float) -> str:
    if value >= 120 and value % 60 == 0:
        return f"{value / 60:g} min"
    return f"{value:g} s"


def _names(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))
