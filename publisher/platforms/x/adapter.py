"""X: POST /2/tweets with an OAuth 2.0 user token; images via /2/media/upload.

- A video goes up through the chunked upload, resumably, with its alt text and
  subtitles (video.py, which cites X's references).

- Tokens live two hours (tokens.py). When ``accounts login`` (or a person) stored the
  OAuth part beside the token (refresh token, client id, expiry), the adapter
  refreshes ahead of expiry and after a 401, and keeps the new pair in the
  keyring (X rotates refresh tokens: the old one stops working).
- Alt text goes in with POST /2/media/metadata before the post is made.
- X has no idempotency key. A 403 "duplicate content" means an earlier
  attempt probably went out: the adapter looks for it on the account's
  timeline before calling it a rejection. After a crash, ``find`` looks the
  same way; if the post is not there the outcome stays unknown (a person
  decides), because the timeline may lag behind.
- The API has no language field for posts: X detects the language itself.
- Counts (``engagement``): GET /2/tweets/:id with ``public_metrics`` (likes, reposts,
  replies, quotes, impressions) and, while the post is under 30 days old, the
  owner's ``non_public_metrics`` (link clicks). An app whose access level cannot read
  posts (403 client-not-enrolled) makes it ``Unsupported``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from publisher.domain.accounts import Account
from publisher.domain.remedies import log_in
from publisher.domain.results import Engagement
from publisher.domain.textrules import count_text
from publisher.i18n import N_
from publisher.platforms.base import (
    NOT_FOUND,
    Abilities,
    AuthFailed,
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
    Unsupported,
)
from publisher.platforms.common.adapters import KeyringAdapter
from publisher.platforms.common.http import (
    epoch_reset,
    json_object,
    raise_for_status,
    request,
)
from publisher.platforms.common.media import image_type, media_problems
from publisher.platforms.common.progress import Progress, log_progress
from publisher.platforms.common.recent import find_ours, verdict
from publisher.platforms.common.token_records import (
    due_for_renewal,
    read_token_meta,
    refuse_if_expired,
    status_of,
    write_token_meta,
)
from publisher.platforms.common.urls import digits, not_a_post, not_ours, split_address
from publisher.platforms.common.video import MultipartBody, UploadRecord
from publisher.platforms.x import tokens, video

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

MAX_IMAGES = 4
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_ALT_TEXT = 1000
# X rewrites links to t.co (and may trim spaces): compare without either.
REWRITES = ((re.compile(r"https?://\S+"), "<url>"),)
WEB_HOSTS = ("x.com", "twitter.com")
# X gives an owner's non-public metrics for posts created in the last 30 days; asked
# a day sooner, as the post's age is counted from when it was due.
PRIVATE_METRICS_AGE = timedelta(days=29)
# What X's lookup says in ``errors`` (with no ``data``) for a field the token may not
# read, and the 403 of an app whose access level has no such endpoint.
FIELD_REFUSED = "not-authorized-for-field"
NOT_ENROLLED = "client-not-enrolled"


def make_adapter(account: Account, adapters: Adapters) -> XAdapter:
    adapter = XAdapter.for_account(account, adapters)
    adapter.checkpoints, adapter.sleep = adapters.checkpoints, adapters.sleep
    adapter.progress = adapters.progress
    return adapter


@dataclass(repr=False)
class XAdapter(KeyringAdapter):
    platform: str = "x"
    # Where a video's upload is recorded, how polls wait, who hears of the upload.
    checkpoints: Checkpoints = field(default_factory=MemoryCheckpoints)
    sleep: Callable[[float], None] = time.sleep
    progress: Progress = log_progress
    _token: str | None = field(default=None, init=False, repr=False)
    _user_id: str | None = field(default=None, init=False, repr=False)
    abilities = Abilities(delete=True, edit=False, why_not_edit=N_(
        "X's API cannot edit a post: delete it and post the correction"),
        video=video.LIMITS)

    # Tokens

    def _oauth(self) -> dict | None:
        """The token record, when it can renew the token (has a refresh token)."""
        data = read_token_meta(self.secrets, self.account_id)
        return data if tokens.can_refresh(data) else None

    def token_status(self) -> TokenStatus:
        meta = read_token_meta(self.secrets, self.account_id)
        return status_of(meta, refreshable=tokens.can_refresh(meta))

    def _access_token(self) -> str:
        if self._token is None:
            self._token = self.secrets.get(self.account_id)
            oauth = self._oauth()
            if oauth and due_for_renewal(oauth, self.clock(), tokens.REFRESH_AHEAD):
                self._refresh(oauth)
            elif oauth is None:
                refuse_if_expired(read_token_meta(self.secrets, self.account_id), self.clock(),
                                  self.account_id)
        if not self._token:
            raise AuthFailed("no access token stored", remedy=log_in(self.account_id))
        return self._token

    def _refresh(self, oauth: dict) -> None:
        """Trade the refresh token for a new pair and keep both in the keyring."""
        data, auth = tokens.refresh_grant(oauth)
        response = request(self.session, "POST", f"{self.base_url}/2/oauth2/token", data=data,
                           auth=auth, secrets=self._secrets(oauth))
        if response.status_code in (400, 401):
            raise AuthFailed(f"HTTP {response.status_code}: the refresh token was refused; "
                             "log in again", remedy=log_in(self.account_id))
        raise_for_status(response, _error_text(response), now=self.clock())
        answer = json_object(response)
        self._token = str(answer["access_token"])
        self.secrets.set(self.account_id, self._token)
        write_token_meta(self.secrets, self.account_id,
                         tokens.renewed(oauth, answer, self.clock()))

    def _secrets(self, oauth: dict | None = None) -> tuple[str, ...]:
        values = [self._token or ""]
        if oauth:
            values += [str(oauth.get("refresh_token", "")), str(oauth.get("client_secret", ""))]
        return tuple(value for value in values if value)

    # Calls

    def _call(self, method: str, path: str, *, missing_ok: bool = False,
              forbidden_ok: bool = False, **kwargs: Any) -> requests.Response:
        """One API call; ``missing_ok``: a 404 (no such post) is answered, not raised;
        ``forbidden_ok``: a 403 likewise. ``body``: makes a streamed multipart body
        (a new one for the retry after a refresh: a stream is read once)."""
        response = self._send(method, path, **kwargs)
        if response.status_code == 401:
            oauth = self._oauth()
            if oauth:  # the token may have expired early: refresh once and try again
                self._refresh(oauth)
                response = self._send(method, path, **kwargs)
        if (missing_ok and response.status_code == 404) or (
                forbidden_ok and response.status_code == 403):
            return response
        raise_for_status(response, _error_text(response), now=self.clock(),
                         reset=epoch_reset(response, "x-rate-limit-reset"))
        return response

    def _send(self, method: str, path: str, *,
              body: Callable[[], MultipartBody] | None = None,
              headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        headers = {**(headers or {}), "Authorization": f"Bearer {self._access_token()}"}
        if body is None:
            return request(self.session, method, self.base_url + path, headers=headers,
                           secrets=self._secrets(), **kwargs)
        with body() as data:
            return request(self.session, method, self.base_url + path, data=data,
                           headers={**headers, "Content-Type": data.content_type},
                           secrets=self._secrets(), **kwargs)

    # The interface

    def validate(self, post: Post) -> list[str]:
        problems = list(count_text("x", post.text, has_media=bool(post.media)).problems)
        if any(media.is_video for media in post.media):
            return problems + video.video_problems(post, MAX_ALT_TEXT)
        problems += media_problems("X", post.media, max_images=MAX_IMAGES,
                                   max_bytes=MAX_IMAGE_BYTES, max_alt=MAX_ALT_TEXT)
        return problems

    def publish(self, post: Post, idempotency_key: str) -> Published:
        media_ids = [self._upload_video(media, idempotency_key) if media.is_video
                     else self._upload(media.path, media.alt) for media in post.media]
        body: dict[str, object] = {"text": post.text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        if post.reply_to is not None:  # a thread's part or a first comment (a self-reply)
            body["reply"] = {"in_reply_to_tweet_id": post.reply_to.remote_id}
        # Committed before the post is sent: ``find`` knows a post never tried (a crash
        # during its video's upload) from one that may have gone out.
        self.checkpoints.set(_posting_note(idempotency_key), self.clock().isoformat())
        try:
            response = self._call("POST", "/2/tweets", json=body)
        except Rejected as error:
            if "duplicate" not in error.message.lower():
                raise
            found = self.find(idempotency_key, post)
            if isinstance(found, Published):
                return found
            raise Rejected(f"{error.message} (an earlier attempt probably went out; "
                           "check the account)") from None
        tweet = json_object(response).get("data") or {}
        if not tweet.get("id"):
            raise Rejected(f"HTTP {response.status_code}: no post id in the answer")
        return Published(str(tweet["id"]), self._permalink(str(tweet["id"])))

    def _upload(self, path, alt: str) -> str:
        with open(path, "rb") as handle:
            response = self._call(
                "POST", "/2/media/upload",
                files={"media": (path.name, handle, image_type(path))},
                data={"media_category": "tweet_image"},
            )
        media = json_object(response).get("data") or {}
        media_id = str(media.get("id") or "")
        if not media_id:
            raise Rejected("the image upload returned no media id")
        if alt:
            self._call("POST", "/2/media/metadata",
                       json={"id": media_id, "metadata": {"alt_text": {"text": alt}}})
        return media_id

    def _upload_video(self, media: MediaFile, idempotency_key: str) -> str:
        """The processed video's media id: uploaded in chunks, or resumed, or reused
        as the item's upload record says."""
        record = UploadRecord(self.checkpoints, idempotency_key, media)
        upload = video.VideoUpload(self._call, media, record, self.account_id, self.clock,
                                   self.sleep, self.progress)
        try:
            return upload.run()
        except Transient as error:  # an upload is not a post: nothing went out
            raise Transient(error.message, maybe_sent=False) from None

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        """Look for the post among the account's latest; None when it is not there.
        A video post whose sending never began (its note is missing: it stopped in
        the upload) is not there for certain. (Posts without a video, perhaps begun
        before the note existed, are looked for.)"""
        if any(media.is_video for media in post.media) and \
                self.checkpoints.get(_posting_note(idempotency_key)) is None:
            return NOT_FOUND
        user_id = self._me()["id"]
        response = self._call("GET", f"/2/users/{user_id}/tweets", params={
            "max_results": "20", "tweet.fields": "created_at,referenced_tweets"})
        # A reply is looked for among the replies to its post only.
        tweets = [tweet for tweet in json_object(response).get("data") or []
                  if _replied_to(tweet) == (post.reply_to.remote_id if post.reply_to else None)]
        tweet = find_ours(post.text, tweets, lambda tweet: str(tweet.get("text", "")),
                          rewrites=REWRITES)
        if tweet is None:
            return verdict(None)  # the timeline may lag: cannot tell
        return Published(str(tweet["id"]), self._permalink(str(tweet["id"])))

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        return False  # no idempotency key: a resend could post twice

    def check(self) -> Identity:
        me = self._me()
        return Identity(f"@{me.get('username', '?')}", f"https://x.com/{me.get('username', '')}")

    # Correcting and retracting

    def delete(self, target: Published, post: Post) -> None:
        """DELETE /2/tweets/:id (docs.x.com/x-api/posts/delete-post): 200
        ``{"data": {"deleted": true}}``; a post that is gone already is 404 (done)."""
        if not digits(target.remote_id):
            raise Rejected(f"{target.remote_id!r} is not an X post id")
        response = self._call("DELETE", f"/2/tweets/{target.remote_id}", missing_ok=True)
        if response.status_code == 404:
            return
        if (json_object(response).get("data") or {}).get("deleted") is not True:
            raise Rejected(f"HTTP {response.status_code}: X did not delete post "
                           f"{target.remote_id}")

    def edit(self, target: Published, post: Post) -> Published:
        """X's API has no edit of a post (editing exists in X's own apps only)."""
        raise Unsupported("X's API cannot edit a post: delete it and post the correction"
                          + (f" ({target.url})" if target.url else ""))

    def locate(self, url: str) -> Published:
        """The post at x.com/<user>/status/<id> (or twitter.com, /i/web/status/<id>),
        when GET /2/tweets/:id finds it and its ``author_id`` is this account's. X answers
        a lookup of a missing post with 200 and ``errors`` (no ``data``)."""
        tweet_id = tweet_id_of(url)
        response = self._call("GET", f"/2/tweets/{tweet_id}", missing_ok=True,
                              params={"tweet.fields": "author_id"})
        tweet = {} if response.status_code == 404 else json_object(response).get("data") or {}
        if not tweet.get("id"):
            raise not_ours(url, "X has no such post")
        if str(tweet.get("author_id")) != str(self._me()["id"]):
            raise not_ours(url, "another account wrote it")
        return Published(tweet_id, self._permalink(tweet_id))

    # Results

    def engagement(self, target: Published, post: Post) -> Engagement:
        """GET /2/tweets/:id with ``tweet.fields=public_metrics`` (docs.x.com/x-api/posts/
        lookup, docs.x.com/x-api/fundamentals/metrics): like, retweet, reply, quote and
        impression counts. ``non_public_metrics`` (an owned post, a user token, under 30
        days) adds ``url_link_clicks``, present when the post has a link. A post that is
        gone is 200 with ``errors`` and no ``data``."""
        if not digits(target.remote_id):
            raise Rejected(f"{target.remote_id!r} is not an X post id")
        young = post.due_at is None or self.clock() - post.due_at < PRIVATE_METRICS_AGE
        fields = "public_metrics,non_public_metrics" if young else "public_metrics"
        answer = self._tweet_fields(target.remote_id, fields)
        if young and not answer.get("data") and _problem(answer) == FIELD_REFUSED:
            answer = self._tweet_fields(target.remote_id, "public_metrics")
        tweet = answer.get("data")
        if not isinstance(tweet, dict) or not tweet.get("id"):
            raise Rejected(f"X has no post {target.remote_id} any more"
                           + (f" ({_problem(answer)})" if _problem(answer) else ""))
        public = tweet.get("public_metrics") or {}
        private = tweet.get("non_public_metrics") or {}
        return Engagement(
            likes=_count(public, "like_count"), reposts=_count(public, "retweet_count"),
            replies=_count(public, "reply_count"), quotes=_count(public, "quote_count"),
            impressions=_count(public, "impression_count"),
            clicks=_count(private, "url_link_clicks"))

    def _tweet_fields(self, tweet_id: str, fields: str) -> dict:
        response = self._call("GET", f"/2/tweets/{tweet_id}", missing_ok=True,
                              forbidden_ok=True, params={"tweet.fields": fields})
        if response.status_code == 404:
            return {}
        answer = json_object(response, maybe_sent=False)
        if response.status_code == 403:
            if answer.get("reason") == NOT_ENROLLED:
                raise Unsupported("the X app's access level cannot read posts, so their "
                                  "counts cannot be read (a paid X API plan can)")
            raise Rejected(f"HTTP 403: {_error_text(response)}")
        return answer

    def _me(self) -> dict:
        data = json_object(self._call("GET", "/2/users/me")).get("data") or {}
        if not data.get("id"):
            raise Rejected("X did not say who the token belongs to")
        return data

    def _permalink(self, tweet_id: str) -> str:
        handle = (self.handle or "").lstrip("@")
        return f"https://x.com/{handle}/status/{tweet_id}" if handle else (
            f"https://x.com/i/web/status/{tweet_id}")


