"""Bluesky videos: the video service's upload job, or a blob on the PDS, as app.bsky.embed.video.

References: https://docs.bsky.app/docs/tutorials/video and the lexicons
app.bsky.embed.video, app.bsky.video.{uploadVideo,getJobStatus,getUploadLimits,defs}
(https://github.com/bluesky-social/atproto/tree/main/lexicons/app/bsky).

- The video service (``VIDEO_SERVICE``, https://video.bsky.app) is the recommended
  path: com.atproto.server.getServiceAuth on the PDS (aud ``did:web:<the PDS's
  host>``, lxm com.atproto.repo.uploadBlob, exp 30 minutes) buys a token for POST
  /xrpc/app.bsky.video.uploadVideo?did=..&name=.. with the file's bytes; the answer is
  a job (jobId, state). getJobStatus?jobId= is polled until JOB_STATE_COMPLETED (or
  any answer with a ``blob``: "already_exists" is a video processed before) or
  JOB_STATE_FAILED (``error``, ``message``). Before that, getUploadLimits (a service
  token with aud did:web:video.bsky.app) says whether the account may upload now
  (canUpload, remainingDailyVideos, remainingDailyBytes, message).
- The video service can only write to a PDS it reaches: for a PDS on this machine
  (loopback) or without TLS the video goes up as a plain blob with
  com.atproto.repo.uploadBlob, the docs' "simple method" (the AppView processes it
  once the post is seen).
- The record's embed: {"$type": "app.bsky.embed.video", video: blob, alt,
  aspectRatio {width, height}, captions: [{lang, file: a text/vtt blob}]}; captions
  are WebVTT (SRT files are converted), each at most 20,000 bytes, at most 20.
- Limits: 100 MB and 3 minutes (the video service; the lexicon's blob maxSize is
  100,000,000); the service takes MP4, MOV and WebM (and MPEG) and stores MP4; a blob
  put straight on the PDS must already be an MP4 (the lexicon accepts video/mp4).
  Alt text up to 1,000 graphemes.

Exactly once: the job id is recorded before polling and the blob when it is known
(:class:`UploadRecord`), so a retry polls the same job or reuses the blob; the post's
record key is the item's, so the post itself cannot be made twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import regex

from publisher.domain.accounts import is_loopback_host
from publisher.domain.video import VideoLimits
from publisher.platforms.base import MediaFile, RateLimited, Rejected, Transient
from publisher.platforms.common.http import json_object, request
from publisher.platforms.common.video import (
    FileSlice,
    Processing,
    Progress,
    UploadProgress,
    UploadRecord,
    probe,
    subtitles_as,
    upload_deadline,
    video_mime,
    wait_for_processing,
)

if TYPE_CHECKING:
    from publisher.platforms.bluesky.adapter import BlueskyAdapter

VIDEO_SERVICE = "https://video.bsky.app"
VIDEO_SERVICE_DID = "did:web:video.bsky.app"
MAX_VIDEO_BYTES = 100_000_000
MAX_VIDEO_SECONDS = 180
MAX_ALT_GRAPHEMES = 1000
MAX_CAPTION_BYTES = 20_000
MAX_CAPTIONS = 20
SERVICE_TOKEN_LIFE = timedelta(minutes=30)
# The video service turns these into MP4; a blob put on the PDS itself must be MP4.
SERVICE_LIMITS = VideoLimits(
    max_bytes=MAX_VIDEO_BYTES, max_seconds=MAX_VIDEO_SECONDS,
    containers=frozenset({"mp4", "mov", "webm"}),
    video_codecs=frozenset({"h264", "hevc", "vp9", "av1"}), subtitles=True)
BLOB_LIMITS = VideoLimits(max_bytes=MAX_VIDEO_BYTES, max_seconds=MAX_VIDEO_SECONDS,
                          subtitles=True)

_COMPLETED, _FAILED = "JOB_STATE_COMPLETED", "JOB_STATE_FAILED"


def video_service_for(api_base: str) -> str | None:
    """The video service for a PDS it can reach; None (a plain blob) for a PDS on
    this machine or without TLS, which the service cannot write to."""
    parts = urlsplit(api_base)
    if parts.scheme != "https" or is_loopback_host(parts.hostname or ""):
        return None
    return VIDEO_SERVICE


def caption_problems(video: MediaFile) -> list[str]:
    """Captions Bluesky would refuse: too many, or a file over 20,000 bytes as WebVTT."""
    problems = []
    if len(video.subtitles) > MAX_CAPTIONS:
        problems.append(f"{len(video.subtitles)} subtitle files: Bluesky takes at most "
                        f"{MAX_CAPTIONS}")
    for subtitle in video.subtitles:
        if not subtitle.path.is_file():
            problems.append(f"missing subtitle file {subtitle.path.name}")
            continue
        try:
            size = len(subtitles_as(subtitle, ".vtt").encode())
        except Rejected as error:
            problems.append(error.message)
            continue
        if size > MAX_CAPTION_BYTES:
            problems.append(f"subtitle file {subtitle.path.name} is {size:,} bytes as WebVTT: "
                            f"Bluesky takes at most {MAX_CAPTION_BYTES:,}")
    if not video.alt.strip():
        problems.append(f"video {video.path.name} needs alt text")
    graphemes = len(regex.findall(r"\X", video.alt))
    if graphemes > MAX_ALT_GRAPHEMES:
        problems.append(f"alt text of {video.path.name} is over {MAX_ALT_GRAPHEMES} characters")
    return problems


@dataclass
class BlueskyVideos:
    """Puts a post's video (and its captions) where the record can name them."""

    adapter: BlueskyAdapter
    service: str | None
    progress: Progress
    sleep: Callable[[float], None]

    def embed(self, video: MediaFile, idempotency_key: str) -> dict[str, Any]:
        """The app.bsky.embed.video of the post, its blobs uploaded now or reused."""
        record = UploadRecord(self.adapter.checkpoints, idempotency_key, video)
        blob = record.get("blob") or self._blob(record, video)
        info = probe(video.path)
        embed: dict[str, Any] = {"$type": "app.bsky.embed.video", "video": blob,
                                 "aspectRatio": {"width": info.width, "height": info.height}}
        if video.alt:
            embed["alt"] = video.alt
        captions = self._captions(record, video)
        if captions:
            embed["captions"] = captions
        return embed

    # The video

    def _blob(self, record: UploadRecord, video: MediaFile) -> dict:
        if self.service is None:
            blob = self._upload_blob(video)
        else:
            job = record.get("job") or self._start_job(record, video)
            blob = self._wait_for_job(record, video, str(job))
        record.save(blob=blob)
        return blob

    def _upload_blob(self, video: MediaFile) -> dict:
        """The simple method: the file as a blob on the PDS."""
        size = video.path.stat().st_size
        with upload_deadline(self.adapter.session, size), FileSlice(video.path) as body:
            response = self.adapter._xrpc("POST", "com.atproto.repo.uploadBlob", data=body,
                                          headers={"Content-Type": video_mime(probe(video.path))})
        self.adapter._check(response)
        self._report(video, "uploading", size)
        blob = json_object(response, maybe_sent=False).get("blob")
        if not isinstance(blob, dict):
            raise Rejected(f"the upload of {video.path.name} returned no blob")
        return blob

    def _start_job(self, record: UploadRecord, video: MediaFile) -> str:
        size = video.path.stat().st_size
        self._check_limits(size)
        token = self._service_token(f"did:web:{self.adapter._pds_host()}",
                                    "com.atproto.repo.uploadBlob")
        with upload_deadline(self.adapter.session, size), FileSlice(video.path) as body:
            response = request(
                self.adapter.session, "POST", f"{self.service}/xrpc/app.bsky.video.uploadVideo",
                params={"did": self.adapter._current().did, "name": video.path.name}, data=body,
                headers={"Authorization": f"Bearer {token}",
                         "Content-Type": video_mime(probe(video.path))},
                secrets=(*self.adapter._secrets(), token))
        status = _job_status(response)
        if response.status_code >= 400 and not status.get("jobId"):
            self.adapter._check(response)
        job = str(status.get("jobId") or "")
        if not job:
            raise Rejected(f"the video service gave no job for {video.path.name}")
        record.save(job=job)  # before polling: a retry polls this job, uploads nothing
        self._report(video, "uploading", size)
        if isinstance(status.get("blob"), dict):
            record.save(blob=status["blob"])
        return job

    def _check_limits(self, size: int) -> None:
        """getUploadLimits: a day's quota used up waits; an account that may not upload
        video (an unverified e-mail, a ban) is refused with Bluesky's reason."""
        token = self._service_token(VIDEO_SERVICE_DID, "app.bsky.video.getUploadLimits")
        response = request(self.adapter.session, "GET",
                           f"{self.service}/xrpc/app.bsky.video.getUploadLimits",
                           headers={"Authorization": f"Bearer {token}"},
                           secrets=(*self.adapter._secrets(), token))
        self.adapter._check(response)
        limits = json_object(response, maybe_sent=False)
        reason = str(limits.get("message") or limits.get("error") or "no reason given")
        daily = limits.get("remainingDailyVideos") == 0 or (
            isinstance(limits.get("remainingDailyBytes"), int)
            and limits["remainingDailyBytes"] < size)
        if daily:
            raise RateLimited(f"Bluesky's daily video allowance is used up ({reason}); "
                              "the video waits an hour",
                              self.adapter.clock() + timedelta(hours=1))
        if limits.get("canUpload") is False:
            raise Rejected(f"Bluesky does not let this account upload videos: {reason}")

    def _wait_for_job(self, record: UploadRecord, video: MediaFile, job: str) -> dict:
        self._report(video, "processing", video.path.stat().st_size)
        if isinstance(record.get("blob"), dict):
            return record.get("blob")
        found: dict[str, Any] = {}

        def check() -> Processing:
            response = request(self.adapter.session, "GET",
                               f"{self.service}/xrpc/app.bsky.video.getJobStatus",
                               params={"jobId": job}, secrets=self.adapter._secrets())
            status = _job_status(response)
            if isinstance(status.get("blob"), dict):  # done, or "already_exists"
                found["blob"] = status["blob"]
                return Processing(ready=True)
            if response.status_code >= 400 and not status.get("state"):
                if response.status_code in (400, 404):  # the job is gone: upload again
                    record.forget()
                    raise Transient(f"the video service forgot the job of {video.path.name}",
                                    maybe_sent=False)
                self.adapter._check(response)
            if status.get("state") == _FAILED:
                record.forget()  # a failed job is not polled again
                return Processing(ready=False, failed=str(
                    status.get("message") or status.get("error") or "no reason given"))
            return Processing(ready=False, wait=1.5)

        wait_for_processing(check, what=f"video {video.path.name}", sleep=self.sleep)
        return found["blob"]

    def _service_token(self, audience: str, method: str) -> str:
        expires = int((self.adapter.clock() + SERVICE_TOKEN_LIFE).timestamp())
        response = self.adapter._xrpc("GET", "com.atproto.server.getServiceAuth", params={
            "aud": audience, "lxm": method, "exp": str(expires)})
        self.adapter._check(response)
        token = json_object(response, maybe_sent=False).get("token")
        if not isinstance(token, str) or not token:
            raise Transient("the PDS gave no service token", maybe_sent=False)
        return token

    # Captions

    def _captions(self, record: UploadRecord, video: MediaFile) -> list[dict]:
        """Every locale's subtitles (the post's own first) as text/vtt blobs."""
        blobs: dict[str, dict] = dict(record.get("captions") or {})
        captions = []
        for subtitle in video.subtitles[:MAX_CAPTIONS]:
            if subtitle.locale not in blobs:
                response = self.adapter._xrpc("POST", "com.atproto.repo.uploadBlob",
                                              data=subtitles_as(subtitle, ".vtt").encode(),
                                              headers={"Content-Type": "text/vtt"})
                self.adapter._check(response)
                blob = json_object(response, maybe_sent=False).get("blob")
                if not isinstance(blob, dict):
                    raise Rejected(f"the upload of {subtitle.path.name} returned no blob")
                blobs[subtitle.locale] = blob
                record.save(captions=blobs)
            captions.append({"lang": subtitle.locale, "file": blobs[subtitle.locale]})
        return captions

    def _report(self, video: MediaFile, stage: str, sent: int) -> None:
        self.progress(UploadProgress(self.adapter.account_id, video.path.name, sent,
                                     video.path.stat().st_size, stage))


def _job_status(response: Any) -> dict[str, Any]:
    """The job status in an answer: bare (as video.bsky.app answers uploadVideo) or
    under ``jobStatus`` (the lexicon's output)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    inner = body.get("jobStatus")
    return inner if isinstance(inner, dict) else body
