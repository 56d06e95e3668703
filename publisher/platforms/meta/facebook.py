"""Facebook pages through the Graph API: /{page-id}/feed and /{page-id}/photos.

- The page access token goes in the Authorization header, never in a URL.
- One image: POST /photos with the text as its message and the alt text as
  ``alt_text_custom``. Several: each uploaded unpublished, then one /feed post
  with ``attached_media``. No image but a link card: the /feed post's ``link``
  (Facebook reads the page's preview itself).
- Graph error codes, not HTTP statuses, say what went wrong (read as for
  Instagram and Threads, :mod:`publisher.platforms.meta.graph`); 506 is a
  duplicate post, which means an earlier attempt probably went out.
- No idempotency key: after a crash ``find`` looks at the page's latest posts;
  a post not found there stays unknown for a person.
- The Graph API has no language field for a page post.
- A first comment goes under the post with POST /{post-id}/comments (``message``),
  once: the post's comments (GET of the same edge) are read first and after a
  crash (:mod:`publisher.platforms.common.comments`).
- Corrections: POST /{post-id} (``message``) edits a page post and DELETE
  /{post-id} removes it; a comment is /{comment-id} likewise (Pages API, Posts:
  "Update a Post", "Delete a Post"; Comments reference: updating, deleting).
- Counts (``engagement``): the post's reactions, comments and shares, and its views
  from the post's insights (``post_media_view``) where the page token may read them
  (``read_insights``); a token that may not leaves the views unknown.
- A video (Video API, Publishing, resumable upload:
  https://developers.facebook.com/docs/video-api/guides/publishing; Page Videos
  reference: https://developers.facebook.com/docs/graph-api/reference/page/videos/):
  POST /{page-id}/videos (on graph-video.facebook.com) with ``upload_phase=start`` and
  ``file_size`` gives ``upload_session_id``, ``video_id`` and the first chunk's
  ``start_offset``/``end_offset``; each ``upload_phase=transfer`` sends the bytes
  between them as ``video_file_chunk`` (streamed from disk) and is answered with the
  next pair, until they are equal; ``upload_phase=finish`` with the post's text as
  ``description`` publishes it. The session, the video id and the offsets are recorded
  (:class:`UploadRecord`) as each answer comes, so that an attempt after a crash goes
  on from the recorded offset; a chunk sent at an offset Facebook no longer expects is
  answered with error 1363037 and the offsets it does expect (``error_data``), from
  which the upload goes on. Processing: GET /{video-id}?fields=status (``video_status``
  ready, processing or error; ``processing_progress``; the processing phase's errors).
  Subtitles: POST /{video-id}/captions with ``captions_file``, an SRT file whose name
  ends ``.<locale>.srt`` in Facebook's locale codes (sq_AL, en_US, sr_RS; 200 KB at
  most; Video Captions reference:
  https://developers.facebook.com/docs/graph-api/reference/video/captions/); Serbian in
  Latin and in Cyrillic share sr_RS, so the post's own locale's file goes. Why not the
  newer Resumable Upload API (/{app-id}/uploads and a file handle), which the current
  guide shows: it needs the app's id and a user token, and a page account here holds
  only its page token; the page's own /videos edge takes that token and resumes just
  the same. Limits: 10 GB and 240 minutes by resumable upload (Video API, "Video
  Format"); MP4 or MOV recommended, WebM taken.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from publisher.domain.accounts import Account
from publisher.domain.posttypes import PartKind
from publisher.domain.results import Engagement
from publisher.domain.textrules import count_text
from publisher.domain.video import MB, VideoLimits
from publisher.platforms.base import (
    NOT_FOUND,
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
from publisher.platforms.common.comments import (
    CommentApi,
    Comments,
    comment_once,
    find_comment,
)
from publisher.platforms.common.http import json_object, request
from publisher.platforms.common.media import image_type, media_problems
from publisher.platforms.common.progress import Progress, UploadProgress, log_progress
from publisher.platforms.common.recent import find_ours, verdict
from publisher.platforms.common.urls import digits, not_a_post, not_ours, split_address
from publisher.platforms.meta.graph import (
    GRAPH_VERSION,
    Duplicate,
    as_int,
    graph_error,
    insight_values,
    insights_refused,
    is_missing,
    upload_offsets,
    upload_session_gone,
)

if TYPE_CHECKING:
    from publisher.platforms.common.video import UploadRecord
    from publisher.platforms.registry import Adapters

MAX_IMAGES = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024
WEB_HOSTS = ("facebook.com",)
# A post's counts in one read: the edges' summaries without their entries, and shares.
COUNT_FIELDS = ("id,reactions.limit(0).summary(total_count),"
                "comments.filter(stream).limit(0).summary(total_count),shares")
# Its views: post_media_view took the place of post_impressions (deprecated for all
# versions on 15 November 2025; Pages API changelog).
VIEWS_METRIC = "post_media_view"

# What a page video may be (Video API: resumable upload up to 10 GB and 240 minutes;
# Facebook takes most formats and recommends MP4 or MOV with H.264 and AAC).
FACEBOOK_VIDEO = VideoLimits(
    max_bytes=10 * 1024 * MB,
    max_seconds=240 * 60,
    containers=frozenset({"mp4", "mov", "webm"}),
    video_codecs=frozenset({"h264", "hevc", "vp8", "vp9"}),
    audio_codecs=frozenset({"aac", "mp3", "opus", "vorbis"}),
    subtitles=True,
)
# A caption file's limit (Video Captions reference: "The file size limit for video
# captions is 200K").
MAX_CAPTIONS_BYTES = 200 * 1024
# Our locales -> Facebook's (ll_CC). Facebook has one Serbian locale.
FACEBOOK_LOCALES = {"sq": "sq_AL", "en": "en_US", "sr": "sr_RS", "sr-Latn": "sr_RS"}
# How often one attempt may be sent back to another offset before it gives up.
MAX_OFFSET_CORRECTIONS = 3

log = logging.getLogger("publisher.platforms.meta")


def make_adapter(account: Account, adapters: Adapters) -> FacebookAdapter:
    return FacebookAdapter.for_account(
        account, adapters, page_id=account.handle, checkpoints=adapters.checkpoints,
        sleep=adapters.sleep, progress=adapters.progress)


@dataclass(repr=False)
class FacebookAdapter(TokenAdapter):
    page_id: str | None = None
    platform: str = "facebook"
    # The flush's checkpoints: a video's upload is recorded there as it goes.
    checkpoints: Checkpoints = field(default_factory=MemoryCheckpoints)
    sleep: Callable[[float], None] = time.sleep
    progress: Progress = log_progress
    abilities = Abilities(delete=True, edit=True, video=FACEBOOK_VIDEO)

    def __repr__(self) -> str:
        return f"FacebookAdapter(base_url={self.base_url!r}, page_id={self.page_id!r})"

    def _page(self) -> str:
        if not self.page_id:
            raise Rejected("the account has no page id: set its handle to the page id",
                           remedy=self._set_handle("PAGE_ID"))
        return self.page_id

    def _call(self, method: str, path: str, *, missing_ok: bool = False,
              insights: bool = False, **kwargs: Any) -> dict:
        """One Graph call; ``missing_ok``: an answer that the object is not there
        (:func:`is_missing`) gives ``{}`` rather than an error; ``insights``: so does one
        that the token may not read them (:func:`insights_refused`)."""
        if not self.token:
            raise self._missing_token("page access token")
        response = request(
            self.session, method, f"{self.base_url}/{GRAPH_VERSION}/{path}",
            headers={"Authorization": f"Bearer {self.token}"}, secrets=self._secrets, **kwargs,
        )
        if response.status_code < 400:
            return json_object(response)
        if (missing_ok and is_missing(response)) or (insights and insights_refused(response)):
            return {}
        # Any call may stand between a post and its record (the look for it after a
        # duplicate too): with no idempotency key, passing trouble leaves it unknown.
        raise graph_error(response, "Graph", now=self.clock(), secrets=self._secrets,
                          sending=True)

    # The interface

    def validate(self, post: Post) -> list[str]:
        problems = list(count_text("facebook", post.text, has_media=bool(post.media)).problems)
        if any(m.is_video for m in post.media):
            from publisher.platforms.common.video import video_post_problems

            problems += video_post_problems("Facebook", post.media, FACEBOOK_VIDEO)
            problems += _caption_problems(post.media)
            return problems
        problems += media_problems("Facebook", post.media, max_images=MAX_IMAGES,
                                   max_bytes=MAX_PHOTO_BYTES)
        return problems

    def publish(self, post: Post, idempotency_key: str) -> Published:
        if post.kind == PartKind.COMMENT:
            return comment_once(self._comments(), post)
        if len(post.media) == 1 and post.media[0].is_video:
            return self._publish_video(post, idempotency_key)
        page = self._page()
        try:
            if len(post.media) == 1:
                media = post.media[0]
                answer = self._photo(media, {"message": post.text, "published": "true"})
                post_id = str(answer.get("post_id") or f"{page}_{answer['id']}")
            else:
                data: dict[str, str] = {"message": post.text}
                if post.media:
                    ids = [self._photo(m, {"published": "false"})["id"] for m in post.media]
                    data["attached_media"] = json.dumps([{"media_fbid": i} for i in ids])
                elif post.card is not None:
                    data["link"] = post.card.url  # Facebook reads the page's card itself
                post_id = str(self._call("POST", f"{page}/feed", data=data)["id"])
        except Duplicate as error:
            found = self.find(idempotency_key, post)
            if isinstance(found, Published):
                return found
            raise Rejected(f"{error.message} (an earlier attempt probably went out; "
                           "check the page)") from None
        return Published(post_id, _permalink(post_id))

    def _photo(self, media, data: dict[str, str]) -> dict:
        fields = dict(data)
        if media.alt:
            fields["alt_text_custom"] = media.alt
        with open(media.path, "rb") as handle:
            return self._call("POST", f"{self._page()}/photos", data=fields,
                              files={"source": (media.path.name, handle, image_type(media.path))})

    # A page video: resumable upload, captions, processing

    def _publish_video(self, post: Post, key: str) -> Published:
        """Upload (or go on with) the video, finish it with the post's text, add its
        captions and wait for Facebook to process it. Every step is recorded first, so
        an attempt after a crash or a Transient never uploads what Facebook has, and an
        upload error is never a post (``maybe_sent`` False: the record makes the retry
        safe, the finished session is one video)."""
        from publisher.platforms.common.video import UploadRecord

        media = post.media[0]
        record = UploadRecord(self.checkpoints, key, media)
        try:
            video_id = self._uploaded(media, record)
            if not record.get("finished"):
                self._video_call("POST", f"{self._page()}/videos", data={
                    "upload_phase": "finish", "upload_session_id": record.get("session"),
                    "description": post.text, "published": "true"})
                record.save(finished=True)
            self._add_captions(video_id, media, record)
            self._wait_until_processed(video_id, media)
        except Transient as error:
            raise Transient(error.message, maybe_sent=False) from None
        return Published(video_id, self._video_permalink(video_id))

    def _uploaded(self, media: MediaFile, record: UploadRecord) -> str:
        """The video's id once all its bytes are with Facebook (a new session, or the
        recorded one from its recorded offset); one expired session starts over."""
        size = media.path.stat().st_size
        for _attempt in range(2):
            if not record.get("session"):
                self._start_session(size, record)
            try:
                self._transfer(media, size, record)
            except _SessionGone:
                log.warning("%s: the upload session of %s expired; starting over",
                            self.account_id, media.path.name)
                record.forget()
                continue
            return str(record.get("video_id"))
        raise Transient(f"Facebook let the upload of {media.path.name} expire twice")

    def _start_session(self, size: int, record: UploadRecord) -> None:
        answer = self._video_call("POST", f"{self._page()}/videos",
                                  data={"upload_phase": "start", "file_size": str(size)})
        if not answer.get("upload_session_id") or not answer.get("video_id"):
            raise Transient("Facebook started no upload session (no id in the answer)")
        record.save(session=str(answer["upload_session_id"]), video_id=str(answer["video_id"]),
                    start=as_int(answer.get("start_offset")),
                    end=as_int(answer.get("end_offset")))

    def _transfer(self, media: MediaFile, size: int, record: UploadRecord) -> None:
        """Send the chunk Facebook asks for until it asks for none; each answer (or an
        offset error's ``error_data``) says the next one and is recorded at once."""
        from publisher.platforms.common.video import FileSlice, MultipartBody

        corrections = 0
        start, end = int(record.get("start", 0)), int(record.get("end", 0))
        while start < end:
            body = MultipartBody(
                {"upload_phase": "transfer", "upload_session_id": str(record.get("session")),
                 "start_offset": str(start)},
                "video_file_chunk", media.path.name, "application/octet-stream",
                FileSlice(media.path, start, end - start))
            with body:
                response = request(
                    self.session, "POST", self._video_url(f"{self._page()}/videos"),
                    data=body, headers={"Authorization": f"Bearer {self.token}",
                                        "Content-Type": body.content_type},
                    secrets=self._secrets)
            if response.status_code >= 400:
                if upload_session_gone(response):
                    raise _SessionGone
                expected = upload_offsets(response)
                if expected is None or corrections >= MAX_OFFSET_CORRECTIONS:
                    raise graph_error(response, "Graph", now=self.clock(), secrets=self._secrets)
                corrections += 1
                start, end = expected
            else:
                answer = json_object(response)
                start, end = as_int(answer.get("start_offset")), as_int(answer.get("end_offset"))
            record.save(start=start, end=end)
            self.progress(UploadProgress(self.account_id or "", media.path.name, start, size))

    def _add_captions(self, video_id: str, media: MediaFile, record: UploadRecord) -> None:
        """POST /{video-id}/captions once per Facebook locale (recorded), the post's own
        locales first. A caption Facebook refuses does not undo the post: it is logged."""
        from publisher.platforms.common.video import subtitles_as

        done = list(record.get("captions", []))
        for subtitles in media.subtitles:
            locale = FACEBOOK_LOCALES.get(subtitles.locale)
            if locale is None or locale in done:
                continue
            name = f"{media.path.stem}.{locale}.srt"
            content = subtitles_as(subtitles, ".srt")
            try:
                self._video_call("POST", f"{video_id}/captions", files={
                    "captions_file": (name, content.encode("utf-8"), "application/x-subrip")})
            except Rejected as error:
                log.warning("%s: Facebook refused the %s captions of %s: %s", self.account_id,
                            locale, media.path.name, error.message)
            done.append(locale)
            record.save(captions=done)

    def _wait_until_processed(self, video_id: str, media: MediaFile) -> None:
        from publisher.platforms.common.video import Processing, wait_for_processing

        size = media.path.stat().st_size
        self.progress(UploadProgress(self.account_id or "", media.path.name, size, size,
                                     stage="processing"))

        def check() -> Processing:
            answer = self._video_call("GET", video_id, params={"fields": "status"})
            status = answer.get("status") or {}
            state = str(status.get("video_status") or "")
            if state == "error":
                return Processing(False, failed=_processing_error(status))
            return Processing(state == "ready")

        wait_for_processing(check, what=f"video {media.path.name}", sleep=self.sleep)

    def _find_video(self, key: str, media: MediaFile) -> Published | NotFound:
        """A video post is its recorded upload: finished and processed, it is the
        video; anything less goes on from the record when published again (the same
        session and video, never a second one), so it did not go out as a second post."""
        from publisher.platforms.common.video import UploadRecord

        record = UploadRecord(self.checkpoints, key, media)
        video_id = record.get("video_id")
        if not video_id or not record.get("finished"):
            return NOT_FOUND
        answer = self._video_call("GET", str(video_id), params={"fields": "status"})
        if str((answer.get("status") or {}).get("video_status") or "") == "ready":
            return Published(str(video_id), self._video_permalink(str(video_id)))
        return NOT_FOUND

    def _video_permalink(self, video_id: str) -> str:
        try:
            answer = self._video_call("GET", video_id, params={"fields": "permalink_url"})
        except (Rejected, Transient):
            answer = {}
        link = str(answer.get("permalink_url") or "")
        if link.startswith("/"):
            link = f"https://www.facebook.com{link}"
        return link or f"https://www.facebook.com/{self._page()}/videos/{video_id}"

    def _video_call(self, method: str, path: str, **kwargs: Any) -> dict:
        """A call of the video flow: its upload edge lives on graph-video.facebook.com."""
        if not self.token:
            raise self._missing_token("page access token")
        response = request(self.session, method, self._video_url(path),
                           headers={"Authorization": f"Bearer {self.token}"},
                           secrets=self._secrets, **kwargs)
        if response.status_code < 400:
            return json_object(response)
        raise graph_error(response, "Graph", now=self.clock(), secrets=self._secrets)

    def _video_url(self, path: str) -> str:
        parts = urlsplit(self.base_url)
        if parts.hostname == "graph.facebook.com":  # the Video API's own host
            parts = parts._replace(netloc=parts.netloc.replace("graph.", "graph-video.", 1))
        return f"{urlunsplit(parts)}/{GRAPH_VERSION}/{path}"

    def _comments(self) -> CommentApi:
        def listed(post_id: str) -> Comments:
            answer = self._call("GET", f"{post_id}/comments",
                                params={"fields": "id,message,permalink_url",
                                        "filter": "stream", "limit": "100"})
            return Comments(answer.get("data") or [], not (answer.get("paging") or {})
                            .get("next"))

        def create(post_id: str, text: str) -> Published:
            answer = self._call("POST", f"{post_id}/comments", data={"message": text})
            if not answer.get("id"):
                raise Rejected("Facebook made no comment (no id in the answer)")
            return Published(str(answer["id"]))

        return CommentApi(listed, lambda entry: entry.get("message"), create,
                          lambda entry: Published(str(entry["id"]),
                                                  entry.get("permalink_url")))

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        if post.kind == PartKind.COMMENT:
            return find_comment(self._comments(), post)
        if len(post.media) == 1 and post.media[0].is_video:
            return self._find_video(idempotency_key, post.media[0])
        answer = self._call("GET", f"{self._page()}/posts",
                            params={"fields": "id,message,permalink_url,created_time",
                                    "limit": "25"})
        entry = find_ours(post.text, answer.get("data") or [],
                          lambda entry: str(entry.get("message", "")))
        if entry is None:
            return verdict(None)
        post_id = str(entry["id"])
        return Published(post_id, entry.get("permalink_url") or _permalink(post_id))

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        return False

    def token_status(self) -> TokenStatus:
        # A page token made from a long-lived user token does not expire.
        return TokenStatus(None)

    def check(self) -> Identity:
        page = self._call("GET", self._page(), params={"fields": "id,name,link"})
        return Identity(str(page.get("name") or page.get("id")), page.get("link"))

    # Correcting and retracting

    def delete(self, target: Published, post: Post) -> None:
        """DELETE /{post-id} (a first comment: /{comment-id}): ``{"success": true}``;
        an object that is not there any more (error 100/33) is done."""
        self._call("DELETE", _object_id(target), missing_ok=True)

    def edit(self, target: Published, post: Post) -> Published:
        """POST /{post-id} (a first comment: /{comment-id}) with the new ``message``; a
        page video's text is its ``description`` (POST /{video-id}, Video reference)."""
        problems = count_text("facebook", post.text, has_media=bool(post.media)).problems
        if problems:
            raise Rejected(problems[0])
        field = "description" if any(m.is_video for m in post.media) else "message"
        answer = self._call("POST", _object_id(target), data={field: post.text})
        if answer.get("success") is False:
            raise Rejected(f"Facebook did not change {target.remote_id}")
        return target

    def locate(self, url: str) -> Published:
        """The page post (or comment) at ``url``: GET /{id}?fields=id,from,permalink_url,
        and it is this page's when ``from`` is the page."""
        object_id, comment = fb_object_of(url, self._page())
        found = self._call("GET", object_id, missing_ok=True,
                           params={"fields": "id,from,permalink_url"})
        if not found.get("id"):
            raise not_ours(url, "Facebook has no such post")
        if str((found.get("from") or {}).get("id")) != self._page():
            raise not_ours(url, "another page or person wrote it")
        return Published(object_id, found.get("permalink_url")
                         or (url.strip() if comment else _permalink(object_id)))

    # Results

    def engagement(self, target: Published, post: Post) -> Engagement:
        """GET /{post-id}?fields=reactions.summary(total_count),comments.summary(total_count),
        shares (Graph API Page Post reference: the reactions and comments edges' summary,
        ``shares.count``, absent while nobody shared), then GET /{post-id}/insights?metric=
        post_media_view (Graph API Insights reference, Page Post metrics; needs
        ``read_insights``). A post gone (100/33) is Rejected."""
        object_id = _object_id(target)
        answer = self._call("GET", object_id, missing_ok=True, params={"fields": COUNT_FIELDS})
        if not answer.get("id"):
            raise Rejected(f"Facebook has no post {object_id} any more")
        views = insight_values(self._call("GET", f"{object_id}/insights", insights=True,
                                          params={"metric": VIEWS_METRIC}))
        return Engagement(likes=_total(answer, "reactions"), replies=_total(answer, "comments"),
                          reposts=as_int((answer.get("shares") or {}).get("count")),
                          impressions=views.get(VIEWS_METRIC))


class _SessionGone(Exception):
    """Facebook no longer knows the recorded upload session (it expired)."""


def _processing_error(status: dict) -> str:
    """Why Facebook could not process a video: the processing phase's first error."""
    phase = status.get("processing_phase") or {}
    for error in phase.get("errors") or []:
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
    return "video_status error"


def _caption_problems(media: tuple[MediaFile, ...]) -> list[str]:
    """Subtitle files Facebook would refuse: over 200 KB (as SRT)."""
    problems = []
    for video in media:
        for subtitles in video.subtitles:
            if subtitles.path.is_file() and subtitles.path.stat().st_size > MAX_CAPTIONS_BYTES:
                problems.append(f"subtitles {subtitles.path.name} are over Facebook's limit "
                                f"of {MAX_CAPTIONS_BYTES // 1024} KB")
    return problems


def _total(answer: dict, edge: str) -> int | None:
    """An edge's ``summary.total_count`` (None when the answer has no summary)."""
    summary = (answer.get(edge) or {}).get("summary") or {}
    value = summary.get("total_count")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _object_id(target: Published) -> str:
    parts = target.remote_id.split("_")
    if not all(digits(part) for part in parts) or len(parts) > 2:
        raise Rejected(f"{target.remote_id!r} is not a Facebook post or comment id")
    return target.remote_id


def fb_object_of(url: str, page_id: str) -> tuple[str, bool]:
    """The Graph id of the page post (``<page>_<story>``) or of its comment
    (``<story>_<comment>``) in a facebook.com address: /<page>/posts/<story>,
    /permalink.php?story_fbid=<story>&id=<page>, /<page>_<story>, each with
    ``?comment_id=<comment>`` for a comment (then True). A ``pfbid`` address hides
    the ids."""
    address = split_address(url, "Facebook")
    segments, query = address.segments, address.query
    page, story = None, None
    if address.host in WEB_HOSTS:
        if len(segments) == 3 and segments[1] == "posts" and digits(segments[2]):
            page, story = segments[0], segments[2]
        elif segments in (("permalink.php",), ("story.php",)) \
                and digits(query.get("story_fbid", "")):
            page, story = query.get("id", page_id), query["story_fbid"]
        elif len(segments) == 1 and segments[0].count("_") == 1 \
                and all(digits(part) for part in segments[0].split("_")):
            page, story = segments[0].split("_")
    if page is None or story is None:
        raise not_a_post(url, "Facebook")
    if digits(page) and page != page_id:
        raise not_ours(url, f"it is page {page}'s, the account is page {page_id}")
    comment = query.get("comment_id", "")
    if comment:
        if not digits(comment):
            raise not_a_post(url, "Facebook")
        return f"{story}_{comment}", True
    return f"{page_id}_{story}", False


def _permalink(post_id: str) -> str:
    page, _, story = post_id.partition("_")
    if story:
        return f"https://www.facebook.com/{page}/posts/{story}"
    return f"https://www.facebook.com/{post_id}"
