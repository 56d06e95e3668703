"""Facebook pages through the Graph API: /{page-id}/feed and /{page-id}/photos.

- The page access token goes in the Authorization header, never in a URL.
- One image: POST /photos with the text as its message and the alt text as
  ``alt_text_custom``. Several: each uploaded unpublished, then one /feed post
  with ``attached_media``. No image but a link card: the /feed post's ``link``
  (Facebook reads the page's preview itself).
- Graph error codes, not HTTP statuses, say what went wrong (read as for
  Instagram and Threads, :mod:`publisher.platforms.meta.graph`); 506 is a
  duplicate post, which means an earlier attempt probably went out.
- No idempotency key: after a crash ``find`` looks at the page's latest posts;
  a post not found there stays unknown for a person.
- The Graph API has no language field for a page post.
- A first comment goes under the post with POST /{post-id}/comments (``message``),
  once: the post's comments (GET of the same edge) are read first and after a
  crash (:mod:`publisher.platforms.common.comments`).
- Corrections: POST /{post-id} (``message``) edits a page post and DELETE
  /{post-id} removes it; a comment is /{comment-id} likewise (Pages API, Posts:
  "Update a Post", "Delete a Post"; Comments reference: updating, deleting).
- Counts (``engagement``): the post's reactions, comments and shares, and its views
  from the post's insights (``post_media_view``) where the page token may read them
  (``read_insights``); a token that may not leaves the views unknown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from publisher.domain.accounts import Account
from publisher.domain.posttypes import PartKind
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
)
from publisher.platforms.common.adapters import TokenAdapter
from publisher.platforms.common.comments import (
    CommentApi,
    Comments,
    comment_once,
    find_comment,
)
from publisher.platforms.common.http import json_object, request
from publisher.platforms.common.media import image_type, media_problems
from publisher.platforms.common.recent import find_ours, verdict
from publisher.platforms.common.urls import digits, not_a_post, not_ours, split_address
from publisher.platforms.meta.graph import (
    GRAPH_VERSION,
    Duplicate,
    as_int,
    graph_error,
    insight_values,
    insights_refused,
    is_missing,
)

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

MAX_IMAGES = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024
WEB_HOSTS = ("facebook.com",)
# A post's counts in one read: the edges' summaries without their entries, and shares.
COUNT_FIELDS = ("id,reactions.limit(0).summary(total_count),"
                "comments.filter(stream).limit(0).summary(total_count),shares")
# Its views: post_media_view took the place of post_impressions (deprecated for all
# versions on 15 November 2025; Pages API changelog).
VIEWS_METRIC = "post_media_view"


def make_adapter(account: Account, adapters: Adapters) -> FacebookAdapter:
    return FacebookAdapter.for_account(account, adapters, page_id=account.handle)


@dataclass(repr=False)
class FacebookAdapter(TokenAdapter):
    page_id: str | None = None
    platform: str = "facebook"
    abilities = Abilities(delete=True, edit=True)

    def __repr__(self) -> str:
        return f"FacebookAdapter(base_url={self.base_url!r}, page_id={self.page_id!r})"

    def _page(self) -> str:
        if not self.page_id:
            raise Rejected("the account has no page id: set its handle to the page id",
                           remedy=self._set_handle("PAGE_ID"))
        return self.page_id

    def _call(self, method: str, path: str, *, missing_ok: bool = False,
              insights: bool = False, **kwargs: Any) -> dict:
        """One Graph call; ``missing_ok``: an answer that the object is not there
        (:func:`is_missing`) gives ``{}`` rather than an error; ``insights``: so does one
        that the token may not read them (:func:`insights_refused`)."""
        if not self.token:
            raise self._missing_token("page access token")
        response = request(
            self.session, method, f"{self.base_url}/{GRAPH_VERSION}/{path}",
            headers={"Authorization": f"Bearer {self.token}"}, secrets=self._secrets, **kwargs,
        )
        if response.status_code < 400:
            return json_object(response)
        if (missing_ok and is_missing(response)) or (insights and insights_refused(response)):
            return {}
        # Any call may stand between a post and its record (the look for it after a
        # duplicate too): with no idempotency key, passing trouble leaves it unknown.
        raise graph_error(response, "Graph", now=self.clock(), secrets=self._secrets,
                          sending=True)

    # The interface

    def validate(self, post: Post) -> list[str]:
        problems = list(count_text("facebook", post.text, has_media=bool(post.media)).problems)
        problems += media_problems("Facebook", post.media, max_images=MAX_IMAGES,
                                   max_bytes=MAX_PHOTO_BYTES)
        return problems

    def publish(self, post: Post, idempotency_key: str) -> Published:
        if post.kind == PartKind.COMMENT:
            return comment_once(self._comments(), post)
        page = self._page()
        try:
            if len(post.media) == 1:
                media = post.media[0]
                answer = self._photo(media, {"message": post.text, "published": "true"})
                post_id = str(answer.get("post_id") or f"{page}_{answer['id']}")
            else:
                data: dict[str, str] = {"message": post.text}
                if post.media:
                    ids = [self._photo(m, {"published": "false"})["id"] for m in post.media]
                    data["attached_media"] = json.dumps([{"media_fbid": i} for i in ids])
                elif post.card is not None:
                    data["link"] = post.card.url  # Facebook reads the page's card itself
                post_id = str(self._call("POST", f"{page}/feed", data=data)["id"])
        except Duplicate as error:
            found = self.find(idempotency_key, post)
            if isinstance(found, Published):
                return found
            raise Rejected(f"{error.message} (an earlier attempt probably went out; "
                           "check the page)") from None
        return Published(post_id, _permalink(post_id))

    def _photo(self, media, data: dict[str, str]) -> dict:
        fields = dict(data)
        if media.alt:
            fields["alt_text_custom"] = media.alt
        with open(media.path, "rb") as handle:
            return self._call("POST", f"{self._page()}/photos", data=fields,
                              files={"source": (media.path.name, handle, image_type(media.path))})

    def _comments(self) -> CommentApi:
        def listed(post_id: str) -> Comments:
            answer = self._call("GET", f"{post_id}/comments",
                                params={"fields": "id,message,permalink_url",
                                        "filter": "stream", "limit": "100"})
            return Comments(answer.get("data") or [], not (answer.get("paging") or {})
                            .get("next"))

        def create(post_id: str, text: str) -> Published:
            answer = self._call("POST", f"{post_id}/comments", data={"message": text})
            if not answer.get("id"):
                raise Rejected("Facebook made no comment (no id in the answer)")
            return Published(str(answer["id"]))

        return CommentApi(listed, lambda entry: entry.get("message"), create,
                          lambda entry: Published(str(entry["id"]),
                                                  entry.get("permalink_url")))

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        if post.kind == PartKind.COMMENT:
            return find_comment(self._comments(), post)
        answer = self._call("GET", f"{self._page()}/posts",
                            params={"fields": "id,message,permalink_url,created_time",
                                    "limit": "25"})
        entry = find_ours(post.text, answer.get("data") or [],
                          lambda entry: str(entry.get("message", "")))
        if entry is None:
            return verdict(None)
        post_id = str(entry["id"])
        return Published(post_id, entry.get("permalink_url") or _permalink(post_id))

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        return False

    def token_status(self) -> TokenStatus:
        # A page token made from a long-lived user token does not expire.
        return TokenStatus(None)

    def check(self) -> Identity:
        page = self._call("GET", self._page(), params={"fields": "id,name,link"})
        return Identity(str(page.get("name") or page.get("id")), page.get("link"))

    # Correcting and retracting

    def delete(self, target: Published, post: Post) -> None:
        """DELETE /{post-id} (a first comment: /{comment-id}): ``{"success": true}``;
        an object that is not there any more (error 100/33) is done."""
        self._call("DELETE", _object_id(target), missing_ok=True)

    def edit(self, target: Published, post: Post) -> Published:
        """POST /{post-id} (a first comment: /{comment-id}) with the new ``message``."""
        problems = count_text("facebook", post.text, has_media=bool(post.media)).problems
        if problems:
            raise Rejected(problems[0])
        answer = self._call("POST", _object_id(target), data={"message": post.text})
        if answer.get("success") is False:
            raise Rejected(f"Facebook did not change {target.remote_id}")
        return target

    def locate(self, url: str) -> Published:
        """The page post (or comment) at ``url``: GET /{id}?fields=id,from,permalink_url,
        and it is this page's when ``from`` is the page."""
        object_id, comment = fb_object_of(url, self._page())
        found = self._call("GET", object_id, missing_ok=True,
                           params={"fields": "id,from,permalink_url"})
        if not found.get("id"):
            raise not_ours(url, "Facebook has no such post")
        if str((found.get("from") or {}).get("id")) != self._page():
            raise not_ours(url, "another page or person wrote it")
        return Published(object_id, found.get("permalink_url")
                         or (url.strip() if comment else _permalink(object_id)))

    # Results

    def engagement(self, target: Published, post: Post) -> Engagement:
        """GET /{post-id}?fields=reactions.summary(total_count),comments.summary(total_count),
        shares (Graph API Page Post reference: the reactions and comments edges' summary,
        ``shares.count``, absent while nobody shared), then GET /{post-id}/insights?metric=
        post_media_view (Graph API Insights reference, Page Post metrics; needs
        ``read_insights``). A post gone (100/33) is Rejected."""
        object_id = _object_id(target)
        answer = self._call("GET", object_id, missing_ok=True, params={"fields": COUNT_FIELDS})
        if not answer.get("id"):
            raise Rejected(f"Facebook has no post {object_id} any more")
        views = insight_values(self._call("GET", f"{object_id}/insights", insights=True,
                                          params={"metric": VIEWS_METRIC}))
        return Engagement(likes=_total(answer, "reactions"), replies=_total(answer, "comments"),
                          reposts=as_int((answer.get("shares") or {}).get("count")),
                          impressions=views.get(VIEWS_METRIC))


