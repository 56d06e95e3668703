"""Serbian transliteration: the cases the published libraries get wrong."""

from __future__ import annotations

import pytest

from publisher.domain.serbian import protected_spans, to_cyrillic, to_latin


@pytest.mark.parametrize("cyrillic,latin", [
    ("Љубав", "Ljubav"),
    ("ЉУБАВ", "LJUBAV"),
    ("љубав", "ljubav"),
    ("Његош", "Njegoš"),
    ("ЊЕГОШ", "NJEGOŠ"),
    ("Џеп", "Džep"),
    ("ЏЕП", "DŽEP"),
    ("ЏЕП И ЉУБАВ", "DŽEP I LJUBAV"),
    ("Ђорђе Ћирић чува жуту шољу", "Đorđe Ćirić čuva žutu šolju"),
    ("Срећан Дан заставе!", "Srećan Dan zastave!"),
    ("НОВИ ЉУДИ", "NOVI LJUDI"),
    ("Љ. Њ. Петровић", "Lj. Nj. Petrović"),
    ("ВЕЛИКО Љ", "VELIKO LJ"),
    ("Хитна линија 24/7: +383 38 213 444.", "Hitna linija 24/7: +383 38 213 444."),
    ("Прва линија\nДруга линија", "Prva linija\nDruga linija"),
])
def test_to_latin(cyrillic: str, latin: str) -> None:
    assert to_latin(cyrillic) == latin


@pytest.mark.parametrize("compat,latin", [
    ("ǉubav", "ljubav"),      # U+01C9
    ("ǈubav", "Ljubav"),      # U+01C8, title case
    ("Ǉubav", "Ljubav"),      # U+01C7 before lower case
    ("ǊEGOŠ", "NJEGOŠ"),      # U+01CA in capitals
    ("ǅep", "Džep"),          # U+01C5
    ("ǄEP", "DŽEP"),          # U+01C4
])
def test_compatibility_digraphs_are_normalised(compat: str, latin: str) -> None:
    assert to_latin(compat) == latin


@pytest.mark.parametrize("text", [
    "Посетите https://mfa-ks.net/ск/вести данас",
    "Пишите на info.beograd@mfa-ks.net",
    "Пратите @МФА_Косово",
    "Пратите @embassy@diplo.social",
    "#ДигиталнаСрбија и #DigitalKosovo",
    "www.mfa-ks.net/ђаци",
])
def test_identifiers_are_left_untouched(text: str) -> None:
    result = to_latin(text)
    for start, end in protected_spans(text):
        assert text[start:end] in result


def test_identifier_spans_and_text_around_them() -> None:
    text = "Вести: https://mfa-ks.net/ск #ДигиталнаСрбија @МФА пишите info@mfa-ks.net."
    assert to_latin(text) == (
        "Vesti: https://mfa-ks.net/ск #ДигиталнаСрбија @МФА pišite info@mfa-ks.net."
    )


@pytest.mark.parametrize("text", [
    "Gëzuar Ditën e Flamurit! Çdo qytetar.",
    "Happy Flag Day!",
    "Съешь ещё щи",  # Russian letters outside Serbian stay
])
def test_non_serbian_text_passes_through(text: str) -> None:
    result = to_latin(text)
    if "щ" in text:
        assert "щ" in result and "ы" not in result
    else:
        assert result == text


@pytest.mark.parametrize("latin,cyrillic", [
    ("nadživeti", "надживети"),
    ("podžanr", "поджанр"),
    ("injekcija", "инјекција"),
    ("konjunkcija", "конјункција"),
    ("konjugacija", "конјугација"),
    ("vanjezički", "ванјезички"),
    ("odjednom", "одједном"),
    ("ljubav", "љубав"),
    ("Ljubav", "Љубав"),
    ("LJUBAV", "ЉУБАВ"),
    ("njegov", "његов"),
    ("NJEGOŠ", "ЊЕГОШ"),
    ("džep", "џеп"),
    ("Džep", "Џеп"),
    ("Srećan Dan zastave", "Срећан Дан заставе"),
])
def test_to_cyrillic(latin: str, cyrillic: str) -> None:
    result = to_cyrillic(latin)
    assert result.text == cyrillic
    assert result.needs_review


def test_to_cyrillic_notes_prefix_splits_and_keeps_identifiers() -> None:
    result = to_cyrillic("Nadživeti sve, https://mfa-ks.net/nadziveti #DigitalKosovo")
    assert result.text == "Надживети све, https://mfa-ks.net/nadziveti #DigitalKosovo"
    assert any("nadživeti" in note.lower() for note in result.notes)


def test_to_cyrillic_of_nothing_to_convert_needs_no_review() -> None:
    result = to_cyrillic("https://mfa-ks.net 2024")
    assert result.text == "https://mfa-ks.net 2024"
    assert not result.needs_review


@pytest.mark.parametrize("text", [
    "Срећан Дан заставе! Љубав и поштовање.",
    "Ђорђе чува џеп ЊЕГОШ",
])
def test_round_trip_where_unambiguous(text: str) -> None:
    assert to_cyrillic(to_latin(text)).text == text
