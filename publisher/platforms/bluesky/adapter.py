"""Bluesky through the AT Protocol's XRPC endpoints on the account's PDS.

- Login: the app password (the stored secret) buys a session with
  com.atproto.server.createSession, which is limited to 30 per 5 minutes and
  300 a day. The session is kept in the keyring (part ``session``) and reused
  across runs; an access token about to expire (they live ~2 hours) is
  renewed with refreshSession (refresh tokens live ~90 days); only when that
  fails is a new session created.
- Posts: com.atproto.repo.createRecord of an app.bsky.feed.post with a record
  key (TID) derived from the queue item, ``langs`` from its locales, facets
  for links, hashtags and mentions (UTF-8 byte offsets), and images uploaded
  with uploadBlob, each with its alt text; a post without images shows its
  link card as app.bsky.embed.external (the card's image uploaded as its thumb).
- A video (one per post, no images beside it) goes as app.bsky.embed.video with
  its alt text, aspect ratio and captions (WebVTT per locale), through the video
  service or as a plain blob (``publisher.platforms.bluesky.video``).
- Exactly once: the record key is the same on every attempt, so after a crash
  ``find`` asks getRecord whether the post exists, and a create that fails
  because the key is taken is recognised as the earlier attempt.
- Rate limits: RateLimit-Reset (Unix seconds) or Retry-After.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from publisher.domain.accounts import Account
from publisher.domain.remedies import log_in, set_account
from publisher.domain.results import Engagement
from publisher.domain.textrules import count_text, hashtag_spans, link_spans
from publisher.i18n import N_
from publisher.platforms.base import (
    NOT_FOUND,
    Abilities,
    AuthFailed,
    Checkpoints,
    Identity,
    LinkCard,
    MemoryCheckpoints,
    NotFound,
    PlatformError,
    Post,
    Published,
    RateLimited,
    Rejected,
    TokenStatus,
    Transient,
    Unsupported,
)
from publisher.platforms.bluesky.session import Session, expires_soon
from publisher.platforms.bluesky.video import (
    BLOB_LIMITS,
    SERVICE_LIMITS,
    VIDEO_SERVICE,
    BlueskyVideos,
    caption_problems,
    video_service_for,
)
from publisher.platforms.common.adapters import KeyringAdapter
from publisher.platforms.common.counts import count
from publisher.platforms.common.http import (
    epoch_reset,
    json_object,
    raise_for_status,
    redact,
    request,
    retry_after,
)
from publisher.platforms.common.media import image_type, media_problems
from publisher.platforms.common.progress import Progress, log_progress
from publisher.platforms.common.token_records import SESSION_PART
from publisher.platforms.common.urls import not_a_post, not_ours, split_address
from publisher.platforms.common.video import video_post_problems, videos_of

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

log = logging.getLogger("publisher.bluesky")

POST_COLLECTION = "app.bsky.feed.post"
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
MAX_LANGS = 3
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_MENTION = re.compile(r"(?<![\w@])@([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
                      r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+)")
# A record key: 1 to 512 of these (the AT Protocol's record key syntax).
_RKEY = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
# The web app's hosts for a post's address.
WEB_HOSTS = ("bsky.app",)
_AUTH_ERRORS = {"AuthenticationRequired", "InvalidToken", "ExpiredToken", "AccountTakedown",
                "AccountDeactivated"}


def record_key(idempotency_key: str, due_at: datetime | None) -> str:
    """A TID fixed by the item: the due second, plus microseconds and a clock id
    from the key's hash, so two items due together never share a key."""
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    if due_at is None:  # keep it plausible: somewhere in 2024-2034
        seconds = 1_704_067_200 + digest % (10 * 365 * 86400)
    else:
        seconds = int(due_at.timestamp())
    micros = seconds * 1_000_000 + digest % 1_000_000
    clock_id = (digest >> 20) % 1024
    value = (micros << 10) | clock_id
    return "".join(TID_ALPHABET[(value >> (5 * shift)) & 31] for shift in range(12, -1, -1))


def langs_for(locales: tuple[str, ...]) -> list[str]:
    """BCP 47 tags as Bluesky takes them (at most three)."""
    return list(dict.fromkeys(locales))[:MAX_LANGS]