def _total(answer: dict, edge: str) -> int | None:
    """An edge's ``summary.total_count`` (None when the answer has no summary)."""
    summary = (answer.get(edge) or {}).get("summary") or {}
    value = summary.get("total_count")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _object_id(target: Published) -> str:
    parts = target.remote_id.split("_")
    if not all(digits(part) for part in parts) or len(parts) > 2:
        raise Rejected(f"{target.remote_id!r} is not a Facebook post or comment id")
    return target.remote_id


def fb_object_of(url: str, page_id: str) -> tuple[str, bool]:
    """The Graph id of the page post (``<page>_<story>``) or of its comment
    (``<story>_<comment>``) in a facebook.com address: /<page>/posts/<story>,
    /permalink.php?story_fbid=<story>&id=<page>, /<page>_<story>, each with
    ``?comment_id=<comment>`` for a comment (then True). A ``pfbid`` address hides
    the ids."""
    address = split_address(url, "Facebook")
    segments, query = address.segments, address.query
    page, story = None, None
    if address.host in WEB_HOSTS:
        if len(segments) == 3 and segments[1] == "posts" and digits(segments[2]):
            page, story = segments[0], segments[2]
        elif segments in (("permalink.php",), ("story.php",)) \
                and digits(query.get("story_fbid", "")):
            page, story = query.get("id", page_id), query["story_fbid"]
        elif len(segments) == 1 and segments[0].count("_") == 1 \
                and all(digits(part) for part in segments[0].split("_")):
            page, story = segments[0].split("_")
    if page is None or story is None:
        raise not_a_post(url, "Facebook")
    if digits(page) and page != page_id:
        raise not_ours(url, f"it is page {page}'s, the account is page {page_id}")
    comment = query.get("comment_id", "")
    if comment:
        if not digits(comment):
            raise not_a_post(url, "Facebook")
        return f"{story}_{comment}", True
    return f"{page_id}_{story}", False


def _permalink(post_id: str) -> str:
    page, _, story = post_id.partition("_")
    if story:
        return f"https://www.facebook.com/{page}/posts/{story}"
    return f"https://www.facebook.com/{post_id}"
