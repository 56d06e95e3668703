"""Mastodon: POST /api/v1/statuses with an Idempotency-Key, media via /api/v2/media.

The server remembers an Idempotency-Key for one hour: a retry with the same
key inside that hour returns the first status instead of posting again, so a
flush that died mid-request can resend safely within the hour. Later the
key is forgotten, so ``find`` looks for the post among the account's own
statuses: first by their rendered text, then, for the statuses made since the
post was due, by their plain source text (GET /api/v1/statuses/:id/source).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import requests

from publisher.domain.accounts import Account
from publisher.domain.results import Engagement
from publisher.domain.textrules import count_text
from publisher.platforms.base import (
    Abilities,
    Identity,
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
from publisher.platforms.common.recent import find_ours, verdict
from publisher.platforms.common.urls import digits, not_a_post, not_ours, split_address

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


def make_adapter(account: Account, adapters: Adapters) -> MastodonAdapter:
    return MastodonAdapter.for_account(account, adapters)


@dataclass(repr=False)
class MastodonAdapter(TokenAdapter):
    max_characters: int | None = None
    media_poll_seconds: float = 1.0
    media_poll_limit: int = 60
    platform: str = "mastodon"
    _limit_asked: bool = field(default=False, init=False, repr=False)
    # Both, and an edit keeps the status's history for everyone to see.
    abilities = Abilities(delete=True, edit=True)

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
        problems += [f"missing image {m.path.name}" for m in post.media if not m.path.is_file()]
        problems += [f"image {m.path.name} has no alt text" for m in post.media if not m.alt]
        return problems

    def instance_limit(self) -> int | None:
        """The instance's own character limit (/api/v2/instance), read once per run."""
        if self.max_characters is None and not self._limit_asked:
            self._limit_asked = True
            try:
                response = self._call("GET", "/api/v2/instance")
                limit = json_object(response)["configuration"]["statuses"]["max_characters"]
                self.max_characters = int(limit)
            except (Rejected, Transient, KeyError, TypeError, ValueError):
                return None  # an old or unusual instance: the default rule applies
        return self.max_characters

    def publish(self, post: Post, idempotency_key: str) -> Published:
        count = count_text("mastodon", post.text, has_media=bool(post.media),
                           limit=self.instance_limit())
        if count.problems:
            raise Rejected(count.problems[0])
        media_ids = [self._upload(media.path, media.alt) for media in post.media]
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
