"""X's ``accounts login``: OAuth 2.0 authorisation code with PKCE.

The person's own app (X developer portal, OAuth 2.0 with Read and write)
authorises; a confidential client also gives its secret. With
``offline.access`` X gives a refresh token, so the token renews itself
(:mod:`publisher.platforms.x.tokens`); without it the token stops working in
two hours.
"""

from __future__ import annotations

from publisher.i18n import _
from publisher.platforms.common.login import (
    DEFAULT_PORT,
    Credentials,
    LoginClient,
    LoginSteps,
    code_challenge,
    make_verifier,
    paste_address,
)
from publisher.platforms.x import tokens

AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
SCOPES = "tweet.read tweet.write users.read media.write offline.access"


def log_in(steps: LoginSteps) -> Credentials:
    steps.prompter.say(_("You need an app in the X developer portal with OAuth 2.0 turned "
                         "on (User authentication settings: Read and write)."))
    client_id = steps.client_id(_("OAuth 2.0 Client ID of your X app: "))
    client_secret = steps.prompter.ask_secret(
        _("Client secret (not shown; press Enter for a public client): ")).strip()
    scopes = steps.options.scopes or SCOPES
    redirect = steps.redirect(default_port=DEFAULT_PORT)
    token_url = steps.options.token_url or f"{steps.base}/2/oauth2/token"
    verifier = make_verifier()
    code, redirect_uri = steps.authorize(
        redirect, steps.options.authorize_url or steps.address(AUTHORIZE_URL),
        lambda redirect_uri, state: {
            "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
            "scope": scopes, "state": state, "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256"},
        paste_address(), registered_as="X")
    data = {"grant_type": "authorization_code", "code": code, "client_id": client_id,
            "redirect_uri": redirect_uri, "code_verifier": verifier}
    answer = steps.client.token(token_url, data,
                                basic=(client_id, client_secret) if client_secret else None,
                                secrets=(client_secret,))
    token = str(answer["access_token"])
    me = whose_token(steps.client, steps.base, token)
    username = str(me.get("username") or "")
    meta = tokens.renewed({"client_id": client_id}, answer, steps.clock())
    notes = []
    if not answer.get("refresh_token"):
        notes.append(_("X gave no refresh token (offline.access was not granted): the "
                       "token stops working in two hours"))
    if client_secret:
        meta["client_secret"] = client_secret
    if token_url != f"{steps.base}/2/oauth2/token":
        meta["token_url"] = token_url
    who = f"@{username}" if username else str(me.get("id") or "?")
    return Credentials(token, who, meta, handle=who if username else None, notes=notes)


def whose_token(client: LoginClient, base: str, token: str) -> dict:
    answer = client.call("GET", f"{base}/2/users/me", "checking the new token", (token,),
                         headers={"Authorization": f"Bearer {token}"})
    return answer.get("data") or {}