def _posting_note(idempotency_key: str) -> str:
    return f"{idempotency_key}:x:posting"


def tweet_id_of(url: str) -> str:
    """The post id in x.com/<user>/status/<id>[/photo/1], x.com/i/web/status/<id> or the
    same on twitter.com (any of their mobile. or www. hosts)."""
    address = split_address(url, "X")
    segments = address.segments
    if address.host in WEB_HOSTS:
        for index, segment in enumerate(segments[1:-1], start=1):
            if segment == "status" and digits(segments[index + 1]):
                return segments[index + 1]
    raise not_a_post(url, "X")


def _replied_to(tweet: dict) -> str | None:
    """The id of the post a tweet replies to (its referenced_tweets), or None."""
    for reference in tweet.get("referenced_tweets") or []:
        if isinstance(reference, dict) and reference.get("type") == "replied_to":
            return str(reference.get("id"))
    return None


def _count(metrics: dict, name: str) -> int | None:
    value = metrics.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _problem(answer: dict) -> str:
    """The last part of the first error's ``type`` in a 200 answer (resource-not-found,
    not-authorized-for-field), or ``""``."""
    errors = answer.get("errors")
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return ""
    return str(errors[0].get("type") or "").rstrip("/").rsplit("/", 1)[-1]


def _error_text(response: requests.Response) -> str:
    if response.status_code < 400:
        return ""
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    if not isinstance(body, dict):
        return ""
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        detail = errors[0].get("message") or errors[0].get("detail")
        if detail:
            return str(detail)[:300]
    return str(body.get("detail") or body.get("title") or body.get("error") or "")[:300]
