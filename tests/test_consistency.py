"""What one language version has and another lacks."""

from __future__ import annotations

import pytest

from publisher.domain.consistency import compare_pair, compare_variants, extract_tokens

VISA = {
    "sq": "Që nga 1 janari 2024 udhëtoni pa viza. 1,8 milion qytetarë. "
          "https://www.mfa-ks.net/schengen. #KosovoInEurope #Kosova",
    "en": "Since 1 January 2024 you travel visa-free. 1.8 million citizens. "
          "https://www.mfa-ks.net/schengen #kosovoineurope #Kosovo",
    "sr": "Од 1. јануара 2024. путујете без виза. 1,8 милиона грађана. "
          "https://www.mfa-ks.net/schengen #KosovoInEurope",
}


def test_consistent_variants_have_no_findings() -> None:
    assert compare_variants(VISA, campaign_hashtags=["KosovoInEurope"]) == []


def test_a_missing_url_is_found() -> None:
    variants = {**VISA, "en": VISA["en"].replace("https://www.mfa-ks.net/schengen ", "")}
    (finding,) = compare_variants(variants, campaign_hashtags=["KosovoInEurope"])
    assert finding.kind == "url"
    assert finding.missing_in == ("en",) and finding.present_in == ("sq", "sr")
    assert finding.message() == (
        "url https://www.mfa-ks.net/schengen is in sq, sr but missing in en"
    )


def test_a_missing_campaign_hashtag_is_found_with_its_spelling() -> None:
    variants = {**VISA, "sr": VISA["sr"].replace(" #KosovoInEurope", "")}
    (finding,) = compare_variants(variants, campaign_hashtags=["#KosovoInEurope"])
    assert (finding.kind, finding.value, finding.missing_in) == (
        "hashtag", "#KosovoInEurope", ("sr",)
    )


def test_a_changed_date_is_found() -> None:
    variants = {**VISA, "en": VISA["en"].replace("1 January", "2 January")}
    kinds = {(f.kind, f.value) for f in compare_variants(variants)}
    assert ("date", "2024-01-02") in kinds and ("date", "2024-01-01") in kinds


@pytest.mark.parametrize("a,b", [
    ("1,000", "1.000"), ("1 000", "1000"), ("1\u00a0000", "1000"), ("3.5", "3,5"),
    ("18:00", "18.00"),
])
def test_number_formats_that_are_equal(a: str, b: str) -> None:
    assert extract_tokens(f"x {a} y").numbers == extract_tokens(f"x {b} y").numbers


@pytest.mark.parametrize("text,date", [
    ("më 28 nëntor 2026", "2026-11-28"),
    ("28. новембра 2026.", "2026-11-28"),
    ("28. novembra 2026.", "2026-11-28"),
    ("on November 28, 2026", "2026-11-28"),
    ("on 28 November 2026", "2026-11-28"),
    ("28.11.2026", "2026-11-28"),
    ("28. 11. 2026.", "2026-11-28"),
    ("2026-11-28", "2026-11-28"),
    ("28/11/2026", "2026-11-28"),
    ("më 17 shkurt", "02-17"),
    ("1 janari 2024", "2024-01-01"),
])
def test_dates_in_three_languages(text: str, date: str) -> None:
    assert extract_tokens(text).dates == {date}


def test_a_date_without_year_matches_one_with_it() -> None:
    variants = {"sq": "më 17 shkurt 2027", "en": "on 17 February"}
    assert compare_variants(variants) == []


def test_email_is_not_a_mention_and_fragment_is_not_a_hashtag() -> None:
    tokens = extract_tokens("Write to rsvp.dc@mfa-ks.net, see https://mfa-ks.net/a#program")
    assert tokens.mentions == frozenset()
    assert tokens.hashtags == frozenset()
    assert tokens.urls == {"https://mfa-ks.net/a#program"}


def test_mentions_compare_case_insensitively() -> None:
    variants = {"sq": "Falë @USEmbassyPristina", "en": "Thanks to @usembassypristina"}
    assert compare_variants(variants) == []
    (finding,) = compare_variants({"sq": "Falë @MFA", "en": "Thanks"})
    assert finding.kind == "mention" and finding.missing_in == ("en",)


def test_url_trailing_punctuation_and_host_case() -> None:
    a = extract_tokens("(see https://WWW.mfa-ks.net/Flag).")
    b = extract_tokens("see https://www.mfa-ks.net/Flag")
    assert a.urls == b.urls == {"https://www.mfa-ks.net/Flag"}


def test_language_specific_hashtags_are_fine() -> None:
    assert compare_variants({"sq": "#Kosova", "en": "#Kosovo"}) == []


def test_compare_pair_says_what_the_translation_lacks_or_adds() -> None:
    warnings = compare_pair(
        "Në 2024 https://mfa-ks.net #DigitalKosovo", "In 2025",
        campaign_hashtags=["DigitalKosovo"],
    )
    assert "the translation lacks the url https://mfa-ks.net" in warnings
    assert "the translation lacks the hashtag #DigitalKosovo" in warnings
    assert "the translation adds the number 2025" in warnings


def test_ordinals_are_numbers() -> None:
    assert compare_variants({"sq": "19-vjetorin", "en": "the 19th anniversary",
                             "sr": "19. годишњицу"}) == []


def test_a_finding_quotes_the_number_as_written() -> None:
    variants = {"sq": "Na telefononi: +383 38 213 000.", "en": "Call us."}
    (finding,) = compare_variants(variants)
    assert finding.written == "383 38 213 000"
    assert "383 38 213 000" in finding.message()
    assert "38338213.000" not in finding.message()


def test_a_campaign_hashtag_in_no_variant_names_where_it_is_missing() -> None:
    variants = {"sq": "Tekst pa etiketë.", "en": "Text without a tag."}
    (finding,) = compare_variants(variants, campaign_hashtags=["DigitalKosovo"])
    assert finding.present_in == ()
    assert finding.message() == "the campaign hashtag #DigitalKosovo is missing in sq, en"


@pytest.mark.parametrize("language", ["sq", "sr", "sr-Latn"])
def test_findings_are_told_in_the_interface_language(language: str) -> None:
    from publisher import i18n

    missing_url = {"sq": "https://mfa-ks.net", "en": "No link."}
    no_tag = {"sq": "Tekst.", "en": "Text."}
    english = [f.message() for f in compare_variants(missing_url)
               + compare_variants(no_tag, campaign_hashtags=["Q"])]
    i18n.set_language(language)
    try:
        translated = [f.message() for f in compare_variants(missing_url)
                      + compare_variants(no_tag, campaign_hashtags=["Q"])]
        warnings = compare_pair("Tekst #Q.", "Text.", campaign_hashtags=["Q"])
    finally:
        i18n.set_language("en")
    assert all(t != e for t, e in zip(translated, english, strict=True)), translated
    assert "the translation lacks" not in warnings[0], warnings
