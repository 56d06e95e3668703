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

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from publisher.domain.errors import UserError
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _
from publisher.platforms.base import PlatformError
from publisher.platforms.bluesky import login as bluesky
from publisher.platforms.common.http import make_session
from publisher.platforms.common.login import (
    Credentials,
    LoginClient,
    LoginFlow,
    LoginOptions,
    LoginSteps,
    Prompter,
    check_redirect,
)
from publisher.platforms.common.token_records import OAUTH_PART, SESSION_PART, expiry_of
from publisher.platforms.linkedin import login as linkedin
from publisher.platforms.mastodon import login as mastodon
from publisher.platforms.meta import login as meta
from publisher.platforms.telegram import login as telegram
from publisher.platforms.x import login as x
from publisher.services import secrets
from publisher.services.context import Context

if TYPE_CHECKING:  # the session is made and used in the platforms layer
    import requests

# Which login runs for which platform.
LOGIN_FLOWS: dict[str, LoginFlow] = {
    "mastodon": mastodon.log_in,
    "x": x.log_in,
    "bluesky": bluesky.log_in,
    "facebook": meta.log_in_facebook,
    "instagram": meta.log_in_instagram,
    "threads": meta.log_in_threads,
    "telegram": telegram.log_in,
    "linkedin": linkedin.log_in,
}


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
        raise UserError(_("there is no guided login for {platform} yet")
                        .format(platform=account.platform),
                        remedy=Remedy(Fix.STORE_SECRET, account=account.id))
    if options.port is not None and not 0 <= options.port <= 65535:
        raise UserError(_("the port to listen on must be between 0 and 65535"))
    if options.timeout <= 0:
        raise UserError(_("the time to wait for the browser must be more than 0 seconds"))
    if options.redirect_uri is not None:
        check_redirect(options.redirect_uri)
    steps = LoginSteps(account, prompter, options, clock,
                       LoginClient(session or make_session(), clock))
    credentials = flow(steps)
    _store(account.id, credentials)
    handle = None
    if credentials.handle and not account.handle:
        handle = credentials.handle
        context.accounts_file.replace(replace(account, handle=handle))
    expires = expiry_of(credentials.meta) if credentials.meta else None
    return LoginResult(account.id, credentials.who, expires, handle, credentials.notes)


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


def describe_failure(error: PlatformError) -> str:
    """A one-line, translated account of a platform's refusal during a login."""
    return _("the login did not complete: {error}; nothing was stored").format(
        error=error.message)
