"""Mastodon: POST /api/v1/statuses with an Idempotency-Key, media via /api/v2/media.

The server remembers an Idempotency-Key for one hour: a retry with the same
key inside that hour returns the first status instead of posting again, so a
flush that died mid-request can resend safely within the hour. Later the
key is forgotten, so ``find`` looks for the post among the account's own
statuses: first by their rendered text, then, for the statuses made since the
post was due, by their plain source text (GET /api/v1/statuses/:id/source).

Videos (docs.joinmastodon.org/methods/media): POST /api/v2/media (multipart
``file`` and ``description``, the alt text) answers 202 with ``url`` null while the
instance processes it; GET /api/v1/media/:id answers 206 until it is done, 200 with
the ``url`` when it is, 422 when processing failed. The limits are the instance's
(GET /api/v2/instance, configuration.media_attachments: video_size_limit,
video_frame_rate_limit, video_matrix_limit, supported_mime_types; docs.joinmastodon.org/
entities/Instance), else that page's example values (40 MB, 60 frames a second,
2,304,000 pixels, MP4, MOV, WebM). No length limit is documented. Mastodon takes no
subtitle files. The upload is one request (not resumable): its media id is
recorded with the time, so that a retry reuses it while the instance keeps
unattached media (about a day) instead of uploading again.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import requests

from publisher.domain.accounts import Account
from publisher.domain.results import Engagement
from publisher.domain.textrules import count_text
from publisher.domain.video import MB, VideoLimits
from publisher.platforms.base import (
    Abilities,
    Checkpoints,
    Identity,
    MediaFile,
    MemoryCheckpoints,
    NotFound,
    Post,
    Published,
    Rejected,
    TokenStatus,
    Transient,
)
from publisher.platforms.common.adapters import TokenAdapter
from publisher.platforms.common.counts import count
from publisher.platforms.common.http import json_object, raise_for_status, request
from publisher.platforms.common.progress import Progress, log_progress
from publisher.platforms.common.recent import find_ours, verdict
from publisher.platforms.common.urls import digits, not_a_post, not_ours, split_address
from publisher.platforms.common.video import (
    FileSlice,
    MultipartBody,
    Processing,
    UploadProgress,
    UploadRecord,
    probe,
    upload_deadline,
    video_mime,
    video_post_problems,
    wait_for_processing,
)

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

# Mastodon keeps idempotency keys for an hour; stay clear of the edge.
IDEMPOTENCY_WINDOW = timedelta(minutes=55)
# How many of the account's latest statuses ``find`` reads (the API's maximum).
STATUS_PAGE = 40
# Server and flush clocks may disagree a little.
CLOCK_SLACK = timedelta(minutes=10)
# ISO 639-1 codes Mastodon takes for our BCP 47 tags (sr-Latn is still "sr").
LANGUAGE = {"sq": "sq", "en": "en", "sr": "sr", "sr-Latn": "sr"}
# Mastodon shows @user@domain as @user: compare without the domain.
REWRITES = ((re.compile(r"(?<![\w@])(@\w+)@[\w.-]+\w"), r"\1"),)
# The video limits of docs.joinmastodon.org/entities/Instance's example (an instance
# that does not say its own). Mastodon transcodes what ffmpeg reads into H.264.
VIDEO_MATRIX = 2304000
VIDEO = VideoLimits(max_bytes=40 * MB, max_seconds=math.inf,
                    containers=frozenset({"mp4", "mov", "webm"}),
                    video_codecs=frozenset({"h264", "hevc", "vp8", "vp9", "av1"}),
                    max_frame_rate=60, subtitles=False)
CONTAINERS = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
# Mastodon removes media not attached to a status after about a day: a recorded
# upload older than this is not reused.
MEDIA_KEPT = timedelta(hours=20)


def make_adapter(account: Account, adapters: Adapters) -> MastodonAdapter:
    return MastodonAdapter.for_account(account, adapters, checkpoints=adapters.checkpoints,
                                       sleep=adapters.sleep, progress=adapters.progress)


@dataclass(repr=False)
class MastodonAdapter(TokenAdapter):
    max_characters: int | None = None
    media_poll_seconds: float = 1.0
    media_poll_limit: int = 60
    platform: str = "mastodon"
    # Where a video's upload is recorded, how polls wait, who hears of the upload.
    checkpoints: Checkpoints = field(default_factory=MemoryCheckpoints)
    sleep: Callable[[float], None] = time.sleep
    progress: Progress = log_progress
    _configuration: dict | None = field(default=None, init=False, repr=False)
    # Both, and an edit keeps the status's history for everyone to see.
    abilities = Abilities(delete=True, edit=True, video=VIDEO)

    def _headers(self) -> dict[str, str]:
        if not self.token:
            raise self._missing_token("access token")
        return {"Authorization": f"Bearer {self.token}"}

    def _call(self, method: str, path: str, *, missing_ok: bool = False,
              **kwargs: Any) -> requests.Response:
        """One API call; ``missing_ok``: a 404 (no such status) is answered, not raised."""
        headers = {**self._headers(), **kwargs.pop("headers", {})}
        response = request(
            self.session, method, self.base_url + path, headers=headers,
            secrets=self._secrets, **kwargs,
        )
        if missing_ok and response.status_code == 404:
            return response
        raise_for_status(response, _error_text(response), now=self.clock(),
                         reset=_reset(response))
        return response

    def validate(self, post: Post) -> list[str]:
        count = count_text("mastodon", post.text, has_media=bool(post.media),
                           limit=self.max_characters)
        problems = list(count.problems)
        if any(m.is_video for m in post.media):
            return problems + self._video_problems(post.media)
        problems += [f"missing image {m.path.name}" for m in post.media if not m.path.is_file()]
        problems += [f"image {m.path.name} has no alt text" for m in post.media if not m.alt]
        return problems

    def _video_problems(self, media: tuple[MediaFile, ...]) -> list[str]:
        """What stops a video on this instance (its limits read from it, once a run)."""
        limits, matrix = self.video_limits()
        problems = video_post_problems("Mastodon", media, limits)
        for video in media:
            if video.is_video and not problems:
                info = probe(video.path)
                if info.width * info.height > matrix:
                    problems.append(f"video {video.path.name} is {info.width}x{info.height}: "
                                    f"the instance takes at most {matrix:,} pixels")
            if video.is_video and not video.alt:
                problems.append(f"video {video.path.name} has no alt text")
        return problems

    def _instance(self) -> dict:
        """The instance's configuration (/api/v2/instance), read once a run; empty when
        it cannot be read (an old or unusual instance: the defaults apply)."""
        if self._configuration is None:
            self._configuration = {}
            try:
                configuration = json_object(self._call("GET", "/api/v2/instance"),
                                            maybe_sent=False)["configuration"]
                if isinstance(configuration, dict):
                    self._configuration = configuration
            except (Rejected, Transient, KeyError, TypeError):
                pass
        return self._configuration

    def instance_limit(self) -> int | None:
        """The instance's own character limit, read once per run."""
        if self.max_characters is None:
            try:
                self.max_characters = int(self._instance()["statuses"]["max_characters"])
            except (KeyError, TypeError, ValueError):
                return None  # the default rule applies
        return self.max_characters

    def video_limits(self) -> tuple[VideoLimits, int]:
        """The instance's video limits and its most pixels a frame, where it says them
        (configuration.media_attachments), else the documented example's."""
        given = self._instance().get("media_attachments")
        if not isinstance(given, dict):
            return VIDEO, VIDEO_MATRIX
        limits = VIDEO
        if isinstance(given.get("video_size_limit"), int):
            limits = replace(limits, max_bytes=given["video_size_limit"])
        if isinstance(given.get("video_frame_rate_limit"), int | float):
            limits = replace(limits, max_frame_rate=given["video_frame_rate_limit"])
        types = given.get("supported_mime_types")
        if isinstance(types, list):
            limits = replace(limits, containers=frozenset(
                CONTAINERS[kind] for kind in types if kind in CONTAINERS))
        matrix = given.get("video_matrix_limit")
        return limits, matrix if isinstance(matrix, int) else VIDEO_MATRIX

    def publish(self, post: Post, idempotency_key: str) -> Published:
        count = count_text("mastodon", post.text, has_media=bool(post.media),
                           limit=self.instance_limit())
        if count.problems:
            raise Rejected(count.problems[0])
        media_ids = [self._upload_video(media, idempotency_key) if media.is_video
                     else self._upload(media.path, media.alt) for media in post.media]
        data: dict[str, object] = {"status": post.text, "visibility": post.options.visibility}
        language = LANGUAGE.get(post.locales[0]) if post.locales else None
        if language:
            data["language"] = language
        if media_ids:
            data["media_ids"] = media_ids
        data.update(_reply_fields(post))
        response = self._call(
            "POST", "/api/v1/statuses", json=data,
            headers={"Idempotency-Key": idempotency_key},
        )
        return _published(json_object(response))

    def _upload(self, path, alt: str) -> str:
        with open(path, "rb") as handle:
            response = self._call(
                "POST", "/api/v2/media", files={"file": (path.name, handle)},
                data={"description": alt},
            )
        media = json_object(response)
        for _attempt in range(self.media_poll_limit):
            if response.status_code == 200 and media.get("url"):
                return str(media["id"])
            time.sleep(self.media_poll_seconds)
            response = self._call("GET", f"/api/v1/media/{media['id']}")
            media = json_object(response)
        raise Transient("the instance did not finish processing the image", maybe_sent=False)

    def _upload_video(self, media: MediaFile, idempotency_key: str) -> str:
        """The processed video's media id: uploaded, or the one an earlier attempt
        uploaded while the instance still keeps it."""
        record = UploadRecord(self.checkpoints, idempotency_key, media)
        uploaded = record.get("uploaded_at")
        if uploaded and self.clock() - datetime.fromisoformat(uploaded) > MEDIA_KEPT:
            record.forget()
        try:
            for _attempt in range(2):
                media_id = record.get("media_id") or self._send_video(media, record)
                if self._wait_for_video(media, media_id):
                    return media_id
                record.forget()  # the instance no longer has it: upload again
            raise Transient(f"the instance lost video {media.path.name} twice",
                            maybe_sent=False)
        except Transient as error:  # an upload is not a post: nothing went out
            raise Transient(error.message, maybe_sent=False) from None

    def _send_video(self, media: MediaFile, record: UploadRecord) -> str:
        problems = self._video_problems((media,))  # the instance's own limits, now
        if problems:
            raise Rejected(problems[0])
        info = probe(media.path)
        with upload_deadline(self.session, info.size), FileSlice(media.path) as content:
            body = MultipartBody({"description": media.alt}, "file", media.path.name,
                                 video_mime(info), content)
            response = self._call("POST", "/api/v2/media", data=body,
                                  headers={"Content-Type": body.content_type})
        media_id = str(json_object(response, maybe_sent=False).get("id") or "")
        if not media_id:
            raise Rejected(f"the instance's upload of video {media.path.name} gave no id")
        record.save(media_id=media_id, uploaded_at=self.clock().isoformat())
        self.progress(UploadProgress(str(self.account_id), media.path.name, info.size,
                                     info.size))
        return media_id

    def _wait_for_video(self, media: MediaFile, media_id: str) -> bool:
        """Poll until the instance processed the video; False when it has no such
        media any more."""
        size = media.path.stat().st_size
        self.progress(UploadProgress(str(self.account_id), media.path.name, size, size,
                                     "processing"))
        gone = False

        def check() -> Processing:
            nonlocal gone
            try:
                response = self._call("GET", f"/api/v1/media/{media_id}", missing_ok=True)
            except Rejected as error:  # 422: processing failed
                return Processing(False, failed=error.message)
            gone = response.status_code == 404
            ready = gone or (response.status_code == 200
                             and bool(json_object(response, maybe_sent=False).get("url")))
            return Processing(ready, wait=self.media_poll_seconds)

        wait_for_processing(check, what=f"video {media.path.name}", sleep=self.sleep)
        return not gone

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        """Look for the post among the account's latest statuses.

        The API cannot be asked about an idempotency key, so the text decides.
        NotFound only when the page reaches back before the post was due and
        no status made since then has the post's source text; else None.
        """
        me = json_object(self._call("GET", "/api/v1/accounts/verify_credentials"))
        response = self._call(
            "GET", f"/api/v1/accounts/{me['id']}/statuses",
            params={"limit": str(STATUS_PAGE), "exclude_reblogs": "true"},
        )
        statuses = _status_list(response)
        # A reply is looked for among the replies to its status only (the same words
        # elsewhere are another post); the page's reach is judged on every status.
        candidates = [s for s in statuses if _replies_as(s, post)]
        status = find_ours(post.text, candidates,
                           lambda status: html_text(str(status.get("content", ""))),
                           rewrites=REWRITES)
        if status is not None:
            return _published(status)
        since = post.due_at - CLOCK_SLACK if post.due_at else None
        # The plain source of each status made since the post was due (one request
        # each, so only those, and none after a match; an unknown time is skipped).
        recent = [s for s in candidates if since is None or _made_since(s, since)]
        unreadable: list[dict] = []

        def source_of(status: dict) -> str | None:
            source = self._source(status)
            if source is None:
                unreadable.append(status)
            return source

        status = find_ours(post.text, recent, source_of, rewrites=REWRITES)
        made = [m for m in (_moment(s.get("created_at")) for s in statuses) if m is not None]
        reaches_back = since is not None and bool(made) and min(made) < since
        # Not found for certain only when every source was read and the page holds
        # every status since the post was due; else a person decides.
        complete = not unreadable and (len(statuses) < STATUS_PAGE or reaches_back)
        return verdict(_published(status) if status is not None else None, complete=complete)

    def _source(self, status: dict) -> str | None:
        """The plain text a status was written with (Mastodon 3.5+), or None."""
        try:
            response = self._call("GET", f"/api/v1/statuses/{status['id']}/source")
        except Rejected:
            return None
        text = json_object(response).get("text")
        return text if isinstance(text, str) else None

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        return now - claimed_at < IDEMPOTENCY_WINDOW

    def token_status(self) -> TokenStatus:
        # Mastodon access tokens do not expire.
        return TokenStatus(None)

    def check(self) -> Identity:
        account = json_object(self._call("GET", "/api/v1/accounts/verify_credentials"))
        return Identity(f"@{account.get('acct', '?')}", account.get("url"))

    # Correcting and retracting

    def delete(self, target: Published, post: Post) -> None:
        """DELETE /api/v1/statuses/:id (docs.joinmastodon.org/methods/statuses/#delete):
        200 with the deleted status; 404 "Record not found" when it is gone already."""
        self._call("DELETE", f"/api/v1/statuses/{_status_id(target)}", missing_ok=True)

    def edit(self, target: Published, post: Post) -> Published:
        """PUT /api/v1/statuses/:id (Mastodon 3.5+, .../methods/statuses/#edit) with the
        new ``status`` and ``spoiler_text``; the images stay (their ``media_ids``, read
        with GET /api/v1/statuses/:id). The instance keeps the earlier text in the
        status's edit history, visible to everyone."""
        count = count_text("mastodon", post.text, has_media=bool(post.media),
                           limit=self.instance_limit())
        if count.problems:
            raise Rejected(count.problems[0])
        path = f"/api/v1/statuses/{_status_id(target)}"
        current = json_object(self._call("GET", path))
        data: dict[str, object] = {"status": post.text, "spoiler_text": post.content_warning}
        media_ids = [str(m["id"]) for m in current.get("media_attachments") or []
                     if isinstance(m, dict) and m.get("id") is not None]
        if media_ids:
            data["media_ids"] = media_ids
        language = LANGUAGE.get(post.locales[0]) if post.locales else None
        if language:
            data["language"] = language
        return _published(json_object(self._call("PUT", path, json=data)))

    # Results

    def engagement(self, target: Published, post: Post) -> Engagement:
        """GET /api/v1/statuses/:id (docs.joinmastodon.org/methods/statuses/#get): the
        Status entity's favourites_count, reblogs_count, replies_count, and quotes_count
        where the server has quotes (Mastodon 4.5+; None before). A 404 (deleted) is the
        post gone: ``Rejected``."""
        response = self._call("GET", f"/api/v1/statuses/{_status_id(target)}",
                              missing_ok=True)
        if response.status_code == 404:
            raise Rejected("the instance has no such status any more (HTTP 404)")
        status = json_object(response, maybe_sent=False)
        return Engagement(likes=count(status, "favourites_count"),
                          reposts=count(status, "reblogs_count"),
                          replies=count(status, "replies_count"),
                          quotes=count(status, "quotes_count"))

    def locate(self, url: str) -> Published:
        """The status at ``url`` on this instance (GET /api/v1/statuses/:id), when it is
        the account's own (its ``account.id`` is verify_credentials' id)."""
        status_id = status_id_of(url, self.base_url)
        response = self._call("GET", f"/api/v1/statuses/{status_id}", missing_ok=True)
        if response.status_code == 404:
            raise not_ours(url, "the instance has no such status")
        status = json_object(response)
        me = json_object(self._call("GET", "/api/v1/accounts/verify_credentials"))
        owner = (status.get("account") or {}).get("id")
        if owner is None or str(owner) != str(me.get("id")):
            raise not_ours(url, "another account wrote it")
        return _published(status)


