"""Each platform's length rule with real hard cases."""

from __future__ import annotations

import unicodedata

import pytest

from publisher.domain.textrules import (
    count_hashtags,
    count_text,
    default_limit,
    grapheme_count,
    mastodon_length,
    threads_length,
    tightest_limit,
    utf8_length,
)
from publisher.domain.x_text import x_weighted_length

ALBANIAN = "Gëzuar Ditën e Flamurit"
THUMB = "👍🏽"
FAMILY = "👨‍👩‍👧‍👦"
KOSOVO_FLAG = "🇽🇰"
KEYCAP = "1️⃣"
LONG_URL = "https://www.mfa-ks.net/" + "lajme/" * 30


@pytest.mark.parametrize("text,weight", [
    (ALBANIAN, 23),
    (unicodedata.normalize("NFD", ALBANIAN), 23),  # NFC first: ë is one character
    ("Срећан Дан заставе", 18),  # Cyrillic is below U+10FF: weight 1
    ("漢字", 4),                  # CJK weighs 2
    (THUMB, 2),
    (FAMILY, 2),
    (KOSOVO_FLAG, 2),
    (KEYCAP, 2),
    (LONG_URL, 23),
    ("Read " + LONG_URL + ".", 5 + 23 + 1),
    ("see mfa-ks.net/flag", 4 + 23),
    ("a—b “c”", 7),               # general punctuation weighs 1
])
def test_x_weighted_length(text: str, weight: int) -> None:
    assert x_weighted_length(text) == weight


@pytest.mark.parametrize("text,count", [
    (ALBANIAN, 23), (THUMB, 1), (FAMILY, 1), (KOSOVO_FLAG, 1), (KEYCAP, 1),
    (unicodedata.normalize("NFD", "ë"), 1),
])
def test_grapheme_count(text: str, count: int) -> None:
    assert grapheme_count(text) == count


def test_mastodon_counts_urls_as_23_and_remote_mentions_locally() -> None:
    assert mastodon_length(LONG_URL) == 23
    assert mastodon_length("@embassy@diplo.social hi") == len("@embassy hi")
    assert mastodon_length(FAMILY + " ë") == 3


def test_threads_counts_emoji_as_utf8_bytes() -> None:
    assert threads_length("abc") == 3
    assert threads_length(THUMB) == utf8_length(THUMB) == 8


@pytest.mark.parametrize("platform,limit", [
    ("x", 280), ("mastodon", 500), ("bluesky", 300), ("threads", 500),
    ("linkedin", 3000), ("facebook", 63206), ("telegram", 4096),
])
def test_at_limit_and_one_over(platform: str, limit: int) -> None:
    assert count_text(platform, "a" * limit).ok
    over = count_text(platform, "a" * (limit + 1))
    assert not over.ok
    assert over.remaining == -1
    assert "1 over" in over.problems[0]


def test_instagram_limit_hashtags_and_image() -> None:
    assert count_text("instagram", "a" * 2200, has_media=True).ok
    assert not count_text("instagram", "a" * 2201, has_media=True).ok
    thirty = " ".join(f"#tag{i}" for i in range(30))
    assert count_text("instagram", thirty, has_media=True).ok
    over = count_text("instagram", thirty + " #Kosovë", has_media=True)
    assert "31 hashtags" in over.problems[0]
    assert "needs an image" in count_text("instagram", "text").problems[0]


def test_bluesky_bytes_limit_under_300_graphemes() -> None:
    text = FAMILY * 121  # 121 graphemes, 25 bytes each
    count = count_text("bluesky", text)
    assert count.used == 121
    assert any("UTF-8 bytes" in problem for problem in count.problems)
    assert count_text("bluesky", "Ћ" * 300).ok  # 600 bytes


def test_telegram_caption_limit() -> None:
    assert count_text("telegram", "a" * 1024, has_media=True).ok
    assert not count_text("telegram", "a" * 1025, has_media=True).ok
    assert count_text("telegram", "a" * 1025).ok
    assert count_text("telegram", "👍" * 2048).used == 4096  # UTF-16 code units
    assert count_text("telegram", THUMB).used == 4  # two astral code points


def test_limit_override_and_near_limit() -> None:
    count = count_text("mastodon", "a" * 950, limit=1000)
    assert count.ok and count.near_limit
    assert not count_text("mastodon", "a" * 100).near_limit


def test_hashtags_in_albanian_cyrillic_and_not_in_urls() -> None:
    assert count_hashtags("#DigitalKosovo #Kosovë #ДигиталнаСрбија #diaspora_de") == 4
    assert count_hashtags("https://mfa-ks.net/page#section and C# and #1") == 0


def test_tightest_limit_and_unknown_platform() -> None:
    assert tightest_limit(["facebook", "x", "mastodon"]) == ("x", 280)
    assert tightest_limit([]) is None
    assert default_limit("telegram", has_media=True) == 1024
    with pytest.raises(ValueError):
        count_text("myspace", "a")
