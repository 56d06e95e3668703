"""The one helper that shortens text for the terminal, and the column fitting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text

from publisher.tui.table_screen import CELL_PADDING, Column, fit_widths
from publisher.tui.text_fit import ELLIPSIS, fit

# Latin, Albanian, Serbian Cyrillic, CJK (two cells each), spaces and punctuation.
texts = st.text(alphabet="abc xyzëçЖжђ東京,.-", max_size=60)


@given(texts, st.integers(min_value=1, max_value=40), st.booleans())
def test_fit_never_exceeds_the_width_and_keeps_a_prefix(text: str, width: int,
                                                         words: bool) -> None:
    shown = fit(text, width, words=words)
    assert cell_len(shown) <= width
    if shown != text:
        assert shown.endswith(ELLIPSIS)
        assert text.startswith(shown[:-1])


@given(st.lists(st.sampled_from(["score", "from", "results", "(3", "posts)", "in", "window"]),
                min_size=2, max_size=12), st.integers(min_value=8, max_value=40))
def test_fit_by_words_never_cuts_inside_a_word(words: list[str], width: int) -> None:
    text = " ".join(words)
    shown = fit(text, width, words=True)
    if shown != text:
        kept = shown[:-1].split()
        assert kept and kept == words[:len(kept)]


def test_wide_characters_count_two_cells() -> None:
    assert fit("東京東京東京", 7) == "東京東…"
    assert fit("Косово и свет", 8) == "Косово…"


def test_a_styled_text_keeps_its_style_and_an_address_its_end() -> None:
    shown = fit(Text("Flag Day greeting", style="bold"), 8)
    assert shown.plain == "Flag Da…" and str(shown.style) == "bold"
    assert fit("file:///home/ws/outbox/mfa-x/20261120T1000-7.json", 30).endswith("-7.json")


COLUMNS = (Column("title", min_width=10), Column("campaign"), Column("accounts", min_width=8),
           Column("sq", decides=True), Column("due", decides=True),
           Column("why", decides=True, fill=True, min_width=20))


@given(st.lists(st.integers(min_value=1, max_value=80), min_size=6, max_size=6),
       st.integers(min_value=40, max_value=250))
def test_deciding_columns_come_first_and_the_widths_fit(naturals: list[int],
                                                        available: int) -> None:
    natural = dict(zip([c.key for c in COLUMNS], naturals, strict=True))
    widths = fit_widths(COLUMNS, natural, available)
    deciding = [c for c in COLUMNS if c.decides]
    floors = sum(natural[c.key] for c in deciding if not c.fill) + 20 + 2 * len(deciding)
    if floors <= available:
        assert sum(widths.values()) + 2 * CELL_PADDING * len(widths) <= available
        for column in deciding:
            assert widths[column.key] >= (20 if column.fill else natural[column.key])
