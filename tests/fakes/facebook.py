"""The Graph API for a page, as its reference describes it: /{page}/feed,
/{page}/photos, /{page}/posts and /{page}.

Errors come as ``{"error": {"message", "type", "code", "fbtrace_id"}}``: 190 for
a bad token, 506 for a duplicate post, 4/17/32/613 for rate limits. Comments:
POST /{post-id}/comments (``message``) and GET of the same edge.

A post or comment is a node: GET /{id}?fields=id,from,message,permalink_url,
POST /{id} (``message``) edits it, DELETE /{id} removes it (``{"success": true}``);
an id that is not there (deleted) is 100/33 "does not exist".

Counts: GET /{post-id}?fields=reactions.summary(total_count),comments.summary(total_count),
shares gives each edge ``{"data": [], "summary": {"total_count"}}`` and ``shares.count``
(absent while nobody shared, as Graph answers); GET /{post-id}/insights?metric=
post_media_view gives ``{"data": [{"name", "period": "lifetime", "values": [{"value"}]}]}``.
A retired metric (post_impressions, since November 2025) is (#100) invalid;
``insights_refused`` answers as for a page token without read_insights (#10).
Tests set ``counts[post_id]`` (reactions, comments, shares, views).
"""

from __future__ import annotations

from fakes.base import FakeServer, Request, form_fields, multipart_bytes

VERSION = "v23.0"


def graph_error(code: int, message: str, kind: str = "OAuthException") -> dict:
    return {"error": {"message": message, "type": kind, "code": code,
                      "fbtrace_id": "AbCdEf123"}}


