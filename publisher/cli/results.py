"""``publisher metrics collect`` (cron, hourly) and ``publisher report``: what the
sent posts achieved."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from publisher.cli.common import Cli
from publisher.cli.queue import EXIT_LOCKED, moment
from publisher.cli.remedies import advice, command
from publisher.i18n import _, ngettext
from publisher.storage.lock import Locked


def register(commands: argparse._SubParsersAction) -> None:
    metrics = commands.add_parser("metrics", help=_("engagement of sent posts"))
    metrics_commands = metrics.add_subparsers(dest="metrics_command", metavar="COMMAND",
                                              parser_class=type(metrics), required=True)
    collect = metrics_commands.add_parser(
        "collect", help=_("read the counts of sent posts that are due (run it from cron, "
                          "hourly)"))
    collect.add_argument("--now", type=moment, metavar="RFC3339")
    collect.add_argument("--json", action="store_true")
    collect.set_defaults(handler=run_collect)


def run_collect(args: argparse.Namespace, cli: Cli) -> int:
    from publisher.services import metrics

    context = cli.context()
    now = args.now or datetime.now(UTC)
    try:
        report = metrics.collect(context, now)
    except Locked:
        if args.json:
            cli.json({"exit_code": EXIT_LOCKED, "locked": True, "readings": [], "gone": [],
                      "accounts": []})
        elif cli.verbose:
            cli.warn(_("another metrics collection is running; nothing done"))
        return EXIT_LOCKED
    if args.json:
        cli.json(_collect_json(report))
        return report.exit_code
    _say_troubles(cli, report)
    if cli.verbose:
        _say_readings(cli, report)
    return report.exit_code


def _collect_json(report) -> dict:
    return {
        "exit_code": report.exit_code,
        "locked": False,
        "readings": [{"item": r.item_id, "draft": r.draft_id, "account": r.account_id,
                      "age": r.age, "interactions": r.engagement.interactions,
                      **r.engagement.as_dict()} for r in report.readings],
        "gone": [{"item": item_id, "account": account_id, "reason": reason}
                 for item_id, (account_id, reason) in report.gone.items()],
        "accounts": [{"account": t.account_id, "kind": t.kind, "message": t.message,
                      "until": t.until.isoformat() if t.until else None,
                      "posts_waiting": t.waiting,
                      "fix": command(t.remedy) if t.remedy else None}
                     for t in report.troubles.values()],
    }


def _say_troubles(cli: Cli, report) -> None:
    """What stops readings, on stderr (cron mails it); what cannot be measured only with
    -v (it says the same every hour)."""
    for trouble in report.troubles.values():
        if trouble.kind == "auth":
            cli.err.write("publisher: " + _(
                "{account}: counts not read: the login failed: {error} ({advice})").format(
                account=trouble.account_id, error=trouble.message,
                advice=advice(trouble.remedy) if trouble.remedy else "-") + "\n")
        elif trouble.kind in ("rate-limited", "held"):
            cli.warn(_("{account}: counts not read until {until}: {reason}").format(
                account=trouble.account_id, reason=trouble.message or "-",
                until=trouble.until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
                if trouble.until else "-"))
        elif trouble.kind == "transient":
            cli.warn(_("{account}: counts not read, tried again next run: {error}").format(
                account=trouble.account_id, error=trouble.message))
        elif cli.verbose:
            cli.print(_("{account}: not measured: {reason}").format(
                account=trouble.account_id, reason=trouble.message))


def _say_readings(cli: Cli, report) -> None:
    """-v: per account, what was read at which age."""
    per_account: dict[str, dict[str, int]] = {}
    for reading in report.readings:
        ages = per_account.setdefault(reading.account_id, {})
        ages[reading.age] = ages.get(reading.age, 0) + 1
    for account_id, ages in per_account.items():
        cli.print(ngettext("{account}: read {count} post ({ages})",
                           "{account}: read {count} posts ({ages})", sum(ages.values())).format(
            account=account_id, count=sum(ages.values()),
            ages=", ".join(f"{age}: {count}" for age, count in ages.items())))
    for item_id, (account_id, reason) in report.gone.items():
        cli.print(_("{account}: item {id} is gone, not read again: {reason}").format(
            account=account_id, id=item_id, reason=reason))
