"""A Bluesky PDS as the AT Protocol's lexicons describe it (the XRPC calls we use).

- createSession with identifier + (app) password gives accessJwt/refreshJwt;
  a wrong password is 401 AuthenticationRequired. refreshSession takes the
  refresh token as its bearer and rotates both.
- An expired access token is 400 ExpiredToken.
- createRecord with a record key already taken fails with a server error
  (the reference server does not answer with a clean conflict).
- getRecord of a missing record is 400 RecordNotFound.
- uploadBlob takes raw bytes and answers with a blob reference.
"""

from __future__ import annotations

import base64
import hashlib
import json

from fakes.base import FakeServer, Request

FAR_FUTURE = 4_102_444_800  # 2100-01-01, so tests' fixed clocks never see expiry


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
                return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
            self.refresh.discard(token)
            return 200, self._mint(), {}
        if nsid == "com.atproto.identity.resolveHandle":
            handle = request.query.get("handle", [""])[0]
            if handle in self.known_handles:
                return 200, {"did": self.known_handles[handle]}, {}
            return 400, {"error": "InvalidRequest", "message": "Unable to resolve handle"}, {}
        token = self._bearer(request)
        if token not in self.access:
            return 401, {"error": "AuthenticationRequired",
                         "message": "Authentication Required"}, {}
        if not self.access[token]:
            return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
        if nsid == "com.atproto.server.getSession":
            return 200, {"handle": self.user_handle, "did": self.did}, {}
        if nsid == "com.atproto.repo.uploadBlob":
            return self._upload(request)
        if nsid == "com.atproto.repo.createRecord":
            return self._create_record(request)
        if nsid == "com.atproto.repo.getRecord":
            return self._get_record(request)
        return 404, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}, {}

    def _create_session(self, request: Request):
        body = request.json()
        if body.get("identifier") not in (self.user_handle, self.did) or \
                body.get("password") != self.password:
            return 401, {"error": "AuthenticationRequired",
                         "message": "Invalid identifier or password"}, {}
        self.sessions_created += 1
        return 200, self._mint(), {}

    def _upload(self, request: Request):
        kind = request.headers.get("content-type", "")
        cid = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:40]
        self.blobs[cid] = request.body
        return 200, {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": kind,
                              "size": len(request.body)}}, {}

    def _create_record(self, request: Request):
        body = request.json()
        if body.get("repo") != self.did:
            return 400, {"error": "InvalidRequest", "message": "Input/repo must be the DID"}, {}
        record = body.get("record") or {}
        if not isinstance(record.get("text"), str) or "createdAt" not in record:
            return 400, {"error": "InvalidRequest",
                         "message": "Invalid app.bsky.feed.post record"}, {}
        rkey = body.get("rkey") or f"auto{len(self.records)}"
        uri = f"at://{self.did}/{body.get('collection')}/{rkey}"
        if uri in self.records:
            return 500, {"error": "InternalServerError", "message": "Internal Server Error"}, {}
        self.records[uri] = record
        return 200, {"uri": uri, "cid": "bafyrei" + hashlib.sha256(uri.encode()).hexdigest()[:40],
                     "commit": {"cid": "bafyreic", "rev": "3l"}}, {}

    def _get_record(self, request: Request):
        query = {k: v[0] for k, v in request.query.items()}
        uri = f"at://{query.get('repo')}/{query.get('collection')}/{query.get('rkey')}"
        if uri not in self.records:
            return 400, {"error": "RecordNotFound",
                         "message": f"Could not locate record: {uri}"}, {}
        return 200, {"uri": uri, "cid": "bafyrei", "value": self.records[uri]}, {}

    def posts(self) -> list[dict]:
        return list(self.records.values())
