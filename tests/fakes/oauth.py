"""Local authorisation servers for ``accounts login``, one per platform's documented flow.

Each serves the authorise step as a browser meets it (a 302 back to the
redirect URI with ``code`` and ``state``, or ``error=access_denied`` when the
test says the person refused; a 400 page for an unregistered redirect URI),
the token endpoint with the checks the platform makes (the code is single
use and bound to its client and redirect URI; PKCE S256; the client secret),
and the "who am I" call the login uses to check the new token.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from dataclasses import dataclass
from urllib.parse import urlencode

from fakes.base import FakeServer, Request, form_fields

_serial = itertools.count(1)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _query(request: Request) -> dict[str, str]:
    return {key: values[0] for key, values in request.query.items()}


def _redirect(uri: str, params: dict[str, str], suffix: str = ""):
    joiner = "&" if "?" in uri else "?"
    return 302, None, {"Location": f"{uri}{joiner}{urlencode(params)}{suffix}"}


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None = None


class AuthServer(FakeServer):
    """What every fake shares: consent, codes and bearer tokens."""

    def __init__(self) -> None:
        super().__init__()
        self.deny = False  # the person clicks "Cancel"
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, str] = {}  # access token -> what it is
        self.codes_issued: list[str] = []

    def consent(self, params: dict[str, str], grant: Grant, suffix: str = ""):
        state = params.get("state")
        if self.deny:
            answer = {"error": "access_denied",
                      "error_description": "The user denied the request"}
            if state is not None:
                answer["state"] = state
            return _redirect(grant.redirect_uri, answer)
        code = self.new_code(grant)
        answer = {"code": code}
        if state is not None:
            answer["state"] = state
        return _redirect(grant.redirect_uri, answer, suffix)

    def new_code(self, grant: Grant) -> str:
        code = f"code-{next(_serial)}-secretvalue"
        self.grants[code] = grant
        self.codes_issued.append(code)
        return code

    def secret_values(self) -> list[str]:
        """Everything this server handed out that must never be shown."""
        return [*self.tokens, *self.codes_issued]

    def take_code(self, code: str | None) -> Grant | None:
        return self.grants.pop(code or "", None)

    def issue(self, kind: str) -> str:
        token = f"{kind}-{next(_serial)}-secretvalue"
        self.tokens[token] = kind
        return token

    def bearer(self, request: Request) -> str | None:
        value = request.headers.get("authorization", "")
        token = value.removeprefix("Bearer ").strip() if value.startswith("Bearer ") else None
        return token if token in self.tokens else None


class FakeMastodonAuth(AuthServer):
    """POST /api/v1/apps, GET /oauth/authorize, POST /oauth/token, verify_credentials."""

    OOB = "urn:ietf:wg:oauth:2.0:oob"

    def __init__(self) -> None:
        super().__init__()
        self.apps: dict[str, dict] = {}

    def handle(self, request: Request):
        route = f"{request.method} {request.path}"
        if route == "POST /api/v1/apps":
            fields = form_fields(request)
            if not fields.get("client_name") or not fields.get("redirect_uris"):
                return 422, {"error": "Validation failed: Name can't be blank"}, {}
            number = next(_serial)
            app = {"id": str(number), "name": fields["client_name"], "website": None,
                   "scopes": fields.get("scopes", "read").split(),
                   "redirect_uri": fields["redirect_uris"],
                   "redirect_uris": fields["redirect_uris"].split(),
                   "client_id": f"mastodon-client-{number}",
                   "client_secret": f"mastodon-secret-{number}-xyz"}
            self.apps[app["client_id"]] = app
            return 200, app, {}
        if route == "GET /oauth/authorize":
            params = _query(request)
            app = self.apps.get(params.get("client_id", ""))
            if app is None or params.get("response_type") != "code":
                return 400, b"invalid client", {}
            if params.get("redirect_uri") not in app["redirect_uris"]:
                return 400, b"The redirect uri included is not valid.", {}
            if not set(params.get("scope", "read").split()) <= set(app["scopes"]):
                return 400, b"The requested scope is invalid, unknown, or malformed.", {}
            grant = Grant(app["client_id"], params["redirect_uri"], params.get("scope", ""))
            if params["redirect_uri"] == self.OOB:
                code = self.new_code(grant)
                page = f"<p>Copy this authorization code: <code>{code}</code></p>"
                return 200, page.encode(), {}
            return self.consent(params, grant)
        if route == "POST /oauth/token":
            fields = form_fields(request)
            app = self.apps.get(fields.get("client_id", ""))
            if app is None or fields.get("client_secret") != app["client_secret"]:
                return 401, {"error": "invalid_client", "error_description":
                             "Client authentication failed due to unknown client, no client "
                             "authentication included, or unsupported authentication method."}, {}
            grant = self.take_code(fields.get("code"))
            if (fields.get("grant_type") != "authorization_code" or grant is None
                    or grant.client_id != app["client_id"]
                    or grant.redirect_uri != fields.get("redirect_uri")):
                return 400, {"error": "invalid_grant", "error_description":
                             "The provided authorization grant is invalid, expired, revoked, "
                             "does not match the redirection URI used in the authorization "
                             "request, or was issued to another client."}, {}
            return 200, {"access_token": self.issue("mastodon"), "token_type": "Bearer",
                         "scope": grant.scope, "created_at": 1796000000}, {}
        if route == "GET /api/v1/accounts/verify_credentials":
            if not self.bearer(request):
                return 401, {"error": "The access token is invalid"}, {}
            return 200, {"id": "109", "username": "embassy", "acct": "embassy",
                         "display_name": "Embassy", "url": f"{self.url}/@embassy"}, {}
        return 404, {"error": "Record not found"}, {}


class FakeXAuth(AuthServer):
    """X's OAuth 2.0 with PKCE: /i/oauth2/authorize, /2/oauth2/token, /2/users/me."""

    def __init__(self, client_id: str = "x-client-id", client_secret: str | None = None,
                 redirect_uris: tuple[str, ...] = ()):
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret  # None: a public client
        self.redirect_uris = list(redirect_uris)  # empty: any loopback address

    def _registered(self, uri: str) -> bool:
        return uri in self.redirect_uris if self.redirect_uris else uri.startswith(
            "http://127.0.0.1:")

    def handle(self, request: Request):
        route = f"{request.method} {request.path}"
        if route == "GET /i/oauth2/authorize":
            params = _query(request)
            if (params.get("client_id") != self.client_id
                    or params.get("response_type") != "code"
                    or not self._registered(params.get("redirect_uri", ""))
                    or params.get("code_challenge_method") != "S256"
                    or not params.get("code_challenge") or not params.get("state")):
                return 400, b"Something went wrong. You weren't able to give access.", {}
            return self.consent(params, Grant(self.client_id, params["redirect_uri"],
                                              params.get("scope", ""),
                                              params["code_challenge"]))
        if route == "POST /2/oauth2/token":
            fields = form_fields(request)
            if self.client_secret is not None:
                expected = base64.b64encode(
                    f"{self.client_id}:{self.client_secret}".encode()).decode()
                if request.headers.get("authorization") != f"Basic {expected}":
                    return 401, {"error": "unauthorized_client",
                                 "error_description": "Missing valid authorization header"}, {}
            elif fields.get("client_id") != self.client_id:
                return 400, {"error": "invalid_request",
                             "error_description": "Missing required parameter [client_id]."}, {}
            grant = self.take_code(fields.get("code"))
            if (grant is None or fields.get("grant_type") != "authorization_code"
                    or grant.redirect_uri != fields.get("redirect_uri")
                    or s256(fields.get("code_verifier", "")) != grant.challenge):
                return 400, {"error": "invalid_request", "error_description":
                             "Value passed for the authorization code was invalid."}, {}
            answer = {"token_type": "bearer", "expires_in": 7200,
                      "access_token": self.issue("x"), "scope": grant.scope}
            if "offline.access" in grant.scope.split():
                answer["refresh_token"] = self.issue("x-refresh")
            return 200, answer, {}
        if route == "GET /2/users/me":
            if not self.bearer(request):
                return 401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                             "detail": "Unauthorized"}, {}
            return 200, {"data": {"id": "2244994945", "name": "Embassy",
                                  "username": "EmbassyDC"}}, {}
        return 404, {"title": "Not Found Error"}, {}


