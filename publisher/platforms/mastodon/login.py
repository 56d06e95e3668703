"""Mastodon's ``accounts login``: register an app on the instance, then an authorisation code.

Each login registers publisher as an app on the account's instance (POST
/api/v1/apps) with the redirect URI it listens on (or the out-of-band one,
whose page shows the code to paste); the token it gets does not expire.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from publisher.i18n import _
from publisher.platforms.base import Rejected
from publisher.platforms.common.login import (
    OOB_REDIRECT,
    Credentials,
    LoginClient,
    LoginSteps,
)

SCOPES = "read:accounts read:statuses write:statuses write:media"


def log_in(steps: LoginSteps) -> Credentials:
    scopes = steps.options.scopes or SCOPES
    redirect = steps.redirect(default_port=0, paste_uri=OOB_REDIRECT)
    app: dict = {}

    def query(redirect_uri: str, state: str) -> dict[str, str]:
        # The app is registered with the redirect URI the listener got (any free port).
        steps.prompter.say(_("Registering publisher as an app on {base}...")
                           .format(base=steps.base))
        app.update(register_app(steps.client, steps.base, redirect_uri, scopes))
        return {"response_type": "code", "client_id": str(app["client_id"]),
                "redirect_uri": redirect_uri, "scope": scopes, "state": state}

    code, redirect_uri = steps.authorize(
        redirect, steps.options.authorize_url or f"{steps.base}/oauth/authorize", query,
        _("Paste the authorisation code the page shows (not shown): "))
    tokens = steps.client.token(steps.options.token_url or f"{steps.base}/oauth/token", {
        "grant_type": "authorization_code", "code": code, "client_id": str(app["client_id"]),
        "client_secret": str(app["client_secret"]), "redirect_uri": redirect_uri,
        "scope": scopes})
    token = str(tokens["access_token"])
    me = whose_token(steps.client, steps.base, token)
    acct = str(me.get("acct") or me.get("username") or "")
    if not acct:
        raise Rejected("the instance did not say whose the token is")
    host = urlsplit(steps.base).hostname or ""
    who = f"@{acct}" if "@" in acct else f"@{acct}@{host}"
    return Credentials(token, who, handle=who)


def register_app(client: LoginClient, base: str, redirect_uri: str, scopes: str) -> dict:
    """POST /api/v1/apps: a client id and secret for this login."""
    answer = client.call("POST", f"{base}/api/v1/apps", "registering the app", data={
        "client_name": "publisher", "redirect_uris": redirect_uri, "scopes": scopes})
    if not answer.get("client_id") or not answer.get("client_secret"):
        raise Rejected("registering the app: the answer has no client_id/client_secret")
    return answer


def whose_token(client: LoginClient, base: str, token: str) -> dict:
    return client.call("GET", f"{base}/api/v1/accounts/verify_credentials",
                       "checking the new token", (token,),
                       headers={"Authorization": f"Bearer {token}"})
