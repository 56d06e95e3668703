"""What workers tell their screen, as dataclass messages (handled with ``@on``).

A worker reads or changes files off the UI thread and never touches a widget:
it posts one of these to its screen (or the app), which shows the result. They
are for that one node, so they do not bubble.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from textual.message import Message

if TYPE_CHECKING:
    from rich.text import Text

    from publisher.services.drafts import DraftEdit, SaveResult
    from publisher.services.watch import QueueHealth
    from publisher.storage.drafts import ConflictError
    from publisher.tui.people import DraftPeople

Severity = Literal["information", "warning", "error"]


@dataclass
class FreezeChanged(Message, bubble=False):
    """The freeze as read, or as just set (then ``text`` says so)."""

    reason: str | None  # None: not frozen
    text: str = ""


@dataclass
class WorkspaceChanged(Message, bubble=False):
    """The app saw the workspace change (``parts``: queue, drafts, accounts...)."""

    parts: frozenset[str]


@dataclass
class QueueHealthRead(Message, bubble=False):
    """The freeze, the last flush run and what is due, as read for the banners."""

    health: QueueHealth


@dataclass
class Loaded(Message, bubble=False):
    """What a screen's loading worker read (``LoadingScreen.read``), to show."""

    data: Any
    note: str = ""  # said once it is shown ("Saved …", "Imported …")


@dataclass
class RowChanged(Message, bubble=False):
    """One row read again after a change; ``data`` None: it is gone."""

    key: str
    data: Any | None


@dataclass
class Done(Message, bubble=False):
    """A change finished: the screen says so and shows its effect."""

    text: str
    severity: Severity = "information"
    select: str | None = None  # the row to select once shown again
    open_it: bool = False  # and open it (a new draft)


@dataclass
class Notice(Message, bubble=False):
    """Something to tell the person, nothing to show again."""

    text: str
    severity: Severity = "information"


@dataclass
class AccountChecked(Message, bubble=False):
    """What the platform said about an account's credentials."""

    account_id: str
    result: Text


@dataclass
class Scheduled(Message, bubble=False):
    """A draft went into the queue: one line per account, in both zones."""

    lines: list[str]


@dataclass
class DraftSaved(Message, bubble=False):
    """The editor's changes are in the file (``note``: what was kept aside)."""

    result: SaveResult
    note: str = ""


@dataclass
class SaveConflict(Message, bubble=False):
    """The file changed on disk since it was read: nothing was written."""

    edit: DraftEdit
    error: ConflictError


@dataclass
class PostMoved(Message, bubble=False):
    """A post of the calendar went to another time (``text`` says so)."""

    item_id: int
    at: datetime  # UTC
    text: str


@dataclass
class MoveRefused(Message, bubble=False):
    """The scheduling rules refused a move of the calendar: ``text`` says which."""

    item_id: int
    text: str


@dataclass
class PeopleRead(Message, bubble=False):
    """Who wrote a draft and where its approvals stand, as just read."""

    people: DraftPeople
