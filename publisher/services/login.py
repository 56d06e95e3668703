"""``accounts login``: run an account's login, then keep what it got.

Each platform's login (which requests, in which order, what to ask the
person) lives in its folder under ``publisher.platforms``, built from the
shared steps of ``publisher.platforms.common.login``; :data:`LOGIN_FLOWS`
says which runs for which platform. The prompting is the CLI's, which hands
in a :class:`Prompter`. Nothing is stored until the whole login succeeded and
the new credentials were checked against the platform: a denied
authorisation, a wrong answer, a timeout or Ctrl-C leave the keyring as it was.

What is stored (the adapters read it):

- the main secret: the access token, app password or bot token;
- part ``oauth``: the token record of an expiring token (``expires_at`` and
  what renews it), removed for tokens that do not expire;
- part ``session`` (Bluesky): the session made while checking the password.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from publisher.domain.accounts import DEFAULT_API_BASE
from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.platforms import login as oauth
from publisher.platforms.base import PlatformError
from publisher.platforms.bluesky import login as bluesky
from publisher.platforms.common.http import make_session
from publisher.platforms.common.login import (
    DEFAULT_PORT,
    Credentials,
    LoginFlow,
    LoginOptions,
    LoginSteps,
    Prompter,
    Receiver,
    Redirect,
    check_redirect,
    loopback_redirect,
    make_state,
    paste_address,
    with_query,
)
from publisher.platforms.common.token_records import OAUTH_PART, SESSION_PART, expiry_of
from publisher.platforms.linkedin import login as linkedin
from publisher.platforms.mastodon import login as mastodon
from publisher.platforms.telegram import login as telegram
from publisher.platforms.x import login as x
from publisher.services import secrets
from publisher.services.context import Context

if TYPE_CHECKING:  # the session is made and used in the platforms layer
    import requests

__all__ = ["LOGIN_FLOWS", "LoginOptions", "LoginResult", "Prompter", "describe_failure",
           "login"]

_META_HOSTS = frozenset({oauth.INSTAGRAM_LOGIN_HOST})


@dataclass
class LoginResult:
    account_id: str
    who: str
    expires_at: datetime | None = None
    handle: str | None = None  # written to accounts.toml because it was missing
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
    flow = LOGIN_FLOWS.get(account.platform)
    if flow is None:
        raise UserError(_("there is no guided login for {platform} yet; use "
                          "'publisher accounts set-secret {id}'")
                        .format(platform=account.platform, id=account.id))
    if options.port is not None and not 0 <= options.port <= 65535:
        raise UserError(_("--port must be between 0 and 65535"))
    if options.timeout <= 0:
        raise UserError(_("--timeout must be more than 0 seconds"))
    if options.redirect_uri is not None:
        check_redirect(options.redirect_uri)
    steps = LoginSteps(account, prompter, options, clock,
                       oauth.LoginClient(session or make_session(), clock))
    credentials = flow(steps)
    _store(account.id, credentials)
    handle = None
    if credentials.handle and not account.handle:
        handle = credentials.handle
        context.accounts_file.replace(replace(account, handle=handle))
    expires = expiry_of(credentials.meta) if credentials.meta else None
    return LoginResult(account.id, credentials.who, expires, handle, credentials.notes)


def _fingerprint(token: str) -> str:
    """Which token a record describes (as the Meta adapters compute it)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _store(account_id: str, credentials: Credentials) -> None:
    """The main secret, then its token record and session; stale parts go."""
    secrets.set_secret(account_id, credentials.secret)
    if credentials.meta:
        secrets.set_secret(account_id, json.dumps(credentials.meta, sort_keys=True), OAUTH_PART)
    else:
        secrets.delete_secret(account_id, OAUTH_PART)
    if credentials.session:
        secrets.set_secret(account_id, credentials.session, SESSION_PART)
    else:
        secrets.delete_secret(account_id, SESSION_PART)


# Meta: Facebook Login, then a page token (it does not expire)

