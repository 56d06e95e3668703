"""Videos for every adapter: the probe, streamed bodies, recorded uploads, progress, polls.

**The probe** reads a video's container, codecs, size, duration, dimensions and
frame rate with pymediainfo (MIT), which wraps MediaArea's libmediainfo (BSD-2)
shipped inside its wheels. It reads the headers only (never the whole file), knows
every container the platforms take (MP4, MOV, WebM), and has been kept up for over
a decade. The pure-Python readers fell short: hachoir (GPL-2.0) and mutagen
(GPL-2.0, audio only) would bind this EUPL project to the GPL, and hachoir reports
no codec or frame rate; PyAV bundles the whole FFmpeg. No system binary is needed.

**Bodies are streamed from disk** (:class:`FileSlice`, :class:`MultipartBody`): a
chunk is read as the socket takes it, so memory stays flat whatever the file's size.

**Uploads are recorded** (:class:`UploadRecord`) in the flush's checkpoints before
and during the upload: the platform's session or media id, how far it got, whether
processing finished. A flush that dies mid-upload, or runs out of time while the
platform processes, leaves the record; the next attempt of the same item resumes or
reuses it instead of uploading the file again.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import secrets as random_tokens
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.domain.video import VideoInfo, VideoLimits, video_problems
from publisher.platforms.base import Checkpoints, MediaFile, Rejected, SubtitleFile, Transient
from publisher.platforms.common.progress import Progress, UploadProgress, log_progress  # noqa: F401 - the adapters take them from here

# MediaInfo's names -> ours (publisher.domain.video).
_CONTAINERS = {"mpeg-4": "mp4", "quicktime": "mov", "webm": "webm", "matroska": "mkv"}
_VIDEO_CODECS = {"avc": "h264", "hevc": "hevc", "vp8": "vp8", "vp9": "vp9", "av1": "av1",
                 "mpeg-4 visual": "mpeg4"}
_AUDIO_CODECS = {"aac": "aac", "opus": "opus", "mpeg audio": "mp3", "vorbis": "vorbis",
                 "ac-3": "ac3", "e-ac-3": "eac3", "flac": "flac", "pcm": "pcm"}

# What one read from disk (and one write to the socket) takes: small enough for flat
# memory, big enough that a loopback upload is not slowed by Python's loop.
READ_BLOCK = 256 * 1024


class VideoUnreadable(Rejected):
    """The file is not a video the probe can read (cut short, another kind of file)."""


def probe(path: Path) -> VideoInfo:
    """The video's facts, read from its headers; :class:`VideoUnreadable` when it is
    not a readable video. Cached by path, size and modification time."""
    try:
        stat = path.stat()
    except OSError:
        raise VideoUnreadable(f"missing video {path.name}") from None
    return _probe(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _probe(path: str, size: int, _mtime_ns: int) -> VideoInfo:
    from pymediainfo import MediaInfo

    try:
        tracks = MediaInfo.parse(path).tracks
    except (OSError, RuntimeError) as error:
        raise VideoUnreadable(f"{Path(path).name} could not be read: {error}") from None
    general = next((t for t in tracks if t.track_type == "General"), None)
    video = next((t for t in tracks if t.track_type == "Video"), None)
    audio = next((t for t in tracks if t.track_type == "Audio"), None)
    if general is None or video is None:
        raise VideoUnreadable(f"{Path(path).name} is not a video (no picture track found)")
    width, height = int(video.width or 0), int(video.height or 0)
    if _number(video.rotation) % 180 == 90:  # a phone's portrait video, stored sideways
        width, height = height, width
    duration = _number(general.duration) or _number(video.duration)
    return VideoInfo(
        size=size,
        duration=duration / 1000,
        width=width,
        height=height,
        container=_container(general),
        video_codec=_VIDEO_CODECS.get(str(video.format or "").lower(),
                                      str(video.format or "").lower()),
        audio_codec=None if audio is None else _AUDIO_CODECS.get(
            str(audio.format or "").lower(), str(audio.format or "").lower()),
        frame_rate=_frame_rate(video, duration),
    )


def _container(general: Any) -> str:
    kind = str(general.format or "").lower()
    if kind == "mpeg-4" and "quicktime" in str(general.format_profile or "").lower():
        return "mov"
    return _CONTAINERS.get(kind, kind)


def _frame_rate(video: Any, duration_ms: float) -> float:
    """The frame rate; a variable one (phones) as its mean over the whole video."""
    rate = _number(video.frame_rate) or _number(video.original_frame_rate)
    if not rate and duration_ms and _number(video.frame_count):
        rate = _number(video.frame_count) * 1000 / duration_ms
    return round(rate, 3)


def _number(value: object) -> float:
    try:
        return float(str(value).split()[0]) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return 0.0


def videos_of(media: tuple[MediaFile, ...]) -> list[MediaFile]:
    return [m for m in media if m.is_video]


def video_post_problems(
    platform: str,
    media: tuple[MediaFile, ...],
    limits: VideoLimits | None,
    *,
    alt_max: int | None = None,
) -> list[str]:
    """What stops a post's video: none taken here, more than one, a video beside
    images, or a video the platform refuses (probed now). Posts without a video
    have none of these."""
    videos = videos_of(media)
    if not videos:
        return []
    if limits is None:
        return [f"{platform} posts no video here"]
    problems = []
    if len(videos) > 1:
        problems.append(f"{len(videos)} videos: {platform} takes one video per post")
    if len(media) > len(videos):
        problems.append(f"{platform} takes a video or images, not both in one post")
    for video in videos:
        try:
            info = probe(video.path)
        except VideoUnreadable as error:
            problems.append(error.message)
            continue
        problems += video_problems(platform, video.path.name, info, limits)
        if alt_max is not None and len(video.alt) > alt_max:
            problems.append(f"alt text of {video.path.name} is over {alt_max} characters")
    return problems


# Streamed bodies ------------------------------------------------------------


class FileSlice(io.RawIOBase):
    """``length`` bytes of a file from ``offset``, read as the socket takes them.

    requests sends it with a Content-Length (``len``) and never holds more than a
    block of it; a new slice is made for each attempt, so a retry starts over.
    """

    def __init__(self, path: Path, offset: int = 0, length: int | None = None) -> None:
        super().__init__()
        size = path.stat().st_size
        self.path, self.offset = path, offset
        self.length = max(0, size - offset) if length is None else min(length, size - offset)
        self._handle = open(path, "rb")  # noqa: SIM115 - closed with the slice
        self._handle.seek(offset)
        self._position = 0

    def __len__(self) -> int:
        return self.length

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        left = self.length - self._position
        wanted = left if size is None or size < 0 else min(size, left)
        data = self._handle.read(wanted) if wanted > 0 else b""
        self._position += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._handle.close()
        super().close()


class MultipartBody(io.RawIOBase):
    """A multipart/form-data body whose one file part streams from a :class:`FileSlice`
    (``requests``' own ``files=`` builds the whole body in memory)."""

    def __init__(self, fields: Mapping[str, str], file_field: str, filename: str,
                 content_type: str, content: FileSlice) -> None:
        super().__init__()
        self.boundary = random_tokens.token_hex(16)
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode() for name, value in fields.items())
        safe_name = filename.replace('"', "_").replace("\r", "_").replace("\n", "_")
        head += (f'--{self.boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
                 f'filename="{safe_name}"\r\nContent-Type: {content_type}\r\n\r\n').encode()
        tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._parts: list[io.BufferedIOBase | io.RawIOBase] = [
            io.BytesIO(head), content, io.BytesIO(tail)]
        self._length = len(head) + len(content) + len(tail)
        self._position = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self._length

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        wanted = self._length - self._position if size is None or size < 0 else size
        chunks = []
        while wanted > 0 and self._parts:
            data = self._parts[0].read(wanted)
            if not data:
                self._parts.pop(0)
                continue
            chunks.append(data)
            wanted -= len(data)
        data = b"".join(chunks)
        self._position += len(data)
        return data

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        for part in self._parts:
            part.close()
        super().close()


