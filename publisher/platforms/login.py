"""The HTTP side of ``accounts login``: OAuth requests, the loopback listener, PKCE.

Everything that talks to a platform while a person logs in lives here; which
steps run in which order, and what is kept in the keyring, is the service's
business (``publisher.services.login``). Every address is a parameter, so a
test can point the whole flow at a local server; the defaults below are the
platforms' public ones.

Failures come out as the adapters' kinds (``AuthFailed``, ``Rejected``,
``Transient``, ``RateLimited``) or as :class:`LoginFailed` for what only a
login has (a denied authorisation, a wrong ``state``, no answer in time).
Messages never carry a secret: every call passes its secrets for redaction,
and an answer's text is cut short before it is shown.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets as random
import threading
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import requests

from publisher.platforms.base import (
    AuthFailed,
    PlatformError,
    RateLimited,
    Rejected,
    Transient,
)
from publisher.platforms.common.http import json_object, raise_for_status, redact, request

# Public addresses (a custom api_base moves them under itself, same paths).
MASTODON_SCOPES = "read:accounts read:statuses write:statuses write:media"
OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob"
X_AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
X_SCOPES = "tweet.read tweet.write users.read media.write offline.access"
META_GRAPH_VERSION = "v23.0"
FACEBOOK_DIALOG_URL = f"https://www.facebook.com/{META_GRAPH_VERSION}/dialog/oauth"
FACEBOOK_SCOPES = "pages_show_list,pages_read_engagement,pages_manage_posts"
INSTAGRAM_SCOPES = ("pages_show_list,pages_read_engagement,instagram_basic,"
                    "instagram_content_publish,business_management")
INSTAGRAM_LOGIN_HOST = "graph.instagram.com"
INSTAGRAM_AUTHORIZE_URL = "https://www.instagram.com/oauth/authorize"
INSTAGRAM_TOKEN_URL = "https://api.instagram.com/oauth/access_token"
INSTAGRAM_LOGIN_SCOPES = "instagram_business_basic,instagram_business_content_publish"
THREADS_AUTHORIZE_URL = "https://threads.net/oauth/authorize"
THREADS_SCOPES = "threads_basic,threads_content_publish"
LINKEDIN_AUTHORIZE_URL = "https://www.linkedin.com/oauth/v2/authorization"
LINKEDIN_TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
LINKEDIN_SCOPES = "openid profile w_member_social"
# A page (urn:li:organization:N) needs the Community Management API, which LinkedIn
# lets be the only product of its app: no OpenID Connect scopes there.
LINKEDIN_ORGANIZATION_SCOPES = "w_organization_social r_organization_social"
ERROR_TEXT_LIMIT = 300
# What a redirect says when the person said no (RFC 6749; LinkedIn's own two).
DENIED = ("access_denied", "user_cancelled_authorize", "user_cancelled_login")


class LoginFailed(PlatformError):
    """The login cannot go on: denied, a forged or stale answer, no answer in time."""


# PKCE and state (RFC 7636)


def make_state() -> str:
    return random.token_urlsafe(24)


def make_verifier() -> str:
    """A code verifier: 64 characters of the unreserved alphabet (43-128 allowed)."""
    return random.token_urlsafe(48)


def code_challenge(verifier: str) -> str:
    """S256: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def with_query(url: str, params: dict[str, str]) -> str:
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}{urlencode(params, quote_via=quote)}"  # spaces as %20


# The answer of an authorisation: through the listener or pasted


@dataclass(frozen=True)
class Redirect:
    """Where the platform sends the browser back, and whether we listen there."""

    uri: str
    listen: bool


def loopback_redirect(uri: str) -> Redirect:
    """A redirect URI given by a person: listen when it is http on this machine."""
    parts = urlsplit(uri)
    # The listener is IPv4: an [::1] address is copy-paste.
    local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
    return Redirect(uri, listen=local and parts.port is not None)


def code_from_answer(params: dict[str, str], state: str | None) -> str:
    """The authorisation code of a redirect's parameters, after checking them."""
    if params.get("error"):
        detail = params.get("error_description") or params.get("error_reason") or ""
        detail = f" ({detail[:ERROR_TEXT_LIMIT]})" if detail else ""
        if params["error"] in DENIED:
            raise LoginFailed(f"the authorisation was denied{detail}")
        raise LoginFailed(f"the platform answered {params['error'][:80]}{detail}")
    if state is not None and params.get("state") != state:
        raise LoginFailed("the answer's state does not match this login (a stale or forged "
                          "redirect); start the login again")
    code = (params.get("code") or "").strip()
    if code.endswith("#_"):  # Meta adds this to its redirects
        code = code[:-2]
    if not code:
        raise LoginFailed("the answer carries no authorisation code")
    return code


