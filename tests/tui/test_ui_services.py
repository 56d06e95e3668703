"""The services the terminal UI adds (publisher/services/ui.py), without the UI."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from tui_helpers import NOW, clock

from publisher.domain.errors import UserError
from publisher.domain.locales import fingerprint
from publisher.domain.queue import State
from publisher.services import queueing, ui
from publisher.services.context import open_context
from publisher.storage.drafts import ConflictError


def test_save_draft_refuses_a_file_changed_on_disk(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load("prizren-old-town")
    loaded.path.write_text(loaded.path.read_text() + "\n# someone's note\n")
    before = loaded.path.read_bytes()
    with pytest.raises(ConflictError):
        ui.save_draft(context, "prizren-old-town", loaded.digest,
                      ui.DraftEdit(texts={"en": "Mine"}))
    assert loaded.path.read_bytes() == before


def test_a_changed_source_leaves_unchanged_translations_stale(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load("consular-alert-floods")
    result = ui.save_draft(context, "consular-alert-floods", loaded.digest,
                           ui.DraftEdit(texts={"sq": "Njoftim konsullor i ri."}))
    draft = result.loaded.draft
    assert draft.state("en").value == "stale"
    assert result.unapproved and not draft.approved
    assert draft.variants["sq"].from_source is None


def test_confirming_an_unchanged_translation_makes_it_current(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load("visa-free-anniversary")
    text = loaded.draft.variants["en"].text
    result = ui.save_draft(context, "visa-free-anniversary", loaded.digest,
                           ui.DraftEdit(texts={"en": text}, confirm={"en"}))
    assert result.loaded.draft.variants["en"].from_source == fingerprint(
        loaded.draft.source_text)
    assert not result.unapproved  # the text did not change


def test_clearing_the_embargo_and_setting_a_campaign(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load("flag-day-2026")
    ui.save_draft(context, "flag-day-2026", loaded.digest,
                  ui.DraftEdit(clear_not_before=True, campaign="#KosovoInUN"))
    data = tomllib.loads(loaded.path.read_text())
    assert "not_before" not in data and data["campaign"] == "KosovoInUN"


def test_duplicate_refuses_an_existing_id(demo: Path) -> None:
    with pytest.raises(UserError, match="exists"):
        ui.duplicate_draft(open_context(demo), "flag-day-2026", "prizren-old-town")


def test_delete_refuses_while_items_wait_in_the_queue(demo: Path) -> None:
    context = open_context(demo)
    queueing.schedule(context, "consular-alert-floods", NOW + timedelta(hours=1), now=NOW)
    digest = context.drafts.load("consular-alert-floods").digest
    with pytest.raises(UserError, match="in the queue"):
        ui.delete_draft(context, "consular-alert-floods", digest, NOW)
    assert context.drafts.path_of("consular-alert-floods").is_file()


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


def test_the_drafts_index_rereads_changed_files_only(demo: Path) -> None:
    context = open_context(demo)
    first = {row.id: row for row in ui.drafts_overview(context).rows}
    assert (demo / ui.INDEX_PATH).is_file()
    path = context.drafts.path_of("prizren-old-town")
    path.write_text(path.read_text().replace('title = "', 'title = "Changed: ', 1))
    (demo / "drafts" / "broken.toml").write_text("title = \n")
    again = ui.drafts_overview(open_context(demo))
    rows = {row.id: row for row in again.rows}
    assert rows["prizren-old-town"].title.startswith("Changed: ")
    assert rows["flag-day-2026"] == first["flag-day-2026"]
    assert len(again.problems) == 1 and "broken.toml" in again.problems[0]
    assert again.rows == ui.drafts_overview(open_context(demo), use_index=False).rows


def test_the_drafts_index_is_dropped_when_the_accounts_change(demo: Path) -> None:
    ui.drafts_overview(open_context(demo))
    accounts = demo / "accounts.toml"
    accounts.write_text(accounts.read_text().replace('locales = ["en"]', 'locales = ["en", "sr"]'))
    rows = {row.id: row for row in ui.drafts_overview(open_context(demo)).rows}
    assert "sr" in rows["independence-day-reception"].states


def test_the_drafts_index_of_an_older_version_is_rebuilt_and_due_times_are_joined(
        demo: Path) -> None:
    import json

    index = demo / ui.INDEX_PATH
    index.parent.mkdir(exist_ok=True)
    index.write_text(json.dumps({"version": 1, "accounts": "x", "files": {
        "flag-day-2026": {"stamp": [0, 0], "row": {"title": "stale"}}}}))
    context = open_context(demo)
    queueing.schedule(context, "consular-alert-floods", NOW + timedelta(hours=3), now=NOW)
    rows = ui.drafts_overview(context).rows
    assert rows == ui.drafts_overview(open_context(demo), use_index=False).rows
    due = {row.id: row.next_due for row in rows}
    assert due["consular-alert-floods"] == NOW + timedelta(hours=3)
    assert due["flag-day-2026"] is None
    assert json.loads(index.read_text())["version"] == ui.DraftIndex.VERSION
