"""``accounts login``: walk a person through getting an account's secret, then keep it.

One flow per platform (which requests, in which order, what to ask the
person); the HTTP lives in ``publisher.platforms.login`` and the prompting
in the CLI, which hands in a :class:`Prompter`. Nothing is stored until the
whole flow succeeded and the new credentials were checked against the
platform: a denied authorisation, a wrong answer, a timeout or Ctrl-C leave
the keyring as it was.

What is stored (the adapters read it):

- the main secret: the access token, app password or bot token;
- part ``oauth``: the token record of an expiring token (``expires_at`` and
  what renews it), removed for tokens that do not expire;
- part ``session`` (Bluesky): the session made while checking the password.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from publisher.domain.accounts import DEFAULT_API_BASE, Account
from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.platforms import login as oauth
from publisher.platforms.base import PlatformError, Rejected
from publisher.platforms.common.http import make_session
from publisher.platforms.common.token_records import OAUTH_PART, expires_at_after, expiry_of
from publisher.services import secrets
from publisher.services.context import Context

if TYPE_CHECKING:  # the session is made and used in the platforms layer
    import requests

# The loopback port used when a platform needs its redirect URI registered in
# advance (X, LinkedIn, Facebook): register http://127.0.0.1:8719/callback.
DEFAULT_PORT = 8719
DEFAULT_TIMEOUT = 300.0
LOGIN_PLATFORMS = ("mastodon", "x", "bluesky", "facebook", "instagram", "threads", "telegram",
                   "linkedin")
# API hosts of the platforms themselves: their login addresses stay the public ones.
_PUBLIC_HOSTS = {urlsplit(base).hostname for base in DEFAULT_API_BASE.values() if base} | {
    oauth.INSTAGRAM_LOGIN_HOST}
_APP_PASSWORD = re.compile(r"^[a-z0-9]{4}(-[a-z0-9]{4}){3}$")
_BOT_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


class Prompter(Protocol):
    """How the flow talks to the person (the CLI prints to a terminal)."""

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
class LoginResult:
    account_id: str
    who: str
    expires_at: datetime | None = None
    handle: str | None = None  # written to accounts.toml because it was missing
    notes: list[str] = field(default_factory=list)


@dataclass
class _Credentials:
    secret: str
    who: str
    meta: dict | None = None  # the token record (part oauth); None: does not expire
    session: str | None = None  # Bluesky's session (part session)
    handle: str | None = None  # what --handle should be, when learnt
    notes: list[str] = field(default_factory=list)


def login(
    context: Context,
    account_id: str,
    prompter: Prompter,
    options: LoginOptions,
    clock: Callable[[], datetime],
    session: requests.Session | None = None,
) -> LoginResult:
    """Run the account's login flow; store its secret only when everything worked.

    Raises UserError for bad input and PlatformError kinds for what the
    platform said (the CLI maps them to exit codes).
    """
    account = context.account(account_id)
    if not account.needs_secret:
        raise UserError(_("{platform} accounts need no login").format(platform=account.platform))
    if account.platform not in LOGIN_PLATFORMS:
        raise UserError(_("there is no guided login for {platform} yet; use "
                          "'publisher accounts set-secret {id}'")
                        .format(platform=account.platform, id=account.id))
    if options.port is not None and not 0 <= options.port <= 65535:
        raise UserError(_("--port must be between 0 and 65535"))
    if options.timeout <= 0:
        raise UserError(_("--timeout must be more than 0 seconds"))
    if options.redirect_uri is not None:
        _check_redirect(options.redirect_uri)
    flow = _Flow(account, prompter, options, clock,
                 oauth.LoginClient(session or make_session(), clock))
    credentials = getattr(flow, account.platform)()
    _store(account.id, credentials)
    handle = None
    if credentials.handle and not account.handle:
        handle = credentials.handle
        context.accounts_file.replace(replace(account, handle=handle))
    expires = expiry_of(credentials.meta) if credentials.meta else None
    return LoginResult(account.id, credentials.who, expires, handle, credentials.notes)


def _paste_address() -> str:
    return _("Paste the whole address the browser was sent to, from its address bar (the "
             "page itself may fail to load) (not shown): ")


def _fingerprint(token: str) -> str:
    """Which token a record describes (as the Meta adapters compute it)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _check_redirect(uri: str) -> None:
    parts = urlsplit(uri)
    if uri == oauth.OOB_REDIRECT:
        return
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        raise UserError(_("invalid redirect URI {uri!r}").format(uri=uri),
                        hint=_("give the whole address registered with the app, e.g. "
                               "http://127.0.0.1:8719/callback"))
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1") and (
            parts.port is None):
        raise UserError(_("the redirect URI {uri!r} names no port").format(uri=uri),
                        hint=_("e.g. http://127.0.0.1:8719/callback"))


