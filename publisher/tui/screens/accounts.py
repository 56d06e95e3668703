"""Accounts: platform, handle, languages, audience, whether a secret is stored (never
the secret), when its token expires (a warning a week ahead), pauses and holds with the
fixing command, and "check connection"."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from publisher.i18n import _
from publisher.services.accounts import AccountRow, AccountsOverview, accounts_overview
from publisher.tui.base import N_, PublisherScreen, format_moment

COLUMNS = ("id", "platform", "status", "secret", "token", "locales", "audience", "handle",
           "check")


class AccountsScreen(PublisherScreen):
    TITLE_TEXT = N_("Accounts")
    AUTO_FOCUS = "#accounts-table"
    RELOAD_ON_FREEZE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "check", N_("Check connection"), id="accounts.check",
                tooltip=N_("Ask the platform whose credentials these are (also Enter)")),
        Binding("ctrl+l", "reload", N_("Reload"), show=False, id="accounts.reload",
                tooltip=N_("Read the accounts again")),
    ]

    class Loaded(Message):
        def __init__(self, overview: AccountsOverview) -> None:
            super().__init__()
            self.overview = overview

    class Checked(Message):
        def __init__(self, account_id: str, result: Text) -> None:
            super().__init__()
            self.account_id = account_id
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AccountRow] = []
        self.notices: list[str] = []
        self.checks: dict[str, Text] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Static("", id="token-notices", classes="attention")
        yield DataTable(id="accounts-table", cursor_type="row", zebra_stripes=True)
        yield Static(_("Secrets are set with 'publisher accounts login ID' (step by step) or "
                       "'publisher accounts set-secret ID' (read from standard input); this "
                       "screen only says whether one is stored."),
                     classes="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._columns()
        self.reload()

    def after_relabel(self) -> None:
        self._columns()
        self._show()

    def _columns(self) -> None:
        labels = {"id": _("Account"), "platform": _("Platform"), "handle": _("Handle"),
                  "locales": _("Languages"), "audience": _("Audience"), "secret": _("Secret"),
                  "token": _("Token expires"), "status": _("Status"),
                  "check": _("Connection")}
        table = self.query_one("#accounts-table", DataTable)
        for key in COLUMNS:
            table.add_column(labels[key], key=key)

    def reload(self) -> None:
        self.busy("#accounts-table")
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="accounts-load")
    def load(self) -> None:
        self.post_message(self.Loaded(accounts_overview(self.publisher.context(),
                                                        self.publisher.clock)))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.busy("#accounts-table", False)
        self.rows = message.overview.rows
        self.notices = message.overview.notices
        self._show()

    def _show(self) -> None:
        # What needs a person, each with the command that fixes it.
        lines = [_("{id}: {status} — fix: {command}").format(
            id=row.account.id, status=self._status(row).plain, command=row.fix)
            for row in self.rows if row.fix]
        lines += self.notices
        notices = self.query_one("#token-notices", Static)
        notices.update("\n".join(f"⚠ {line}" for line in lines))
        notices.display = bool(lines)
        table = self.query_one("#accounts-table", DataTable)
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row), key=row.account.id)

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
        return [cells[key] for key in COLUMNS]

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
            return Text(_("{when}: in {days} days").format(when=when, days=left.days),
                        style="bold yellow")
        return Text(when)

    # Checking

    def selected_id(self) -> str | None:
        table = self.query_one("#accounts-table", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)

    @on(DataTable.RowSelected, "#accounts-table")
    def action_check(self) -> None:
        account_id = self.selected_id()
        if account_id is None:
            return
        self.checks[account_id] = Text(_("checking…"), style="italic")
        self.query_one("#accounts-table", DataTable).update_cell(
            account_id, "check", self.checks[account_id])
        self.check(account_id)

    @work(thread=True, exit_on_error=False, group="accounts-check")
    def check(self, account_id: str) -> None:
        from publisher.domain.errors import UserError
        from publisher.platforms.base import PlatformError
        from publisher.services.checking import check_account

        try:
            identity = check_account(self.publisher.context(), account_id, self.publisher.clock)
        except (PlatformError, UserError) as error:
            text = getattr(error, "message", str(error))
            result = Text(_("failed: {kind}: {error}").format(
                kind=type(error).__name__, error=text), style="bold red")
        else:
            result = Text(_("ok: {name}").format(name=identity.name), style="green")
        self.post_message(self.Checked(account_id, result))

    @on(Checked)
    def checked(self, message: Checked) -> None:
        self.checks[message.account_id] = message.result
        table = self.query_one("#accounts-table", DataTable)
        if message.account_id in table.rows:
            table.update_cell(message.account_id, "check", message.result)

    def action_reload(self) -> None:
        self.reload()
