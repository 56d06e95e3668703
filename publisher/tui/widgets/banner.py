"""The freeze banner, shown on every screen while the queue is frozen."""

from __future__ import annotations

from textual.widgets import Static

from publisher.i18n import _


class FreezeBanner(Static):
    """Follows the app's ``freeze`` (the reason, or None when not frozen)."""

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
    FreezeBanner.-frozen { display: block; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "freeze", self._show, init=True)

    def _show(self, reason: str | None) -> None:
        self.set_class(reason is not None, "-frozen")
        if reason is not None:
            self.update(
                _("FROZEN: nothing is sent until the queue is resumed (F10). Reason: {reason}")
                .format(reason=reason or "-")
            )
