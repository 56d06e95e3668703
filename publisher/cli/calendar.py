"""``publisher reschedule ITEM --at T | --auto``: a waiting post to another time."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from publisher.cli.common import MAX_ITEM_ID, Cli, whole_number
from publisher.cli.queue import moment
from publisher.i18n import _, format_datetime


def register(commands: argparse._SubParsersAction) -> None:
    reschedule = commands.add_parser(
        "reschedule", help=_("move a queued or held item to another time"))
    reschedule.add_argument("item", type=whole_number(MAX_ITEM_ID, least=1))
    when = reschedule.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", type=moment, metavar="RFC3339")
    when.add_argument("--auto", action="store_true",
                      help=_("the best free time of the item's account"))
    reschedule.add_argument("--now", type=moment, metavar="RFC3339")
    reschedule.add_argument("--json", action="store_true")
    reschedule.set_defaults(handler=run_reschedule)


def run_reschedule(args: argparse.Namespace, cli: Cli) -> int:
    from publisher.services.calendar import reschedule
    from publisher.services.people import login_name

    now = args.now or datetime.now(UTC)
    moved = reschedule(cli.context(), args.item, None if args.auto else args.at, now=now,
                       actor=login_name())
    zone = ZoneInfo(moved.timezone) if moved.timezone else UTC
    if args.json:
        cli.json({
            "item": moved.item_id, "draft": moved.draft_id, "account": moved.account_id,
            "locales": list(moved.locales), "state": moved.state.value, "moved": moved.moved,
            "before_utc": moved.before.isoformat(), "due_utc": moved.after.isoformat(),
            "due_local": moved.after.astimezone(zone).isoformat(), "timezone": moved.timezone,
        })
        return 0
    local = format_datetime(moved.after, zone)
    if not moved.moved:
        cli.print(_("Item {id} is at {utc} ({local}) already; nothing changed").format(
            id=moved.item_id, utc=moved.after.strftime("%Y-%m-%d %H:%M UTC"), local=local))
        return 0
    cli.print(_("Moved item {id} ({draft} on {account}, {locales}) from {before} to {utc} "
                "({local})").format(
        id=moved.item_id, draft=moved.draft_id, account=moved.account_id,
        locales="+".join(moved.locales), before=moved.before.strftime("%Y-%m-%d %H:%M UTC"),
        utc=moved.after.strftime("%Y-%m-%d %H:%M UTC"), local=local))
    return 0
