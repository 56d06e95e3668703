"""Drafts: schema, validation with file and line, listing, showing, approving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli, snapshot_tree

from publisher.domain.locales import fingerprint
from publisher.services.context import open_context
from publisher.storage.drafts import ConflictError, VariantEdit

SOURCE = "Gëzuar Ditën e Flamurit! Lexoni më shumë: https://www.mfa-ks.net/flamuri #DigitalKosovo"

FLAG_DAY = f'''# The Flag Day greeting; Arta reviews the English.
title = "Flag Day greeting"          # internal label
campaign = "DigitalKosovo"
source = "sq"
accounts = ["mfa-x", "mfa-tg"]
not_before = 2026-11-28T08:00:00+01:00
deadline = 2026-11-28T22:00:00+01:00
approved = false

[variants.sq]
text = """{SOURCE}"""

[variants.en]
text = """Happy Flag Day! Read more: https://www.mfa-ks.net/flamuri #DigitalKosovo"""
from_source = "{fingerprint(SOURCE)}"

[variants.sr]
text = """Срећан Дан заставе! Љубав и поштовање: https://www.mfa-ks.net/flamuri #DigitalKosovo"""
from_source = "{fingerprint(SOURCE)}"
'''


@pytest.fixture
def ws(home: Path) -> Path:
    for args in (
        ("mfa-x", "--platform", "x", "--locales", "en,sq"),
        ("mfa-tg", "--platform", "telegram", "--locales", "sq,sr,sr-Latn"),
    ):
        assert run_cli("--home", str(home), "accounts", "add", *args).code == 0
    (home / "drafts" / "flag-day-2026.toml").write_text(FLAG_DAY, encoding="utf-8")
    return home


def cli(home: Path, *args: str):
    return run_cli("--home", str(home), *args)


def test_list_shows_states(ws: Path) -> None:
    data = json.loads(cli(ws, "drafts", "list", "--json").out)
    (draft,) = data["drafts"]
    assert draft["id"] == "flag-day-2026"
    assert draft["states"] == {
        "sq": "translated", "en": "translated", "sr": "translated", "sr-Latn": "translated",
    }
    assert draft["not_before"] == "2026-11-28T08:00:00+01:00"


def test_show_sr_latn_is_derived_from_cyrillic(ws: Path) -> None:
    result = cli(ws, "drafts", "show", "flag-day-2026", "--locale", "sr-Latn")
    assert result.code == 0, result.err
    assert result.out.strip() == (
        "Srećan Dan zastave! Ljubav i poštovanje: https://www.mfa-ks.net/flamuri #DigitalKosovo"
    )


def test_show_json_marks_derived(ws: Path) -> None:
    data = json.loads(cli(ws, "drafts", "show", "flag-day-2026", "--json").out)
    assert data["variants"]["sr-Latn"]["derived"] is True
    assert data["variants"]["sq"]["derived"] is False
    assert data["campaign"] == "DigitalKosovo"


def test_show_unknown_locale_is_usage_error(ws: Path) -> None:
    result = cli(ws, "drafts", "show", "flag-day-2026", "--locale", "de")
    assert result.code == 2
    assert "unknown locale 'de'" in result.err


def test_changed_source_makes_translations_stale(ws: Path) -> None:
    path = ws / "drafts" / "flag-day-2026.toml"
    path.write_text(path.read_text().replace("Gëzuar", "Urime"), encoding="utf-8")
    data = json.loads(cli(ws, "drafts", "list", "--json").out)
    states = data["drafts"][0]["states"]
    assert states["en"] == "stale" and states["sr"] == "stale"
    assert states["sq"] == "translated"


def test_missing_variant(ws: Path) -> None:
    path = ws / "drafts" / "flag-day-2026.toml"
    text = path.read_text()
    path.write_text(text[: text.index("[variants.sr]")], encoding="utf-8")
    states = json.loads(cli(ws, "drafts", "list", "--json").out)["drafts"][0]["states"]
    assert states["sr"] == "missing" and states["sr-Latn"] == "missing"


def test_new_writes_a_skeleton_that_loads(ws: Path) -> None:
    result = cli(ws, "drafts", "new", "visa-news", "--source", "en", "--title", "Visa news")
    assert result.code == 0, result.err
    data = json.loads(cli(ws, "drafts", "show", "visa-news", "--json").out)
    assert data["source"] == "en" and data["title"] == "Visa news"
    assert cli(ws, "drafts", "new", "visa-news").code == 2
    assert cli(ws, "drafts", "new", "Visa News!").code == 2


def test_approve_keeps_comments_and_order(ws: Path) -> None:
    result = cli(ws, "drafts", "approve", "flag-day-2026")
    assert result.code == 0, result.err
    text = (ws / "drafts" / "flag-day-2026.toml").read_text()
    assert "approved = true" in text
    assert "# The Flag Day greeting; Arta reviews the English." in text
    assert "# internal label" in text
    assert text.index("title") < text.index("campaign") < text.index("[variants.sq]")
    states = json.loads(cli(ws, "drafts", "list", "--json").out)["drafts"][0]["states"]
    assert set(states.values()) == {"approved"}


BROKEN_CASES = {
    "syntax": ('title = "unterminated\n', ":1", "TOML"),
    "locale": ('source = "de"\n', ":1", "unknown locale 'de'"),
    "account": ('source = "sq"\naccounts = ["mfa-y"]\n', ":2", "unknown account 'mfa-y'"),
    "typo": ('source = "sq"\naproved = true\n', ":2", "aproved: unknown field"),
    "naive-time": ('source = "sq"\nnot_before = 2026-11-28T08:00:00\n', ":2", "UTC offset"),
    "variant-locale": ('source = "sq"\n\n[variants.xx]\ntext = "a"\n', ":3", "unknown locale"),
    "from-source": (
        'source = "sq"\n[variants.en]\ntext = "a"\nfrom_source = "zz"\n', ":4", "hex digits"
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_broken_draft_names_file_line_and_fix(ws: Path, case: str) -> None:
    text, line, words = BROKEN_CASES[case]
    (ws / "drafts" / "broken.toml").write_text(text, encoding="utf-8")
    before = snapshot_tree(ws)
    result = cli(ws, "drafts", "validate")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert f"drafts/broken.toml{line}" in result.err
    assert words in result.err
    assert "Traceback" not in result.err
    # A broken draft never stops the others from being listed.
    listing = cli(ws, "drafts", "list", "--json")
    assert listing.code == 2
    assert [d["id"] for d in json.loads(listing.out)["drafts"]] == ["flag-day-2026"]
    assert snapshot_tree(ws) == before


def test_validate_reports_missing_media(ws: Path) -> None:
    path = ws / "drafts" / "flag-day-2026.toml"
    path.write_text(path.read_text() + '\n[[media]]\nfile = "media/flag.jpg"\nalt.sq = "Flamuri"\n')
    result = cli(ws, "drafts", "validate")
    assert result.code == 2
    assert "media/flag.jpg" in result.err
    (ws / "media" / "flag.jpg").write_bytes(b"\xff\xd8\xff")
    assert cli(ws, "drafts", "validate").code == 0


def test_save_refuses_a_file_changed_on_disk(ws: Path) -> None:
    context = open_context(ws)
    loaded = context.drafts.load("flag-day-2026")
    path = ws / "drafts" / "flag-day-2026.toml"
    theirs = path.read_text().replace("Happy Flag Day!", "Happy Flag Day, Kosovo!")
    path.write_text(theirs, encoding="utf-8")
    with pytest.raises(ConflictError):
        context.drafts.update(
            "flag-day-2026",
            expected_digest=loaded.digest,
            variants={"en": VariantEdit("Mine")},
        )
    assert path.read_text() == theirs  # their edit is not lost


def test_update_writes_multiline_text_that_reads_back(ws: Path) -> None:
    context = open_context(ws)
    loaded = context.drafts.load("flag-day-2026")
    tricky = 'Line one with "quotes" and \\backslash\n\nLine """three"""'
    context.drafts.update(
        "flag-day-2026", expected_digest=loaded.digest, variants={"en": VariantEdit(tricky)}
    )
    assert context.drafts.load("flag-day-2026").draft.variants["en"].text == tricky


def test_check_lists_what_a_variant_lacks(ws: Path) -> None:
    path = ws / "drafts" / "flag-day-2026.toml"
    path.write_text(
        path.read_text().replace("Read more: https://www.mfa-ks.net/flamuri ", ""),
        encoding="utf-8",
    )
    result = cli(ws, "drafts", "check", "flag-day-2026")
    assert result.code == 1
    assert "https://www.mfa-ks.net/flamuri" in result.out
    assert "en" in result.out
    data = json.loads(cli(ws, "drafts", "check", "--json").out)
    assert data["flag-day-2026"][0]["missing_in"] == ["en"]


def test_check_is_quiet_when_consistent(ws: Path) -> None:
    result = cli(ws, "drafts", "check")
    assert result.code == 0, result.out
    assert result.out == ""
