"""Meta's ``accounts login``: Facebook pages, Instagram (two logins) and Threads.

- Facebook, and Instagram with Facebook Login: the Login dialog, then a
  long-lived user token, then the page's token (it does not expire); the
  Instagram account is the one linked to the chosen page.
- Threads, and Instagram with Instagram Login: an authorisation code (the app
  registers an https redirect, so the person pastes where the browser landed),
  then a 60-day token that renews itself (:mod:`publisher.platforms.meta.tokens`).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from publisher.domain.accounts import DEFAULT_API_BASE
from publisher.domain.errors import UserError
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _
from publisher.platforms.base import Rejected
from publisher.platforms.common.login import (
    DEFAULT_PORT,
    Credentials,
    LoginClient,
    LoginSteps,
    Redirect,
    check_redirect,
    loopback_redirect,
    paste_address,
)
from publisher.platforms.meta import tokens
from publisher.platforms.meta.graph import GRAPH_VERSION, INSTAGRAM_LOGIN_HOST
from publisher.platforms.meta.threads import THREADS_VERSION

# Public addresses (a custom api_base moves them under itself, same paths).
FACEBOOK_DIALOG_URL = f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth"
# read_insights: a post's views (``metrics collect``); without it they stay unknown.
FACEBOOK_SCOPES = "pages_show_list,pages_read_engagement,pages_manage_posts,read_insights"
INSTAGRAM_SCOPES = ("pages_show_list,pages_read_engagement,instagram_basic,"
                    "instagram_content_publish,instagram_manage_insights,business_management")
INSTAGRAM_AUTHORIZE_URL = "https://www.instagram.com/oauth/authorize"
INSTAGRAM_TOKEN_URL = "https://api.instagram.com/oauth/access_token"
INSTAGRAM_LOGIN_SCOPES = ("instagram_business_basic,instagram_business_content_publish,"
                          "instagram_business_manage_insights")
THREADS_AUTHORIZE_URL = "https://threads.net/oauth/authorize"
THREADS_SCOPES = "threads_basic,threads_content_publish,threads_manage_insights"
# Meta's own API hosts beyond the default bases: a login address stays public there.
_META_HOSTS = frozenset({INSTAGRAM_LOGIN_HOST})
_PAGE_FIELDS = "id,name,access_token,instagram_business_account{id,username}"


def log_in_facebook(steps: LoginSteps) -> Credentials:
    user_token = _facebook_user_token(steps, FACEBOOK_SCOPES)
    page_id = steps.options.page or steps.account.handle
    if page_id:
        page = read_page(steps.client, steps.base, user_token, page_id)
    else:
        page = _choose_page(steps, list_pages(steps.client, steps.base, user_token), _("page"))
    token = _page_token(page)
    return Credentials(token, str(page.get("name") or page["id"]), handle=str(page["id"]))


def log_in_instagram(steps: LoginSteps) -> Credentials:
    host = urlsplit(steps.base).hostname
    if steps.options.instagram_login or host == INSTAGRAM_LOGIN_HOST:
        return _instagram_login(steps)
    user_token = _facebook_user_token(steps, INSTAGRAM_SCOPES)
    if steps.options.page:
        pages = [read_page(steps.client, steps.base, user_token, steps.options.page)]
    else:
        pages = list_pages(steps.client, steps.base, user_token)
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


def log_in_threads(steps: LoginSteps) -> Credentials:
    steps.prompter.say(_("You need a Meta app with the Threads use case; its Threads app ID "
                         "and Threads app secret are under App settings -> Basic, and the "
                         "https redirect address under Redirect Callback URLs."))
    short, app_id, app_secret = _code_for_token(
        steps, "Threads", THREADS_AUTHORIZE_URL, f"{steps.base}/oauth/access_token",
        THREADS_SCOPES)
    return _renewable_token(steps, steps.base, "th_exchange_token", THREADS_VERSION,
                            "id,username", short, app_id, app_secret,
                            lambda me: me.get("id") or short.get("user_id"))


def _instagram_login(steps: LoginSteps) -> Credentials:
    steps.prompter.say(_("You need a Meta app with Instagram business login (the Instagram "
                         "API with Instagram Login); its Instagram app ID and secret are "
                         "under Instagram -> API setup with Instagram login, where the https "
                         "redirect address is registered too."))
    short, app_id, app_secret = _code_for_token(
        steps, "Instagram", INSTAGRAM_AUTHORIZE_URL, INSTAGRAM_TOKEN_URL,
        INSTAGRAM_LOGIN_SCOPES)
    # Instagram Login's API is graph.instagram.com (the adapter goes there too
    # when the account kept Facebook's default base).
    base = steps.base
    if urlsplit(base).hostname == urlsplit(DEFAULT_API_BASE["instagram"] or "").hostname:
        base = f"https://{INSTAGRAM_LOGIN_HOST}"
    # /me's id is app-scoped; user_id (or the code's answer) is the account's own.
    return _renewable_token(steps, base, "ig_exchange_token", GRAPH_VERSION,
                            "user_id,username", short, app_id, app_secret,
                            lambda me: me.get("user_id") or short.get("user_id") or me.get("id"),
                            login="instagram")


# Facebook Login: the dialog, a long-lived user token, a page's token


def _facebook_user_token(steps: LoginSteps, scopes: str) -> str:
    steps.prompter.say(_("You need a Meta app (developers.facebook.com) with Facebook "
                         "Login; its App ID and App secret are under App settings -> Basic."))
    app_id = steps.client_id(_("App ID: "))
    app_secret = steps.required_secret(_("App secret (not shown): "), _("app secret"))
    redirect = steps.redirect(default_port=DEFAULT_PORT)
    code, redirect_uri = steps.authorize(
        redirect, steps.options.authorize_url
        or steps.address(FACEBOOK_DIALOG_URL, also_public=_META_HOSTS),
        lambda redirect_uri, state: {
            "client_id": app_id, "redirect_uri": redirect_uri, "state": state,
            "scope": steps.options.scopes or scopes, "response_type": "code"},
        paste_address(), registered_as="Meta")
    short = dialog_code_token(steps.client, steps.base, app_id, app_secret, redirect_uri, code)
    long = long_lived_user_token(steps.client, steps.base, app_id, app_secret,
                                 str(short["access_token"]))
    return str(long["access_token"])


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


# Threads and Instagram Login: a code for a short-lived token, then 60 days


def _https_redirect(steps: LoginSteps, name: str) -> Redirect:
    uri = steps.options.redirect_uri or steps.required(
        _("The https redirect URI registered in the app: "), _("redirect URI"))
    check_redirect(uri)
    redirect = loopback_redirect(uri)
    redirect = Redirect(redirect.uri, redirect.listen and not steps.options.paste)
    if not redirect.listen and not uri.startswith("https://"):
        raise UserError(_("{name} takes only an https redirect URI").format(name=name),
                        hint=_("register one such as https://example.org/callback in the "
                               "app"),
                        remedy=Remedy(Fix.LOG_IN, account=steps.account.id,
                                      setting="redirect_uri", value="https://example.org/callback"))
    return redirect


def _code_for_token(steps: LoginSteps, name: str, authorize_url: str, token_url: str,
                    scopes: str) -> tuple[dict, str, str]:
    """The short-lived token's answer, the app id and the app secret."""
    app_id = steps.client_id(_("{name} app ID: ").format(name=name))
    app_secret = steps.required_secret(_("{name} app secret (not shown): ")
                                       .format(name=name), _("app secret"))
    redirect = _https_redirect(steps, name)
    code, redirect_uri = steps.authorize(
        redirect, steps.options.authorize_url
        or steps.address(authorize_url, also_public=_META_HOSTS),
        lambda redirect_uri, state: {
            "client_id": app_id, "redirect_uri": redirect_uri,
            "scope": steps.options.scopes or scopes, "response_type": "code",
            "state": state},
        _("The browser lands on your redirect address; paste that whole address "
          "(or just the code) here (not shown): "))
    short = code_token(steps.client,
                       steps.options.token_url
                       or steps.address(token_url, also_public=_META_HOSTS),
                       app_id, app_secret, redirect_uri, code)
    return short, app_id, app_secret


