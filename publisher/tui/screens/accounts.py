"""Accounts: platform, handle, languages, audience, whether a secret is stored (never
the secret), when its token expires (a warning a week ahead), pauses and holds with the
fixing command, and "check connection"."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from publisher.i18n import _, ngettext
from publisher.services.accounts import AccountRow, AccountsOverview, accounts_overview
from publisher.services.context import Context
from publisher.tui.base import N_, format_moment
from publisher.tui.messages import AccountChecked
from publisher.tui.remedies import action
from publisher.tui.table_screen import Column, TableScreen


class AccountsScreen(TableScreen[AccountsOverview]):
    TITLE_TEXT = N_("Accounts")
    AUTO_FOCUS = "#accounts-table"
    RELOAD_ON_FREEZE = True
    TABLE = "accounts-table"
    COLUMNS = (
        Column("id", N_("Account")), Column("platform", N_("Platform")),
        Column("status", N_("Status")), Column("secret", N_("Secret")),
        Column("token", N_("Token expires")), Column("locales", N_("Languages")),
        Column("audience", N_("Audience")), Column("handle", N_("Handle")),
        Column("check", N_("Connection")),
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "check", N_("Check connection"), id="accounts.check",
                tooltip=N_("Ask the platform whose credentials these are (also Enter)")),
        Binding("ctrl+l", "reload", N_("Reload"), show=False, id="accounts.reload",
                tooltip=N_("Read the accounts again")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.checks: dict[str, Text] = {}  # account id -> the last check's result

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Static("", id="token-notices", classes="attention")
        yield self.new_table()
        yield Static(_("Secrets are set with 'publisher accounts login ID' (step by step) or "
                       "'publisher accounts set-secret ID' (read from standard input); this "
                       "screen only says whether one is stored."),
                     classes="hint")
        yield Footer(compact=True)

    def read(self, context: Context) -> AccountsOverview:
        return accounts_overview(context, self.publisher.clock)

    def show(self) -> None:
        overview = self.data
        if overview is None:
            return
        # What needs a person, each with what fixes it.
        lines = [_("{id}: {status} — fix: {command}").format(
            id=row.account.id, status=self._status(row).plain, command=action(row.remedy))
            for row in overview.rows if row.remedy]
        lines += [f"{notice.message} ({action(notice.remedy)})" for notice in overview.notices]
        notices = self.query_one("#token-notices", Static)
        notices.update("\n".join(f"⚠ {line}" for line in lines))
        notices.display = bool(lines)
        self.show_rows([(row.account.id, self._cells(row)) for row in overview.rows])

    def _cells(self, row: AccountRow) -> list[object]:
        account = row.account
        platform = account.platform
        if account.imitates:
            platform = _("{platform} (as {imitates})").format(platform=platform,
                                                             imitates=account.imitates)
        if not account.needs_secret:
            secret = Text(_("not needed"), style="dim")
        elif row.secret_stored is None:
            secret = Text(_("keyring unavailable"), style="bold red")
        elif row.secret_stored:
            secret = Text(_("stored"), style="green")
        else:
            secret = Text(_("missing"), style="bold red")
        status = self._status(row)
        audience = f"{row.audience} ({row.timezone})"
        cells = {"id": account.id, "platform": platform, "handle": account.handle or "",
                 "locales": ", ".join(account.locales), "audience": audience, "secret": secret,
                 "token": self._token(row), "status": status,
                 "check": self.checks.get(account.id, "")}
        return [cells[column.key] for column in self.COLUMNS]

    def _status(self, row: AccountRow) -> Text:
        if row.hold is not None and row.hold.kind == "auth":
            return Text(_("sign-in failed"), style="bold red")
        if row.paused:
            return Text(_("paused"), style="bold yellow")
        if row.hold is not None:
            return Text(_("rate-limited"), style="yellow")
        if self.publisher.freeze is not None:
            return Text(_("frozen"), style="bold red")
        return Text(_("ok"), style="green")

    def _token(self, row: AccountRow) -> Text:
        """When the token expires: red once expired, yellow within a week unless the
        account renews it by itself."""
        from publisher.services.tokens import WARN_AHEAD

        expires = row.token.expires_at
        if expires is None:
            return Text("")
        left = expires - self.publisher.clock()
        when = format_moment(expires, self.publisher.zone)
        if left.total_seconds() <= 0:
            return Text(_("expired {when}").format(when=when), style="bold red")
        if row.token.refreshable:
            return Text(_("{when} (renews itself)").format(when=when), style="dim")
        if left <= WARN_AHEAD:
            days = ngettext("{when}: in {days} day", "{when}: in {days} days", left.days)
            return Text(days.format(when=when, days=left.days),
                        style="bold yellow")
        return Text(when)

    # Checking

    @on(DataTable.RowSelected, "#accounts-table")
    def action_check(self) -> None:
        account_id = self.selected_key()
        if account_id is None:
            return
        self.checks[account_id] = Text(_("checking…"), style="italic")
        self.table.update_cell(account_id, "check", self.checks[account_id])
        self.check(account_id)

    @work(thread=True, exit_on_error=False, group="accounts-check")
    def check(self, account_id: str) -> None:
        from publisher.domain.errors import UserError
        from publisher.platforms.base import PlatformError
        from publisher.services.checking import check_account
        from publisher.tui.remedies import describe, failure

        try:
            identity = check_account(self.publisher.context(), account_id, self.publisher.clock)
        except (PlatformError, UserError) as error:
            text = failure(error) if isinstance(error, PlatformError) else describe(error)
            result = Text(_("failed: {kind}: {error}").format(
                kind=type(error).__name__, error=text), style="bold red")
        else:
            result = Text(_("ok: {name}").format(name=identity.name), style="green")
        self.post_message(AccountChecked(account_id, result))

    @on(AccountChecked)
    def checked(self, message: AccountChecked) -> None:
        self.checks[message.account_id] = message.result
        if message.account_id in self.table.rows:
            self.table.update_cell(message.account_id, "check", message.result)

    def action_reload(self) -> None:
        self.reload()
