"""The banner on every screen: the freeze, and posts waiting for a flush that does not
come (the cron job is not set up, or not running)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from publisher.i18n import _, ngettext

if TYPE_CHECKING:
    from publisher.services.watch import QueueHealth


class FreezeBanner(Static):
    """Follows the app's ``freeze`` (the reason, or None when not frozen) and its
    ``queue_health``."""

    DEFAULT_CSS = """
    FreezeBanner {
        display: none;
        width: 1fr;
        height: auto;
        padding: 0 1;
        background: $error;
        color: $text;
        text-style: bold;
    }
    FreezeBanner.-frozen, FreezeBanner.-no-flush { display: block; }
    FreezeBanner.-no-flush { background: $warning; color: $text; }
    FreezeBanner.-frozen.-no-flush { background: $error; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "freeze", self._show, init=False)
        self.watch(self.app, "queue_health", self._show, init=False)
        self._show()

    def _show(self, _value: object = None) -> None:
        reason: str | None = getattr(self.app, "freeze", None)
        warning = no_flush_warning(getattr(self.app, "queue_health", None), self.app)
        self.set_class(reason is not None, "-frozen")
        self.set_class(bool(warning), "-no-flush")
        lines = []
        if reason is not None:
            lines.append(
                _("FROZEN: nothing is sent until the queue is resumed (F10). Reason: {reason}")
                .format(reason=reason or "-"))
        if warning:
            lines.append(warning)
        self.update("\n".join(lines))


def no_flush_warning(health: QueueHealth | None, app: object) -> str:
    """"no flush for N min while posts are due…", or "" while the flush keeps up."""
    clock = getattr(app, "clock", None)
    if health is None or clock is None:
        return ""
    now = clock()
    if not health.waiting_for_flush(now):
        return ""
    if health.last_flush is None:
        return _("⚠ no flush has run yet while posts are due — is cron set up? "
                 "see README, “Cron”.")
    minutes = int((now - health.last_flush.at).total_seconds() // 60)
    return ngettext("⚠ no flush for {minutes} minute while posts are due — is cron set up? "
                    "see README, “Cron”.",
                    "⚠ no flush for {minutes} minutes while posts are due — is cron set up? "
                    "see README, “Cron”.", minutes).format(minutes=minutes)
