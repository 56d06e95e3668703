"""``publisher schedule | queue | flush | pause | resume | publish-now | retry | cancel``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from publisher.cli.common import MAX_ITEM_ID, Cli, whole_number
from publisher.domain.errors import UserError
from publisher.domain.queue import State
from publisher.i18n import _, format_datetime
from publisher.services import flush as flushing
from publisher.services import queueing
from publisher.storage.lock import Locked

EXIT_LOCKED = 75


def moment(text: str) -> datetime:
    """An RFC 3339 time with its offset, for --at and --now."""
    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text!r} is not an RFC 3339 time such as 2026-11-28T08:00:00+01:00").format(
                text=text
            )
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            _("{text!r} has no UTC offset; add one, e.g. +01:00 or Z").format(text=text)
        )
    # Scheduling and flushing count days and weeks from it: near the calendar's ends
    # that overflows, and the queue stores four-digit years.
    if not EARLIEST <= value <= LATEST:
        raise argparse.ArgumentTypeError(
            _("{text!r} is not between the years {first} and {last}").format(
                text=text, first=EARLIEST.year, last=LATEST.year))
    return value


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)


def register(commands: argparse._SubParsersAction) -> None:
    schedule = commands.add_parser("schedule", help=_("queue an approved draft"))
    schedule.add_argument("draft", nargs="?")
    when = schedule.add_mutually_exclusive_group()
    when.add_argument("--at", type=moment, metavar="RFC3339")
    when.add_argument("--auto", action="store_true",
                      help=_("place at the best free slots of each account's audience "
                             "(the default without --at)"))
    schedule.add_argument("--all-approved", action="store_true",
                          help=_("with --auto: every approved draft not queued yet"))
    schedule.add_argument("--now", type=moment, metavar="RFC3339")
    schedule.add_argument("--allow-stale", action="store_true",
                          help=_("queue stale translations too"))
    schedule.add_argument("--json", action="store_true")
    schedule.set_defaults(handler=run_schedule)

    queue = commands.add_parser("queue", help=_("list queue items"))
    queue.add_argument("--state", choices=[str(s) for s in State], metavar="S")
    queue.add_argument("--json", action="store_true")
    queue.set_defaults(handler=run_queue)

    flush = commands.add_parser("flush", help=_("send what is due (run it from cron)"))
    flush.add_argument("--now", type=moment, metavar="RFC3339")
    flush.add_argument("--json", action="store_true")
    flush.set_defaults(handler=run_flush)

    for name, handler, text in (
        ("pause", run_pause, _("freeze everything, or one account")),
        ("resume", run_resume, _("lift the freeze, or an account's pause")),
    ):
        sub = commands.add_parser(name, help=text)
        scope = sub.add_mutually_exclusive_group(required=True)
        scope.add_argument("--all", action="store_true")
        scope.add_argument("--account", metavar="ID")
        if name == "pause":
            sub.add_argument("--reason", default="", metavar="TEXT")
        sub.add_argument("--now", type=moment, metavar="RFC3339")
        sub.set_defaults(handler=handler)

    now = commands.add_parser("publish-now", help=_("send an approved draft right away"))
    now.add_argument("draft")
    now.add_argument("--allow-stale", action="store_true")
    now.add_argument("--now", type=moment, metavar="RFC3339")
    now.add_argument("--json", action="store_true")
    now.set_defaults(handler=run_publish_now)

    for name, handler, text in (
        ("retry", run_retry, _("send a failed, unknown or expired item again")),
        ("cancel", run_cancel, _("cancel an item that was not sent")),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("item", type=whole_number(MAX_ITEM_ID, least=1))
        sub.add_argument("--now", type=moment, metavar="RFC3339")
        sub.set_defaults(handler=handler)


def _clock(fixed: datetime | None):
    if fixed is not None:
        return lambda: fixed
    return lambda: datetime.now(UTC)


def run_schedule(args: argparse.Namespace, cli: Cli) -> int:
    if args.at is None:
        args.auto = True  # no time given: the tool picks the best one
    if args.all_approved and (args.draft or not args.auto):
        raise UserError(_("--all-approved goes with --auto and no DRAFT"),
                        hint="publisher schedule --auto --all-approved")
    if not args.all_approved and not args.draft:
        raise UserError(_("name the draft to schedule"),
                        hint=_("or use --auto --all-approved"))
    context = cli.context()
    now = _clock(args.now)()
    if args.auto:
        return _run_auto(cli, args, now)
    ids = queueing.schedule(context, args.draft, args.at, now=now, allow_stale=args.allow_stale)
    _print_items(cli, ids, args.json)
    return 0


def _run_auto(cli: Cli, args: argparse.Namespace, now: datetime) -> int:
    from publisher.services import scheduling

    if args.allow_stale:
        raise UserError(_("--allow-stale goes with --at only"))
    context = cli.context()
    if args.all_approved:
        drafts, broken = scheduling.approved_unqueued(context)
        report = scheduling.auto_schedule(context, drafts, now, strict=False)
        report.unplaced.update(broken)
    else:
        report = scheduling.auto_schedule(context, [args.draft], now)
    if args.json:
        cli.json({
            "score": round(report.score, 4),
            "placed": [_placed_json(p) for p in report.placed],
            "unplaced": report.unplaced,
        })
    else:
        for placed in report.placed:
            cli.print(_("Queued item {id}: {draft} on {account} ({locales}) at {utc} "
                        "({local}), score {score:.2f}: {why}").format(
                id=placed.item_id, draft=placed.draft_id, account=placed.account_id,
                locales="+".join(placed.locales), utc=placed.at.strftime("%Y-%m-%d %H:%M UTC"),
                local=format_datetime(placed.at, placed.local.tzinfo), score=placed.score,
                why=placed.why))
        if args.all_approved and not report.placed and not report.unplaced:
            cli.print(_("Nothing to place: no approved draft is waiting."))
    for draft_id, reason in report.unplaced.items():
        cli.err.write("publisher: " + _("not queued: {id}: {reason}").format(
            id=draft_id, reason=reason) + "\n")
    return 4 if report.unplaced else 0


def _placed_json(placed) -> dict:
    return {
        "item": placed.item_id, "draft": placed.draft_id, "account": placed.account_id,
        "locales": list(placed.locales), "due_utc": placed.at.isoformat(),
        "due_local": placed.local.isoformat(), "score": placed.score, "why": placed.why,
    }


def _print_items(cli: Cli, ids: list[int], as_json: bool) -> None:
    with queueing.open_queue(cli.context()) as queue:
        items = [queue.get(item_id) for item_id in ids]
    if as_json:
        cli.json([_item_json(item) for item in items])
        return
    for item in items:
        cli.print(_("Queued item {id}: {draft} on {account} ({locales}) at {due} [{state}]")
                  .format(id=item.id, draft=item.draft_id, account=item.account_id,
                          locales="+".join(item.locales), due=item.due_at.isoformat(),
                          state=_(item.state.value)))


def _item_json(item) -> dict:
    zone = ZoneInfo(item.timezone) if item.timezone else UTC
    return {
        "id": item.id,
        "draft": item.draft_id,
        "account": item.account_id,
        "platform": item.platform,
        "locales": list(item.locales),
        "due_utc": item.due_at.isoformat(),
        "due_local": item.due_at.astimezone(zone).isoformat(),
        "timezone": item.timezone,
        "state": item.state.value,
        "held_by": item.held_by,
        "attempts": item.attempts,
        "next_attempt": item.next_attempt_at.isoformat() if item.next_attempt_at else None,
        "error": item.last_error,
        "url": item.url,
    }


def run_queue(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    states = [State(args.state)] if args.state else None
    with queueing.open_queue(context) as queue:
        items = queue.items(states)
        pauses = queue.pauses()
        holds = queue.holds()
    if args.json:
        cli.json([_item_json(item) for item in items])
        return 0
    if "*" in pauses:
        cli.print(_("FROZEN since {since}: {reason} (publisher resume --all)").format(
            since=pauses["*"].since.isoformat(), reason=pauses["*"].reason or "-"))
    for account_id, hold in holds.items():
        if hold.kind == "auth":
            cli.print(_("{id}: held after an auth failure (publisher accounts set-secret {id}, "
                        "then publisher resume --account {id})").format(id=account_id))
    if not items:
        cli.print(_("The queue is empty."))
        return 0
    rows = []
    for item in items:
        zone = ZoneInfo(item.timezone) if item.timezone else UTC
        rows.append([
            item.id, item.draft_id, item.account_id, "+".join(item.locales),
            item.due_at.strftime("%Y-%m-%d %H:%M UTC"), format_datetime(item.due_at, zone),
            _(item.state.value), item.attempts, (item.last_error or "")[:60], item.url or "",
        ])
    cli.table([_("ID"), _("DRAFT"), _("ACCOUNT"), _("LOCALE"), _("DUE (UTC)"), _("DUE (LOCAL)"),
               _("STATE"), _("TRIES"), _("ERROR"), _("URL")], rows)
    return 0


def _report(cli: Cli, report: flushing.FlushReport, as_json: bool) -> int:
    if as_json:
        cli.json({
            "exit_code": report.exit_code,
            "outcomes": [
                {"item": o.item.id, "draft": o.item.draft_id, "account": o.item.account_id,
                 "locales": list(o.item.locales), "state": o.state.value, "detail": o.detail,
                 "url": o.url, "needs_person": o in report.needs_person}
                for o in report.outcomes
            ],
            "token_warnings": report.token_warnings,
        })
        return report.exit_code
    for warning in report.new_token_warnings:
        cli.warn(warning)
    for outcome in report.outcomes:
        line = _("item {id} ({draft} on {account}, {locales}): {state}: {detail}").format(
            id=outcome.item.id, draft=outcome.item.draft_id, account=outcome.item.account_id,
            locales="+".join(outcome.item.locales), state=_(outcome.state.value),
            detail=outcome.detail)
        if outcome in report.needs_person or outcome.state == State.RETRY:
            cli.err.write(f"publisher: {line}\n")
        elif cli.verbose:
            cli.print(line + (f" {outcome.url}" if outcome.url else ""))
    return report.exit_code


def run_flush(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    try:
        report = flushing.flush(context, clock=_clock(args.now))
    except Locked:
        if args.json:  # --json always answers in JSON, even when nothing was done
            cli.json({"exit_code": EXIT_LOCKED, "locked": True, "outcomes": [],
                      "token_warnings": []})
        elif cli.verbose:
            cli.warn(_("another flush is running; nothing done"))
        return EXIT_LOCKED
    return _report(cli, report, args.json)


def run_publish_now(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    clock = _clock(args.now)
    ids = queueing.schedule(context, args.draft, clock(), now=clock(),
                            allow_stale=args.allow_stale, check_window=False)
    try:
        report = flushing.flush(context, clock=clock, only=set(ids))
    except Locked:
        if args.json:
            cli.json({"exit_code": EXIT_LOCKED, "locked": True, "queued": ids, "outcomes": [],
                      "token_warnings": []})
        cli.warn(_("a flush is running; the items are queued and go out with the next one"))
        return EXIT_LOCKED
    with queueing.open_queue(context) as queue:
        held = [item_id for item_id in ids if queue.get(item_id).state == State.HELD]
    if held:
        cli.warn(_("held by a pause: items {ids}; they go out when resumed").format(
            ids=", ".join(map(str, held))))
    code = _report(cli, report, args.json)
    if not args.json:
        for outcome in report.of(State.SENT):
            cli.print(_("Published {draft} on {account} ({locales}): {url}").format(
                draft=outcome.item.draft_id, account=outcome.item.account_id,
                locales="+".join(outcome.item.locales), url=outcome.url or "-"))
    return code or (4 if held else 0)


def run_pause(args: argparse.Namespace, cli: Cli) -> int:
    now = _clock(args.now)()
    count = queueing.pause(cli.context(), None if args.all else args.account, args.reason, now)
    what = _("everything") if args.all else args.account
    cli.print(_("Paused {what}; {count} item(s) held").format(what=what, count=count))
    return 0


def run_resume(args: argparse.Namespace, cli: Cli) -> int:
    now = _clock(args.now)()
    count = queueing.resume(cli.context(), None if args.all else args.account, now)
    what = _("everything") if args.all else args.account
    cli.print(_("Resumed {what}; {count} item(s) back in the queue").format(
        what=what, count=count))
    return 0


def run_retry(args: argparse.Namespace, cli: Cli) -> int:
    queueing.retry_item(cli.context(), args.item, _clock(args.now)())
    cli.print(_("Item {id} is queued again").format(id=args.item))
    return 0


def run_cancel(args: argparse.Namespace, cli: Cli) -> int:
    queueing.cancel_item(cli.context(), args.item, _clock(args.now)())
    cli.print(_("Item {id} cancelled").format(id=args.item))
    return 0


__all__ = ["UserError", "register"]
