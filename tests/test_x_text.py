"""X's weighted count against twitter-text's own conformance suite.

The vectors are twitter-text's files, unchanged (tests/data/twitter-text, see
its README): every weighted-length case of validate.yml, every link case of
extract.yml (the count depends on which text is a link) and every top-level
domain of tlds.yml. They are read here, not copied into the test.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from publisher.domain import x_text
from publisher.domain.textrules import count_text
from publisher.domain.x_text import x_link_spans, x_weighted_length

DATA = Path(__file__).parent / "data" / "twitter-text"


def _suite(name: str) -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["tests"]


VALIDATE = _suite("validate.yml")
EXTRACT = _suite("extract.yml")
TLDS = _suite("tlds.yml")


def _cases(suite: dict[str, list[dict[str, Any]]], *sections: str) -> list[Any]:
    return [pytest.param(case, id=f"{section}: {case['description']}")
            for section in sections for case in suite[section]]


def _links(text: str) -> list[str]:
    return [text[start:end] for start, end in x_link_spans(text)]


@pytest.mark.parametrize("case", _cases(VALIDATE, "WeightedTweetsWithDiscountedEmojiCounterTest",
                                        "UnicodeDirectionalMarkerCounterTest"))
def test_weighted_length_as_twitter_text_v3(case: dict[str, Any]) -> None:
    expected = case["expected"]
    assert x_weighted_length(case["text"]) == expected["weightedLength"]
    assert count_text("x", case["text"]).ok is expected["valid"]


@pytest.mark.parametrize("case", _cases(VALIDATE, "WeightedTweetsCounterTest"))
def test_weighted_length_as_twitter_text_v2_without_emoji_sequences(case: dict[str, Any]) -> None:
    """The same counter with emoji weighed code point by code point (config v2)."""
    expected = case["expected"]["weightedLength"]
    assert x_weighted_length(case["text"], emoji_sequences=False) == expected


@pytest.mark.parametrize("case", _cases(EXTRACT, "urls", "urls_with_directional_markers",
                                        "tco_urls_with_params"))
def test_links_as_twitter_text_extracts_them(case: dict[str, Any]) -> None:
    expected = [link["url"] if isinstance(link, dict) else link for link in case["expected"]]
    assert _links(case["text"]) == expected


@pytest.mark.parametrize("case", _cases(EXTRACT, "urls_with_indices"))
def test_link_offsets_as_twitter_text_gives_them(case: dict[str, Any]) -> None:
    expected = [(link["url"], tuple(link["indices"])) for link in case["expected"]]
    spans = x_link_spans(case["text"])
    assert [(case["text"][start:end], (start, end)) for start, end in spans] == expected


@pytest.mark.parametrize("case", _cases(TLDS, "country", "generic"))
def test_every_top_level_domain_makes_a_link(case: dict[str, Any]) -> None:
    assert _links(case["text"]) == case["expected"]


def test_the_weights_are_twitter_text_config_v3() -> None:
    config = json.loads((DATA / "v3.json").read_text(encoding="utf-8"))
    scale = config["scale"]
    assert config["emojiParsingEnabled"] is True
    assert config["maxWeightedTweetLength"] == x_text.MAX_WEIGHTED_LENGTH
    assert config["transformedURLLength"] == x_text.URL_WEIGHT
    assert config["defaultWeight"] // scale == x_text.DEFAULT_WEIGHT
    assert all(r["weight"] == scale for r in config["ranges"])  # every range weighs 1
    assert tuple((r["start"], r["end"]) for r in config["ranges"]) == x_text.LIGHT_RANGES


def test_the_shipped_domain_list_is_twitter_texts() -> None:
    listed = yaml.safe_load((DATA / "tld_lib.yml").read_text(encoding="utf-8"))
    assert {tld.lower() for tld in listed["generic"] + listed["country"]} == x_text.TLDS


@pytest.mark.parametrize("text,weight", [
    ("©", 1), ("©\ufe0f", 2),              # text-style emoji: one with its selector
    ("😷\u0301", 3),                        # a mark after an emoji weighs on its own
    ("#\ufe0f\u20e3 1\ufe0f", 2 + 1 + 3),   # a keycap; a digit with a stray selector
    ("🇽🇰🇦🇱", 4),                          # two flags
    ("a\u200db", 3),
])
def test_emoji_sequences_weigh_two(text: str, weight: int) -> None:
    assert x_weighted_length(text) == weight


def test_a_character_x_refuses_is_a_problem_at_any_length() -> None:
    count = count_text("x", "Lajme\ufeff")
    assert count.used == 7 and not count.ok
    assert "U+FEFF" in count.problems[0]


@given(st.text(alphabet=st.sampled_from(list("ab.:/-_(?)#@é あ1h tps")), max_size=80))
def test_links_never_overlap_and_the_count_never_raises(text: str) -> None:
    spans = x_link_spans(text)
    assert all(a < b <= c < d for (a, b), (c, d) in itertools.pairwise(spans))
    assert x_weighted_length(text) >= 0


@given(st.text())
def test_any_text_is_counted(text: str) -> None:
    assert x_weighted_length(text) >= 0
    assert all(0 <= start < end <= len(text) for start, end in x_link_spans(text))


def test_textrules_weighs_a_link_as_x_text_does() -> None:
    """textrules keeps X's link weight without importing x_text (its import is not free)."""
    from publisher.domain import textrules

    assert textrules.X_URL_WEIGHT == x_text.URL_WEIGHT
