"""A video upload's progress on the screen that sends it (queue, crisis): a bar and
"statement.mp4 → x-main: 12.0 of 50.0 MB (24%)", then "processing…"; hidden when
the send ends.

The flush runs in a worker thread and tells each step of an upload to the callback
it is given (:class:`ProgressRelay`): the relay hands at most a few steps a second
to the UI thread, where the screen's :class:`UploadProgressLine` shows them. A
screen that sends mixes in :class:`ShowsUploads`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from publisher.domain.video import MB
from publisher.i18n import BABEL_LOCALE, _, current_language
from publisher.platforms.common.progress import UploadProgress

log = logging.getLogger(__name__)

# At most this many seconds between two steps shown (the first, the last chunk and a
# change of stage or file always show): a 50 MB upload in 1 MB chunks would otherwise
# redraw the screen fifty times.
EVERY = 0.25


def megabytes(size: int) -> str:
    """A size in MB with one decimal, in the interface language's digits ("12.0", "12,0")."""
    from babel.numbers import format_decimal

    return format_decimal(size / MB, format="#,##0.0", locale=BABEL_LOCALE[current_language()])


def upload_text(progress: UploadProgress) -> str:
    """The line the screen shows for one step of an upload."""
    if progress.stage == "processing":
        return _("{file} → {account}: uploaded; the platform is processing it…").format(
            file=progress.file, account=progress.account_id)
    from babel.numbers import format_percent

    percent = format_percent(progress.percent / 100, locale=BABEL_LOCALE[current_language()])
    return _("{file} → {account}: {sent} of {total} MB ({percent})").format(
        file=progress.file, account=progress.account_id, sent=megabytes(progress.sent),
        total=megabytes(progress.total), percent=percent)


class UploadProgressLine(Horizontal):
    """Hidden until a send reports an upload; :meth:`hide` when the send ends."""

    DEFAULT_CSS = """
    UploadProgressLine { display: none; height: 1; padding: 0 1; }
    UploadProgressLine.-shown { display: block; }
    UploadProgressLine ProgressBar { width: auto; margin-right: 1; }
    UploadProgressLine #upload-text { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=100, show_eta=False, show_percentage=False, id="upload-bar")
        yield Static("", id="upload-text")

    @property
    def text(self) -> str:
        """What the line says now ("" while hidden)."""
        if not self.has_class("-shown"):
            return ""
        return str(self.query_one("#upload-text", Static).content)

    def show_progress(self, progress: UploadProgress) -> None:
        bar = self.query_one("#upload-bar", ProgressBar)
        if progress.stage == "processing":
            bar.update(total=None)  # the platform's time: no end to show
        else:
            bar.update(total=max(progress.total, 1), progress=progress.sent)
        self.query_one("#upload-text", Static).update(upload_text(progress))
        self.add_class("-shown")

    def hide(self) -> None:
        self.remove_class("-shown")
        self.query_one("#upload-text", Static).update("")


class ProgressRelay:
    """The ``progress`` callback a screen gives the flush, called in the worker thread:
    passes the steps worth showing to ``show`` on the UI thread."""

    def __init__(self, app: App, show: Callable[[UploadProgress], None], *,
                 every: float = EVERY, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.show = show
        self.every = every
        self.clock = clock
        self._last: UploadProgress | None = None
        self._shown_at = 0.0

    def __call__(self, progress: UploadProgress) -> None:
        if not self._worth_showing(progress):
            return
        try:
            self.app.call_from_thread(self.show, progress)
        except RuntimeError:
            # The app closed while the send runs: the upload goes on, unseen (a
            # progress line must never fail a post).
            log.debug("upload progress not shown: the app is gone")

    def _worth_showing(self, progress: UploadProgress) -> bool:
        now = self.clock()
        last = self._last
        if last == progress:
            return False  # nothing new (a processing step told twice)
        new_step = last is None or (last.account_id, last.file, last.stage) != (
            progress.account_id, progress.file, progress.stage)
        done = progress.sent >= progress.total
        if not new_step and not done and now - self._shown_at < self.every:
            return False
        self._last, self._shown_at = progress, now
        return True


class ShowsUploads:
    """Mixed into a screen that sends (queue, crisis): its compose yields an
    :class:`UploadProgressLine`; its workers give the flush :meth:`upload_progress`
    and its end of a send (done or failed) calls :meth:`hide_upload`."""

    def upload_progress(self) -> ProgressRelay:
        """The ``progress`` callback for a flush started from this screen's worker."""
        return ProgressRelay(self._sending_screen().app, self._show_upload)

    def hide_upload(self) -> None:
        self._sending_screen().query_one(UploadProgressLine).hide()

    def _show_upload(self, progress: UploadProgress) -> None:
        self._sending_screen().query_one(UploadProgressLine).show_progress(progress)

    def _sending_screen(self) -> Screen:
        return self  # type: ignore[return-value]
