"""services/drafts.py for the terminal UI: an editor's save, copy and delete, and the
drafts list read from its index. Real files in a demo workspace, a fixed clock."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.domain.errors import UserError
from publisher.domain.locales import fingerprint
from publisher.services import drafts, queueing
from publisher.services.context import open_context
from publisher.storage.drafts import ConflictError
from publisher.storage.drafts_index import INDEX_PATH

# A Friday before Flag Day; the demo drafts' embargoes are ahead of it.
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_save_draft_refuses_a_file_changed_on_disk(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load("prizren-old-town")
    loaded.path.write_text(loaded.path.read_text() + "\n# someone's note\n")
    before = loaded.path.read_bytes()
    with pytest.raises(ConflictError):
        drafts.save_draft(context, "prizren-old-town", loaded.digest,
                      drafts.DraftEdit(texts={"en": "Mine"}))
    assert loaded.path.read_bytes() == before


def test_a_changed_source_leaves_unchanged_translations_stale(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load("consular-alert-floods")
    result = drafts.save_draft(context, "consular-alert-floods", loaded.digest,
                           drafts.DraftEdit(texts={"sq": "Njoftim konsullor i ri."}))
    draft = result.loaded.draft
    assert draft.state("en").value == "stale"
    assert result.unapproved and not draft.approved
    assert draft.variants["sq"].from_source is None


def test_confirming_an_unchanged_translation_makes_it_current(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load("visa-free-anniversary")
    text = loaded.draft.variants["en"].text
    result = drafts.save_draft(context, "visa-free-anniversary", loaded.digest,
                           drafts.DraftEdit(texts={"en": text}, confirm={"en"}))
    assert result.loaded.draft.variants["en"].from_source == fingerprint(
        loaded.draft.source_text)
    assert not result.unapproved  # the text did not change


def test_clearing_the_embargo_and_setting_a_campaign(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load("flag-day-2026")
    drafts.save_draft(context, "flag-day-2026", loaded.digest,
                  drafts.DraftEdit(clear_not_before=True, campaign="#KosovoInUN"))
    data = tomllib.loads(loaded.path.read_text())
    assert "not_before" not in data and data["campaign"] == "KosovoInUN"


def test_duplicate_refuses_an_existing_id(demo: Path) -> None:
    with pytest.raises(UserError, match="exists"):
        drafts.duplicate_draft(open_context(demo), "flag-day-2026", "prizren-old-town")


def test_delete_refuses_while_items_wait_in_the_queue(demo: Path) -> None:
    context = open_context(demo)
    queueing.schedule(context, "consular-alert-floods", NOW + timedelta(hours=1), now=NOW)
    digest = context.drafts.load("consular-alert-floods").digest
    with pytest.raises(UserError, match="in the queue"):
        drafts.delete_draft(context, "consular-alert-floods", digest, NOW)
    assert context.drafts.path_of("consular-alert-floods").is_file()


def test_the_drafts_index_rereads_changed_files_only(demo: Path) -> None:
    context = open_context(demo)
    first = {row.id: row for row in drafts.drafts_overview(context).rows}
    assert (demo / INDEX_PATH).is_file()
    path = context.drafts.path_of("prizren-old-town")
    path.write_text(path.read_text().replace('title = "', 'title = "Changed: ', 1))
    (demo / "drafts" / "broken.toml").write_text("title = \n")
    again = drafts.drafts_overview(open_context(demo))
    rows = {row.id: row for row in again.rows}
    assert rows["prizren-old-town"].title.startswith("Changed: ")
    assert rows["flag-day-2026"] == first["flag-day-2026"]
    assert len(again.problems) == 1 and "broken.toml" in str(again.problems[0])
    assert again.rows == drafts.drafts_overview(open_context(demo), use_index=False).rows


def test_the_drafts_index_is_dropped_when_the_accounts_change(demo: Path) -> None:
    drafts.drafts_overview(open_context(demo))
    accounts = demo / "accounts.toml"
    accounts.write_text(accounts.read_text().replace('locales = ["en"]', 'locales = ["en", "sr"]'))
    rows = {row.id: row for row in drafts.drafts_overview(open_context(demo)).rows}
    assert "sr" in rows["independence-day-reception"].states


def test_the_drafts_index_of_an_older_version_is_rebuilt_and_due_times_are_joined(
        demo: Path) -> None:
    import json

    index = demo / INDEX_PATH
    index.parent.mkdir(exist_ok=True)
    index.write_text(json.dumps({"version": 1, "accounts": "x", "files": {
        "flag-day-2026": {"stamp": [0, 0], "row": {"title": "stale"}}}}))
    context = open_context(demo)
    queueing.schedule(context, "consular-alert-floods", NOW + timedelta(hours=3), now=NOW)
    rows = drafts.drafts_overview(context).rows
    assert rows == drafts.drafts_overview(open_context(demo), use_index=False).rows
    due = {row.id: row.next_due for row in rows}
    assert due["consular-alert-floods"] == NOW + timedelta(hours=3)
    assert due["flag-day-2026"] is None
    assert json.loads(index.read_text())["version"] == drafts.DraftIndex.VERSION
