"""Each platform's own length rule, as pure functions.

Used at schedule time (a post that cannot go out is refused before it is
queued) and by the editor's live counter on every keystroke, so every regex
is compiled once at import.

Sources (each platform's documentation):
- X: twitter-text configuration v3, as ``x_text`` measures it (NFC first;
  code points up to U+10FF and general punctuation weigh 1, all others 2; an
  emoji sequence weighs 2 in total; every link X recognises weighs 23);
  limit 280 weighted characters; U+FFFE, U+FEFF and U+FFFF are refused.
- Mastodon: grapheme clusters; every http(s) URL counts 23; a mention
  ``@user@domain`` counts as ``@user``; the instance sets the limit
  (``configuration.statuses.max_characters`` of /api/v2/instance, 500 default).
- Bluesky: at most 300 graphemes and 3000 UTF-8 bytes; URLs count in full.
- Telegram: 4096 characters of message text, 1024 of a media caption,
  counted as UTF-16 code units (how the Bot API measures entities).
- Facebook page posts: 63,206 characters.
- Instagram: captions up to 2200 characters and at most 30 hashtags; a post
  needs an image.
- Threads: 500 characters, emoji counted as their UTF-8 byte length;
  at most 5 links.
- LinkedIn: 3000 characters of commentary.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

import regex

from publisher.i18n import _

PLATFORMS: tuple[str, ...] = (
    "x", "mastodon", "bluesky", "facebook", "instagram", "threads", "telegram", "linkedin",
    "outbox",
)

WARN_RATIO = 0.9  # the editor's counter turns red from here on

_LIMITS = {
    "x": 280,
    "mastodon": 500,
    "bluesky": 300,
    "facebook": 63206,
    "instagram": 2200,
    "threads": 500,
    "telegram": 4096,
    "linkedin": 3000,
    "outbox": 100_000,
}
# The longest text publisher takes in a variant (and a PO entry): above every
# platform's limit (Facebook's 63,206 is the highest), so a longer text can
# never be posted and is refused early, before any check runs on it.
MAX_TEXT_CHARS = 65_536
TELEGRAM_CAPTION_LIMIT = 1024
BLUESKY_BYTE_LIMIT = 3000
INSTAGRAM_MAX_HASHTAGS = 30
THREADS_MAX_LINKS = 5
# X counts every link as 23 (twitter-text v3's transformedURLLength; x_text.URL_WEIGHT,
# kept equal by a test). x_text itself is imported when an X text is counted: it builds
# its TLD table and patterns on import, which a flush with nothing for X never needs.
X_URL_WEIGHT = 23
MASTODON_URL_WEIGHT = 23

_NAMES = {
    "x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "facebook": "Facebook",
    "instagram": "Instagram", "threads": "Threads", "telegram": "Telegram",
    "linkedin": "LinkedIn", "outbox": "the outbox",
}

_TLDS = (
    "com|net|org|edu|gov|int|info|eu|io|co|me|tv|app|dev|news|online|org|social|"
    "al|xk|rs|de|ch|at|uk|us|fr|it|ba|mk|me|hr|si|tr|be|nl|se|no"
)
# A link is "http(s)://..." or "www...." up to a space, or a bare domain
# ("example.org/path": labels, a known TLD, an optional path), starting where
# no letter, digit, "_", "@" or "." precedes it. The bare domain is found by
# _Domains in linear time: as one regex it backtracks over every start inside
# a long run such as "a-a-a-...", and over every label of "1.1.1.1...".
_LINK_START = regex.compile(r"(?<![\w@.])[a-z0-9]", regex.IGNORECASE)
_SCHEME_OR_WWW = regex.compile(r"(?:https?://|www\.)[^\s<>\"]++", regex.IGNORECASE)
_DOMAIN_RUN = regex.compile(r"[a-z0-9.-]++", regex.IGNORECASE)
_TLD = regex.compile(rf"(?:{_TLDS})\b", regex.IGNORECASE)
_PATH = regex.compile(r"/[^\s<>\"]*+")
_SCHEME_URL = regex.compile(r"https?://[^\s<>\"]++", regex.IGNORECASE)
_TRAILING = ".,;:!?'\")]}"
# Possessive: the local part runs up to the second "@", so it has nothing to give back.
_MASTODON_MENTION = regex.compile(r"(?<![\w/])@(\w[\w.-]*+)(?<=\w)@[\w.-]+\w", regex.UNICODE)
_HASHTAG = regex.compile(r"(?<![\w&/#])[#＃](\w*\p{L}[\w·]*)", regex.UNICODE)
_GRAPHEME = regex.compile(r"\X")
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]")


@dataclass(frozen=True)
class TextCount:
    platform: str
    used: int
    limit: int
    unit: str
    problems: tuple[str, ...] = ()

    @property
    def remaining(self) -> int:
        return self.limit - self.used

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def near_limit(self) -> bool:
        return self.used >= self.limit * WARN_RATIO


def _strip_trailing(url: str) -> str:
    """Without trailing punctuation; a ")" stays while it closes an "(" of the URL."""
    end = len(url)
    excess = url.count(")") - url.count("(")
    while end and url[end - 1] in _TRAILING:
        if url[end - 1] == ")":
            if excess <= 0:
                break
            excess -= 1
        end -= 1
    return url[:end]


class _Domains:
    """Where a bare domain that starts at a given position of ``text`` ends.

    A domain is one or more labels (letters, digits and inner hyphens) each
    followed by a ".", then a known TLD that ends a word, then an optional
    "/path"; with several TLDs along the way the last one counts
    ("bbc.co.uk"). Runs of [a-z0-9.-] are cut into dot-separated segments
    once; ``last_tld[j]`` is the last segment ``m >= j`` after which a TLD
    follows when segments ``j+1..m`` are labels, computed from the right.
    """

    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] = []  # each segment's start and end
        self.ends: list[int] = []
        self.last_tld: list[int | None] = []
        for run in _DOMAIN_RUN.finditer(text):
            self._add_run(run.start(), run.group(0))

    def _add_run(self, offset: int, run: str) -> None:
        first = len(self.starts)
        for segment in run.split("."):
            self.starts.append(offset)
            self.ends.append(offset + len(segment))
            offset += len(segment) + 1
        count = len(self.starts) - first
        best: list[int | None] = [None] * count
        for index in range(count - 2, -1, -1):  # the last segment has no "." after it
            here = first + index
            tld = _TLD.match(self.text, self.starts[here + 1])
            best[index] = first + index if tld else None
            if index + 1 < count - 1 and self._is_label(here + 1) and best[index + 1] is not None:
                best[index] = best[index + 1]
        self.last_tld.extend(best)

    def _is_label(self, segment: int) -> bool:
        start, end = self.starts[segment], self.ends[segment]
        return start < end and self.text[start] != "-" and self.text[end - 1] != "-"

    def end_of(self, start: int) -> int | None:
        """The end of the domain (and path) starting at ``start`` (a letter or digit)."""
        segment = bisect_right(self.starts, start) - 1
        last = self.last_tld[segment]
        if last is None or self.text[self.ends[segment] - 1] == "-":
            return None
        tld = _TLD.match(self.text, self.starts[last + 1])
        assert tld is not None  # last_tld only records segments that are a TLD
        end = tld.end()
        path = _PATH.match(self.text, end)
        return path.end() if path else end


def _link_matches(text: str) -> list[tuple[int, int]]:
    """The links as found, from left to right, before trailing punctuation is cut."""
    domains: _Domains | None = None
    spans: list[tuple[int, int]] = []
    position = 0
    for candidate in _LINK_START.finditer(text):
        start = candidate.start()
        if start < position:
            continue
        found = _SCHEME_OR_WWW.match(text, start)
        if found:
            end: int | None = found.end()
        else:
            domains = domains or _Domains(text)
            end = domains.end_of(start)
        if end is not None:
            spans.append((start, end))
            position = end
    return spans


def _url_spans(text: str, *, scheme_only: bool = False) -> list[tuple[int, int]]:
    found = ([match.span() for match in _SCHEME_URL.finditer(text)] if scheme_only
             else _link_matches(text))
    return [(start, start + len(_strip_trailing(text[start:end]))) for start, end in found]


def grapheme_count(text: str) -> int:
    """User-perceived characters (Unicode extended grapheme clusters)."""
    return len(_GRAPHEME.findall(text))


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where the links are (code-point offsets), as the platforms detect them."""
    return _url_spans(text)


