"""X videos: the v2 chunked media upload, its processing status, alt text, subtitles.

References (docs.x.com, X API v2):
- POST /2/media/upload/initialize (x-api/media/media-upload-initialize): JSON
  ``media_type``, ``total_bytes`` (at most 536870912), ``media_category`` tweet_video;
  answers ``data.id`` and ``data.expires_after_secs``.
- POST /2/media/upload/{id}/append (x-api/media/media-upload-append): multipart
  ``segment_index`` (0..999) and ``media``, the chunk; each chunk at most 5 MB (as
  v1.1's APPEND says: developer.x.com .../api-reference/post-media-upload-append).
- POST /2/media/upload/{id}/finalize (x-api/media/media-upload-finalize): answers
  ``data.processing_info`` {state pending | in_progress | succeeded | failed,
  check_after_secs} when X processes the video.
- GET /2/media/upload?command=STATUS&media_id= (x-api/media/get-media-upload-status):
  the same ``processing_info``; a failure carries ``error.message`` (v1.1's STATUS).
- POST /2/media/metadata: alt text, as for images.
- Subtitles (x-api/media/create-media-subtitles): the SRT or WebVTT file goes up
  through POST /2/media/upload with ``media_category`` subtitles and ``media_type``
  text/srt or text/vtt; POST /2/media/subtitles ties it to the video (``id``,
  ``media_category`` TweetVideo, ``subtitles`` {id, language_code, display_name}),
  one language a call. Both take the OAuth 2.0 user token, so subtitles go with v2.
- Limits (developer.x.com .../uploading-media/media-best-practices): MP4 or MOV,
  H.264 with AAC, 0.5 to 140 s, at most 512 MB, 60 frames a second, 32x32 to
  1280x1024 (either way round: X recommends 720x1280 for portrait), ratios 1:3 to 3:1.

Resumable: the media id, the bytes X has, whether it was finalized and processed, the
alt text and each subtitle track are kept in an :class:`UploadRecord` as each step
ends. A later attempt appends from the first chunk X does not have, or only polls,
or reuses the processed media; a media id past its ``expires_after_secs`` (or one X
no longer knows) starts over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests

from publisher.domain.locales import LOCALE_NAMES
from publisher.domain.video import MB, VideoInfo, VideoLimits
from publisher.platforms.base import MediaFile, Post, Rejected, SubtitleFile, Transient
from publisher.platforms.common.http import json_object
from publisher.platforms.common.video import (
    FileSlice,
    MultipartBody,
    Processing,
    Progress,
    UploadProgress,
    UploadRecord,
    chunks,
    probe,
    video_mime,
    video_post_problems,
    wait_for_processing,
)

LIMITS = VideoLimits(
    max_bytes=512 * MB, max_seconds=140, min_seconds=0.5,
    containers=frozenset({"mp4", "mov"}), video_codecs=frozenset({"h264"}),
    audio_codecs=frozenset({"aac"}), max_frame_rate=60, min_width=32, aspect=(1 / 3, 3),
    subtitles=True,
)
LONG_SIDE, SHORT_SIDE, LEAST_SIDE = 1280, 1024, 32
# Chunks under X's 5 MB, so that a chunk's request fits a minute even on a slow
# link; about 16 of them, so that the progress a person sees moves.
MAX_CHUNK = 4 * MB
CHUNKS = 16
MIN_CHUNK = 4 * 1024
# A media id this close to its expiry is not worth resuming.
EXPIRY_MARGIN = timedelta(minutes=5)
SUBTITLE_TYPES = {".srt": "text/srt", ".vtt": "text/vtt"}

# The adapter's call: (method, path, **requests arguments) -> response, errors raised
# as the failure kinds; ``missing_ok`` answers a 404 instead.
Call = Callable[..., requests.Response]


def video_problems(post: Post, max_alt: int) -> list[str]:
    """What stops the post's video on X (none when it has none)."""
    problems = video_post_problems("X", post.media, LIMITS, alt_max=max_alt)
    for media in post.media:
        if media.is_video and not problems:
            problems += _size_problems(media.path.name, probe(media.path))
        problems += [f"subtitles {s.path.name} are neither .srt nor .vtt"
                     for s in media.subtitles if s.path.suffix.lower() not in SUBTITLE_TYPES]
    return problems


def _size_problems(name: str, info: VideoInfo) -> list[str]:
    long_side, short_side = max(info.width, info.height), min(info.width, info.height)
    if long_side > LONG_SIDE or short_side > SHORT_SIDE or short_side < LEAST_SIDE:
        return [f"video {name} is {info.width}x{info.height}: X takes from "
                f"{LEAST_SIDE}x{LEAST_SIDE} to {LONG_SIDE}x{SHORT_SIDE} (or {SHORT_SIDE}x"
                f"{LONG_SIDE})"]
    return []


class _SessionGone(Exception):
    """X no longer knows a recorded media id (it expired)."""