class FakeFacebook(FakeServer):
    def __init__(self, page_id: str = "1234567890", token: str = "page-token"):
        super().__init__()
        self.page_id = page_id
        self.token = token
        self.posts: list[dict] = []
        self.photos: dict[str, dict] = {}
        self.comments: dict[str, list[dict]] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self.insights_refused = False

    def handle(self, request: Request):
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 400, graph_error(190, "Invalid OAuth access token - Cannot parse access "
                                         "token"), {}
        prefix = f"/{VERSION}/{self.page_id}"
        route = f"{request.method} {request.path}"
        if route == f"POST {prefix}/feed":
            return self._feed(form_fields(request))
        if route == f"POST {prefix}/photos":
            return self._photo(request)
        if route == f"GET {prefix}/posts":
            data = [{"id": p["id"], "message": p.get("message", ""),
                     "permalink_url": f"https://www.facebook.com/{p['id']}",
                     "created_time": "2026-12-01T08:00:00+0000"} for p in reversed(self.posts)]
            return 200, {"data": data}, {}
        if route.startswith("GET ") and request.path.endswith("/insights"):
            return self._insights(request, request.path.split("/")[2])
        if request.path.startswith(f"/{VERSION}/") and request.path.endswith("/comments"):
            return self._comments(request)
        if route == f"GET {prefix}":
            return 200, {"id": self.page_id, "name": "Embassy of Kosovo",
                         "link": f"https://www.facebook.com/{self.page_id}"}, {}
        node = request.path.removeprefix(f"/{VERSION}/")
        if request.path.startswith(f"/{VERSION}/") and "/" not in node:
            return self._node(request, node)
        return 400, graph_error(100, "Unsupported request", "GraphMethodException"), {}

    def add_other_post(self, page_id: str, message: str) -> dict:
        """A post another page made (readable by id, as public page posts are)."""
        post = {"id": f"{page_id}_{9000 + len(self.posts)}", "message": message,
                "from": page_id}
        self.posts.append(post)
        return post

    def _find_node(self, node: str) -> tuple[dict | None, list[dict] | None]:
        """The post or comment with this id, and the list that holds it."""
        for post in self.posts:
            if post["id"] == node:
                return post, self.posts
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == node:
                    return comment, comments
        return None, None

    def _node(self, request: Request, node: str):
        found, holder = self._find_node(node)
        if found is None or holder is None:
            return 400, {"error": {
                "message": f"Unsupported {request.method.lower()} request. Object with ID "
                           f"'{node}' does not exist, cannot be loaded due to missing "
                           "permissions, or does not support this operation.",
                "type": "GraphMethodException", "code": 100, "error_subcode": 33,
                "fbtrace_id": "AbCdEf123"}}, {}
        author = found.get("from", self.page_id)
        if request.method == "GET" and "reactions" in request.query.get("fields", [""])[0]:
            return 200, self._counts(node), {}
        if request.method == "GET":
            return 200, {"id": found["id"], "message": found.get("message", ""),
                         "from": {"id": author, "name": "Embassy of Kosovo"},
                         "permalink_url": found.get("permalink_url")
                         or f"https://www.facebook.com/{found['id']}"}, {}
        if author != self.page_id:
            return 400, graph_error(200, "(#200) Permissions error"), {}
        if request.method == "DELETE":
            holder.remove(found)
            return 200, {"success": True}, {}
        message = form_fields(request).get("message", "")
        if not message:
            return 400, graph_error(100, "(#100) Missing message or attachment"), {}
        found.setdefault("history", []).append(found.get("message", ""))
        found["message"] = message
        return 200, {"success": True}, {}

    def _counts(self, node: str) -> dict:
        counts = self.counts.get(node, {})
        answer: dict = {"id": node}
        for edge in ("reactions", "comments"):
            answer[edge] = {"data": [], "summary": {"total_count": counts.get(edge, 0)}}
        if counts.get("shares"):
            answer["shares"] = {"count": counts["shares"]}
        return answer

    def _insights(self, request: Request, node: str):
        if self._find_node(node)[0] is None:
            return 400, {"error": {
                "message": f"Unsupported get request. Object with ID '{node}' does not exist",
                "type": "GraphMethodException", "code": 100, "error_subcode": 33,
                "fbtrace_id": "AbCdEf123"}}, {}
        if self.insights_refused:
            return 400, graph_error(10, "(#10) Requires read_insights permission"), {}
        metrics = request.query.get("metric", [""])[0].split(",")
        retired = [m for m in metrics if m not in ("post_media_view", "post_clicks")]
        if retired:
            return 400, graph_error(100, "(#100) The value must be a valid insights metric"), {}
        counts = self.counts.get(node, {})
        values = {"post_media_view": counts.get("views", 0),
                  "post_clicks": counts.get("clicks", 0)}
        return 200, {"data": [
            {"name": metric, "period": "lifetime", "values": [{"value": values[metric]}],
             "title": metric, "id": f"{node}/insights/{metric}/lifetime"}
            for metric in metrics], "paging": {}}, {}

    def _comments(self, request: Request):
        post_id = request.path.split("/")[2]
        if not any(p["id"] == post_id for p in self.posts):
            return 400, graph_error(100, f"Unsupported post request. Object with ID "
                                    f"'{post_id}' does not exist", "GraphMethodException"), {}
        comments = self.comments.setdefault(post_id, [])
        if request.method == "GET":
            return 200, {"data": comments}, {}
        message = form_fields(request).get("message", "")
        if not message:
            return 400, graph_error(100, "(#100) Missing message or attachment"), {}
        comment = {"id": f"{post_id.split('_')[1]}_{500 + len(comments)}", "message": message,
                   "permalink_url": f"https://www.facebook.com/{post_id}?comment_id="
                                    f"{500 + len(comments)}"}
        comments.append(comment)
        return 200, {"id": comment["id"]}, {}

    def _feed(self, fields: dict[str, str]):
        message = fields.get("message", "")
        if self.posts and self.posts[-1].get("message") == message:
            return 400, graph_error(506, "Duplicate status message"), {}
        post = {"id": f"{self.page_id}_{9000 + len(self.posts)}", "message": message,
                "attached_media": fields.get("attached_media"), "link": fields.get("link")}
        if post["link"] and post["attached_media"]:
            return 400, graph_error(100, "Cannot attach media and a link to one post"), {}
        self.posts.append(post)
        return 200, {"id": post["id"]}, {}

    def _photo(self, request: Request):
        kind = request.headers.get("content-type", "")
        fields = form_fields(request)
        data = multipart_bytes(request.body, kind, "source")
        if not data:
            return 400, graph_error(324, "Requires upload file", "OAuthException"), {}
        photo_id = str(7000 + len(self.photos))
        self.photos[photo_id] = {"alt": fields.get("alt_text_custom"), "size": len(data),
                                 "published": fields.get("published", "true")}
        if fields.get("published", "true") == "false":
            return 200, {"id": photo_id}, {}
        post = {"id": f"{self.page_id}_{9000 + len(self.posts)}",
                "message": fields.get("message", ""), "photo": photo_id}
        self.posts.append(post)
        return 200, {"id": photo_id, "post_id": post["id"]}, {}
