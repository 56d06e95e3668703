"""One way to compare what a person typed with what a screen shows.

People type on whatever keyboard they have: a Serbian Cyrillic layout, a
Latin one without č, ć, đ, š, ž, or an English one without ë and ç. A search
should find "Zamrzni" from ``замрз``, "Косово" from ``Kosovo`` and "përgjigje"
from ``pergjigje``. So both the query and the text are *folded* the same way:

- Serbian Cyrillic becomes Serbian Latin (publisher's own transliterator);
- case is folded (``str.casefold``);
- diacritics are dropped: ë→e, ç→c, č/ć→c, š→s, ž→z, dž→dz;
- đ becomes d, and a "dj" becomes d too, so that both ways of typing đ
  without the letter ("Djakovica", "Dakovica") find "Đakovica". This is the
  one change folding makes to plain ASCII text; both sides are folded alike,
  so it costs nothing but a rare extra match.

``fold_with_origins`` also says where each folded character came from, so a
screen can highlight the matched letters of the original text.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

from publisher.domain.serbian import to_latin

# Stroked letters have no decomposition to strip: đ is the one Serbian needs.
_STROKED = {"đ": "d"}


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """One character folded: transliterated, case-folded, without marks.

    Folded again until nothing changes: dropping a mark can reveal a letter to
    transliterate (Macedonian Ќ is к with an acute) and NFKD a capital."""
    text = _fold_once(char)
    for _round in range(3):
        again = _fold_once(text)
        if again == text:
            break
        text = again
    return text


def _fold_once(text: str) -> str:
    text = to_latin(text).casefold()
    text = "".join(_STROKED.get(c, c) for c in unicodedata.normalize("NFKD", text))
    return "".join(c for c in text if not unicodedata.combining(c))


def fold_with_origins(text: str) -> tuple[str, list[int]]:
    """``text`` folded, and for each folded character the index it came from."""
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        for folded in _fold_char(char):
            if folded == "j" and chars and chars[-1] == "d":
                continue  # "dj" reads as đ, which folds to "d"
            chars.append(folded)
            origins.append(index)
    return "".join(chars), origins


class _FoldTable(dict):
    """``str.translate``'s table, filled as characters are met (one C loop per text)."""

    def __missing__(self, ordinal: int) -> str:
        folded = self[ordinal] = _fold_char(chr(ordinal))
        return folded


_TABLE = _FoldTable()
_DJ = regex.compile(r"dj+")


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """``text`` as searches compare it (see the module's docstring).

    The same as ``fold_with_origins(text)[0]``, in C loops: the drafts filter
    folds every draft's title once.
    """
    return _DJ.sub("d", text.translate(_TABLE))


def folded_contains(haystack: str, query: str) -> bool:
    """Whether ``query`` appears in ``haystack`` once both are folded."""
    return fold(query) in fold(haystack)
