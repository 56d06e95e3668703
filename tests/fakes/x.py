"""X API v2 as its reference describes it: /2/tweets, /2/media/upload,
/2/media/metadata, /2/users/me, /2/users/:id/tweets and /2/oauth2/token.
A reply is ``reply.in_reply_to_tweet_id`` (400 when that post does not exist); the
timeline shows it in ``referenced_tweets`` (type replied_to) when asked for.

- Bearer user tokens; 401 is a problem-details body ``{"title": "Unauthorized", ...}``.
- Posting the same text twice is 403 "duplicate content".
- 429 carries ``x-rate-limit-reset`` (Unix seconds) when scripted.
- Links come back rewritten to t.co in timelines, as X does.
- The refresh grant rotates the refresh token: the old one stops working.
- DELETE /2/tweets/:id answers ``{"data": {"deleted": true}}``; a post that is not
  there (deleted already) is 404 problem details (resource-not-found); another
  account's post is 403. GET /2/tweets/:id reads one (``author_id`` when asked); a
  missing one is 200 with ``errors`` and no ``data``, as X answers lookups.
- Counts: ``tweet.fields=public_metrics`` (like, retweet, reply, quote, bookmark and
  impression counts) and ``non_public_metrics`` (impression_count, user_profile_clicks
  and url_link_clicks when the post has a link), from ``metrics`` (tests set them).
  ``private_refused``: the non-public fields are refused as X refuses them for a post
  over 30 days old (200, ``errors`` of type not-authorized-for-field, no ``data``);
  ``not_enrolled``: the app's access level has no post lookup (403 client-not-enrolled).
- Videos, chunked (docs.x.com/x-api/media/media-upload-initialize, -append,
  -finalize, get-media-upload-status): initialize (JSON media_type, total_bytes at most
  536870912, media_category), append (multipart segment_index 0..999 and media, at
  most 5 MB a chunk; the same segment again replaces it), finalize (the segments
  must be 0..n-1 and add up to total_bytes), then STATUS: ``polls_before_ready``
  answers of in_progress before succeeded, or failed with ``processing_failure`` as
  ``error.message``. A media id X no longer knows (``expire``) is 404. A post may
  use a video only once it is processed.
- Subtitles: POST /2/media/upload with media_category subtitles (text/srt,
  text/vtt), then POST /2/media/subtitles ties the track to the video.
"""

from __future__ import annotations

import base64
import re

from fakes.base import FakeServer, Request, form_fields, multipart_bytes, multipart_field

MAX_TOTAL_BYTES = 536870912
MAX_CHUNK = 5 * 1024 * 1024
NOT_FOUND = {"title": "Not Found Error", "status": 404, "detail": "Not found"}

UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                "detail": "Unauthorized"}
DUPLICATE = {"detail": "You are not allowed to create a Tweet with duplicate content.",
             "type": "about:blank", "title": "Forbidden", "status": 403}


NOT_ENROLLED = {
    "client_id": "27347717", "title": "Client Forbidden", "reason": "client-not-enrolled",
    "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use "
              "keys and tokens from a Twitter developer App that is attached to a Project. "
              "You can create a project via the developer portal.",
    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
    "required_enrollment": "Appropriate Level of API Access",
    "type": "https://api.twitter.com/2/problems/client-forbidden"}


