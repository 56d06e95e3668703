"""Serbian Cyrillic <-> Latin transliteration, done right for real posts.

The published libraries get the hard cases wrong, so this is our own:

- NFKC first, so the compatibility digraphs ǉ ǈ Ǉ ǌ ǋ Ǌ ǆ ǅ Ǆ become letters;
- љ њ џ become lj nj dž, and a capital Љ Њ Џ is "Lj" in a word written in
  lower case (Љубав -> Ljubav) and "LJ" in one written in capitals
  (ЉУБАВ -> LJUBAV). A lone capital (an initial, a one-letter word) looks at
  its neighbours: "LJ" when the letter before or after is a capital,
  otherwise "Lj";
- URLs, e-mail addresses, @handles and #hashtags are identifiers and are
  left exactly as written;
- Latin -> Cyrillic knows the words where lj, nj, dž are two sounds across a
  prefix (nadživeti, podžanr, injekcija, konjunkcija, vanjezički) and that dj
  is always д + ј (odjednom); its output is always marked for review.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

import regex

_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž",
    "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n",
    "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u",
    "ф": "f", "х": "h", "ц": "c", "ч": "č", "џ": "dž", "ш": "š",
}
_DIGRAPHS = {"Љ": ("Lj", "LJ"), "Њ": ("Nj", "NJ"), "Џ": ("Dž", "DŽ")}

# Identifiers that must never be transliterated. An e-mail address starts
# where a run of address characters starts (or where the previous match
# ended): a later start in the run would reach the same "@", so it would match
# only if the first did, and trying each one is quadratic in the run.
_PROTECTED = regex.compile(
    r"(?:https?://|www\.)[^\s<>\"]+"            # URLs
    r"|(?:(?<![\w.+-])|\G)[\w.+-]++@[\w-]++(?:\.[\w-]++)++"  # e-mail addresses
    r"|(?<![\w@])@[\w.]+(?:@[\w.-]+\w)?"        # @handles (Mastodon's too)
    r"|(?<![\w&])#\w+",                         # #hashtags
    regex.IGNORECASE,
)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Where the URLs, e-mail addresses, @handles and #hashtags of ``text`` are."""
    return [match.span() for match in _PROTECTED.finditer(text)]


def _map_outside(text: str, convert) -> str:
    parts, position = [], 0
    for start, end in protected_spans(text):
        parts.append(convert(text[position:start]))
        parts.append(text[start:end])
        position = end
    parts.append(convert(text[position:]))
    return "".join(parts)


def _is_upper_letter(char: str) -> bool:
    return char.isalpha() and char.isupper()


def _latin_chunk(text: str) -> str:
    out = []
    words: _Words | None = None
    for index, char in enumerate(text):
        lower = char.lower()
        if lower not in _TO_LATIN:
            out.append(char)
            continue
        if char in _DIGRAPHS:
            words = words or _Words(text)
            out.append(_capital_digraph(text, index, words))
        elif char.isupper():
            out.append(_TO_LATIN[lower].upper())
        else:
            out.append(_TO_LATIN[lower])
    return "".join(out)


_WORD_OF_TWO = regex.compile(r"\p{L}{2,}")


class _Words:
    """The words of two or more letters of a text, found once (not once per capital)."""

    def __init__(self, text: str):
        self.spans = [match.span() for match in _WORD_OF_TWO.finditer(text)]
        self.starts = [start for start, _end in self.spans]

    def before(self, index: int) -> tuple[int, int] | None:
        """The last word of two letters in ``text[:index]`` (a word it cuts counts cut)."""
        at = bisect_left(self.starts, index) - 1
        if at >= 0 and self.spans[at][1] > index:  # the word holding the capital itself
            if index - self.spans[at][0] >= 2:
                return self.spans[at][0], index
            at -= 1
        return self.spans[at] if at >= 0 else None

    def after(self, index: int) -> tuple[int, int] | None:
        """The first word of two letters that starts after ``index``."""
        at = bisect_left(self.starts, index + 1)
        return self.spans[at] if at < len(self.spans) else None


