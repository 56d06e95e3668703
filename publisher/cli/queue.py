"""``publisher schedule | queue | flush | pause | resume | publish-now | retry | cancel |
backup``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher.cli.common import MAX_ITEM_ID, Cli, notice_line, stopped_line, whole_number
from publisher.cli.remedies import advice, command, with_advice
from publisher.domain.errors import UserError
from publisher.domain.moments import EARLIEST, LATEST
from publisher.domain.queue import State
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _, format_datetime, ngettext
from publisher.services import flush as flushing
from publisher.services import queue_file, queueing
from publisher.services.people import login_name
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
    schedule.add_argument("--again", action="store_true",
                          help=_("also on accounts it was already published on"))
    schedule.add_argument("--json", action="store_true")
    schedule.set_defaults(handler=run_schedule)

    queue = commands.add_parser("queue", help=_("list queue items"))
    queue.add_argument("--state", choices=[str(s) for s in State], metavar="S")
    output = queue.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true")
    output.add_argument("--ical", action="store_true",
                        help=_("the posts as an iCalendar feed (RFC 5545) for calendars"))
    queue.add_argument("--out", type=Path, metavar="FILE",
                       help=_("with --ical: write the feed to FILE"))
    queue.set_defaults(handler=run_queue)
    queue_commands = queue.add_subparsers(dest="queue_command", metavar="COMMAND",
                                          parser_class=type(queue))
    reset = queue_commands.add_parser(
        "reset", help=_("start an empty queue on purpose (the old file is kept)"))
    reset.add_argument("--yes", action="store_true")
    reset.add_argument("--now", type=moment, metavar="RFC3339")
    reset.set_defaults(handler=run_queue_reset)

    backup = commands.add_parser(
        "backup", help=_("copy the queue and the journal (safe while cron runs)"))
    backup.add_argument("--out", type=Path, metavar="FILE")
    backup.add_argument("--now", type=moment, metavar="RFC3339")
    backup.set_defaults(handler=run_backup)

    flush = commands.add_parser("flush", help=_("send what is due (run it from cron)"))
    flush.add_argument("--now", type=moment, metavar="RFC3339")
    flush.add_argument("--json", action="store_true")
    flush.add_argument(
        "--time-limit", type=whole_number(flushing.MAX_RUN_SECONDS), metavar="SECONDS",
        default=int(flushing.Deadlines().run),
        help=_("claim no new item after this many seconds; the rest wait for the next run "
               "(default %(default)s, at most {most})").format(most=flushing.MAX_RUN_SECONDS))
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
    now.add_argument("--again", action="store_true",
                     help=_("also on accounts it was already published on"))
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
    if args.all_approved and args.again:
        raise UserError(_("--again goes with one DRAFT, not --all-approved"),
                        hint=_("publishing everything again is never one command"))
    context = cli.context()
    now = _clock(args.now)()
    if args.draft:  # subtitles that cannot be read stop it before anything is queued
        _warn_subtitles(cli, args.draft)
    if args.auto:
        return _run_auto(cli, args, now)
    ids = queueing.schedule(context, args.draft, args.at, now=now, allow_stale=args.allow_stale,
                            again=args.again, warn=cli.warn, actor=login_name())
    _print_items(cli, ids, args.json)
    _warn_unsupported(cli, [args.draft])
    return 0


def _warn_subtitles(cli: Cli, draft_id: str) -> None:
    from publisher.services import subtitles

    context = cli.context()
    for warning in subtitles.check_for_scheduling(context, context.drafts.load(draft_id).draft):
        cli.warn(warning)


def _warn_unsupported(cli: Cli, draft_ids: list[str]) -> None:
    """What the queued drafts ask that a platform does not do (on stderr)."""
    context = cli.context()
    for draft_id in draft_ids:
        for warning in queueing.plan_warnings(context, context.drafts.load(draft_id).draft):
            cli.warn(warning)


def _run_auto(cli: Cli, args: argparse.Namespace, now: datetime) -> int:
    from publisher.services import scheduling

    if args.allow_stale:
        raise UserError(_("--allow-stale goes with --at only"))
    context = cli.context()
    if args.all_approved:
        drafts, broken = scheduling.approved_unqueued(context)
        report = scheduling.auto_schedule(context, drafts, now, strict=False, warn=cli.warn,
                                          by=login_name())
        report.unplaced.update(broken)
    else:
        report = scheduling.auto_schedule(context, [args.draft], now, again=args.again,
                                          by=login_name(),
                                          warn=cli.warn)
    unplaced = {draft_id: with_advice(reason, None, report.remedies.get(draft_id))
                for draft_id, reason in report.unplaced.items()}
    skipped = {draft_id: with_advice(reason, None, report.remedies.get(draft_id))
               for draft_id, reason in report.skipped.items()}
    if args.json:
        cli.json({
            "score": round(report.score, 4),
            "placed": [_placed_json(p) for p in report.placed],
            "unplaced": unplaced,
            "skipped": skipped,
        })
    else:
        for placed in report.placed:
            cli.print(_("Queued item {id}: {draft} on {account} ({locales}) at {utc} "
                        "({local}), score {score:.2f}: {why}").format(
                id=placed.item_id, draft=placed.draft_id, account=placed.account_id,
                locales="+".join(placed.locales), utc=placed.at.strftime("%Y-%m-%d %H:%M UTC"),
                local=format_datetime(placed.at, placed.local.tzinfo), score=placed.score,
                why=placed.why))
        for reason in skipped.values():
            cli.print(_("Skipped: {reason}").format(reason=reason))
        if args.all_approved and not report.placed and not report.unplaced \
                and not report.skipped:
            cli.print(_("Nothing to place: no approved draft is waiting."))
    for draft_id, reason in unplaced.items():
        cli.err.write("publisher: " + _("not queued: {id}: {reason}").format(
            id=draft_id, reason=reason) + "\n")
    _warn_unsupported(cli, sorted({placed.draft_id for placed in report.placed}))
    return 4 if report.unplaced else 0


def _placed_json(placed) -> dict:
    return {
        "item": placed.item_id, "draft": placed.draft_id, "account": placed.account_id,
        "locales": list(placed.locales), "due_utc": placed.at.isoformat(),
        "due_local": placed.local.isoformat(), "score": placed.score, "why": placed.why,
    }


def _print_items(cli: Cli, ids: list[int], as_json: bool) -> None:
    with queueing.open_queue(cli.context()) as queue:
        items = [item for item_id in ids if (item := queue.get(item_id)) is not None]
    if as_json:
        cli.json([_item_json(item) for item in items])
        return
    for item in items:
        cli.print(_("Queued item {id}: {draft} on {account} ({locales}) at {due} [{state}]")
                  .format(id=item.id, draft=item.draft_id, account=item.account_id,
                          locales=_locales_and_part(item), due=item.due_at.isoformat(),
                          state=_(item.state.value)))


def _locales_and_part(item) -> str:
    """The item's locales, and which part of its post it is when it is one of several;
    for a step of the crisis kit, what it does to which item."""
    where = queueing.locales_and_part(item, item.locales)
    if item.is_step:
        return _("{where}: {action} item {id}").format(
            where=where, action=_(item.action.value), id=item.target)
    return where


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
        "fix": _fix_of(queueing.item_remedy(item)),
        "url": item.url,
        "part": _part_json(item),
        # post, or a deletion or an edit of the sent item target (or the item a
        # repost or a correction reply corrects)
        "action": item.action.value,
        "target": item.target,
        # The link card read when it was scheduled (its image under media/.cards/).
        "card": {"url": item.card.url, "title": item.card.title,
                 "image": item.card.image} if item.card else None,
    }


def _part_json(item) -> dict:
    """Where the item stands in its post's chain (a post alone: kind post, 1 of 1)."""
    return {
        "kind": str(item.part_kind), "number": item.part_no, "thread_parts": item.thread_parts,
        "chain_of": item.chain_of, "after": item.after, "label": queueing.part_label(item),
        "options": item.options.given(), "content_warning": item.content_warning,
    }


