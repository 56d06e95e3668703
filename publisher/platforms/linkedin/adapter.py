"""LinkedIn: POST /rest/posts (Posts API) with images from the Images API.

- Every call carries ``Linkedin-Version`` (``API_VERSION``, YYYYMM) and
  ``X-Restli-Protocol-Version: 2.0.0``. LinkedIn sunsets a version about a
  year after its release and then answers 426: the account is held (no post
  fails) and the message says to update publisher.
- The author is the account's handle, ``urn:li:organization:N`` (a page; the
  app needs ``w_organization_social`` and the member a page role) or
  ``urn:li:person:ID`` (``w_member_social``).
- The commentary is LinkedIn's "little" text (``publisher.domain.little_text``):
  every reserved character escaped, hashtags as hashtag templates. Without
  the escaping LinkedIn silently cuts the post at the first ``(``.
- Images: POST /rest/images?action=initializeUpload gives an upload URL and
  an image URN; the bytes go there with PUT; the post names the URN with its
  alt text (``content.media`` for one image, ``content.multiImage`` for 2..20).
  Each uploaded URN is kept as a checkpoint, so a retry does not upload again.
- A video (one per post, no images beside it): the Videos API's multipart upload,
  finalised with the parts' ETags, one SRT captions file, processing polled until
  AVAILABLE, then ``content.media`` {id: the video URN, altText}; resumable and
  recorded part by part (``publisher.platforms.linkedin.video``).
- A post without images shows its link card as ``content.article`` (``source``,
  ``title``, ``description``, ``thumbnail``: the card's image uploaded the same
  way): LinkedIn does not read the page itself.
- A 201 carries the post's URN in the ``x-restli-id`` header; the permalink
  is ``https://www.linkedin.com/feed/update/<urn>/``.
- Tokens live 60 days. Where the token record (keyring part ``oauth``) holds
  a refresh token (only some apps get one; it lives 365 days) together with
  ``client_id`` and ``client_secret``, the adapter refreshes a week before
  expiry and after a 401, at ``token_url`` of the record (default LinkedIn's
  /oauth/v2/accessToken), and stores the new token and record. Otherwise
  ``token_status()`` tells the expiry so people are warned a week ahead, and
  an expired token holds the account (AuthFailed) before any request.
- No idempotency key. A 422 "Content is a duplicate of urn:li:share:N" means
  an earlier attempt went out: the named post is the one (else the author's
  latest posts are searched). After a crash ``find`` looks among the author's
  latest posts (GET /rest/posts?q=author, the "find posts by author" finder)
  for the same text (a post made days before the item was due is not it).
  Not finding it proves nothing (the finder may lag; a person token without
  the restricted ``r_member_social`` may not read posts at all), so the
  outcome then stays unknown for a person: never resent blindly.
- Errors come as ``{"status", "serviceErrorCode", "code", "message"}``: 401
  holds the account (log in again); 403 "not enough permissions"
  (ACCESS_DENIED) holds it too (the app or the member lacks a permission or
  role), any other 403 refuses the post; 429 waits (Retry-After, else the
  next midnight UTC for a daily limit); 400/422 refuse the post; 5xx retry.
- Corrections (Posts API): DELETE /rest/posts/{encoded URN} (204; idempotent, and a
  404 is done too) and POST /rest/posts/{encoded URN} with ``X-RestLi-Method:
  PARTIAL_UPDATE`` and ``{"patch": {"$set": {"commentary": ...}}}``. A first
  comment (Comments API): DELETE and POST (``{"patch": {"message": {"$set":
  {"text": ...}}}}``) of /rest/socialActions/{post URN}/comments/{comment id}
  ?actor={author URN}.
- Counts (``engagement``): the post's likes and comments from its social actions, and
  for a page's post its impressions, clicks and reshares from the organization's share
  statistics where the token may read them (``rw_organization_admin``, an
  administrator). A member's post: only partner apps (``r_member_social``) may read
  its social actions, so without that it is Unsupported.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import requests

from publisher.domain.accounts import Account
from publisher.domain.little_text import to_little, to_plain
from publisher.domain.posttypes import PartKind
from publisher.domain.remedies import WithRemedy, log_in, set_account
from publisher.domain.results import Engagement
from publisher.domain.textrules import count_text
from publisher.platforms.base import (
    NOT_FOUND,
    Abilities,
    AuthFailed,
    Checkpoints,
    Identity,
    LinkCard,
    MediaFile,
    MemoryCheckpoints,
    NotFound,
    Post,
    Published,
    RateLimited,
    Rejected,
    SecretStore,
    TokenStatus,
    Transient,
    Unsupported,
)
from publisher.platforms.common.comments import (
    CommentApi,
    Comments,
    comment_once,
    find_comment,
    parent_of,
)
from publisher.platforms.common.http import json_object, redact, request, retry_after
from publisher.platforms.common.media import gif_frames, image_size, image_type, media_problems
from publisher.platforms.common.progress import Progress, log_progress
from publisher.platforms.common.recent import find_ours, verdict
from publisher.platforms.common.token_records import (
    due_for_renewal,
    expiry_of,
    read_token_meta,
    refuse_if_expired,
    write_token_meta,
)
from publisher.platforms.common.urls import not_a_post, not_ours, split_address
from publisher.platforms.common.video import video_post_problems, videos_of
from publisher.platforms.linkedin import tokens
from publisher.platforms.linkedin.video import VIDEO_LIMITS, LinkedInVideos, video_size_problems

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

log = logging.getLogger("publisher.linkedin")

API_VERSION = "202609"
RESTLI_PROTOCOL = "2.0.0"

MAX_IMAGES = 20  # content.multiImage: 2..20 images
MAX_PIXELS = 36_152_320  # Images API: width x height below this
MAX_GIF_FRAMES = 250  # Images API
MAX_ALT_TEXT = 4086  # Posts API: media altText
IMAGE_TYPES = {"image/jpeg": "JPG", "image/png": "PNG", "image/gif": "GIF"}
FIND_COUNT = 50  # how many of the author's latest posts find() reads
MAX_COMMENT = 1250  # Comments API: a comment's text
# A post with the same words made longer than this before the item was due is an
# earlier post, not this one (generous: the machine's clock may be off).
FIND_MARGIN = timedelta(days=3)

AUTHOR_URN = re.compile(r"^urn:li:(?:organization:\d+|person:[A-Za-z0-9_-]+)$")
_POST_URN = re.compile(r"urn:li:(?:share|ugcPost):\d+")
_COMMENT_URN = re.compile(r"urn:li:comment:\((urn:li:[A-Za-z]+:\d+),(\d+)\)")
WEB_HOSTS = ("linkedin.com",)
_PERMISSION = re.compile(r"permission|ACCESS_DENIED|not authorized|\brole\b", re.IGNORECASE)


def make_adapter(account: Account, adapters: Adapters) -> LinkedInAdapter:
    """What the registry calls: one adapter per account, sharing the run's session."""
    return LinkedInAdapter(
        account.id, account.effective_api_base or "https://api.linkedin.com", account.handle,
        adapters.secrets, adapters.session, adapters.clock, adapters.checkpoints,
        sleep=adapters.sleep, progress=adapters.progress,
    )


