"""``publisher drafts list | show | new | validate | approve | check``."""

from __future__ import annotations

import argparse
import re

from publisher.cli.common import Cli
from publisher.cli.queue import moment
from publisher.cli.remedies import describe
from publisher.domain.drafts import Draft
from publisher.domain.errors import UserError
from publisher.domain.locales import normalize_locale
from publisher.i18n import _, ngettext
from publisher.services import drafts as service
from publisher.services import queueing, subtitles
from publisher.services.context import Context
from publisher.services.people import login_name

# What --step takes: a step name ([a-z][a-z0-9_-]*) or a language tag (sr-Latn).
STEP_ARGUMENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")


def register(commands: argparse._SubParsersAction) -> None:
    drafts = commands.add_parser("drafts", help=_("write, check and approve drafts"))
    sub = drafts.add_subparsers(dest="drafts_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help=_("every draft with its translation state"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)

    show = sub.add_parser("show", help=_("one draft, or one of its locales"))
    show.add_argument("id")
    show.add_argument("--locale", metavar="L", help=_("sq, en, sr or sr-Latn"))
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    new = sub.add_parser("new", help=_("write a new draft skeleton"))
    new.add_argument("id", help=_("the file name without .toml, e.g. flag-day-2026"))
    new.add_argument("--source", metavar="L", help=_("the locale it is written in first"))
    new.add_argument("--title", default="")
    new.add_argument("--now", type=moment, metavar="RFC3339")
    new.set_defaults(handler=run_new)

    validate = sub.add_parser("validate", help=_("check every draft file"))
    validate.set_defaults(handler=run_validate)

    approve = sub.add_parser("approve", help=_("approve a draft (one step) for the queue, "
                                               "as you"))
    approve.add_argument("id")
    approve.add_argument("--step", type=step_name, metavar="NAME",
                         help=_("the approval step you take (default: the next one you may)"))
    approve.add_argument("--now", type=moment, metavar="RFC3339")
    approve.set_defaults(handler=run_approve)

    check = sub.add_parser("check", help=_("what one language has and another lacks"))
    check.add_argument("id", nargs="?")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=run_check)


def _report_broken(cli: Cli, errors: list) -> None:
    for error in errors:
        cli.error(describe(error))


def print_overview(cli: Cli) -> int:
    summaries, errors = service.list_drafts(cli.context())
    rows = []
    for summary in summaries:
        draft = summary.draft
        states = " ".join(f"{tag}:{state.value}" for tag, state in summary.states.items())
        title = _("{title} [template]").format(title=draft.title) if draft.template \
            else draft.title
        rows.append([draft.id, title, _("yes") if draft.approved else _("no"), states])
    if rows:
        cli.table([_("DRAFT"), _("TITLE"), _("APPROVED"), _("LOCALES")], rows)
    else:
        cli.print(_("No drafts yet. Write one with 'publisher drafts new ID'."))
    _report_broken(cli, errors)
    return 2 if errors else 0


def run_list(args: argparse.Namespace, cli: Cli) -> int:
    if not args.json:
        return print_overview(cli)
    summaries, errors = service.list_drafts(cli.context())
    cli.json({
        "drafts": [
            {
                **_draft_json(summary.draft),
                "states": {tag: state.value for tag, state in summary.states.items()},
            }
            for summary in summaries
        ],
        "errors": [describe(error) for error in errors],
    })
    return 2 if errors else 0


def _draft_json(draft: Draft) -> dict:
    return {
        "id": draft.id,
        "title": draft.title,
        "campaign": draft.campaign,
        "source": draft.source,
        "accounts": list(draft.accounts),
        "not_before": draft.not_before.isoformat() if draft.not_before else None,
        "deadline": draft.deadline.isoformat() if draft.deadline else None,
        "approved": draft.approved,
        "template": draft.template,  # a holding statement: filled by crisis use, never sent
    }


def _approvals_json(context: Context, draft: Draft) -> dict:
    """The approvals that stand (step, by, at, fingerprint), the steps still pending,
    and who created and last changed the draft through the tool."""
    from publisher.services import approvals

    state = approvals.clearance(context, draft)
    made = approvals.authorship(context, draft.id)
    return {
        "approved": state.cleared,
        "approvals": [{"step": record.step, "by": record.by, "at": record.at.isoformat(),
                       "fingerprint": record.fingerprint} for record in state.approvals],
        "pending_steps": state.pending,
        "approved_by_file": state.by_file,
        "authorship": {
            "created_by": made.created.by if made.created else None,
            "created_at": made.created.at.isoformat() if made.created else None,
            "changed": {tag: {"by": touch.by, "at": touch.at.isoformat()}
                        for tag, touch in sorted(made.changed.items())},
        },
    }


def _parts_json(draft: Draft, locale: str) -> dict:
    """A variant's thread, first comment, content warning and accounts' own texts."""
    variant = draft.variant(locale)
    own = {}
    for account_id in draft.accounts:
        text = draft.own_text(locale, account_id)
        if text is not None:
            own[account_id] = {"text": text.text, "thread": list(text.thread),
                               "first_comment": text.first_comment,
                               "from_source": text.from_source,
                               "state": draft.own_state(locale, account_id).value}
    return {
        "thread": list(variant.thread) if variant else [],
        "first_comment": variant.first_comment if variant else "",
        "content_warning": variant.content_warning if variant else "",
        "accounts": own,
    }