def _fix_of(remedy: Remedy | None) -> str | None:
    """The command that fixes it, for --json (None where nothing does)."""
    return command(remedy) if remedy else None


def run_queue(args: argparse.Namespace, cli: Cli) -> int:
    states = [State(args.state)] if args.state else None
    if args.out is not None and not args.ical:
        raise UserError(_("--out goes with --ical"), hint="publisher queue --ical --out FILE")
    if args.ical:
        return _run_ical(cli, states, args.out)
    overview = queueing.queue_overview(cli.context(), states=states, include_final=True)
    items = overview.items
    if args.json:
        cli.json([_item_json(item) for item in items])
        return 0
    if overview.freeze is not None:
        cli.print(_("FROZEN since {since}: {reason} ({command})").format(
            since=overview.freeze.since.isoformat(), reason=overview.freeze.reason or "-",
            command=command(Remedy(Fix.RESUME_ALL))))
    for stopped in overview.stopped:
        cli.print(stopped_line(stopped))
    if not items:
        cli.print(_("The queue is empty."))
        return 0
    rows = []
    for item in items:
        zone = ZoneInfo(item.timezone) if item.timezone else UTC
        rows.append([
            item.id, item.draft_id, item.account_id, _locales_and_part(item),
            item.due_at.strftime("%Y-%m-%d %H:%M UTC"), format_datetime(item.due_at, zone),
            _(item.state.value), item.attempts, (item.last_error or "")[:60], item.url or "",
        ])
    cli.table([_("ID"), _("DRAFT"), _("ACCOUNT"), _("LOCALE"), _("DUE (UTC)"), _("DUE (LOCAL)"),
               _("STATE"), _("TRIES"), _("ERROR"), _("URL")], rows)
    return 0


