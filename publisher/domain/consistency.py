"""What one language version of a post has and another lacks.

A translation that drops the link, changes the date or loses the campaign
hashtag is a common and embarrassing mistake. These checks compare the
verifiable parts of the variants of one post: URLs, @mentions, campaign
hashtags, numbers (and clock times) and dates.

Normalisation rules:
- URLs: trailing punctuation and an unbalanced closing bracket are not part
  of the URL; scheme and host compare case-insensitively, the path exactly.
- Hashtags compare case-insensitively; only the draft's campaign hashtags are
  required in every variant (#Kosova and #Kosovo may legitimately differ).
- Numbers: "1,000", "1.000", "1 000" and "1000" are the same; a separator
  followed by exactly three digits groups thousands, otherwise it is a
  decimal mark, so "3.5" equals "3,5". A clock time "18:00" is a number token
  "18:00" ("18.00" too). Digits inside URLs, hashtags, mentions and dates are
  not numbers.
- Dates: numeric (28.11.2026, 28. 11. 2026., 2026-11-28, 28/11/2026) and
  with month names in English, Albanian and Serbian (Cyrillic and Latin,
  declined forms too) become "YYYY-MM-DD", or "MM-DD" without a year; a date
  with a year matches one without a year on the same day and month.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import regex

_URL = regex.compile(r"(?:https?://|www\.)[^\s<>\"]+", regex.IGNORECASE)
_EMAIL = regex.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MENTION = regex.compile(r"(?<![\w@.])@(\w[\w.]*\w|\w)(?:@([\w-]+(?:\.[\w-]+)+))?")
_HASHTAG = regex.compile(r"(?<![\w&])#(\w*\p{L}\w*)")
_TIME = regex.compile(r"(?<![\d.,:])([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d.,:]?\d)")
# An English ordinal ("19th") is the number 19.
_NUMBER = regex.compile(r"(?<![\w.,])(\d+(?:[.,\u00a0\u202f ]\d+)*)(?:st|nd|rd|th)?(?![\w])")

_MONTHS = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    # Albanian
    "janar": 1, "shkurt": 2, "mars": 3, "prill": 4, "maj": 5, "qershor": 6, "korrik": 7,
    "gusht": 8, "shtator": 9, "tetor": 10, "nëntor": 11, "dhjetor": 12,
    # Serbian Latin (nominative stems; declined forms end in -a, -u, -om)
    "januar": 1, "februar": 2, "mart": 3, "april_sr": 4, "jun": 6, "jul": 7,
    "avgust": 8, "septembar": 9, "oktobar": 10, "novembar": 11, "decembar": 12,
    # Serbian Cyrillic
    "јануар": 1, "фебруар": 2, "март": 3, "април": 4, "мај": 5, "јун": 6, "јул": 7,
    "август": 8, "септембар": 9, "октобар": 10, "новембар": 11, "децембар": 12,
}
_MONTHS.pop("april_sr")


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    if word in _MONTHS:
        return _MONTHS[word]
    # Declined forms: Albanian -i/-it/-in ("1 janari", "janarit"), Serbian
    # -a/-u/-om in both scripts ("новембра", "septembra" drop the fleeting a).
    for suffix in ("it", "in", "i", "a", "u", "om", "а", "у", "ом"):
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            for name, number in _MONTHS.items():
                if stem == name or (name.endswith(("ар", "ar")) and stem == name[:-2] + name[-1]):
                    return number
    return None


_MONTH_WORD = r"(\p{L}+\.?)"
_DATE_PATTERNS = (
    # 2026-11-28
    (regex.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), ("y", "m", "d")),
    # 28.11.2026, 28. 11. 2026., 28/11/2026
    (regex.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\.?(?!\d)"), ("d", "m", "y")),
    (regex.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)"), ("d", "m", "y")),
    # 28 November 2026, 28. новембра 2026., 1 janari 2024
    (regex.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+{_MONTH_WORD}(?:\s+(\d{{4}})\.?)?"),
     ("d", "M", "y")),
    # November 28, 2026
    (regex.compile(rf"{_MONTH_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?(?!\d)"),
     ("M", "d", "y")),
)


@dataclass(frozen=True)
class Tokens:
    urls: frozenset[str]
    mentions: frozenset[str]
    hashtags: frozenset[str]
    numbers: frozenset[str]
    dates: frozenset[str]


def _clean_url(url: str) -> str:
    while url and url[-1] in ".,;:!?'\"":
        url = url[:-1]
    for opening, closing in (("(", ")"), ("[", "]")):
        while url.endswith(closing) and url.count(opening) < url.count(closing):
            url = url[:-1]
    return url


def _url_key(url: str) -> str:
    match = regex.match(r"(?i)((?:https?://)?)([^/?#]*)(.*)", url)
    scheme, host, rest = match.groups()
    return f"{scheme.lower()}{host.lower()}{rest}"


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _dates(text: str) -> tuple[set[str], str]:
    found: set[str] = set()
    for pattern, order in _DATE_PATTERNS:
        for match in list(pattern.finditer(text)):
            parts = dict(zip(order, match.groups(), strict=True))
            month = _month(parts["M"]) if "M" in parts else int(parts["m"])
            if not month or not 1 <= month <= 12 or not 1 <= int(parts["d"]) <= 31:
                continue
            day = int(parts["d"])
            year = parts.get("y")
            day_month = f"{month:02d}-{day:02d}"
            found.add(f"{int(year):04d}-{day_month}" if year else day_month)
            text = _blank(text, *match.span())
    return found, text


def _number_key(raw: str) -> str:
    parts = regex.split(r"[.,\u00a0\u202f ]", raw)
    if len(parts) == 1:
        return _digits(parts[0])
    if all(len(part) == 3 for part in parts[1:]):
        return _digits("".join(parts))  # thousands groups
    whole = "".join(parts[:-1])
    return f"{_digits(whole)}.{parts[-1]}"


def _digits(run: str) -> str:
    """A run of digits in ASCII without leading zeros, as str(int(run)) gives it, for
    any length (int() refuses more than 4300 digits)."""
    text = "".join(str(unicodedata.digit(char)) for char in run)
    return text.lstrip("0") or "0"


def extract_tokens(text: str) -> Tokens:
    """The verifiable parts of one variant's text, normalised for comparison."""
    urls = set()
    for match in list(_URL.finditer(text)):
        url = _clean_url(match.group(0))
        urls.add(_url_key(url))
        text = _blank(text, match.start(), match.start() + len(url))
    for match in list(_EMAIL.finditer(text)):
        text = _blank(text, *match.span())
    mentions = set()
    for match in list(_MENTION.finditer(text)):
        handle = match.group(1) + (f"@{match.group(2)}" if match.group(2) else "")
        mentions.add("@" + handle.lower())
        text = _blank(text, *match.span())
    hashtags = set()
    for match in list(_HASHTAG.finditer(text)):
        hashtags.add(match.group(1).lower())
        text = _blank(text, *match.span())
    dates, text = _dates(text)
    numbers = set()
    for match in list(_TIME.finditer(text)):
        numbers.add(f"{int(match.group(1))}:{match.group(2)}")
        text = _blank(text, *match.span())
    for match in _NUMBER.finditer(text):
        numbers.add(_number_key(match.group(1).strip()))
    return Tokens(frozenset(urls), frozenset(mentions), frozenset(hashtags),
                  frozenset(numbers), frozenset(dates))


