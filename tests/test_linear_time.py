"""Checks, counters and parsers on long adversarial texts: oversized texts are refused
early, and the results on long inputs are right (the time is measured by
bench/checks.py, never asserted here)."""

from __future__ import annotations

from pathlib import Path

import regex
import tomlkit
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.domain import consistency, little_text, serbian, textrules
from publisher.domain.textrules import MAX_TEXT_CHARS


def draft_file(home: Path, draft: dict) -> Path:
    path = home / "drafts" / "long.toml"
    path.write_text(tomlkit.dumps(draft), encoding="utf-8")
    return path


def test_a_variant_over_the_text_limit_is_refused_where_the_draft_is_read(home: Path) -> None:
    text = "ab " * (MAX_TEXT_CHARS // 3 + 1)
    path = draft_file(home, {"source": "sq",
                             "variants": {"sq": {"text": "Lajme."}, "en": {"text": text}}})
    line = path.read_text(encoding="utf-8").split("\n").index(f'text = "{text}"') + 1
    result = run_cli("--home", str(home), "drafts", "check", "long")
    assert result.code == 2, result.err
    assert f"drafts/long.toml:{line}: variants.en.text: is" in result.err
    assert f"{MAX_TEXT_CHARS}" in result.err and result.err.count("\n") == 1


def test_an_alt_text_over_the_text_limit_is_refused(home: Path) -> None:
    alt = {"sq": "x" * (MAX_TEXT_CHARS + 1)}
    draft_file(home, {"source": "sq", "variants": {"sq": {"text": "Lajme."}},
                      "media": [{"file": "media/a.png", "alt": alt}]})
    result = run_cli("--home", str(home), "drafts", "validate")
    assert result.code == 2 and "media.alt.sq: is" in result.err


def test_a_text_at_the_limit_is_taken(home: Path) -> None:
    draft_file(home, {"source": "sq", "variants": {"sq": {"text": "ab " * (MAX_TEXT_CHARS // 3)}}})
    result = run_cli("--home", str(home), "drafts", "validate")
    assert result.code == 0, result.err


# The quadratic code these replace, kept as the reference: on short texts the
# linear code must give exactly its answers.

OLD_URL = regex.compile(
    r"(?<![\w@.])(?:https?://[^\s<>\"]+|www\.[^\s<>\"]+|"
    rf"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{textrules._TLDS})\b(?:/[^\s<>\"]*)?)",
    regex.IGNORECASE,
)
OLD_SCHEME_URL = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
OLD_MASTODON_MENTION = regex.compile(r"(?<![\w/])@(\w+(?:[.\w-]*\w)?)@[\w.-]+\w")
OLD_LITTLE_HASHTAG = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}#\uff03_\\])([#\uff03])([\p{L}\p{M}\p{N}]*\p{L}[\p{L}\p{M}\p{N}]*)"
    r"(?![\p{L}\p{M}\p{N}_])"
)
OLD_TEMPLATE = regex.compile(r"\{hashtag\|(\\#|#|\uff03)\|((?:[^\\{}|]|\\.)*)\}")
OLD_MENTION = regex.compile(r"@\[((?:[^\\\]]|\\.)*)\]\((urn:li:[^)\s]+)\)")
OLD_PROTECTED = regex.compile(
    r"(?:https?://|www\.)[^\s<>\"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w@])@[\w.]+(?:@[\w.-]+\w)?|(?<![\w&])#\w+",
    regex.IGNORECASE,
)
OLD_EMAIL = regex.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
OLD_MONTH_WORD = r"(\p{L}+\.?)"
OLD_DATE_PATTERNS = (
    *consistency._DATE_PATTERNS[:3],
    (regex.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+{OLD_MONTH_WORD}(?:\s+(\d{{4}})\.?)?"),
     ("d", "M", "y")),
    (regex.compile(rf"{OLD_MONTH_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?(?!\d)"),
     ("M", "d", "y")),
)


def old_strip_trailing(url: str) -> str:
    while url and url[-1] in ".,;:!?'\")]}":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def old_url_spans(text: str, pattern: regex.Pattern = OLD_URL) -> list[tuple[int, int]]:
    return [(m.start(), m.start() + len(old_strip_trailing(m.group(0))))
            for m in pattern.finditer(text)]


def old_little_hashtag_spans(text: str) -> list[tuple[int, int]]:
    links = textrules.link_spans(text)
    return [m.span() for m in OLD_LITTLE_HASHTAG.finditer(text)
            if not any(a <= m.start() < b for a, b in links)]


def old_to_plain(little: str) -> str:
    out, index = [], 0
    while index < len(little):
        char = little[index]
        if char == "\\" and index + 1 < len(little):
            out.append(little[index + 1])
            index += 2
            continue
        for sign, pattern, groups in (("{", OLD_TEMPLATE, (1, 2)), ("@", OLD_MENTION, (1,))):
            match = pattern.match(little, index) if char == sign else None
            if match:
                out.append("".join(little_text._unescape(match.group(g)) for g in groups))
                index = match.end()
                break
        else:
            out.append(char)
            index += 1
    return "".join(out)


OLD_WORD_OF_TWO = regex.compile(r"\p{L}{2,}")


def old_latin_chunk(text: str) -> str:
    out = []
    for index, char in enumerate(text):
        lower = char.lower()
        if lower not in serbian._TO_LATIN:
            out.append(char)
        elif char in serbian._DIGRAPHS:
            title, caps = serbian._DIGRAPHS[char]
            after = text[index + 1] if index + 1 < len(text) else ""
            if after.isalpha():
                out.append(caps if after.isupper() else title)
                continue
            before = OLD_WORD_OF_TWO.findall(text[:index])
            neighbour = before[-1] if before else next(
                iter(OLD_WORD_OF_TWO.findall(text[index + 1:])), "")
            out.append(caps if neighbour.isupper() else title)
        else:
            out.append(serbian._TO_LATIN[lower].upper() if char.isupper()
                       else serbian._TO_LATIN[lower])
    return "".join(out)


def old_month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    if word in consistency._MONTHS:
        return consistency._MONTHS[word]
    for suffix in ("it", "in", "i", "a", "u", "om", "а", "у", "ом"):
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            for name, number in consistency._MONTHS.items():
                if stem == name or (name.endswith(("ар", "ar")) and stem == name[:-2] + name[-1]):
                    return number
    return None


def old_clean_url(url: str) -> str:
    while url and url[-1] in ".,;:!?'\"":
        url = url[:-1]
    for opening, closing in (("(", ")"), ("[", "]")):
        while url.endswith(closing) and url.count(opening) < url.count(closing):
            url = url[:-1]
    return url


def old_blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def old_number_key(raw: str) -> str:
    parts = regex.split(r"[.,\u00a0\u202f ]", raw)
    if len(parts) == 1:
        return str(int(parts[0]))
    if all(len(part) == 3 for part in parts[1:]):
        return str(int("".join(parts)))
    return f"{int(''.join(parts[:-1]))}.{parts[-1]}"


def old_extract_tokens(text: str) -> tuple[set[str], ...]:
    urls, mentions, hashtags, numbers, dates = set(), set(), set(), set(), set()
    for match in list(consistency._URL.finditer(text)):
        url = old_clean_url(match.group(0))
        urls.add(consistency._url_key(url))
        text = old_blank(text, match.start(), match.start() + len(url))
    for match in list(OLD_EMAIL.finditer(text)):
        text = old_blank(text, *match.span())
    for match in list(consistency._MENTION.finditer(text)):
        handle = match.group(1) + (f"@{match.group(2)}" if match.group(2) else "")
        mentions.add("@" + handle.lower())
        text = old_blank(text, *match.span())
    for match in list(consistency._HASHTAG.finditer(text)):
        hashtags.add(match.group(1).lower())
        text = old_blank(text, *match.span())
    for pattern, order in OLD_DATE_PATTERNS:
        for match in list(pattern.finditer(text)):
            parts = dict(zip(order, match.groups(), strict=True))
            month = old_month(parts["M"]) if "M" in parts else int(parts["m"])
            if not month or not 1 <= month <= 12 or not 1 <= int(parts["d"]) <= 31:
                continue
            year = parts.get("y")
            day_month = f"{month:02d}-{int(parts['d']):02d}"
            dates.add(f"{int(year):04d}-{day_month}" if year else day_month)
            text = old_blank(text, *match.span())
    for match in list(consistency._TIME.finditer(text)):
        numbers.add(f"{int(match.group(1))}:{match.group(2)}")
        text = old_blank(text, *match.span())
    for match in consistency._NUMBER.finditer(text):
        numbers.add(old_number_key(match.group(1).strip()))
    return urls, mentions, hashtags, numbers, dates


def old_date_matches(value: str, others: frozenset[str]) -> bool:
    return value in others or any(
        other[-5:] == value[-5:] and (len(other) == 5 or len(value) == 5) for other in others)


def texts(*pieces: str) -> st.SearchStrategy[str]:
    """Short texts made of pieces that exercise the patterns' edges."""
    return st.lists(st.sampled_from(pieces), max_size=14).map("".join)


LINKS = texts("a", "b", "1", "-", ".", "@", "_", "é", "/", ":", " ", "(", ")", "com", "co", "uk",
              "org", "www.", "http://", "https://", "K", ",", '"', "..", "-a", "a-", "@b@c.d")
LITTLE = texts("#", "＃", "a", "1", "_", "\u0301", " ", "\\", "]", "[", "@[", "@", "(urn:li:x)",
               "](urn:li:org:1)", ")", "{hashtag|#|", "{hashtag|\\#|", "}", "|", "{", "\n",
               "x.com", "https://a.org/#b", "#tag", "Ш")
SERBIAN = texts("Љ", "Њ", "Џ", "љ", "а", "А", "Б", " ", ".", "a", "X", "@", "-", "+", "_", "#",
                "x.org", "@b.", "www.", "1", "ВЕ", "Ве")
TOKENS = texts("28", "1", "11", "2026", ".", ". ", " ", "/", "-", ":", "18:00", "november",
               "Nëntor", "новембра", "janarit", "septembra", "th", ",", "a", "@", "@mfa",
               "#Tag", "x@y.org", "https://a.org/(x)", "www.b.com.", ")", "1,000", "3.5",
               "\u00a0", "_", "\n", "May", "0")
SAME = settings(max_examples=400, deadline=None)


@SAME
@given(LINKS)
def test_links_are_found_as_before(text: str) -> None:
    assert textrules._url_spans(text) == old_url_spans(text)
    assert textrules._url_spans(text, scheme_only=True) == old_url_spans(text, OLD_SCHEME_URL)
    assert textrules._MASTODON_MENTION.sub("@", text) == OLD_MASTODON_MENTION.sub("@", text)


@SAME
@given(LITTLE)
def test_little_text_reads_and_writes_as_before(text: str) -> None:
    assert little_text.hashtag_spans(text) == old_little_hashtag_spans(text)
    assert little_text.to_plain(text) == old_to_plain(text)


@SAME
@given(SERBIAN)
def test_transliteration_protects_and_cases_as_before(text: str) -> None:
    assert serbian.protected_spans(text) == [m.span() for m in OLD_PROTECTED.finditer(text)]
    assert serbian._latin_chunk(text) == old_latin_chunk(text)


@SAME
@given(TOKENS)
def test_consistency_tokens_are_found_as_before(text: str) -> None:
    found = consistency.extract_tokens(text)
    assert (set(found.urls), set(found.mentions), set(found.hashtags), set(found.numbers),
            set(found.dates)) == old_extract_tokens(text)


DATES = st.frozensets(st.sampled_from(["11-28", "2026-11-28", "2025-11-28", "12-01", "2026-12-01"]))


@SAME
@given(DATES, DATES)
def test_dates_match_as_before(ours: frozenset[str], theirs: frozenset[str]) -> None:
    index = consistency._DateIndex.of(theirs)
    for value in ours:
        assert index.matches(value) == old_date_matches(value, theirs)


# Long adversarial texts (65,536 characters or near): the right answers.

N = MAX_TEXT_CHARS


def test_consistency_on_long_runs() -> None:
    tokens = consistency.extract_tokens("a" * N + " 28 November 2026")
    assert tokens.dates == {"2026-11-28"} and tokens.numbers == frozenset()
    assert consistency.extract_tokens("0" + "7" * N).numbers == {"7" * N}
    assert consistency.extract_tokens("1." * (N // 2)).numbers == {"1" * (N // 2 - 1) + ".1"}
    tokens = consistency.extract_tokens("https://a.org/x" + ")" * N + " x" * 9 + "@y.org")
    assert tokens.urls == {"https://a.org/x"} and tokens.mentions == frozenset()
    assert consistency.extract_tokens("@a" + "." * N).mentions == {"@a"}


def test_consistency_with_thousands_of_dates() -> None:
    def dates(years: range) -> str:
        return " ".join(f"{day}.{month}.{year}" for year in years
                        for month in range(1, 13) for day in (1, 15))

    same = dates(range(1500, 2100))
    findings = consistency.compare_variants({"sq": same, "en": same.replace("15.6.1999", "")})
    assert [(f.kind, f.value, f.missing_in) for f in findings] == [
        ("date", "1999-06-15", ("en",))]
    findings = consistency.compare_variants({"sq": same, "en": dates(range(2500, 3100))})
    assert len(findings) == 2 * 600 * 24
    assert (findings[0].value, findings[0].missing_in) == ("1500-01-01", ("en",))
    assert (findings[-1].value, findings[-1].missing_in) == ("3099-12-15", ("sq",))


def test_counters_on_long_runs() -> None:
    assert textrules.count_text("x", "a-" * (N // 2)).used == N
    # A host of many labels is one link up to 4096 characters (twitter-text's
    # limit); past it, not a link: its characters count one by one.
    assert textrules.count_text("x", "ab." * 1000 + "com").used == textrules.X_URL_WEIGHT
    assert textrules.count_text("x", "ab." * (N // 3) + "com").used == N // 3 * 3 + 3
    assert textrules.count_text("x", "あ." * (N // 2) + "com").used == N // 2 * 3 + 3
    assert textrules.count_text("x", "1." * (N // 2)).used == N
    assert textrules.count_text("x", "https://a.org/x" + ")" * N).used == textrules.X_URL_WEIGHT + N
    assert textrules.count_text("mastodon", "@" + "a" * N).used == N + 1
    assert textrules.count_hashtags("#" + "1" * N) == 0
    assert textrules.count_hashtags("#tag " * (N // 5)) == N // 5


def test_little_text_on_long_runs() -> None:
    assert little_text.to_plain("@[" * (N // 2)) == "@[" * (N // 2)
    assert little_text.hashtag_spans("#" + "a" * N + "_") == []
    assert little_text.to_little("#tag " * (N // 5)).count("{hashtag|\\#|tag}") == N // 5


def test_transliteration_on_long_runs() -> None:
    assert serbian.to_latin("Љ " * (N // 2)) == "Lj " * (N // 2)
    assert serbian.to_latin("ВЕЛИКО " + "Љ " * (N // 2)) == "VELIKO " + "LJ " * (N // 2)
    assert serbian.to_cyrillic("a" * N + "@").text == "а" * N + "@"
    assert serbian.to_cyrillic("a" * N + "@example.org").text == "a" * N + "@example.org"


def test_a_long_unbroken_translation_round_trips_through_po(home: Path) -> None:
    source, translation = "./" * (N // 2), "\\/" * (N // 2)
    draft_file(home, {"source": "sq", "variants": {"sq": {"text": source}}})
    po = home.parent / "en.po"
    assert run_cli("--home", str(home), "translations", "export", "--locale", "en",
                   "--out", str(po)).code == 0
    before, _msgstr, after = po.read_text(encoding="utf-8").rpartition('msgstr ""')
    escaped = translation.replace("\\", "\\\\")
    po.write_text(f'{before}msgstr "{escaped}"{after}', encoding="utf-8")
    result = run_cli("--home", str(home), "translations", "import", str(po))
    assert result.code == 0, result.err
    data = tomlkit.parse((home / "drafts" / "long.toml").read_text(encoding="utf-8"))
    assert data["variants"]["en"]["text"] == translation