def _status_id(target: Published) -> str:
    if not digits(target.remote_id):
        raise Rejected(f"{target.remote_id!r} is not a Mastodon status id")
    return target.remote_id


def status_id_of(url: str, base_url: str) -> str:
    """The status id in a status's address on this instance: /@user/ID,
    /@user@domain/ID, /users/user/statuses/ID, /web/statuses/ID (the ``url`` and
    ``uri`` forms Mastodon gives). Another instance's address is not this account's."""
    address = split_address(url, "Mastodon")
    parts = address.segments[1:] if address.segments[:1] == ("web",) else address.segments
    if len(parts) == 2 and parts[0].startswith("@") and digits(parts[1]):
        status_id = parts[1]
    elif len(parts) == 4 and parts[0] == "users" and parts[2] == "statuses" \
            and digits(parts[3]):
        status_id = parts[3]
    elif len(parts) == 2 and parts[0] == "statuses" and digits(parts[1]):
        status_id = parts[1]
    else:
        raise not_a_post(url, "Mastodon")
    instance = split_address(base_url, "Mastodon").host if base_url else ""
    if address.host != instance:
        raise not_ours(url, f"it is on {address.host}, the account is on {instance or '?'}")
    return status_id


def _reply_fields(post: Post) -> dict[str, object]:
    """A thread part or first comment replies to its status (in_reply_to_id); the
    content warning is the status's spoiler_text."""
    fields: dict[str, object] = {}
    if post.reply_to is not None:
        fields["in_reply_to_id"] = post.reply_to.remote_id
    if post.content_warning:
        fields["spoiler_text"] = post.content_warning
    return fields


