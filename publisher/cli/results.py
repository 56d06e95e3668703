"""``publisher metrics collect`` (cron, hourly) and ``publisher report``: what the
sent posts achieved."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from publisher.cli.common import Cli, calendar_day
from publisher.cli.queue import EXIT_LOCKED, moment
from publisher.cli.remedies import advice, command
from publisher.domain.audiences import DAY_NAMES
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

    report = commands.add_parser("report", help=_("what the sent posts achieved"))
    report.add_argument("--account", metavar="ID")
    report.add_argument("--campaign", metavar="C")
    report.add_argument("--since", type=calendar_day, metavar="YYYY-MM-DD",
                        help=_("posts sent on or after this day (the workspace's time zone)"))
    report.add_argument("--json", action="store_true")
    report.set_defaults(handler=run_report)


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


# The report


def run_report(args: argparse.Namespace, cli: Cli) -> int:
    from publisher.services.report import build_report

    report = build_report(cli.context(), account=args.account, campaign=args.campaign,
                          since=args.since)
    if args.json:
        cli.json(_report_json(report))
        return 0
    if not report.posts:
        cli.print(_("No results yet: run 'publisher metrics collect' from cron, hourly "
                    "(README, \"Results\")."))
        return 0
    _print_report(cli, report)
    return 0


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _print_report(cli: Cli, report) -> None:
    cli.print(_("Interactions (likes + reposts + replies + quotes) at {age} after sending.")
              .format(age=report.reference_age))
    cli.print()
    cli.table(
        [_("SENT (UTC)"), _("DRAFT"), _("ACCOUNT"), _("LANG"), _("CAMPAIGN"),
         _("INTERACTIONS"), _("LATEST"), _("URL")],
        [[p.sent_at.strftime("%Y-%m-%d %H:%M"), p.draft_id, p.account_id, p.locale,
          p.campaign or "", _number(p.interactions), _latest(p), p.url or ""]
         for p in report.posts])
    for title, rows, headers in (
        (_("By account"), [[s.account_id, s.posts, _number(s.mean_interactions)]
                           for s in report.by_account],
         [_("ACCOUNT"), _("POSTS"), _("MEAN")]),
        (_("By language"), [[s.locale, s.posts, _number(s.mean_interactions)]
                            for s in report.by_locale],
         [_("LANG"), _("POSTS"), _("MEAN")]),
        (_("By account and language"),
         [[s.account_id, s.locale, s.posts, _number(s.mean_interactions)]
          for s in report.by_account_locale],
         [_("ACCOUNT"), _("LANG"), _("POSTS"), _("MEAN")]),
    ):
        cli.print()
        cli.print(title)
        cli.table(headers, rows)
    for week in report.weeks:
        cli.print()
        cli.print(_("{account}: best hours so far ({zone}), beside the profile it is "
                    "scheduled by").format(account=week.account_id, zone=week.timezone))
        cli.table([_("DAY"), _("HOUR"), _("POSTS"), _("MEAN"), _("PROFILE")],
                  _best_hours(week))


def _latest(post) -> str:
    counts = post.latest
    parts = "/".join("-" if v is None else str(v)
                     for v in (counts.likes, counts.reposts, counts.replies, counts.quotes))
    gone = " " + _("(gone)") if post.gone else ""
    return f"{post.latest_age}: {parts}{gone}"


BEST_HOURS = 5


def _best_hours(week) -> list[list[object]]:
    """The hours with the highest mean interactions (most posts first on a tie)."""
    cells = [(mean, week.posts[day][hour], day, hour)
             for day in range(7) for hour in range(24)
             if (mean := week.mean_interactions[day][hour]) is not None]
    cells.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
    return [[DAY_NAMES[day], f"{hour:02d}:00", posts, _number(mean),
             "-" if week.profile is None else f"{week.profile[day][hour]:.2f}"]
            for mean, posts, day, hour in cells[:BEST_HOURS]]


def _report_json(report) -> dict:
    return {
        "filter": {"account": report.filter.account, "campaign": report.filter.campaign,
                   "since": report.filter.since.isoformat() if report.filter.since else None},
        "reference_age": report.reference_age,
        "posts": [{"item": p.item_id, "draft": p.draft_id, "account": p.account_id,
                   "locale": p.locale, "campaign": p.campaign,
                   "sent_at": p.sent_at.isoformat(), "url": p.url,
                   "interactions": p.interactions, "latest_age": p.latest_age,
                   "latest": p.latest.as_dict(), "gone": p.gone} for p in report.posts],
        "by_account": [_summary_json(s) for s in report.by_account],
        "by_locale": [_summary_json(s) for s in report.by_locale],
        "by_account_locale": [_summary_json(s) for s in report.by_account_locale],
        "weeks": [{"account": w.account_id, "audience": w.audience, "timezone": w.timezone,
                   "days": list(DAY_NAMES),
                   "profile": [list(row) for row in w.profile] if w.profile else None,
                   "posts": [list(row) for row in w.posts],
                   "mean_interactions": [list(row) for row in w.mean_interactions]}
                  for w in report.weeks],
    }


def _summary_json(summary) -> dict:
    data: dict[str, object] = {}
    if summary.account_id is not None:
        data["account"] = summary.account_id
    if summary.locale is not None:
        data["locale"] = summary.locale
    return {**data, "posts": summary.posts, "mean_interactions": summary.mean_interactions}
