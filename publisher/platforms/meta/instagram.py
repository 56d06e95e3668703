"""Instagram (professional accounts) through the Graph API's content publishing.

- A post is a container made with POST /{ig-user-id}/media (``image_url``,
  ``caption``, ``alt_text``) and published with POST /{ig-user-id}/media_publish
  (``creation_id``); the shared flow, its crash recovery and the quota
  (GET /{ig-user-id}/content_publishing_limit: the account's own number, else
  the guide's 100 posts in 24 hours) are in
  :mod:`publisher.platforms.meta.containers`.
- Up to 10 images make a carousel: one container per image
  (``is_carousel_item``), then a CAROUSEL container with the children's ids.
- Instagram takes images only from a public address: the account's
  ``media_url`` serves the workspace's media/ folder, and ``validate`` asks
  that address for each image (the one network call it makes). JPEG only,
  8 MB at most, aspect ratios from 4:5 to 1.91:1; a caption of at most 2200
  characters, 30 hashtags and 20 @ tags; a post without an image is refused.
- A video is a Reel (IG User Media reference, "Reels" limits:
  https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media;
  content publishing guide:
  https://developers.facebook.com/docs/instagram-platform/content-publishing/): a
  container with ``media_type=REELS``, ``video_url`` (the account's ``media_url`` and
  the file, as an image's), ``caption`` and ``share_to_feed=true``, polled by its
  ``status_code`` (IN_PROGRESS, FINISHED, ERROR with the reason in ``status``,
  EXPIRED, PUBLISHED) until FINISHED, then /media_publish. MOV or MP4, H.264 or HEVC,
  AAC, 3 s to 15 min, 300 MB, 23 to 60 frames a second, at most 1920 pixels wide,
  aspect ratios from 0.01:1 to 10:1 (9:16 recommended). The API takes no subtitle
  file (Instagram's own automatic captions are not ours) and ``alt_text`` for images
  only, so a Reel goes without the video's alt text.
- The account's id (``--handle``) is the Instagram account's numeric id; with
  Instagram Login a non-numeric handle is looked up with GET /me.
- Two logins: Facebook Login (the default API base graph.facebook.com; a Page
  token made from a long-lived user token does not expire, and one that does
  cannot be renewed without the app secret, so it is not) and Instagram Login
  (graph.instagram.com, or any other base: a 60-day token renewed with
  ``ig_refresh_token``). The token record that ``accounts login`` writes says
  which (``"login": "facebook" | "instagram"``) and wins over the base; an
  Instagram Login account without its own ``--api-base`` talks to
  graph.instagram.com.
- The API has no language field: Instagram guesses the language itself.
- A first comment goes under the post with POST /{ig-media-id}/comments
  (``message``), once: the post's comments (GET of the same edge) are read first
  and after a crash (:mod:`publisher.platforms.common.comments`).
- Corrections: the IG Media reference has no delete, and its update (POST
  /{ig-media-id}) takes ``comment_enabled`` only, so a post's caption can be
  neither removed nor edited through the API: a person does it in the app. A first
  comment is deleted with DELETE /{ig-comment-id} (comment moderation guide).
- Counts (``engagement``): the media's ``like_count`` and ``comments_count``, and from
  its insights ``views`` (``reach`` where views has no data) and ``shares``, where the
  token may read insights (instagram_manage_insights, or instagram_business_manage_insights
  with Instagram Login); a token that may not leaves those unknown.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from publisher.domain.accounts import Account
from publisher.domain.posttypes import PartKind
from publisher.domain.remedies import WithRemedy, set_account
from publisher.domain.results import Engagement
from publisher.domain.textrules import count_text
from publisher.domain.video import MB
from publisher.i18n import N_
from publisher.platforms.base import Abilities, NotFound, Post, Published, Rejected, Unsupported
from publisher.platforms.common.comments import (
    CommentApi,
    Comments,
    comment_once,
    find_comment,
)
from publisher.platforms.common.token_records import read_token_meta
from publisher.platforms.meta.containers import (
    META_VIDEO,
    ContainerAdapter,
    graph_id,
    host_of,
    is_numeric_id,
)
from publisher.platforms.meta.graph import FACEBOOK_LOGIN_HOST, GRAPH_VERSION, INSTAGRAM_LOGIN_HOST

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

# The caption's limit on @ tags (IG User Media reference: "Maximum 2200
# characters, 30 hashtags, and 20 @ tags"; more is refused with 100/2207040).
MAX_MENTIONS = 20
# An @username (letters, digits, '.', '_'), not inside an address or a path.
# A media's insights (IG Media Insights reference): ``views`` took the place of
# ``impressions`` and ``plays`` (deprecated for all versions on 21 April 2025) and is
# served for FEED (an image or a carousel) and REELS alike, as are reach and shares: a
# Reel needs no other metrics here.
MEDIA_INSIGHTS = "views,reach,shares"
# What a Reel may be (IG User Media reference, Reels specifications).
INSTAGRAM_REELS = replace(META_VIDEO, max_bytes=300 * MB, max_seconds=15 * 60, min_seconds=3)
_MENTION = re.compile(r"(?<![\w@./])@([A-Za-z0-9_](?:[A-Za-z0-9._]*[A-Za-z0-9_])?)")


class InstagramAdapter(ContainerAdapter):
    platform = "instagram"
    name = "Instagram"
    version = GRAPH_VERSION
    create_edge = "media"
    publish_edge = "media_publish"
    quota_edge = "content_publishing_limit"
    posts_edge = "media"
    text_field = "caption"
    status_fields = "status_code,status"
    default_quota = 100  # the content publishing guide's number, when the answer has none
    max_images = 10
    max_image_bytes = 8 * 1024 * 1024
    image_types = ("image/jpeg",)
    aspect_range = (4 / 5, 1.91)
    refresh_grant = "ig_refresh_token"
    profile_url = "https://www.instagram.com/{username}/"
    web_hosts = ("instagram.com",)
    post_paths = ("p", "reel", "tv")
    # A post's; a first comment can be deleted (DELETE /{ig-comment-id}).
    abilities = Abilities(
        delete=False, edit=False, delete_comment=True,
        why_not_delete=N_("Instagram's API cannot delete a post: remove it by hand in the "
                          "Instagram app"),
        why_not_edit=N_("Instagram's API cannot edit a caption: edit it by hand in the "
                        "Instagram app"),
        video=INSTAGRAM_REELS)
    fetch_failures = ("2207052",)  # the media could not be fetched from its address

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.account.api_base is None and self._login() == "instagram":
            # Logged in with Instagram Login: its tokens work on its own host only.
            self.base_url = f"https://{INSTAGRAM_LOGIN_HOST}"

    def _login(self) -> str | None:
        """What ``accounts login`` noted in the token record: facebook or instagram."""
        return read_token_meta(self.secrets, self.account.id).get("login")

    def instagram_login(self) -> bool:
        """Instagram Login (a renewable 60-day token) rather than Facebook Login."""
        login = self._login()
        if login in ("facebook", "instagram"):
            return login == "instagram"
        host = host_of(self.base_url)
        return host != FACEBOOK_LOGIN_HOST

    def can_refresh(self) -> bool:
        return self.instagram_login()

    def _handle(self) -> str:
        return (self.account.handle or "").strip().lstrip("@")

    def user_id(self) -> str:
        if self._user is None:
            if is_numeric_id(self._handle()):
                self._user = self._handle()
            elif self.instagram_login():
                me = self.call("GET", "me", params={"fields": "user_id,username"})
                self._user = str(me.get("user_id") or me.get("id") or "")
                if not self._user:
                    raise Rejected("Instagram did not say which account the token is for")
            else:
                problem = self._needs_id()
                raise Rejected(problem, remedy=problem.remedy)
        return self._user

    def _needs_id(self) -> WithRemedy:
        return WithRemedy(f"{self.account.id}: the handle must be the Instagram account's "
                          "numeric id", set_account(self.account.id, "handle", "ID"))

    def extra_problems(self, post: Post) -> list[str]:
        problems = []
        mentions = count_mentions(post.text)
        if mentions > MAX_MENTIONS:
            problems.append(f"{mentions} @ tags: Instagram allows at most {MAX_MENTIONS}")
        if not is_numeric_id(self._handle()) and not self.instagram_login():
            problems.append(self._needs_id())
        return problems

    def container_fields(self, post: Post, urls: list[str]) -> dict[str, str]:
        if not urls:
            raise Rejected("Instagram needs an image")
        fields = {"image_url": urls[0], "caption": post.text}
        if post.media[0].alt.strip():
            fields["alt_text"] = post.media[0].alt
        return fields

    def video_fields(self, post: Post, url: str) -> dict[str, str]:
        # No alt_text: the reference takes it for images only.
        return {"media_type": "REELS", "video_url": url, "caption": post.text,
                "share_to_feed": "true"}

    def child_fields(self, url: str, alt: str) -> dict[str, str]:
        fields = {"image_url": url, "is_carousel_item": "true"}
        if alt.strip():
            fields["alt_text"] = alt
        return fields

    def carousel_fields(self, post: Post, children: list[str]) -> dict[str, str]:
        return {"media_type": "CAROUSEL", "children": ",".join(children),
                "caption": post.text}

    def container_status(self, answer: dict) -> tuple[str, str]:
        return str(answer.get("status_code") or ""), str(answer.get("status") or "")

    # The first comment: under the post, not a container

    def validate(self, post: Post) -> list[str]:
        if post.kind == PartKind.COMMENT:  # a comment has no image and needs none
            return list(count_text("instagram", post.text, has_media=True).problems)
        return super().validate(post)

    def publish(self, post: Post, idempotency_key: str) -> Published:
        if post.kind == PartKind.COMMENT:
            return comment_once(self._comments(), post)
        return super().publish(post, idempotency_key)

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        if post.kind == PartKind.COMMENT:
            return find_comment(self._comments(), post)
        return super().find(idempotency_key, post)

    def delete(self, target: Published, post: Post) -> None:
        """A first comment: DELETE /{ig-comment-id}. A post: the API cannot."""
        if post.kind == PartKind.COMMENT:
            super().delete(target, post)
            return
        raise Unsupported("Instagram's API cannot delete a post: remove it by hand in the "
                          f"Instagram app ({target.url or target.remote_id})")

    def edit(self, target: Published, post: Post) -> Published:
        """Neither a caption nor a comment can be edited through the API."""
        raise Unsupported("Instagram's API cannot edit a caption or a comment: edit it by "
                          f"hand in the Instagram app ({target.url or target.remote_id})")

    def engagement(self, target: Published, post: Post) -> Engagement:
        """GET /{ig-media-id}?fields=like_count,comments_count (IG Media reference), then
        GET /{ig-media-id}/insights?metric=views,reach,shares (IG Media Insights
        reference). A media gone (100/33) is Rejected."""
        media_id = graph_id(target)
        media = self.call("GET", media_id, missing_ok=True,
                          params={"fields": "id,like_count,comments_count,media_product_type"})
        if not media.get("id"):
            raise Rejected(f"Instagram has no post {media_id} any more")
        insights = self.read_insights(media_id, MEDIA_INSIGHTS) or {}
        return Engagement(likes=_count(media, "like_count"),
                          replies=_count(media, "comments_count"),
                          reposts=insights.get("shares"),
                          impressions=insights.get("views", insights.get("reach")))

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        # A container is published at most once; a comment is looked for before it is
        # sent again.
        return True

    def _comments(self) -> CommentApi:
        def listed(media_id: str) -> Comments:
            answer = self.call("GET", f"{media_id}/comments",
                               params={"fields": "id,text,timestamp"})
            return Comments(answer.get("data") or [], not (answer.get("paging") or {})
                            .get("next"))

        def create(media_id: str, text: str) -> Published:
            answer = self.call("POST", f"{media_id}/comments", data={"message": text},
                               sending=True)
            if not answer.get("id"):
                raise Rejected("Instagram made no comment (no id in the answer)")
            return Published(str(answer["id"]))

        return CommentApi(listed, lambda entry: entry.get("text"), create,
                          lambda entry: Published(str(entry["id"])))



def _count(answer: dict, name: str) -> int | None:
    value = answer.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def count_mentions(text: str) -> int:
    """The different accounts a caption @-tags (an e-mail address tags nobody)."""
    return len({name.lower() for name in _MENTION.findall(text)})


def make_adapter(account: Account, adapters: Adapters) -> InstagramAdapter:
    return InstagramAdapter.for_account(account, adapters)
