"""``publisher crisis use | list``: holding statements, filled and sent in minutes."""

from __future__ import annotations

import argparse
from datetime import datetime

from publisher.cli.common import Cli
from publisher.cli.queue import _clock, _item_json, _print_items, moment, publish_items_now
from publisher.cli.remedies import describe
from publisher.domain.errors import UserError
from publisher.domain.templates import ValueProblem, collect_values
from publisher.i18n import _
from publisher.services import queueing
from publisher.services import templates as service
from publisher.services.people import login_name


def register(commands: argparse._SubParsersAction) -> None:
    crisis = commands.add_parser("crisis", help=_("holding statements: fill one and send it"))
    sub = crisis.add_subparsers(dest="crisis_command", metavar="ACTION", required=True)

    use = sub.add_parser("use", help=_("make a draft from a holding statement; queue or send it"))
    use.add_argument("template")
    use.add_argument("--set", dest="values", action="append", default=[],
                     metavar="NAME[.LOCALE]=VALUE",
                     help=_("the text of a placeholder (of one locale with .LOCALE)"))
    when = use.add_mutually_exclusive_group()
    when.add_argument("--at", type=moment, metavar="RFC3339", help=_("queue it for this time"))
    when.add_argument("--now", nargs="?", const=True, type=moment, metavar="RFC3339",
                      help=_("publish it at once (a time given fixes the clock)"))
    use.add_argument("--through-freeze", action="store_true",
                     help=_("during a freeze, let this one statement through"))
    use.add_argument("--id", dest="new_id", metavar="NEW_ID",
                     help=_("the new draft's id (default: TEMPLATE-DATE-TIME)"))
    use.add_argument("--json", action="store_true")
    use.set_defaults(handler=run_use)

    listing = sub.add_parser("list", help=_("the holding statements and their placeholders"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)


def run_use(args: argparse.Namespace, cli: Cli) -> int:
    try:
        return _use(args, cli)
    except ValueProblem as error:  # a value given with --set: say so
        where = f"--set {error.where}" if error.where else "--set"
        raise UserError(error.message, where=where, hint=error.hint) from None


def _use(args: argparse.Namespace, cli: Cli) -> int:
    values = collect_values(args.values)
    sending = args.at is not None or args.now is not None
    if args.through_freeze and not sending:
        raise UserError(_("--through-freeze goes with --at or --now"),
                        hint=_("a draft that is only made waits for no freeze"))
    clock = _clock(args.now if isinstance(args.now, datetime) else None)
    now = clock()
    at = args.at if args.at is not None else (now if args.now is not None else None)
    context = cli.context()
    try:
        use = service.use_template(
            context, args.template, values, by=login_name(), now=now, at=at,
            immediately=args.now is not None, through_freeze=args.through_freeze,
            new_id=args.new_id, warn=cli.warn)
    except service.FrozenError as error:
        raise UserError(error.message, hint=_(
            "add --through-freeze to send this statement alone, or resume first")) from None
    made = {"template": use.template, "draft": use.draft_id, "file": use.path,
            "approved": use.approved, "values": use.values, "by": use.by}
    if args.now is not None:
        if not args.json:
            cli.print(_made_line(use))
        return publish_items_now(cli, use.draft_id, use.items, clock, args.json, extra=made)
    if args.json:
        with queueing.open_queue(context) as queue:
            items = [item for item_id in use.items if (item := queue.get(item_id))]
        cli.json({**made, "items": [_item_json(item) for item in items]})
        return 0
    cli.print(_made_line(use))
    _print_items(cli, use.items, False)
    return 0


def _made_line(use: service.Use) -> str:
    text = _("Made draft {draft} ({file}) from the holding statement {template}").format(
        draft=use.draft_id, file=use.path, template=use.template)
    return f"{text}, " + (_("approved") if use.approved else _("not approved"))


def run_list(args: argparse.Namespace, cli: Cli) -> int:
    rows, errors = service.list_templates(cli.context())
    if args.json:
        cli.json({
            "templates": [{
                "id": row.id, "title": row.title,
                "placeholders": {name: list(locales) for name, locales in row.placeholders.items()},
                "approved": row.approved, "translated": row.translated,
                "states": {tag: state.value for tag, state in row.states.items()},
                "problem": row.problem,
            } for row in rows],
            "errors": [describe(error) for error in errors],
        })
        return 2 if errors else 0
    if rows:
        cli.table(
            [_("TEMPLATE"), _("PLACEHOLDERS"), _("APPROVED"), _("TRANSLATED"), _("TITLE")],
            [[row.id, row.problem or " ".join(f"{{{name}}}" for name in row.placeholders),
              _("yes") if row.approved else _("no"), _translated(row), row.title]
             for row in rows])
    else:
        cli.print(_("No holding statements yet: a draft with template = true is one."))
    for error in errors:
        cli.error(describe(error))
    return 2 if errors else 0


def _translated(row: service.TemplateRow) -> str:
    if row.translated:
        return _("yes")
    return ", ".join(f"{tag}: {_(state.value)}" for tag, state in row.states.items()
                     if state not in service.READY)
