"""The command line that applies each remedy, as a person types it (never translated).

The command line prints these; the terminal UI shows them where it has no key of its
own (logging in, an account's settings). Both front ends use this one module (neither
imports the other), and nothing below them writes a command.
"""

from __future__ import annotations

from collections.abc import Callable

from publisher.domain.remedies import Fix, Remedy

# The option that gives each setting a remedy names (accounts set, accounts login).
OPTIONS = {
    "handle": "--handle",
    "media_url": "--media-url",
    "audience": "--audience",
    "paste": "--paste",
    "redirect_uri": "--redirect-uri",
}


def _option(remedy: Remedy) -> str:
    if remedy.setting is None:
        return ""
    option = OPTIONS[remedy.setting]
    return f" {option} {remedy.value}" if remedy.value else f" {option}"


_COMMANDS: dict[Fix, Callable[[Remedy], str]] = {
    Fix.LOG_IN: lambda r: f"publisher accounts login {r.account}{_option(r)}",
    Fix.STORE_SECRET: lambda r: f"publisher accounts set-secret {r.account}",
    Fix.LOG_IN_AND_RESUME: lambda r: (f"publisher accounts login {r.account} && "
                                      f"publisher resume --account {r.account}"),
    Fix.RESUME_ACCOUNT: lambda r: f"publisher resume --account {r.account}",
    Fix.RESUME_ALL: lambda r: "publisher resume --all",
    Fix.SET_ACCOUNT: lambda r: f"publisher accounts set {r.account}{_option(r)}",
    Fix.ADD_ACCOUNT: lambda r: "publisher accounts add",
    Fix.ADD_AUDIENCE: lambda r: "publisher audiences add",
    Fix.IMPORT_AUDIENCE: lambda r: f"publisher audiences import {r.audience} FILE",
    Fix.APPROVE_DRAFT: lambda r: f"publisher drafts approve {r.draft}",
    Fix.SCHEDULE_AT: lambda r: f"publisher schedule {r.draft} --at RFC3339",
    Fix.SCHEDULE_AGAIN: lambda r: f"publisher schedule {r.draft} --again",
    Fix.ALLOW_STALE: lambda r: f"publisher schedule {r.draft} --at RFC3339 --allow-stale",
    Fix.RETRY_OR_CANCEL: lambda r: f"publisher retry {r.item}",
    Fix.RESOLVE_UNKNOWN: lambda r: f"publisher resolve {r.item} --posted URL",
    Fix.SHOW_QUEUE: lambda r: "publisher queue",
    Fix.LIST_DRAFTS: lambda r: "publisher drafts list",
    Fix.RESTORE_QUEUE: lambda r: "publisher queue reset --yes",
    Fix.INIT_WORKSPACE: lambda r: f"publisher init {r.home}",
    Fix.EXPORT_TRANSLATIONS: lambda r: (f"publisher translations export --locale "
                                        f"{r.locale or 'L'} --out FILE.po"),
}


def command(remedy: Remedy) -> str:
    """The command line that applies the remedy, as a person types it."""
    return _COMMANDS[remedy.fix](remedy)