def code_from_paste(text: str, state: str | None) -> str:
    """The code from a pasted redirect URL (state checked) or a bare pasted code."""
    text = text.strip()
    if not text:
        raise LoginFailed("nothing was pasted")
    if "code=" in text or "error=" in text or "://" in text:
        parts = urlsplit(text if "://" in text or text.startswith("?") else f"?{text}")
        query = parts.query or parts.fragment
        params = {key: values[0] for key, values in parse_qs(query).items()}
        # A pasted URL without state (Mastodon's page shows only the code) is
        # checked no further; one with a state must be this login's.
        return code_from_answer(params, state if "state" in params else None)
    code = text[:-2] if text.endswith("#_") else text
    if any(ch.isspace() for ch in code):
        raise LoginFailed("that does not look like an authorisation code")
    return code


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>publisher</title></head>
<body style="font-family: sans-serif; margin: 3em"><h1>{title}</h1><p>{text}</p></body></html>
"""


class RedirectListener:
    """A one-shot HTTP server on 127.0.0.1 that waits for the browser's redirect.

    It answers only on the redirect URI's path; other requests (a favicon)
    get 404 and the wait goes on. ``wait`` returns the query parameters of
    the first request on that path, whatever they say (the caller checks).
    """

    def __init__(self, port: int = 0, path: str = "/callback", host_name: str = "127.0.0.1"):
        self.path = path or "/"
        self.host_name = host_name
        self._answer: dict[str, str] | None = None
        self._done = threading.Event()
        listener = self
        try:
            self._server = HTTPServer(("127.0.0.1", port), self._handler(listener))
        except OSError as error:
            raise LoginFailed(f"cannot listen on 127.0.0.1 port {port} ({error.strerror}); "
                              "choose another port") from None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        host = f"[{self.host_name}]" if ":" in self.host_name else self.host_name
        return f"http://{host}:{self.port}{self.path}"

    def _handler(self, listener: RedirectListener) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # the query carries the code
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != listener.path or listener._done.is_set():
                    self._reply(404, "Not here", "This is not the page you were sent to.")
                    return
                params = {key: values[0] for key, values in parse_qs(parts.query).items()}
                listener._answer = params
                listener._done.set()
                if params.get("error"):
                    self._reply(200, "Login not completed",
                                "The platform did not grant access. Go back to the terminal.")
                else:
                    self._reply(200, "Done", "You can close this window and go back to the "
                                             "terminal.")

            def _reply(self, status: int, title: str, text: str) -> None:
                body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def wait(self, timeout: float) -> dict[str, str]:
        """The redirect's parameters; LoginFailed when none came within ``timeout`` s."""
        import time

        deadline = time.monotonic() + timeout
        while not self._done.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                raise LoginFailed(f"no answer from the browser within {timeout:g} seconds "
                                  "(run the login again, or use --paste)")
            self._server.timeout = min(left, 0.5)
            self._server.handle_request()
        assert self._answer is not None
        return self._answer

    def close(self) -> None:
        self._server.server_close()

    def __enter__(self) -> RedirectListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Talking to the platforms


def _error_text(response: requests.Response, secrets: tuple[str, ...]) -> str:
    """The platform's own words for an error (OAuth, Graph, Mastodon, XRPC, X)."""
    try:
        body = response.json()
    except ValueError:
        return redact(response.reason or "", secrets)[:ERROR_TEXT_LIMIT]
    text = ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # the Graph API
            text = str(error.get("message") or error.get("type") or "")
        else:
            parts = [str(body[key]) for key in ("error", "error_description", "message",
                                                "detail", "description") if body.get(key)]
            text = ": ".join(dict.fromkeys(parts))
        if not text and isinstance(body.get("errors"), list) and body["errors"]:
            first = body["errors"][0]
            text = str(first.get("message") if isinstance(first, dict) else first)
    return redact(text, secrets)[:ERROR_TEXT_LIMIT]


