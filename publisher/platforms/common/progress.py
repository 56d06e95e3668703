"""How far a video upload got: told to the log by default (``-v`` shows it), to the
terminal UI's queue screen when it sends. Kept apart from the video code so that the
registry, loaded by every flush, loads nothing more."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from publisher.domain.video import MB

log = logging.getLogger("publisher.platforms.common.video")


@dataclass(frozen=True)
class UploadProgress:
    """How far one upload got: ``sent`` of ``total`` bytes (``total`` equal to sent
    while the platform processes, with ``stage`` "processing")."""

    account_id: str
    file: str
    sent: int
    total: int
    stage: str = "uploading"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.sent / self.total)


Progress = Callable[[UploadProgress], None]


def log_progress(progress: UploadProgress) -> None:
    """The default: one line per step in the log (``-v`` shows them)."""
    if progress.stage == "processing":
        log.info("%s: %s uploaded, the platform is processing it", progress.account_id,
                 progress.file)
    else:
        log.info("%s: %s: %.1f of %.1f MB sent (%d%%)", progress.account_id, progress.file,
                 progress.sent / MB, progress.total / MB, progress.percent)