def _renewable_token(steps: LoginSteps, base: str, grant: str, version: str, fields: str,
                     short: dict, app_id: str, app_secret: str,
                     user_id_of: Callable[[dict], object], **extra: str) -> Credentials:
    """The 60-day token for the short-lived one, checked (``user_id_of`` reads the
    account's id from the check's answer), with its record."""
    long = long_lived_token(steps.client, base, grant, app_secret, str(short["access_token"]))
    token = str(long["access_token"])
    me = whose_token(steps.client, base, version, token, fields)
    user_id = str(user_id_of(me) or "")
    username = me.get("username")
    meta = tokens.record_of_new(token, long, steps.clock(), client_id=app_id, **extra)
    if user_id:
        meta["user_id"] = user_id
    return Credentials(token, f"@{username}" if username else user_id, meta,
                       handle=user_id or None)


# The requests


def dialog_code_token(client: LoginClient, graph: str, app_id: str, app_secret: str,
                      redirect_uri: str, code: str) -> dict:
    """The code of the Login dialog for a (short-lived) user token."""
    return client.call("GET", f"{graph}/{GRAPH_VERSION}/oauth/access_token",
                       "exchanging the code", (app_secret, code),
                       params={"client_id": app_id, "redirect_uri": redirect_uri,
                               "client_secret": app_secret, "code": code})


