"""``publisher retract | correct | resolve``: the crisis kit's queue steps.

Retract and correct print their plan, then act once confirmed (y/N on a terminal,
``--yes`` in scripts); the exit code says what is left, as the flush's does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from publisher.cli.common import MAX_ITEM_ID, Cli, whole_number
from publisher.cli.queue import moment
from publisher.domain.corrections import How, Step
from publisher.domain.errors import UserError
from publisher.domain.queue import State
from publisher.i18n import _
from publisher.services import corrections

EXIT_NOT_CONFIRMED = 2


def register(commands: argparse._SubParsersAction) -> None:
    retract = commands.add_parser(
        "retract", help=_("remove a draft's published posts everywhere (or on one account)"))
    retract.add_argument("draft")
    retract.add_argument("--account", metavar="ID")
    retract.add_argument("--reason", default="", metavar="TEXT")
    _common(retract)
    retract.set_defaults(handler=run_retract)

    correct = commands.add_parser(
        "correct", help=_("bring a draft's published posts to its new, approved text"))
    correct.add_argument("draft")
    correct.add_argument("--how", action="append", default=[], metavar="ACCOUNT=WAY",
                         help=_("edit, repost or reply on that account (default: edit where "
                                "the platform can, else repost, else reply)"))
    _common(correct)
    correct.set_defaults(handler=run_correct)

    resolve = commands.add_parser(
        "resolve", help=_("say whether an unknown item went out"))
    resolve.add_argument("item", type=whole_number(MAX_ITEM_ID, least=1))
    fate = resolve.add_mutually_exclusive_group(required=True)
    fate.add_argument("--posted", metavar="URL", help=_("it went out, at this URL"))
    fate.add_argument("--not-posted", action="store_true",
                      help=_("it did not go out: send it again"))
    resolve.add_argument("--now", type=moment, metavar="RFC3339")
    resolve.set_defaults(handler=run_resolve)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", action="store_true", help=_("act without asking"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--now", type=moment, metavar="RFC3339")


def _clock(fixed: datetime | None) -> Callable[[], datetime]:
    if fixed is not None:
        return lambda: fixed
    return lambda: datetime.now(UTC)


def run_retract(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    clock = _clock(args.now)
    plan = corrections.plan_retract(context, args.draft, account=args.account,
                                    reason=args.reason, clock=clock)
    return _confirm_and_act(cli, args, plan, clock)


def run_correct(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    clock = _clock(args.now)
    how = dict(parse_how(text) for text in args.how)
    plan = corrections.plan_correct(context, args.draft, how=how, clock=clock)
    return _confirm_and_act(cli, args, plan, clock)


def parse_how(text: str) -> tuple[str, How]:
    """``ACCOUNT=edit|repost|reply`` as given to ``--how``."""
    account, sep, way = (part.strip() for part in text.partition("="))
    if not sep or not account:
        raise UserError(_("--how {text!r}: give ACCOUNT=edit|repost|reply").format(text=text))
    try:
        return account, How(way.lower())
    except ValueError:
        raise UserError(_("--how {text!r}: {way!r} is not edit, repost or reply").format(
            text=text, way=way)) from None


def _confirm_and_act(cli: Cli, args: argparse.Namespace, plan: corrections.Plan,
                     clock: Callable[[], datetime]) -> int:
    if not args.json:
        _print_plan(cli, plan)
    if not args.yes:
        if not _on_terminal():
            if args.json:
                cli.json({"plan": [_step_json(s) for s in plan.steps], "outcome": [],
                          "exit_code": EXIT_NOT_CONFIRMED})
            raise UserError(_("nothing done: pass --yes to act without a terminal"),
                            hint=_("the plan is printed above"))
        if not _confirmed(cli):
            cli.print(_("Nothing done."))
            return 0
    done = corrections.act(cli.context(), plan, clock=clock,
                           who=corrections.login_name())
    if args.json:
        cli.json({"plan": [_step_json(s) for s in plan.steps],
                  "outcome": [_outcome_json(o) for o in done.outcomes],
                  "locked": done.locked, "exit_code": done.exit_code})
        return done.exit_code
    _print_outcome(cli, done)
    return done.exit_code


def _on_terminal() -> bool:
    return sys.stdin.isatty()


def _confirmed(cli: Cli) -> bool:
    """y/N on a terminal; never without one (a script says --yes)."""
    if not _on_terminal():
        return False
    cli.out.write(_("Do it? [y/N] "))
    cli.out.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes", _("y"), _("yes"))


_ACTION_NAMES = {
    Step.DELETE: lambda: _("delete"), Step.EDIT: lambda: _("edit"),
    Step.REPOST: lambda: _("repost"), Step.REPLY: lambda: _("reply"),
    Step.CANNOT: lambda: _("CANNOT"), Step.CANCEL: lambda: _("cancel"),
}


def _print_plan(cli: Cli, plan: corrections.Plan) -> None:
    title = _("Correcting {id}:") if plan.correction else _("Retracting {id}:")
    cli.print(title.format(id=plan.draft_id))
    rows = [[step.account, "+".join(step.locales), step.part, step.item,
             _ACTION_NAMES[step.action](), step.why, step.url or ""] for step in plan.steps]
    cli.table([_("ACCOUNT"), _("LOCALE"), _("PART"), _("ITEM"), _("DO"), _("WHY"),
               _("URL")], rows)
    for step in plan.cannot:
        cli.err.write("publisher: " + _(
            "cannot on {account} ({locales}, {part}): {why}; do it by hand at {url}").format(
            account=step.account, locales="+".join(step.locales), part=step.part,
            why=step.why or "-", url=step.url or "-") + "\n")


def _print_outcome(cli: Cli, done: corrections.Done) -> None:
    if done.locked:
        cli.warn(_("a flush is running; the steps are queued and run with the next one"))
    for outcome in done.outcomes:
        line = _("item {id} ({action} on {account}, {locales}, {part}): {state}").format(
            id=outcome.item, action=_(outcome.action), account=outcome.account,
            locales="+".join(outcome.locales), part=outcome.part,
            state=_state(outcome))
        if outcome.detail and outcome.state != State.SENT:
            line += f": {outcome.detail}"
        if outcome.state in (State.SENT, State.CANCELLED):
            cli.print(line + (f" {outcome.url}" if outcome.url else ""))
        else:
            cli.err.write(f"publisher: {line}\n")


def _state(outcome: corrections.StepOutcome) -> str:
    """A deletion or an edit that is ``sent`` is done: nothing new went out."""
    if outcome.state == State.SENT and outcome.action in ("delete", "edit"):
        return _("done")
    return _(outcome.state.value)


def _step_json(step: corrections.PlanStep) -> dict:
    return {"account": step.account, "locale": "+".join(step.locales), "part": step.part,
            "item": step.item, "action": str(step.action), "why": step.why, "url": step.url}


def _outcome_json(outcome: corrections.StepOutcome) -> dict:
    return {"item": outcome.item, "action": outcome.action, "target": outcome.target,
            "account": outcome.account, "locale": "+".join(outcome.locales),
            "part": outcome.part, "state": outcome.state.value, "detail": outcome.detail,
            "url": outcome.url}


def run_resolve(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    clock = _clock(args.now)
    who = corrections.login_name()
    if args.not_posted:
        corrections.resolve_not_posted(context, args.item, who=who, now=clock())
        cli.print(_("Item {id} is queued again: {who} said it did not go out").format(
            id=args.item, who=who))
        return 0
    resolved = corrections.resolve_posted(context, args.item, args.posted, who=who,
                                          clock=clock)
    if resolved.confirmed:
        cli.print(_("Item {id} is sent, at {url}: the platform confirmed it").format(
            id=args.item, url=resolved.item.url))
    else:
        cli.print(_("Item {id} is sent, at {url}, on {who}'s word: the platform could not "
                    "confirm it").format(id=args.item, url=resolved.item.url, who=who))
    return 0