def run_show(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    loaded = context.drafts.load(args.id)
    draft = loaded.draft
    locales = [normalize_locale(args.locale)] if args.locale else service.locales_of(context, draft)
    variants = {}
    for tag in locales:
        variant = draft.variant(tag)
        variants[tag] = {
            "text": variant.text if variant else None,
            "state": draft.state(tag).value,
            "derived": bool(variant and variant.derived),
            "from_source": variant.from_source if variant else None,
        }
    if args.json:
        media = [{"file": m.file, "alt": dict(m.alt)} for m in draft.media]
        for tag in locales:
            variants[tag].update(_parts_json(draft, tag))
        cli.json({**_draft_json(draft), **_approvals_json(context, draft),
                  "variants": variants, "media": media,
                  "options": {"visibility": draft.options.visibility,
                              "silent": draft.options.silent, "pin": draft.options.pin},
                  "link_card": draft.link_card})
        return 0
    if args.locale:
        text = variants[locales[0]]["text"]
        if text is None:
            cli.error(_("{id} has no {locale} variant yet").format(id=draft.id, locale=locales[0]))
            return 2
        cli.print(str(text))
        return 0
    _print_draft(cli, draft, variants)
    return 0


def _print_draft(cli: Cli, draft: Draft, variants: dict) -> None:
    cli.print(f"{draft.id}: {draft.title}")
    if draft.campaign:
        cli.print(_("campaign: #{name}").format(name=draft.campaign))
    cli.print(_("accounts: {ids}").format(ids=", ".join(draft.accounts) or "-"))
    if draft.not_before:
        cli.print(_("not before: {at}").format(at=draft.not_before.isoformat()))
    if draft.deadline:
        cli.print(_("deadline: {at}").format(at=draft.deadline.isoformat()))
    from publisher.services import approvals

    state = approvals.clearance(cli.context(), draft)
    cli.print(_("approved: {yes}").format(yes=_("yes") if state.cleared else _("no")))
    for record in state.approvals:
        cli.print("  " + _("{step}: {login}, {at}").format(
            step=record.step, login=record.by, at=record.at.isoformat()))
    if state.pending:
        cli.print("  " + _("waiting for: {steps}").format(steps=", ".join(state.pending)))
    for tag, info in variants.items():
        note = _(" (source)") if tag == draft.source else ""
        if info["derived"]:
            note += _(" (derived from sr)")
        cli.print(f"\n[{tag}] {info['state']}{note}")
        cli.print(info["text"] or "-")
    for media in draft.media:
        cli.print("\n" + _("media: {file}").format(file=media.file))
        for tag, alt in media.alt.items():
            cli.print(f"  alt.{tag}: {alt}")
        if media.is_video and media.subtitles:
            for status in subtitles.subtitle_states(cli.context(), draft, list(variants)):
                if status.media == media.file:
                    cli.print(f"  subtitles.{status.locale}: "
                              + subtitles.describe_status(status))


def run_new(args: argparse.Namespace, cli: Cli) -> int:
    path = service.new_draft(cli.context(), args.id, args.source, args.title,
                             by=login_name(), now=args.now)
    cli.print(_("Wrote {path}").format(path=path))
    return 0


def run_validate(args: argparse.Namespace, cli: Cli) -> int:
    good, errors = service.validate_drafts(cli.context())
    _report_broken(cli, errors)
    for loaded in good:
        for warning in queueing.plan_warnings(cli.context(), loaded.draft):
            cli.warn(warning)
        for warning in subtitles.subtitle_warnings(cli.context(), loaded.draft):
            cli.warn(warning)
    if errors:
        return 2
    if cli.verbose:
        cli.print(ngettext("{count} draft is valid", "{count} drafts are valid",
                           len(good)).format(count=len(good)))
    return 0


def run_approve(args: argparse.Namespace, cli: Cli) -> int:
    done = service.approve(cli.context(), args.id, by=login_name(), step=args.step,
                           now=args.now)
    for warning in done.warnings:
        cli.warn(warning)
    if done.clearance.cleared:
        cli.print(_("Approved {id} ({step}, by {login})").format(
            id=args.id, step=done.record.step, login=done.record.by))
    else:
        cli.print(_("Approved step {step} of {id} (by {login}); waiting for: {steps}").format(
            step=done.record.step, id=args.id, login=done.record.by,
            steps=", ".join(done.clearance.pending)))
    return 0


def step_name(text: str) -> str:
    """--step: a step's name as publisher.toml spells it, or a language tag."""
    if not STEP_ARGUMENT.fullmatch(text):
        raise argparse.ArgumentTypeError(
            _("{text!r} is not a step name").format(text=text))
    return text


def run_check(args: argparse.Namespace, cli: Cli) -> int:
    context = cli.context()
    if args.id:
        loaded, errors = [context.drafts.load(args.id)], list[UserError]()
    else:
        loaded, errors = context.drafts.load_all()
    report = {
        item.draft.id: service.check_consistency(context, item.draft) for item in loaded
    }
    if args.json:
        cli.json({
            draft_id: [
                {"kind": f.kind, "value": f.value, "written": f.shown,
                 "present_in": list(f.present_in),
                 "missing_in": list(f.missing_in)}
                for f in findings
            ]
            for draft_id, findings in report.items()
        })
    else:
        for draft_id, findings in report.items():
            for finding in findings:
                cli.print(f"{draft_id}: {finding.message()}")
    for item in loaded:  # warnings: they never change the exit code
        for warning in subtitles.subtitle_warnings(context, item.draft):
            cli.warn(warning)
    _report_broken(cli, errors)
    if errors:
        return 2
    return 1 if any(report.values()) else 0
