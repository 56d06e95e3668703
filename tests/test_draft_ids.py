"""Draft ids made from titles (``slug``) and kept unique (``free_id``)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from publisher.domain.drafts import SLUG_LENGTH, check_draft_id, free_id, slug
from publisher.domain.errors import UserError

REFUSAL = "write a title with at least one letter or digit"
CYRILLIC = "абвгдђежзијклљмнњопрстћуфхцчџшАБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ"
valid_ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)


def test_ids_from_titles_in_every_script() -> None:
    assert slug("Gëzuar Ditën e Flamurit!") == "gezuar-diten-e-flamurit"
    assert slug("Срећан Дан заставе, Ђаковица") == "srecan-dan-zastave-djakovica"
    assert slug("  #DigitalKosovo: e-Kosova  ") == "digitalkosovo-e-kosova"
    assert len(slug("word " * 40)) <= SLUG_LENGTH


def test_cyrillic_hashtags_handles_and_addresses_in_a_title_are_transliterated() -> None:
    # to_latin leaves identifiers as written; in an id they are words like any other.
    assert slug("#ДанЗаставе 2027") == "danzastave-2027"
    assert slug("@амбасада") == "ambasada"
    assert slug("www.амбасада.rs") == "www-ambasada-rs"


def test_a_title_without_a_letter_or_digit_is_refused_with_the_reason() -> None:
    with pytest.raises(UserError) as refused:
        slug("?!")
    assert str(refused.value) == REFUSAL


@given(st.text())
@example("")
@example("-" * 60)
@example("a" * 100)
@example("ǅ ǈ ǋ ℌ İ ß ﬁ")  # compatibility letters and ligatures
def test_slug_yields_a_valid_id_or_refuses_clearly(title: str) -> None:
    try:
        made = slug(title)
    except UserError as error:
        assert str(error) == REFUSAL
        return
    assert check_draft_id(made) == made
    assert len(made) <= SLUG_LENGTH
    assert slug(made) == made  # an id is its own slug


@given(st.text(), st.sampled_from("azAZ09" + CYRILLIC), st.text())
@example("#", "а", "")  # a Cyrillic hashtag
def test_a_title_with_a_latin_or_cyrillic_letter_or_a_digit_is_never_refused(
        before: str, letter: str, after: str) -> None:
    assert check_draft_id(slug(before + letter + after))


@given(valid_ids, st.sets(valid_ids | st.text(max_size=40)))
def test_free_id_never_returns_a_taken_id(wanted: str, taken: set[str]) -> None:
    found = free_id(wanted, taken)
    assert found not in taken
    assert check_draft_id(found) == found
    assert found == wanted or found.removeprefix(wanted + "-").isdigit()
    if wanted not in taken:
        assert found == wanted


@given(valid_ids, st.integers(min_value=2, max_value=30))
def test_free_id_counts_past_every_taken_number(wanted: str, upto: int) -> None:
    taken = {wanted} | {f"{wanted}-{n}" for n in range(2, upto)}
    assert free_id(wanted, taken) == f"{wanted}-{upto}"