@dataclass
class VideoUpload:
    """One video's upload for one queue item, resumed from its record."""

    call: Call
    media: MediaFile
    record: UploadRecord
    account_id: str
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    progress: Progress

    def run(self) -> str:
        """The media id of the processed video, its alt text and subtitles set."""
        expires = self.record.get("expires_at")
        if expires is not None and self.clock().timestamp() >= expires - \
                EXPIRY_MARGIN.total_seconds():
            self.record.forget()  # X has dropped it by now
        try:
            return self._resume()
        except _SessionGone:
            self.record.forget()
        try:
            return self._resume()
        except _SessionGone:
            raise Transient(f"X lost the upload of video {self.media.path.name} twice; "
                            "the next attempt starts over", maybe_sent=False) from None

    def _resume(self) -> str:
        media_id = self.record.get("media_id") or self._initialize()
        if not self.record.get("finalized"):
            self._append(media_id)
            first = self._finalize(media_id)
        else:
            first = None
        if not self.record.get("processed"):
            self._tell(self.media.path.stat().st_size, stage="processing")
            answers = iter([first] if first is not None else [])
            wait_for_processing(lambda: next(answers, None) or self._status(media_id),
                                what=f"video {self.media.path.name}", sleep=self.sleep)
            self.record.save(processed=True)
        if self.media.alt and not self.record.get("alt"):
            self.call("POST", "/2/media/metadata", json={
                "id": media_id, "metadata": {"alt_text": {"text": self.media.alt}}})
            self.record.save(alt=True)
        self._subtitles(media_id)
        return media_id

    # The steps

    def _initialize(self) -> str:
        info = probe(self.media.path)
        response = self.call("POST", "/2/media/upload/initialize", json={
            "media_type": video_mime(info), "total_bytes": info.size,
            "media_category": "tweet_video"})
        data = json_object(response, maybe_sent=False).get("data") or {}
        if not data.get("id"):
            raise Rejected("X's upload of the video returned no media id")
        media_id = str(data["id"])
        self.record.save(media_id=media_id, size=info.size, chunk=chunk_size(info.size), sent=0,
                         expires_at=self._expiry(data))
        return media_id

    def _append(self, media_id: str) -> None:
        size = self.media.path.stat().st_size
        if self.record.get("size") != size:
            raise Rejected(f"video {self.media.path.name} changed during its upload")
        chunk = int(self.record.get("chunk") or chunk_size(size))
        for index, offset, length in chunks(size, chunk, int(self.record.get("sent") or 0)):
            def body(offset: int = offset, length: int = length,
                     index: int = index) -> MultipartBody:
                return MultipartBody({"segment_index": str(index)}, "media",
                                     self.media.path.name, "application/octet-stream",
                                     FileSlice(self.media.path, offset, length))
            self._session_call("POST", f"/2/media/upload/{media_id}/append", body=body)
            self.record.save(sent=offset + length)
            self._tell(offset + length)

    def _finalize(self, media_id: str) -> Processing:
        response = self._session_call("POST", f"/2/media/upload/{media_id}/finalize")
        data = json_object(response, maybe_sent=False).get("data") or {}
        self.record.save(finalized=True, expires_at=self._expiry(data))
        return _processing(data)

    def _status(self, media_id: str) -> Processing:
        response = self._session_call("GET", "/2/media/upload",
                                      params={"command": "STATUS", "media_id": media_id})
        return _processing(json_object(response, maybe_sent=False).get("data") or {})

    def _subtitles(self, media_id: str) -> None:
        """Each locale's subtitles, the post's own first; one track per language."""
        attached: list[str] = list(self.record.get("subtitles") or [])
        languages = {_language(locale) for locale in attached}
        for subtitles in self.media.subtitles:
            language = _language(subtitles.locale)
            if subtitles.locale in attached or language in languages:
                continue
            track = self._upload_subtitles(subtitles)
            self.call("POST", "/2/media/subtitles", json={
                "id": media_id, "media_category": "TweetVideo",
                "subtitles": {"id": track, "language_code": language,
                              "display_name": LOCALE_NAMES.get(subtitles.locale,
                                                               subtitles.locale)}})
            attached.append(subtitles.locale)
            languages.add(language)
            self.record.save(subtitles=attached)

    def _upload_subtitles(self, subtitles: SubtitleFile) -> str:
        kind = SUBTITLE_TYPES.get(subtitles.path.suffix.lower(), "text/srt")
        with FileSlice(subtitles.path) as content:
            body = MultipartBody({"media_category": "subtitles", "media_type": kind},
                                 "media", subtitles.path.name, kind, content)
            response = self.call("POST", "/2/media/upload", data=body,
                                 headers={"Content-Type": body.content_type})
        track = (json_object(response, maybe_sent=False).get("data") or {}).get("id")
        if not track:
            raise Rejected(f"X's upload of subtitles {subtitles.path.name} returned no id")
        return str(track)

    # Helpers

    def _session_call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call about the recorded media id; a 404 means X no longer knows it."""
        response = self.call(method, path, missing_ok=True, **kwargs)
        if response.status_code == 404:
            raise _SessionGone()
        return response

    def _expiry(self, data: dict) -> float | None:
        seconds = data.get("expires_after_secs")
        if not isinstance(seconds, int | float):
            return self.record.get("expires_at")
        return self.clock().timestamp() + seconds

    def _tell(self, sent: int, stage: str = "uploading") -> None:
        size = self.media.path.stat().st_size
        self.progress(UploadProgress(self.account_id, self.media.path.name, sent, size, stage))


def chunk_size(size: int) -> int:
    """The size of each chunk of a ``size``-byte video (the last may be shorter)."""
    return min(MAX_CHUNK, max(MIN_CHUNK, -(-size // CHUNKS)))


def _processing(data: dict) -> Processing:
    """X's ``processing_info`` as a poll's answer; none means nothing to wait for."""
    info = data.get("processing_info")
    if not isinstance(info, dict) or info.get("state") == "succeeded":
        return Processing(True)
    if info.get("state") == "failed":
        error = info.get("error") or {}
        reason = error.get("message") or error.get("name") if isinstance(error, dict) else None
        return Processing(False, failed=str(reason or "processing failed"))
    wait = info.get("check_after_secs")
    return Processing(False, wait=float(wait) if isinstance(wait, int | float) else 2.0)


def _language(locale: str) -> str:
    """X's language_code for a locale: its language, upper case (``EN``, ``SR``)."""
    return locale.split("-")[0].upper()
