"""Subtitle cues: SRT and WebVTT read and written, fingerprints, Serbian Latin, checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publisher.domain.subtitles import (
    Cue,
    SubtitleError,
    check_cues,
    cues_fingerprint,
    parse_srt,
    parse_subtitles,
    parse_vtt,
    render_srt,
    render_vtt,
    to_latin,
)

SRT = (
    "\ufeff1\r\n00:00:01,000 --> 00:00:03,500\r\n<i>Mirë se vini</i>\r\nnë Prishtinë\r\n\r\n"
    "2\r\n00:00:04,200 --> 00:00:06,000\r\nFaleminderit\r\n"
)


def test_srt_with_bom_crlf_and_tags() -> None:
    assert parse_srt(SRT) == (
        Cue(1000, 3500, "<i>Mirë se vini</i>\nnë Prishtinë"),
        Cue(4200, 6000, "Faleminderit"),
    )


def test_srt_without_numbers_and_with_dots() -> None:
    text = "00:00:01.000 --> 00:00:02.000\nOne\n\n\n00:00:03,000 --> 00:00:04,000\nTwo\n"
    assert parse_srt(text) == (Cue(1000, 2000, "One"), Cue(3000, 4000, "Two"))


def test_vtt_identifiers_settings_notes_and_styles() -> None:
    text = (
        "WEBVTT - a statement\nKind: captions\n\n"
        "NOTE written by the press office\nover two lines\n\n"
        "STYLE\n::cue { color: yellow }\n\n"
        "intro\n00:01.000 --> 00:02.500 align:start line:0\nДобро дошли\n\n"
        "01:00:03.000 --> 01:00:04.000\n<b>Хвала</b>\n"
    )
    assert parse_vtt(text) == (
        Cue(1000, 2500, "Добро дошли", "align:start line:0"),
        Cue(3_603_000, 3_604_000, "<b>Хвала</b>"),
    )


@pytest.mark.parametrize(("text", "suffix", "line"), [
    ("1\n00:00:01,000 -> 00:00:02,000\nOne\n", ".srt", 2),
    ("1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\n", ".srt", 5),
    ("1\n00:00:01,000 --> 00:00:02,000\nOne\n00:00:03,000 --> 00:00:04,000\nTwo\n", ".srt", 4),
    ("1\n00:00:01,000 --> 00:00:02,000\n", ".srt", 1),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nOne\n\nid-only\n", ".vtt", 7),
    ("Not a header\n\n00:01.000 --> 00:02.000\nOne\n", ".vtt", 1),
    ("WEBVTT\n00:01.000 --> 00:02.000\nOne\n", ".vtt", 2),
    ("WEBVTT\n\n00:01,000 --> 00:02.000\nOne\n", ".vtt", 3),
])
def test_parse_errors_name_the_line(text: str, suffix: str, line: int) -> None:
    with pytest.raises(SubtitleError) as caught:
        parse_subtitles(text, suffix, "media/a.sq" + suffix)
    assert caught.value.where == f"media/a.sq{suffix}:{line}"


def test_render_formats() -> None:
    cues = (Cue(4200, 3_723_004, "Two\nlines", "align:end"),)
    assert render_srt(cues) == "1\n00:00:04,200 --> 01:02:03,004\nTwo\nlines\n"
    assert render_vtt(cues) == "WEBVTT\n\n00:00:04.200 --> 01:02:03.004 align:end\nTwo\nlines\n"


def test_fingerprint_changes_with_text_and_timing() -> None:
    cues = (Cue(0, 1000, "A"),)
    assert cues_fingerprint(cues) == cues_fingerprint((Cue(0, 1000, "A"),))
    assert len({cues_fingerprint(cues), cues_fingerprint((Cue(0, 1001, "A"),)),
                cues_fingerprint((Cue(0, 1000, "B"),))}) == 3


def test_latin_from_cyrillic_keeps_timing_and_tags() -> None:
    assert to_latin((Cue(0, 2000, "<i>Добро дошли</i>", "line:0"),)) == (
        Cue(0, 2000, "<i>Dobro došli</i>", "line:0"),)


def test_checks() -> None:
    long_line = "x" * 43
    warnings = check_cues((
        Cue(0, 3000, f"{long_line}\nb\nc"),
        Cue(2000, 2500, "short"),
        Cue(3000, 3000, "none"),
        Cue(4000, 12000, "long"),
        Cue(13000, 14000, "Far too many characters for one second"),
        Cue(15000, 17000, "<i>Fine</i>"),
    ))
    assert warnings == [
        "cue 1 (00:00:00.000): 3 lines; at most 2 fit",
        "cue 1 (00:00:00.000): line 1 has 43 characters; at most 42 fit",
        "cue 1 (00:00:00.000): overlaps the next cue",
        "cue 2 (00:00:02.000): shown 0.5 s; at least 0.7 s to be read",
        "cue 3 (00:00:03.000): does not end after it starts",
        "cue 4 (00:00:04.000): shown 8.0 s; at most 7 s",
        "cue 5 (00:00:13.000): 38 characters a second; at most 21 can be read",
    ]


def test_checks_count_what_is_seen() -> None:
    assert check_cues((Cue(0, 3000, "<i>" + "x" * 42 + "</i>"),)) == []


_line = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
                max_size=30).map(str.strip).filter(lambda line: line and "-->" not in line)
_cue = st.builds(
    lambda start, length, lines: Cue(start, start + length, "\n".join(lines)),
    st.integers(0, 99 * 3_600_000), st.integers(0, 3_600_000),
    st.lists(_line, min_size=1, max_size=3))
_settings = st.sampled_from(["", "align:start", "line:0 position:10%"])


@given(st.lists(_cue, max_size=8))
def test_srt_round_trip(cues: list[Cue]) -> None:
    assert parse_srt(render_srt(cues)) == tuple(cues)


@given(st.lists(st.tuples(_cue, _settings), max_size=8))
def test_vtt_round_trip(pairs: list[tuple[Cue, str]]) -> None:
    cues = tuple(Cue(cue.start_ms, cue.end_ms, cue.text, settings) for cue, settings in pairs)
    assert parse_vtt(render_vtt(cues)) == cues


_junk = st.text(st.sampled_from(list("0123456789:,.-> \n\r\ufeffWEBVTNOabc<>i/")), max_size=120)


@given(st.one_of(_junk, st.text(max_size=200)), st.sampled_from([".srt", ".vtt"]))
def test_parsers_fail_only_with_the_parse_error(text: str, suffix: str) -> None:
    try:
        cues = parse_subtitles(text, suffix, "f")
    except SubtitleError as error:
        assert error.where and error.where.startswith("f:")
    else:
        check_cues(cues)