class FakeBlueskyAuth(AuthServer):
    """com.atproto.server.createSession on a PDS."""

    def __init__(self, handle: str = "embassy.bsky.social", password: str = "abcd-efgh-ijkl-mnop"):
        super().__init__()
        self.login_handle = handle
        self.password = password

    def handle(self, request: Request):
        if f"{request.method} {request.path}" != "POST /xrpc/com.atproto.server.createSession":
            return 404, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}, {}
        body = request.json()
        if body.get("identifier") != self.login_handle or body.get("password") != self.password:
            return 401, {"error": "AuthenticationRequired",
                         "message": "Invalid identifier or password"}, {}
        return 200, {"did": "did:plc:embassy123", "handle": self.login_handle,
                     "accessJwt": self.issue("access"), "refreshJwt": self.issue("refresh"),
                     "active": True}, {}


class FakeMetaGraph(AuthServer):
    """Facebook Login and the Graph API's token and page endpoints (v23.0)."""

    VERSION = "v23.0"

    def __init__(self, app_id: str = "1234567890", app_secret: str = "meta-app-secret-xyz",
                 pages: list[dict] | None = None):
        super().__init__()
        self.app_id = app_id
        self.app_secret = app_secret
        self.pages = pages if pages is not None else [{
            "id": "101", "name": "Embassy of Kosovo",
            "instagram_business_account": {"id": "17841400000000001",
                                           "username": "kosovoembassy"}}]
        self.page_tokens: dict[str, str] = {}

    def _error(self, message: str, code: int = 100, status: int = 400):
        return status, {"error": {"message": message, "type": "OAuthException", "code": code,
                                  "fbtrace_id": "Atrace"}}, {}

    def _page(self, page: dict, fields: str) -> dict:
        token = self.page_tokens.setdefault(page["id"], self.issue("page"))
        wanted = {field.split("{")[0] for field in fields.split(",")} if fields else {"id"}
        answer = {"id": page["id"]}
        if "name" in wanted:
            answer["name"] = page["name"]
        if "access_token" in wanted:
            answer["access_token"] = token
        if "instagram_business_account" in wanted and page.get("instagram_business_account"):
            answer["instagram_business_account"] = page["instagram_business_account"]
        return answer

    def handle(self, request: Request):
        params = _query(request)
        prefix = f"/{self.VERSION}/"
        if request.method != "GET" or not request.path.startswith(prefix):
            return self._error("Unknown path components", 2500)
        path = request.path.removeprefix(prefix)
        if path == "dialog/oauth":
            if params.get("client_id") != self.app_id or not params.get("redirect_uri"):
                return 400, b"Invalid App ID", {}
            return self.consent(params, Grant(self.app_id, params["redirect_uri"],
                                              params.get("scope", "")), suffix="#_")
        if path == "oauth/access_token":
            if params.get("client_id") != self.app_id or (
                    params.get("client_secret") != self.app_secret):
                return self._error("Error validating client secret.", 1)
            if params.get("grant_type") == "fb_exchange_token":
                if self.tokens.get(params.get("fb_exchange_token", "")) != "short-user":
                    return self._error("Invalid OAuth access token.", 190)
                return 200, {"access_token": self.issue("long-user"), "token_type": "bearer",
                             "expires_in": 5183944}, {}
            grant = self.take_code(params.get("code"))
            if grant is None or grant.redirect_uri != params.get("redirect_uri"):
                return self._error("Invalid verification code format.", 100)
            return 200, {"access_token": self.issue("short-user"), "token_type": "bearer",
                         "expires_in": 5400}, {}
        token = self.bearer(request)
        if self.tokens.get(token or "") != "long-user":
            return self._error("Invalid OAuth access token.", 190)
        if path == "me/accounts":
            return 200, {"data": [self._page(page, params.get("fields", ""))
                                  for page in self.pages], "paging": {}}, {}
        for page in self.pages:
            if path == page["id"]:
                return 200, self._page(page, params.get("fields", "")), {}
        return self._error(f"Unsupported get request. Object with ID '{path}' does not exist",
                           100)


