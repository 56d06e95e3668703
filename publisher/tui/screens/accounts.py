"""Accounts: platform, handle, languages, audience, whether a secret is stored (never
the secret), pauses and holds with the fixing command, and "check connection"."""

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
from publisher.services import ui
from publisher.tui.base import N_, PublisherScreen

COLUMNS = ("id", "platform", "handle", "locales", "audience", "secret", "status", "check")


class AccountsScreen(PublisherScreen):
    CSS_PATH = "accounts.tcss"
    TITLE_TEXT = N_("Accounts")
    AUTO_FOCUS = "#accounts-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "check", N_("Check connection"), id="accounts.check",
                tooltip=N_("Ask the platform whose credentials these are (also Enter)")),
        Binding("ctrl+l", "reload", N_("Reload"), id="accounts.reload",
                tooltip=N_("Read the accounts again")),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[ui.AccountRow]) -> None:
            super().__init__()
            self.rows = rows

    class Checked(Message):
        def __init__(self, account_id: str, result: Text) -> None:
            super().__init__()
            self.account_id = account_id
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ui.AccountRow] = []
        self.checks: dict[str, Text] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield DataTable(id="accounts-table", cursor_type="row", zebra_stripes=True)
        yield Static(_("Secrets are set with 'publisher accounts set-secret ID' (read from "
                       "standard input); this screen only says whether one is stored."),
                     classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self._columns()
        self.reload()

    def after_relabel(self) -> None:
        self._columns()
        self._show()

    def _columns(self) -> None:
        labels = {"id": _("Account"), "platform": _("Platform"), "handle": _("Handle"),
                  "locales": _("Languages"), "audience": _("Audience"), "secret": _("Secret"),
                  "status": _("Status"), "check": _("Connection")}
        table = self.query_one("#accounts-table", DataTable)
        for key in COLUMNS:
            table.add_column(labels[key], key=key)

    def reload(self) -> None:
        self.busy("#accounts-table")
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="accounts-load")
    def load(self) -> None:
        self.post_message(self.Loaded(ui.accounts_overview(self.publisher.context())))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.busy("#accounts-table", False)
        self.rows = message.rows
        self._show()

    def _show(self) -> None:
        table = self.query_one("#accounts-table", DataTable)
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row), key=row.account.id)

    def _cells(self, row: ui.AccountRow) -> list[object]:
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
        status = Text(_("ok"), style="green")
        if row.hold is not None and row.hold.kind == "auth":
            status = Text(_("sign-in failed: {fix}").format(fix=row.fix), style="bold red")
        elif row.paused:
            status = Text(_("paused: {fix}").format(fix=row.fix), style="bold yellow")
        elif row.hold is not None:
            status = Text(_("rate-limited"), style="yellow")
        audience = f"{row.audience} ({row.timezone})"
        return [account.id, platform, account.handle or "", ", ".join(account.locales),
                audience, secret, status, self.checks.get(account.id, "")]

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
