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

The editor runs these checks on every key, on texts of up to 65,536
characters: every pattern below matches in time linear in the text (no
quantifier backtracks over a run that another quantifier could also take,
and a pattern that could start anywhere in a long run of letters starts only
at the run's beginning), and found tokens are blanked in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import regex

from publisher.i18n import N_, _

_URL = regex.compile(r"(?:https?://|www\.)[^\s<>\"]+", regex.IGNORECASE)
# Starts where a run of address characters starts (or where the previous
# match ended): a later start in the same run ends at the same "@", so it
# would match only if the first did. Possessive: nothing to give back.
_EMAIL = regex.compile(r"(?:(?<![\w.+-])|\G)[\w.+-]++@[\w-]++(?:\.[\w-]++)++")
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


def _month_forms() -> dict[str, int]:
    """Every written form of a month: its name, then its declined forms.

    Albanian -i/-it/-in ("1 janari", "janarit"), Serbian -a/-u/-om in both
    scripts ("новембра", "septembra" drop the fleeting a). A form two months
    share goes to the first suffix, then the first month, that gives it.
    """
    forms = dict(_MONTHS)
    for suffix in ("it", "in", "i", "a", "u", "om", "а", "у", "ом"):
        for name, number in _MONTHS.items():
            forms.setdefault(name + suffix, number)
            if name.endswith(("ар", "ar")):
                forms.setdefault(name[:-2] + name[-1] + suffix, number)
    return forms


_MONTH_FORMS = _month_forms()


def _month(word: str) -> int | None:
    return _MONTH_FORMS.get(word.lower().rstrip("."))


# A word starts at the beginning of a run of letters (or where the previous
# match ended); possessive, since only a "." or a space may follow it.
_MONTH_WORD = r"(?:(?<!\p{L})|\G)(\p{L}++\.?)"
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
    # Each token as the text first writes it ("383 38 213 000" for the number
    # 38338213.000): warnings quote the text, not the comparison key.
    written: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


def _clean_url(url: str) -> str:
    """Without trailing punctuation, then without unbalanced closing brackets."""
    url = url.rstrip(".,;:!?'\"")
    for opening, closing in (("(", ")"), ("[", "]")):
        excess = url.count(closing) - url.count(opening)
        end = len(url)
        while excess > 0 and end and url[end - 1] == closing:
            end -= 1
            excess -= 1
        url = url[:end]
    return url


_URL_PARTS = regex.compile(r"(?i)((?:https?://)?)([^/?#]*)(.*)")


def _url_key(url: str) -> str:
    parts = _URL_PARTS.match(url)
    assert parts is not None  # the pattern matches every string
    scheme, host, rest = parts.groups()
    return f"{scheme.lower()}{host.lower()}{rest}"


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every span (in order, not overlapping) replaced by spaces."""
    if not spans:
        return text
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts += (text[position:start], " " * (end - start))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _dates(text: str, written: dict[str, str]) -> tuple[set[str], str]:
    found: set[str] = set()
    for pattern, order in _DATE_PATTERNS:
        spans = []
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            month = _month(parts["M"]) if "M" in parts else int(parts["m"])
            if not month or not 1 <= month <= 12 or not 1 <= int(parts["d"]) <= 31:
                continue
            day = int(parts["d"])
            year = parts.get("y")
            day_month = f"{month:02d}-{day:02d}"
            key = f"{int(year):04d}-{day_month}" if year else day_month
            found.add(key)
            written.setdefault(key, match.group(0).strip())
            spans.append(match.span())
        text = _blank(text, spans)  # each pattern reads what the ones before left
    return found, text


def _integer(digits: str) -> str:
    # Not int(): a long run of digits is text too, and int() of it is slow or refused.
    return digits.lstrip("0") or "0"


def _number_key(raw: str) -> str:
    parts = regex.split(r"[.,\u00a0\u202f ]", raw)
    if len(parts) == 1:
        return _integer(parts[0])
    if all(len(part) == 3 for part in parts[1:]):
        return _integer("".join(parts))  # thousands groups
    whole = "".join(parts[:-1])
    return f"{_integer(whole)}.{parts[-1]}"


def _matches(pattern: regex.Pattern, text: str) -> list[regex.Match]:
    return list(pattern.finditer(text))


def _keyed(matches: Iterable[tuple[str, str]], written: dict[str, str]) -> set[str]:
    """The keys of (key, as written) pairs; the first writing of each is kept."""
    keys = set()
    for key, text in matches:
        keys.add(key)
        written.setdefault(key, text)
    return keys


def _mention_key(match: regex.Match) -> str:
    return "@" + (match.group(1) + (f"@{match.group(2)}" if match.group(2) else "")).lower()


def extract_tokens(text: str) -> Tokens:
    """The verifiable parts of one variant's text, normalised for comparison."""
    written: dict[str, str] = {}  # keys of different kinds never collide (see the keys)
    urls = set()
    spans = []
    for match in _URL.finditer(text):
        url = _clean_url(match.group(0))
        urls.add(_url_key(url))
        written.setdefault(_url_key(url), url)
        spans.append((match.start(), match.start() + len(url)))
    text = _blank(text, spans)
    text = _blank(text, [match.span() for match in _EMAIL.finditer(text)])
    found = _matches(_MENTION, text)
    mentions = _keyed(((_mention_key(m), m.group(0)) for m in found), written)
    text = _blank(text, [m.span() for m in found])
    found = _matches(_HASHTAG, text)
    hashtags = {m.group(1).lower() for m in found}
    text = _blank(text, [m.span() for m in found])
    dates, text = _dates(text, written)
    found = _matches(_TIME, text)
    numbers = _keyed(((f"{int(m.group(1))}:{m.group(2)}", m.group(0)) for m in found), written)
    text = _blank(text, [m.span() for m in found])
    numbers |= _keyed(((_number_key(m.group(1).strip()), m.group(1).strip())
                       for m in _NUMBER.finditer(text)), written)
    return Tokens(frozenset(urls), frozenset(mentions), frozenset(hashtags),
                  frozenset(numbers), frozenset(dates), written)


# What each kind of token is called in a warning.
KIND_NAMES = {"url": N_("url"), "mention": N_("mention"), "hashtag": N_("hashtag"),
              "number": N_("number"), "date": N_("date")}


@dataclass(frozen=True)
class Finding:
    kind: str
    value: str  # the comparison key ("2024-01-01", "38338213.000")
    present_in: tuple[str, ...]
    missing_in: tuple[str, ...]
    written: str = ""  # as the text writes it ("1 January 2024", "383 38 213 000")

    @property
    def shown(self) -> str:
        return self.written or self.value

    def message(self) -> str:
        """One line in the interface language, quoting the text."""
        missing = ", ".join(self.missing_in)
        if not self.present_in:  # a campaign hashtag no variant has
            return _("the campaign hashtag {value} is missing in {missing}").format(
                value=self.shown, missing=missing)
        return _("{kind} {value} is in {present} but missing in {missing}").format(
            kind=_(KIND_NAMES[self.kind]), value=self.shown,
            present=", ".join(self.present_in), missing=missing)


_KINDS = ("url", "mention", "hashtag", "number", "date")


@dataclass(frozen=True)
class _DateIndex:
    """One variant's dates, indexed so that matching one date costs O(1)."""

    dates: frozenset[str]
    day_months: frozenset[str]  # "MM-DD" of every date
    without_year: frozenset[str]  # the dates written without a year

    @classmethod
    def of(cls, dates: frozenset[str]) -> _DateIndex:
        return cls(dates, frozenset(date[-5:] for date in dates),
                   frozenset(date for date in dates if len(date) == 5))

    def matches(self, value: str) -> bool:
        """The same date, or the same day and month where one of the two has no year."""
        if value in self.dates:
            return True
        if len(value) == 5:
            return value in self.day_months
        return value[-5:] in self.without_year


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
            with_year = {value[-5:] for value in values if len(value) > 5}
            values = {value for value in values if len(value) > 5 or value not in with_year}
            indexes = {tag: _DateIndex.of(found.dates) for tag, found in tokens.items()}
        for value in sorted(values):
            if kind == "date":
                present = tuple(tag for tag in tokens if indexes[tag].matches(value))
            else:
                present = tuple(tag for tag, t in tokens.items() if value in getattr(t, field))
            missing = tuple(tag for tag in tokens if tag not in present)
            if present and missing:
                if kind == "hashtag":
                    shown, written = f"#{campaign.get(value, value)}", ""
                else:
                    shown, written = value, tokens[present[0]].written.get(value, "")
                findings.append(Finding(kind, shown, present, missing, written))
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
        kind = _(KIND_NAMES[finding.kind])
        if "translation" in finding.missing_in:
            warnings.append(_("the translation lacks the {kind} {value}").format(
                kind=kind, value=finding.shown))
        else:
            warnings.append(_("the translation adds the {kind} {value}").format(
                kind=kind, value=finding.shown))
    return warnings