def _run_ical(cli: Cli, states: list[State] | None, out: Path | None) -> int:
    from publisher.services.queue_ical import queue_calendar

    context = cli.context()
    feed = queue_calendar(context, states)
    if out is None:
        cli.out.write(feed.decode("utf-8"))
    else:
        context.workspace.write_output(out, feed)
    return 0


def _report(cli: Cli, report: flushing.FlushReport, as_json: bool,
            extra: dict | None = None) -> int:
    """Print a flush's report (``extra``: more keys for --json, e.g. the draft made)."""
    if as_json:
        cli.json({
            **(extra or {}),
            "exit_code": report.exit_code,
            "outcomes": [
                {"item": o.item.id, "draft": o.item.draft_id, "account": o.item.account_id,
                 "locales": list(o.item.locales), "state": o.state.value, "detail": o.detail,
                 "fix": _fix_of(o.remedy), "url": o.url, "needs_person": o.needs_person}
                for o in report.outcomes
            ],
            "token_warnings": [notice_line(n) for n in report.token_warnings],
            "left_for_next_run": [item.id for item in report.left_for_next_run],
        })
        return report.exit_code
    for warning in report.new_token_warnings:
        cli.warn(notice_line(warning))
    for outcome in report.outcomes:
        detail = outcome.detail
        if outcome.remedy:
            detail = f"{detail}; {advice(outcome.remedy)}"
        line = _("item {id} ({draft} on {account}, {locales}): {state}: {detail}").format(
            id=outcome.item.id, draft=outcome.item.draft_id, account=outcome.item.account_id,
            locales=_locales_and_part(outcome.item), state=_(outcome.state.value),
            detail=detail)
        if outcome.needs_person or outcome.state == State.RETRY:
            cli.err.write(f"publisher: {line}\n")
        elif cli.verbose:
            cli.print(line + (f" {outcome.url}" if outcome.url else ""))
    if report.left_for_next_run:
        cli.warn(ngettext("out of time for this run: {count} due item left for the next flush",
                          "out of time for this run: {count} due items left for the next flush",
                          len(report.left_for_next_run))
                 .format(count=len(report.left_for_next_run)))
    return report.exit_code


def run_flush(args: argparse.Namespace, cli: Cli) -> int:
    if args.time_limit < 1:
        raise UserError(_("--time-limit must be at least 1 second"))
    context = cli.context()
    try:
        report = flushing.flush(context, clock=_clock(args.now),
                                deadlines=flushing.Deadlines(run=args.time_limit))
    except Locked as locked:
        return _locked(cli, locked, _clock(args.now)(), args.json)
    return _report(cli, report, args.json)