def _facebook_user_token(steps: LoginSteps, scopes: str) -> tuple[str, str]:
    steps.prompter.say(_("You need a Meta app (developers.facebook.com) with Facebook "
                        "Login; its App ID and App secret are under App settings -> Basic."))
    app_id = steps.client_id(_("App ID: "))
    app_secret = steps.required_secret(_("App secret (not shown): "), _("app secret"))
    redirect = steps.redirect(default_port=DEFAULT_PORT)
    state = make_state()
    with Receiver(redirect) as receiver:
        steps.say_redirect("Meta", receiver.redirect_uri)
        url = with_query(
            steps.options.authorize_url
            or steps.address(oauth.FACEBOOK_DIALOG_URL, also_public=_META_HOSTS), {
                "client_id": app_id, "redirect_uri": receiver.redirect_uri,
                "state": state, "scope": steps.options.scopes or scopes,
                "response_type": "code"})
        code = receiver.code(steps.prompter, url, state, steps.options.timeout,
                             paste_address())
        redirect_uri = receiver.redirect_uri
    short = steps.client.facebook_code_token(steps.base, app_id, app_secret, redirect_uri,
                                            code)
    long = steps.client.facebook_long_lived(steps.base, app_id, app_secret,
                                           str(short["access_token"]))
    return str(long["access_token"]), app_id

def _choose_page(steps: LoginSteps, pages: list[dict], what: str) -> dict:
    if not pages:
        raise UserError(_("no {what} found for this login; nothing was stored")
                        .format(what=what))
    if len(pages) == 1:
        return pages[0]
    steps.prompter.say(_("Pages you manage:"))
    for page in pages:
        steps.prompter.say(f"  {page['id']}  {page.get('name', '')}")
    chosen = steps.required(_("Which page (its id)? "), _("page"))
    for page in pages:
        if str(page["id"]) == chosen:
            return page
    raise UserError(_("{id!r} is not one of the pages listed; nothing was stored")
                    .format(id=chosen))

def _page_token(page: dict) -> str:
    token = str(page.get("access_token") or "")
    if not token:
        raise UserError(_("Facebook gave no page token for page {id}: you need a task on "
                          "the page that allows posting; nothing was stored")
                        .format(id=page.get("id")))
    return token

def _facebook(steps: LoginSteps) -> Credentials:
    user_token, _app = _facebook_user_token(steps, oauth.FACEBOOK_SCOPES)
    page_id = steps.options.page or steps.account.handle
    if page_id:
        page = steps.client.facebook_page(steps.base, user_token, page_id)
    else:
        page = _choose_page(steps, steps.client.facebook_pages(steps.base, user_token),
                                 _("page"))
    token = _page_token(page)
    return Credentials(token, str(page.get("name") or page["id"]),
                        handle=str(page["id"]))

def _instagram(steps: LoginSteps) -> Credentials:
    host = urlsplit(steps.base).hostname
    if steps.options.instagram_login or host == oauth.INSTAGRAM_LOGIN_HOST:
        return _instagram_login(steps)
    user_token, _app = _facebook_user_token(steps, oauth.INSTAGRAM_SCOPES)
    if steps.options.page:
        pages = [steps.client.facebook_page(steps.base, user_token, steps.options.page)]
    else:
        pages = steps.client.facebook_pages(steps.base, user_token)
    linked = [page for page in pages if (page.get("instagram_business_account") or {})
              .get("id")]
    if steps.account.handle:
        linked = [page for page in linked
                  if str(page["instagram_business_account"]["id"]) == steps.account.handle]
    page = _choose_page(steps, linked, _("page with a linked Instagram professional account"))
    instagram = page["instagram_business_account"]
    username = instagram.get("username")
    who = f"@{username}" if username else str(instagram["id"])
    # The record says which login made the token: the adapter renews only
    # Instagram Login tokens, and a page token needs no renewing.
    return Credentials(_page_token(page), who, {"login": "facebook"},
                        handle=str(instagram["id"]))

# Threads, and Instagram with Instagram Login: authorisation code (an https
# redirect, so copy-paste), then the 60-day token that renews itself

def _https_redirect(steps: LoginSteps, name: str) -> Redirect:
    uri = steps.options.redirect_uri or steps.required(
        _("The https redirect URI registered in the app: "), _("redirect URI"))
    check_redirect(uri)
    redirect = loopback_redirect(uri)
    redirect = Redirect(redirect.uri, redirect.listen and not steps.options.paste)
    if not redirect.listen and not uri.startswith("https://"):
        raise UserError(_("{name} takes only an https redirect URI").format(name=name),
                        hint=_("register one such as https://example.org/callback in the "
                               "app and give it with --redirect-uri"))
    return redirect