def long_lived_user_token(client: LoginClient, graph: str, app_id: str, app_secret: str,
                          user_token: str) -> dict:
    """grant_type=fb_exchange_token: a long-lived (about 60 days) user token."""
    answer = client.call("GET", f"{graph}/{GRAPH_VERSION}/oauth/access_token",
                         "exchanging for a long-lived token", (app_secret, user_token),
                         params={"grant_type": "fb_exchange_token", "client_id": app_id,
                                 "client_secret": app_secret, "fb_exchange_token": user_token})
    if not answer.get("access_token"):
        raise Rejected("exchanging for a long-lived token: no access_token in the answer")
    return answer


def list_pages(client: LoginClient, graph: str, user_token: str) -> list[dict]:
    """GET /me/accounts: the pages the person manages, each with its page token."""
    answer = client.call("GET", f"{graph}/{GRAPH_VERSION}/me/accounts",
                         "listing your pages", (user_token,),
                         headers={"Authorization": f"Bearer {user_token}"},
                         params={"fields": _PAGE_FIELDS, "limit": "100"})
    pages = answer.get("data") or []
    return [page for page in pages if isinstance(page, dict) and page.get("id")]


def read_page(client: LoginClient, graph: str, user_token: str, page_id: str) -> dict:
    """GET /{page-id}?fields=access_token,...: one page and its page token."""
    return client.call("GET", f"{graph}/{GRAPH_VERSION}/{page_id}",
                       f"reading page {page_id}", (user_token,),
                       headers={"Authorization": f"Bearer {user_token}"},
                       params={"fields": _PAGE_FIELDS})


def code_token(client: LoginClient, token_url: str, app_id: str, app_secret: str,
               redirect_uri: str, code: str) -> dict:
    """POST /oauth/access_token: the code for a short-lived token (and the user id)."""
    answer = client.call("POST", token_url, "exchanging the code", (app_secret, code),
                         data={"client_id": app_id, "client_secret": app_secret,
                               "grant_type": "authorization_code",
                               "redirect_uri": redirect_uri, "code": code})
    if isinstance(answer.get("data"), list) and answer["data"]:
        answer = answer["data"][0]  # Instagram Login's newer shape
    if not isinstance(answer, dict) or not answer.get("access_token"):
        raise Rejected("exchanging the code: no access_token in the answer")
    return answer


def long_lived_token(client: LoginClient, base: str, grant: str, app_secret: str,
                     short_token: str) -> dict:
    """GET /access_token?grant_type=th_exchange_token|ig_exchange_token: 60 days."""
    answer = client.call("GET", f"{base}/access_token", "exchanging for a long-lived token",
                         (app_secret, short_token),
                         params={"grant_type": grant, "client_secret": app_secret,
                                 "access_token": short_token})
    if not answer.get("access_token"):
        raise Rejected("exchanging for a long-lived token: no access_token in the answer")
    return answer


def whose_token(client: LoginClient, base: str, version: str, token: str,
                fields: str) -> dict:
    return client.call("GET", f"{base}/{version}/me", "checking the new token", (token,),
                       headers={"Authorization": f"Bearer {token}"}, params={"fields": fields})
