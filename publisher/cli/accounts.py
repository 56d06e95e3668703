"""``publisher accounts add | set | list | check | remove | set-secret``."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import math
import sys
from collections.abc import Container
from typing import TYPE_CHECKING

from publisher.cli.common import Cli, notice_line, read_secret, stopped_line, whole_number
from publisher.cli.remedies import failure, with_advice, with_its_advice
from publisher.domain.accounts import (
    DEFAULT_MAX_LATENESS_MINUTES,
    MAX_MINUTES,
    MAX_PER_DAY,
    PLATFORMS,
    SECRET_KIND,
    check_api_base,
    make_account,
)
from publisher.domain.errors import UserError
from publisher.domain.locales import parse_locale_list
from publisher.i18n import _
from publisher.services import secrets

if TYPE_CHECKING:
    from publisher.services.accounts import AccountRow

MAX_LOGIN_WAIT = 24 * 3600  # seconds; a browser login takes minutes


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0 and at most a day (not nan or inf,
    which the socket's timeout refuses with a traceback)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_LOGIN_WAIT:
        raise argparse.ArgumentTypeError(
            _("{text!r} is not a number of seconds between 0 and {most}").format(
                text=text, most=MAX_LOGIN_WAIT))
    return value


def _secure_url(text: str) -> str:
    """An argparse type for a login's own addresses: they receive the app's secret and
    the code, so the account's rule applies (https, or http to this machine)."""
    try:
        return check_api_base(text)
    except UserError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register(commands: argparse._SubParsersAction) -> None:
    accounts = commands.add_parser("accounts", help=_("add, list and remove accounts"))
    sub = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help=_("add an account to accounts.toml"))
    add.add_argument("id", help=_("a short id such as embassy-dc-mastodon"))
    add.add_argument("--platform", required=True, choices=PLATFORMS, metavar="P")
    add.add_argument("--api-base", metavar="URL", help=_("the API address (default: public)"))
    add.add_argument("--handle", metavar="H")
    add.add_argument("--locales", default=None, metavar="L,L", help=_("e.g. sq,en"))
    add.add_argument("--layout", choices=("separate", "combined"), default="separate")
    add.add_argument("--audience", metavar="NAME")
    add.add_argument("--min-gap", type=whole_number(MAX_MINUTES, least=0), default=0,
                     metavar="MINUTES")
    add.add_argument("--max-per-day", type=whole_number(MAX_PER_DAY, least=1), metavar="N")
    add.add_argument("--max-lateness", type=whole_number(MAX_MINUTES, least=1),
                     default=DEFAULT_MAX_LATENESS_MINUTES, metavar="MINUTES",
                     help=_("an overdue post expires after this (default 360)"))
    add.add_argument("--media-url", metavar="URL",
                     help=_("public address of the media folder (Instagram, Threads)"))
    add.set_defaults(handler=run_add)

    change = sub.add_parser("set", help=_("change an account's settings"))
    change.add_argument("id")
    change.add_argument("--api-base", metavar="URL")
    change.add_argument("--handle", metavar="H")
    change.add_argument("--locales", metavar="L,L")
    change.add_argument("--layout", choices=("separate", "combined"))
    change.add_argument("--audience", metavar="NAME", help=_("'none' for the default profile"))
    change.add_argument("--min-gap", type=whole_number(MAX_MINUTES, least=0), metavar="MINUTES")
    change.add_argument("--max-per-day", type=whole_number(MAX_PER_DAY, least=0), metavar="N",
                        help=_("0 for no cap"))
    change.add_argument("--max-lateness", type=whole_number(MAX_MINUTES, least=1),
                        metavar="MINUTES")
    change.add_argument("--media-url", metavar="URL", help=_("'none' to remove it"))
    change.set_defaults(handler=run_set)

    listing = sub.add_parser("list", help=_("list accounts"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)

    check = sub.add_parser("check", help=_("check that an account can post (asks the platform)"))
    check.add_argument("id")
    check.set_defaults(handler=run_check)

    remove = sub.add_parser("remove", help=_("remove an account and its stored secret"))
    remove.add_argument("id")
    remove.set_defaults(handler=run_remove)

    secret = sub.add_parser("set-secret", help=_("store the account's secret, read from stdin"))
    secret.add_argument("id")
    secret.set_defaults(handler=run_set_secret)

    login = sub.add_parser(
        "login", help=_("get the account's secret step by step and keep it in the keyring"),
        description=_("Walks you through logging in on the account's platform (an OAuth "
                      "authorisation in the browser, an app password or a bot token) and "
                      "stores the secret in the keyring. Secrets are read without echo, "
                      "never from the command line."))
    login.add_argument("id")
    login.add_argument("--port", type=whole_number(65535), metavar="N",
                       help=_("port of the local redirect listener on 127.0.0.1 "
                              "(0: any free port; default 8719, or any for Mastodon)"))
    login.add_argument("--redirect-uri", metavar="URI",
                       help=_("the whole redirect URI registered with the app"))
    login.add_argument("--paste", action="store_true",
                       help=_("no local listener: paste the code or the address the "
                              "browser lands on"))
    login.add_argument("--no-browser", action="store_true",
                       help=_("print the address only; do not open a browser"))
    login.add_argument("--timeout", type=_seconds, default=300.0, metavar="SECONDS",
                       help=_("how long the listener waits for the browser (default 300)"))
    login.add_argument("--client-id", metavar="ID",
                       help=_("the app's client id or app id (asked when not given)"))
    login.add_argument("--scopes", metavar="SCOPES", help=_("the scopes to ask for"))
    login.add_argument("--page", metavar="PAGE_ID",
                       help=_("Facebook, Instagram: the page (default: the account's handle, "
                              "or asked)"))
    login.add_argument("--instagram-login", action="store_true",
                       help=_("Instagram: log in with Instagram Login (a 60-day token) rather "
                              "than Facebook Login (the default unless the API base is "
                              "graph.instagram.com)"))
    login.add_argument("--authorize-url", type=_secure_url, metavar="URL",
                       help=_("the platform's authorisation address (default: public)"))
    login.add_argument("--token-url", type=_secure_url, metavar="URL",
                       help=_("the platform's token address (default: public)"))
    login.set_defaults(handler=run_login)


def run_add(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    locales = (
        parse_locale_list(args.locales) if args.locales else [context.settings.source_locale]
    )
    account = make_account(
        args.id,
        args.platform,
        locales=locales,
        layout=args.layout,
        handle=args.handle,
        api_base=args.api_base,
        audience=args.audience,
        min_gap_minutes=args.min_gap,
        max_per_day=args.max_per_day,
        max_lateness_minutes=args.max_lateness,
        media_url=args.media_url,
    )
    audiences = context.audiences  # before writing: a broken accounts.toml stays untouched
    context.accounts_file.add(account)
    cli.print(_("Added {id} ({platform}, {locales})").format(
        id=account.id, platform=account.platform, locales=", ".join(account.locales)
    ))
    if account.needs_secret:
        cli.print(_("Next: publisher accounts login {id} (or set-secret with a token you have)")
                  .format(id=account.id))
    _warn_undefined_audience(cli, account.audience, audiences)
    return 0


def _warn_undefined_audience(cli: Cli, audience: str | None, known: Container[str]) -> None:
    if audience and audience not in known:
        cli.warn(_("audience {name!r} is not defined yet: the default profile is used until "
                   "you add it with 'publisher audiences add'").format(name=audience))


def run_set(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    old = context.account(args.id)
    audience = old.audience if args.audience is None else (
        None if args.audience == "none" else args.audience)
    cap = old.max_per_day if args.max_per_day is None else (args.max_per_day or None)
    account = make_account(
        old.id, old.platform,
        locales=parse_locale_list(args.locales) if args.locales else old.locales,
        layout=args.layout or old.layout,
        handle=old.handle if args.handle is None else args.handle,
        api_base=args.api_base or old.api_base,
        audience=audience,
        min_gap_minutes=old.min_gap_minutes if args.min_gap is None else args.min_gap,
        max_per_day=cap,
        max_lateness_minutes=(old.max_lateness_minutes if args.max_lateness is None
                              else args.max_lateness),
        imitates=old.imitates,
        media_url=old.media_url if args.media_url is None else (
            None if args.media_url == "none" else args.media_url),
    )
    audiences = context.audiences  # before writing: a broken accounts.toml stays untouched
    context.accounts_file.replace(account)
    cli.print(_("Updated {id}").format(id=account.id))
    _warn_undefined_audience(cli, account.audience, audiences)
    return 0


def run_list(args: argparse.Namespace, cli: Cli) -> int:
    from datetime import UTC, datetime

    from publisher.services.accounts import accounts_overview

    now = datetime.now(UTC)
    overview = accounts_overview(cli.context(), lambda: now)
    for notice in overview.notices:
        cli.warn(notice_line(notice))
    for stopped in overview.stopped:
        cli.warn(stopped_line(stopped))
    rows = [_row_json(row) for row in overview.rows]
    if args.json:
        cli.json(rows)
        return 0
    if not rows:
        cli.print(_("No accounts yet. Add one with 'publisher accounts add'."))
        return 0
    cli.table(
        [_("ID"), _("PLATFORM"), _("HANDLE"), _("LOCALES"), _("LAYOUT"), _("SECRET"),
         _("EXPIRES")],
        [
            [r["id"], r["platform"], r["handle"], ",".join(r["locales"]), r["layout"],
             _(r["secret"]), _expires_cell(r["expires_at"], r["token_refreshable"], now)]
            for r in rows
        ],
    )
    return 0


def _row_json(row: AccountRow) -> dict:
    from datetime import UTC

    account = row.account
    expires = row.token.expires_at
    return {
        "id": account.id,
        "platform": account.platform,
        "handle": account.handle,
        "api_base": account.effective_api_base,
        "locales": list(account.locales),
        "layout": account.layout,
        "audience": account.audience,
        "min_gap": account.min_gap_minutes,
        "max_per_day": account.max_per_day,
        "max_lateness": account.max_lateness_minutes,
        "secret": row.secret_state,
        "expires_at": expires.astimezone(UTC).isoformat() if expires else None,
        "token_refreshable": bool(row.token.refreshable),
    }


def _expires_cell(expires_at: str | None, refreshable: bool, now) -> str:
    from datetime import datetime

    if expires_at is None:
        return ""
    moment = datetime.fromisoformat(expires_at)
    if moment <= now:
        return _("expired {date}").format(date=f"{moment:%Y-%m-%d}")
    if refreshable:
        return _("{date} (renews)").format(date=f"{moment:%Y-%m-%d}")
    return f"{moment:%Y-%m-%d}"


def run_remove(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    context.account(args.id)
    users = [
        item.draft.id
        for item in context.drafts.load_all()[0]
        if args.id in item.draft.accounts
    ]
    if users:
        raise UserError(
            _("account {id!r} is used by drafts: {drafts}").format(
                id=args.id, drafts=", ".join(users)
            ),
            hint=_("take it out of their accounts first"),
        )
    context.accounts_file.remove(args.id)
    try:
        secrets.delete_secret(args.id)
    except secrets.KeyringUnavailable:
        cli.warn(_("the keyring could not be reached; a stored secret may remain"))
    cli.print(_("Removed {id}").format(id=args.id))
    return 0


def run_set_secret(args: argparse.Namespace, cli: Cli) -> int:
    account = cli.context().account(args.id)
    if not account.needs_secret:
        raise UserError(_("{platform} accounts need no secret").format(platform=account.platform))
    secret = read_secret(
        _("{kind} for {id} (not shown): ").format(kind=SECRET_KIND[account.platform],
                                                  id=account.id),
        _("e.g. publisher accounts set-secret {id} < token.txt").format(id=account.id))
    secrets.store_by_hand(account.id, account.platform, secret)
    cli.print(_("Stored the secret of {id} in the keyring").format(id=account.id))
    return 0


def run_check(args: argparse.Namespace, cli: Cli) -> int:
    from datetime import UTC, datetime

    from publisher.platforms.base import AuthFailed, PlatformError, Rejected
    from publisher.platforms.registry import UnsupportedPlatform
    from publisher.services.checking import check_account

    try:
        identity = check_account(cli.context(), args.id, lambda: datetime.now(UTC))
    except UnsupportedPlatform as error:
        raise UserError(str(error)) from None
    except PlatformError as error:
        cli.warn(_("{id} cannot post: {error}").format(id=args.id, error=failure(error)))
        return 4 if isinstance(error, AuthFailed | Rejected) else 3
    where = f" ({identity.url})" if identity.url else ""
    cli.print(_("{id} can post as {name}{where}").format(id=args.id, name=identity.name,
                                                         where=where))
    if identity.details.get("warning"):  # the platform's own words, in English
        cli.warn(identity.details["warning"])
    return 0


class _TerminalPrompter:
    """The login's questions on the terminal: secrets with getpass (stdin when piped)."""

    def __init__(self, cli: Cli, open_browser: bool):
        self.cli = cli
        self.open_browser = open_browser

    def _flush(self) -> None:
        with contextlib.suppress(AttributeError, ValueError):
            self.cli.out.flush()

    def say(self, text: str) -> None:
        self.cli.print(with_its_advice(text))
        self._flush()

    def show_url(self, url: str) -> None:
        self.cli.print(f"  {url}")
        self._flush()
        if self.open_browser and sys.stdin.isatty() and sys.stdout.isatty():
            import webbrowser

            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(url)

    def ask(self, prompt: str) -> str:
        if sys.stdin.isatty():
            return input(prompt).strip()
        self.cli.out.write(prompt + "\n")
        self._flush()
        return sys.stdin.readline().strip()

    def ask_secret(self, prompt: str) -> str:
        if sys.stdin.isatty():
            return getpass.getpass(prompt).strip()
        self.cli.out.write(prompt + "\n")
        self._flush()
        return sys.stdin.readline().strip()


def run_login(args: argparse.Namespace, cli: Cli) -> int:
    from datetime import UTC, datetime

    from publisher.platforms.base import PlatformError, RateLimited, Transient
    from publisher.services.login import LoginOptions, describe_failure, login

    options = LoginOptions(
        port=args.port, redirect_uri=args.redirect_uri, paste=args.paste, timeout=args.timeout,
        client_id=args.client_id, scopes=args.scopes, authorize_url=args.authorize_url,
        token_url=args.token_url, page=args.page, instagram_login=args.instagram_login,
    )
    prompter = _TerminalPrompter(cli, open_browser=not args.no_browser)
    try:
        result = login(cli.context(), args.id, prompter, options, lambda: datetime.now(UTC))
    except PlatformError as error:
        cli.error(with_advice(describe_failure(error), None, error.remedy))
        return 3 if isinstance(error, Transient | RateLimited) else 2
    for note in result.notes:
        cli.warn(with_its_advice(note))
    cli.print(_("Logged in: {id} posts as {who}; the secret is in the keyring").format(
        id=result.account_id, who=result.who))
    if result.handle:
        cli.print(_("Set the handle of {id} to {handle}").format(id=result.account_id,
                                                                 handle=result.handle))
    if result.expires_at is not None:
        from publisher.services.accounts import token_status

        status = token_status(cli.context(), result.account_id, lambda: datetime.now(UTC))
        date = f"{result.expires_at:%Y-%m-%d %H:%M}"
        if status.refreshable:
            cli.print(_("The token expires on {date} UTC; publisher renews it by itself")
                      .format(date=date))
        else:
            cli.print(_("The token expires on {date} UTC; log in again before then "
                        "('publisher accounts list' warns a week ahead)").format(date=date))
    return 0
