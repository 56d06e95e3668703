"""The catalogs as a native reviewer reads them: one term per concept, counts in
their plural forms, brand names as written, placeholders and "…" kept."""

from __future__ import annotations

import pytest
import regex
from babel.messages.pofile import read_po
from conftest import ROOT

from publisher import i18n
from publisher.domain.errors import UserError
from publisher.storage.workspace import check_timezone

LOCALES = ROOT / "locales"
TRANSLATED = ("sq", "sr", "sr_Latn")
# A count before a word ("{count} drafts") needs ngettext; "{n} min", "{n} of" do not.
COUNTED_WORD = regex.compile(r"\{(?:count|n|d|days|cells)\}\s+(?!min\b|of\b|h\b)\p{L}")


def catalog(folder: str):
    path = LOCALES / "messages.pot" if folder == "pot" else (
        LOCALES / folder / "LC_MESSAGES" / "publisher.po")
    with path.open("rb") as handle:
        return read_po(handle)


def texts(message) -> list[str]:
    value = message.string
    return list(value) if isinstance(value, tuple | list) else [value]


def test_the_kosovo_time_zone_note_speaks_of_iana() -> None:
    with pytest.raises(UserError) as raised:
        check_timezone("Europe/Pristina")
    assert raised.value.hint == (
        "Kosovo uses the IANA zone Europe/Belgrade (CET); IANA has no Europe/Pristina")


def test_every_counted_message_is_a_plural_entry() -> None:
    singular_counts = [m.id for m in catalog("pot") if isinstance(m.id, str)
                       and (COUNTED_WORD.search(m.id) or "(s)" in m.id)]
    assert singular_counts == [], "use ngettext for these"


@pytest.mark.parametrize("folder,nplurals", [("sq", 2), ("sr", 3), ("sr_Latn", 3)])
def test_plural_forms_header(folder: str, nplurals: int) -> None:
    assert catalog(folder).num_plurals == nplurals


@pytest.mark.parametrize("language,counts", [
    ("sr", {1: "1 дан", 2: "2 дана", 5: "5 дана", 11: "11 дана", 21: "21 дан", 22: "22 дана"}),
    ("sr-Latn", {1: "1 dan", 2: "2 dana", 5: "5 dana", 21: "21 dan", 25: "25 dana"}),
    ("sq", {1: "1 ditë", 2: "2 ditë", 21: "21 ditë"}),
])
def test_counts_read_right_for_1_2_5_21(language: str, counts: dict[int, str]) -> None:
    i18n.set_language(language)
    try:
        said = {n: i18n.ngettext("{d} day", "{d} days", n).format(d=n) for n in counts}
    finally:
        i18n.set_language("en")
    assert said == counts


def test_serbian_latin_catalog_header_names_its_language() -> None:
    text = (LOCALES / "sr_Latn" / "LC_MESSAGES" / "publisher.po").read_text()
    assert '"Language: sr_Latn\\n"' in text


@pytest.mark.parametrize("folder", TRANSLATED)
def test_ellipsis_is_kept(folder: str) -> None:
    broken = [m.id for m in catalog(folder) if m.id
              and "…" in str(m.id) and any("..." in text for text in texts(m))]
    assert broken == []


BRANDS = ("Facebook", "Bluesky", "LinkedIn", "Threads", "Instagram", "Mastodon", "Telegram")


@pytest.mark.parametrize("folder", TRANSLATED)
def test_brand_names_are_never_translated_or_transliterated(folder: str) -> None:
    changed = []
    for message in catalog(folder):
        singular = message.id[0] if isinstance(message.id, tuple | list) else message.id
        for brand in BRANDS:
            if singular and regex.search(rf"\b{brand}\b", singular):
                changed += [(brand, text) for text in texts(message)
                            if text and not regex.search(rf"\b{brand}\b", text)]
    assert changed == []


GLOSSARY = ROOT / "docs" / "glossary.md"
BOLD = regex.compile(r"\*\*(.+?)\*\*")
# What is not prose: placeholders, quoted commands, options, TOML keys and
# tables, command lines, products' own names ("Facebook Login").
NOT_PROSE = regex.compile(
    r"'[^']*'|\{[^}]*\}|--[\w-]+|\[+[\w.]+\]+|\b\w+(?=\[|\.[\w{]| = )|publisher( [a-z-]+)+"
    r"|\w+ Login|^blackouts\b")
CATALOG_COLUMN = {"sq": 1, "sr": 2, "sr_Latn": 3}


