"""Remedies in the terminal UI: the key or screen that applies one, or the command.

Where the interface has an action for a fix (approve, retry, resume after a freeze,
export a PO file) a remedy names its key, read from the bindings so that it follows
them; where it has none (logging in, an account's settings, its pause) it shows the
command to type in a terminal (``publisher.commands``, as the command line says it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from publisher.commands import command
from publisher.domain.errors import UserError
from publisher.domain.remedies import Fix, Remedy, remedy_of
from publisher.i18n import _

if TYPE_CHECKING:
    from publisher.platforms.base import PlatformError


def key(binding_id: str) -> str:
    """The key of a binding of the app or one of its screens, as the footer shows it
    (``f7`` as F7)."""
    from publisher.tui.app import PublisherApp
    from publisher.tui.screens.drafts import DraftsScreen
    from publisher.tui.screens.editor import EditorScreen
    from publisher.tui.screens.queue import QueueScreen
    from publisher.tui.screens.schedule import ScheduleScreen
    from publisher.tui.screens.translator import TranslatorScreen

    for owner in (PublisherApp, DraftsScreen, EditorScreen, QueueScreen, ScheduleScreen,
                  TranslatorScreen):
        for binding in owner.BINDINGS:
            if getattr(binding, "id", None) == binding_id:
                first = binding.key.split(",")[0]  # type: ignore[union-attr]
                return first.upper() if first.startswith("f") and first[1:].isdigit() \
                    else first
    raise KeyError(binding_id)


def action(remedy: Remedy) -> str:
    """What to do in the interface (translated), or the command where it has no action."""
    fix = remedy.fix
    if fix == Fix.RESUME_ALL:
        return _("press {key} to resume").format(key=key("app.freeze"))
    if fix == Fix.APPROVE_DRAFT:
        return _("approve it first: {key} in the drafts ({drafts}) or the editor").format(
            key=key("drafts.approve"), drafts=key("app.drafts"))
    if fix == Fix.SCHEDULE_AT:
        return _("type a time ({key} in the schedule), or move the deadline or the "
                 "blackout").format(key=key("schedule.at"))
    if fix == Fix.ALLOW_STALE:
        return _("update the translation ({key}), or queue it as it is in a terminal: "
                 "{command}").format(key=key("app.translate"), command=command(remedy))
    if fix == Fix.RETRY_OR_CANCEL:
        return _("then retry it ({retry}) or cancel it ({cancel}) in the queue ({queue})"
                 ).format(retry=key("queue.retry"), cancel=key("queue.cancel"),
                          queue=key("app.queue"))
    if fix == Fix.RESOLVE_UNKNOWN:
        return _("check the account, then say whether it went out, in a terminal: "
                 "{not_posted} or {posted}").format(
            not_posted=f"publisher resolve {remedy.item} --not-posted",
            posted=command(remedy))
    if fix == Fix.SHOW_QUEUE:
        return _("see the queue ({key})").format(key=key("app.queue"))
    if fix == Fix.LIST_DRAFTS:
        return _("see the drafts ({key})").format(key=key("app.drafts"))
    if fix == Fix.EXPORT_TRANSLATIONS:
        return _("export a fresh file ({key} in Translate, {translate}) and translate the "
                 "changed entries there").format(key=key("translate.export"),
                                                  translate=key("app.translate"))
    if fix == Fix.RESTORE_QUEUE:
        return _("restore it from a backup (README, 'Backup and restore'), or start afresh "
                 "in a terminal: {command}").format(command=command(remedy))
    return command(remedy)  # no action in the interface: the command, as the CLI says it


def with_action(text: str, hint: str | None, remedy: Remedy | None) -> str:
    """``text (hint; action)``, leaving out what is missing."""
    extras = [part for part in (hint, action(remedy) if remedy else None) if part]
    return f"{text} ({'; '.join(extras)})" if extras else text


def with_its_action(text: str) -> str:
    """A text that may carry a remedy (a validation problem), with it."""
    return with_action(text, None, remedy_of(text))


def failure(error: PlatformError) -> str:
    """A platform's failure: its message, and what to do where a person can."""
    return with_action(error.message, None, error.remedy)


def describe(error: UserError) -> str:
    """A user error as the interface shows it: ``where: message (hint; action)``."""
    text = f"{error.where}: {error.message}" if error.where else error.message
    return with_action(text, error.hint, error.remedy)
