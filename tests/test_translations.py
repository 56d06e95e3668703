"""Translation state and the PO round trip with translators' tools."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from conftest import run_cli, snapshot_tree

from publisher.domain.locales import fingerprint
from publisher.services import translations
from publisher.services.context import open_context

SQ = "Vizat: që nga 1 janari 2024 udhëtoni pa viza. 50% e qytetarëve e kanë bërë. #DigitalKosovo"
EN_OLD = "Since 1 January 2024 you travel visa-free. #DigitalKosovo"

DRAFT = f'''title = "Visa-free travel"
campaign = "DigitalKosovo"
source = "sq"
accounts = ["mfa-x", "mfa-tg"]
approved = false

[variants.sq]
text = """{SQ}"""

[variants.en]
text = """{EN_OLD}"""
from_source = "00000000"

[[media]]
file = "media/passport.png"
alt.sq = "Pasaporta e Kosovës"
alt.en = "A Kosovo passport"
'''


@pytest.fixture
def ws(home: Path) -> Path:
    for args in (
        ("mfa-x", "--platform", "x", "--locales", "en,sq"),
        ("mfa-tg", "--platform", "telegram", "--locales", "sq,sr"),
    ):
        assert run_cli("--home", str(home), "accounts", "add", *args).code == 0
    (home / "drafts" / "visa-free.toml").write_text(DRAFT, encoding="utf-8")
    (home / "media" / "passport.png").write_bytes(b"\x89PNG\r\n")
    return home


def cli(home: Path, *args: str):
    return run_cli("--home", str(home), *args)


def test_status(ws: Path) -> None:
    result = cli(ws, "translations", "status", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["drafts"]["visa-free"] == {
        "sq": "translated", "en": "stale", "sr": "missing",
    }
    text = cli(ws, "translations", "status").out
    assert "en:stale" in text and "sr:missing" in text and "sq*:translated" in text


def export(ws: Path, locale: str) -> Path:
    out = ws.parent / f"{locale}.po"
    result = cli(ws, "translations", "export", "--locale", locale, "--out", str(out))
    assert result.code == 0, result.err
    return out


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def test_export_entries_comments_and_fuzzy(ws: Path) -> None:
    path = export(ws, "en")
    assert "python-format" not in path.read_text()  # "50% e" is no format string
    catalog = read(path)
    message = catalog.get(SQ, "visa-free/text")
    assert message is not None
    assert message.string == EN_OLD
    assert message.fuzzy  # stale
    assert "title: Visa-free travel" in message.auto_comments
    assert "campaign: #DigitalKosovo" in message.auto_comments
    assert any("280" in note and "x" in note for note in message.auto_comments)
    alt = catalog.get("Pasaporta e Kosovës", "visa-free:alt:media/passport.png")
    assert alt is not None and alt.string == "A Kosovo passport"
    assert str(catalog.locale) == "en"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt not installed")
@pytest.mark.parametrize("locale", ["en", "sr", "sr-Latn"])
def test_exported_po_passes_msgfmt_check(ws: Path, locale: str) -> None:
    path = export(ws, locale)
    done = subprocess.run(
        ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def translate(path: Path, texts: dict[tuple[str, str], str], *, keep_fuzzy=False) -> None:
    catalog = read(path)
    for (msgid, ctxt), text in texts.items():
        message = catalog.get(msgid, ctxt)
        message.string = text
        if not keep_fuzzy:
            message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)


def test_import_writes_variants_and_from_source(ws: Path) -> None:
    path = export(ws, "sr")
    sr = "Визе: од 1. јануара 2024. путујете без виза. 50% грађана је то учинило. #DigitalKosovo"
    translate(path, {
        (SQ, "visa-free/text"): sr,
        ("Pasaporta e Kosovës", "visa-free:alt:media/passport.png"): "Пасош Косова",
    })
    result = cli(ws, "translations", "import", str(path))
    assert result.code == 0, result.err
    data = json.loads(cli(ws, "drafts", "show", "visa-free", "--json").out)
    assert data["variants"]["sr"]["text"] == sr
    assert data["variants"]["sr"]["from_source"] == fingerprint(SQ)
    assert data["variants"]["sr"]["state"] == "translated"
    assert data["media"][0]["alt"]["sr"] == "Пасош Косова"
    text = (ws / "drafts" / "visa-free.toml").read_text()
    assert text.startswith('title = "Visa-free travel"')


def test_import_warns_about_a_lost_number(ws: Path) -> None:
    path = export(ws, "en")
    translate(path, {(SQ, "visa-free/text"): "Since 1 January 2024 you travel visa-free."})
    result = cli(ws, "translations", "import", str(path))
    assert result.code == 0
    assert "50" in result.err and "warning" in result.err
    assert "DigitalKosovo" in result.err


def test_import_leaves_fuzzy_entries(ws: Path) -> None:
    path = export(ws, "en")
    translate(path, {(SQ, "visa-free/text"): "Changed but still fuzzy"}, keep_fuzzy=True)
    before = snapshot_tree(ws)
    result = cli(ws, "translations", "import", str(path))
    assert result.code == 0
    assert "fuzzy" in result.out
    assert snapshot_tree(ws) == before


def test_import_refuses_a_changed_source(ws: Path) -> None:
    path = export(ws, "sr")
    translate(path, {(SQ, "visa-free/text"): "Визе"})
    draft = ws / "drafts" / "visa-free.toml"
    draft.write_text(draft.read_text().replace("udhëtoni", "udhëtojnë"), encoding="utf-8")
    before = snapshot_tree(ws)
    result = cli(ws, "translations", "import", str(path))
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert str(path) in result.err and "export" in result.err
    assert snapshot_tree(ws) == before


def test_import_refuses_a_file_for_another_locale(ws: Path) -> None:
    path = export(ws, "sr")
    before = snapshot_tree(ws)
    result = cli(ws, "translations", "import", str(path), "--locale", "en")
    assert result.code == 2
    assert "for sr, not en" in result.err
    german = ws.parent / "de.po"
    catalog = Catalog(locale="de")
    catalog.add(SQ, "Visa", context="visa-free")
    with german.open("wb") as handle:
        write_po(handle, catalog)
    result = cli(ws, "translations", "import", str(german))
    assert result.code == 2
    assert "'de'" in result.err
    assert snapshot_tree(ws) == before


def test_import_refuses_garbage(ws: Path) -> None:
    bad = ws.parent / "bad.po"
    bad.write_text('msgid "a"\nmsgstr "b\n', encoding="utf-8")
    result = cli(ws, "translations", "import", str(bad))
    assert result.code == 2
    assert "bad.po" in result.err
    missing = cli(ws, "translations", "import", str(ws.parent / "nope.po"))
    assert missing.code == 2 and "not found" in missing.err


# The translator's work list (the terminal UI's translator screen)


def test_worklist_lists_missing_and_stale_for_one_locale(demo: Path) -> None:
    context = open_context(demo)
    assert [(w.draft_id, w.state.value)
            for w in translations.translation_worklist(context, "en")] == [
        ("visa-free-anniversary", "stale")]
    assert [w.draft_id for w in translations.translation_worklist(context, "sr")] == [
        "diaspora-holiday-consular"]