def facets_for(text: str, resolve: Callable[[str], str | None] | None = None) -> list[dict]:
    """Links, hashtags and mentions as richtext facets with UTF-8 byte offsets."""
    facets = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, feature: dict) -> None:
        if any(start < b and a < end for a, b in taken):
            return
        taken.append((start, end))
        facets.append({
            "index": {"byteStart": len(text[:start].encode()),
                      "byteEnd": len(text[:end].encode())},
            "features": [feature],
        })

    for start, end in link_spans(text):
        url = text[start:end]
        uri = url if re.match(r"(?i)https?://", url) else f"https://{url}"
        add(start, end, {"$type": "app.bsky.richtext.facet#link", "uri": uri})
    for start, end in hashtag_spans(text):
        add(start, end, {"$type": "app.bsky.richtext.facet#tag", "tag": text[start + 1:end]})
    if resolve is not None:
        for match in _MENTION.finditer(text):
            did = resolve(match.group(1))
            if did:
                add(match.start(), match.end(),
                    {"$type": "app.bsky.richtext.facet#mention", "did": did})
    return sorted(facets, key=lambda facet: facet["index"]["byteStart"])


def make_adapter(account: Account, adapters: Adapters) -> BlueskyAdapter:
    adapter = BlueskyAdapter.for_account(account, adapters)
    adapter.checkpoints, adapter.sleep = adapters.checkpoints, adapters.sleep
    adapter.progress = adapters.progress
    adapter.video_service = video_service_for(adapter.base_url)
    return adapter