def _locked(cli: Cli, locked: Locked, now: datetime, as_json: bool) -> int:
    """Another flush holds the lock: silent (cron), unless it has held it too long."""
    holder = locked.holder
    too_long = flushing.held_too_long(locked, now)
    if as_json:  # --json always answers in JSON, even when nothing was done
        cli.json({
            "exit_code": EXIT_LOCKED, "locked": True, "outcomes": [], "token_warnings": [],
            "holder": None if holder is None else {
                "pid": holder.pid, "host": holder.host,
                "since": holder.since.isoformat() if holder.since else None},
            "held_too_long": too_long,
        })
    elif too_long and holder is not None and holder.since is not None:
        cli.warn(_("another flush (PID {pid} on {host}) has held the lock since {since}, longer "
                   "than the {minutes}-minute lease; nothing done (if that process hangs, "
                   "stop it: the next flush picks up its items)").format(
            pid=holder.pid, host=holder.host or "?",
            since=holder.since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            minutes=int(flushing.LEASE.total_seconds() // 60)))
    elif cli.verbose:
        cli.warn(_("another flush is running; nothing done"))
    return EXIT_LOCKED


def run_publish_now(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    clock = _clock(args.now)
    ids = queueing.schedule(context, args.draft, clock(), now=clock(),
                            allow_stale=args.allow_stale, check_window=False, again=args.again,
                            warn=cli.warn, actor=login_name())
    return publish_items_now(cli, args.draft, ids, clock, args.json)


def publish_items_now(cli: Cli, draft_id: str, ids: list[int], clock, as_json: bool,
                      extra: dict | None = None) -> int:
    """publish-now once its draft is queued for now: flush those items alone and say what
    went out (``crisis use --now`` sends this way too; ``extra``: more keys for --json)."""
    context = cli.context()
    _warn_unsupported(cli, [draft_id])
    try:
        report = flushing.flush(context, clock=clock, only=set(ids), actor=login_name())
    except Locked:
        if as_json:
            cli.json({**(extra or {}), "exit_code": EXIT_LOCKED, "locked": True, "queued": ids,
                      "outcomes": [], "token_warnings": []})
        cli.warn(_("a flush is running; the items are queued and go out with the next one"))
        return EXIT_LOCKED
    with queueing.open_queue(context) as queue:
        held = [item_id for item_id in ids
                if (item := queue.get(item_id)) is not None and item.state == State.HELD]
    if held:
        cli.warn(_("held by a pause: items {ids}; they go out when resumed").format(
            ids=", ".join(map(str, held))))
    code = _report(cli, report, as_json, extra)
    if not as_json:
        for outcome in report.of(State.SENT):
            cli.print(_("Published {draft} on {account} ({locales}): {url}").format(
                draft=outcome.item.draft_id, account=outcome.item.account_id,
                locales=_locales_and_part(outcome.item), url=outcome.url or "-"))
    return code or (4 if held else 0)


def run_queue_reset(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    if not args.yes:
        raise UserError(
            _("this replaces the send queue with an empty one"),
            where=context.workspace.relative(context.workspace.queue_path),
            hint=_("items not sent yet are dropped and the old file is kept in backups/; "
                   "what was published stays in the journal; add --yes"),
        )
    reset = queue_file.reset_queue(context, _clock(args.now)())
    if reset.kept:
        cli.print(_("The old queue is kept as {file}.").format(
            file=context.workspace.relative(reset.kept)))
    cli.print(ngettext(
        "Started an empty queue. {count} published post stays in the journal and "
        "is not posted again without --again.",
        "Started an empty queue. {count} published posts stay in the journal and "
        "are not posted again without --again.", reset.published).format(count=reset.published))
    return 0


def run_backup(args: argparse.Namespace, cli: Cli) -> int:
    done = queue_file.backup(cli.context(), args.out, _clock(args.now)())
    cli.print(_("Backed up the queue to {queue} and the journal to {journal}").format(
        queue=done.queue, journal=done.journal))
    return 0


def run_pause(args: argparse.Namespace, cli: Cli) -> int:
    now = _clock(args.now)()
    count = queueing.pause(cli.context(), None if args.all else args.account, args.reason, now,
                           by=login_name())
    what = _("everything") if args.all else args.account
    cli.print(ngettext("Paused {what}; {count} item held",
                       "Paused {what}; {count} items held", count).format(what=what, count=count))
    return 0


def run_resume(args: argparse.Namespace, cli: Cli) -> int:
    now = _clock(args.now)()
    count = queueing.resume(cli.context(), None if args.all else args.account, now,
                            by=login_name())
    what = _("everything") if args.all else args.account
    cli.print(ngettext("Resumed {what}; {count} item back in the queue",
                       "Resumed {what}; {count} items back in the queue", count).format(
        what=what, count=count))
    return 0


def run_retry(args: argparse.Namespace, cli: Cli) -> int:
    queueing.retry_item(cli.context(), args.item, _clock(args.now)(), by=login_name())
    cli.print(_("Item {id} is queued again").format(id=args.item))
    return 0


def run_cancel(args: argparse.Namespace, cli: Cli) -> int:
    queueing.cancel_item(cli.context(), args.item, _clock(args.now)(), by=login_name())
    cli.print(_("Item {id} cancelled").format(id=args.item))
    return 0


__all__ = ["UserError", "register"]
