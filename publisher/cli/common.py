"""What every command shares: the workspace, language, output and errors."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from publisher.domain.errors import UserError
from publisher.i18n import _, set_language
from publisher.services.context import Context, open_context
from publisher.storage.workspace import resolve_home

if TYPE_CHECKING:
    from publisher.services.accounts import StoppedAccount
    from publisher.services.tokens import TokenNotice


@dataclass
class Cli:
    home_option: str | None = None
    language: str | None = None
    verbose: int = 0
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    _context: Context | None = None

    @property
    def home(self) -> Path:
        return resolve_home(self.home_option)

    def context(self) -> Context:
        """Open the workspace once; its settings choose the language unless --lang did."""
        if self._context is None:
            self._context = open_context(self.home)
            set_language(self.language or self._context.settings.ui_locale)
        return self._context

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def error(self, text: str) -> None:
        print(f"publisher: error: {text}", file=self.err)

    def warn(self, text: str) -> None:
        print(f"publisher: warning: {text}", file=self.err)

    def json(self, data: Any) -> None:
        json.dump(data, self.out, ensure_ascii=False, indent=2, default=str)
        self.out.write("\n")

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        cells = [[("" if cell is None else str(cell)) for cell in row] for row in rows]
        widths = [len(header) for header in headers]
        for texts in cells:
            widths = [max(width, len(text)) for width, text in zip(widths, texts, strict=True)]
        for texts in [list(headers), *cells]:
            line = "  ".join(text.ljust(width) for text, width in zip(texts, widths, strict=True))
            self.print(line.rstrip())


def read_secret(prompt: str, example: str) -> str:
    """A secret typed without echo on a terminal, else the first line of standard input
    (never an argument: argv is visible to every user of the machine). ``example``: the
    hint when none was given."""
    if sys.stdin.isatty():
        import getpass

        secret = getpass.getpass(prompt)
    else:
        secret = sys.stdin.readline().strip()
    if not secret:
        raise UserError(_("no secret given on standard input"), hint=example)
    return secret


def stopped_line(stopped: StoppedAccount) -> str:
    """An account the flush does not send for, with the command that fixes it (``accounts
    list`` and ``queue`` say it alike)."""
    from publisher.cli.remedies import command

    fix = command(stopped.remedy) if stopped.remedy else ""
    if stopped.kind == "auth":
        return _("{id}: held after an auth failure; fix: {command}").format(
            id=stopped.account_id, command=fix)
    if stopped.kind == "rate":
        return _("{id}: rate-limited ({reason})").format(
            id=stopped.account_id, reason=stopped.reason or "-")
    return _("{id}: paused ({reason}); fix: {command}").format(
        id=stopped.account_id, reason=stopped.reason or "-", command=fix)


def notice_line(notice: TokenNotice) -> str:
    """A token about to expire, with the command that renews it (``accounts list`` and
    the flush say it alike)."""
    from publisher.cli.remedies import command

    return f"{notice.message} ({command(notice.remedy)})"


def calendar_day(text: str) -> date:
    """An argparse type: a calendar day, YYYY-MM-DD (blackout dates, report --since)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text!r} is not a date such as 2026-12-24").format(text=text)) from None


# Bounds of whole-number options: a number past them is a typo, and past SQLite's or
# timedelta's range it would otherwise end in a traceback (at scheduling, or in every flush).
MAX_MINUTES = 366 * 24 * 60  # a year
MAX_ITEM_ID = 2**63 - 1  # SQLite's INTEGER


def whole_number(most: int, least: int | None = None):
    """An argparse type: an integer no larger than ``most`` (lower bounds are the
    commands' own, with their own messages, unless ``least`` is given)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                _("{text!r} is not a whole number").format(text=text)) from None
        if value > most:
            raise argparse.ArgumentTypeError(
                _("{value} is too large (at most {most})").format(value=value, most=most))
        if least is not None and value < least:
            raise argparse.ArgumentTypeError(
                _("{value} is too small (at least {least})").format(value=value, least=least))
        return value

    return parse
