"""What Instagram's and Threads' Graph APIs share, as their references describe it.

- Tokens as ``Authorization: Bearer`` or an ``access_token`` parameter; a bad
  one is HTTP 400 with code 190.
- POST /{user}/<create edge> makes a container; Meta fetches every
  ``image_url`` right then (the fake really does, over HTTP). Containers move
  IN_PROGRESS -> FINISHED (after ``finish_after_polls`` status reads) ->
  PUBLISHED, and are EXPIRED 24 hours after they were made if not published.
- POST /{user}/<publish edge> with ``creation_id`` publishes a FINISHED
  container once; GET /{container}?fields=... reads its status; GET
  /{media}?fields=permalink, GET /{user}/<posts edge> the latest posts, GET
  /{user}/<quota edge> the quota used in the moving 24-hour window.
- GET /refresh_access_token?grant_type=<grant>&access_token=... renews a
  long-lived token (60 days); the old token stops working.
- Errors: ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``.
- DELETE /{comment-id} removes a comment (``{"success": true}``); DELETE of a
  post works where the platform has it (``deletes_posts``: Threads' DELETE
  /{threads-media-id} answers ``{"success": true, "deleted_id"}``; Instagram's IG
  Media has no delete). An id that is not there is 100/33 "does not exist".
- GET /{media}/insights?metric=... answers ``{"data": [{"name", "period": "lifetime",
  "values": [{"value"}], "title", "description", "id"}]}`` for the platform's
  ``insight_metrics`` (another is (#100) invalid), from ``counts[media_id]`` (tests set
  them; one not set has no data and is left out, as the reference says);
  ``insights_refused``: (#10) as for a token without the insights permission.

- A video container (``video_url``: Instagram's REELS, Threads' VIDEO) is fetched
  whole when it is made, as an image is; it stays IN_PROGRESS for
  ``finish_after_polls`` reads, then FINISHED, or ERROR with ``video_error`` (the
  platform's reason) when a test sets it. ``containers_made`` counts them.

``now`` is the fake's own clock (24-hour windows and expiry); tests move it.
"""

from __future__ import annotations

import functools
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from fakes.base import FakeServer, Request, form_fields

TOKEN_LIFE_S = 60 * 24 * 3600


