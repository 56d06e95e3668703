"""``publisher whoami``: who the tool thinks you are and which roles you hold;
``publisher history``: who did what when."""

from __future__ import annotations

import argparse

from publisher.cli.common import Cli, whole_number
from publisher.i18n import _
from publisher.services.people import login_name, roles_of


def register(commands: argparse._SubParsersAction) -> None:
    whoami = commands.add_parser(
        "whoami", help=_("who the tool thinks you are, and your approval and translation roles"))
    whoami.add_argument("--json", action="store_true")
    whoami.set_defaults(handler=run_whoami)

    history = commands.add_parser(
        "history", help=_("who did what when: queue moves, approvals, draft changes"))
    history.add_argument("draft", nargs="?", metavar="DRAFT")
    history.add_argument("--limit", type=whole_number(MAX_LIMIT, least=1), metavar="N",
                         help=_("only the N newest lines"))
    history.add_argument("--json", action="store_true")
    history.set_defaults(handler=run_history)


# More lines than any workspace's history holds; keeps the number an SQLite integer.
MAX_LIMIT = 10**9


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


def run_history(args: argparse.Namespace, cli: Cli) -> int:
    from publisher.services.approvals import history, what_was_done

    lines = history(cli.context(), args.draft, limit=args.limit)
    if args.json:
        cli.json([{
            "at": line.at.isoformat(), "actor": line.actor, "kind": line.kind,
            "draft": line.draft_id, "what": line.what, "reason": line.reason,
            "item": line.item, "from_state": line.from_state, "step": line.step,
            "locales": list(line.locales), "fingerprint": line.fingerprint,
        } for line in lines])
        return 0
    for line in lines:
        cli.print(f"{line.at:%Y-%m-%d %H:%M:%S} UTC  {line.actor}  {line.draft_id}  "
                  f"{what_was_done(line)}")
    return 0
