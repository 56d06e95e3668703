"""An opened workspace: settings, accounts and drafts, loaded once per command."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from publisher.domain.accounts import Account
from publisher.domain.audiences import Audience, Blackout, Calendar, default_audience
from publisher.domain.errors import UserError
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _
from publisher.storage.audiences import AudiencesFile
from publisher.storage.drafts import DraftStore
from publisher.storage.workspace import (
    AccountsFile,
    Settings,
    Workspace,
    load_settings,
    open_workspace,
)


@dataclass
class Context:
    workspace: Workspace
    settings: Settings

    @cached_property
    def accounts_file(self) -> AccountsFile:
        return AccountsFile(self.workspace)

    @cached_property
    def accounts(self) -> dict[str, Account]:
        return self.accounts_file.load()

    @cached_property
    def drafts(self) -> DraftStore:
        return DraftStore(self.workspace, known_accounts=self.accounts)

    @cached_property
    def audiences_file(self) -> AudiencesFile:
        return AudiencesFile(self.workspace)

    @cached_property
    def audiences(self) -> dict[str, Audience]:
        return self.audiences_file.load()

    @cached_property
    def blackouts(self) -> tuple[Blackout, ...]:
        return self.audiences_file.load_blackouts()

    @cached_property
    def calendar(self) -> Calendar:
        return Calendar(self.blackouts)

    def audience(self, name: str) -> Audience:
        try:
            return self.audiences[name]
        except KeyError:
            known = ", ".join(sorted(self.audiences)) or _("none yet")
            raise UserError(
                _("unknown audience {name!r}").format(name=name),
                hint=_("known audiences: {known}").format(known=known),
                remedy=Remedy(Fix.ADD_AUDIENCE),
            ) from None

    def audience_for(self, account: Account) -> Audience:
        """The account's audience; the default profile in the workspace's zone when
        it has none or names one not defined yet (every explanation says so)."""
        if account.audience is None or account.audience not in self.audiences:
            return default_audience(account.audience or "default", self.settings.timezone)
        return self.audiences[account.audience]

    def account(self, account_id: str) -> Account:
        try:
            return self.accounts[account_id]
        except KeyError:
            known = ", ".join(sorted(self.accounts)) or _("none yet")
            raise UserError(
                _("unknown account {id!r}").format(id=account_id),
                hint=_("known accounts: {known}").format(known=known),
            ) from None

    def account_locales(self) -> dict[str, tuple[str, ...]]:
        return {account_id: account.locales for account_id, account in self.accounts.items()}


def open_context(home: Path) -> Context:
    workspace = open_workspace(home)
    return Context(workspace, load_settings(workspace))