def _answer(response: requests.Response, what: str, secrets: tuple[str, ...], now) -> dict:
    """A JSON object from a successful answer; an error becomes a failure kind."""
    if response.status_code >= 400:
        text = _error_text(response, secrets)
        if response.status_code in (400, 401, 403):
            # OAuth endpoints say invalid_grant / invalid_client with 400 or 401.
            raise AuthFailed(f"{what}: HTTP {response.status_code}: {text}".rstrip(": "))
        raise_for_status(response, f"{what}: {text}", now=now)
    try:
        return json_object(response)
    except (Transient, Rejected):
        raise Rejected(f"{what}: HTTP {response.status_code}: the answer is not a JSON "
                       "object") from None


@dataclass
class LoginClient:
    """The requests of every platform's login, over one shared session."""

    session: requests.Session
    now: object  # a clock: () -> datetime

    def _call(self, method: str, url: str, what: str, secrets: tuple[str, ...] = (),
              **kwargs: object) -> dict:
        secrets = tuple(s for s in secrets if s)
        response = request(self.session, method, url, secrets=secrets, **kwargs)
        return _answer(response, what, secrets, self.now())  # type: ignore[operator]

    # Generic OAuth 2.0 token endpoint (RFC 6749 section 4.1.3)

    def token(self, url: str, data: dict[str, str], *, basic: tuple[str, str] | None = None,
              secrets: tuple[str, ...] = (), what: str = "the token request") -> dict:
        kwargs: dict[str, object] = {"data": data, "headers": {"Accept": "application/json"}}
        if basic is not None:
            kwargs["auth"] = basic
        secrets = (*secrets, data.get("code", ""), data.get("client_secret", ""),
                   data.get("code_verifier", ""), basic[1] if basic else "")
        answer = self._call("POST", url, what, secrets, **kwargs)
        if not answer.get("access_token"):
            raise Rejected(f"{what}: the answer has no access_token")
        return answer

    # Mastodon

    def mastodon_register(self, base: str, redirect_uri: str, scopes: str) -> dict:
        """POST /api/v1/apps: a client id and secret for this login."""
        answer = self._call("POST", f"{base}/api/v1/apps", "registering the app", data={
            "client_name": "publisher", "redirect_uris": redirect_uri, "scopes": scopes})
        if not answer.get("client_id") or not answer.get("client_secret"):
            raise Rejected("registering the app: the answer has no client_id/client_secret")
        return answer

    def mastodon_me(self, base: str, token: str) -> dict:
        return self._call("GET", f"{base}/api/v1/accounts/verify_credentials",
                          "checking the new token", (token,),
                          headers={"Authorization": f"Bearer {token}"})

    # X

    def x_me(self, base: str, token: str) -> dict:
        answer = self._call("GET", f"{base}/2/users/me", "checking the new token", (token,),
                            headers={"Authorization": f"Bearer {token}"})
        return answer.get("data") or {}

    # Bluesky

    def bluesky_session(self, base: str, identifier: str, password: str) -> dict:
        """com.atproto.server.createSession with the app password."""
        answer = self._call("POST", f"{base}/xrpc/com.atproto.server.createSession",
                            "logging in to the PDS", (password,),
                            json={"identifier": identifier, "password": password})
        if not answer.get("accessJwt") or not answer.get("did"):
            raise Rejected("logging in to the PDS: the answer has no session")
        return answer

    # Meta: Facebook pages and the Instagram accounts linked to them

    def facebook_code_token(self, graph: str, app_id: str, app_secret: str,
                            redirect_uri: str, code: str) -> dict:
        """The code of the Login dialog for a (short-lived) user token."""
        return self._call("GET", f"{graph}/{META_GRAPH_VERSION}/oauth/access_token",
                          "exchanging the code", (app_secret, code),
                          params={"client_id": app_id, "redirect_uri": redirect_uri,
                                  "client_secret": app_secret, "code": code})

    def facebook_long_lived(self, graph: str, app_id: str, app_secret: str,
                            user_token: str) -> dict:
        """grant_type=fb_exchange_token: a long-lived (about 60 days) user token."""
        answer = self._call("GET", f"{graph}/{META_GRAPH_VERSION}/oauth/access_token",
                            "exchanging for a long-lived token", (app_secret, user_token),
                            params={"grant_type": "fb_exchange_token", "client_id": app_id,
                                    "client_secret": app_secret,
                                    "fb_exchange_token": user_token})
        if not answer.get("access_token"):
            raise Rejected("exchanging for a long-lived token: no access_token in the answer")
        return answer

    _PAGE_FIELDS = "id,name,access_token,instagram_business_account{id,username}"

    def facebook_pages(self, graph: str, user_token: str) -> list[dict]:
        """GET /me/accounts: the pages the person manages, each with its page token."""
        answer = self._call("GET", f"{graph}/{META_GRAPH_VERSION}/me/accounts",
                            "listing your pages", (user_token,),
                            headers={"Authorization": f"Bearer {user_token}"},
                            params={"fields": self._PAGE_FIELDS, "limit": "100"})
        pages = answer.get("data") or []
        return [page for page in pages if isinstance(page, dict) and page.get("id")]

    def facebook_page(self, graph: str, user_token: str, page_id: str) -> dict:
        """GET /{page-id}?fields=access_token,...: one page and its page token."""
        return self._call("GET", f"{graph}/{META_GRAPH_VERSION}/{page_id}",
                          f"reading page {page_id}", (user_token,),
                          headers={"Authorization": f"Bearer {user_token}"},
                          params={"fields": self._PAGE_FIELDS})

    # Threads, and Instagram with Instagram Login

    def meta_code_token(self, token_url: str, app_id: str, app_secret: str,
                        redirect_uri: str, code: str) -> dict:
        """POST /oauth/access_token: the code for a short-lived token (and the user id)."""
        answer = self._call("POST", token_url, "exchanging the code", (app_secret, code),
                            data={"client_id": app_id, "client_secret": app_secret,
                                  "grant_type": "authorization_code",
                                  "redirect_uri": redirect_uri, "code": code})
        if isinstance(answer.get("data"), list) and answer["data"]:
            answer = answer["data"][0]  # Instagram Login's newer shape
        if not isinstance(answer, dict) or not answer.get("access_token"):
            raise Rejected("exchanging the code: no access_token in the answer")
        return answer

    def meta_long_lived(self, base: str, grant: str, app_secret: str, short_token: str) -> dict:
        """GET /access_token?grant_type=th_exchange_token|ig_exchange_token: 60 days."""
        answer = self._call("GET", f"{base}/access_token", "exchanging for a long-lived token",
                            (app_secret, short_token),
                            params={"grant_type": grant, "client_secret": app_secret,
                                    "access_token": short_token})
        if not answer.get("access_token"):
            raise Rejected("exchanging for a long-lived token: no access_token in the answer")
        return answer

    def meta_me(self, base: str, version: str, token: str, fields: str) -> dict:
        return self._call("GET", f"{base}/{version}/me", "checking the new token", (token,),
                          headers={"Authorization": f"Bearer {token}"},
                          params={"fields": fields})

    # Telegram

    def telegram(self, base: str, token: str, method: str, **fields: object) -> dict:
        """One Bot API call; the answer's ``result``, or the API's description as a failure."""
        response = request(self.session, "POST", f"{base}/bot{token}/{method}",
                           secrets=(token,), json=fields or None)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise_for_status(response, "", now=self.now())  # type: ignore[operator]
            raise Rejected(f"Telegram {method}: the answer is not JSON")
        if body.get("ok"):
            return body.get("result") or {}
        code = int(body.get("error_code") or response.status_code)
        text = redact(str(body.get("description") or ""), (token,))[:ERROR_TEXT_LIMIT]
        message = f"Telegram {code}: {text}"
        if code in (401, 404):
            raise AuthFailed(message)
        if code == 429:  # ResponseParameters.retry_after: seconds to wait
            wait = (body.get("parameters") or {}).get("retry_after")
            until = None
            if isinstance(wait, int | float) and wait >= 0:
                until = self.now() + timedelta(seconds=wait)  # type: ignore[operator]
            raise RateLimited(message, until)
        if code >= 500:
            raise Transient(message)
        raise Rejected(message)

    # LinkedIn

    def linkedin_userinfo(self, base: str, token: str) -> dict:
        """GET /v2/userinfo (OpenID Connect): ``sub`` is the member's person id."""
        return self._call("GET", f"{base}/v2/userinfo", "reading who logged in", (token,),
                          headers={"Authorization": f"Bearer {token}"})
