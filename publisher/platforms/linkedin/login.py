"""LinkedIn's ``accounts login``: 3-legged OAuth with the person's own app.

A member (urn:li:person) needs the products 'Share on LinkedIn' and 'Sign In
with LinkedIn using OpenID Connect'; a page (urn:li:organization) the
Community Management API, which LinkedIn lets be the only product of its app.
Tokens live 60 days; some apps also get a refresh token
(:mod:`publisher.platforms.linkedin.tokens`).
"""

from __future__ import annotations

from publisher.domain.remedies import WithRemedy, set_account
from publisher.i18n import _
from publisher.platforms.common.login import (
    DEFAULT_PORT,
    Credentials,
    LoginClient,
    LoginSteps,
    paste_address,
)
from publisher.platforms.linkedin import tokens

AUTHORIZE_URL = "https://www.linkedin.com/oauth/v2/authorization"
SCOPES = "openid profile w_member_social"
# A page (urn:li:organization:N) needs the Community Management API, which LinkedIn
# lets be the only product of its app: no OpenID Connect scopes there.
ORGANIZATION_SCOPES = "w_organization_social r_organization_social"


def log_in(steps: LoginSteps) -> Credentials:
    organization = (steps.account.handle or "").startswith("urn:li:organization:")
    if organization:  # a page: the Community Management API, alone in its app
        steps.prompter.say(_("You need a LinkedIn app (linkedin.com/developers) with the "
                             "product 'Community Management API' and a page role "
                             "(administrator or content admin) on {handle}; Client ID and "
                             "secret are on its Auth tab.").format(handle=steps.account.handle))
    else:
        steps.prompter.say(_("You need a LinkedIn app (linkedin.com/developers) with the "
                             "products 'Share on LinkedIn' and 'Sign In with LinkedIn using "
                             "OpenID Connect'; Client ID and secret are on its Auth tab."))
    client_id = steps.client_id(_("Client ID: "))
    client_secret = steps.required_secret(_("Client secret (not shown): "),
                                          _("client secret"))
    scopes = steps.options.scopes or (ORGANIZATION_SCOPES if organization else SCOPES)
    redirect = steps.redirect(default_port=DEFAULT_PORT)
    token_url = steps.options.token_url or steps.address(tokens.TOKEN_URL)
    code, redirect_uri = steps.authorize(
        redirect, steps.options.authorize_url or steps.address(AUTHORIZE_URL),
        lambda redirect_uri, state: {
            "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
            "state": state, "scope": scopes},
        paste_address(), registered_as="LinkedIn")
    answer = steps.client.token(token_url, {
        "grant_type": "authorization_code", "code": code, "client_id": client_id,
        "client_secret": client_secret, "redirect_uri": redirect_uri})
    token = str(answer["access_token"])
    meta = tokens.renewed({"client_id": client_id, "client_secret": client_secret}, answer,
                          steps.clock())
    if token_url != tokens.TOKEN_URL:
        meta["token_url"] = token_url
    # An organisation's handle is set (that is how it is recognised); say who it is.
    who = (steps.account.handle or "") if organization else _("the LinkedIn member")
    handle: str | None = None
    notes: list[str] = []
    if "openid" in scopes.split():
        info = whose_token(steps.client, steps.base, token)
        if info.get("sub"):
            handle = f"urn:li:person:{info['sub']}"
            who = str(info.get("name") or handle)
    if "w_organization_social" in scopes.split():
        handle = None  # the author is the organisation, which the person names
        if not steps.account.handle:
            notes.append(WithRemedy(
                _("posting as an organisation: set its URN as the account's handle"),
                set_account(steps.account.id, "handle", "urn:li:organization:ID")))
    return Credentials(token, who, meta, handle=handle, notes=notes)


def whose_token(client: LoginClient, base: str, token: str) -> dict:
    """GET /v2/userinfo (OpenID Connect): ``sub`` is the member's person id."""
    return client.call("GET", f"{base}/v2/userinfo", "reading who logged in", (token,),
                       headers={"Authorization": f"Bearer {token}"})
