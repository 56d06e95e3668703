"""A Bluesky PDS as the reference server (@atproto/pds 0.5) answers the XRPC calls we use.

Checked against it by tests/test_bluesky_pds.py; this fake runs where that
server is not installed.

- createSession with identifier (handle or DID) + (app) password gives
  accessJwt/refreshJwt; a wrong password is 401 AuthenticationRequired.
  refreshSession takes the refresh token as its bearer and rotates both.
- No bearer is 401 AuthMissing; a bearer the server does not know is 400
  InvalidToken, an expired one 400 ExpiredToken (not 401).
- createRecord takes only a TID as a post's record key (400 otherwise) and
  checks the text's 300 graphemes; a key already taken is a 500, not a clean
  conflict.
- getRecord needs no login; a missing record is 400 RecordNotFound.
- deleteRecord removes a record and answers its commit; a record that is not
  there is a no-op answered 200 ``{}`` (the reference PDS's "no-op if record
  already doesn't exist"); another repo is 403.
- uploadBlob takes raw bytes, needs a Content-Type and stores the type it
  reads from an image's bytes.
- app.bsky.feed.getPosts (with the session; the PDS proxies it to the AppView) gives a
  postView per uri that exists, with likeCount, repostCount, replyCount and quoteCount
  (0 unless ``set_counts``); a uri that does not exist is left out, no error.
- com.atproto.server.getServiceAuth (aud, lxm, exp) gives a service token;
  getSession names the PDS in its didDoc (#atproto_pds).
- A post's app.bsky.embed.video must name a video/mp4 blob this PDS holds (at most
  100,000,000 bytes), alt of at most 1,000 graphemes, captions (at most 20) of
  text/vtt blobs of at most 20,000 bytes, an aspectRatio of positive integers.

:class:`FakeVideoService` is video.bsky.app: uploadVideo (a service token for the
PDS's did:web and com.atproto.repo.uploadBlob, ``did`` and ``name`` in the query)
answers a bare job status; getJobStatus answers JOB_STATE_ENCODING for
``processing_polls`` reads, then JOB_STATE_COMPLETED with the blob (which it puts on
the PDS, as the service does) or JOB_STATE_FAILED with ``fail_processing``;
getUploadLimits (a token for did:web:video.bsky.app) answers ``limits``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

import regex

from fakes.base import FakeServer, Request

FAR_FUTURE = 4_102_444_800  # 2100-01-01, so tests' fixed clocks never see expiry
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID = re.compile(rf"^[{TID_ALPHABET[:16]}][{TID_ALPHABET}]{{12}}$")
MAX_GRAPHEMES = 300


def _jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part(claims)}.c2ln"


class FakeBluesky(FakeServer):
    def __init__(self, handle: str = "embassy.test", password: str = "app-pass-word"):
        super().__init__()
        self.user_handle = handle
        self.password = password
        self.did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        self.access: dict[str, bool] = {}  # token -> still valid
        self.refresh: set[str] = set()
        self.records: dict[str, dict] = {}
        self.blobs: dict[str, bytes] = {}
        self.sessions_created = 0
        self.known_handles = {handle: self.did, "friend.test": "did:plc:friend"}
        self.access_exp = FAR_FUTURE
        self.counts: dict[str, dict[str, int]] = {}  # at:// uri -> its counts
        self.service_tokens: dict[str, tuple[str, str]] = {}  # token -> (aud, lxm)
        self.blob_types: dict[str, str] = {}

    def _mint(self) -> dict:
        number = len(self.access) + len(self.refresh) + 1
        access = _jwt({"scope": "com.atproto.appPass", "sub": self.did, "exp": self.access_exp,
                       "n": number})
        refresh = _jwt({"scope": "com.atproto.refresh", "sub": self.did, "exp": FAR_FUTURE,
                        "n": number})
        self.access[access] = True
        self.refresh.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": self.user_handle,
                "did": self.did, "active": True}

    def expire_access_tokens(self) -> None:
        for token in self.access:
            self.access[token] = False

    def _bearer(self, request: Request) -> str:
        return request.headers.get("authorization", "").removeprefix("Bearer ")

    def handle(self, request: Request):
        nsid = request.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession":
            return self._create_session(request)
        if nsid == "com.atproto.server.refreshSession":
            token = self._bearer(request)
            if token not in self.refresh:
                return 400, {"error": "InvalidToken", "message": "Token could not be verified"}, {}
            self.refresh.discard(token)
            return 200, self._mint(), {}
        if nsid == "com.atproto.identity.resolveHandle":
            handle = request.query.get("handle", [""])[0]
            if handle in self.known_handles:
                return 200, {"did": self.known_handles[handle]}, {}
            # Its own domain's unknown handles have their own error name.
            name = "HandleNotFound" if handle.endswith(".test") else "InvalidRequest"
            return 400, {"error": name, "message": "Unable to resolve handle"}, {}
        if nsid == "com.atproto.repo.getRecord":
            return self._get_record(request)
        token = self._bearer(request)
        if not token:
            return 401, {"error": "AuthMissing", "message": "Authentication Required"}, {}
        if token not in self.access:
            return 400, {"error": "InvalidToken", "message": "Token could not be verified"}, {}
        if not self.access[token]:
            return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
        if nsid == "com.atproto.server.getSession":
            return 200, {"did": self.did, "handle": self.user_handle, "active": True,
                         "didDoc": self.did_doc()}, {}
        if nsid == "com.atproto.server.getServiceAuth":
            query = {k: v[0] for k, v in request.query.items()}
            if not query.get("aud") or not query.get("exp", "").isdigit():
                return 400, {"error": "InvalidRequest", "message": "aud and exp required"}, {}
            service = _jwt({"iss": self.did, "aud": query["aud"], "lxm": query.get("lxm"),
                            "exp": int(query["exp"]), "n": len(self.service_tokens)})
            self.service_tokens[service] = (query["aud"], query.get("lxm", ""))
            return 200, {"token": service}, {}
        if nsid == "com.atproto.repo.uploadBlob":
            return self._upload(request)
        if nsid == "com.atproto.repo.createRecord":
            return self._create_record(request)
        if nsid == "com.atproto.repo.deleteRecord":
            return self._delete_record(request)
        if nsid == "app.bsky.feed.getPosts" and request.method == "GET":
            return self._get_posts(request)
        return 404, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}, {}

    def did_doc(self) -> dict:
        return {"id": self.did, "service": [{"id": "#atproto_pds",
                                             "type": "AtprotoPersonalDataServer",
                                             "serviceEndpoint": self.url}]}

    def store_blob(self, data: bytes, kind: str) -> dict:
        cid = "bafkrei" + hashlib.sha256(data).hexdigest()[:40]
        self.blobs[cid] = data
        self.blob_types[cid] = kind
        return {"$type": "blob", "ref": {"$link": cid}, "mimeType": kind, "size": len(data)}

    def _create_session(self, request: Request):
        body = request.json()
        if body.get("identifier") not in (self.user_handle, self.did) or \
                body.get("password") != self.password:
            return 401, {"error": "AuthenticationRequired",
                         "message": "Invalid identifier or password"}, {}
        self.sessions_created += 1
        return 200, self._mint(), {}

    def _upload(self, request: Request):
        if not request.headers.get("content-type"):
            return 400, {"error": "InvalidRequest", "message":
                         "Request encoding (Content-Type) required but not provided"}, {}
        kind = _sniff(request.body, request.headers["content-type"])
        return 200, {"blob": self.store_blob(request.body, kind)}, {}

    def _create_record(self, request: Request):
        body = request.json()
        if body.get("repo") not in (self.did, self.user_handle):
            return 403, {"error": "AccountNotFound", "message": "Account not found"}, {}
        record = body.get("record") or {}
        problem = _post_problem(record) or self._embed_problem(record.get("embed")) \
            or self._video_problem(record.get("embed"))
        if problem:
            return 400, {"error": "InvalidRequest",
                         "message": f"Invalid app.bsky.feed.post record: {problem}"}, {}
        rkey = body.get("rkey") or _tid(len(self.records))
        if not TID.match(rkey):
            return 400, {"error": "InvalidRequest", "message": "Invalid record key for "
                         f"app.bsky.feed.post: Invalid TID string (got \"{rkey}\") at $"}, {}
        uri = f"at://{self.did}/{body.get('collection')}/{rkey}"
        if uri in self.records:
            return 500, {"error": "InternalServerError", "message": "Internal Server Error"}, {}
        problem = self._reply_problem(record.get("reply"))
        if problem:
            return 400, {"error": "InvalidRequest", "message": problem}, {}
        self.records[uri] = record
        return 200, {"uri": uri, "cid": _cid(uri), "commit": {"cid": "bafyreic", "rev": "3l"},
                     "validationStatus": "valid"}, {}

    def _reply_problem(self, reply: object) -> str | None:
        """A reply's root and parent must be strong refs to posts that exist (uri + cid)."""
        if reply is None:
            return None
        if not isinstance(reply, dict):
            return "Invalid app.bsky.feed.post record: Record/reply must be an object"
        for name in ("root", "parent"):
            ref = reply.get(name)
            if not isinstance(ref, dict) or set(ref) != {"uri", "cid"}:
                return f"Invalid app.bsky.feed.post record: Record/reply/{name} must be a " \
                       "strong ref {uri, cid}"
            if ref["uri"] not in self.records or ref["cid"] != _cid(ref["uri"]):
                return f"Invalid app.bsky.feed.post record: reply {name} {ref['uri']} not found"
        return None

    def _embed_problem(self, embed: object) -> str | None:
        """app.bsky.embed.external: uri, title and description required; a thumb must be
        a blob this PDS holds, an image of at most 1,000,000 bytes."""
        if not isinstance(embed, dict) or embed.get("$type") != "app.bsky.embed.external":
            return None
        external = embed.get("external")
        if not isinstance(external, dict):
            return 'Missing required key "external" at $.record.embed'
        for key in ("uri", "title", "description"):
            if not isinstance(external.get(key), str):
                return f'Missing required key "{key}" at $.record.embed.external'
        thumb = external.get("thumb")
        if thumb is not None:
            cid = ((thumb or {}).get("ref") or {}).get("$link")
            if cid not in self.blobs:
                return "Could not find blob at $.record.embed.external.thumb"
            if not str(thumb.get("mimeType", "")).startswith("image/") \
                    or len(self.blobs[cid]) > 1_000_000:
                return "Invalid blob at $.record.embed.external.thumb"
        return None

    def _video_problem(self, embed: object) -> str | None:
        if not isinstance(embed, dict) or embed.get("$type") != "app.bsky.embed.video":
            return None
        video = embed.get("video") or {}
        cid = (video.get("ref") or {}).get("$link")
        if cid not in self.blobs:
            return "Could not find blob at $.record.embed.video"
        if self.blob_types.get(cid) != "video/mp4" or len(self.blobs[cid]) > 100_000_000:
            return "Invalid blob at $.record.embed.video (video/mp4 up to 100000000 bytes)"
        if len(regex.findall(r"\X", str(embed.get("alt", "")))) > 1000:
            return "alt must not be longer than 1000 graphemes at $.record.embed.alt"
        ratio = embed.get("aspectRatio")
        if ratio is not None and not (isinstance(ratio, dict) and all(
                isinstance(ratio.get(k), int) and ratio[k] > 0 for k in ("width", "height"))):
            return "Invalid aspectRatio at $.record.embed.aspectRatio"
        captions = embed.get("captions") or []
        if len(captions) > 20:
            return "captions must not have more than 20 elements at $.record.embed.captions"
        for caption in captions:
            cid = ((caption.get("file") or {}).get("ref") or {}).get("$link")
            if not caption.get("lang") or cid not in self.blobs:
                return "Invalid caption at $.record.embed.captions"
            if self.blob_types.get(cid) != "text/vtt" or len(self.blobs[cid]) > 20_000:
                return "Invalid caption blob (text/vtt up to 20000 bytes)"
        return None

    def _delete_record(self, request: Request):
        body = request.json()
        if body.get("repo") not in (self.did, self.user_handle):
            return 403, {"error": "InvalidRequest", "message": "Invalid repo"}, {}
        uri = f"at://{self.did}/{body.get('collection')}/{body.get('rkey')}"
        if self.records.pop(uri, None) is None:
            return 200, {}, {}
        return 200, {"commit": {"cid": "bafyreid", "rev": "3m"}}, {}

    def _get_record(self, request: Request):
        query = {k: v[0] for k, v in request.query.items()}
        repo = self.did if query.get("repo") == self.user_handle else query.get("repo")
        uri = f"at://{repo}/{query.get('collection')}/{query.get('rkey')}"
        if uri not in self.records:
            return 400, {"error": "RecordNotFound",
                         "message": f"Could not locate record: {uri}"}, {}
        return 200, {"uri": uri, "cid": _cid(uri), "value": self.records[uri]}, {}

    def set_counts(self, uri: str, *, likes: int = 0, reposts: int = 0, replies: int = 0,
                   quotes: int = 0) -> None:
        """What people did with a post so far."""
        self.counts[uri] = {"likeCount": likes, "repostCount": reposts, "replyCount": replies,
                            "quoteCount": quotes}

    def _get_posts(self, request: Request):
        uris = request.query.get("uris", [])
        if len(uris) > 25:
            return 400, {"error": "InvalidRequest",
                         "message": "uris must not have more than 25 elements"}, {}
        views = [{"uri": uri, "cid": _cid(uri),
                  "author": {"did": self.did, "handle": self.user_handle},
                  "record": self.records[uri], "indexedAt": "2026-12-01T08:00:00.000Z",
                  **self.counts.get(uri, {"likeCount": 0, "repostCount": 0, "replyCount": 0,
                                          "quoteCount": 0})}
                 for uri in uris if uri in self.records]
        return 200, {"posts": views}, {}

    def posts(self) -> list[dict]:
        return list(self.records.values())