def _store(account_id: str, credentials: _Credentials) -> None:
    """The main secret, then its token record and session; stale parts go."""
    secrets.set_secret(account_id, credentials.secret)
    if credentials.meta:
        secrets.set_secret(account_id, json.dumps(credentials.meta, sort_keys=True), OAUTH_PART)
    else:
        secrets.delete_secret(account_id, OAUTH_PART)
    if credentials.session:
        secrets.set_secret(account_id, credentials.session, "session")
    else:
        secrets.delete_secret(account_id, "session")


class _Receiver:
    """Where the authorisation code comes back: the loopback listener or a paste."""

    def __init__(self, redirect: oauth.Redirect):
        self.listener: oauth.RedirectListener | None = None
        self.redirect_uri = redirect.uri
        if redirect.listen:
            parts = urlsplit(redirect.uri)
            self.listener = oauth.RedirectListener(parts.port or 0, parts.path or "/",
                                                   parts.hostname or "127.0.0.1")
            self.redirect_uri = self.listener.redirect_uri

    def __enter__(self) -> _Receiver:
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
            return oauth.code_from_answer(self.listener.wait(timeout), state)
        text = prompter.ask_secret(paste_prompt)
        return oauth.code_from_paste(text, state)


class _Flow:
    def __init__(self, account: Account, prompter: Prompter, options: LoginOptions,
                 clock: Callable[[], datetime], client: oauth.LoginClient):
        self.account = account
        self.prompter = prompter
        self.options = options
        self.clock = clock
        self.client = client
        self.base = (account.effective_api_base or "").rstrip("/")

    # Shared steps

    def _address(self, public: str) -> str:
        """A public login address, moved under a custom api_base (a test server)."""
        if public.startswith(f"{self.base}/"):
            return public
        if urlsplit(self.base).hostname not in _PUBLIC_HOSTS:
            parts = urlsplit(public)
            return self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        return public

    def _redirect(self, *, default_port: int, paste_uri: str | None = None) -> oauth.Redirect:
        options = self.options
        if options.redirect_uri:
            redirect = oauth.loopback_redirect(options.redirect_uri)
            return oauth.Redirect(redirect.uri, redirect.listen and not options.paste)
        port = default_port if options.port is None else options.port
        if options.paste:
            if paste_uri:
                return oauth.Redirect(paste_uri, listen=False)
            if port == 0:
                raise UserError(_("--paste needs the redirect URI registered with the app"),
                                hint=_("add --redirect-uri URI (or --port N)"))
            return oauth.Redirect(f"http://127.0.0.1:{port}/callback", listen=False)
        return oauth.Redirect(f"http://127.0.0.1:{port}/callback", listen=True)

    def _required(self, prompt: str, what: str) -> str:
        value = self.prompter.ask(prompt).strip()
        if not value:
            raise UserError(_("no {what} given; nothing was stored").format(what=what))
        return value

    def _required_secret(self, prompt: str, what: str) -> str:
        value = self.prompter.ask_secret(prompt).strip()
        if not value:
            raise UserError(_("no {what} given; nothing was stored").format(what=what))
        return value

    def _client_id(self, prompt: str) -> str:
        value = self.options.client_id or self._required(prompt, _("client id"))
        if any(ch.isspace() for ch in value):
            raise UserError(_("the client id {value!r} has spaces in it").format(value=value))
        return value

    def _expires_at(self, answer: dict, default: timedelta) -> str:
        return expires_at_after(self.clock(), answer.get("expires_in"), default)

    def _say_redirect(self, platform_name: str, uri: str) -> None:
        if self.options.redirect_uri or self.options.port == 0:
            return  # the person chose it (or any port will do: nothing to register)
        self.prompter.say(_("The redirect URI registered in your {name} app must be exactly "
                            "{uri} (or give yours with --redirect-uri).")
                          .format(name=platform_name, uri=uri))

    # Mastodon: register an app on the instance, then authorisation code

    def mastodon(self) -> _Credentials:
        scopes = self.options.scopes or oauth.MASTODON_SCOPES
        redirect = self._redirect(default_port=0, paste_uri=oauth.OOB_REDIRECT)
        with _Receiver(redirect) as receiver:
            self.prompter.say(_("Registering publisher as an app on {base}...")
                              .format(base=self.base))
            app = self.client.mastodon_register(self.base, receiver.redirect_uri, scopes)
            client_id, client_secret = str(app["client_id"]), str(app["client_secret"])
            state = oauth.make_state()
            url = oauth.with_query(self.options.authorize_url or f"{self.base}/oauth/authorize", {
                "response_type": "code", "client_id": client_id,
                "redirect_uri": receiver.redirect_uri, "scope": scopes, "state": state})
            code = receiver.code(self.prompter, url, state, self.options.timeout,
                                 _("Paste the authorisation code the page shows (not shown): "))
            redirect_uri = receiver.redirect_uri
        tokens = self.client.token(self.options.token_url or f"{self.base}/oauth/token", {
            "grant_type": "authorization_code", "code": code, "client_id": client_id,
            "client_secret": client_secret, "redirect_uri": redirect_uri, "scope": scopes})
        token = str(tokens["access_token"])
        me = self.client.mastodon_me(self.base, token)
        acct = str(me.get("acct") or me.get("username") or "")
        if not acct:
            raise Rejected("the instance did not say whose the token is")
        host = urlsplit(self.base).hostname or ""
        who = f"@{acct}" if "@" in acct else f"@{acct}@{host}"
        return _Credentials(token, who, handle=who)

    # X: OAuth 2.0 authorisation code with PKCE

    def x(self) -> _Credentials:
        self.prompter.say(_("You need an app in the X developer portal with OAuth 2.0 turned "
                            "on (User authentication settings: Read and write)."))
        client_id = self._client_id(_("OAuth 2.0 Client ID of your X app: "))
        client_secret = self.prompter.ask_secret(
            _("Client secret (not shown; press Enter for a public client): ")).strip()
        scopes = self.options.scopes or oauth.X_SCOPES
        redirect = self._redirect(default_port=DEFAULT_PORT)
        token_url = self.options.token_url or f"{self.base}/2/oauth2/token"
        verifier = oauth.make_verifier()
        state = oauth.make_state()
        with _Receiver(redirect) as receiver:
            self._say_redirect("X", receiver.redirect_uri)
            url = oauth.with_query(
                self.options.authorize_url or self._address(oauth.X_AUTHORIZE_URL), {
                    "response_type": "code", "client_id": client_id,
                    "redirect_uri": receiver.redirect_uri, "scope": scopes, "state": state,
                    "code_challenge": oauth.code_challenge(verifier),
                    "code_challenge_method": "S256"})
            code = receiver.code(self.prompter, url, state, self.options.timeout,
                                 _paste_address())
            redirect_uri = receiver.redirect_uri
        data = {"grant_type": "authorization_code", "code": code, "client_id": client_id,
                "redirect_uri": redirect_uri, "code_verifier": verifier}
        tokens = self.client.token(token_url, data,
                                   basic=(client_id, client_secret) if client_secret else None,
                                   secrets=(client_secret,))
        token = str(tokens["access_token"])
        me = self.client.x_me(self.base, token)
        username = str(me.get("username") or "")
        meta = {"client_id": client_id,
                "expires_at": self._expires_at(tokens, timedelta(hours=2))}
        notes = []
        if tokens.get("refresh_token"):
            meta["refresh_token"] = str(tokens["refresh_token"])
        else:
            notes.append(_("X gave no refresh token (offline.access was not granted): the "
                           "token stops working in two hours"))
        if client_secret:
            meta["client_secret"] = client_secret
        if token_url != f"{self.base}/2/oauth2/token":
            meta["token_url"] = token_url
        who = f"@{username}" if username else str(me.get("id") or "?")
        return _Credentials(token, who, meta, handle=who if username else None, notes=notes)

    # Bluesky: an app password, checked with createSession

    def bluesky(self) -> _Credentials:
        identifier = (self.account.handle or "").lstrip("@") or self._required(
            _("Your Bluesky handle (e.g. embassy.bsky.social): "), _("handle")).lstrip("@")
        self.prompter.say(_(
            "Create an app password for publisher: in Bluesky, Settings -> Privacy and "
            "security -> App passwords -> Add App Password (name it 'publisher'; it looks "
            "like xxxx-xxxx-xxxx-xxxx). Never give publisher your account password."))
        password = self._required_secret(_("App password (not shown): "), _("app password"))
        notes = []
        if not _APP_PASSWORD.match(password):
            notes.append(_("that does not look like an app password (xxxx-xxxx-xxxx-xxxx); "
                           "prefer one over the account password"))
        answer = self.client.bluesky_session(self.base, identifier, password)
        handle = str(answer.get("handle") or identifier)
        session = json.dumps({"did": str(answer["did"]), "handle": handle,
                              "accessJwt": str(answer["accessJwt"]),
                              "refreshJwt": str(answer.get("refreshJwt") or "")})
        return _Credentials(password, f"@{handle}", session=session, handle=handle, notes=notes)

    # Telegram: a bot token from @BotFather; the bot must be a channel admin

    def telegram(self) -> _Credentials:
        chat = self.account.handle or self._required(
            _("The channel (@name, or its numeric id such as -1001234567890): "), _("channel"))
        self.prompter.say(_(
            "Get a bot token from @BotFather in Telegram: send /newbot, choose a name and a "
            "user name ending in 'bot'; BotFather answers with the token (123456:ABC...)."))
        token = self._required_secret(_("Bot token (not shown): "), _("bot token"))
        if not _BOT_TOKEN.match(token):
            raise UserError(_("that is not a bot token (it looks like 123456789:AA...); "
                              "nothing was stored"))
        bot = self.client.telegram(self.base, token, "getMe")
        name = str(bot.get("username") or "")
        how = _("add the bot as an administrator of {chat}: in the channel, Administrators -> "
                "Add Admin -> search @{bot} -> allow 'Post messages'; then log in again"
                ).format(chat=chat, bot=name or "your_bot")
        try:
            member = self.client.telegram(self.base, token, "getChatMember", chat_id=chat,
                                          user_id=bot.get("id"))
        except Rejected as error:
            raise UserError(_("the bot cannot see {chat} ({error}); {how}")
                            .format(chat=chat, error=error.message, how=how)) from None
        status = str(member.get("status") or "")
        if status not in ("administrator", "creator"):
            raise UserError(_("@{bot} is not an administrator of {chat} (it is '{status}'); "
                              "nothing was stored; {how}")
                            .format(bot=name, chat=chat, status=status or "?", how=how))
        if member.get("can_post_messages") is False:
            raise UserError(_("@{bot} may not post in {chat}; nothing was stored; {how}")
                            .format(bot=name, chat=chat, how=how))
        return _Credentials(token, _("@{bot} in {chat}").format(bot=name, chat=chat),
                            handle=chat)

    # Meta: Facebook Login, then a page token (it does not expire)

    def _facebook_user_token(self, scopes: str) -> tuple[str, str]:
        self.prompter.say(_("You need a Meta app (developers.facebook.com) with Facebook "
                            "Login; its App ID and App secret are under App settings -> Basic."))
        app_id = self._client_id(_("App ID: "))
        app_secret = self._required_secret(_("App secret (not shown): "), _("app secret"))
        redirect = self._redirect(default_port=DEFAULT_PORT)
        state = oauth.make_state()
        with _Receiver(redirect) as receiver:
            self._say_redirect("Meta", receiver.redirect_uri)
            url = oauth.with_query(
                self.options.authorize_url or self._address(oauth.FACEBOOK_DIALOG_URL), {
                    "client_id": app_id, "redirect_uri": receiver.redirect_uri,
                    "state": state, "scope": self.options.scopes or scopes,
                    "response_type": "code"})
            code = receiver.code(self.prompter, url, state, self.options.timeout,
                                 _paste_address())
            redirect_uri = receiver.redirect_uri
        short = self.client.facebook_code_token(self.base, app_id, app_secret, redirect_uri,
                                                code)
        long = self.client.facebook_long_lived(self.base, app_id, app_secret,
                                               str(short["access_token"]))
        return str(long["access_token"]), app_id

    def _choose_page(self, pages: list[dict], what: str) -> dict:
        if not pages:
            raise UserError(_("no {what} found for this login; nothing was stored")
                            .format(what=what))
        if len(pages) == 1:
            return pages[0]
        self.prompter.say(_("Pages you manage:"))
        for page in pages:
            self.prompter.say(f"  {page['id']}  {page.get('name', '')}")
        chosen = self._required(_("Which page (its id)? "), _("page"))
        for page in pages:
            if str(page["id"]) == chosen:
                return page
        raise UserError(_("{id!r} is not one of the pages listed; nothing was stored")
                        .format(id=chosen))

    def _page_token(self, page: dict) -> str:
        token = str(page.get("access_token") or "")
        if not token:
            raise UserError(_("Facebook gave no page token for page {id}: you need a task on "
                              "the page that allows posting; nothing was stored")
                            .format(id=page.get("id")))
        return token

    def facebook(self) -> _Credentials:
        user_token, _app = self._facebook_user_token(oauth.FACEBOOK_SCOPES)
        page_id = self.options.page or self.account.handle
        if page_id:
            page = self.client.facebook_page(self.base, user_token, page_id)
        else:
            page = self._choose_page(self.client.facebook_pages(self.base, user_token),
                                     _("page"))
        token = self._page_token(page)
        return _Credentials(token, str(page.get("name") or page["id"]),
                            handle=str(page["id"]))

    def instagram(self) -> _Credentials:
        host = urlsplit(self.base).hostname
        if self.options.instagram_login or host == oauth.INSTAGRAM_LOGIN_HOST:
            return self._instagram_login()
        user_token, _app = self._facebook_user_token(oauth.INSTAGRAM_SCOPES)
        if self.options.page:
            pages = [self.client.facebook_page(self.base, user_token, self.options.page)]
        else:
            pages = self.client.facebook_pages(self.base, user_token)
        linked = [page for page in pages if (page.get("instagram_business_account") or {})
                  .get("id")]
        if self.account.handle:
            linked = [page for page in linked
                      if str(page["instagram_business_account"]["id"]) == self.account.handle]
        page = self._choose_page(linked, _("page with a linked Instagram professional account"))
        instagram = page["instagram_business_account"]
        username = instagram.get("username")
        who = f"@{username}" if username else str(instagram["id"])
        # The record says which login made the token: the adapter renews only
        # Instagram Login tokens, and a page token needs no renewing.
        return _Credentials(self._page_token(page), who, {"login": "facebook"},
                            handle=str(instagram["id"]))

    # Threads, and Instagram with Instagram Login: authorisation code (an https
    # redirect, so copy-paste), then the 60-day token that renews itself

    def _https_redirect(self, name: str) -> oauth.Redirect:
        uri = self.options.redirect_uri or self._required(
            _("The https redirect URI registered in the app: "), _("redirect URI"))
        _check_redirect(uri)
        redirect = oauth.loopback_redirect(uri)
        redirect = oauth.Redirect(redirect.uri, redirect.listen and not self.options.paste)
        if not redirect.listen and not uri.startswith("https://"):
            raise UserError(_("{name} takes only an https redirect URI").format(name=name),
                            hint=_("register one such as https://example.org/callback in the "
                                   "app and give it with --redirect-uri"))
        return redirect

    def _meta_code_flow(self, name: str, authorize_url: str, token_url: str,
                        scopes: str) -> tuple[dict, str, str]:
        """The short-lived token's answer, the app id and the app secret."""
        app_id = self._client_id(_("{name} app ID: ").format(name=name))
        app_secret = self._required_secret(_("{name} app secret (not shown): ")
                                           .format(name=name), _("app secret"))
        redirect = self._https_redirect(name)
        state = oauth.make_state()
        with _Receiver(redirect) as receiver:
            url = oauth.with_query(self.options.authorize_url or self._address(authorize_url), {
                "client_id": app_id, "redirect_uri": receiver.redirect_uri,
                "scope": self.options.scopes or scopes, "response_type": "code",
                "state": state})
            code = receiver.code(self.prompter, url, state, self.options.timeout, _(
                "The browser lands on your redirect address; paste that whole address "
                "(or just the code) here (not shown): "))
            redirect_uri = receiver.redirect_uri
        short = self.client.meta_code_token(
            self.options.token_url or self._address(token_url), app_id, app_secret,
            redirect_uri, code)
        return short, app_id, app_secret

    def threads(self) -> _Credentials:
        self.prompter.say(_("You need a Meta app with the Threads use case; its Threads app ID "
                            "and Threads app secret are under App settings -> Basic, and the "
                            "https redirect address under Redirect Callback URLs."))
        short, app_id, app_secret = self._meta_code_flow(
            "Threads", oauth.THREADS_AUTHORIZE_URL, f"{self.base}/oauth/access_token",
            oauth.THREADS_SCOPES)
        long = self.client.meta_long_lived(self.base, "th_exchange_token", app_secret,
                                           str(short["access_token"]))
        token = str(long["access_token"])
        me = self.client.meta_me(self.base, "v1.0", token, "id,username")
        user_id = str(me.get("id") or short.get("user_id") or "")
        username = me.get("username")
        meta = {"expires_at": self._expires_at(long, timedelta(days=60)), "client_id": app_id,
                "token_sha256": _fingerprint(token)}
        if user_id:
            meta["user_id"] = user_id
        return _Credentials(token, f"@{username}" if username else user_id, meta,
                            handle=user_id or None)

    def _instagram_login(self) -> _Credentials:
        self.prompter.say(_("You need a Meta app with Instagram business login (the Instagram "
                            "API with Instagram Login); its Instagram app ID and secret are "
                            "under Instagram -> API setup with Instagram login, where the https "
                            "redirect address is registered too."))
        short, app_id, app_secret = self._meta_code_flow(
            "Instagram", oauth.INSTAGRAM_AUTHORIZE_URL, oauth.INSTAGRAM_TOKEN_URL,
            oauth.INSTAGRAM_LOGIN_SCOPES)
        # Instagram Login's API is graph.instagram.com (the adapter goes there too
        # when the account kept Facebook's default base).
        base = self.base
        if urlsplit(base).hostname == urlsplit(DEFAULT_API_BASE["instagram"] or "").hostname:
            base = f"https://{oauth.INSTAGRAM_LOGIN_HOST}"
        long = self.client.meta_long_lived(base, "ig_exchange_token", app_secret,
                                           str(short["access_token"]))
        token = str(long["access_token"])
        me = self.client.meta_me(base, oauth.META_GRAPH_VERSION, token, "user_id,username")
        user_id = str(me.get("user_id") or short.get("user_id") or me.get("id") or "")
        username = me.get("username")
        meta = {"expires_at": self._expires_at(long, timedelta(days=60)), "client_id": app_id,
                "login": "instagram", "token_sha256": _fingerprint(token)}
        if user_id:
            meta["user_id"] = user_id
        return _Credentials(token, f"@{username}" if username else user_id, meta,
                            handle=user_id or None)

    # LinkedIn: 3-legged OAuth; 60-day tokens, refresh tokens for some apps

    def linkedin(self) -> _Credentials:
        organization = (self.account.handle or "").startswith("urn:li:organization:")
        if organization:  # a page: the Community Management API, alone in its app
            self.prompter.say(_("You need a LinkedIn app (linkedin.com/developers) with the "
                                "product 'Community Management API' and a page role "
                                "(administrator or content admin) on {handle}; Client ID and "
                                "secret are on its Auth tab.").format(handle=self.account.handle))
        else:
            self.prompter.say(_("You need a LinkedIn app (linkedin.com/developers) with the "
                                "products 'Share on LinkedIn' and 'Sign In with LinkedIn using "
                                "OpenID Connect'; Client ID and secret are on its Auth tab."))
        client_id = self._client_id(_("Client ID: "))
        client_secret = self._required_secret(_("Client secret (not shown): "),
                                              _("client secret"))
        scopes = self.options.scopes or (
            oauth.LINKEDIN_ORGANIZATION_SCOPES if organization else oauth.LINKEDIN_SCOPES)
        redirect = self._redirect(default_port=DEFAULT_PORT)
        token_url = self.options.token_url or self._address(oauth.LINKEDIN_TOKEN_URL)
        state = oauth.make_state()
        with _Receiver(redirect) as receiver:
            self._say_redirect("LinkedIn", receiver.redirect_uri)
            url = oauth.with_query(
                self.options.authorize_url or self._address(oauth.LINKEDIN_AUTHORIZE_URL), {
                    "response_type": "code", "client_id": client_id,
                    "redirect_uri": receiver.redirect_uri, "state": state, "scope": scopes})
            code = receiver.code(self.prompter, url, state, self.options.timeout,
                                 _paste_address())
            redirect_uri = receiver.redirect_uri
        tokens = self.client.token(token_url, {
            "grant_type": "authorization_code", "code": code, "client_id": client_id,
            "client_secret": client_secret, "redirect_uri": redirect_uri})
        token = str(tokens["access_token"])
        meta = {"client_id": client_id, "client_secret": client_secret,
                "expires_at": self._expires_at(tokens, timedelta(days=60))}
        if tokens.get("refresh_token"):
            meta["refresh_token"] = str(tokens["refresh_token"])
            if tokens.get("refresh_token_expires_in"):
                meta["refresh_token_expires_at"] = self._expires_at(
                    {"expires_in": tokens["refresh_token_expires_in"]}, timedelta(days=365))
        if token_url != oauth.LINKEDIN_TOKEN_URL:
            meta["token_url"] = token_url
        handle, who, notes = None, (self.account.handle if organization
                                    else _("the LinkedIn member")), []
        if "openid" in scopes.split():
            info = self.client.linkedin_userinfo(self.base, token)
            if info.get("sub"):
                handle = f"urn:li:person:{info['sub']}"
                who = str(info.get("name") or handle)
        if "w_organization_social" in scopes.split():
            handle = None  # the author is the organisation, which the person names
            if not self.account.handle:
                notes.append(_("posting as an organisation: set its URN with 'publisher "
                               "accounts set {id} --handle urn:li:organization:ID'")
                             .format(id=self.account.id))
        return _Credentials(token, who, meta, handle=handle, notes=notes)


def describe_failure(error: PlatformError) -> str:
    """A one-line, translated account of a platform's refusal during a login."""
    return _("the login did not complete: {error}; nothing was stored").format(
        error=error.message)