def glossary_rows() -> list[list[str]]:
    lines = GLOSSARY.read_text().split("## Terms", 1)[1].split("\n## ", 1)[0].splitlines()
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in lines if line.startswith("|")]
    return rows[2:]  # past the header and its rule


def prose(text: str) -> str:
    text = NOT_PROSE.sub(" ", text)
    return text if text.isupper() else regex.sub(r"\b[A-Z]{2,}\b", " ", text)  # metavars


def glossary_checks(folder: str) -> list[tuple[regex.Pattern, regex.Pattern, str]]:
    checks = []
    for row in glossary_rows():
        english, chosen = BOLD.findall(row[0]), BOLD.findall(row[CATALOG_COLUMN[folder]])
        if english and chosen:
            checks.append((regex.compile(rf"\b(?:{'|'.join(map(regex.escape, english))})\b",
                                         regex.IGNORECASE),
                           regex.compile("|".join(map(regex.escape, chosen)), regex.IGNORECASE),
                           row[0]))
    return checks


def test_glossary_has_checked_rows() -> None:
    assert len(glossary_checks("sr")) >= 15


@pytest.mark.parametrize("folder", TRANSLATED)
def test_glossary_terms_are_used_consistently(folder: str) -> None:
    checks = glossary_checks(folder)
    off = []
    for message in catalog(folder):
        singular = message.id[0] if isinstance(message.id, tuple | list) else message.id
        if not singular:
            continue
        english = prose(singular)
        for term, chosen, row in checks:
            if term.search(english):
                off += [f"{row}: {singular!r} -> {text!r}"
                        for text in texts(message) if text and not chosen.search(text)]
    assert off == [], "see docs/glossary.md:\n" + "\n".join(off)


@pytest.mark.parametrize("folder,word,only_for", [
    ("sr", r"\bрок", r"(?i)\bdeadline"),  # not the send time
    ("sr_Latn", r"\brok", r"(?i)\bdeadline"),
    ("sq", r"(?i)\bhyrj", r"(?i)standard input|stdin"),  # not login, not a PO entry
    ("sq", r"\bEMRI\b", r"^NAME$"),  # not HANDLE
    ("sq", r"vjetruar", r"^$"),  # "vjetëruar" is the one word for stale
    ("sq", r"Hidh poshtë", r"^$"),  # reads as "reject"
])
def test_one_concept_per_term(folder: str, word: str, only_for: str) -> None:
    wrong = [(m.id, text) for m in catalog(folder) if m.id for text in texts(m)
             if regex.search(word, text) and not regex.search(
                 only_for, m.id[0] if isinstance(m.id, tuple | list) else m.id)]
    assert wrong == []


def key_labels() -> set[str]:
    """The descriptions of the TUI's key bindings (what the footer shows)."""
    import ast

    labels = set()
    for path in (ROOT / "publisher" / "tui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Binding"
                    and len(node.args) >= 3 and isinstance(node.args[2], ast.Call)
                    and node.args[2].args and isinstance(node.args[2].args[0], ast.Constant)):
                labels.add(node.args[2].args[0].value)
    return labels


@pytest.mark.parametrize("folder", TRANSLATED)
def test_key_labels_stay_short(folder: str) -> None:
    """A key label may be 30% longer than the English, or 12 characters: the key bar
    must fit 100 columns in every language (docs/glossary.md)."""
    labels = key_labels()
    assert len(labels) > 20
    long = [(m.id, m.string) for m in catalog(folder) if m.id in labels
            and len(m.string) > max(-(-len(m.id) * 13 // 10), 12)]
    assert long == []


def test_the_update_script_finds_a_lost_brand_name() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "update_catalogs", ROOT / "scripts" / "update_catalogs.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.lost_brands("Facebook gave no token", "Fejsbuk nije dao token") == ["Facebook"]
    assert script.lost_brands("Facebook gave no token", "Facebook nije dao token") == []
    assert script.lost_brands(("on X", "on X twice"), "na mreži X") == []
    assert script.lost_brands("Export PO", "Izvezi PO") == []


@pytest.mark.parametrize("folder", TRANSLATED)
def test_every_message_is_translated_in_every_form(folder: str) -> None:
    # A plural entry with empty forms counts as translated for Babel's statistics, and
    # the interface then shows English: every form must be there.
    missing = [message.id for message in catalog(folder) if message.id
               and not all(texts(message) or [""])]
    assert missing == []