def _post_problem(record: dict) -> str | None:
    """What the PDS's lexicon check finds in a post (the checks we can trip)."""
    text = record.get("text")
    if not isinstance(text, str):
        return f"Expected string value type (got {text}) at $.record.text"
    graphemes = len(regex.findall(r"\X", text))
    if graphemes > MAX_GRAPHEMES:
        return f"grapheme too big (maximum {MAX_GRAPHEMES}, got {graphemes}) at $.record.text"
    if "createdAt" not in record:
        return 'Missing required key "createdAt" at $.record'
    return None


def _sniff(data: bytes, declared: str) -> str:
    """The PDS stores the type it reads from an image's bytes, whatever the header said."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return declared


def _tid(number: int) -> str:
    """A record key the server picks itself (a valid TID)."""
    return "3l" + "".join(TID_ALPHABET[(number >> 5 * i) & 31] for i in range(10, -1, -1))


def _cid(uri: str) -> str:
    """A record's content id (the fake derives it from the record's place)."""
    return "bafyrei" + hashlib.sha256(uri.encode()).hexdigest()[:40]


class FakeVideoService(FakeServer):
    """video.bsky.app for one fake PDS (see the module's docstring)."""

    def __init__(self, pds: FakeBluesky) -> None:
        super().__init__()
        self.pds = pds
        self.jobs: dict[str, dict] = {}
        self.processing_polls = 0
        self.fail_processing: str | None = None
        self.limits = {"canUpload": True, "remainingDailyVideos": 25,
                       "remainingDailyBytes": 10_000_000_000}
        self.uploads: list[bytes] = []

    def _service_token(self, request: Request, audience: str, method: str) -> str | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.pds.service_tokens.get(token) != (audience, method):
            return "the service token is missing, or for another audience or method"
        return None

    def handle(self, request: Request):
        nsid = request.path.removeprefix("/xrpc/")
        if nsid == "app.bsky.video.getUploadLimits":
            problem = self._service_token(request, "did:web:video.bsky.app",
                                          "app.bsky.video.getUploadLimits")
            if problem:
                return 401, {"error": "AuthRequired", "message": problem}, {}
            return 200, self.limits, {}
        if nsid == "app.bsky.video.uploadVideo" and request.method == "POST":
            return self._upload(request)
        if nsid == "app.bsky.video.getJobStatus":
            return self._status(request.query.get("jobId", [""])[0])
        return 404, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}, {}

    def _upload(self, request: Request):
        host = self.pds.url.split("//", 1)[1].split(":", 1)[0]
        problem = self._service_token(request, f"did:web:{host}", "com.atproto.repo.uploadBlob")
        if problem:
            return 401, {"error": "AuthRequired", "message": problem}, {}
        if request.query.get("did") != [self.pds.did] or not request.query.get("name"):
            return 400, {"error": "InvalidRequest", "message": "did and name required"}, {}
        if request.headers.get("content-type") not in ("video/mp4", "video/quicktime",
                                                       "video/webm", "video/mpeg"):
            return 400, {"error": "InvalidMimeType", "message": "Unsupported video type"}, {}
        self.uploads.append(request.body)
        job = f"job-{len(self.jobs) + 1}"
        self.jobs[job] = {"data": request.body, "polls": 0, "blob": None}
        return 200, {"jobId": job, "did": self.pds.did, "state": "JOB_STATE_CREATED"}, {}

    def _status(self, job_id: str):
        job = self.jobs.get(job_id)
        if job is None:
            return 404, {"error": "NotFound", "message": "job not found"}, {}
        job["polls"] += 1
        status: dict = {"jobId": job_id, "did": self.pds.did}
        if job["polls"] <= self.processing_polls:
            status.update(state="JOB_STATE_ENCODING", progress=50)
        elif self.fail_processing:
            status.update(state="JOB_STATE_FAILED", error=self.fail_processing,
                          message=self.fail_processing)
        else:
            if job["blob"] is None:  # the service writes the processed MP4 to the PDS
                job["blob"] = self.pds.store_blob(job["data"], "video/mp4")
            status.update(state="JOB_STATE_COMPLETED", progress=100, blob=job["blob"])
        return 200, {"jobStatus": status}, {}
