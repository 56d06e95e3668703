"""The drafts list on a workspace without a drafts index (a first start, a large git
pull): a quick listing gives every draft by id at once, pending, without reading the
files; the full listing after it reads them and writes the index."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.services import drafts
from publisher.services.context import open_context
from publisher.storage.drafts_index import INDEX_PATH


@pytest.fixture
def many(demo: Path) -> Path:
    """The demo with more new draft files than a quick listing reads."""
    samples = sorted((demo / "drafts").glob("*.toml"))
    for index in range(drafts.QUICK_READS + 1):
        source = samples[index % len(samples)]
        (demo / "drafts" / f"copy-{index:03d}-{source.name}").write_text(source.read_text())
    (demo / INDEX_PATH).unlink(missing_ok=True)
    return demo


def test_a_quick_listing_without_an_index_lists_every_draft_pending(many: Path) -> None:
    quick = drafts.drafts_overview(open_context(many), quick=True)
    whole = drafts.drafts_overview(open_context(many), use_index=False)
    assert [row.id for row in quick.rows] == [row.id for row in whole.rows]
    assert all(row.pending and row.title == row.id and not row.states for row in quick.rows)
    assert not quick.complete and not (many / INDEX_PATH).exists()
    full = drafts.drafts_overview(open_context(many), quick=False)
    assert full.complete and full.rows == whole.rows and (many / INDEX_PATH).is_file()
    # From the index, the quick listing is the full one.
    assert drafts.drafts_overview(open_context(many), quick=True).rows == whole.rows


def test_a_quick_listing_reads_a_few_changed_files_at_once(many: Path) -> None:
    drafts.drafts_overview(open_context(many))  # the index
    path = many / "drafts" / "prizren-old-town.toml"
    path.write_text(path.read_text().replace('title = "', 'title = "Changed: ', 1))
    quick = drafts.drafts_overview(open_context(many), quick=True)
    assert quick.complete
    rows = {row.id: row for row in quick.rows}
    assert rows["prizren-old-town"].title.startswith("Changed: ")