def _meta_code_flow(steps: LoginSteps, name: str, authorize_url: str, token_url: str,
                    scopes: str) -> tuple[dict, str, str]:
    """The short-lived token's answer, the app id and the app secret."""
    app_id = steps.client_id(_("{name} app ID: ").format(name=name))
    app_secret = steps.required_secret(_("{name} app secret (not shown): ")
                                       .format(name=name), _("app secret"))
    redirect = _https_redirect(steps, name)
    state = make_state()
    with Receiver(redirect) as receiver:
        url = with_query(steps.options.authorize_url
                         or steps.address(authorize_url, also_public=_META_HOSTS), {
            "client_id": app_id, "redirect_uri": receiver.redirect_uri,
            "scope": steps.options.scopes or scopes, "response_type": "code",
            "state": state})
        code = receiver.code(steps.prompter, url, state, steps.options.timeout, _(
            "The browser lands on your redirect address; paste that whole address "
            "(or just the code) here (not shown): "))
        redirect_uri = receiver.redirect_uri
    short = steps.client.meta_code_token(
        steps.options.token_url or steps.address(token_url, also_public=_META_HOSTS), app_id,
        app_secret, redirect_uri, code)
    return short, app_id, app_secret

def _threads(steps: LoginSteps) -> Credentials:
    steps.prompter.say(_("You need a Meta app with the Threads use case; its Threads app ID "
                        "and Threads app secret are under App settings -> Basic, and the "
                        "https redirect address under Redirect Callback URLs."))
    short, app_id, app_secret = _meta_code_flow(steps,
        "Threads", oauth.THREADS_AUTHORIZE_URL, f"{steps.base}/oauth/access_token",
        oauth.THREADS_SCOPES)
    long = steps.client.meta_long_lived(steps.base, "th_exchange_token", app_secret,
                                       str(short["access_token"]))
    token = str(long["access_token"])
    me = steps.client.meta_me(steps.base, "v1.0", token, "id,username")
    user_id = str(me.get("id") or short.get("user_id") or "")
    username = me.get("username")
    meta = {"expires_at": steps.expires_at(long, timedelta(days=60)), "client_id": app_id,
            "token_sha256": _fingerprint(token)}
    if user_id:
        meta["user_id"] = user_id
    return Credentials(token, f"@{username}" if username else user_id, meta,
                        handle=user_id or None)

def _instagram_login(steps: LoginSteps) -> Credentials:
    steps.prompter.say(_("You need a Meta app with Instagram business login (the Instagram "
                        "API with Instagram Login); its Instagram app ID and secret are "
                        "under Instagram -> API setup with Instagram login, where the https "
                        "redirect address is registered too."))
    short, app_id, app_secret = _meta_code_flow(steps,
        "Instagram", oauth.INSTAGRAM_AUTHORIZE_URL, oauth.INSTAGRAM_TOKEN_URL,
        oauth.INSTAGRAM_LOGIN_SCOPES)
    # Instagram Login's API is graph.instagram.com (the adapter goes there too
    # when the account kept Facebook's default base).
    base = steps.base
    if urlsplit(base).hostname == urlsplit(DEFAULT_API_BASE["instagram"] or "").hostname:
        base = f"https://{oauth.INSTAGRAM_LOGIN_HOST}"
    long = steps.client.meta_long_lived(base, "ig_exchange_token", app_secret,
                                       str(short["access_token"]))
    token = str(long["access_token"])
    me = steps.client.meta_me(base, oauth.META_GRAPH_VERSION, token, "user_id,username")
    user_id = str(me.get("user_id") or short.get("user_id") or me.get("id") or "")
    username = me.get("username")
    meta = {"expires_at": steps.expires_at(long, timedelta(days=60)), "client_id": app_id,
            "login": "instagram", "token_sha256": _fingerprint(token)}
    if user_id:
        meta["user_id"] = user_id
    return Credentials(token, f"@{username}" if username else user_id, meta,
                        handle=user_id or None)

# Which login runs for which platform.
LOGIN_FLOWS: dict[str, LoginFlow] = {
    "mastodon": mastodon.log_in,
    "x": x.log_in,
    "bluesky": bluesky.log_in,
    "facebook": _facebook,
    "instagram": _instagram,
    "threads": _threads,
    "telegram": telegram.log_in,
    "linkedin": linkedin.log_in,
}


def describe_failure(error: PlatformError) -> str:
    """A one-line, translated account of a platform's refusal during a login."""
    return _("the login did not complete: {error}; nothing was stored").format(
        error=error.message)