class FakeX(FakeServer):
    def __init__(self, token: str = "x-access-token", refresh_token: str = "x-refresh-1"):
        super().__init__()
        self.tokens = {token}
        self.refresh_tokens = {refresh_token}
        self.client_id = "client-123"
        self.client_secret: str | None = None  # set: a confidential client
        self.tweets: list[dict] = []
        self.media: dict[str, dict] = {}
        # Counts by post id: like, retweet, reply, quote, impression, url_link_clicks.
        self.metrics: dict[str, dict[str, int]] = {}
        self.private_refused = False
        self.not_enrolled = False
        # Chunked uploads: each append (media id, segment index, bytes), in order.
        self.appends: list[tuple[str, int, int]] = []
        self.polls_before_ready = 0
        self.processing_failure: str | None = None
        # The segment whose first append meets a 503 (a passing failure mid-upload).
        self.fail_segment: int | None = None

    def handle(self, request: Request):
        route = f"{request.method} {request.path}"
        if route == "POST /2/oauth2/token":
            return self._token(request)
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return 401, UNAUTHORIZED, {}
        if route == "POST /2/tweets":
            return self._tweet(request)
        if route == "POST /2/media/upload/initialize":
            return self._initialize(request.json())
        chunked = re.fullmatch(r"/2/media/upload/(\d+)/(append|finalize)", request.path)
        if request.method == "POST" and chunked:
            media = self.media.get(chunked.group(1))
            if media is None or "segments" not in media:
                return 404, NOT_FOUND, {}
            if chunked.group(2) == "append":
                return self._append(chunked.group(1), media, request)
            return self._finalize(chunked.group(1), media)
        if route == "GET /2/media/upload":
            return self._status(request.query.get("media_id", [""])[0])
        if route == "POST /2/media/subtitles":
            return self._subtitles(request.json())
        if route == "POST /2/media/upload":
            data = multipart_bytes(request.body, request.headers.get("content-type", ""), "media")
            if not data:
                return 400, {"errors": [{"message": "media is required"}],
                             "title": "Invalid Request"}, {}
            media_id = str(1880000000000000000 + len(self.media))
            category = multipart_field(request.body, request.headers["content-type"],
                                       "media_category")
            self.media[media_id] = {"size": len(data), "category": category, "alt": None,
                                    "content": data, "type": multipart_field(
                                        request.body, request.headers["content-type"],
                                        "media_type")}
            return 200, {"data": {"id": media_id, "media_key": f"3_{media_id}",
                                  "size": len(data), "expires_after_secs": 86400}}, {}
        if route == "POST /2/media/metadata":
            body = request.json()
            media = self.media.get(str(body.get("id")))
            if media is None:
                return 400, {"errors": [{"message": "media not found"}]}, {}
            media["alt"] = body["metadata"]["alt_text"]["text"]
            return 200, {"data": {"associated_metadata": body["metadata"]}}, {}
        if route == "GET /2/users/me":
            return 200, {"data": {"id": "2244994945", "name": "Embassy", "username": "embassy"}}, {}
        if route == "GET /2/users/2244994945/tweets":
            fields = request.query.get("tweet.fields", [""])[0].split(",")
            shown = [{"id": t["id"], "text": re.sub(r"https?://\S+", "https://t.co/abc", t["text"]),
                      "edit_history_tweet_ids": [t["id"]],
                      **({"referenced_tweets": [{"type": "replied_to", "id": t.get("reply_to")}]}
                         if "referenced_tweets" in fields and t.get("reply_to") else {})}
                     for t in reversed(self.tweets)]
            return 200, {"data": shown, "meta": {"result_count": len(shown)}}, {}
        if request.path.startswith("/2/tweets/"):
            return self._one_tweet(request, request.path.removeprefix("/2/tweets/"))
        return 404, {"title": "Not Found Error", "status": 404, "detail": "Not found"}, {}

    # Videos

    def next_media_id(self) -> str:
        return str(1880000000000000000 + len(self.media))

    def expire(self, media_id: str) -> None:
        """X forgets an upload (its media id expired)."""
        self.media.pop(media_id, None)

    def _initialize(self, body: dict):
        total = body.get("total_bytes")
        if not isinstance(total, int) or not 0 < total <= MAX_TOTAL_BYTES or \
                body.get("media_category") not in ("tweet_video", "amplify_video"):
            return 400, {"errors": [{"message": "Invalid total_bytes or media_category"}],
                         "title": "Invalid Request"}, {}
        media_id = self.next_media_id()
        self.media[media_id] = {"size": total, "category": body["media_category"],
                                "type": body.get("media_type"), "alt": None, "segments": {},
                                "state": "uploading", "polls": 0, "subtitles": []}
        return 200, {"data": {"id": media_id, "media_key": f"7_{media_id}",
                              "expires_after_secs": 86400}}, {}

    def _append(self, media_id: str, media: dict, request: Request):
        kind = request.headers.get("content-type", "")
        index = multipart_field(request.body, kind, "segment_index") or ""
        data = multipart_bytes(request.body, kind, "media")
        if media["state"] != "uploading" or not index.isdigit() or not 0 <= int(index) <= 999 \
                or not data or len(data) > MAX_CHUNK:
            return 400, {"errors": [{"message": "Invalid segment"}],
                         "title": "Invalid Request"}, {}
        if int(index) == self.fail_segment:
            self.fail_segment = None
            return 503, {"title": "Service Unavailable", "status": 503}, {}
        media["segments"][int(index)] = data
        self.appends.append((media_id, int(index), len(data)))
        return 200, {"data": {"expires_at": 1796086400}}, {}

    def _finalize(self, media_id: str, media: dict):
        segments = media["segments"]
        content = b"".join(segments[i] for i in sorted(segments))
        if sorted(segments) != list(range(len(segments))) or len(content) != media["size"]:
            return 400, {"errors": [{"message": "Segments do not add up to provided total "
                                                "file size."}], "title": "Invalid Request"}, {}
        media.update(content=content, state="pending" if self.polls_before_ready or
                     self.processing_failure else "succeeded")
        return 200, {"data": self._upload_state(media_id, media)}, {}

    def _status(self, media_id: str):
        media = self.media.get(media_id)
        if media is None or media.get("state") in (None, "uploading"):
            return 404, NOT_FOUND, {}
        media["polls"] += 1
        if media["state"] != "succeeded" and media["polls"] > self.polls_before_ready:
            media["state"] = "failed" if self.processing_failure else "succeeded"
        elif media["state"] == "pending":
            media["state"] = "in_progress"
        return 200, {"data": self._upload_state(media_id, media)}, {}

    def _upload_state(self, media_id: str, media: dict) -> dict:
        info: dict = {"state": media["state"]}
        if media["state"] in ("pending", "in_progress"):
            info.update(check_after_secs=1, progress_percent=10 * media["polls"])
        if media["state"] == "failed":
            info["error"] = {"code": 1, "name": "InvalidMedia",
                             "message": self.processing_failure}
        return {"id": media_id, "media_key": f"7_{media_id}", "size": media["size"],
                "expires_after_secs": 86400, "processing_info": info}

    def _subtitles(self, body: dict):
        video, track = self.media.get(str(body.get("id"))), body.get("subtitles") or {}
        subtitles = self.media.get(str(track.get("id")))
        if video is None or subtitles is None or subtitles.get("category") != "subtitles" \
                or body.get("media_category") != "TweetVideo" or not track.get("language_code"):
            return 400, {"errors": [{"message": "Invalid subtitles"}],
                         "title": "Invalid Request"}, {}
        video["subtitles"].append({**track, "content": subtitles["content"]})
        return 200, {"data": {"id": body["id"], "media_category": "TweetVideo",
                              "associated_subtitles": [
                                  {k: v for k, v in t.items() if k != "content"}
                                  for t in video["subtitles"]]}}, {}

    def add_other_tweet(self, text: str) -> dict:
        """A post another account made."""
        tweet = {"id": str(1900000000000000000 + len(self.tweets)), "text": text,
                 "media_ids": [], "reply_to": None, "author_id": "783214"}
        self.tweets.append(tweet)
        return tweet

    def _one_tweet(self, request: Request, tweet_id: str):
        tweet = next((t for t in self.tweets if t["id"] == tweet_id), None)
        if request.method == "GET" and self.not_enrolled:
            return 403, NOT_ENROLLED, {}
        if request.method == "GET":
            if tweet is None:
                return 200, {"errors": [{
                    "value": tweet_id, "detail": f"Could not find tweet with id: [{tweet_id}].",
                    "parameter": "id", "resource_type": "tweet", "title": "Not Found Error",
                    "type": "https://api.twitter.com/2/problems/resource-not-found"}]}, {}
            fields = request.query.get("tweet.fields", [""])[0].split(",")
            data = {"id": tweet["id"], "text": tweet["text"],
                    "edit_history_tweet_ids": [tweet["id"]]}
            if "author_id" in fields:
                data["author_id"] = tweet.get("author_id", "2244994945")
            if "non_public_metrics" in fields and self.private_refused:
                return 200, {"errors": [{
                    "value": tweet_id, "resource_id": tweet_id, "resource_type": "tweet",
                    "field": "non_public_metrics.url_link_clicks", "parameter": "id",
                    "section": "data", "title": "Field Authorization Error",
                    "detail": "Sorry, you are not authorized to access "
                              f"'non_public_metrics.url_link_clicks' on the Tweet with id : "
                              f"[{tweet_id}].",
                    "type": "https://api.twitter.com/2/problems/not-authorized-for-field"}]}, {}
            counts = self.metrics.get(tweet_id, {})
            if "public_metrics" in fields:
                data["public_metrics"] = {
                    "retweet_count": counts.get("retweet", 0),
                    "reply_count": counts.get("reply", 0),
                    "like_count": counts.get("like", 0), "quote_count": counts.get("quote", 0),
                    "bookmark_count": counts.get("bookmark", 0),
                    "impression_count": counts.get("impression", 0)}
            if "non_public_metrics" in fields:
                private = {"impression_count": counts.get("impression", 0),
                           "user_profile_clicks": counts.get("profile_clicks", 0)}
                if "http" in tweet["text"]:  # only a post with a link has link clicks
                    private["url_link_clicks"] = counts.get("url_link_clicks", 0)
                data["non_public_metrics"] = private
            return 200, {"data": data}, {}
        if request.method != "DELETE":
            return 404, {"title": "Not Found Error", "status": 404, "detail": "Not found"}, {}
        if tweet is None:
            return 404, {"title": "Not Found Error", "status": 404,
                         "type": "https://api.twitter.com/2/problems/resource-not-found",
                         "detail": f"Could not find tweet with id: [{tweet_id}]."}, {}
        if tweet.get("author_id", "2244994945") != "2244994945":
            return 403, {"title": "Forbidden", "status": 403, "type": "about:blank",
                         "detail": "You are not allowed to delete a Tweet that is not "
                                   "yours."}, {}
        self.tweets.remove(tweet)
        return 200, {"data": {"deleted": True}}, {}

    def _tweet(self, request: Request):
        body = request.json()
        text = body.get("text", "")
        if any(t["text"] == text for t in self.tweets):
            return 403, DUPLICATE, {}
        media_ids = (body.get("media") or {}).get("media_ids", [])
        if any(m not in self.media or self.media[m].get("state", "succeeded") != "succeeded"
               for m in media_ids):
            return 400, {"errors": [{"message": "Your media IDs are invalid."}],
                         "title": "Invalid Request", "status": 400}, {}
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to is not None and not any(t["id"] == reply_to for t in self.tweets):
            return 400, {"errors": [{"message": "The Tweet you are replying to has been "
                                                "deleted or is not visible to you."}],
                         "title": "Invalid Request", "status": 400}, {}
        tweet = {"id": str(1900000000000000000 + len(self.tweets)), "text": text,
                 "media_ids": media_ids, "reply_to": reply_to}
        self.tweets.append(tweet)
        return 201, {"data": {"id": tweet["id"], "text": text,
                              "edit_history_tweet_ids": [tweet["id"]]}}, {}

    def _client_ok(self, request: Request, fields: dict) -> bool:
        """A public client names itself in the body; a confidential one uses HTTP Basic."""
        if self.client_secret is None:
            return fields.get("client_id") == self.client_id
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {expected}"

    def _token(self, request: Request):
        fields = form_fields(request)
        if fields.get("grant_type") != "refresh_token" or \
                fields.get("refresh_token") not in self.refresh_tokens or \
                not self._client_ok(request, fields):
            return 400, {"error": "invalid_request",
                         "error_description": "Value passed for the token was invalid."}, {}
        self.refresh_tokens.discard(fields["refresh_token"])
        number = len(self.tokens) + 1
        access, refresh = f"x-access-{number}", f"x-refresh-{number}"
        self.tokens.add(access)
        self.refresh_tokens.add(refresh)
        return 200, {"token_type": "bearer", "expires_in": 7200, "access_token": access,
                     "scope": "tweet.write users.read tweet.read offline.access",
                     "refresh_token": refresh}, {}
