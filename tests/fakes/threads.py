"""The Threads API (graph.threads.net/v1.0) as its reference describes it:
/{threads-user-id}/threads (TEXT, IMAGE with alt_text, CAROUSEL of items),
/threads_publish, /threads_publishing_limit (250 posts in 24 hours),
/{container}?fields=status,error_message, /{media}?fields=permalink, ``me`` in
paths, and /refresh_access_token (``th_refresh_token``).

An image that cannot be fetched leaves the container in ERROR with an
``error_message``, as the troubleshooting page describes.

Counts: GET /{threads-media-id}/insights (views, likes, replies, reposts, quotes, shares).
"""

from __future__ import annotations

from fakes.meta import FakeMeta, graph_error


class FakeThreads(FakeMeta):
    version = "v1.0"
    create_edge = "threads"
    publish_edge = "threads_publish"
    quota_edge = "threads_publishing_limit"
    posts_edge = "threads"
    text_field = "text"
    refresh_grant = "th_refresh_token"
    quota_total = 250
    permalink_base = "https://www.threads.net/@kosovoembassy/post/"
    deletes_posts = True
    insight_metrics = ("views", "likes", "replies", "reposts", "quotes", "shares")

    def __init__(self, user_id: str = "25800000000000001", username: str = "kosovoembassy",
                 token: str = "th-token"):
        super().__init__(user_id, username, token)

    def users(self) -> set[str]:
        return {self.user_id, "me"}

    def check_fields(self, fields: dict[str, str]):
        kind = fields.get("media_type")
        if kind not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            return 400, graph_error(100, "The parameter media_type is required."), {}
        if kind == "TEXT" and not fields.get("text"):
            return 400, graph_error(100, "The parameter text is required."), {}
        if fields.get("link_attachment") and kind != "TEXT":
            return 400, graph_error(100, "link_attachment is only for TEXT posts."), {}
        if kind == "IMAGE" and not fields.get("image_url"):
            return 400, graph_error(100, "The parameter image_url is required."), {}
        if kind == "VIDEO" and not fields.get("video_url"):
            return 400, graph_error(100, "The parameter video_url is required."), {}
        if len(fields.get("text", "").encode()) > 2000:
            return 400, graph_error(100, "Param text must be at most 500 characters long."), {}
        return None

    def fetch_failed(self, url: str, container: dict):
        container["state"] = "ERROR"
        container["error"] = "UNKNOWN"
        return None

    def check_image(self, data: bytes, kind: str, container: dict):
        if kind.split(";")[0] not in ("image/jpeg", "image/png"):
            container["state"] = "ERROR"
            container["error"] = "UNKNOWN"
        return None

    def not_a_video(self) -> str:
        return "FAILED_PROCESSING_VIDEO"

    def status_fields(self, container_id: str, state: str) -> dict:
        body = {"id": container_id, "status": state}
        if state == "ERROR":
            body["error_message"] = self.containers[container_id]["error"] or "UNKNOWN"
        return body

    def not_ready(self):
        return 400, graph_error(24, "The requested resource does not exist", 4279009,
                                error_user_msg="Media Not Found"), {}

    def quota_exceeded(self):
        return 400, graph_error(4, "Application request limit reached"), {}
