"""``publisher campaign export | import``: campaign packs for partner ministries."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from publisher.cli.common import Cli
from publisher.cli.queue import moment
from publisher.domain.errors import UserError
from publisher.i18n import _, ngettext


def register(commands: argparse._SubParsersAction) -> None:
    campaign = commands.add_parser(
        "campaign", help=_("share a campaign's drafts with a partner (campaign packs)"))
    actions = campaign.add_subparsers(dest="campaign_command", metavar="COMMAND",
                                      required=True, parser_class=type(campaign))
    export = actions.add_parser(
        "export", help=_("write a campaign's drafts and files to a pack (no accounts, "
                         "approvals or secrets)"))
    export.add_argument("name", metavar="NAME")
    export.add_argument("--out", type=Path, metavar="FILE", required=True)
    export.add_argument("--force", action="store_true", help=_("replace an existing file"))
    export.add_argument("--json", action="store_true")
    export.set_defaults(handler=run_export)

    load = actions.add_parser(
        "import", help=_("add a pack's drafts to this workspace, not approved"))
    load.add_argument("pack", type=Path, metavar="PACK")
    load.add_argument("--map", action="append", default=[], metavar="THEIRS=OURS",
                      help=_("post for the pack's account THEIRS with our account OURS"))
    load.add_argument("--accounts-for", action="append", default=[], metavar="PLATFORM=OURS",
                      help=_("post for the pack's accounts on PLATFORM with our account OURS"))
    load.add_argument("--update", action="store_true",
                      help=_("replace drafts whose content differs (the present files are "
                             "kept)"))
    load.add_argument("--now", type=moment, metavar="RFC3339")
    load.add_argument("--json", action="store_true")
    load.set_defaults(handler=run_import)


def run_export(args: argparse.Namespace, cli: Cli) -> int:
    from publisher.services.packs import OutputExists, export_campaign

    try:
        done = export_campaign(cli.context(), args.name, args.out, force=args.force)
    except OutputExists as error:
        raise UserError(error.message, where=error.where,
                        hint=_("add --force to replace it, or pick another name")) from None
    if args.json:
        cli.json({"campaign": done.campaign, "out": str(args.out), "drafts": list(done.drafts),
                  "files": list(done.files), "bytes": done.size})
        return 0
    cli.print(ngettext(
        "Exported {count} draft of campaign {campaign} to {out}: {ids}",
        "Exported {count} drafts of campaign {campaign} to {out}: {ids}",
        len(done.drafts)).format(count=len(done.drafts), campaign=done.campaign, out=args.out,
                                 ids=", ".join(done.drafts)))
    cli.print(_("Left out: accounts' settings and secrets, approvals, the queue."))
    return 0


def run_import(args: argparse.Namespace, cli: Cli) -> int:
    from publisher.domain.packs import pairs
    from publisher.services.packs import DraftsDiffer, import_pack

    maps = pairs(args.map, "--map", "mfa-x=embassy-x")
    accounts_for = pairs(args.accounts_for, "--accounts-for", "x=embassy-x")
    try:
        done = import_pack(cli.context(), args.pack, maps=maps, accounts_for=accounts_for,
                           update=args.update, now=args.now or datetime.now(UTC))
    except DraftsDiffer as error:
        raise UserError(error.message, where=error.where,
                        hint=_("add --update to replace them (the present files are kept "
                               "in .publisher-kept/)")) from None
    unmapped = [f"{account.id} ({account.platform})" for account in done.unmapped]
    if args.json:
        cli.json({
            "campaign": done.campaign, "added": done.added, "updated": done.updated,
            "unchanged": done.unchanged, "files": done.files, "kept": done.kept,
            "unmapped": [{"account": a.id, "platform": a.platform, "locales": list(a.locales)}
                         for a in done.unmapped],
            "suggested_windows": {w.audience: {"timezone": w.timezone,
                                               "windows": list(w.windows)}
                                  for w in done.windows},
        })
        return 0
    if unmapped:
        cli.warn(_("the pack's accounts {accounts} are not mapped: the drafts came in "
                   "without them (and their own texts); map them with --map THEIRS=OURS or "
                   "--accounts-for PLATFORM=OURS and import again with --update").format(
            accounts=", ".join(unmapped)))
    _say_ids(cli, done.added, _("Imported (not approved): {ids}"))
    _say_ids(cli, done.updated, _("Updated (not approved): {ids}"))
    _say_ids(cli, done.unchanged, _("Already here, unchanged: {ids}"))
    _say_ids(cli, done.kept, _("The replaced files are kept as {ids}"))
    for windows in done.windows:
        cli.print(_("Suggested windows of {audience} ({timezone}): {windows}").format(
            audience=windows.audience, timezone=windows.timezone,
            windows="; ".join(windows.windows) or "-"))
    return 0


def _say_ids(cli: Cli, ids: list[str], text: str) -> None:
    if ids:
        cli.print(text.format(ids=", ".join(ids)))
