"""A Mastodon instance as its API documentation describes it (statuses, media, auth).

- POST /api/v1/statuses with ``Authorization: Bearer``; the ``Idempotency-Key``
  header makes a repeated request return the first status (kept one hour).
- POST /api/v2/media answers 202 while processing, GET /api/v1/media/:id
  gives the attachment with its ``url`` once processed (206 before). A video
  (docs.joinmastodon.org/methods/media) keeps its bytes and answers 206 for
  ``video_polls_before_ready`` polls, or 422 with ``video_failure`` as its error
  (processing failed); a file over the instance's ``video_size_limit`` is 422 at
  upload. ``forget_media`` drops an unattached attachment (Mastodon's cleanup).
- GET /api/v2/instance gives configuration.statuses.max_characters and
  configuration.media_attachments (``media_configuration``; Mastodon's documented
  example values unless a test changes them).
- GET /api/v1/accounts/:id/statuses lists the newest first (``limit``, at most
  40), each with ``content`` rendered to HTML the way Mastodon does (escaped,
  paragraphs, links split into invisible/ellipsis spans, hashtag links, remote
  mentions shown as @user) and ``created_at``; GET /api/v1/statuses/:id/source
  gives the plain text it was written with.
- ``in_reply_to_id`` makes a reply (404 when no such status), ``spoiler_text`` the
  content warning, ``visibility`` public | unlisted | private | direct.
- 401 ``{"error": "The access token is invalid"}``; 422 on validation errors;
  429 with ``X-RateLimit-Reset`` (ISO 8601) when scripted.
- GET /api/v1/statuses/:id reads one status (with its ``account``); DELETE of the
  same path answers the deleted status with its source ``text`` and the status is
  gone (a second DELETE is 404 "Record not found"); PUT edits ``status``,
  ``spoiler_text``, ``media_ids`` and ``language``, sets ``edited_at`` and keeps
  the earlier versions (``history``, as GET /api/v1/statuses/:id/history shows).
  Another account's status (``add_other_status``) is 403 to DELETE and PUT.
- A status carries favourites_count, reblogs_count and replies_count (0 when made;
  ``set_counts`` sets them), and quotes_count as Mastodon 4.5+ does unless
  ``quotes`` is False (an older server).
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs

from fakes.base import FakeServer, Request, multipart_bytes, multipart_field


class FakeMastodon(FakeServer):
    def __init__(self, token: str = "test-access-token", max_characters: int = 500):
        super().__init__()
        self.token = token
        self.max_characters = max_characters
        self.statuses: list[dict] = []
        self.by_key: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.media_polls_before_ready = 1
        # The server's clock for created_at; tests set it to match their --now.
        self.now: datetime | None = None
        self.quotes = True  # False: a server before 4.5, without quotes_count
        self.video_polls_before_ready = 1
        self.video_failure: str | None = None
        self.media_configuration: dict | None = {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp",
                                     "video/webm", "video/mp4", "video/quicktime"],
            "image_size_limit": 10485760, "image_matrix_limit": 16777216,
            "video_size_limit": 41943040, "video_frame_rate_limit": 60,
            "video_matrix_limit": 2304000}

    def handle(self, request: Request):
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "The access token is invalid"}, {}
        route = f"{request.method} {request.path}"
        if route == "POST /api/v1/statuses":
            return self._create_status(request)
        if route == "GET /api/v1/accounts/verify_credentials":
            return 200, {"id": "1", "username": "embassy", "acct": "embassy",
                         "url": f"{self.url}/@embassy"}, {}
        if route == "POST /api/v2/media":
            return self._upload(request)
        if request.method == "GET" and request.path.startswith("/api/v1/media/"):
            return self._poll(request.path.rsplit("/", 1)[1])
        if route == "GET /api/v1/accounts/1/statuses":
            limit = min(int(request.query.get("limit", ["20"])[0]), 40)
            return 200, [self._public(s) for s in reversed(self.statuses)][:limit], {}
        found = re.fullmatch(r"/api/v1/statuses/(\d+)/source", request.path)
        if request.method == "GET" and found:
            return self._source(found.group(1))
        found = re.fullmatch(r"/api/v1/statuses/(\d+)", request.path)
        if found:
            return self._one_status(request, found.group(1))
        if route == "GET /api/v2/instance":
            configuration: dict = {"statuses": {"max_characters": self.max_characters}}
            if self.media_configuration is not None:
                configuration["media_attachments"] = self.media_configuration
            return 200, {"configuration": configuration}, {}
        return 404, {"error": "Record not found"}, {}

    def _params(self, request: Request) -> dict:
        kind = request.headers.get("content-type", "")
        if kind.startswith("application/json"):
            return json.loads(request.body or b"{}")
        return {k: v if k.endswith("[]") else v[0]
                for k, v in parse_qs(request.body.decode()).items()}

    def _create_status(self, request: Request):
        key = request.headers.get("idempotency-key")
        if key and key in self.by_key:
            return 200, self.by_key[key], {}
        params = self._params(request)
        text = params.get("status", "")
        media_ids = params.get("media_ids") or params.get("media_ids[]") or []
        if not text and not media_ids:
            return 422, {"error": "Validation failed: Text can't be blank"}, {}
        if any(m in self.media and self.media[m]["url"] is None for m in media_ids):
            return 422, {"error": "Cannot attach files that have not finished processing. "
                                  "Try again in a moment!"}, {}
        parent = params.get("in_reply_to_id")
        if parent is not None and not any(s["id"] == parent for s in self.statuses):
            return 404, {"error": "Record not found"}, {}
        if params.get("visibility", "public") not in ("public", "unlisted", "private",
                                                       "direct"):
            return 422, {"error": "Validation failed: Visibility is not included in the list"}, {}
        if len(text) > self.max_characters:
            return 422, {"error": "Validation failed: Text character limit of "
                                  f"{self.max_characters} exceeded"}, {}
        number = str(109000000000000000 + len(self.statuses) + 1)
        status = {
            "id": number,
            "uri": f"{self.url}/users/embassy/statuses/{number}",
            "url": f"{self.url}/@embassy/{number}",
            "content": render(text, self.url),
            "created_at": (self.now or datetime.now(UTC)).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "text": text,
            "language": params.get("language"),
            "visibility": params.get("visibility", "public"),
            "in_reply_to_id": params.get("in_reply_to_id"),
            "spoiler_text": params.get("spoiler_text", ""),
            "media_attachments": [_shown(self.media[m]) for m in media_ids if m in self.media],
            "account": {"id": "1", "acct": "embassy"},
            "edited_at": None,
            "history": [],
            "favourites_count": 0, "reblogs_count": 0, "replies_count": 0, "quotes_count": 0,
        }
        self.statuses.append(status)
        if key:
            self.by_key[key] = status
        return 200, status, {}

    def _public(self, status: dict) -> dict:
        hidden = ("text", "history") if self.quotes else ("text", "history", "quotes_count")
        return {k: v for k, v in status.items() if k not in hidden}

    def set_counts(self, status_id: str, *, favourites: int = 0, reblogs: int = 0,
                   replies: int = 0, quotes: int = 0) -> None:
        """What people did with a status so far."""
        status = self.status(status_id)
        assert status is not None, status_id
        status.update(favourites_count=favourites, reblogs_count=reblogs,
                      replies_count=replies, quotes_count=quotes)

    def add_other_status(self, text: str) -> dict:
        """A status another account of the instance wrote."""
        number = str(109000000000000000 + len(self.statuses) + 1)
        status = {"id": number, "url": f"{self.url}/@consulate/{number}",
                  "uri": f"{self.url}/users/consulate/statuses/{number}",
                  "content": render(text, self.url), "text": text, "created_at": None,
                  "in_reply_to_id": None, "spoiler_text": "", "media_attachments": [],
                  "account": {"id": "2", "acct": "consulate"}, "edited_at": None,
                  "history": []}
        self.statuses.append(status)
        return status

    def status(self, status_id: str) -> dict | None:
        return next((s for s in self.statuses if s["id"] == status_id), None)

    def _one_status(self, request: Request, status_id: str):
        status = self.status(status_id)
        if status is None:
            return 404, {"error": "Record not found"}, {}
        if request.method == "GET":
            return 200, self._public(status), {}
        if status["account"]["id"] != "1":
            return 403, {"error": "This action is not allowed"}, {}
        if request.method == "DELETE":
            self.statuses.remove(status)
            return 200, {**self._public(status), "text": status["text"]}, {}
        if request.method == "PUT":
            return self._edit(status, self._params(request))
        return 404, {"error": "Record not found"}, {}

    def _edit(self, status: dict, params: dict):
        text = params.get("status", "")
        media_ids = params.get("media_ids") or params.get("media_ids[]") or []
        if not text and not media_ids:
            return 422, {"error": "Validation failed: Text can't be blank"}, {}
        if len(text) > self.max_characters:
            return 422, {"error": "Validation failed: Text character limit of "
                                  f"{self.max_characters} exceeded"}, {}
        status["history"].append({"content": status["content"],
                                  "spoiler_text": status["spoiler_text"]})
        status.update(text=text, content=render(text, self.url),
                      spoiler_text=params.get("spoiler_text", ""),
                      media_attachments=[_shown(self.media[m]) for m in media_ids
                                         if m in self.media],
                      language=params.get("language", status.get("language")),
                      edited_at=(self.now or datetime.now(UTC)).isoformat())
        return 200, self._public(status), {}

    def _source(self, status_id: str):
        for status in self.statuses:
            if status["id"] == status_id:
                return 200, {"id": status_id, "text": status["text"], "spoiler_text": ""}, {}
        return 404, {"error": "Record not found"}, {}

    def _upload(self, request: Request):
        kind = request.headers.get("content-type", "")
        if not kind.startswith("multipart/form-data"):
            return 422, {"error": "Validation failed: File can't be blank"}, {}
        description = multipart_field(request.body, kind, "description")
        media_id = str(len(self.media) + 1)
        file_type = re.search(rb'name="file".*?\r\nContent-Type: ([\w/+.-]+)', request.body,
                              re.DOTALL)
        if file_type and file_type.group(1).startswith(b"video/"):
            content = multipart_bytes(request.body, kind, "file") or b""
            limit = (self.media_configuration or {}).get("video_size_limit", 41943040)
            if len(content) > limit:
                return 422, {"error": "Validation failed: File file size must be less than "
                                      f"{limit // 1048576} MB"}, {}
            self.media[media_id] = {"id": media_id, "type": "video", "url": None,
                                    "description": description, "polls": 0,
                                    "content": content}
        else:
            self.media[media_id] = {"id": media_id, "type": "image", "url": None,
                                    "description": description, "polls": 0}
        return 202, _shown(self.media[media_id]), {}

    def forget_media(self, media_id: str) -> None:
        self.media.pop(media_id, None)

    def _poll(self, media_id: str):
        media = self.media.get(media_id)
        if media is None:
            return 404, {"error": "Record not found"}, {}
        media["polls"] += 1
        video = media["type"] == "video"
        if media["polls"] < (self.video_polls_before_ready if video
                             else self.media_polls_before_ready):
            return 206, _shown(media), {}
        if video and self.video_failure:
            return 422, {"error": self.video_failure}, {}
        media["url"] = f"{self.url}/media/{media_id}.{'mp4' if video else 'png'}"
        return 200, _shown(media), {}


def _shown(media: dict) -> dict:
    """A MediaAttachment as the API shows it (not the fake's own notes)."""
    return {k: v for k, v in media.items() if k not in ("polls", "content")}


_TOKEN = re.compile(r"(https?://[^\s<]+)|#(\w+)|@(\w+)@[\w.-]+\w")


def _link(url: str) -> str:
    scheme, rest = url.split("://", 1)
    shown, hidden = rest[:30], rest[30:]
    ellipsis = "ellipsis" if hidden else ""
    return (f'<a href="{html.escape(url)}" rel="nofollow noopener" translate="no" '
            f'target="_blank"><span class="invisible">{scheme}://</span>'
            f'<span class="{ellipsis}">{html.escape(shown)}</span>'
            f'<span class="invisible">{html.escape(hidden)}</span></a>')


def _inline(line: str, base: str) -> str:
    out, last = [], 0
    for match in _TOKEN.finditer(line):
        out.append(html.escape(line[last:match.start()]))
        url, tag, user = match.groups()
        if url:
            out.append(_link(url))
        elif tag:
            out.append(f'<a href="{base}/tags/{tag.lower()}" class="mention hashtag" '
                       f'rel="tag">#<span>{html.escape(tag)}</span></a>')
        else:
            out.append(f'<span class="h-card"><a href="{base}/@{user}" class="u-url mention">'
                       f'@<span>{html.escape(user)}</span></a></span>')
        last = match.end()
    out.append(html.escape(line[last:]))
    return "".join(out)


def render(text: str, base: str) -> str:
    """A status's text as Mastodon renders it to HTML."""
    paragraphs = [p for p in re.split(r"\n{2,}", text.strip()) if p]
    return "".join(
        "<p>" + "<br />".join(_inline(line, base) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
    )
