"""``publisher notify test | set-secret``: the channels that tell people what waits."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from publisher.cli.common import Cli, read_secret
from publisher.i18n import _
from publisher.services import notifications

CHANNEL_SECRETS = {
    "email": lambda: _("the SMTP password"),
    "webhook": lambda: _("the webhook's bearer token"),
}


def register(commands: argparse._SubParsersAction) -> None:
    notify = commands.add_parser(
        "notify", help=_("notifications by e-mail and webhook: test them, store their secrets"))
    sub = notify.add_subparsers(dest="notify_command", metavar="COMMAND", required=True,
                                parser_class=type(notify))
    test = sub.add_parser("test", help=_("send a test message to each channel"))
    test.add_argument("--json", action="store_true")
    test.set_defaults(handler=run_test)
    secret = sub.add_parser(
        "set-secret", help=_("store the SMTP password or the webhook's token, read from stdin"))
    secret.add_argument("channel", choices=sorted(CHANNEL_SECRETS))
    secret.set_defaults(handler=run_set_secret)


def run_test(args: argparse.Namespace, cli: Cli) -> int:
    results = notifications.send_samples(cli.context(), lambda: datetime.now(UTC))
    code = 3 if any(result.error for result in results) else 0
    if args.json:
        cli.json({"exit_code": code, "channels": [
            {"channel": result.channel, "to": result.recipient or None,
             "sent": result.error is None, "error": result.error} for result in results]})
        return code
    for result in results:
        name = (_("e-mail to {login}").format(login=result.recipient)
                if result.recipient else result.channel)
        if result.error is None:
            cli.print(_("{channel}: sent").format(channel=name))
        else:
            cli.warn(_("{channel}: not sent: {error}").format(channel=name, error=result.error))
    return code


def run_set_secret(args: argparse.Namespace, cli: Cli) -> int:
    cli.context()  # a workspace, and its language
    what = CHANNEL_SECRETS[args.channel]()
    secret = read_secret(
        _("{what} (not shown): ").format(what=what),
        _("e.g. publisher notify set-secret {channel} < secret.txt").format(
            channel=args.channel))
    notifications.store_channel_secret(args.channel, secret)
    cli.print(_("Stored {what} in the keyring").format(what=what))
    return 0