@dataclass
class LinkedInAdapter:
    account_id: str
    base_url: str
    author: str | None
    secrets: SecretStore
    session: requests.Session
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    checkpoints: Checkpoints = field(default_factory=MemoryCheckpoints)
    platform: str = "linkedin"
    # How video processing is waited for, and who is told how far an upload got.
    sleep: Callable[[float], None] = field(default=time.sleep, kw_only=True)
    progress: Progress = field(default=log_progress, kw_only=True)
    _token: str | None = field(default=None, init=False, repr=False)
    abilities = Abilities(delete=True, edit=True, video=VIDEO_LIMITS)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.author = (self.author or "").strip() or None

    def __repr__(self) -> str:
        return f"LinkedInAdapter(account_id={self.account_id!r}, author={self.author!r})"

    # Tokens

    def token_status(self) -> TokenStatus:
        meta = read_token_meta(self.secrets, self.account_id)
        return TokenStatus(expiry_of(meta), refreshable=self._can_refresh(meta))

    def _can_refresh(self, meta: dict) -> bool:
        return tokens.can_refresh(meta, self.clock())

    def _access_token(self) -> str:
        if self._token is None:
            self._token = self.secrets.get(self.account_id)
            meta = read_token_meta(self.secrets, self.account_id)
            if self._can_refresh(meta) and due_for_renewal(meta, self.clock(),
                                                           tokens.REFRESH_AHEAD):
                self._refresh(meta)
            else:
                refuse_if_expired(meta, self.clock(), self.account_id)
        if not self._token:
            raise AuthFailed("no access token stored", remedy=log_in(self.account_id))
        return self._token

    def _refresh(self, meta: dict) -> None:
        """Trade the refresh token for a new access token; keep both in the keyring."""
        url = tokens.token_url(meta, self.base_url)
        secrets = self._secrets(meta)
        try:
            response = request(self.session, "POST", url, data=tokens.refresh_grant(meta),
                               secrets=secrets)
        except Transient as error:  # nothing was posted: a refresh is not a post
            raise Transient(f"token refresh: {error.message}", maybe_sent=False) from None
        if response.status_code in (400, 401):
            raise AuthFailed(f"HTTP {response.status_code}: LinkedIn refused the refresh token "
                             f"({_oauth_error(response, secrets)}); log in again",
                             remedy=log_in(self.account_id))
        if response.status_code >= 300:
            raise Transient(f"token refresh: HTTP {response.status_code}", maybe_sent=False)
        try:
            answer = response.json()
            access = str(answer["access_token"])
        except (ValueError, KeyError, TypeError):
            raise Transient("token refresh: no access token in the answer",
                            maybe_sent=False) from None
        self._token = access
        self.secrets.set(self.account_id, access)
        write_token_meta(self.secrets, self.account_id,
                         tokens.renewed(meta, answer, self.clock()))

    def _secrets(self, meta: dict | None = None) -> tuple[str, ...]:
        values = [self._token or ""]
        if meta:
            values += [str(meta.get("refresh_token") or ""), str(meta.get("client_secret") or "")]
        return tuple(value for value in values if value)

    # Calls

    def _call(self, method: str, path: str, *, finder: bool = False,
              restli_method: str | None = None, missing_ok: bool = False,
              **kwargs: Any) -> requests.Response:
        """One call; ``finder``/``restli_method``: the X-RestLi-Method it names;
        ``missing_ok``: a 404 (no such post or comment) is answered, not raised."""
        restli_method = "FINDER" if finder else restli_method
        response = self._send(method, path, restli_method=restli_method, **kwargs)
        if response.status_code == 401:
            meta = read_token_meta(self.secrets, self.account_id)
            if self._can_refresh(meta):  # revoked or expired early: refresh once, try again
                self._refresh(meta)
                response = self._send(method, path, restli_method=restli_method, **kwargs)
        if missing_ok and response.status_code == 404:
            return response
        if response.status_code >= 400:
            self._raise(response)
        return response

    def _send(self, method: str, path: str, *, restli_method: str | None, **kwargs: Any
              ) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._access_token()}",
                   "Linkedin-Version": API_VERSION,
                   "X-Restli-Protocol-Version": RESTLI_PROTOCOL}
        if restli_method:
            headers["X-RestLi-Method"] = restli_method
        return request(self.session, method, self.base_url + path, headers=headers,
                       secrets=self._secrets(), **kwargs)

    def _raise(self, response: requests.Response) -> None:
        status = response.status_code
        body = _error_body(response)
        code = str(body.get("code") or "")
        service = body.get("serviceErrorCode")
        detail = redact(str(body.get("message") or response.reason or ""), self._secrets())[:300]
        label = f"HTTP {status}" + (f" {code}" if code else "") + (
            f" (serviceErrorCode {service})" if service not in (None, "") else "")
        message = f"{label}: {detail}" if detail else label
        if status == 401:
            raise AuthFailed(f"{message}; log in again", remedy=log_in(self.account_id))
        if status == 403 and (_PERMISSION.search(detail) or code == "ACCESS_DENIED"
                              or service == 100):
            raise _NoPermission(f"{message}; the token lacks a permission (w_member_social for a "
                                "person, w_organization_social and a page role for an "
                                "organization): log in again", remedy=log_in(self.account_id))
        if status == 426:
            raise AuthFailed(f"{message}; LinkedIn no longer serves API version {API_VERSION}: "
                             "update publisher")
        if status == 429:
            raise RateLimited(message, retry_after(response, self.clock())
                              or self._daily_reset(detail))
        if status in (408, 425) or status >= 500:
            raise Transient(message, maybe_sent=status != 503)
        if status in (400, 409, 422) and _is_duplicate(body):
            raise _Duplicate(message, _POST_URN.search(detail))
        raise Rejected(message)

    def _daily_reset(self, detail: str) -> datetime | None:
        """LinkedIn's daily limits reset at midnight UTC."""
        if "DAY" not in detail.upper():
            return None
        today = self.clock().astimezone(UTC).date()
        return datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(days=1)

    # The interface

    def validate(self, post: Post) -> list[str]:
        problems: list[str] = []
        if not self.author or not AUTHOR_URN.fullmatch(self.author):
            problems.append(WithRemedy(
                f"the account's handle {self.author or '(none)'} is not a LinkedIn author URN: "
                "set it to urn:li:organization:<id> (a page) or urn:li:person:<id>",
                set_account(self.account_id, "handle", "urn:li:organization:ID")))
        limit = MAX_COMMENT if post.kind == PartKind.COMMENT else None
        problems += count_text("linkedin", post.text, has_media=bool(post.media),
                               limit=limit).problems
        if videos_of(post.media):
            problems += video_post_problems("LinkedIn", post.media, VIDEO_LIMITS,
                                            alt_max=MAX_ALT_TEXT)
            problems += [problem for video in videos_of(post.media)
                         for problem in video_size_problems(video)]
        else:
            problems += image_problems(post.media)
        return problems

    def publish(self, post: Post, idempotency_key: str) -> Published:
        if post.kind == PartKind.COMMENT:
            return comment_once(self._comments(), post)
        author = self._author()
        try:
            self._access_token()  # refresh (or refuse) before anything is sent
            videos = videos_of(post.media)
            images = [self._videos().media(videos[0], idempotency_key, post.locales)] \
                if videos else [self._upload(media, f"{idempotency_key}:image:{index}")
                                for index, media in enumerate(post.media)]
            article = None if images or post.card is None else self._article(
                post.card, f"{idempotency_key}:card")
        except Transient as error:  # an upload is not a post: nothing went out yet
            raise Transient(error.message, maybe_sent=False) from None
        body: dict[str, object] = {
            "author": author,
            "commentary": to_little(post.text),
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            body["content"] = {"media": images[0]}
        elif images:
            body["content"] = {"multiImage": {"images": images}}
        elif article:
            body["content"] = {"article": article}
        try:
            response = self._call("POST", "/rest/posts", json=body)
        except _Duplicate as error:
            if error.urn:
                return Published(error.urn, permalink(error.urn))
            found = self.find(idempotency_key, post)
            if isinstance(found, Published):
                return found
            raise Rejected(f"{error.message} (an earlier attempt probably went out; "
                           "check the account)") from None
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn and response.content:
            urn = str(_error_body(response).get("id") or "")
        if not urn:
            # Created (2xx) but unnamed: look for it, else record it without a link.
            found = self.find(idempotency_key, post)
            return found if isinstance(found, Published) else Published("", None)
        return Published(urn, permalink(urn))

    def _videos(self) -> LinkedInVideos:
        return LinkedInVideos(self, self.progress, self.sleep)

    def _article(self, card: LinkCard, checkpoint: str) -> dict[str, str]:
        """The link card as article content: LinkedIn reads no page itself, so the
        title, description and thumbnail (an image URN from the Images API) are given."""
        article = {"source": card.url, "title": card.title}
        if card.description:
            article["description"] = card.description
        if card.thumb is not None and card.thumb.path.is_file() \
                and not _image_file_problems(card.thumb):
            try:
                article["thumbnail"] = self._upload(card.thumb, checkpoint)["id"]
            except Rejected as error:  # the card's picture never stops the post
                log.warning("%s: the link card goes without its thumbnail: %s",
                            self.account_id, error.message)
        return article

    def _upload(self, media: MediaFile, checkpoint: str) -> dict[str, str]:
        """The image's URN (uploaded now, or by an earlier attempt) with its alt text."""
        image = self.checkpoints.get(checkpoint)
        if not image:
            response = self._call("POST", "/rest/images", params={"action": "initializeUpload"},
                                  json={"initializeUploadRequest": {"owner": self._author()}})
            value = _json(response).get("value") or {}
            upload_url, image = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
            if not upload_url or not image:
                raise Rejected("LinkedIn gave no upload URL or image URN for the image")
            self._put(upload_url, media.path)
            self.checkpoints.set(checkpoint, image)
        entry = {"id": image}
        if media.alt:
            entry["altText"] = media.alt
        return entry

    def _put(self, upload_url: str, path: Path) -> None:
        headers = {"Content-Type": image_type(path)}
        if self._trusted(upload_url):  # the token goes only to LinkedIn (or the API base)
            headers["Authorization"] = f"Bearer {self._access_token()}"
        response = request(self.session, "PUT", upload_url, data=path.read_bytes(),
                           headers=headers, secrets=self._secrets())
        if response.status_code >= 400:
            self._raise(response)

    def _trusted(self, url: str) -> bool:
        parts, base = urlsplit(url), urlsplit(self.base_url)
        host = (parts.hostname or "").lower()
        if parts.scheme == "https" and (host == "linkedin.com" or host.endswith(".linkedin.com")):
            return True
        return (parts.scheme, parts.netloc) == (base.scheme, base.netloc)

    def _comments(self) -> CommentApi:
        """The Comments API: /rest/socialActions/{post URN}/comments, as the author."""
        def path(urn: str) -> str:
            return f"/rest/socialActions/{quote(urn, safe='')}/comments"

        def listed(urn: str) -> Comments:
            answer = _json(self._call("GET", path(urn), params={"count": "100"}))
            elements = [e for e in answer.get("elements") or [] if isinstance(e, dict)
                        and e.get("actor", self._author()) == self._author()]
            paging = answer.get("paging") or {}
            total = paging.get("total")
            seen = len(answer.get("elements") or [])
            return Comments(elements, isinstance(total, int) and seen >= total)

        def create(urn: str, text: str) -> Published:
            response = self._call("POST", path(urn), json={
                "actor": self._author(), "object": urn, "message": {"text": text}})
            body = _json(response) if response.content else {}
            comment = (response.headers.get("x-restli-id") or body.get("$URN")
                       or body.get("id") or "")
            return Published(str(comment), permalink(urn))

        def published(entry: dict) -> Published:
            return Published(str(entry.get("$URN") or entry.get("id")), None)

        return CommentApi(listed, lambda entry: str((entry.get("message") or {})
                                                    .get("text") or ""), create, published)

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        """The post among the author's latest; None when it is not there (cannot tell)."""
        if post.kind == PartKind.COMMENT:
            return find_comment(self._comments(), post)
        videos = videos_of(post.media)
        if videos and not self._videos().ready(videos[0], idempotency_key):
            return NOT_FOUND  # the post is made only once its video is ready: it was not
        author = self._author()
        try:
            response = self._call("GET", "/rest/posts", finder=True, params={
                "author": author, "q": "author", "count": str(FIND_COUNT),
                "sortBy": "LAST_MODIFIED"})
        except _NoPermission:  # no r_member_social (or r_organization_social): cannot look
            return None
        mine = [element for element in _json(response).get("elements") or []
                if isinstance(element, dict) and element.get("author", author) == author
                and element.get("id")]
        # The same words posted before this item was due are not ours.
        element = find_ours(
            post.text, mine, lambda element: to_plain(str(element.get("commentary") or "")),
            made_at=lambda element: _epoch_ms(element.get("createdAt")
                                              or element.get("publishedAt")),
            since=post.due_at - FIND_MARGIN if post.due_at else None)
        if element is None:
            return verdict(None)  # the finder may lag, or not be allowed: cannot tell
        urn = str(element["id"])
        return Published(urn, permalink(urn))

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        return False  # no idempotency key: a resend could post twice

    def check(self) -> Identity:
        author = self._author()
        if author.startswith("urn:li:organization:"):
            number = author.rsplit(":", 1)[1]
            try:
                org = _json(self._call("GET", f"/rest/organizations/{number}"))
            except _NoPermission:
                # The lookup needs rw_organization_admin; posting only w_organization_social.
                # A 403 still proves the token valid.
                return Identity(author, f"https://www.linkedin.com/company/{number}/", {
                    "author": author, "warning": "the token may not read the page's name "
                    "(rw_organization_admin); posting needs w_organization_social"})
            name = str(org.get("localizedName") or author)
            vanity = str(org.get("vanityName") or number)
            return Identity(name, f"https://www.linkedin.com/company/{vanity}/",
                            {"author": author})
        me = _json(self._call("GET", "/v2/userinfo"))
        details = {"author": author}
        if me.get("sub") and f"urn:li:person:{me['sub']}" != author:
            details["warning"] = f"the token belongs to urn:li:person:{me['sub']}, not {author}"
        return Identity(str(me.get("name") or author), None, details)

    # Correcting and retracting

    def delete(self, target: Published, post: Post) -> None:
        """DELETE /rest/posts/{URN} (204), or a first comment's DELETE
        /rest/socialActions/{post URN}/comments/{id}?actor=...; a 404 is done."""
        if post.kind == PartKind.COMMENT:
            self._call("DELETE", self._comment_path(target, post), missing_ok=True,
                       params={"actor": self._author()})
            return
        self._call("DELETE", _post_path(target.remote_id), missing_ok=True)

    def edit(self, target: Published, post: Post) -> Published:
        """A partial update of the post's ``commentary`` (little text, as published), or
        of a first comment's ``message.text``."""
        limit = MAX_COMMENT if post.kind == PartKind.COMMENT else None
        problems = count_text("linkedin", post.text, has_media=bool(post.media),
                              limit=limit).problems
        if problems:
            raise Rejected(problems[0])
        if post.kind == PartKind.COMMENT:
            self._call("POST", self._comment_path(target, post),
                       params={"actor": self._author()},
                       json={"patch": {"message": {"$set": {"text": post.text}}}})
            return target
        self._call("POST", _post_path(target.remote_id), restli_method="PARTIAL_UPDATE",
                   json={"patch": {"$set": {"commentary": to_little(post.text)}}})
        return target

    def locate(self, url: str) -> Published:
        """The post at linkedin.com/feed/update/<share or ugcPost URN>/, read with GET
        /rest/posts/{URN}: this account's when its ``author`` is. A token that may not
        read posts (no r_member_social) cannot check: the URN is taken as given."""
        urn = post_urn_of(url)
        try:
            response = self._call("GET", _post_path(urn), missing_ok=True)
        except _NoPermission:
            return Published(urn, permalink(urn))
        if response.status_code == 404:
            raise not_ours(url, "LinkedIn has no such post")
        author = _json(response).get("author")
        if author != self._author():
            raise not_ours(url, f"its author is {author}, not {self._author()}")
        return Published(urn, permalink(urn))

    # Results

    def engagement(self, target: Published, post: Post) -> Engagement:
        """GET /rest/socialActions/{post URN} (Community Management API, Social Actions:
        ``likesSummary.totalLikes``, ``commentsSummary.aggregatedTotalComments``), and for
        a page's post GET /rest/organizationalEntityShareStatistics?q=organizationalEntity
        &shares=List(URN) (Organization Share Statistics: ``totalShareStatistics``'s
        impressionCount, clickCount, shareCount; lifetime, organic only). A post gone is
        404: Rejected."""
        urn = target.remote_id
        _post_path(urn)  # refuses anything but a post URN
        author = self._author()
        try:
            response = self._call("GET", f"/rest/socialActions/{quote(urn, safe='')}",
                                  missing_ok=True)
        except _NoPermission:
            if author.startswith("urn:li:person:"):
                raise Unsupported("LinkedIn lets only partner apps (r_member_social) read "
                                  "the counts of a member's post") from None
            raise
        if response.status_code == 404:
            raise Rejected(f"LinkedIn has no post {urn} any more")
        actions = _json(response)
        stats = self._share_statistics(author, urn) if author.startswith(
            "urn:li:organization:") else {}
        return Engagement(likes=_count((actions.get("likesSummary") or {}), "totalLikes"),
                          replies=_count((actions.get("commentsSummary") or {}),
                                         "aggregatedTotalComments"),
                          reposts=_count(stats, "shareCount"),
                          impressions=_count(stats, "impressionCount"),
                          clicks=_count(stats, "clickCount"))

    def _share_statistics(self, organization: str, urn: str) -> dict:
        """The post's lifetime ``totalShareStatistics``; ``{}`` when the token may not read
        them (no rw_organization_admin) or LinkedIn has none (older than 12 months)."""
        kind = "ugcPosts" if urn.startswith("urn:li:ugcPost:") else "shares"
        # Rest.li 2.0 lists: the URNs inside List() are encoded, the brackets are not.
        query = (f"q=organizationalEntity&organizationalEntity={quote(organization, safe='')}"
                 f"&{kind}=List({quote(urn, safe='')})")
        try:
            response = self._call("GET", f"/rest/organizationalEntityShareStatistics?{query}")
        except _NoPermission:
            return {}
        for element in _json(response).get("elements") or []:
            if isinstance(element, dict) and element.get(kind[:-1], urn) == urn:
                return element.get("totalShareStatistics") or {}
        return {}

    def _comment_path(self, target: Published, post: Post) -> str:
        """/rest/socialActions/{post URN}/comments/{comment id} of a first comment
        (its ``$URN`` names both; a bare id goes under the post it answered)."""
        found = _COMMENT_URN.fullmatch(target.remote_id)
        if found:
            parent, comment = found.group(1), found.group(2)
        elif target.remote_id.isascii() and target.remote_id.isdigit():
            parent, comment = parent_of(post), target.remote_id
        else:
            raise Rejected(f"{target.remote_id!r} is not a LinkedIn comment")
        return f"/rest/socialActions/{quote(parent, safe='')}/comments/{comment}"

    def _author(self) -> str:
        if not self.author or not AUTHOR_URN.fullmatch(self.author):
            raise Rejected("the account's handle must be its author URN "
                           "(urn:li:organization:<id> or urn:li:person:<id>)")
        return self.author


class _NoPermission(AuthFailed):
    """403 ACCESS_DENIED: the token lacks a permission or the member a page role."""


class _Duplicate(Rejected):
    """422 "Content is a duplicate of urn:li:share:N": an earlier attempt went out."""

    def __init__(self, message: str, urn: re.Match | None):
        super().__init__(message)
        self.urn = urn.group(0) if urn else None


def _post_path(urn: str) -> str:
    if not _POST_URN.fullmatch(urn):
        raise Rejected(f"{urn!r} is not a LinkedIn post URN")
    return f"/rest/posts/{quote(urn, safe='')}"


def post_urn_of(url: str) -> str:
    """The post URN in linkedin.com/feed/update/urn:li:share:N/ (or ugcPost). An
    /posts/...-activity-N address names the activity, which the API cannot read."""
    address = split_address(url, "LinkedIn")
    segments = address.segments
    if address.host in WEB_HOSTS and len(segments) == 3 and segments[:2] == ("feed", "update") \
            and _POST_URN.fullmatch(segments[2]):
        return segments[2]
    raise not_a_post(url, "LinkedIn")


def permalink(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def image_problems(media: tuple[MediaFile, ...]) -> list[str]:
    """What LinkedIn's Images and Posts APIs would refuse: count, type, size, alt text."""
    return media_problems("LinkedIn", media, max_images=MAX_IMAGES, max_alt=MAX_ALT_TEXT,
                          file_problems=_image_file_problems)


def _image_file_problems(image: MediaFile) -> list[str]:
    name = image.path.name
    kind = image_type(image.path)
    if kind not in IMAGE_TYPES:
        return [f"image {name}: LinkedIn takes JPG, PNG or GIF images"]
    problems = []
    size = image_size(image.path)
    if size and size[0] * size[1] >= MAX_PIXELS:
        problems.append(f"image {name} is {size[0]}x{size[1]} pixels: LinkedIn "
                        f"takes fewer than {MAX_PIXELS:,} pixels")
    frames = gif_frames(image.path) if kind == "image/gif" else 0
    if frames > MAX_GIF_FRAMES:
        problems.append(f"GIF {name} has {frames} frames: LinkedIn takes at most "
                        f"{MAX_GIF_FRAMES}")
    return problems

def _count(counts: dict, name: str) -> int | None:
    value = counts.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _json(response: requests.Response) -> dict:
    # Only reads and uploads are parsed here: a garbled answer posted nothing.
    return json_object(response, maybe_sent=False)


def _error_body(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _is_duplicate(body: dict) -> bool:
    text = json.dumps(body).lower()
    return "duplicate_post" in text or "duplicate" in str(body.get("message") or "").lower()


def _oauth_error(response: requests.Response, secrets: tuple[str, ...]) -> str:
    body = _error_body(response)
    text = str(body.get("error_description") or body.get("error") or response.reason or "")
    return redact(text, secrets)[:200]


def _epoch_ms(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None
