"""X's weighted length, measured as twitter-text 3 measures it.

X refuses a post by this count, so publisher counts exactly as X's own
library does (its conformance suite runs in tests/test_x_text.py):

- the text is NFC-normalised first;
- a link X recognises weighs 23 (t.co) whatever its length;
- an emoji sequence (a flag, a keycap, a skin tone, a ZWJ family, an emoji
  with U+FE0F) weighs 2 in all;
- any other code point weighs 1 in the ranges of ``LIGHT_RANGES`` (Latin,
  Cyrillic and most alphabets up to U+10FF, general punctuation), else 2.

Which text is a link follows twitter-text's extractor: ``http(s)://`` or a
bare domain, after a character that is not a letter, digit, ``@``, ``$`` or
``#``; a host of labels whose last one is followed by a known top-level domain
(``x_tlds.txt``); an optional port, path and query whose last character must
be one a link can end with. A bare domain counts only for its ASCII part, and
not after ``-``, ``_``, ``.`` or ``/``. A host label longer than 63 characters
once punycoded, or a link longer than 4096, is not a link (its characters count
one by one). Directional marks (U+202A..U+202E, U+2066..U+2069, ...) end a
host and may stand before a link.

Everything runs in time linear in the text's length: the editor counts on
every key, and drafts hold up to 65,536 characters.
"""

from __future__ import annotations

import functools
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import regex

URL_WEIGHT = 23
MAX_WEIGHTED_LENGTH = 280
DEFAULT_WEIGHT = 2
# twitter-text config v3 (config/v3.json): code points weighing 1, the rest 2.
LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# X refuses a post holding one of these.
INVALID_CHARACTERS = "\ufffe\ufeff\uffff"
_MAX_URL_LENGTH = 4096
_MAX_LABEL_LENGTH = 63
_MAX_TCO_SLUG = 40

_ASCII_LETTERS_DIGITS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_PUNCTUATION = "!'#%&()*+,-./:;<=>?@[]^_{|}~$\\"
_SPACES = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u180e" + "".join(map(chr, range(0x2000, 0x200B)))
           + "\u2028\u2029\u202f\u205f\u3000")
_DIRECTIONAL_MARKS = "\u202a\u202b\u202c\u202d\u202e\u061c\u200e\u200f\u2066\u2067\u2068\u2069"
# A host label is made of any other character ("-" and "_" only inside it).
_NOT_IN_LABELS = frozenset(_PUNCTUATION + _SPACES + INVALID_CHARACTERS + _DIRECTIONAL_MARKS)
# A link never starts right after one of these.
_NOT_BEFORE_LINK = frozenset(_ASCII_LETTERS_DIGITS + "@＠$#＃" + INVALID_CHARACTERS)
# A top-level domain must not run on into one of these.
_NOT_AFTER_TLD = frozenset(_ASCII_LETTERS_DIGITS + "@+-")
_NOT_BEFORE_BARE_DOMAIN = frozenset("-_./")

_LATIN_ACCENTS = "".join(
    chr(point)
    for low, high in ((0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x24F), (0x253, 0x254), (0x256, 0x257),
                      (0x259, 0x259), (0x25B, 0x25B), (0x263, 0x263), (0x268, 0x268),
                      (0x26F, 0x26F), (0x272, 0x272), (0x289, 0x289), (0x28B, 0x28B),
                      (0x2BB, 0x2BB), (0x300, 0x36F), (0x1E00, 0x1EFF))
    for point in range(low, high + 1)
)
_CYRILLIC = "".join(map(chr, range(0x400, 0x500)))
_WORD = _ASCII_LETTERS_DIGITS + _CYRILLIC + _LATIN_ACCENTS
_PATH_CHARS = frozenset(_WORD + "!*';:=+,.$/%#[]-\u2013_~@|&")
_PATH_END_CHARS = frozenset(_WORD + "+-=_#/")
_QUERY_CHARS = frozenset(_ASCII_LETTERS_DIGITS + "!?*'@();:&=+$/%#[]-_.,~|")
_QUERY_END_CHARS = frozenset(_ASCII_LETTERS_DIGITS + "-_&=#/")
_DIGITS = frozenset("0123456789")
_PATH_RUN = regex.compile("[" + regex.escape("".join(sorted(_PATH_CHARS))) + "]*+")
_ASCII_LABEL_RUN = regex.compile("[-" + regex.escape(_ASCII_LETTERS_DIGITS + _LATIN_ACCENTS) + "]+")
_PUNYCODE_TLD = regex.compile(r"xn--[-0-9a-z]++", regex.IGNORECASE)
_PROTOCOLS = ("https://", "http://")
_INVALID = regex.compile(f"[{INVALID_CHARACTERS}]")
_PROTOCOL = regex.compile(r"https?://", regex.IGNORECASE)
_LABEL_CHAR = "[^" + regex.escape("".join(sorted(_NOT_IN_LABELS - {"-", "_"}))) + "]"
# Labels each followed by "." and then by a label character (the top-level
# domain's place); from the start of a run only, so each run is read once.
_CHAIN = regex.compile(rf"(?<!{_LABEL_CHAR})(?:({_LABEL_CHAR}++)\.)+(?={_LABEL_CHAR})")


