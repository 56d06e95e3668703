"""Content locales, their BCP 47 tags, and source-text fingerprints.

Files use BCP 47 tags: ``sq``, ``en``, ``sr`` (Cyrillic) and ``sr-Latn``.
Each adapter maps them to what its API wants.
"""

from __future__ import annotations

import hashlib
import unicodedata

from publisher.domain.errors import UserError

SUPPORTED: tuple[str, ...] = ("sq", "en", "sr", "sr-Latn")

# What people type for a locale, lower-cased, mapped to the tag we store.
_ALIASES = {
    "sq": "sq",
    "sq-xk": "sq",
    "sq_xk": "sq",
    "en": "en",
    "sr": "sr",
    "sr-cyrl": "sr",
    "sr_cyrl": "sr",
    "sr-latn": "sr-Latn",
    "sr_latn": "sr-Latn",
}

LOCALE_NAMES = {
    "sq": "Albanian",
    "en": "English",
    "sr": "Serbian (Cyrillic)",
    "sr-Latn": "Serbian (Latin)",
}

DERIVED_FROM = {"sr-Latn": "sr"}
"""A locale that can be derived by machine from another one when not written by hand."""


def normalize_locale(text: str) -> str:
    """Return the BCP 47 tag for ``text`` or raise :class:`UserError`."""
    tag = _ALIASES.get(text.strip().lower())
    if tag is None:
        raise UserError(
            f"unknown locale {text!r}",
            hint="use one of " + ", ".join(SUPPORTED),
        )
    return tag


def parse_locale_list(text: str) -> list[str]:
    """Parse ``"en,sq"`` into ``["en", "sq"]``; a locale given twice is an error."""
    tags: list[str] = []
    for part in text.split(","):
        if part.strip():
            tag = normalize_locale(part)
            if tag in tags:
                raise UserError(f"locale {tag} is listed twice", hint="e.g. sq,en,sr")
            tags.append(tag)
    if not tags:
        raise UserError("empty locale list", hint="e.g. sq,en,sr")
    return tags


def normalized_text(text: str) -> str:
    """The form texts are compared and fingerprinted in: NFC, no outer whitespace."""
    return unicodedata.normalize("NFC", text).strip()


def fingerprint(source_text: str) -> str:
    """Eight hex digits identifying a source text (``from_source`` in drafts)."""
    digest = hashlib.sha256(normalized_text(source_text).encode("utf-8"))
    return digest.hexdigest()[:8]