class FakeThreadsAuth(AuthServer):
    """threads.net/oauth/authorize and graph.threads.net's token endpoints.

    With ``instagram=True`` it is Instagram Login instead (the authorisation
    window of www.instagram.com, api.instagram.com's token answer in its
    ``data`` list, ig_exchange_token and /v23.0/me on graph.instagram.com).
    """

    def __init__(self, app_id: str = "threads-app-1", app_secret: str = "threads-secret-xyz",
                 redirect_uri: str = "https://example.org/threads-callback",
                 instagram: bool = False):
        super().__init__()
        self.app_id = app_id
        self.app_secret = app_secret
        self.redirect_uri = redirect_uri
        self.instagram = instagram
        self.basic_scope = "instagram_business_basic" if instagram else "threads_basic"
        self.exchange_grant = "ig_exchange_token" if instagram else "th_exchange_token"
        self.me_path = "/v23.0/me" if instagram else "/v1.0/me"

    def _error(self, message: str, code: int = 100):
        return 400, {"error": {"message": message, "type": "OAuthException", "code": code}}, {}

    def handle(self, request: Request):
        route = f"{request.method} {request.path}"
        params = _query(request)
        if route == "GET /oauth/authorize":
            if (params.get("client_id") != self.app_id
                    or params.get("redirect_uri") != self.redirect_uri
                    or params.get("response_type") != "code"
                    or self.basic_scope not in params.get("scope", "").split(",")):
                return 400, b"Invalid request", {}
            return self.consent(params, Grant(self.app_id, self.redirect_uri,
                                              params["scope"]), suffix="#_")
        if route == "POST /oauth/access_token":
            fields = form_fields(request)
            if fields.get("client_id") != self.app_id or (
                    fields.get("client_secret") != self.app_secret):
                return self._error("Error validating client secret.", 1)
            grant = self.take_code(fields.get("code"))
            if (grant is None or fields.get("grant_type") != "authorization_code"
                    or fields.get("redirect_uri") != grant.redirect_uri):
                return self._error("Invalid verification code format.", 100)
            short = {"access_token": self.issue("short"), "user_id": 7001}
            if self.instagram:
                return 200, {"data": [{**short, "permissions": grant.scope}]}, {}
            return 200, short, {}
        if route == "GET /access_token":
            if (params.get("grant_type") != self.exchange_grant
                    or params.get("client_secret") != self.app_secret
                    or self.tokens.get(params.get("access_token", "")) != "short"):
                return self._error("Invalid OAuth access token.", 190)
            return 200, {"access_token": self.issue("long"), "token_type": "bearer",
                         "expires_in": 5183944}, {}
        if route == f"GET {self.me_path}":
            if self.tokens.get(self.bearer(request) or "") != "long":
                return self._error("Invalid OAuth access token.", 190)
            if self.instagram:
                return 200, {"id": "9001", "user_id": "7001", "username": "kosovoembassy"}, {}
            return 200, {"id": "7001", "username": "kosovoembassy"}, {}
        return self._error("Unknown path", 2500)


