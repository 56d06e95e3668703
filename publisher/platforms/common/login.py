"""What every ``accounts login`` shares: OAuth pieces, the loopback listener, the steps.

A platform's login (its folder's ``login.py``) is a function of
:class:`LoginSteps`: which requests, in which order, what to ask the person.
Everything they share lives here: PKCE and ``state`` (RFC 7636, RFC 6749),
reading an authorisation code from a redirect or a paste, the one-shot
listener on 127.0.0.1, the token request, and the questions put to the
person through a :class:`Prompter` (the CLI hands one in). What is kept in the
keyring, and when, is the service's business (``publisher.services.login``):
nothing here stores anything.

Every address is a parameter, so a test can point a whole login at a local
server. Failures come out as the adapters' kinds (``AuthFailed``,
``Rejected``, ``Transient``, ``RateLimited``), as :class:`LoginFailed` for what
only a login has (a denied authorisation, a wrong ``state``, no answer in
time), or as ``UserError`` for the person's own input. Messages never carry a
secret: every call passes its secrets for redaction, and an answer's text is
cut short before it is shown.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets as random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import requests

from publisher.domain.accounts import DEFAULT_API_BASE, Account
from publisher.domain.errors import UserError
from publisher.domain.remedies import Fix, Remedy, WithRemedy
from publisher.i18n import _
from publisher.platforms.base import AuthFailed, PlatformError, Rejected, Transient
from publisher.platforms.common.http import json_object, raise_for_status, redact, request
from publisher.platforms.common.token_records import expires_at_after

# The loopback port used when a platform needs its redirect URI registered in
# advance (X, LinkedIn, Facebook): register http://127.0.0.1:8719/callback.
DEFAULT_PORT = 8719
DEFAULT_TIMEOUT = 300.0
# The out-of-band redirect (no redirect: the page shows the code to paste).
OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob"
# API hosts of the platforms themselves: their login addresses stay the public ones.
PUBLIC_API_HOSTS = frozenset(urlsplit(base).hostname for base in DEFAULT_API_BASE.values()
                             if base)
ERROR_TEXT_LIMIT = 300
# What a redirect says when the person said no (RFC 6749; LinkedIn's own two).
DENIED = ("access_denied", "user_cancelled_authorize", "user_cancelled_login")


class LoginFailed(PlatformError):
    """The login cannot go on: denied, a forged or stale answer, no answer in time."""


class NoAnswer(LoginFailed):
    """The browser did not come back in time (a paste would do without it)."""


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
                raise NoAnswer(f"no answer from the browser within {timeout:g} seconds "
                               "(run the login again)")
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
    """The requests of a login, over one shared session (each platform's own
    requests are functions of its login module that take this client)."""

    session: requests.Session
    now: Callable[[], datetime]

    def call(self, method: str, url: str, what: str, secrets: tuple[str, ...] = (),
             **kwargs: Any) -> dict:
        """One request of a login; its JSON object, or the platform's refusal as a kind."""
        secrets = tuple(s for s in secrets if s)
        response = request(self.session, method, url, secrets=secrets, **kwargs)
        return _answer(response, what, secrets, self.now())

    # Generic OAuth 2.0 token endpoint (RFC 6749 section 4.1.3)

    def token(self, url: str, data: dict[str, str], *, basic: tuple[str, str] | None = None,
              secrets: tuple[str, ...] = (), what: str = "the token request") -> dict:
        kwargs: dict[str, object] = {"data": data, "headers": {"Accept": "application/json"}}
        if basic is not None:
            kwargs["auth"] = basic
        secrets = (*secrets, data.get("code", ""), data.get("client_secret", ""),
                   data.get("code_verifier", ""), basic[1] if basic else "")
        answer = self.call("POST", url, what, secrets, **kwargs)
        if not answer.get("access_token"):
            raise Rejected(f"{what}: the answer has no access_token")
        return answer



# Talking to the person


class Prompter(Protocol):
    """How a login talks to the person (the CLI prints to a terminal)."""

    def say(self, text: str) -> None: ...

    def show_url(self, url: str) -> None:
        """Show the address to open (and open a browser where that makes sense)."""
        ...

    def ask(self, prompt: str) -> str:
        """A visible answer (an id, a handle); '' when none was given."""
        ...

    def ask_secret(self, prompt: str) -> str:
        """An answer that is never echoed (a secret, a pasted code); '' when none."""
        ...


@dataclass
class LoginOptions:
    port: int | None = None  # loopback listener port (0: any free port)
    redirect_uri: str | None = None  # the whole redirect URI registered with the app
    paste: bool = False  # copy-paste instead of the loopback listener
    timeout: float = DEFAULT_TIMEOUT  # seconds the listener waits for the browser
    client_id: str | None = None  # the app's client id / app id (not a secret)
    scopes: str | None = None
    authorize_url: str | None = None
    token_url: str | None = None
    page: str | None = None  # Facebook / Instagram: which page
    instagram_login: bool = False  # Instagram: Instagram Login instead of Facebook Login


@dataclass
class Credentials:
    """What a login got: the service keeps it once the whole login worked."""

    secret: str
    who: str
    meta: dict | None = None  # the token record (part oauth); None: does not expire
    session: str | None = None  # Bluesky's session (part session)
    handle: str | None = None  # what the account's handle should be, when learnt
    notes: list[str] = field(default_factory=list)


def paste_address() -> str:
    return _("Paste the whole address the browser was sent to, from its address bar (the "
             "page itself may fail to load) (not shown): ")