def chunks(size: int, chunk_size: int, start: int = 0) -> Iterator[tuple[int, int, int]]:
    """(index, offset, length) of each chunk of a ``size``-byte file from ``start``."""
    index = start // chunk_size
    offset = index * chunk_size
    while offset < size:
        yield index, offset, min(chunk_size, size - offset)
        index, offset = index + 1, offset + chunk_size


# Recorded uploads -----------------------------------------------------------


class UploadRecord:
    """The note of one video's upload for one item, kept in the flush's checkpoints
    (key ``<idempotency key>:video:<sha256 prefix>``): a JSON object of what the
    adapter needs to resume (its session id, the bytes sent, the media id, whether
    processing finished). Each ``save`` is committed before it returns."""

    def __init__(self, checkpoints: Checkpoints, idempotency_key: str, media: MediaFile) -> None:
        self._checkpoints = checkpoints
        self.key = f"{idempotency_key}:video:{(media.sha256 or media.path.name)[:16]}"
        stored = checkpoints.get(self.key)
        try:
            value = json.loads(stored) if stored else {}
        except ValueError:
            value = {}
        self.data: dict[str, Any] = value if isinstance(value, dict) else {}

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def save(self, **changes: Any) -> None:
        self.data.update(changes)
        self._checkpoints.set(self.key, json.dumps(self.data, sort_keys=True))

    def forget(self) -> None:
        """Start over (the platform's session expired or was refused)."""
        self.data = {}
        self._checkpoints.set(self.key, "{}")