@dataclass(repr=False)
class BlueskyAdapter(KeyringAdapter):
    platform: str = "bluesky"
    _login: Session | None = field(default=None, init=False, repr=False)
    # Where a video is processed (None: it goes to the PDS as a plain blob).
    video_service: str | None = field(default=VIDEO_SERVICE, kw_only=True)
    checkpoints: Checkpoints = field(default_factory=MemoryCheckpoints, kw_only=True)
    sleep: Callable[[float], None] = field(default=time.sleep, kw_only=True)
    progress: Progress = field(default=log_progress, kw_only=True)
    _pds: str | None = field(default=None, init=False, repr=False)

    @property
    def abilities(self) -> Abilities:
        return Abilities(delete=True, edit=False, why_not_edit=N_(
            "Bluesky has no editing: delete the post and post the correction"),
            video=SERVICE_LIMITS if self.video_service else BLOB_LIMITS)

    # Sessions

    def _secrets(self) -> tuple[str, ...]:
        values = [self.secrets.get(self.account_id) or ""]
        if self._login:
            values += [self._login.access, self._login.refresh]
        return tuple(value for value in values if value)

    def _current(self) -> Session:
        if self._login is None:
            self._login = self._stored()
        if self._login is None:
            self._login = self._create_session()
        elif expires_soon(self._login.access, self.clock()):
            self._login = self._refresh_or_create(self._login)
        return self._login

    def _stored(self) -> Session | None:
        raw = self.secrets.get(self.account_id, SESSION_PART)
        try:
            return Session.from_answer(json.loads(raw)) if raw else None
        except (ValueError, KeyError, TypeError):
            return None

    def _keep(self, session: Session) -> Session:
        self.secrets.set(self.account_id, session.to_json(), SESSION_PART)
        return session

    def _create_session(self) -> Session:
        password = self.secrets.get(self.account_id)
        if not password:
            raise AuthFailed("no app password stored", remedy=log_in(self.account_id))
        if not self.handle:
            raise AuthFailed("the account has no handle to log in with",
                             remedy=set_account(self.account_id, "handle", "HANDLE"))
        response = self._xrpc_raw("POST", "com.atproto.server.createSession",
                                  json={"identifier": self.handle.lstrip("@"),
                                        "password": password})
        self._check(response)
        return self._keep(Session.from_answer(json_object(response)))

    def _refresh_or_create(self, old: Session) -> Session:
        response = self._xrpc_raw("POST", "com.atproto.server.refreshSession",
                                  token=old.refresh)
        if response.status_code in (400, 401):
            return self._create_session()  # the refresh token expired or was revoked
        self._check(response)
        return self._keep(Session.from_answer(json_object(response)))

    # Calls

    def _xrpc_raw(self, method: str, nsid: str, *, token: str | None = None,
                  **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return request(self.session, method, f"{self.base_url}/xrpc/{nsid}", headers=headers,
                       secrets=self._secrets(), **kwargs)

    def _xrpc(self, method: str, nsid: str, **kwargs: Any) -> requests.Response:
        """A call with the session; an expired or revoked one is renewed once."""
        response = self._xrpc_raw(method, nsid, token=self._current().access, **kwargs)
        if response.status_code == 401 or _error_name(response) in {"ExpiredToken",
                                                                     "InvalidToken"}:
            assert self._login is not None
            self._login = self._refresh_or_create(self._login)
            response = self._xrpc_raw(method, nsid, token=self._login.access, **kwargs)
        return response

    def _check(self, response: requests.Response) -> None:
        if response.status_code < 400:
            return
        name = _error_name(response)
        text = redact(_error_text(response), self._secrets())
        now = self.clock()
        if response.status_code == 429 or name == "RateLimitExceeded":
            reset = epoch_reset(response, "RateLimit-Reset") or retry_after(response, now)
            raise RateLimited(f"HTTP {response.status_code}: {text}", reset)
        if response.status_code == 401 or name in _AUTH_ERRORS:
            raise AuthFailed(f"HTTP {response.status_code}: {text}")
        raise_for_status(response, text, now=now)

    # The interface

    def validate(self, post: Post) -> list[str]:
        problems = list(count_text("bluesky", post.text, has_media=bool(post.media)).problems)
        videos = videos_of(post.media)
        if videos:
            problems += video_post_problems("Bluesky", post.media, self.abilities.video)
            problems += [p for video in videos for p in caption_problems(video)]
        else:
            problems += media_problems("Bluesky", post.media, max_images=MAX_IMAGES,
                                       max_bytes=MAX_IMAGE_BYTES, alt_required=True)
        return problems

    def publish(self, post: Post, idempotency_key: str) -> Published:
        login = self._current()
        rkey = record_key(idempotency_key, post.due_at)
        record: dict[str, object] = {
            "$type": POST_COLLECTION,
            "text": post.text,
            "createdAt": _timestamp(self.clock()),
        }
        if post.locales:
            record["langs"] = langs_for(post.locales)
        facets = facets_for(post.text, self._resolve_handle)
        if facets:
            record["facets"] = facets
        videos = videos_of(post.media)
        if videos:
            try:
                record["embed"] = self._videos().embed(videos[0], idempotency_key)
            except Transient as error:  # an upload is not a post: nothing went out yet
                raise Transient(error.message, maybe_sent=False) from None
        elif post.media:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": m.alt, "image": self._upload(m.path)} for m in post.media],
            }
        elif post.card is not None:
            record["embed"] = self._external(post.card)
        if post.reply_to is not None:
            record["reply"] = reply_ref(post)
        response = self._xrpc("POST", "com.atproto.repo.createRecord", json={
            "repo": login.did, "collection": POST_COLLECTION, "rkey": rkey, "record": record,
        })
        try:
            self._check(response)
        except (RateLimited, AuthFailed):
            raise
        except PlatformError:
            # The key may be taken by an earlier attempt of this very item.
            found = self._get_record(rkey)
            if isinstance(found, dict) and found.get("value", {}).get("text") == post.text:
                return self._published(rkey, found)
            raise
        return self._published(rkey, json_object(response))

    def _published(self, rkey: str, answer: dict) -> Published:
        """Where a post is, with its cid (``ref``): a reply to it needs both."""
        cid = answer.get("cid")
        return Published(str(answer.get("uri") or self._uri(rkey)), self._permalink(rkey),
                         str(cid) if cid else None)

    def _videos(self) -> BlueskyVideos:
        return BlueskyVideos(self, self.video_service, self.progress, self.sleep)

    def _pds_host(self) -> str:
        """The host of the account's own PDS (a service token's audience): the one its
        DID document names, which may not be the entryway it logs in at (bsky.social)."""
        if self._pds is None:
            response = self._xrpc("GET", "com.atproto.server.getSession")
            self._check(response)
            endpoint = pds_endpoint(json_object(response, maybe_sent=False).get("didDoc"))
            self._pds = urlsplit(endpoint or self.base_url).hostname or ""
        return self._pds

    def _external(self, card: LinkCard) -> dict:
        """The link card as app.bsky.embed.external; its image uploaded as the thumb
        (left out past the lexicon's 1,000,000 bytes)."""
        external: dict[str, object] = {
            "uri": card.url, "title": card.title, "description": card.description,
        }
        thumb = card.thumb
        if thumb is not None and thumb.path.is_file() \
                and thumb.path.stat().st_size <= MAX_IMAGE_BYTES:
            try:
                external["thumb"] = self._upload(thumb.path)
            except Rejected as error:  # the card's picture never stops the post
                log.warning("%s: the link card goes without its thumb: %s", self.account_id,
                            error.message)
        return {"$type": "app.bsky.embed.external", "external": external}

    def _upload(self, path) -> dict:
        data = path.read_bytes()
        response = self._xrpc("POST", "com.atproto.repo.uploadBlob", data=data,
                              headers={"Content-Type": image_type(path)})
        self._check(response)
        blob = json_object(response).get("blob")
        if not isinstance(blob, dict):
            raise Rejected("the image upload returned no blob")
        return blob

    def _resolve_handle(self, handle: str) -> str | None:
        try:
            response = self._xrpc_raw("GET", "com.atproto.identity.resolveHandle",
                                      params={"handle": handle})
        except Transient:
            return None
        if response.status_code != 200:
            return None  # not a Bluesky handle: the text stays as it is
        did = json_object(response).get("did")
        return str(did) if did else None

    def _get_record(self, rkey: str) -> dict | NotFound:
        """getRecord's answer ({uri, cid, value}) for one of the account's posts."""
        login = self._current()
        response = self._xrpc("GET", "com.atproto.repo.getRecord", params={
            "repo": login.did, "collection": POST_COLLECTION, "rkey": rkey})
        if response.status_code == 400 and _error_name(response) == "RecordNotFound":
            return NOT_FOUND
        self._check(response)
        answer = json_object(response)
        if not isinstance(answer.get("value"), dict):
            answer["value"] = {}
        return answer

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        # The record key is the item's, for a reply as for a first post.
        rkey = record_key(idempotency_key, post.due_at)
        found = self._get_record(rkey)
        if isinstance(found, NotFound):
            return NOT_FOUND
        return self._published(rkey, found)

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        return True  # the record key makes a second create fail, never duplicate

    def token_status(self) -> TokenStatus:
        # An app password does not expire; sessions are renewed by the adapter itself.
        return TokenStatus(None)

    def check(self) -> Identity:
        response = self._xrpc("GET", "com.atproto.server.getSession")
        self._check(response)
        me = json_object(response)
        handle = str(me.get("handle") or self.handle or "?")
        return Identity(f"@{handle}", f"https://bsky.app/profile/{handle}",
                        {"did": str(me.get("did", ""))})

    # Correcting and retracting

    def delete(self, target: Published, post: Post) -> None:
        """com.atproto.repo.deleteRecord (repo: the account's DID, collection
        app.bsky.feed.post, rkey: the last part of the at:// uri). The reference PDS
        answers 200 for a record that is not there (the delete is idempotent); a
        RecordNotFound answer counts as done too."""
        repo, collection, rkey = self._own_record(target.remote_id)
        response = self._xrpc("POST", "com.atproto.repo.deleteRecord", json={
            "repo": repo, "collection": collection, "rkey": rkey})
        if response.status_code == 400 and _error_name(response) == "RecordNotFound":
            return
        self._check(response)

    def edit(self, target: Published, post: Post) -> Published:
        """A Bluesky post cannot be edited (the app has no editing; a changed record
        would not change what was shown or reposted)."""
        raise Unsupported("Bluesky cannot edit a post: delete it and post the correction"
                          + (f" ({target.url})" if target.url else ""))

    def locate(self, url: str) -> Published:
        """The post at bsky.app/profile/<handle or DID>/post/<rkey> (or its at:// uri),
        when the profile is this account and getRecord finds it."""
        actor, rkey = post_of_url(url)
        login = self._current()
        mine = {login.did.lower(), (login.handle or "").lower(),
                (self.handle or "").lstrip("@").lower()} - {""}
        if actor.lower().lstrip("@") not in mine:
            raise not_ours(url, f"it is {actor}'s")
        found = self._get_record(rkey)
        if isinstance(found, NotFound):
            raise not_ours(url, "the account has no such post")
        return self._published(rkey, found)

    # Results

    def engagement(self, target: Published, post: Post) -> Engagement:
        """app.bsky.feed.getPosts?uris=<at:// uri> through the account's PDS with its
        session (the PDS proxies app.bsky.* to the AppView): the postView's likeCount,
        repostCount, replyCount and quoteCount. A post that is not in the answer (the
        API leaves out what no longer exists) is gone: ``Rejected``."""
        self._own_record(target.remote_id)
        response = self._xrpc("GET", "app.bsky.feed.getPosts",
                              params={"uris": target.remote_id})
        self._check(response)
        posts = json_object(response, maybe_sent=False).get("posts")
        if not isinstance(posts, list):
            raise Transient("getPosts gave no list of posts", maybe_sent=False)
        view = next((p for p in posts if isinstance(p, dict)
                     and p.get("uri") == target.remote_id), None)
        if view is None:
            raise Rejected("the post is no longer on Bluesky (getPosts does not return it)")
        return Engagement(likes=count(view, "likeCount"), reposts=count(view, "repostCount"),
                          replies=count(view, "replyCount"), quotes=count(view, "quoteCount"))

    def _own_record(self, uri: str) -> tuple[str, str, str]:
        """(repo, collection, rkey) of an at:// uri of this account's."""
        did = self._current().did
        parts = uri.removeprefix("at://").split("/")
        if not uri.startswith("at://") or len(parts) != 3 or not _RKEY.fullmatch(parts[2]):
            raise Rejected(f"{uri!r} is not the at:// uri of a record")
        if parts[0] != did:
            raise Rejected(f"{uri} is another account's record (this account is {did})")
        return did, parts[1], parts[2]

    def _uri(self, rkey: str) -> str:
        return f"at://{self._current().did}/{POST_COLLECTION}/{rkey}"

    def _permalink(self, rkey: str) -> str:
        login = self._current()
        profile = login.handle or (self.handle or "").lstrip("@") or login.did
        return f"https://bsky.app/profile/{profile}/post/{rkey}"