def _read_tlds() -> frozenset[str]:
    lines = Path(__file__).with_name("x_tlds.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.lower() for line in lines if line and not line.startswith("#"))


TLDS = _read_tlds()
_TLD_FIRST_CHARS = frozenset(tld[0] for tld in TLDS)
_TLD_STARTS = _TLD_FIRST_CHARS | {char.upper() for char in _TLD_FIRST_CHARS}
_TLD_LONGEST = max(map(len, TLDS))

# Emoji sequences (Unicode TR51): a keycap, a flag, a subdivision flag, or
# emoji (with a skin tone or U+FE0F) joined by ZWJ. Possessive: no backtracking.
_EMOJI_ELEMENT = (r"(?:\p{Emoji_Modifier_Base}\p{Emoji_Modifier}|\p{Emoji_Presentation}\uFE0F?+"
                  r"|(?![#*0-9])\p{Emoji}\uFE0F)")
_EMOJI_SEQUENCE = regex.compile(
    r"[#*0-9]\uFE0F?+\u20E3"
    r"|\p{Regional_Indicator}{2}"
    r"|\U0001F3F4[\U000E0020-\U000E007E]++\U000E007F"
    rf"|{_EMOJI_ELEMENT}(?:\u200D(?:{_EMOJI_ELEMENT}|(?![#*0-9])\p{{Emoji}}))*+"
)
_LIGHT_RUN = regex.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in LIGHT_RANGES) + "]+"
)


@functools.lru_cache(maxsize=4096)
def _tld_lengths(word: str) -> tuple[int, ...]:
    """The lengths of the known top-level domains that ``word`` starts with, longest first."""
    return tuple(length for length in range(len(word), 0, -1) if word[:length].lower() in TLDS)


def _tld_end(text: str, start: int, limit: int) -> int | None:
    """The end of the known top-level domain at ``start`` of ``text[:limit]``, if one is there.

    The longest one that does not run on into a letter, digit, "@", "+" or "-"
    (twitter-text's list has the longer of two such domains first), else a
    punycode one ("xn--...").
    """
    if start >= limit or text[start].lower() not in _TLD_FIRST_CHARS:
        return None
    stop, last = start, min(limit, start + _TLD_LONGEST)
    while stop < last and text[stop] not in _NOT_IN_LABELS:  # a domain ends with its label
        stop += 1
    for length in _tld_lengths(text[start:stop]):
        end = start + length
        if end == limit or text[end] not in _NOT_AFTER_TLD:
            return end
    if text[start:start + 4].lower() != "xn--":
        return None
    punycode = _PUNYCODE_TLD.match(text, start, limit)
    return punycode.end() if punycode else None


class _Hosts:
    """Where a host that starts at a given position of ``text`` ends, if one does.

    A host is labels each followed by "." and then a known top-level domain;
    labels start and end with a label character; the last label has no "_".
    With several top-level domains along the way the last one counts. Only
    chains of "label." matter: a regex finds them (from the start of a run of
    label characters only, so each is read once), and ``deepest[i]`` is the
    last label that can end a host whose first label is the whole label ``i``,
    computed from the right.
    """

    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []
        for chain in _CHAIN.finditer(text):  # each label's place, as the regex captured it
            self.starts += chain.starts(1)
            self.ends += chain.ends(1)
        count = len(self.starts)
        # Whether label i + 1 follows label i's "." (the same chain).
        self.linked = [start == end + 1 for end, start in zip(self.ends, self.starts[1:],
                                                              strict=False)] + [False]
        # The end of the top-level domain right after label i's ".", if there is one.
        self.tld_ends = [_tld_end(text, end + 1, len(text)) if text[end + 1] in _TLD_STARTS
                         else None for end in self.ends]
        self.deepest: list[int | None] = [None] * count
        # Whether a host can start somewhere in label i (cheap to rule out most).
        self.may_start = [False] * count
        if all(end is None for end in self.tld_ends):
            return  # no top-level domain anywhere: no host ("1.1.1...", dates)
        for index in range(count - 1, -1, -1):
            if self.tld_ends[index] is None and (
                    not self.linked[index] or self.deepest[index + 1] is None):
                continue
            self.may_start[index] = True
            self.deepest[index] = self._deepest_from(index, self.starts[index])

    def _deepest_from(self, label: int, start: int) -> int | None:
        """The label that ends the host when the first label is ``text[start:end of label]``."""
        text, end = self.text, self.ends[label]
        if text[start] in _NOT_IN_LABELS or text[end - 1] in _NOT_IN_LABELS:
            return None
        if self.linked[label]:
            deeper = self.deepest[label + 1]
            if deeper is not None:
                return deeper
        if self.tld_ends[label] is not None and text.rfind("_", start, end) < 0:
            return label
        return None

    def label_at(self, position: int) -> int | None:
        label = bisect_right(self.starts, position) - 1
        return label if label >= 0 and position < self.ends[label] else None

    def end_of(self, start: int) -> int | None:
        """The end of the host that starts at ``start``, or None."""
        label = self.label_at(start)
        if label is None:
            return None
        last = self._deepest_from(label, start)
        return None if last is None else self.tld_ends[last]


