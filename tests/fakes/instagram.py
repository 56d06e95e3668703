"""Instagram's content publishing API (graph.facebook.com / graph.instagram.com),
as its reference describes it: /{ig-user-id}/media, /media_publish,
/content_publishing_limit (the reference's example answer: 50 posts in 24 hours;
the guide now says 100), /{container}?fields=status_code,
/{ig-media}?fields=permalink, /me (Instagram Login) and /refresh_access_token
(``ig_refresh_token``).

Error answers from the reference's table: 9004/2207052 when the image cannot
be fetched, 36001/2207005 for a format other than JPEG, 9007/2207027 for a
container not ready yet, 9/2207042 past the publishing limit, -2/2207020 for
an expired container.

Counts: GET /{ig-media-id}?fields=like_count,comments_count,media_product_type and the
media insights of the current reference (views, reach, shares, saved, likes, comments,
total_interactions; impressions and plays are retired and refused).
"""

from __future__ import annotations

from fakes.meta import FakeMeta, graph_error


class FakeInstagram(FakeMeta):
    version = "v23.0"
    create_edge = "media"
    publish_edge = "media_publish"
    quota_edge = "content_publishing_limit"
    posts_edge = "media"
    text_field = "caption"
    refresh_grant = "ig_refresh_token"
    quota_total = 50
    permalink_base = "https://www.instagram.com/p/"
    insight_metrics = ("views", "reach", "shares", "saved", "likes", "comments",
                       "total_interactions")

    def __init__(self, user_id: str = "17841400000000001", username: str = "kosovoembassy",
                 token: str = "ig-token"):
        super().__init__(user_id, username, token)

    def users(self) -> set[str]:
        return {self.user_id, "me"}

    def profile(self) -> dict:
        return {"id": self.user_id, "user_id": self.user_id, "username": self.username,
                "name": "Embassy of Kosovo"}

    def fields_of(self, post: dict, names: list[str]) -> dict:
        counts = self.counts.get(post["id"], {})
        known = {"like_count": counts.get("likes", 0), "comments_count": counts.get("comments", 0),
                 "media_product_type": post.get("product_type", "FEED"),
                 "media_type": "IMAGE"}
        return {name: known[name] for name in names if name in known}

    def check_fields(self, fields: dict[str, str]):
        if fields.get("media_type") == "REELS":
            if not fields.get("video_url"):
                return 400, graph_error(100, "The parameter video_url is required."), {}
            if fields.get("alt_text"):  # the reference takes alt_text for images only
                return 400, graph_error(100, "Invalid parameter alt_text for REELS"), {}
        elif fields.get("media_type") != "CAROUSEL" and not fields.get("image_url"):
            return 400, graph_error(100, "The parameter image_url is required."), {}
        if len(fields.get("caption", "")) > 2200:
            return 400, graph_error(36004, "The caption is too long", 2207010), {}
        return None

    def fetch_failed(self, url: str, container: dict):
        return 400, graph_error(9004, "Only photo or video can be accepted as media type.",
                                2207052, error_user_title="Media download has failed.",
                                error_user_msg="The media could not be fetched from this URI: "
                                               f"{url}. Please check the following and try "
                                               "again"), {}

    def check_image(self, data: bytes, kind: str, container: dict):
        if not data.startswith(b"\xff\xd8") or kind.split(";")[0] != "image/jpeg":
            return 400, graph_error(36001, "The image format is not supported.", 2207005,
                                    error_user_msg="The image format is not supported. "
                                                   "Supported formats are: JPEG"), {}
        if len(data) > 8 * 1024 * 1024:
            return 400, graph_error(36000, "The image size is too large.", 2207004), {}
        return None

    def status_fields(self, container_id: str, state: str) -> dict:
        words = {"IN_PROGRESS": "In Progress: Media is still being processed.",
                 "FINISHED": "Finished: Media has been uploaded and it is ready to be "
                             "published.",
                 "PUBLISHED": "Published: Media has been successfully published.",
                 "EXPIRED": "Expired: Media was not published within 24 hours.",
                 "ERROR": "Error: Media upload failed (2207052)."}
        error = self.containers[container_id].get("error")
        if state == "ERROR" and error:
            return {"id": container_id, "status_code": state, "status": f"Error: {error}"}
        return {"id": container_id, "status_code": state, "status": words[state]}

    def not_ready(self):
        return 400, graph_error(9007, "Media ID is not available", 2207027,
                                error_user_msg="The media is not ready for publishing, "
                                               "please wait for a moment"), {}

    def quota_exceeded(self):
        return 400, graph_error(9, "Application request limit reached", 2207042,
                                error_user_msg="You reached maximum number of posts that is "
                                               "allowed to be published by Content "
                                               "Publishing API."), {}