def graph_error(code: int, message: str, subcode: int | None = None,
                kind: str = "OAuthException", **extra: object) -> dict:
    error: dict[str, object] = {"message": message, "type": kind, "code": code,
                                "fbtrace_id": "AbCdEf123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    return {"error": error}


INVALID_TOKEN = graph_error(190, "Invalid OAuth access token - Cannot parse access token")


class FakeMeta(FakeServer):
    version = ""
    create_edge = ""
    publish_edge = ""
    quota_edge = ""
    posts_edge = ""
    text_field = ""
    refresh_grant = ""
    quota_total = 0
    permalink_base = ""
    deletes_posts = False
    insight_metrics: tuple[str, ...] = ()

    def __init__(self, user_id: str, username: str, token: str):
        super().__init__()
        # Shut down in a few milliseconds rather than the default half second.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)
        self.user_id = user_id
        self.username = username
        self.tokens = {token}
        self.now = datetime.now(UTC)
        self.finish_after_polls = 1
        self.containers: dict[str, dict] = {}
        self.posts: list[dict] = []
        # Posts made elsewhere (the app, another tool) that count against the quota.
        self.other_usage = 0
        # The quota answer's ``config`` (quota_total, quota_duration); the
        # reference returns only ``quota_usage`` when fields omits it.
        self.send_config = True
        self.refreshed: list[str] = []
        self.fetched: list[str] = []
        # Comments under posts (Instagram's POST /{ig-media-id}/comments), by post id.
        self.comments: dict[str, list[dict]] = {}
        # A post's counts by id (metric names as the platform's insights name them).
        self.counts: dict[str, dict[str, int]] = {}
        self.insights_refused = False
        # Set by a test: a video container's processing fails with this reason.
        self.video_error: str | None = None
        self._next = 17900000000000001

    # Helpers for tests

    def new_id(self) -> str:
        with_id = str(self._next)
        self._next += 1
        return with_id

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def quota_usage(self) -> int:
        since = self.now - timedelta(hours=24)
        return self.other_usage + sum(1 for p in self.posts if p["published_at"] > since)

    def state(self, container_id: str) -> str:
        container = self.containers[container_id]
        if container["state"] not in ("PUBLISHED", "ERROR") and \
                self.now - container["created_at"] > timedelta(hours=24):
            container["state"] = "EXPIRED"
        return container["state"]

    # Dispatch

    def token_of(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ")
        fields = self.params(request)
        return fields.get("access_token")

    def params(self, request: Request) -> dict[str, str]:
        query = {k: v[0] for k, v in request.query.items()}
        if request.method == "POST":
            query.update(form_fields(request))
        return query

    def users(self) -> set[str]:
        return {self.user_id}

    def handle(self, request: Request):
        if request.path == "/refresh_access_token" and request.method == "GET":
            return self._refresh(self.params(request))
        if self.token_of(request) not in self.tokens:
            return 400, INVALID_TOKEN, {}
        prefix = f"/{self.version}/"
        if not request.path.startswith(prefix):
            return 400, graph_error(2500, "Unknown path components", kind="OAuthException"), {}
        parts = request.path[len(prefix):].split("/")
        fields = self.params(request)
        if len(parts) == 2 and parts[0] in self.users():
            edge = parts[1]
            if request.method == "POST" and edge == self.create_edge:
                return self.create(fields)
            if request.method == "POST" and edge == self.publish_edge:
                return self.publish(fields)
            if request.method == "GET" and edge == self.quota_edge:
                entry: dict[str, object] = {"quota_usage": self.quota_usage()}
                if self.send_config and "config" in fields.get("fields", "quota_usage"):
                    entry["config"] = {"quota_total": self.quota_total, "quota_duration": 86400}
                return 200, {"data": [entry]}, {}
            if request.method == "GET" and edge in (self.posts_edge, "replies"):
                # Threads lists a user's replies apart from their posts.
                replies = edge == "replies"
                limit = int(fields.get("limit", "25"))
                shown = [{"id": p["id"], self.text_field: p["text"], "permalink": p["permalink"],
                          "timestamp": p["published_at"].strftime("%Y-%m-%dT%H:%M:%S+0000")}
                         for p in reversed(self.posts) if bool(p.get("reply_to")) == replies
                         ][:limit]
                return 200, {"data": shown, "paging": {}}, {}
        if len(parts) == 2 and parts[1] == "insights" and request.method == "GET":
            return self.insights(parts[0], fields.get("metric", ""))
        if len(parts) == 2 and parts[1] == "comments":
            return self.comment_edge(request.method, parts[0], fields)
        if len(parts) == 1 and request.method == "GET":
            return self.read(parts[0], fields)
        if len(parts) == 1 and request.method == "DELETE":
            return self.delete(parts[0])
        return 400, graph_error(100, "Unsupported request - method type: "
                                f"{request.method.lower()}", kind="GraphMethodException"), {}

    def read(self, node: str, fields: dict[str, str]):
        if node in self.users():
            return 200, self.profile(), {}
        if node in self.containers:
            return 200, self.status_body(node), {}
        post = next((p for p in self.posts if p["id"] == node), None)
        if post is not None:
            return 200, {"id": post["id"], "permalink": post["permalink"],
                         **self.fields_of(post, fields.get("fields", "").split(","))}, {}
        return self.missing(node)

    def fields_of(self, post: dict, names: list[str]) -> dict:
        """A post's fields beyond its id and permalink (a platform adds its own)."""
        return {}

    def insights(self, node: str, metric: str):
        if not any(p["id"] == node for p in self.posts):
            return self.missing(node)
        if self.insights_refused:
            return 400, graph_error(10, "(#10) Application does not have permission for "
                                    "this action"), {}
        metrics = [name for name in metric.split(",") if name]
        unknown = [name for name in metrics if name not in self.insight_metrics]
        if not metrics or unknown:
            return 400, graph_error(100, "(#100) metric[0] must be one of the following "
                                    f"values: {', '.join(self.insight_metrics)}"), {}
        counts = self.counts.get(node, {})
        return 200, {"data": [
            {"name": name, "period": "lifetime", "values": [{"value": counts.get(name, 0)}],
             "title": name.title(), "description": f"The number of {name} of the post.",
             "id": f"{node}/insights/{name}/lifetime"} for name in metrics
            if name in counts]}, {}

    def missing(self, node: str):
        return 400, graph_error(100, f"Unsupported get request. Object with ID '{node}' does "
                                "not exist, cannot be loaded due to missing permissions, or "
                                "does not support this operation", 33,
                                kind="GraphMethodException"), {}

    def delete(self, node: str):
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == node:
                    comments.remove(comment)
                    return 200, {"success": True}, {}
        post = next((p for p in self.posts if p["id"] == node), None)
        if post is not None and not self.deletes_posts:
            return 400, graph_error(100, "Unsupported delete request.",
                                    kind="GraphMethodException"), {}
        if post is None:
            return 400, graph_error(100, f"Unsupported delete request. Object with ID "
                                    f"'{node}' does not exist, cannot be loaded due to "
                                    "missing permissions, or does not support this "
                                    "operation", 33, kind="GraphMethodException"), {}
        self.posts.remove(post)
        return 200, {"success": True, "deleted_id": node}, {}

    def comment_edge(self, method: str, post_id: str, fields: dict[str, str]):
        """POST /{media-id}/comments (``message``) and GET of the same edge."""
        if not any(p["id"] == post_id for p in self.posts):
            return 400, graph_error(100, f"Unsupported post request. Object with ID "
                                    f"'{post_id}' does not exist", 33,
                                    kind="GraphMethodException"), {}
        comments = self.comments.setdefault(post_id, [])
        if method == "GET":
            return 200, {"data": [{"id": c["id"], "text": c["text"],
                                   "timestamp": c["timestamp"]} for c in comments]}, {}
        if not fields.get("message"):
            return 400, graph_error(100, "The parameter message is required"), {}
        comment = {"id": self.new_id(), "text": fields["message"],
                   "timestamp": self.now.strftime("%Y-%m-%dT%H:%M:%S+0000")}
        comments.append(comment)
        return 200, {"id": comment["id"]}, {}

    def profile(self) -> dict:
        return {"id": self.user_id, "username": self.username, "name": "Embassy of Kosovo"}

    # Containers

    def create(self, fields: dict[str, str]):
        problem = self.check_fields(fields)
        if problem:
            return problem
        reply_to = fields.get("reply_to_id")
        if reply_to and not any(p["id"] == reply_to for p in self.posts):
            return 400, graph_error(100, "Invalid parameter", error_user_msg=(
                "The post you are replying to does not exist")), {}
        container_id = self.new_id()
        container = {"id": container_id, "fields": fields, "state": "IN_PROGRESS", "polls": 0,
                     "created_at": self.now, "error": ""}
        if fields.get("media_type") == "CAROUSEL":
            children = fields.get("children", "").split(",")
            if not all(child in self.containers for child in children):
                return 400, graph_error(100, "Invalid parameter", 2207028,
                                        error_user_msg="Carousel children are invalid"), {}
            container["children"] = children
        elif fields.get("image_url"):
            failure = self.fetch(fields["image_url"], container)
            if failure:
                return failure
        elif fields.get("video_url"):
            failure = self.fetch(fields["video_url"], container, video=True)
            if failure:
                return failure
        self.containers[container_id] = container
        return 200, {"id": container_id}, {}

    def check_fields(self, fields: dict[str, str]):
        return None

    def fetch(self, url: str, container: dict, video: bool = False):
        """Download the image (or video) as Meta does; a failure is the platform's own
        answer."""
        self.fetched.append(url)
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                data = answer.read()
                kind = answer.headers.get("Content-Type", "")
        except (urllib.error.URLError, OSError):
            return self.fetch_failed(url, container)
        if video:
            container["video"] = {"url": url, "data": data, "type": kind}
            if not kind.startswith("video/"):
                container["state"], container["error"] = "ERROR", self.not_a_video()
            elif self.video_error:
                container["failing"] = self.video_error
            return None
        container["image"] = {"url": url, "size": len(data), "type": kind}
        return self.check_image(data, kind, container)

    def not_a_video(self) -> str:
        return "the media is not a video"

    @property
    def containers_made(self) -> int:
        return len(self.containers)

    def fetch_failed(self, url: str, container: dict):
        raise NotImplementedError

    def check_image(self, data: bytes, kind: str, container: dict):
        return None

    def status_body(self, container_id: str) -> dict:
        container = self.containers[container_id]
        if container["state"] == "IN_PROGRESS":
            container["polls"] += 1
            if container["polls"] > self.finish_after_polls:
                container["state"] = "ERROR" if container.get("failing") else "FINISHED"
                container["error"] = container.get("failing") or container["error"]
        return self.status_fields(container_id, self.state(container_id))

    def status_fields(self, container_id: str, state: str) -> dict:
        raise NotImplementedError

    def publish(self, fields: dict[str, str]):
        container_id = fields.get("creation_id", "")
        if container_id not in self.containers:
            return 400, graph_error(100, "Invalid parameter", 2207008 if self.version != "v1.0"
                                    else None), {}
        state = self.state(container_id)
        if state == "IN_PROGRESS":
            return self.not_ready()
        if state == "EXPIRED":
            return 400, graph_error(-2, "The media you are trying to access has expired. "
                                        "Please try to upload again.", 2207020), {}
        if state != "FINISHED":
            return 400, graph_error(100, f"The container is {state} and cannot be published"), {}
        if self.quota_usage() >= self.quota_total:
            return self.quota_exceeded()
        container = self.containers[container_id]
        container["state"] = "PUBLISHED"
        media_id = self.new_id()
        post = {"id": media_id, "text": container["fields"].get(self.text_field, ""),
                "container": container_id, "published_at": self.now,
                "reply_to": container["fields"].get("reply_to_id"),
                "permalink": f"{self.permalink_base}{media_id}/"}
        self.posts.append(post)
        return 200, {"id": media_id}, {}

    def not_ready(self):
        raise NotImplementedError

    def quota_exceeded(self):
        raise NotImplementedError

    # Tokens

    def _refresh(self, fields: dict[str, str]):
        token = fields.get("access_token")
        if fields.get("grant_type") != self.refresh_grant:
            return 400, graph_error(100, "Unsupported grant_type"), {}
        if token not in self.tokens:
            return 400, INVALID_TOKEN, {}
        self.tokens.discard(token)
        fresh = f"{token.split('~')[0]}~{len(self.refreshed) + 1}"
        self.tokens.add(fresh)
        self.refreshed.append(fresh)
        return 200, {"access_token": fresh, "token_type": "bearer",
                     "expires_in": TOKEN_LIFE_S}, {}

    # Views for assertions

    def container_requests(self) -> list[dict[str, str]]:
        path = f"/{self.version}/{self.user_id}/{self.create_edge}"
        return [self.params(r) for r in self.requests if r.method == "POST" and
                r.path.endswith(f"/{self.create_edge}") and
                (r.path == path or r.path == f"/{self.version}/me/{self.create_edge}")]

    def publish_requests(self) -> list[dict[str, str]]:
        return [self.params(r) for r in self.requests if r.method == "POST" and
                r.path.endswith(f"/{self.publish_edge}")]


class MediaServer:
    """The embassy's website serving <home>/media/ on 127.0.0.1 (for Meta to fetch)."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def jpeg_bytes(width: int = 1080, height: int = 1080, padding: int = 2000) -> bytes:
    """A small file that starts and is sized like a baseline JPEG (enough for the checks)."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = (b"\xff\xc0\x00\x11\x08" + height.to_bytes(2, "big") + width.to_bytes(2, "big")
            + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01")
    comment = b"\xff\xfe" + (padding + 2).to_bytes(2, "big") + b"\x00" * padding
    return b"\xff\xd8" + app0 + comment + sof0 + b"\xff\xd9"
