"""An opened workspace: settings, accounts and drafts, loaded once per command."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from publisher.domain.accounts import Account
from publisher.domain.errors import UserError
from publisher.i18n import _
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