def pds_endpoint(did_doc: object) -> str | None:
    """The #atproto_pds service endpoint of a DID document."""
    services = did_doc.get("service") if isinstance(did_doc, dict) else None
    for service in services if isinstance(services, list) else []:
        if isinstance(service, dict) and str(service.get("id", "")).endswith("#atproto_pds"):
            endpoint = service.get("serviceEndpoint")
            return endpoint if isinstance(endpoint, str) else None
    return None


def reply_ref(post: Post) -> dict[str, dict[str, str]]:
    """app.bsky.feed.post#replyRef: strong refs (uri + cid) to the thread's first post
    (root) and to the post this one answers (parent)."""
    parent = post.reply_to
    root = post.root or parent
    if parent is None or root is None or not parent.ref or not root.ref:
        raise Rejected("the post it replies to has no content id (cid) on record")
    return {"root": {"uri": root.remote_id, "cid": root.ref},
            "parent": {"uri": parent.remote_id, "cid": parent.ref}}


def post_of_url(url: str) -> tuple[str, str]:
    """(the profile's handle or DID, the record key) of a post's address:
    https://bsky.app/profile/<actor>/post/<rkey> or at://<actor>/app.bsky.feed.post/<rkey>."""
    text = url.strip()
    if text.startswith("at://"):
        parts = text.removeprefix("at://").split("/")
        if len(parts) == 3 and parts[0] and parts[1] == POST_COLLECTION \
                and _RKEY.fullmatch(parts[2]):
            return parts[0], parts[2]
        raise not_a_post(url, "Bluesky")
    address = split_address(url, "Bluesky")
    segments = address.segments
    if address.host in WEB_HOSTS and len(segments) == 4 and segments[0] == "profile" \
            and segments[2] == "post" and segments[1] and _RKEY.fullmatch(segments[3]):
        return segments[1], segments[3]
    raise not_a_post(url, "Bluesky")


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error_name(response: requests.Response) -> str:
    if response.status_code < 400:
        return ""
    try:
        return str(response.json().get("error") or "")
    except (ValueError, AttributeError):
        return ""


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
        return str(body.get("message") or body.get("error") or response.reason)[:300]
    except (ValueError, AttributeError):
        return response.reason or ""
