"""What fixes a problem, as data: each front end says it in its own way.

A user error or a platform failure may carry a :class:`Remedy` (log in again,
resume an account, set an account's media address...). The command line renders
it as the command a person types (``publisher.cli.remedies``), the terminal UI as
the key or screen that does it, or the command where it has none
(``publisher.tui.remedies``). Nothing below the front ends writes command text or
option names: a message names what is wrong, its remedy what to do.

The list of fixes is closed: a new one is added here and to both renderers (a test
renders every kind in each).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from enum import StrEnum


class Fix(StrEnum):
    """Every fix the tool names. The fields each one needs are in :data:`NEEDS`."""

    LOG_IN = "log-in"  # log in to the account again (``setting``: a login option to add)
    STORE_SECRET = "store-secret"  # store the account's secret by hand (no guided login)
    LOG_IN_AND_RESUME = "log-in-and-resume"  # after an auth failure held the account
    RESUME_ACCOUNT = "resume-account"  # lift the account's pause (or its hold)
    RESUME_ALL = "resume-all"  # lift the freeze
    SET_ACCOUNT = "set-account"  # give the account's ``setting`` a ``value``
    ADD_ACCOUNT = "add-account"
    ADD_AUDIENCE = "add-audience"
    IMPORT_AUDIENCE = "import-audience"  # replace an audience's histogram by an import
    APPROVE_DRAFT = "approve-draft"
    SCHEDULE_AT = "schedule-at"  # pick a time by hand, or move the deadline or the blackout
    SCHEDULE_AGAIN = "schedule-again"  # queue a published draft once more, on purpose
    ALLOW_STALE = "allow-stale"  # update the translation, or queue it stale on purpose
    RETRY_OR_CANCEL = "retry-or-cancel"  # check the account, then retry or cancel the item
    RESOLVE_UNKNOWN = "resolve-unknown"  # check the account, then say if the item went out
    SHOW_QUEUE = "show-queue"
    LIST_DRAFTS = "list-drafts"
    RESTORE_QUEUE = "restore-queue"  # from a backup, or start an empty queue on purpose
    INIT_WORKSPACE = "init-workspace"  # make a workspace here, or choose another one
    EXPORT_TRANSLATIONS = "export-translations"  # a fresh PO file (of ``locale``, if known)


# The fields each fix needs (the others may be given too: ``setting`` and ``value``
# of a login).
NEEDS: dict[Fix, tuple[str, ...]] = {
    Fix.LOG_IN: ("account",),
    Fix.STORE_SECRET: ("account",),
    Fix.LOG_IN_AND_RESUME: ("account",),
    Fix.RESUME_ACCOUNT: ("account",),
    Fix.RESUME_ALL: (),
    Fix.SET_ACCOUNT: ("account", "setting", "value"),
    Fix.ADD_ACCOUNT: (),
    Fix.ADD_AUDIENCE: (),
    Fix.IMPORT_AUDIENCE: ("audience",),
    Fix.APPROVE_DRAFT: ("draft",),
    Fix.SCHEDULE_AT: ("draft",),
    Fix.SCHEDULE_AGAIN: ("draft",),
    Fix.ALLOW_STALE: ("draft",),
    Fix.RETRY_OR_CANCEL: ("item",),
    Fix.RESOLVE_UNKNOWN: ("item",),
    Fix.SHOW_QUEUE: (),
    Fix.LIST_DRAFTS: (),
    Fix.RESTORE_QUEUE: (),
    Fix.INIT_WORKSPACE: ("home",),
    Fix.EXPORT_TRANSLATIONS: (),
}

# The settings a remedy may name, by their field names (accounts.toml's keys; a front
# end maps them to its own words, the command line to its options).
ACCOUNT_SETTINGS = frozenset({"handle", "media_url", "audience"})
LOGIN_OPTIONS = frozenset({"paste", "redirect_uri"})


@dataclass(frozen=True)
class Remedy:
    """One fix, with what it applies to. ``value`` is literal text a person replaces
    or types as it is (``URL``, ``urn:li:organization:ID``)."""

    fix: Fix
    account: str | None = None
    draft: str | None = None
    item: int | None = None
    audience: str | None = None
    home: str | None = None
    locale: str | None = None
    setting: str | None = None
    value: str | None = None

    def __post_init__(self) -> None:
        missing = [name for name in NEEDS[self.fix] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.fix} remedy needs {', '.join(missing)}")
        allowed = {Fix.SET_ACCOUNT: ACCOUNT_SETTINGS, Fix.LOG_IN: LOGIN_OPTIONS}.get(
            self.fix, frozenset())
        if self.setting is not None and self.setting not in allowed:
            raise ValueError(f"a {self.fix} remedy cannot name the setting {self.setting!r}")

    def to_json(self) -> str:
        """The remedy as the queue keeps it beside an item's last error."""
        return json.dumps({key: value for key, value in asdict(self).items()
                           if value is not None}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> Remedy | None:
        """The remedy :meth:`to_json` wrote; None for none, or for one this version
        does not know (a newer version's: the item then shows its error alone)."""
        if not text:
            return None
        try:
            data = json.loads(text)
            known = {field.name for field in fields(cls)}
            if not isinstance(data, dict) or not set(data) <= known:
                return None
            return cls(**{**data, "fix": Fix(str(data.get("fix")))})
        except (ValueError, TypeError):
            return None


def log_in(account: str) -> Remedy:
    return Remedy(Fix.LOG_IN, account=account)


def set_account(account: str, setting: str, value: str) -> Remedy:
    return Remedy(Fix.SET_ACCOUNT, account=account, setting=setting, value=value)


class WithRemedy(str):
    """A text that carries its remedy where an interface passes plain texts (an
    adapter's validation problems, a login's notes): to everything else it is the
    text alone, and front ends add the remedy (``remedy_of``)."""

    remedy: Remedy

    def __new__(cls, text: str, remedy: Remedy) -> WithRemedy:
        made = super().__new__(cls, text)
        made.remedy = remedy
        return made


def remedy_of(text: str) -> Remedy | None:
    """The remedy a text carries (:class:`WithRemedy`), or None."""
    return text.remedy if isinstance(text, WithRemedy) else None
