"""Remedies on the command line: the command a person types, and a phrase around it.

:func:`command` is the literal command line (``publisher.commands``: never
translated, it is what one types); :func:`advice` the translated phrase that says
when or why to run it; :func:`describe` a user error as the one line the CLI prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from publisher.commands import command
from publisher.domain.errors import UserError
from publisher.domain.remedies import Fix, Remedy, remedy_of
from publisher.i18n import _

if TYPE_CHECKING:
    from publisher.platforms.base import PlatformError

def advice(remedy: Remedy) -> str:
    """A translated phrase around the command: what to do, and when."""
    run = command(remedy)
    fix = remedy.fix
    if fix == Fix.LOG_IN and remedy.setting is not None:
        return _("or log in with '{command}'").format(command=run)
    if fix == Fix.LOG_IN_AND_RESUME:
        return _("fix it with '{login}' (or 'set-secret'), then '{resume}'").format(
            login=f"publisher accounts login {remedy.account}",
            resume=f"publisher resume --account {remedy.account}")
    if fix == Fix.RETRY_OR_CANCEL:
        return _("then send it again with '{retry}' or drop it with '{cancel}'").format(
            retry=run, cancel=f"publisher cancel {remedy.item}")
    if fix == Fix.RESOLVE_UNKNOWN:
        return _("check the account, then say where it went out with '{posted}', or that "
                 "it did not with '{not_posted}'").format(
            posted=run, not_posted=f"publisher resolve {remedy.item} --not-posted")
    if fix == Fix.INIT_WORKSPACE:
        return _("run '{command}' or pass --home").format(command=run)
    phrase = _phrases().get(fix, _("run '{command}'"))
    return phrase.format(command=run)


def _phrases() -> dict[Fix, str]:
    """The phrase of each fix that is not just "run it" (translated when asked)."""
    return {
        Fix.STORE_SECRET: _("store it with '{command}'"),
        Fix.RESUME_ACCOUNT: _("run '{command}' first"),
        Fix.RESUME_ALL: _("run '{command}' first"),
        Fix.SET_ACCOUNT: _("set it with '{command}'"),
        Fix.ADD_ACCOUNT: _("add one with '{command}'"),
        Fix.ADD_AUDIENCE: _("add one with '{command}'"),
        Fix.IMPORT_AUDIENCE: _("'{command}' replaces its histogram"),
        Fix.APPROVE_DRAFT: _("run '{command}' first"),
        Fix.SCHEDULE_AT: _("pick a time with '{command}', or move the deadline or the "
                           "blackout"),
        Fix.SCHEDULE_AGAIN: _("to post it there once more, schedule it with '{command}'"),
        Fix.ALLOW_STALE: _("update the translation, or queue it as it is with '{command}'"),
        Fix.SHOW_QUEUE: _("see '{command}'"),
        Fix.LIST_DRAFTS: _("see '{command}'"),
        Fix.RESTORE_QUEUE: _("restore it from a backup (README, 'Backup and restore'), or "
                             "start afresh with '{command}'"),
        Fix.EXPORT_TRANSLATIONS: _("export a fresh file with '{command}' and translate the "
                                   "changed entries there"),
    }


def with_advice(text: str, hint: str | None, remedy: Remedy | None) -> str:
    """``text (hint; advice)``, leaving out what is missing."""
    extras = [part for part in (hint, advice(remedy) if remedy else None) if part]
    return f"{text} ({'; '.join(extras)})" if extras else text


def with_its_advice(text: str) -> str:
    """A text that may carry a remedy (a validation problem, a login's note), with it."""
    return with_advice(text, None, remedy_of(text))


def failure(error: PlatformError) -> str:
    """A platform's failure: its message, and what to do where a person can."""
    return with_advice(error.message, None, error.remedy)


def describe(error: UserError) -> str:
    """A user error as the CLI prints it: ``where: message (hint; advice)``."""
    text = f"{error.where}: {error.message}" if error.where else error.message
    return with_advice(text, error.hint, error.remedy)