# Processing -----------------------------------------------------------------


@dataclass(frozen=True)
class Processing:
    """What the platform says of a video it processes. ``failed``: why it gave up;
    ``wait``: the seconds it asks us to wait before asking again."""

    ready: bool
    failed: str | None = None
    wait: float = 2.0


# How long one attempt waits for processing before it leaves it to the next flush
# (the upload is recorded; the next attempt only polls).
PROCESSING_WAIT = 120.0


def wait_for_processing(
    check: Callable[[], Processing],
    *,
    what: str,
    sleep: Callable[[float], None],
    limit: float = PROCESSING_WAIT,
) -> None:
    """Poll ``check`` until the video is ready. Its processing failing is
    :class:`Rejected`; still processing after ``limit`` seconds of waits is
    :class:`Transient` (nothing posted: the next attempt polls again, without
    uploading)."""
    waited = 0.0
    while True:
        state = check()
        if state.failed is not None:
            raise Rejected(f"{what}: the platform could not process the video: {state.failed}")
        if state.ready:
            return
        wait = min(max(state.wait, 0.5), 30.0)
        if waited + wait > limit:
            raise Transient(f"{what} is still being processed; the next flush looks again",
                            maybe_sent=False)
        sleep(wait)
        waited += wait


def subtitles_as(subtitles: SubtitleFile, suffix: str) -> str:
    """A subtitle file's text in the format a platform takes (``.srt`` or ``.vtt``),
    converted when the file is the other one; :class:`Rejected` when it cannot be read
    (scheduling read it; it changed since)."""
    from publisher.domain.errors import UserError
    from publisher.domain.subtitles import parse_subtitles, render_subtitles

    try:
        text = subtitles.path.read_text(encoding="utf-8-sig")
        cues = parse_subtitles(text, subtitles.path.suffix, subtitles.path.name)
    except (OSError, UnicodeDecodeError, UserError) as error:
        raise Rejected(f"the {subtitles.locale} subtitles {subtitles.path.name} cannot be "
                       f"read: {error}") from None
    return render_subtitles(cues, suffix)


MIME_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm",
              "mkv": "video/x-matroska"}


def video_mime(info: VideoInfo) -> str:
    return MIME_TYPES.get(info.container, "application/octet-stream")


# Long uploads ----------------------------------------------------------------

# The slowest upload rate allowed for before a request is cut off (bytes a second):
# about 1 Mbit/s, an embassy's poor uplink.
SLOWEST_UPLOAD = 128 * 1024


@contextlib.contextmanager
def upload_deadline(session: Any, size: int) -> Iterator[None]:
    """Give the requests of a ``size``-byte upload time for it at the slowest rate
    allowed for (one request's usual deadline is a minute: enough for a chunk, not
    for a whole 50 MB video on a slow link). The flush's own end still bounds them."""
    usual = getattr(session, "deadline", None)
    if usual is None:
        yield
        return
    session.deadline = max(usual, usual + size / SLOWEST_UPLOAD)
    try:
        yield
    finally:
        session.deadline = usual