def hashtag_spans(text: str) -> list[tuple[int, int]]:
    """Where the hashtags are (code-point offsets, the # included), outside links."""
    without_urls = _blank_spans(text, _url_spans(text))
    return [match.span() for match in _HASHTAG.finditer(without_urls)]


def count_hashtags(text: str) -> int:
    without_urls = _blank_spans(text, _url_spans(text))
    return len(_HASHTAG.findall(without_urls))


def count_links(text: str) -> int:
    return len({text[a:b].lower() for a, b in _url_spans(text)})


def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for index in range(start, end):
            chars[index] = " "
    return "".join(chars)


def mastodon_length(text: str) -> int:
    """Mastodon's count: graphemes, URLs as 23, remote mentions as their local part."""
    text = _MASTODON_MENTION.sub(lambda m: "@" + m.group(1), text)
    total, position = 0, 0
    for start, end in _url_spans(text, scheme_only=True):
        total += grapheme_count(text[position:start]) + MASTODON_URL_WEIGHT
        position = end
    return total + grapheme_count(text[position:])


def threads_length(text: str) -> int:
    """Threads: characters, with each emoji counted as its UTF-8 bytes."""
    return sum(
        utf8_length(cluster) if _EMOJI.search(cluster) else len(cluster)
        for cluster in _GRAPHEME.findall(text)
    )


