"""Whether the workspace changed since the last look, and the queue's health at a glance.

The terminal UI shows the workspace as it is now, also after changes made by other
processes (the cron flush, the command line, a translator's editor, a git pull). It
asks :meth:`WorkspaceWatch.changes` every second or so; that compares cheap stamps
(the queue's commit counter, the files' times and sizes) and reads nothing else, so
a workspace at rest costs a few system calls a second (``bench/watch_cost.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from publisher.services.context import Context
from publisher.storage.queue import FREEZE, FlushRun, Pause
from publisher.storage.watch import QueueCommits, file_stamp, folder_stamp
from publisher.storage.workspace import Workspace

# What the cron flush is expected to do at least this often while posts are due.
FLUSH_EXPECTED_EVERY = timedelta(minutes=5)

# The share of one core the scan of every draft file may take: a scan takes ~9 µs a
# file, so up to a thousand drafts are scanned at every look, 5,000 every 2-3 s. Files
# added, removed or replaced (every write of this tool, git, most editors) change the
# folder itself, which is looked at every time; only an edit in place waits for a scan.
SCAN_SHARE = 0.02

# The parts of a workspace a change is reported for.
QUEUE, DRAFTS, ACCOUNTS, SETTINGS, JOURNAL = "queue", "drafts", "accounts", "settings", "journal"


class WorkspaceWatch:
    """Stamps of the workspace's parts, compared with the last look."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self._queue = QueueCommits(workspace.queue_path)
        self._drafts_folder: object = None
        self._drafts_files = 0
        self._next_scan = 0.0  # time.monotonic() after which the draft files are scanned
        self._parts: dict[str, Callable[[], object]] = {
            QUEUE: self._queue.stamp,
            DRAFTS: self._drafts_stamp,
            ACCOUNTS: lambda: file_stamp(workspace.accounts_path),
            SETTINGS: lambda: file_stamp(workspace.settings_path),
            JOURNAL: lambda: file_stamp(workspace.journal_path),
        }
        self._last = self.fingerprint()

    def fingerprint(self) -> dict[str, object]:
        return {name: stamp() for name, stamp in self._parts.items()}

    def changes(self) -> frozenset[str]:
        """The parts that changed since the last call (or since the watch began)."""
        now = self.fingerprint()
        changed = frozenset(name for name, stamp in now.items() if self._last[name] != stamp)
        self._last = now
        return changed

    def close(self) -> None:
        self._queue.close()

    def _drafts_stamp(self) -> object:
        """The drafts folder's own stamp every time; its files' when it changed or when
        the scan's share of time allows (see SCAN_SHARE)."""
        folder = file_stamp(self.workspace.drafts_dir)
        started = time.monotonic()
        if folder != self._drafts_folder or started >= self._next_scan:
            self._drafts_files = folder_stamp(self.workspace.drafts_dir, ".toml")
            took = time.monotonic() - started
            self._next_scan = started + took / SCAN_SHARE
            self._drafts_folder = folder
        return (folder, self._drafts_files)


@dataclass(frozen=True)
class QueueHealth:
    """What every screen's banner says about the queue: the freeze, and whether the
    flush runs while posts wait for it."""

    freeze: Pause | None
    last_flush: FlushRun | None
    due: int  # items whose time has come, waiting for a flush

    def waiting_for_flush(self, now: datetime) -> bool:
        """Whether posts are due and no flush ran for longer than it should (is cron set
        up?). Not while frozen: nothing would go out anyway."""
        if not self.due or self.freeze is not None:
            return False
        return self.last_flush is None or now - self.last_flush.at > FLUSH_EXPECTED_EVERY


def queue_health(context: Context, now: datetime) -> QueueHealth:
    from publisher.services.queue_file import open_queue

    with open_queue(context) as queue:
        freeze = queue.pauses().get(FREEZE)
        return QueueHealth(freeze, queue.last_flush(), queue.count_due(now))
