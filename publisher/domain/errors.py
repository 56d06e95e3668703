"""Errors a person can fix. Front ends print them in one line and exit 2."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publisher.domain.remedies import Remedy


class UserError(Exception):
    """A mistake in input, a file or the configuration: one line, exit code 2.

    ``where`` names the file (and line) when known; ``hint`` says what to do in
    words; ``remedy`` names the fix that a front end renders in its own way (the
    command line as a command, the terminal UI as a key). ``str()`` leaves the
    remedy out: front ends describe an error with their own ``describe``.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None,
                 remedy: Remedy | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        self.remedy = remedy

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text
