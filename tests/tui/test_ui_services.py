"""The services the terminal UI adds (publisher/services/ui.py), without the UI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tui_helpers import NOW, clock

from publisher.domain.queue import State
from publisher.services import queueing, ui
from publisher.services.context import open_context


def test_publish_now_brings_a_waiting_item_forward_and_sends_it(demo: Path) -> None:
    context = open_context(demo)
    ids = queueing.schedule(context, "consular-alert-floods", NOW + timedelta(days=2), now=NOW)
    report = ui.publish_item_now(context, ids[0], clock)
    assert [o.state for o in report.outcomes] == [State.SENT]
    with queueing.open_queue(context) as queue:
        assert queue.get(ids[1]).state == State.QUEUED  # the others keep their time
        reasons = [row.reason for row in queue.history(ids[0])]
    assert "a person asked to publish it now" in reasons


def test_publish_now_sends_a_failed_item_again(demo: Path) -> None:
    context = open_context(demo)
    ids = queueing.schedule(context, "consular-alert-floods", NOW, now=NOW)
    with queueing.open_queue(context) as queue:
        queue.move(ids[0], State.QUEUED, State.FAILED, now=NOW, actor="test", last_error="x")
    report = ui.publish_item_now(context, ids[0], clock)
    assert [o.state for o in report.outcomes] == [State.SENT]
