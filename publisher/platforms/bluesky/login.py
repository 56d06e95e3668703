"""Bluesky's ``accounts login``: an app password, checked with createSession.

The session made while checking the password is kept too (part ``session``),
so the first flush does not need a createSession of its own.
"""

from __future__ import annotations

import re

from publisher.i18n import _
from publisher.platforms.base import Rejected
from publisher.platforms.bluesky.session import Session
from publisher.platforms.common.login import Credentials, LoginClient, LoginSteps

_APP_PASSWORD = re.compile(r"^[a-z0-9]{4}(-[a-z0-9]{4}){3}$")


def log_in(steps: LoginSteps) -> Credentials:
    identifier = (steps.account.handle or "").lstrip("@") or steps.required(
        _("Your Bluesky handle (e.g. embassy.bsky.social): "), _("handle")).lstrip("@")
    steps.prompter.say(_(
        "Create an app password for publisher: in Bluesky, Settings -> Privacy and "
        "security -> App passwords -> Add App Password (name it 'publisher'; it looks "
        "like xxxx-xxxx-xxxx-xxxx). Never give publisher your account password."))
    password = steps.required_secret(_("App password (not shown): "), _("app password"))
    notes = []
    if not _APP_PASSWORD.match(password):
        notes.append(_("that does not look like an app password (xxxx-xxxx-xxxx-xxxx); "
                       "prefer one over the account password"))
    answer = create_session(steps.client, steps.base, identifier, password)
    handle = str(answer.get("handle") or identifier)
    session = Session(str(answer["did"]), handle, str(answer["accessJwt"]),
                      str(answer.get("refreshJwt") or ""))
    return Credentials(password, f"@{handle}", session=session.to_json(), handle=handle,
                       notes=notes)


def create_session(client: LoginClient, base: str, identifier: str, password: str) -> dict:
    """com.atproto.server.createSession with the app password."""
    answer = client.call("POST", f"{base}/xrpc/com.atproto.server.createSession",
                         "logging in to the PDS", (password,),
                         json={"identifier": identifier, "password": password})
    if not answer.get("accessJwt") or not answer.get("did"):
        raise Rejected("logging in to the PDS: the answer has no session")
    return answer
