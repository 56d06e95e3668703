"""LinkedIn videos: the Videos API's multipart upload, finalised with the parts' ETags.

Reference: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api

- POST /rest/videos?action=initializeUpload with ``initializeUploadRequest``
  {owner, fileSizeBytes, uploadCaptions, uploadThumbnail} answers ``value`` {video
  (urn:li:video:...), uploadToken, uploadUrlsExpireAt (ms), uploadInstructions
  [{uploadUrl, firstByte, lastByte}], captionsUploadUrl when captions were asked for}.
- Each part's bytes (firstByte..lastByte, inclusive) go with PUT to its uploadUrl as
  application/octet-stream; the answer's ``ETag`` names the part.
- POST /rest/videos?action=finalizeUpload with ``finalizeUploadRequest`` {video,
  uploadToken, uploadedPartIds: the ETags in the instructions' order}.
- GET /rest/videos/{urn} tells ``status``: WAITING_UPLOAD, PROCESSING, AVAILABLE or
  PROCESSING_FAILED (with ``processingFailureReason``); the post may name the video
  once it is AVAILABLE, as ``content.media`` {id}.
- Captions: one SRT file per video, PUT to ``captionsUploadUrl`` (octet-stream). We
  send the first subtitle file in one of the post's own locales (converted from
  WebVTT when that is what the draft has); the other locales' files do not go.
- Limits (Videos API, organic posts): MP4, 75 KB to 500 MB, 3 s to 30 min.

Exactly once: the video URN, upload token, the instructions and every finished part's
ETag are recorded (:class:`UploadRecord`) as they come, so a retry after a crash PUTs
only the parts LinkedIn has not confirmed, and a finalised or available video is
reused without uploading anything. Upload URLs expire (``uploadUrlsExpireAt``): an
upload not finalised by then starts over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from publisher.domain.video import MB, VideoLimits
from publisher.platforms.base import MediaFile, Rejected, SubtitleFile, Transient
from publisher.platforms.common.http import json_object, request
from publisher.platforms.common.video import (
    FileSlice,
    Processing,
    Progress,
    UploadProgress,
    UploadRecord,
    subtitles_as,
    wait_for_processing,
)

if TYPE_CHECKING:
    from publisher.platforms.linkedin.adapter import LinkedInAdapter

VIDEO_LIMITS = VideoLimits(
    max_bytes=500 * MB, max_seconds=30 * 60, min_seconds=3,
    containers=frozenset({"mp4"}), video_codecs=frozenset({"h264"}),
    aspect=(1 / 2.4, 2.4), subtitles=True)
MIN_VIDEO_BYTES = 75 * 1024

_FAILED = "PROCESSING_FAILED"
_READY = "AVAILABLE"


@dataclass
class LinkedInVideos:
    """Uploads a post's video for one adapter (its calls, token and trusted hosts)."""

    adapter: LinkedInAdapter
    progress: Progress
    sleep: Callable[[float], None]

    def media(self, video: MediaFile, idempotency_key: str, locales: tuple[str, ...]
              ) -> dict[str, str]:
        """The post's ``content.media`` for the video: uploaded now, resumed, or reused."""
        record = UploadRecord(self.adapter.checkpoints, idempotency_key, video)
        if not record.get("available"):
            urn = self._uploaded(record, video, locales)
            self._report(video, "processing", video.path.stat().st_size)
            try:
                wait_for_processing(lambda: self._state(urn), what=f"video {video.path.name}",
                                    sleep=self.sleep)
            except Rejected:
                record.forget()  # a failed video is not reused: another attempt uploads anew
                raise
            record.save(available=True)
        entry = {"id": str(record.get("video"))}
        if video.alt:
            entry["altText"] = video.alt
        return entry

    def ready(self, video: MediaFile, idempotency_key: str) -> bool:
        """Whether an attempt of this item got its video to AVAILABLE (recorded just
        before the post is made): until then no post can have gone out."""
        return bool(UploadRecord(self.adapter.checkpoints, idempotency_key, video)
                    .get("available"))

    # The upload

    def _uploaded(self, record: UploadRecord, video: MediaFile,
                  locales: tuple[str, ...]) -> str:
        """The video URN, its parts all sent and the upload finalised."""
        if record.get("video") and not record.get("finalized") and self._expired(record):
            record.forget()  # the upload URLs expired: LinkedIn wants a new upload
        caption = caption_for(video, locales)
        if not record.get("video"):
            self._initialize(record, video, caption is not None)
        urn = str(record.get("video"))
        if caption is not None and record.get("captions_url") and not record.get("captioned"):
            self._put(str(record.get("captions_url")), subtitles_as(caption, ".srt").encode())
            record.save(captioned=True)
        if not record.get("finalized"):
            etags = self._send_parts(record, video)
            self._finalize(record, urn, etags)
        return urn

    def _initialize(self, record: UploadRecord, video: MediaFile, captions: bool) -> None:
        size = video.path.stat().st_size
        response = self.adapter._call("POST", "/rest/videos",
                                      params={"action": "initializeUpload"}, json={
            "initializeUploadRequest": {"owner": self.adapter._author(), "fileSizeBytes": size,
                                        "uploadCaptions": captions, "uploadThumbnail": False}})
        value = json_object(response, maybe_sent=False).get("value") or {}
        parts = [{"url": str(i.get("uploadUrl") or ""), "first": int(i.get("firstByte", -1)),
                  "last": int(i.get("lastByte", -1))}
                 for i in value.get("uploadInstructions") or [] if isinstance(i, dict)]
        urn = str(value.get("video") or "")
        if not urn or not parts or not _covers(parts, size):
            raise Rejected("LinkedIn gave no video URN or no upload instructions for the "
                           "whole file")
        # Recorded before the first byte goes: a crash from here on resumes this upload.
        record.save(video=urn, token=str(value.get("uploadToken") or ""), parts=parts,
                    etags={}, expires_ms=value.get("uploadUrlsExpireAt"),
                    captions_url=value.get("captionsUploadUrl"))

    def _send_parts(self, record: UploadRecord, video: MediaFile) -> list[str]:
        parts: list[dict[str, Any]] = record.get("parts") or []
        etags: dict[str, str] = dict(record.get("etags") or {})
        total = video.path.stat().st_size
        for index, part in enumerate(parts):
            if str(index) in etags:
                continue  # LinkedIn has this part (a resumed upload)
            length = part["last"] - part["first"] + 1
            with FileSlice(video.path, part["first"], length) as body:
                response = self._put(part["url"], body)
            etag = response.headers.get("ETag") or response.headers.get("etag")
            if not etag:
                raise Transient(f"LinkedIn gave no ETag for part {index + 1} of "
                                f"{video.path.name}", maybe_sent=False)
            etags[str(index)] = etag
            record.save(etags=etags)
            self._report(video, "uploading", min(part["last"] + 1, total))
        return [etags[str(index)] for index in range(len(parts))]

    def _finalize(self, record: UploadRecord, urn: str, etags: list[str]) -> None:
        try:
            self.adapter._call("POST", "/rest/videos", params={"action": "finalizeUpload"},
                               json={"finalizeUploadRequest": {
                                   "video": urn, "uploadToken": record.get("token") or "",
                                   "uploadedPartIds": etags}})
        except Rejected:
            # A finalize that went through before a crash is refused the second time:
            # the video's status tells.
            if self._status(urn)[0] in ("", "WAITING_UPLOAD"):
                raise
        record.save(finalized=True)

    def _put(self, url: str, body: Any) -> Any:
        headers = {"Content-Type": "application/octet-stream"}
        if self.adapter._trusted(url):  # the token goes only to LinkedIn (or the API base)
            headers["Authorization"] = f"Bearer {self.adapter._access_token()}"
        response = request(self.adapter.session, "PUT", url, data=body, headers=headers,
                           secrets=self.adapter._secrets())
        if response.status_code >= 400:
            self.adapter._raise(response)
        return response

    def _expired(self, record: UploadRecord) -> bool:
        expires = record.get("expires_ms")
        if not isinstance(expires, int | float):
            return False
        return self.adapter.clock().timestamp() * 1000 >= expires

    # Processing

    def _status(self, urn: str) -> tuple[str, str]:
        response = self.adapter._call("GET", f"/rest/videos/{quote(urn, safe='')}")
        answer = json_object(response, maybe_sent=False)
        return (str(answer.get("status") or ""),
                str(answer.get("processingFailureReason") or "no reason given"))

    def _state(self, urn: str) -> Processing:
        status, reason = self._status(urn)
        if status == _FAILED:
            return Processing(ready=False, failed=reason)
        return Processing(ready=status == _READY, wait=2.0)

    def _report(self, video: MediaFile, stage: str, sent: int) -> None:
        total = video.path.stat().st_size
        self.progress(UploadProgress(self.adapter.account_id, video.path.name,
                                     total if stage == "processing" else sent, total, stage))


def caption_for(video: MediaFile, locales: tuple[str, ...]) -> SubtitleFile | None:
    """The one captions file LinkedIn takes: the first in one of the post's locales."""
    for subtitle in video.subtitles:
        if subtitle.locale in locales:
            return subtitle
    return None


def _covers(parts: list[dict[str, Any]], size: int) -> bool:
    """Whether the parts are the whole file, in order, once."""
    expected = 0
    for part in parts:
        if part["first"] != expected or part["last"] < part["first"] or not part["url"]:
            return False
        expected = part["last"] + 1
    return expected == size


def video_size_problems(video: MediaFile) -> list[str]:
    """LinkedIn's least size (75 KB), which the shared limits do not name."""
    size = video.path.stat().st_size if video.path.is_file() else MIN_VIDEO_BYTES
    if size < MIN_VIDEO_BYTES:
        return [f"video {video.path.name} is {size / 1024:.0f} KB: LinkedIn needs at least "
                f"{MIN_VIDEO_BYTES // 1024} KB"]
    return []