class FakeTelegramBot(FakeServer):
    """getMe and getChatMember of the Bot API; ``membership`` says what the bot is."""

    def __init__(self, token: str = "7000001:AAbotTokenSecretValue_0123456789abcdef",
                 channel: str = "@embassy_news", membership: str = "administrator",
                 can_post: bool = True):
        super().__init__()
        self.token = token
        self.channel = channel
        self.membership = membership
        self.can_post = can_post
        self.flood_wait: int | None = None  # seconds of a 429 "retry after"

    def handle(self, request: Request):
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, {}
        method = request.path.removeprefix(prefix)
        fields = form_fields(request)
        if self.flood_wait is not None:
            return 429, {"ok": False, "error_code": 429,
                         "description": f"Too Many Requests: retry after {self.flood_wait}",
                         "parameters": {"retry_after": self.flood_wait}}, {}
        bot = {"id": 7000001, "is_bot": True, "first_name": "Embassy",
               "username": "embassy_news_bot"}
        if method == "getMe":
            return 200, {"ok": True, "result": bot}, {}
        if method == "getChatMember":
            if fields.get("chat_id") != self.channel:
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: chat not found"}, {}
            if str(fields.get("user_id")) != str(bot["id"]):
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: user not found"}, {}
            member: dict = {"user": bot, "status": self.membership}
            if self.membership == "administrator":
                member.update(can_be_edited=False, can_manage_chat=True,
                              can_post_messages=self.can_post, can_edit_messages=True,
                              can_delete_messages=True, is_anonymous=False)
            return 200, {"ok": True, "result": member}, {}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, {}