def default_limit(platform: str, *, has_media: bool = False) -> int:
    _check(platform)
    if platform == "telegram" and has_media:
        return TELEGRAM_CAPTION_LIMIT
    return _LIMITS[platform]


def tightest_limit(platforms: Iterable[str]) -> tuple[str, int] | None:
    """The platform with the smallest default limit, and that limit."""
    found = [(default_limit(name), name) for name in platforms]
    if not found:
        return None
    limit, name = min(found)
    return name, limit


def oversize(length: int) -> str | None:
    """Why a text of ``length`` characters is too long for publisher, or None."""
    if length <= MAX_TEXT_CHARS:
        return None
    return _("is {length} characters long; publisher takes at most {limit} (no platform "
             "takes more than 63,206)").format(length=length, limit=MAX_TEXT_CHARS)


def _check(platform: str) -> None:
    if platform not in _LIMITS:
        raise ValueError(f"unknown platform {platform!r}")


def _over(used: int, limit: int, unit: str, platform: str) -> str:
    return f"{used}/{limit} {unit}: {used - limit} over {_NAMES[platform]}'s limit"


def count_text(
    platform: str, text: str, *, has_media: bool = False, limit: int | None = None
) -> TextCount:
    """Count ``text`` by ``platform``'s rule and list what stops it from going out."""
    limit = limit or default_limit(platform, has_media=has_media)
    problems: list[str] = []
    if platform == "x":
        from publisher.domain.x_text import x_invalid_characters, x_weighted_length

        used, unit = x_weighted_length(text), "weighted characters"
        refused = x_invalid_characters(text)
        if refused:
            problems.append(_("X refuses the character {characters}").format(
                characters=", ".join(f"U+{ord(char):04X}" for char in refused)))
    elif platform == "mastodon":
        used, unit = mastodon_length(text), "characters"
    elif platform == "bluesky":
        used, unit = grapheme_count(text), "graphemes"
        size = utf8_length(text)
        if size > BLUESKY_BYTE_LIMIT:
            problems.append(f"{size} UTF-8 bytes: Bluesky allows at most {BLUESKY_BYTE_LIMIT}")
    elif platform == "telegram":
        used, unit = utf16_length(text), "characters"
    elif platform == "threads":
        used, unit = threads_length(text), "characters"
        links = count_links(text)
        if links > THREADS_MAX_LINKS:
            problems.append(f"{links} links: Threads allows at most {THREADS_MAX_LINKS}")
    else:
        _check(platform)
        used, unit = len(unicodedata.normalize("NFC", text)), "characters"
    if platform == "instagram":
        tags = count_hashtags(text)
        if tags > INSTAGRAM_MAX_HASHTAGS:
            problems.append(
                f"{tags} hashtags: Instagram allows at most {INSTAGRAM_MAX_HASHTAGS}"
            )
        if not has_media:
            problems.append("Instagram needs an image")
    if used > limit:
        problems.insert(0, _over(used, limit, unit, platform))
    return TextCount(platform, used, limit, unit, tuple(problems))