@dataclass(frozen=True)
class Finding:
    kind: str
    value: str
    present_in: tuple[str, ...]
    missing_in: tuple[str, ...]

    def message(self) -> str:
        return (f"{self.kind} {self.value} is in {', '.join(self.present_in)} "
                f"but missing in {', '.join(self.missing_in)}")


_KINDS = ("url", "mention", "hashtag", "number", "date")


def _date_matches(value: str, others: frozenset[str]) -> bool:
    if value in others:
        return True
    day_month = value[-5:]
    return any(other[-5:] == day_month and (len(other) == 5 or len(value) == 5)
               for other in others)


def compare_variants(
    variants: Mapping[str, str], *, campaign_hashtags: Iterable[str] = ()
) -> list[Finding]:
    """Findings for every URL, mention, campaign hashtag, number and date one variant lacks."""
    tokens = {locale: extract_tokens(text) for locale, text in variants.items() if text}
    campaign = {tag.lstrip("#").lower(): tag.lstrip("#") for tag in campaign_hashtags}
    findings = []
    for kind in _KINDS:
        field = {"url": "urls", "mention": "mentions", "hashtag": "hashtags",
                 "number": "numbers", "date": "dates"}[kind]
        values: set[str] = set()
        for found in tokens.values():
            values |= getattr(found, field)
        if kind == "hashtag":
            values = {value for value in values if value in campaign} | set(campaign)
        if kind == "date":  # "11-28" is covered by "2026-11-28" when both are there
            values = {v for v in values if len(v) > 5 or not any(
                len(o) > 5 and o[-5:] == v for o in values)}
        for value in sorted(values):
            matches = _date_matches if kind == "date" else (lambda v, s: v in s)
            present = tuple(tag for tag, t in tokens.items() if matches(value, getattr(t, field)))
            missing = tuple(tag for tag in tokens if tag not in present)
            if present and missing:
                shown = f"#{campaign.get(value, value)}" if kind == "hashtag" else value
                findings.append(Finding(kind, shown, present, missing))
            elif kind == "hashtag" and not present and tokens:
                findings.append(Finding(kind, f"#{campaign[value]}", (), tuple(tokens)))
    return findings


def compare_pair(
    source: str, translation: str, *, campaign_hashtags: Iterable[str] = ()
) -> list[str]:
    """One-line warnings about what a translation lacks or adds compared to its source."""
    findings = compare_variants(
        {"source": source, "translation": translation}, campaign_hashtags=campaign_hashtags
    )
    warnings = []
    for finding in findings:
        if "translation" in finding.missing_in:
            warnings.append(f"the translation lacks the {finding.kind} {finding.value}")
        else:
            warnings.append(f"the translation adds the {finding.kind} {finding.value}")
    return warnings
