"""Refresh the interface catalogs: extract, update, derive sr_Latn, compile.

    python scripts/update_catalogs.py

The Serbian Latin catalog is not translated by hand: it is the Cyrillic one
transliterated by publisher's own Serbian module (placeholders, commands and
URLs are ASCII and stay as they are), so the two never drift apart. The
transliteration skips NFKC (it would turn "…" into "..."), and brand names
(Facebook, Bluesky…) must be written in Latin in the Cyrillic catalog, as in
English: the script stops and lists any translation that lost one.

Translators: docs/glossary.md holds the terms; new messages arrive untranslated
in locales/*/LC_MESSAGES/publisher.po after this script runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import regex
from babel import Locale
from babel.messages.pofile import read_po, write_po

from publisher.domain.serbian import to_latin

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"

# Names of platforms: never translated, declined or transliterated ("Fejsbuk").
BRANDS = ("Facebook", "Bluesky", "LinkedIn", "Threads", "Instagram", "Mastodon",
          "Telegram", "X")


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def lost_brands(message_id: str | tuple[str, ...], translation: str) -> list[str]:
    """The brand names the English text names and its translation does not keep."""
    english = message_id[0] if isinstance(message_id, tuple | list) else message_id
    return [brand for brand in BRANDS
            if regex.search(rf"\b{brand}\b", english)
            and not regex.search(rf"\b{brand}\b", translation)]


def _latin(text: str) -> str:
    return to_latin(text, normalize=False) if text else text


def derive_sr_latn() -> None:
    with (LOCALES / "sr" / "LC_MESSAGES" / "publisher.po").open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, tuple | list):
            message.string = tuple(_latin(text) for text in message.string)
        else:
            message.string = _latin(message.string)
        for text in (message.string if isinstance(message.string, tuple) else [message.string]):
            if text and (lost := lost_brands(message.id, text)):
                problems.append(f"  {', '.join(lost)}: {text[:70]!r}")
    if problems:
        sys.exit("locales/sr: write these brand names in Latin, as in English:\n"
                 + "\n".join(problems))
    catalog.locale = Locale.parse("sr_Latn")
    catalog.language_team = "Serbian (Latin)"
    with (LOCALES / "sr_Latn" / "LC_MESSAGES" / "publisher.po").open("wb") as handle:
        write_po(handle, catalog, width=76)


def fill_english_plurals() -> None:
    """English is the source language: its plural entries read as their own ids.

    (pybabel compiles an empty plural translation as the ids anyway; writing
    them out keeps the .po and the .mo saying the same thing.)
    """
    path = LOCALES / "en" / "LC_MESSAGES" / "publisher.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id and isinstance(message.id, tuple | list) and not all(message.string):
            message.string = tuple(message.id)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=76)


def main() -> None:
    pybabel("extract", "-F", "pyproject.toml", "-k", "_", "-k", "gettext", "-k", "ngettext:1,2",
            "-k", "N_", "--no-location", "--sort-output", "--project", "publisher",
            "-o", "locales/messages.pot", "publisher")
    pybabel("update", "-i", "locales/messages.pot", "-d", "locales", "-D", "publisher",
            "--no-fuzzy-matching")
    derive_sr_latn()
    fill_english_plurals()
    pybabel("compile", "-d", "locales", "-D", "publisher", "--statistics")


if __name__ == "__main__":
    main()
