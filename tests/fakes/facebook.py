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

Videos (Video API, Publishing, resumable upload): POST /{page}/videos with
``upload_phase`` start (``file_size`` -> ``upload_session_id``, ``video_id``,
``start_offset``, ``end_offset``), transfer (``upload_session_id``, ``start_offset``,
``video_file_chunk``: exactly the bytes between the offsets it asked for, else 6001/
1363037 with the offsets it expects in ``error_data``; an expired session is
6001/1363030) and finish (``description``, ``published``: the post). GET
/{video-id}?fields=status answers ``video_status`` processing for
``processing_polls`` reads, then ready (or error with the processing phase's errors
when ``processing_error`` is set); POST /{video-id}/captions takes ``captions_file``,
an SRT file named ``<name>.<ll_CC>.srt`` of at most 200 KB. ``kill_at_chunk`` (index,
pid) SIGKILLs the client when that chunk arrives, after keeping it (as Facebook would).
"""

from __future__ import annotations

import os
import re
import signal
import time

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
        # Videos: sessions by id, videos by id, every transfer as (offset, length, kept).
        self.chunk_size = 64 * 1024
        self.sessions: dict[str, dict] = {}
        self.videos: dict[str, dict] = {}
        self.transfers: list[tuple[int, int, bool]] = []
        self.processing_polls = 1
        self.processing_error: str | None = None
        self.kill_at_chunk: tuple[int, int] | None = None
        self.captions: dict[str, dict[str, str]] = {}

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
        if route == f"POST {prefix}/videos":
            return self._video_upload(request)
        node_id = request.path.removeprefix(f"/{VERSION}/").split("/")[0]
        if node_id in self.videos:
            return self._video_node(request, node_id)
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

    # Videos

    def _video_upload(self, request: Request):
        fields = form_fields(request)
        phase = fields.get("upload_phase")
        if phase == "start":
            size = int(fields.get("file_size") or 0)
            if size <= 0:
                return 400, graph_error(100, "(#100) file_size is required"), {}
            session_id, video_id = str(5100 + len(self.sessions)), str(8100 + len(self.videos))
            self.sessions[session_id] = {"video": video_id, "size": size, "data": bytearray(),
                                         "expired": False, "finished": False}
            self.videos[video_id] = {"session": session_id, "state": "upload", "polls": 0,
                                     "message": None, "published": None}
            return 200, {"upload_session_id": session_id, "video_id": video_id,
                         "start_offset": "0", "end_offset": str(min(self.chunk_size, size))}, {}
        session = self.sessions.get(fields.get("upload_session_id", ""))
        if session is None or session["expired"]:
            return 400, {"error": {"message": "Your video upload timed out before it could be "
                                   "completed.", "type": "OAuthException", "code": 6001,
                                   "error_subcode": 1363030, "fbtrace_id": "AbCdEf123"}}, {}
        if phase == "transfer":
            return self._transfer(request, fields, session)
        if phase == "finish":
            return self._finish(fields, session)
        return 400, graph_error(100, "(#100) upload_phase must be start, transfer or finish"), {}

    def _expected(self, session: dict) -> tuple[int, int]:
        start = len(session["data"])
        return start, min(start + self.chunk_size, session["size"])

    def _transfer(self, request: Request, fields: dict[str, str], session: dict):
        chunk = multipart_bytes(request.body, request.headers.get("content-type", ""),
                                "video_file_chunk") or b""
        offset = int(fields.get("start_offset") or -1)
        start, end = self._expected(session)
        if offset != start or len(chunk) != end - start:
            self.transfers.append((offset, len(chunk), False))
            return 400, {"error": {
                "message": "There was a problem uploading your video file. Please try again.",
                "type": "OAuthException", "code": 6001, "error_subcode": 1363037,
                "error_data": {"start_offset": str(start), "end_offset": str(end)},
                "fbtrace_id": "AbCdEf123"}}, {}
        session["data"] += chunk
        index = len([t for t in self.transfers if t[2]])
        self.transfers.append((offset, len(chunk), True))
        if self.kill_at_chunk is not None and self.kill_at_chunk[0] == index:
            os.kill(self.kill_at_chunk[1], signal.SIGKILL)
            time.sleep(0.2)  # the client is gone before the answer goes
        start, end = self._expected(session)
        return 200, {"start_offset": str(start), "end_offset": str(end)}, {}

    def _finish(self, fields: dict[str, str], session: dict):
        if len(session["data"]) != session["size"]:
            return 400, graph_error(6001, "There was a problem uploading your video file."), {}
        video = self.videos[session["video"]]
        if not session["finished"]:  # one video: a second finish changes nothing
            session["finished"] = True
            video.update(state="processing", message=fields.get("description", ""),
                         published=fields.get("published", "true"))
            self.posts.append({"id": session["video"], "message": video["message"],
                               "video": session["video"]})
        return 200, {"success": True}, {}

    def video_bytes(self, video_id: str) -> bytes:
        return bytes(self.sessions[self.videos[video_id]["session"]]["data"])

    def _video_node(self, request: Request, video_id: str):
        video = self.videos[video_id]
        if request.method == "POST" and request.path.endswith("/captions"):
            return self._caption(request, video_id)
        fields = request.query.get("fields", [""])[0]
        if request.method == "GET" and fields == "status":
            if video["state"] == "processing":
                video["polls"] += 1
                if video["polls"] > self.processing_polls:
                    video["state"] = "error" if self.processing_error else "ready"
            return 200, {"id": video_id, "status": self._status(video)}, {}
        if request.method == "GET" and fields == "permalink_url":
            return 200, {"id": video_id,
                         "permalink_url": f"/{self.page_id}/videos/{video_id}/"}, {}
        if request.method == "POST" and "/" not in request.path.removeprefix(f"/{VERSION}/"):
            return self._video_update(form_fields(request), video_id)
        return 400, graph_error(100, "Unsupported request", "GraphMethodException"), {}

    def _video_update(self, fields: dict[str, str], video_id: str):
        """POST /{video-id} (Video reference, Updating): ``description``, ``name``; a
        ``message`` is a feed post's field, which a video node does not take."""
        if "message" in fields or "description" not in fields:
            return 400, graph_error(100, "(#100) Invalid parameter"), {}
        self.videos[video_id]["message"] = fields["description"]
        for post in self.posts:
            if post.get("video") == video_id:
                post["message"] = fields["description"]
        return 200, {"success": True}, {}

    def _status(self, video: dict) -> dict:
        state = {"upload": "upload_complete", "processing": "processing"}.get(
            video["state"], video["state"])
        status: dict = {"video_status": state,
                        "processing_progress": 100 if state == "ready" else 40,
                        "processing_phase": {"status": "complete" if state == "ready"
                                             else "error" if state == "error"
                                             else "in_progress"}}
        if state == "error":
            status["processing_phase"]["errors"] = [
                {"code": 1363008, "message": self.processing_error}]
        return status

    def _caption(self, request: Request, video_id: str):
        kind = request.headers.get("content-type", "")
        data = multipart_bytes(request.body, kind, "captions_file")
        name = re.search(r'name="captions_file"; filename="([^"]+)"', request.body.decode(
            errors="replace"))
        if data is None or name is None:
            return 400, graph_error(100, "(#100) captions_file is required"), {}
        locale = re.fullmatch(r".+\.([a-z]{2}_[A-Z]{2})\.srt", name.group(1))
        if locale is None or locale.group(1) not in KNOWN_LOCALES:
            return 400, graph_error(100, "(#100) Invalid file name: it must be "
                                    "filename.locale.srt"), {}
        text = data.decode("utf-8")
        if len(data) > 200 * 1024 or not re.match(r"\d+\n\d\d:\d\d:\d\d,\d{3} --> ", text):
            return 400, graph_error(100, "(#100) The caption file is not valid SRT"), {}
        self.captions.setdefault(video_id, {})[locale.group(1)] = text
        return 200, {"success": True}, {}


# A few of Facebook's locales (ll_CC).
KNOWN_LOCALES = {"en_US", "en_GB", "sq_AL", "sr_RS", "de_DE", "fr_FR"}
