"""Threads through its Graph API (graph.threads.net).

- A post is a container made with POST /{threads-user-id}/threads
  (``media_type`` TEXT or IMAGE, ``text``, ``image_url``, ``alt_text``; a TEXT
  post's link card as ``link_attachment``) and
  published with POST /{threads-user-id}/threads_publish (``creation_id``);
  2 to 20 images make a CAROUSEL of item containers. The shared flow, its
  crash recovery and the quota (GET /{threads-user-id}/threads_publishing_limit,
  250 posts in 24 hours) are in :mod:`publisher.platforms.meta.containers`.
- Text: 500 characters (emoji count as their UTF-8 bytes), at most 5 links.
  Images: JPEG or PNG, 8 MB at most, aspect ratio up to 10:1, fetched by
  Threads from the account's ``media_url`` (``validate`` checks they are there).
- A video (Threads API, Posts, "Single Thread Posts" and media specifications:
  https://developers.facebook.com/docs/threads/posts): a container with
  ``media_type=VIDEO``, ``video_url`` (its public address, as an image's), ``text``
  and ``alt_text``, polled with GET /{container}?fields=status,error_message
  (IN_PROGRESS, FINISHED, ERROR with ``error_message``, EXPIRED, PUBLISHED) until
  FINISHED, then /threads_publish. MOV or MP4, H.264 or HEVC, AAC, 5 minutes and 1 GB
  at most, 23 to 60 frames a second, at most 1920 pixels wide, aspect ratios from
  0.01:1 to 10:1. The API takes no subtitle file.
- ``--handle``: the numeric Threads user id; anything else (an @name, or
  nothing) uses ``me`` in the paths, which Threads resolves to the token's user.
- Tokens live 60 days and are renewed with GET /refresh_access_token
  (``th_refresh_token``) 30 days before they expire.
- The API has no language field.
- Corrections: DELETE /{threads-media-id} removes a post (threads_delete; 100
  deletes per account a day; "Delete Posts" guide); the API has no edit.
  ``locate`` finds a pasted permalink among the latest posts and replies.
- Counts (``engagement``): the post's insights, its only source of counts; they need
  ``threads_manage_insights``, and a token without it cannot read them (Unsupported,
  with the remedy: log in again).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from publisher.domain.accounts import Account
from publisher.domain.remedies import log_in
from publisher.domain.results import Engagement
from publisher.domain.video import MB
from publisher.i18n import N_
from publisher.platforms.base import Abilities, Post, Published, Unsupported
from publisher.platforms.meta.containers import (
    META_VIDEO,
    ContainerAdapter,
    graph_id,
    is_numeric_id,
)

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

# The Threads API version in its paths.
THREADS_VERSION = "v1.0"
# A post's insights (Threads Insights API, Media Insights: views, likes, replies,
# reposts, quotes, shares); a root post's replies count them all.
MEDIA_INSIGHTS = "views,likes,replies,reposts,quotes"
# What a video post may be (Threads API, Posts: media specifications).
THREADS_VIDEO = replace(META_VIDEO, max_bytes=1024 * MB, max_seconds=5 * 60)


class ThreadsAdapter(ContainerAdapter):
    platform = "threads"
    name = "Threads"
    version = THREADS_VERSION
    create_edge = "threads"
    publish_edge = "threads_publish"
    quota_edge = "threads_publishing_limit"
    posts_edge = "threads"
    text_field = "text"
    status_fields = "status,error_message"
    default_quota = 250
    max_images = 20
    max_image_bytes = 8 * 1024 * 1024
    image_types = ("image/jpeg", "image/png")
    aspect_range = (1 / 10, 10.0)
    refresh_grant = "th_refresh_token"
    profile_url = "https://www.threads.net/@{username}"
    web_hosts = ("threads.net", "threads.com")
    post_paths = ("post",)
    replies_edge = "replies"
    abilities = Abilities(delete=True, edit=False, why_not_edit=N_(
        "Threads' API cannot edit a post: delete it and post the correction"),
        video=THREADS_VIDEO)
    fetch_failures = ("FAILED_DOWNLOADING_VIDEO",)

    def user_id(self) -> str:
        handle = (self.account.handle or "").strip()
        return handle if is_numeric_id(handle) else "me"

    def container_fields(self, post: Post, urls: list[str]) -> dict[str, str]:
        if not urls:
            fields = {"media_type": "TEXT", "text": post.text, **_reply_fields(post)}
            if post.card is not None:  # Threads reads the page's preview itself
                fields["link_attachment"] = post.card.url
            return fields
        fields = {"media_type": "IMAGE", "image_url": urls[0], **_reply_fields(post)}
        if post.text:
            fields["text"] = post.text
        if post.media[0].alt.strip():
            fields["alt_text"] = post.media[0].alt
        return fields

    def video_fields(self, post: Post, url: str) -> dict[str, str]:
        fields = {"media_type": "VIDEO", "video_url": url, **_reply_fields(post)}
        if post.text:
            fields["text"] = post.text
        if post.media[0].alt.strip():
            fields["alt_text"] = post.media[0].alt
        return fields

    def recent_edge(self, post: Post) -> str:
        # A thread's part or a first comment is a reply: it is among the user's replies.
        return self.replies_edge if post.reply_to is not None else self.posts_edge

    def child_fields(self, url: str, alt: str) -> dict[str, str]:
        fields = {"media_type": "IMAGE", "image_url": url, "is_carousel_item": "true"}
        if alt.strip():
            fields["alt_text"] = alt
        return fields

    def carousel_fields(self, post: Post, children: list[str]) -> dict[str, str]:
        fields = {"media_type": "CAROUSEL", "children": ",".join(children)}
        if post.text:
            fields["text"] = post.text
        return fields

    def container_status(self, answer: dict) -> tuple[str, str]:
        return str(answer.get("status") or ""), str(answer.get("error_message") or "")

    def engagement(self, target: Published, post: Post) -> Engagement:
        """GET /{threads-media-id}/insights?metric=views,likes,replies,reposts,quotes
        (Threads Insights API, Media Insights). A post gone (100/33) is Rejected."""
        values = self.read_insights(graph_id(target), MEDIA_INSIGHTS)
        if values is None:
            raise Unsupported("the Threads token may not read insights "
                              "(threads_manage_insights): log in again to grant it",
                              remedy=log_in(self.account.id))
        return Engagement(likes=values.get("likes"), reposts=values.get("reposts"),
                          replies=values.get("replies"), quotes=values.get("quotes"),
                          impressions=values.get("views"))



def _reply_fields(post: Post) -> dict[str, str]:
    """A thread's part or first comment: a reply container (reply_to_id) to its post."""
    return {"reply_to_id": post.reply_to.remote_id} if post.reply_to is not None else {}


def make_adapter(account: Account, adapters: Adapters) -> ThreadsAdapter:
    return ThreadsAdapter.for_account(account, adapters)