@dataclass(frozen=True)
class _Found:
    """One place twitter-text's link pattern matches, before the link's own checks."""

    before: str         # the character just before the link ("" at the start of the text)
    start: int
    protocol: str       # "" for a bare domain
    host_end: int
    has_path: bool
    end: int


def _balanced_end(text: str, start: int) -> int | None:
    """The end of "(...)" at ``start``: path characters inside, one level of nesting."""
    inner = _skip(text, start + 1, _PATH_CHARS)
    if inner > start + 1 and text[inner:inner + 1] == ")":
        return inner + 1
    if text[inner:inner + 1] != "(":
        return None
    nested = _skip(text, inner + 1, _PATH_CHARS)
    if nested == inner + 1 or text[nested:nested + 1] != ")":
        return None
    after = _skip(text, nested + 1, _PATH_CHARS)
    return after + 1 if text[after:after + 1] == ")" else None


def _skip(text: str, start: int, chars: frozenset[str]) -> int:
    end = start
    while end < len(text) and text[end] in chars:
        end += 1
    return end


def _path_end(text: str, start: int) -> int:
    """The end of a path whose "/" ends at ``start``: at its last character a link may end with."""
    position = good = start
    while True:
        run = _PATH_RUN.match(text, position)
        run_end = run.end() if run else position  # the pattern matches "" too: never None
        last = run_end
        while last > position and text[last - 1] not in _PATH_END_CHARS:
            last -= 1
        good = max(good, last)
        if text[run_end:run_end + 1] != "(" or (group := _balanced_end(text, run_end)) is None:
            return good
        position = good = group


def _query_end(text: str, start: int) -> int | None:
    """The end of a query whose "?" ends at ``start``, or None when it has no valid end."""
    position, good = start, None
    while position < len(text) and text[position] in _QUERY_CHARS:
        position += 1
        if text[position - 1] in _QUERY_END_CHARS:
            good = position
    return good


def _tail_end(text: str, host_end: int) -> tuple[int, bool]:
    """The end of the port, path and query after a host, and whether there is a path."""
    position = host_end
    if text[position:position + 1] == ":" and text[position + 1:position + 2] in _DIGITS:
        position = _skip(text, position + 1, _DIGITS)
    has_path = text[position:position + 1] == "/"
    if has_path:
        position = _path_end(text, position + 1)
    if text[position:position + 1] == "?":
        position = _query_end(text, position + 1) or position
    return position, has_path


def _found_at(text: str, hosts: _Hosts, start: int) -> _Found | None:
    before = text[start - 1] if start else ""
    for protocol in _PROTOCOLS:
        if text[start:start + len(protocol)].lower() == protocol:
            host_end = hosts.end_of(start + len(protocol))
            if host_end is not None:
                end, has_path = _tail_end(text, host_end)
                return _Found(before, start, text[start:start + len(protocol)], host_end,
                              has_path, end)
    host_end = hosts.end_of(start)
    if host_end is None:
        return None
    end, has_path = _tail_end(text, host_end)
    return _Found(before, start, "", host_end, has_path, end)


def _found(text: str) -> Iterator[_Found]:
    """Each match of twitter-text's link pattern, left to right, as a regex search finds them.

    A link starts after a character allowed before it (which the search takes
    with it) or at the very start; at the start of the text, a link after the
    first character is preferred (the search tries that alternative first).
    Only the labels of a chain and the starts of "http(s)://" can start one.
    """
    hosts = _Hosts(text)
    places = sorted([
        *((start, end) for start, end, may in zip(hosts.starts, hosts.ends, hosts.may_start,
                                                  strict=True) if may),
        *((found.start(), found.start() + 1) for found in _PROTOCOL.finditer(text)),
    ])
    searched_to = 0
    for place_start, place_end in places:
        if place_end <= searched_to:
            continue
        first = place_start if searched_to == 0 else max(place_start, searched_to + 1)
        for start in range(first, place_end):
            found = None
            if start == 0 and len(text) > 1 and text[0] not in _NOT_BEFORE_LINK:
                found = _found_at(text, hosts, 1)
            if found is None and (start == 0 or text[start - 1] not in _NOT_BEFORE_LINK):
                found = _found_at(text, hosts, start)
            if found is not None:
                yield found
                searched_to = found.end
                break


