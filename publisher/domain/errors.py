"""Errors a person can fix. Front ends print them in one line and exit 2."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in input, a file or the configuration: one line, exit code 2.

    ``where`` names the file (and line) when known; ``hint`` says what to do.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text
