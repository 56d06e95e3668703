"""LinkedIn's Posts, Images and OAuth APIs as their references describe them.

- /rest/* calls need ``Linkedin-Version: YYYYMM`` (400 VERSION_MISSING without
  it, 426 NONEXISTENT_VERSION for a sunset one) and
  ``X-Restli-Protocol-Version: 2.0.0``.
- POST /rest/posts answers 201 with no body and the post's URN in the
  ``x-restli-id`` header. The commentary is read as "little" text by a parser
  written here from the published grammar (not the adapter's): an unescaped
  reserved character that starts no element ends the text there, silently,
  as LinkedIn does. The same words twice from one author: 422 "Content is a
  duplicate of urn:li:share:N" (DUPLICATE_POST).
- GET /rest/posts?q=author (the finder) lists the author's posts, newest
  first, with the commentary as stored (hashtags as templates). A person's
  posts are closed without the restricted r_member_social (403 ACCESS_DENIED)
  unless ``member_can_read``.
- POST /rest/images?action=initializeUpload, then PUT to the upload URL.
- POST /oauth/v2/accessToken with grant_type=refresh_token: LinkedIn keeps
  the refresh token (its remaining life shrinks), returns a new access token.
- POST /rest/socialActions/{post URN}/comments (``actor``, ``object``,
  ``message.text``) answers 201 with the comment (its ``$URN``) and the
  ``x-restli-id`` header; GET of the same path lists them with ``paging.total``.
- GET /rest/posts/{encoded URN} reads one post (a person's only with
  ``member_can_read``); DELETE of it answers 204 and is idempotent (204 again for a
  post deleted already; 404 for a URN that never was); POST of it with
  ``X-RestLi-Method: PARTIAL_UPDATE`` and ``{"patch": {"$set": {"commentary"}}}``
  edits it (204). DELETE /rest/socialActions/{URN}/comments/{id}?actor= removes a
  comment (204; 404 when it is not there), POST of the same path with
  ``{"patch": {"message": {"$set": {"text"}}}}`` edits it (200, the comment).
- GET /rest/socialActions/{encoded URN} summarises a post's likes and comments
  (``likesSummary.totalLikes``, ``commentsSummary.aggregatedTotalComments``; a
  person's post only with ``member_can_read``; 404 for a post that is not there).
  GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&shares=List(URN)
  (or ugcPosts=) gives each post's lifetime ``totalShareStatistics`` (403 without
  rw_organization_admin: ``org_admin``). Counts come from ``counts[urn]`` (tests set
  likes, comments, shares, impressions, unique, clicks).
- Videos API: POST /rest/videos?action=initializeUpload ({owner, fileSizeBytes,
  uploadCaptions, uploadThumbnail}; 75 KB to 500 MB) answers the video URN, an upload
  token and ``uploadInstructions`` of ``part_size`` bytes each (LinkedIn's are 4 MB),
  with ``captionsUploadUrl`` when captions were asked for; each part is a PUT of
  exactly its bytes, answered with an ``ETag``; POST ?action=finalizeUpload needs
  every part's ETag in order (a second finalize is refused); GET /rest/videos/{urn}
  answers PROCESSING for ``processing_polls`` reads, then AVAILABLE (or
  PROCESSING_FAILED with ``fail_processing`` as the reason). A post may name a video
  only once it is AVAILABLE. ``kill_at_part`` = (pid, index): the process is killed
  when that part arrives (before it is answered). ``part_puts`` lists every (URN,
  part index) PUT, to check that a resumed upload sends no part twice.
- Errors are ``{"status", "serviceErrorCode", "code", "message"}``.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
from datetime import UTC, datetime
from urllib.parse import unquote

from fakes.base import FakeServer, Request, form_fields

RESERVED = set("\\|{}@[]()<>#*_~")
MAX_COMMENTARY = 3000


def error(status: int, code: str, message: str, service: int | None = None) -> dict:
    body: dict = {"status": status, "code": code, "message": message}
    if service is not None:
        body["serviceErrorCode"] = service
    return body


def render_little(text: str) -> tuple[str, list[str], list[str]]:
    """What LinkedIn shows of a little text: (plain text, hashtags, mentioned URNs).

    Grammar: Text escapes each reserved character with a backslash;
    MentionElement ``@[fallback](urn)``; HashtagElement ``#word``;
    HashtagTemplate ``{hashtag|#|value}`` (the sign may be ``\\#`` or ``＃``).
    Anything else reserved stops the text (LinkedIn's silent truncation).
    """
    out, tags, mentions = [], [], []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c not in RESERVED:
            out.append(c)
            i += 1
        elif c == "\\":
            if i + 1 < n and text[i + 1] in RESERVED:
                out.append(text[i + 1])
                i += 2
            else:
                break
        elif c == "{" and text.startswith("{hashtag|", i):
            j = i + len("{hashtag|")
            sign = None
            for candidate in ("\\#", "#", "\uff03"):
                if text.startswith(candidate + "|", j):
                    sign, j = candidate[-1], j + len(candidate) + 1
                    break
            value, ok = [], False
            while sign and j < n:
                if text[j] == "\\" and j + 1 < n and text[j + 1] in RESERVED:
                    value.append(text[j + 1])
                    j += 2
                elif text[j] == "}":
                    ok = True
                    break
                elif text[j] in RESERVED:
                    break
                else:
                    value.append(text[j])
                    j += 1
            if not ok or not value:
                break
            out.append(sign + "".join(value))
            tags.append("".join(value))
            i = j + 1
        elif c == "@" and text.startswith("@[", i):
            close = text.find("](", i)
            end = text.find(")", close + 2) if close > 0 else -1
            urn = text[close + 2:end] if end > 0 else ""
            if not urn.startswith("urn:li:"):
                break
            out.append(text[i + 2:close])
            mentions.append(urn)
            i = end + 1
        elif c == "#":
            j = i + 1
            while j < n and (text[j].isalnum()):
                j += 1
            if j == i + 1:
                break
            out.append(text[i:j])
            tags.append(text[i + 1:j])
            i = j
        else:
            break
    return "".join(out), tags, mentions


class FakeLinkedIn(FakeServer):
    def __init__(self, token: str = "li-access-token", *,
                 organization: str = "urn:li:organization:2414183",
                 person: str = "urn:li:person:8675309abc"):
        super().__init__()
        self.tokens = {token}
        self.refresh_tokens = {"li-refresh-1"}
        self.client_id, self.client_secret = "li-client", "li-client-secret"
        self.organization, self.person = organization, person
        self.can_post_for = {organization, person}
        self.member_can_read = False  # r_member_social is restricted to partners
        self.org_admin = True  # the token has rw_organization_admin (organization lookup)
        self.sunset_before = "202501"  # versions older than this answer 426
        self.now = datetime(2026, 12, 1, 8, 0, 5, tzinfo=UTC)
        self.posts: list[dict] = []
        self.images: dict[str, dict] = {}
        self.uploads: dict[str, str] = {}  # upload path -> image URN
        self.refreshes = 0
        self.comments: dict[str, list[dict]] = {}
        self.deleted: set[str] = set()
        self.counts: dict[str, dict[str, int]] = {}
        self._ids = itertools.count(7_400_000_000_000_000_001)
        # Videos API
        self.videos: dict[str, dict] = {}
        self.video_parts: dict[str, tuple[str, int]] = {}  # part path -> (URN, index)
        self.caption_uploads: dict[str, str] = {}  # captions path -> URN
        self.part_size = 4 * 1024 * 1024
        self.processing_polls = 0
        self.fail_processing: str | None = None
        self.kill_at_part: tuple[int, int] | None = None
        self.part_puts: list[tuple[str, int]] = []

    # Helpers for tests

    def add_post(self, author: str, commentary: str, created: datetime | None = None) -> str:
        urn = f"urn:li:share:{next(self._ids)}"
        text, tags, _ = render_little(commentary)
        moment = int((created or self.now).timestamp() * 1000)
        self.posts.append({"id": urn, "author": author, "commentary": commentary, "text": text,
                           "hashtags": tags, "createdAt": moment, "lastModifiedAt": moment,
                           "publishedAt": moment, "content": None})
        return urn

    def texts(self) -> list[str]:
        return [post["text"] for post in self.posts]

    # Routing

    def handle(self, request: Request):
        route = f"{request.method} {request.path}"
        if route == "POST /oauth/v2/accessToken":
            return self._token(request)
        if request.method == "PUT" and request.path in self.uploads:
            return self._upload(request)
        if request.method == "PUT" and request.path in self.video_parts:
            return self._video_part(request)
        if request.method == "PUT" and request.path in self.caption_uploads:
            return self._captions(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not token:
            return 401, error(401, "EMPTY_ACCESS_TOKEN", "Empty oauth2_access_token", 65604), {}
        if token not in self.tokens:
            return 401, error(401, "REVOKED_ACCESS_TOKEN", "The token used in the request has "
                              "been revoked by the user", 65601), {}
        if route == "GET /v2/userinfo":
            return 200, {"sub": self.person.rsplit(":", 1)[1], "name": "Embassy Officer",
                         "locale": {"country": "XK", "language": "sq"}}, {}
        if not request.path.startswith("/rest/"):
            return 404, error(404, "NOT_FOUND", "Not found"), {}
        version = request.headers.get("linkedin-version", "")
        if not version:
            return 400, error(400, "VERSION_MISSING", "A version must be present. Please "
                              "specify a version by adding the LinkedIn-Version header."), {}
        if len(version) != 6 or not version.isdigit() or version < self.sunset_before:
            return 426, error(426, "NONEXISTENT_VERSION",
                              f"Requested version {version} is not active"), {}
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return 400, error(400, "ILLEGAL_ARGUMENT", "X-Restli-Protocol-Version 2.0.0 is "
                              "required"), {}
        if route == "POST /rest/posts":
            return self._create(request)
        if request.path.startswith("/rest/posts/"):
            return self._one_post(request, unquote(request.path.removeprefix("/rest/posts/")))
        if route == "GET /rest/posts":
            return self._find(request)
        if route == "POST /rest/images":
            return self._initialize(request)
        if route == "POST /rest/videos":
            return self._video_action(request)
        if request.method == "GET" and request.path.startswith("/rest/videos/"):
            return self._video_status(unquote(request.path.removeprefix("/rest/videos/")))
        if request.path.startswith("/rest/socialActions/") and \
                request.path.split("/")[4:5] == ["comments"]:
            return self._comments(request)
        if route.startswith("GET /rest/socialActions/") and len(request.path.split("/")) == 4:
            return self._social_actions(unquote(request.path.split("/")[3]))
        if route == "GET /rest/organizationalEntityShareStatistics":
            return self._share_statistics(request)
        if request.method == "GET" and request.path.startswith("/rest/organizations/"):
            number = request.path.rsplit("/", 1)[1]
            if not self.org_admin:
                return self._denied(f"organizations.GET.{version}")
            return 200, {"id": int(number), "localizedName": "Embassy of Kosovo",
                         "vanityName": "embassy-of-kosovo"}, {}
        return 404, error(404, "NOT_FOUND", f"No resource found for {request.path}"), {}

    def _one_post(self, request: Request, urn: str):
        post = next((p for p in self.posts if p["id"] == urn), None)
        if request.method == "DELETE" and post is None and urn in self.deleted:
            return 204, None, {}  # deletes are idempotent
        if post is None:
            return 404, error(404, "NOT_FOUND", f"Post {urn} not found"), {}
        if request.method == "GET":
            if post["author"].startswith("urn:li:person:") and not self.member_can_read:
                return self._denied("partnerApiPostsExternal.GET.20260901")
            return 200, {"id": post["id"], "author": post["author"],
                         "commentary": post["commentary"], "lifecycleState": "PUBLISHED",
                         "visibility": "PUBLIC"}, {}
        if post["author"] not in self.can_post_for:
            return self._denied("partnerApiPostsExternal.DELETE.20260901")
        if request.method == "DELETE":
            self.posts.remove(post)
            self.deleted.add(urn)
            return 204, None, {}
        if request.headers.get("x-restli-method") != "PARTIAL_UPDATE":
            return 400, error(400, "ILLEGAL_ARGUMENT", "Unsupported method"), {}
        commentary = ((request.json().get("patch") or {}).get("$set") or {}).get("commentary")
        if not isinstance(commentary, str):
            return 422, error(422, "UNPROCESSABLE_ENTITY", "Nothing to update"), {}
        text, tags, _ = render_little(commentary)
        post.update(commentary=commentary, text=text, hashtags=tags,
                    lastModifiedAt=int(self.now.timestamp() * 1000))
        return 204, None, {}

    def _comments(self, request: Request):
        urn = unquote(request.path.split("/")[3])
        if not any(post["id"] == urn for post in self.posts):
            return 404, error(404, "NOT_FOUND", f"No post {urn}"), {}
        comments = self.comments.setdefault(urn, [])
        parts = request.path.split("/")
        if len(parts) == 6:  # /rest/socialActions/{urn}/comments/{id}
            return self._one_comment(request, comments, parts[5])
        if request.method == "GET":
            return 200, {"elements": comments, "paging": {"count": 100, "start": 0,
                                                          "total": len(comments)}}, {}
        body = request.json()
        text = (body.get("message") or {}).get("text")
        if body.get("object") != urn or not text or body.get("actor") not in self.can_post_for:
            return 422, error(422, "UNPROCESSABLE_ENTITY", "Invalid comment"), {}
        number = 6_800_000_000_000_000_001 + len(comments)
        comment = {"id": str(number), "$URN": f"urn:li:comment:({urn},{number})",
                   "actor": body["actor"], "object": urn, "message": {"text": text}}
        comments.append(comment)
        return 201, comment, {"x-restli-id": comment["$URN"]}

    def _one_comment(self, request: Request, comments: list[dict], comment_id: str):
        comment = next((c for c in comments if c["id"] == comment_id), None)
        if comment is None:
            return 404, error(404, "NOT_FOUND", f"Comment {comment_id} not found"), {}
        if request.query.get("actor", [""])[0] != comment["actor"]:
            return self._denied("partnerApiSocialActions.DELETE.20260901")
        if request.method == "DELETE":
            comments.remove(comment)
            return 204, None, {}
        text = (((request.json().get("patch") or {}).get("message") or {}).get("$set")
                or {}).get("text")
        if not text:
            return 422, error(422, "UNPROCESSABLE_ENTITY", "Invalid comment"), {}
        comment["message"] = {"text": text}
        return 200, comment, {}

    def _social_actions(self, urn: str):
        post = next((p for p in self.posts if p["id"] == urn), None)
        if post is None:
            return 404, error(404, "NOT_FOUND", f"No socialActions for {urn}"), {}
        if post["author"].startswith("urn:li:person:") and not self.member_can_read:
            return self._denied("partnerApiSocialActions.GET.20260901")
        counts = self.counts.get(urn, {})
        return 200, {"$URN": f"urn:li:socialActions:{urn}", "target": urn,
                     "likesSummary": {"totalLikes": counts.get("likes", 0),
                                      "aggregatedTotalLikes": counts.get("likes", 0),
                                      "likedByCurrentUser": False},
                     "commentsSummary": {"totalFirstLevelComments": counts.get("comments", 0),
                                         "aggregatedTotalComments": counts.get("comments", 0)}
                     }, {}

    def _share_statistics(self, request: Request):
        query = {k: v[0] for k, v in request.query.items()}
        organization = query.get("organizationalEntity", "")
        if query.get("q") != "organizationalEntity" or not organization:
            return 400, error(400, "ILLEGAL_ARGUMENT", "Unknown finder"), {}
        if not self.org_admin or organization not in self.can_post_for:
            return self._denied("organizationalEntityShareStatistics.FINDER-organizationalEntity")
        kind = "shares" if "shares" in query else "ugcPosts"
        listed = query.get(kind, "")
        if not (listed.startswith("List(") and listed.endswith(")")):
            return 400, error(400, "ILLEGAL_ARGUMENT", f"Invalid {kind} parameter"), {}
        elements = []
        for urn in listed[5:-1].split(","):
            counts = self.counts.get(urn, {})
            stats = {"uniqueImpressionsCount": counts.get("unique", 0),
                     "shareCount": counts.get("shares", 0), "engagement": 0.0,
                     "clickCount": counts.get("clicks", 0), "likeCount": counts.get("likes", 0),
                     "impressionCount": counts.get("impressions", 0),
                     "commentCount": counts.get("comments", 0)}
            elements.append({"organizationalEntity": organization, kind[:-1]: urn,
                             "totalShareStatistics": stats})
        return 200, {"paging": {"count": 10, "start": 0, "links": []},
                     "elements": elements}, {}

    def _denied(self, what: str):
        return 403, error(403, "ACCESS_DENIED", f"Not enough permissions to access: {what}",
                          100), {}

    def _create(self, request: Request):
        body = request.json()
        missing = [name for name in ("author", "commentary", "visibility", "distribution",
                                     "lifecycleState") if name not in body]
        if missing:
            return 422, {"errorDetailType": "com.linkedin.common.error.BadRequest",
                         "message": "Required fields missing",
                         "errorDetails": {"inputErrors": [
                             {"description": "Required field missing",
                              "input": {"inputPath": {"fieldPath": f"/{name}"}},
                              "code": "REQUIRED_FIELD_MISSING"} for name in missing]},
                         "status": 422}, {}
        author = body["author"]
        if author not in self.can_post_for:
            return self._denied("partnerApiPostsExternal.CREATE.20260901")
        text, _tags, _ = render_little(body["commentary"])
        if len(text) > MAX_COMMENTARY:
            return 422, {"message": "/commentary exceeds the maximum length",
                         "errorDetails": {"inputErrors": [{
                             "description": "Field exceeds the maximum length",
                             "input": {"inputPath": {"fieldPath": "/commentary"}},
                             "code": "FIELD_LENGTH_TOO_LONG"}]}, "status": 422}, {}
        content = body.get("content") or {}
        images = ([content["media"]] if "media" in content else
                  list((content.get("multiImage") or {}).get("images") or []))
        if "multiImage" in content and not 2 <= len(images) <= 20:
            return 422, {"message": "multiImage needs 2 to 20 images", "status": 422}, {}
        article = content.get("article")
        if article is not None:  # the Posts API's article content: no page is scraped
            if not article.get("source") or not article.get("title"):
                return 422, {"message": "/content/article/title and source are required",
                             "status": 422}, {}
            thumbnail = article.get("thumbnail")
            if thumbnail is not None and (self.images.get(thumbnail) or {}).get("bytes") is None:
                return 400, error(400, "INVALID_CONTENT",
                                  f"Image {thumbnail} is not available"), {}
        if str((content.get("media") or {}).get("id", "")).startswith("urn:li:video:"):
            video = self.videos.get(content["media"]["id"])
            if video is None or video["status"] != "AVAILABLE":
                return 400, error(400, "INVALID_CONTENT",
                                  f"Video {content['media']['id']} is not available"), {}
            images = []
        for image in images:
            known = self.images.get(image.get("id"))
            if known is None or known.get("bytes") is None:
                return 400, error(400, "INVALID_CONTENT",
                                  f"Image {image.get('id')} is not available"), {}
        for post in self.posts:
            if post["author"] == author and post["text"] == text:
                return 422, {"errorDetailType": "com.linkedin.common.error.BadRequest",
                             "message": f"Content is a duplicate of {post['id']}",
                             "errorDetails": {"inputErrors": [{
                                 "description": "Duplicate post is detected", "input": {},
                                 "code": "DUPLICATE_POST"}]}, "status": 422}, {}
        urn = self.add_post(author, body["commentary"])
        post = self.posts[-1]
        post.update(body=body, content=body.get("content"), visibility=body["visibility"],
                    distribution=body["distribution"], lifecycleState=body["lifecycleState"],
                    images=[{"id": i["id"], "altText": i.get("altText"),
                             "bytes": self.images[i["id"]]["bytes"],
                             "type": self.images[i["id"]]["type"]} for i in images])
        return 201, None, {"x-restli-id": urn, "x-linkedin-id": urn}

    def _find(self, request: Request):
        query = {k: v[0] for k, v in request.query.items()}
        if query.get("q") != "author" or "author" not in query:
            return 400, error(400, "ILLEGAL_ARGUMENT", "Unknown finder"), {}
        author = query["author"]
        if author.startswith("urn:li:person:") and not self.member_can_read:
            return self._denied("partnerApiPostsExternal.FINDER-author.20260901")
        order = "lastModifiedAt" if query.get("sortBy", "LAST_MODIFIED") == "LAST_MODIFIED" \
            else "createdAt"
        mine = sorted((p for p in self.posts if p["author"] == author),
                      key=lambda p: p[order], reverse=True)
        start, count = int(query.get("start", 0)), min(int(query.get("count", 10)), 100)
        shown = [{"id": p["id"], "author": p["author"], "commentary": p["commentary"],
                  "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
                  "createdAt": p["createdAt"], "lastModifiedAt": p["lastModifiedAt"],
                  "publishedAt": p["publishedAt"], "isReshareDisabledByAuthor": False,
                  "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                   "thirdPartyDistributionChannels": []},
                  "lifecycleStateInfo": {"isEditedByAuthor": False},
                  **({"content": p["content"]} if p.get("content") else {})}
                 for p in mine[start:start + count]]
        return 200, {"paging": {"start": start, "count": count, "links": [],
                                "total": len(mine)}, "elements": shown}, {}

    def _initialize(self, request: Request):
        if request.query.get("action") != ["initializeUpload"]:
            return 400, error(400, "ILLEGAL_ARGUMENT", "Unknown action"), {}
        owner = ((request.json().get("initializeUploadRequest") or {}).get("owner"))
        if owner not in self.can_post_for:
            return self._denied("partnerApiImages.ACTION-initializeUpload")
        number = len(self.images) + 1
        urn = f"urn:li:image:C4E10AQ{number:08d}"
        path = f"/dms-uploads/sp/image-{number}/upload"
        self.images[urn] = {"owner": owner, "bytes": None, "type": None}
        self.uploads[path] = urn
        expires = int(self.now.timestamp() * 1000) + 24 * 3600 * 1000
        return 200, {"value": {"uploadUrlExpiresAt": expires, "uploadUrl": self.url + path,
                               "image": urn}}, {}

    def _upload(self, request: Request):
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return 401, error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600), {}
        image = self.images[self.uploads[request.path]]
        image.update(bytes=request.body, type=request.headers.get("content-type"))
        return 201, None, {}

    # Videos API

    def _video_action(self, request: Request):
        action = request.query.get("action", [""])[0]
        body = request.json()
        if action == "initializeUpload":
            return self._video_initialize(body.get("initializeUploadRequest") or {})
        if action == "finalizeUpload":
            return self._video_finalize(body.get("finalizeUploadRequest") or {})
        return 400, error(400, "ILLEGAL_ARGUMENT", "Unknown action"), {}

    def _video_initialize(self, ask: dict):
        owner, size = ask.get("owner"), ask.get("fileSizeBytes")
        if owner not in self.can_post_for:
            return self._denied("partnerApiVideos.ACTION-initializeUpload")
        if not isinstance(size, int) or not 75 * 1024 <= size <= 500 * 1024 * 1024:
            return 400, error(400, "ILLEGAL_ARGUMENT", f"fileSizeBytes {size} is out of "
                              "range (75 KB to 500 MB)"), {}
        number = len(self.videos) + 1
        urn = f"urn:li:video:D5F10AQ{number:08d}"
        token = f"upload-token-{number}" if size > self.part_size else ""
        instructions = []
        for index, first in enumerate(range(0, size, self.part_size)):
            path = f"/dms-uploads/sp/video-{number}/part-{index}"
            self.video_parts[path] = (urn, index)
            instructions.append({"uploadUrl": self.url + path, "firstByte": first,
                                 "lastByte": min(first + self.part_size, size) - 1})
        self.videos[urn] = {"owner": owner, "size": size, "token": token, "status":
                            "WAITING_UPLOAD", "instructions": instructions, "data": {},
                            "etags": {}, "captions": None, "polls": 0, "finalized": False}
        value = {"video": urn, "uploadToken": token, "uploadInstructions": instructions,
                 "uploadUrlsExpireAt": int(self.now.timestamp() * 1000) + 24 * 3600 * 1000}
        if ask.get("uploadCaptions"):
            path = f"/dms-uploads/sp/video-{number}/captions"
            self.caption_uploads[path] = urn
            value["captionsUploadUrl"] = self.url + path
        return 200, {"value": value}, {}

    def _video_part(self, request: Request):
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return 401, error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600), {}
        urn, index = self.video_parts[request.path]
        self.part_puts.append((urn, index))
        if self.kill_at_part is not None and self.kill_at_part[1] == index:
            pid, _ = self.kill_at_part
            self.kill_at_part = None
            os.kill(pid, signal.SIGKILL)
        video = self.videos[urn]
        part = video["instructions"][index]
        if len(request.body) != part["lastByte"] - part["firstByte"] + 1 or \
                request.headers.get("content-type") != "application/octet-stream":
            return 400, error(400, "ILLEGAL_ARGUMENT", f"part {index} has the wrong length "
                              "or type"), {}
        video["data"][index] = request.body
        etag = f"/AQH{index:04d}{len(self.part_puts):04d}"
        video["etags"][index] = etag
        return 200, None, {"ETag": etag}

    def _captions(self, request: Request):
        video = self.videos[self.caption_uploads[request.path]]
        video["captions"] = request.body
        return 201, None, {}

    def _video_finalize(self, ask: dict):
        video = self.videos.get(ask.get("video"))
        if video is None:
            return 404, error(404, "NOT_FOUND", f"No video {ask.get('video')}"), {}
        if video["finalized"]:
            return 400, error(400, "ILLEGAL_ARGUMENT", "The upload is already finalized"), {}
        parts = range(len(video["instructions"]))
        if ask.get("uploadToken", "") != video["token"] or ask.get("uploadedPartIds") != [
                video["etags"].get(index) for index in parts]:
            return 400, error(400, "ILLEGAL_ARGUMENT", "uploadedPartIds do not match the "
                              "uploaded parts"), {}
        video["finalized"], video["status"] = True, "PROCESSING"
        return 200, None, {}

    def _video_status(self, urn: str):
        video = self.videos.get(urn)
        if video is None:
            return 404, error(404, "NOT_FOUND", f"No video {urn}"), {}
        answer = {"id": urn, "owner": video["owner"], "status": video["status"]}
        if video["status"] == "PROCESSING":
            video["polls"] += 1
            if video["polls"] > self.processing_polls:
                video["status"] = "PROCESSING_FAILED" if self.fail_processing else "AVAILABLE"
            answer["status"] = video["status"]
        if video["status"] == "PROCESSING_FAILED":
            answer["processingFailureReason"] = self.fail_processing
        return 200, answer, {}

    def video_bytes(self, urn: str) -> bytes:
        video = self.videos[urn]
        return b"".join(video["data"][i] for i in range(len(video["instructions"])))

    def _token(self, request: Request):
        fields = form_fields(request)
        if fields.get("grant_type") != "refresh_token" or \
                fields.get("client_id") != self.client_id or \
                fields.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client",
                         "error_description": "Client authentication failed"}, {}
        if fields.get("refresh_token") not in self.refresh_tokens:
            return 400, {"error": "invalid_request",
                         "error_description": "The provided refresh token is invalid"}, {}
        self.refreshes += 1
        access = f"li-access-{self.refreshes + 1}"
        self.tokens.add(access)
        return 200, {"access_token": access, "expires_in": 5_184_000,
                     "refresh_token": fields["refresh_token"],
                     "refresh_token_expires_in": 31_000_000, "scope": "w_member_social"}, {}


def sent_json(request: Request) -> dict:
    return json.loads(request.body or b"{}")