def _ascii_hosts(host: str) -> list[tuple[int, int]]:
    """The ASCII hosts inside a bare host (a bare link counts only for those)."""
    starts: list[int] = []
    ends: list[int] = []
    for run in _ASCII_LABEL_RUN.finditer(host):
        starts.append(run.start())
        ends.append(run.end())
    deepest: list[int | None] = [None] * len(starts)
    for index in range(len(starts) - 1, -1, -1):
        if host[ends[index]:ends[index] + 1] != ".":
            continue
        if index + 1 < len(starts) and starts[index + 1] == ends[index] + 1:
            deepest[index] = deepest[index + 1]
        if deepest[index] is None and _tld_end(host, ends[index] + 1, len(host)) is not None:
            deepest[index] = index
    spans: list[tuple[int, int]] = []
    searched_to = 0
    for index, last in enumerate(deepest):
        if last is None or ends[index] <= searched_to:
            continue
        tld_end = _tld_end(host, ends[last] + 1, len(host))
        assert tld_end is not None  # deepest only records runs followed by a top-level domain
        spans.append((max(starts[index], searched_to), tld_end))
        searched_to = tld_end
    return spans


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _label_length(label: str) -> int:
    """The label's length once punycoded (an ASCII label is kept as it is)."""
    if label.isascii() or len(label) > _MAX_LABEL_LENGTH:
        return len(label)  # punycode never makes a label shorter
    return len("xn--") + len(label.encode("punycode"))


def _host_is_valid(host: str) -> bool:
    if host.startswith("xn--") and not _ascii_hosts(host):
        return False
    return all(1 <= _label_length(label) <= _MAX_LABEL_LENGTH for label in host.split("."))


def _tco_end(text: str, found: _Found) -> int | None:
    """Where a t.co link ends (its slug and query only); None when the slug is too long."""
    slug_start = found.start + len(found.protocol) + len("t.co/")
    if text[found.start + len(found.protocol):slug_start].lower() != "t.co/":
        return found.end
    slug_end = _skip(text, slug_start, frozenset(_ASCII_LETTERS_DIGITS))
    if slug_end == slug_start:
        return found.end
    if slug_end - slug_start > _MAX_TCO_SLUG:
        return None
    if text[slug_end:slug_end + 1] == "?":
        slug_end = _query_end(text, slug_end + 1) or slug_end
    return min(slug_end, found.end)


def x_link_spans(text: str) -> list[tuple[int, int]]:
    """Where X sees links in ``text`` (code-point offsets), as twitter-text extracts them."""
    if "." not in text:
        return []
    spans: list[tuple[int, int]] = []
    for found in _found(text):
        host = text[found.start + len(found.protocol):found.host_end]
        link = text[found.start:found.end]
        protocol = found.protocol or "https://"
        if (not _host_is_valid(host)
                or len(protocol) + _utf16_length(link) > _MAX_URL_LENGTH):
            continue
        if found.protocol:
            end = _tco_end(text, found)
            if end is not None:
                spans.append((found.start, end))
            continue
        if found.before and found.before in _NOT_BEFORE_BARE_DOMAIN:
            continue
        inner = [(found.start + start, found.start + end) for start, end in _ascii_hosts(host)]
        if inner and found.has_path:
            inner[-1] = (inner[-1][0], found.end)
        spans.extend(inner)
    return spans


def _code_point_weight(text: str) -> int:
    light = sum(map(len, _LIGHT_RUN.findall(text)))
    return light + DEFAULT_WEIGHT * (len(text) - light)


def _plain_weight(text: str, *, emoji_sequences: bool) -> int:
    total = _code_point_weight(text)
    if emoji_sequences and not text.isascii():  # every emoji has a character past ASCII
        for emoji in _EMOJI_SEQUENCE.findall(text):
            total += DEFAULT_WEIGHT - _code_point_weight(emoji)
    return total


def x_weighted_length(text: str, *, emoji_sequences: bool = True) -> int:
    """X's weighted length of ``text`` (twitter-text config v3).

    ``emoji_sequences=False`` weighs each code point of an emoji on its own, as
    twitter-text's config v2 did (its conformance suite still has those cases).
    """
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for start, end in x_link_spans(text):
        total += _plain_weight(text[position:start], emoji_sequences=emoji_sequences) + URL_WEIGHT
        position = end
    return total + _plain_weight(text[position:], emoji_sequences=emoji_sequences)


def x_invalid_characters(text: str) -> list[str]:
    """The characters of ``text`` that X refuses in a post, once each, in order."""
    return list(dict.fromkeys(_INVALID.findall(text)))