def _replies_as(status: dict, post: Post) -> bool:
    """Whether a status answers what ``post`` answers (nothing, for a first post)."""
    wanted = post.reply_to.remote_id if post.reply_to is not None else None
    answered = status.get("in_reply_to_id")
    return (str(answered) if answered is not None else None) == wanted


def _status_list(response: requests.Response) -> list[dict]:
    try:
        statuses = response.json()
    except ValueError:
        statuses = None
    if not isinstance(statuses, list) or not all(isinstance(s, dict) for s in statuses):
        # Never conclude "not there" from an answer we cannot read.
        raise Transient("the instance's list of statuses could not be read")
    return statuses


def _published(status: dict) -> Published:
    return Published(str(status["id"]), status.get("url") or status.get("uri"))


def _made_since(status: dict, since: datetime) -> bool:
    made = _moment(status.get("created_at"))
    return made is not None and made >= since


def _moment(text: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _TextOfHtml(HTMLParser):
    """The visible text of a status's HTML: paragraphs and line breaks kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(content: str) -> str:
    """Mastodon's rendered HTML back to text (links keep their hidden parts)."""
    parser = _TextOfHtml()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts)


def _error_text(response: requests.Response) -> str:
    if response.status_code < 400:
        return ""
    try:
        return str(response.json().get("error", ""))[:300]
    except (ValueError, AttributeError):
        return response.reason or ""


def _reset(response: requests.Response) -> datetime | None:
    value = response.headers.get("X-RateLimit-Reset")
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None