def check_redirect(uri: str) -> None:
    """A redirect URI given by a person: a whole http(s) address (with a port on loopback)."""
    parts = urlsplit(uri)
    if uri == OOB_REDIRECT:
        return
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        raise UserError(_("invalid redirect URI {uri!r}").format(uri=uri),
                        hint=_("give the whole address registered with the app, e.g. "
                               "http://127.0.0.1:8719/callback"))
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1") and (
            parts.port is None):
        raise UserError(_("the redirect URI {uri!r} names no port").format(uri=uri),
                        hint=_("e.g. http://127.0.0.1:8719/callback"))


class Receiver:
    """Where the authorisation code comes back: the loopback listener or a paste."""

    def __init__(self, redirect: Redirect):
        self.listener: RedirectListener | None = None
        self.redirect_uri = redirect.uri
        if redirect.listen:
            parts = urlsplit(redirect.uri)
            self.listener = RedirectListener(parts.port or 0, parts.path or "/",
                                             parts.hostname or "127.0.0.1")
            self.redirect_uri = self.listener.redirect_uri

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.listener is not None:
            self.listener.close()

    def code(self, prompter: Prompter, url: str, state: str | None, timeout: float,
             paste_prompt: str) -> str:
        prompter.say(_("Open this address in a browser, log in and allow access:"))
        prompter.show_url(url)
        if self.listener is not None:
            prompter.say(_("Waiting for the browser to come back to {uri} (up to {seconds} s)...")
                         .format(uri=self.redirect_uri, seconds=f"{timeout:g}"))
            return code_from_answer(self.listener.wait(timeout), state)
        text = prompter.ask_secret(paste_prompt)
        return code_from_paste(text, state)


class LoginSteps:
    """The steps every login takes: the account, the person, the options, the client."""

    def __init__(self, account: Account, prompter: Prompter, options: LoginOptions,
                 clock: Callable[[], datetime], client: LoginClient):
        self.account = account
        self.prompter = prompter
        self.options = options
        self.clock = clock
        self.client = client
        self.base = (account.effective_api_base or "").rstrip("/")

    def address(self, public: str, *, also_public: frozenset[str] = frozenset()) -> str:
        """A public login address, moved under a custom api_base (a test server).

        ``also_public``: API hosts of the platform beyond the default bases.
        """
        if public.startswith(f"{self.base}/"):
            return public
        if urlsplit(self.base).hostname not in PUBLIC_API_HOSTS | also_public:
            parts = urlsplit(public)
            return self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        return public

    def redirect(self, *, default_port: int, paste_uri: str | None = None) -> Redirect:
        options = self.options
        if options.redirect_uri:
            redirect = loopback_redirect(options.redirect_uri)
            return Redirect(redirect.uri, redirect.listen and not options.paste)
        port = default_port if options.port is None else options.port
        if options.paste:
            if paste_uri:
                return Redirect(paste_uri, listen=False)
            if port == 0:
                raise UserError(_("pasting the code needs the redirect URI registered with "
                                  "the app, not any free port"),
                                hint=_("give the redirect URI, or a port other than 0"))
            return Redirect(f"http://127.0.0.1:{port}/callback", listen=False)
        return Redirect(f"http://127.0.0.1:{port}/callback", listen=True)

    def authorize(self, redirect: Redirect, authorize_url: str,
                  query: Callable[[str, str], dict[str, str]], paste_prompt: str, *,
                  registered_as: str | None = None) -> tuple[str, str]:
        """Send the person to authorise; the code and the redirect URI it came back to.

        ``query`` makes the authorisation's parameters from the redirect URI
        and the state; ``registered_as`` names the app whose registered
        redirect URI the person is reminded of.
        """
        state = make_state()
        with Receiver(redirect) as receiver:
            if registered_as:
                self.say_redirect(registered_as, receiver.redirect_uri)
            url = with_query(authorize_url, query(receiver.redirect_uri, state))
            try:
                code = receiver.code(self.prompter, url, state, self.options.timeout,
                                     paste_prompt)
            except NoAnswer as error:
                raise NoAnswer(error.message, remedy=Remedy(
                    Fix.LOG_IN, account=self.account.id, setting="paste")) from None
            return code, receiver.redirect_uri

    def required(self, prompt: str, what: str) -> str:
        value = self.prompter.ask(prompt).strip()
        if not value:
            raise UserError(_("no {what} given; nothing was stored").format(what=what))
        return value

    def required_secret(self, prompt: str, what: str) -> str:
        value = self.prompter.ask_secret(prompt).strip()
        if not value:
            raise UserError(_("no {what} given; nothing was stored").format(what=what))
        return value

    def client_id(self, prompt: str) -> str:
        value = self.options.client_id or self.required(prompt, _("client id"))
        if any(ch.isspace() for ch in value):
            raise UserError(_("the client id {value!r} has spaces in it").format(value=value))
        return value

    def expires_at(self, answer: dict, default: timedelta) -> str:
        return expires_at_after(self.clock(), answer.get("expires_in"), default)

    def say_redirect(self, platform_name: str, uri: str) -> None:
        if self.options.redirect_uri or self.options.port == 0:
            return  # the person chose it (or any port will do: nothing to register)
        self.prompter.say(WithRemedy(
            _("The redirect URI registered in your {name} app must be exactly {uri}")
            .format(name=platform_name, uri=uri),
            Remedy(Fix.LOG_IN, account=self.account.id, setting="redirect_uri", value="URI")))


# A platform's login: its steps, and what they got.
LoginFlow = Callable[[LoginSteps], Credentials]
