"""``publisher whoami``: who the tool thinks you are and which roles you hold."""

from __future__ import annotations

import argparse

from publisher.cli.common import Cli
from publisher.i18n import _
from publisher.services.people import login_name, roles_of


def register(commands: argparse._SubParsersAction) -> None:
    whoami = commands.add_parser(
        "whoami", help=_("who the tool thinks you are, and your approval and translation roles"))
    whoami.add_argument("--json", action="store_true")
    whoami.set_defaults(handler=run_whoami)


def run_whoami(args: argparse.Namespace, cli: Cli) -> int:
    people = cli.context().settings.people
    login = login_name()
    roles = roles_of(people, login)
    if args.json:
        cli.json({
            "login": login,
            "steps": list(roles.steps),
            "languages": list(roles.languages),
            "approval_steps": list(people.steps),
            "self_approval": people.self_approval,
        })
        return 0
    cli.print(login)
    if not people.has_steps:
        cli.print(_("approval: one step, which anyone may take (no [approval] steps set)"))
    elif roles.steps:
        cli.print(_("approves: {steps}").format(steps=", ".join(roles.steps)))
    else:
        cli.print(_("approves: no step (steps: {steps})").format(steps=", ".join(people.steps)))
    if roles.languages:
        cli.print(_("translates: {languages}").format(languages=", ".join(roles.languages)))
    return 0
