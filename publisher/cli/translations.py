"""``publisher translations status | export | import``."""

from __future__ import annotations

import argparse
from pathlib import Path

from publisher.cli.common import Cli
from publisher.cli.remedies import describe
from publisher.domain.locales import normalize_locale
from publisher.i18n import _, ngettext
from publisher.services import translations as service
from publisher.services.people import login_name


def register(commands: argparse._SubParsersAction) -> None:
    translations = commands.add_parser("translations", help=_("translation state and PO files"))
    sub = translations.add_subparsers(dest="translations_command", metavar="ACTION", required=True)

    status = sub.add_parser("status", help=_("missing, stale, translated, approved per locale"))
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=run_status)

    export = sub.add_parser("export", help=_("write a PO file for translators"))
    export.add_argument("--locale", required=True, metavar="L")
    export.add_argument("--out", required=True, metavar="FILE.po")
    export.set_defaults(handler=run_export)

    importing = sub.add_parser("import", help=_("write a translated PO file back into drafts"))
    importing.add_argument("file", metavar="FILE.po")
    importing.add_argument("--locale", metavar="L", help=_("refuse a file for another locale"))
    importing.set_defaults(handler=run_import)


def run_status(args: argparse.Namespace, cli: Cli) -> int:
    rows, errors = service.status(cli.context())
    own_texts = service.group_own_texts(rows)
    videos = service.group_subtitles(rows)
    if args.json:
        cli.json({
            "drafts": {
                draft_id: {tag: row.state.value for tag, row in by_locale.items()}
                for draft_id, by_locale in service.group_by_draft(rows).items()
            },
            "accounts": {
                draft_id: {account_id: {tag: row.state.value for tag, row in by_locale.items()}
                           for account_id, by_locale in by_account.items()}
                for draft_id, by_account in own_texts.items()
            },
            "subtitles": {
                draft_id: {file: {tag: row.state.value for tag, row in by_locale.items()}
                           for file, by_locale in by_video.items()}
                for draft_id, by_video in videos.items()
            },
            "errors": [describe(error) for error in errors],
        })
    else:
        table = []
        for draft_id, by_locale in service.group_by_draft(rows).items():
            table.append([draft_id, _state_cells(by_locale)])
            for account_id, own in own_texts.get(draft_id, {}).items():
                table.append([f"{draft_id}/accounts/{account_id}", _state_cells(own)])
            for file, by_locale in videos.get(draft_id, {}).items():
                table.append([f"{draft_id} {file} " + _("subtitles"), _state_cells(by_locale)])
        cli.table([_("DRAFT"), _("LOCALES (* = source)")], table)
    for error in errors:
        cli.error(describe(error))
    return 2 if errors else 0


def _state_cells(by_locale: dict[str, service.StatusRow]) -> str:
    return "  ".join(f"{tag}{'*' if row.is_source else ''}:{_(row.state.value)}"
                     for tag, row in by_locale.items())


def run_export(args: argparse.Namespace, cli: Cli) -> int:
    locale = normalize_locale(args.locale)
    out = Path(args.out)
    count = service.export_po(cli.context(), locale, out)
    cli.print(ngettext(
        "Wrote {count} entry for {locale} to {path}",
        "Wrote {count} entries for {locale} to {path}",
        count,
    ).format(count=count, locale=locale, path=out))
    return 0


def run_import(args: argparse.Namespace, cli: Cli) -> int:
    result = service.import_po(cli.context(), Path(args.file), args.locale, by=login_name())
    for warning in [*result.warnings, *result.incomplete]:
        cli.warn(warning)
    cli.print(ngettext("{locale}: updated {count} draft: {ids}",
                       "{locale}: updated {count} drafts: {ids}", len(result.updated)).format(
        locale=result.locale, count=len(result.updated), ids=", ".join(result.updated) or "-"
    ))
    for file in result.subtitles:
        cli.print(_("Wrote {path}").format(path=file))
    if result.skipped_fuzzy:
        cli.print(ngettext(
            "{count} fuzzy entry left as it was (clear the fuzzy mark to import)",
            "{count} fuzzy entries left as they were (clear the fuzzy mark to import)",
            result.skipped_fuzzy)
                  .format(count=result.skipped_fuzzy))
    return 0
