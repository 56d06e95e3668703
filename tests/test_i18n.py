"""The interface in four languages: catalogs, script, and Kosovo's date formats."""

from __future__ import annotations

import gettext
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import regex
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from conftest import ROOT, run_cli

from publisher import i18n

LOCALES = ROOT / "locales"
CYRILLIC = regex.compile(r"\p{Cyrillic}")
PLACEHOLDER = regex.compile(r"\{[^{}]*\}")


def po_path(folder: str) -> Path:
    return LOCALES / folder / "LC_MESSAGES" / "publisher.po"


def load(folder: str):
    with po_path(folder).open("rb") as handle:
        return read_po(handle)


def frozen(value):
    """Plural ids and strings come back as lists from .mo files: make them comparable."""
    return tuple(value) if isinstance(value, list | tuple) else value


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


@pytest.mark.parametrize("folder", ["sq", "sr", "sr_Latn"])
def test_catalog_is_complete_and_keeps_placeholders(folder: str) -> None:
    template = {m.id for m in read_po((LOCALES / "messages.pot").open("rb")) if m.id}
    catalog = load(folder)
    ids = {m.id for m in catalog if m.id}
    assert template <= ids, f"{folder} lacks {len(template - ids)} messages: run the update"
    for message in catalog:
        if not message.id or message.id not in template:
            continue
        singular = message.id[0] if isinstance(message.id, tuple) else message.id
        for text in strings(message):
            assert text, f"{folder}: untranslated {singular!r}"
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(singular)), text


@pytest.mark.parametrize("folder", ["en", "sq", "sr", "sr_Latn"])
def test_compiled_catalog_matches_its_po(folder: str) -> None:
    with (po_path(folder).with_suffix(".mo")).open("rb") as handle:
        compiled = {frozen(m.id): frozen(m.string) for m in read_mo(handle) if m.id}
    source = {
        frozen(m.id): frozen(m.string)
        for m in load(folder) if m.id and not m.fuzzy and all(strings(m))
    }
    assert compiled == source, f"locales/{folder}: run 'python scripts/update_catalogs.py'"


def test_serbian_latin_catalog_has_no_cyrillic() -> None:
    for message in load("sr_Latn"):
        if message.id:
            for text in strings(message):
                assert not CYRILLIC.search(text), text


@pytest.mark.parametrize("language,script", [("sr", "cyrillic"), ("sr-Latn", "latin")])
def test_serbian_interface_in_the_right_script(home: Path, language: str, script: str) -> None:
    result = run_cli("--lang", language, "--home", str(home), "drafts", "show", "nope")
    assert result.code == 2
    has_cyrillic = bool(CYRILLIC.search(result.err.replace("'nope'", "")))
    assert has_cyrillic == (script == "cyrillic"), result.err


def test_albanian_interface(home: Path) -> None:
    result = run_cli("--lang", "sq", "--home", str(home), "drafts", "list")
    english = run_cli("--home", str(home), "drafts", "list")
    assert result.code == english.code == 0
    assert result.out != english.out


def test_ui_locale_setting_is_used(home: Path) -> None:
    (home / "publisher.toml").write_text('ui_locale = "sq"\n')
    result = run_cli("--home", str(home), "drafts", "list")
    english = run_cli("--lang", "en", "--home", str(home), "drafts", "list")
    assert result.out != english.out


def test_gettext_expansion_would_fall_back_to_cyrillic_but_we_do_not() -> None:
    i18n.set_language("sr-Latn")
    try:
        assert i18n.catalog_path("sr-Latn").parent.parent.name == "sr_Latn"
        translated = i18n.gettext("approved")
        assert not CYRILLIC.search(translated)
    finally:
        i18n.set_language("en")
    assert gettext  # the stdlib module is not what picks our catalogs


def test_dates_use_kosovo_locales_and_offsets() -> None:
    moment = datetime(2026, 11, 28, 15, 30, tzinfo=ZoneInfo("Europe/Belgrade"))
    try:
        i18n.set_language("sq")
        albanian = i18n.format_datetime(moment)
        i18n.set_language("sr")
        serbian = i18n.format_datetime(moment)
    finally:
        i18n.set_language("en")
    assert "15:30" in albanian and "PD" not in albanian.upper().split()
    assert "+01:00" in albanian
    assert "15:30" in serbian
    assert "Serbia" not in albanian + serbian


@pytest.mark.parametrize("language", ["sq", "sr"])
def test_every_queue_and_translation_state_name_is_translated(language: str) -> None:
    from publisher.domain.drafts import TranslationState
    from publisher.domain.queue import State

    with (LOCALES / language / "LC_MESSAGES" / "publisher.po").open("rb") as handle:
        catalog = read_po(handle)
    for name in [state.value for state in State] + [state.value for state in TranslationState]:
        message = catalog.get(name)
        assert message is not None and message.string, name