def _capital_digraph(text: str, index: int, words: _Words) -> str:
    title, caps = _DIGRAPHS[text[index]]
    after = text[index + 1] if index + 1 < len(text) else ""
    if after.isalpha():
        return caps if after.isupper() else title
    # A lone capital (an initial, a one-letter word) follows the nearest word
    # of two or more letters: "ВЕЛИКО Љ" -> "VELIKO LJ", "Љ. Петровић" -> "Lj.".
    span = words.before(index) or words.after(index)
    neighbour = text[span[0]:span[1]] if span else ""
    return caps if neighbour.isupper() else title


# Capital compatibility digraphs: NFKC would make Ǆ "DŽ" even before a
# lower-case letter, so they take their case from the next letter first.
_COMPAT_CAPITALS = {"Ǆ": ("Dž", "DŽ"), "Ǉ": ("Lj", "LJ"), "Ǌ": ("Nj", "NJ")}


def nfkc(text: str) -> str:
    """NFKC, with capital compatibility digraphs cased by their neighbour."""
    if any(char in text for char in _COMPAT_CAPITALS):
        chars = []
        for index, char in enumerate(text):
            forms = _COMPAT_CAPITALS.get(char)
            if forms:
                after = text[index + 1] if index + 1 < len(text) else ""
                char = forms[0] if after.isalpha() and after.islower() else forms[1]
            chars.append(char)
        text = "".join(chars)
    return unicodedata.normalize("NFKC", text)


def to_latin(text: str, *, normalize: bool = True) -> str:
    """Serbian Cyrillic to Serbian Latin (Gaj's alphabet).

    ``normalize=False`` skips NFKC, which would also turn "…" into "..." and a
    no-break space into a space: for texts (like the UI catalogs) that hold no
    compatibility digraphs and whose typography is deliberate.
    """
    if normalize:
        text = nfkc(text)
    return _map_outside(text, _latin_chunk)


# Latin -> Cyrillic

_TO_CYRILLIC = {latin: cyr for cyr, latin in _TO_LATIN.items()}
_SINGLE = {k: v for k, v in _TO_CYRILLIC.items() if len(k) == 1}
_SINGLE["đ"] = "ђ"

# Word starts where lj / nj / dž are two sounds (a prefix boundary or a loan
# word), in lower case. Kept small and documented: the output is reviewed.
SPLIT_DIGRAPH_STEMS: tuple[str, ...] = (
    "nadživ", "nadžnj", "nadžanj", "podžanr", "podžnj", "podžan", "odživ", "odžal",
    "predživot", "injekc", "injekt", "injunkc", "konjunk", "konjug", "vanjezi",
    "izvanjezi", "panjevrop",
)
_SPLIT = SPLIT_DIGRAPH_STEMS
_WORD = regex.compile(r"\p{L}+")


@dataclass(frozen=True)
class Transliteration:
    text: str
    needs_review: bool
    notes: tuple[str, ...] = ()


def _split_points(word: str) -> set[int]:
    """Indexes in ``word`` where a digraph's two letters must stay apart."""
    lower = word.lower()
    points = set()
    for stem in _SPLIT:
        if lower.startswith(stem):
            for digraph in ("lj", "nj", "dž"):
                at = stem.find(digraph)
                if at >= 0:
                    points.add(at)
    return points


def _cyrillic_word(word: str, notes: list[str]) -> str:
    splits = _split_points(word)
    if splits:
        notes.append(f"prefix split: {word}")
    if word[:2].lower() == "dj":
        notes.append(f"dj read as д+ј (check if đ was meant): {word}")
    out, index = [], 0
    while index < len(word):
        pair = word[index:index + 2]
        if pair.lower() in ("lj", "nj", "dž") and index not in splits:
            cyr = _TO_CYRILLIC[pair.lower()]
            out.append(cyr.upper() if pair[0].isupper() else cyr)
            index += 2
            continue
        char = word[index]
        single = _SINGLE.get(char.lower())
        out.append(char if single is None else (single.upper() if char.isupper() else single))
        index += 1
    return "".join(out)


def to_cyrillic(text: str) -> Transliteration:
    """Serbian Latin to Cyrillic, always marked as needing a person's review."""
    text = nfkc(text)
    notes: list[str] = []

    def convert(chunk: str) -> str:
        return _WORD.sub(lambda m: _cyrillic_word(m.group(0), notes), chunk)

    result = _map_outside(text, convert)
    changed = result != text
    return Transliteration(result, needs_review=changed, notes=tuple(notes))
