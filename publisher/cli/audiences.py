"""``publisher audiences | blackout | slots``: when each audience is active."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from publisher.cli.common import Cli, calendar_day
from publisher.cli.queue import moment
from publisher.domain.audiences import DAY_NAMES, Audience, check_zone
from publisher.domain.errors import UserError
from publisher.i18n import _, format_datetime, ngettext
from publisher.services import audiences as service

SHADES = " ░▒▓█"


def _zone(text: str) -> str:
    """An argparse type: an IANA time zone (the error then names the option)."""
    try:
        return check_zone(text)
    except UserError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register(commands: argparse._SubParsersAction) -> None:
    audiences = commands.add_parser("audiences", help=_("who reads each account, and when"))
    sub = audiences.add_subparsers(dest="audiences_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help=_("define an audience by its active windows"))
    add.add_argument("name")
    add.add_argument("--timezone", type=_zone, required=True, metavar="TZ")
    add.add_argument("--window", action="append", default=[], metavar="SPEC",
                     help=_('e.g. "MO-FR 08:00-10:00 0.9 morning" (repeatable)'))
    add.set_defaults(handler=run_add)

    imp = sub.add_parser("import", help=_("import an hourly activity export (CSV or JSON)"))
    imp.add_argument("name")
    imp.add_argument("file", type=Path)
    imp.add_argument("--timezone", type=_zone, metavar="TZ",
                     help=_("the audience's zone (new audiences)"))
    imp.add_argument("--hours-in", type=_zone, metavar="TZ",
                     help=_("the zone the export's hours are in (default: the audience's)"))
    imp.add_argument("--now", type=moment, metavar="RFC3339")
    imp.set_defaults(handler=run_import)

    show = sub.add_parser("show", help=_("an audience's activity as a weekday x hour map"))
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    listing = sub.add_parser("list", help=_("list audiences"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)

    learn = sub.add_parser("learn", help=_("learn an account's audience from its results"))
    learn.add_argument("account")
    learn.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE.csv",
                       help=_("time,engagement or url,engagement rows"))
    learn.set_defaults(handler=run_learn)

    blackout = commands.add_parser("blackout", help=_("dates with no posts"))
    bsub = blackout.add_subparsers(dest="blackout_command", metavar="ACTION", required=True)
    badd = bsub.add_parser("add", help=_("no post on this local date"))
    badd.add_argument("date", type=calendar_day)
    badd.add_argument("--audience", metavar="NAME")
    badd.add_argument("--reason", default="", metavar="TEXT")
    badd.set_defaults(handler=run_blackout_add)
    bremove = bsub.add_parser("remove", help=_("lift a blackout date"))
    bremove.add_argument("date", type=calendar_day)
    bremove.add_argument("--audience", metavar="NAME")
    bremove.set_defaults(handler=run_blackout_remove)
    blist = bsub.add_parser("list", help=_("list blackout dates"))
    blist.add_argument("--json", action="store_true")
    blist.set_defaults(handler=run_blackout_list)

    slots = commands.add_parser("slots", help=_("the next best free slots of an account"))
    slots.add_argument("account")
    slots.add_argument("--count", type=int, default=5, metavar="N")
    slots.add_argument("--now", type=moment, metavar="RFC3339")
    slots.add_argument("--json", action="store_true")
    slots.set_defaults(handler=run_slots)


def run_add(args: argparse.Namespace, cli: Cli) -> int:
    audience = service.add_audience(cli.context(), args.name, args.timezone, args.window)
    cli.print(ngettext("Added audience {name} ({zone}, {n} window)",
                       "Added audience {name} ({zone}, {n} windows)", len(audience.windows)).format(
        name=audience.name, zone=audience.timezone, n=len(audience.windows)))
    if not audience.windows:
        cli.print(_("Without windows it uses the default profile until you import activity."))
    return 0


def run_import(args: argparse.Namespace, cli: Cli) -> int:
    now = args.now or datetime.now(UTC)
    result = service.import_activity(cli.context(), args.name, args.file,
                                     timezone=args.timezone, hours_in=args.hours_in, now=now)
    cli.print(ngettext("Imported {cells} weekday/hour value into {name} ({zone})",
                       "Imported {cells} weekday/hour values into {name} ({zone})",
                       result.cells).format(
        cells=result.cells, name=result.audience.name, zone=result.audience.timezone))
    if result.cells < 7 * 24 and not result.days:
        cli.warn(ngettext("{n} of 168 weekday/hour values was missing and counts as 0",
                          "{n} of 168 weekday/hour values were missing and count as 0",
                          7 * 24 - result.cells).format(
            n=7 * 24 - result.cells))
    return 0


def kind_text(kind: str) -> str:
    return {
        "default": _("default profile"),
        "windows": _("active windows"),
        "histogram": _("imported histogram"),
        "learned": _("learned from results"),
    }.get(kind, kind)


def _audience_json(audience: Audience, grid) -> dict:
    return {
        "name": audience.name, "timezone": audience.timezone, "kind": grid.kind,
        "windows": [w.spec() for w in audience.windows],
        "learned_posts": audience.learned_posts,
        "hourly": {DAY_NAMES[d]: list(row) for d, row in enumerate(grid.values)},
    }


def run_show(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    audience = context.audience(args.name)
    grid = service.audience_grid(audience)
    if args.json:
        cli.json(_audience_json(audience, grid))
        return 0
    cli.print(_("{name}: {zone}, {kind}").format(name=audience.name, zone=audience.timezone,
                                                   kind=kind_text(grid.kind)))
    for window in audience.windows:
        cli.print(f"  {window.spec()}")
    cli.print("     " + "".join(f"{h:<3d}" for h in range(0, 24, 3)).rstrip())
    for day, row in enumerate(grid.values):
        cells = "".join(SHADES[min(4, round(v * 4))] for v in row)
        cli.print(f"{DAY_NAMES[day]:<4} {cells}")
    for blackout in context.blackouts:
        if blackout.applies_to(audience.name):
            cli.print(_("  no posts on {date} {reason}").format(
                date=blackout.day.isoformat(), reason=blackout.reason).rstrip())
    return 0


def run_list(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    users: dict[str, list[str]] = {}
    for account in context.accounts.values():
        if account.audience:
            users.setdefault(account.audience, []).append(account.id)
    rows = [
        {"name": a.name, "timezone": a.timezone, "kind": a.kind,
         "accounts": users.get(a.name, [])}
        for a in context.audiences.values()
    ]
    if args.json:
        cli.json(rows)
        return 0
    if not rows:
        cli.print(_("No audiences yet: accounts use the default profile. "
                    "Add one with 'publisher audiences add'."))
        return 0
    cli.table([_("NAME"), _("TIME ZONE"), _("PROFILE"), _("ACCOUNTS")],
              [[a.name, a.timezone, kind_text(a.kind), ", ".join(users.get(a.name, []))]
               for a in context.audiences.values()])
    return 0


def run_learn(args: argparse.Namespace, cli: Cli) -> int:
    result = service.learn(cli.context(), args.account, args.source)
    cli.print(ngettext("Learned {name} from {n} post (blended with its prior)",
                       "Learned {name} from {n} posts (blended with its prior)",
                       result.posts).format(
        name=result.audience.name, n=result.posts))
    if result.unmatched:
        cli.warn(ngettext(
            "{n} row named a post this account has not sent; it was left out",
            "{n} rows named posts this account has not sent; they were left out",
            result.unmatched).format(
            n=result.unmatched))
    return 0


def run_blackout_add(args: argparse.Namespace, cli: Cli) -> int:
    if service.add_blackout(cli.context(), args.date, args.audience, args.reason):
        cli.print(_("No posts on {date} ({scope})").format(
            date=args.date.isoformat(), scope=args.audience or _("every audience")))
    else:
        cli.print(_("{date} is already blacked out").format(date=args.date.isoformat()))
    return 0


def run_blackout_remove(args: argparse.Namespace, cli: Cli) -> int:
    if not service.remove_blackout(cli.context(), args.date, args.audience):
        raise UserError(_("{date} is not blacked out ({scope})").format(
            date=args.date.isoformat(), scope=args.audience or _("every audience")),
            hint=_("see 'publisher blackout list'"))
    cli.print(_("Lifted the blackout of {date}").format(date=args.date.isoformat()))
    return 0


def run_blackout_list(args: argparse.Namespace, cli: Cli) -> int:
    rows = [{"date": b.day.isoformat(), "audience": b.audience, "reason": b.reason}
            for b in sorted(cli.context().blackouts, key=lambda b: b.day)]
    if args.json:
        cli.json(rows)
    elif not rows:
        cli.print(_("No blackout dates."))
    else:
        cli.table([_("DATE"), _("AUDIENCE"), _("REASON")],
                  [[r["date"], r["audience"] or _("all"), r["reason"]] for r in rows])
    return 0


def run_slots(args: argparse.Namespace, cli: Cli) -> int:
    from publisher.services import scheduling

    context = cli.context()
    now = args.now or datetime.now(UTC)
    slots = scheduling.suggest_slots(context, args.account, args.count, now)
    if args.json:
        cli.json([
            {"utc": s.at.isoformat(), "local": s.local.isoformat(), "score": s.score,
             "why": s.why}
            for s in slots
        ])
        return 0
    if not slots:
        cli.print(_("No free slot in the next 30 days."))
        return 0
    cli.table(
        [_("UTC"), _("LOCAL"), _("SCORE"), _("WHY")],
        [[s.at.strftime("%Y-%m-%d %H:%M"), format_datetime(s.at, s.local.tzinfo),
          f"{s.score:.2f}", s.why] for s in slots],
    )
    return 0