class FakeLinkedInAuth(AuthServer):
    """/oauth/v2/authorization, /oauth/v2/accessToken and /v2/userinfo."""

    def __init__(self, client_id: str = "78linkedinid", client_secret: str = "li-secret-xyz",
                 refresh: bool = False, scopes: tuple[str, ...] | None = None):
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh = refresh
        # What the app's products grant (None: anything). An app with the Community
        # Management API has that product alone: no openid/profile.
        self.scopes = scopes

    def handle(self, request: Request):
        route = f"{request.method} {request.path}"
        if route == "GET /oauth/v2/authorization":
            params = _query(request)
            if params.get("client_id") != self.client_id or (
                    params.get("response_type") != "code"):
                return 400, b"invalid client", {}
            if self.deny:
                return _redirect(params["redirect_uri"], {
                    "error": "user_cancelled_authorize",
                    "error_description": "The user cancelled the authorization",
                    "state": params.get("state", "")})
            refused = [scope for scope in params.get("scope", "").split()
                       if self.scopes is not None and scope not in self.scopes]
            if refused:
                return _redirect(params["redirect_uri"], {
                    "error": "unauthorized_scope_error",
                    "error_description": f"Scope &quot;{refused[0]}&quot; is not authorized "
                                         "for your application",
                    "state": params.get("state", "")})
            return self.consent(params, Grant(self.client_id, params["redirect_uri"],
                                              params.get("scope", "")))
        if route == "POST /oauth/v2/accessToken":
            fields = form_fields(request)
            if fields.get("client_id") != self.client_id or (
                    fields.get("client_secret") != self.client_secret):
                return 401, {"error": "invalid_client",
                             "error_description": "Client authentication failed"}, {}
            grant = self.take_code(fields.get("code"))
            if (grant is None or fields.get("grant_type") != "authorization_code"
                    or grant.redirect_uri != fields.get("redirect_uri")):
                return 400, {"error": "invalid_request", "error_description":
                             "Unable to retrieve access token: appid/redirect uri/code "
                             "verifier does not match authorization code"}, {}
            answer = {"access_token": self.issue("linkedin"), "expires_in": 5183999,
                      "scope": grant.scope.replace(" ", ",")}
            if self.refresh:
                answer.update(refresh_token=self.issue("li-refresh"),
                              refresh_token_expires_in=31535999)
            return 200, answer, {}
        if route == "GET /v2/userinfo":
            if not self.bearer(request):
                return 401, {"serviceErrorCode": 65600, "message": "Invalid access token",
                             "status": 401}, {}
            return 200, {"sub": "782bbtaQ", "name": "Embassy Press", "locale": "en_US"}, {}
        return 404, {"message": "Not Found", "status": 404}, {}
