"""A Mastodon instance as its API documentation describes it (statuses, media, auth).

- POST /api/v1/statuses with ``Authorization: Bearer``; the ``Idempotency-Key``
  header makes a repeated request return the first status (kept one hour).
- POST /api/v2/media answers 202 while processing, GET /api/v1/media/:id
  gives the attachment with its ``url`` once processed.
- 401 ``{"error": "The access token is invalid"}``; 422 on validation errors;
  429 with ``X-RateLimit-Reset`` (ISO 8601) when scripted.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from fakes.base import FakeServer, Request, multipart_field


class FakeMastodon(FakeServer):
    def __init__(self, token: str = "test-access-token", max_characters: int = 500):
        super().__init__()
        self.token = token
        self.max_characters = max_characters
        self.statuses: list[dict] = []
        self.by_key: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.media_polls_before_ready = 1

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
        if route == "GET /api/v2/instance":
            return 200, {"configuration": {"statuses": {
                "max_characters": self.max_characters}}}, {}
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
        if len(text) > self.max_characters:
            return 422, {"error": "Validation failed: Text character limit of "
                                  f"{self.max_characters} exceeded"}, {}
        number = str(109000000000000000 + len(self.statuses) + 1)
        status = {
            "id": number,
            "uri": f"{self.url}/users/embassy/statuses/{number}",
            "url": f"{self.url}/@embassy/{number}",
            "content": f"<p>{text}</p>",
            "language": params.get("language"),
            "visibility": params.get("visibility", "public"),
            "media_attachments": [self.media[m] for m in media_ids if m in self.media],
        }
        self.statuses.append(status)
        if key:
            self.by_key[key] = status
        return 200, status, {}

    def _upload(self, request: Request):
        kind = request.headers.get("content-type", "")
        if not kind.startswith("multipart/form-data"):
            return 422, {"error": "Validation failed: File can't be blank"}, {}
        description = multipart_field(request.body, kind, "description")
        media_id = str(len(self.media) + 1)
        self.media[media_id] = {"id": media_id, "type": "image", "url": None,
                                "description": description, "polls": 0}
        return 202, {k: v for k, v in self.media[media_id].items() if k != "polls"}, {}

    def _poll(self, media_id: str):
        media = self.media.get(media_id)
        if media is None:
            return 404, {"error": "Record not found"}, {}
        media["polls"] += 1
        if media["polls"] >= self.media_polls_before_ready:
            media["url"] = f"{self.url}/media/{media_id}.png"
            return 200, {k: v for k, v in media.items() if k != "polls"}, {}
        return 206, {k: v for k, v in media.items() if k != "polls"}, {}
