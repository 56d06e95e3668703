"""A video's subtitles through the PO round trip, states, checks and scheduling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import run_cli, run_process, snapshot_tree

from publisher.domain.subtitles import parse_srt, parse_vtt
from publisher.services.context import open_context
from publisher.services.subtitles import subtitle_file_for

SQ_SRT = (
    "1\n00:00:01,000 --> 00:00:03,500\nMirë se vini\n\n"
    "2\n00:00:04,200 --> 00:00:06,000\n<i>Faleminderit</i>\n"
)
DRAFT = '''title = "Statement"
source = "sq"
accounts = ["mfa-x", "mfa-tg"]

[variants.sq]
text = "Deklaratë"

[[media]]
file = "media/statement.mp4"
subtitles.sq = "media/statement.sq.srt"
'''
NOW = "2026-11-20T08:00:00+00:00"


@pytest.fixture
def ws(home: Path) -> Path:
    for args in (
        ("mfa-x", "--platform", "outbox", "--locales", "en,sq"),
        ("mfa-tg", "--platform", "outbox", "--locales", "sq,sr,sr-Latn"),
    ):
        assert run_cli("--home", str(home), "accounts", "add", *args).code == 0
    (home / "drafts" / "statement.toml").write_text(DRAFT, encoding="utf-8")
    (home / "media" / "statement.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (home / "media" / "statement.sq.srt").write_text(SQ_SRT, encoding="utf-8")
    return home


def cli(home: Path, *args: str):
    return run_cli("--home", str(home), *args)


def export(home: Path, locale: str) -> Path:
    out = home.parent / f"{locale}.po"
    result = cli(home, "translations", "export", "--locale", locale, "--out", str(out))
    assert result.code == 0, result.err
    return out


def translate(po: Path, texts: dict[str, str]) -> None:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id in texts:
            message.string = texts[message.id]
    with po.open("wb") as handle:
        write_po(handle, catalog, width=0)


def subtitle_states(home: Path) -> dict:
    result = cli(home, "translations", "status", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)["subtitles"]["statement"]["media/statement.mp4"]


def test_export_one_entry_per_cue(ws: Path) -> None:
    with export(ws, "en").open("rb") as handle:
        catalog = read_po(handle)
    cues = {m.context: m.id for m in catalog if m.context and "|subtitle " in m.context}
    assert cues == {
        "statement|media/statement.mp4|subtitle 1 00:00:01.000 --> 00:00:03.500":
            "Mirë se vini",
        "statement|media/statement.mp4|subtitle 2 00:00:04.200 --> 00:00:06.000":
            "<i>Faleminderit</i>",
    }


def test_round_trip_writes_the_file_with_the_source_timing(ws: Path) -> None:
    assert subtitle_states(ws)["en"] == "missing"
    po = export(ws, "en")
    translate(po, {"Mirë se vini": "Welcome", "<i>Faleminderit</i>": "<i>Thank you</i>"})
    result = run_process("--home", str(ws), "translations", "import", str(po))
    assert result.code == 0, result.err
    assert "media/statement.en.srt" in result.out
    written = (ws / "media" / "statement.en.srt").read_text(encoding="utf-8")
    assert written == ("1\n00:00:01,000 --> 00:00:03,500\nWelcome\n\n"
                       "2\n00:00:04,200 --> 00:00:06,000\n<i>Thank you</i>\n")
    draft = (ws / "drafts" / "statement.toml").read_text(encoding="utf-8")
    assert 'subtitles.en = "media/statement.en.srt"' in draft
    assert "subtitles_from.en = " in draft
    assert subtitle_states(ws)["en"] == "translated"
    # Exported again: the translation is there as msgstr.
    with export(ws, "en").open("rb") as handle:
        assert {m.string for m in read_po(handle) if m.context and "|subtitle " in m.context} \
            == {"Welcome", "<i>Thank you</i>"}
    # The source changes: the translation is stale.
    (ws / "media" / "statement.sq.srt").write_text(SQ_SRT.replace("vini", "erdhët"), "utf-8")
    assert subtitle_states(ws)["en"] == "stale"
    status = cli(ws, "translations", "status")
    assert "statement media/statement.mp4 subtitles" in status.out


def test_incomplete_import_writes_nothing(ws: Path) -> None:
    po = export(ws, "en")
    translate(po, {"Mirë se vini": "Welcome"})
    before = snapshot_tree(ws)
    result = cli(ws, "translations", "import", str(po))
    assert result.code == 0, result.err
    assert ("statement media/statement.mp4 (en): subtitles not written: 1 cue of 2 is not "
            "translated") in result.err
    assert snapshot_tree(ws) == before
    assert subtitle_states(ws)["en"] == "missing"


def test_changed_source_refuses_the_import(ws: Path) -> None:
    po = export(ws, "en")
    translate(po, {"Mirë se vini": "Welcome", "<i>Faleminderit</i>": "Thanks"})
    (ws / "media" / "statement.sq.srt").write_text(SQ_SRT.replace("04,200", "04,300"), "utf-8")
    before = snapshot_tree(ws)
    result = cli(ws, "translations", "import", str(po))
    assert result.code == 2
    assert "changed since export" in result.err
    assert snapshot_tree(ws) == before


def test_a_blank_line_in_a_cue_is_refused(ws: Path) -> None:
    po = export(ws, "en")
    translate(po, {"Mirë se vini": "Wel\n\ncome", "<i>Faleminderit</i>": "Thanks"})
    before = snapshot_tree(ws)
    result = cli(ws, "translations", "import", str(po))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "blank line" in result.err
    assert snapshot_tree(ws) == before


def test_vtt_source_gives_vtt_translation_and_latin_is_derived(ws: Path) -> None:
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000 align:start\nMirë\n"
    (ws / "media" / "statement.sq.srt").unlink()
    (ws / "media" / "statement.vtt").write_text(vtt, encoding="utf-8")
    draft = ws / "drafts" / "statement.toml"
    draft.write_text(DRAFT.replace("statement.sq.srt", "statement.vtt"), encoding="utf-8")
    po = export(ws, "sr")
    translate(po, {"Mirë": "Добро"})
    assert cli(ws, "translations", "import", str(po)).code == 0
    written = (ws / "media" / "statement.sr.vtt").read_text(encoding="utf-8")
    assert written == "WEBVTT\n\n00:00:01.000 --> 00:00:02.000 align:start\nДобро\n"
    assert subtitle_states(ws)["sr-Latn"] == "translated"
    context = open_context(ws)
    loaded = context.drafts.load("statement").draft
    path = subtitle_file_for(context, loaded, loaded.media[0], "sr-Latn")
    assert path is not None and path.parent == ws / "media" / ".subtitles"
    assert parse_vtt(path.read_text(encoding="utf-8"))[0].text == "Dobro"
    assert subtitle_file_for(context, loaded, loaded.media[0], "en") is None
    assert subtitle_file_for(context, loaded, loaded.media[0], "sr") == \
        ws / "media" / "statement.sr.vtt"


def test_check_warns_and_scheduling_refuses_a_broken_file(ws: Path) -> None:
    fast = SQ_SRT.replace("00:00:03,500", "00:00:01,200")
    (ws / "media" / "statement.sq.srt").write_text(fast, encoding="utf-8")
    result = cli(ws, "drafts", "check", "statement")
    assert result.code == 0, result.err
    assert ("statement: media/statement.sq.srt (sq): cue 1 (00:00:01.000): shown 0.2 s; "
            "at least 0.7 s to be read") in result.err
    (ws / "media" / "statement.sq.srt").write_text("1\nnot a timing\nx\n", encoding="utf-8")
    before = snapshot_tree(ws)
    result = cli(ws, "schedule", "statement", "--at", "2026-11-21T08:00:00+00:00",
                 "--now", NOW, "--allow-stale")
    assert result.code == 2
    assert result.err.startswith("publisher: error: media/statement.sq.srt:2: ")
    assert result.err.count("\n") == 1
    assert parse_srt(SQ_SRT)  # the fixture's file itself reads
    assert snapshot_tree(ws) == before


def test_a_changed_subtitle_file_withdraws_the_approval(ws: Path) -> None:
    from publisher.services import approvals

    assert cli(ws, "drafts", "approve", "statement", "--now", NOW).code == 0
    context = open_context(ws)
    draft = context.drafts.load("statement").draft
    assert approvals.clearance(context, draft).cleared
    (ws / "media" / "statement.sq.srt").write_text(SQ_SRT.replace("vini", "erdhët"), "utf-8")
    assert not approvals.clearance(context, draft).cleared


def test_a_campaign_pack_carries_the_subtitles(ws: Path, tmp_path: Path) -> None:
    draft = ws / "drafts" / "statement.toml"
    draft.write_text(DRAFT.replace('source = "sq"', 'source = "sq"\ncampaign = "Video"'),
                     encoding="utf-8")
    pack = tmp_path / "video.zip"
    result = cli(ws, "campaign", "export", "Video", "--out", str(pack))
    assert result.code == 0, result.err
    other = tmp_path / "other"
    assert run_cli("init", str(other)).code == 0
    for account in ("mfa-x", "mfa-tg"):
        assert run_cli("--home", str(other), "accounts", "add", account, "--platform",
                       "outbox", "--locales", "sq").code == 0
    result = cli(other, "campaign", "import", str(pack), "--now", NOW)
    assert result.code == 0, result.err
    assert (other / "media" / "statement.sq.srt").read_text(encoding="utf-8") == SQ_SRT


def test_a_cue_left_out_is_taken_from_a_current_translation(ws: Path) -> None:
    po = export(ws, "en")
    translate(po, {"Mirë se vini": "Welcome", "<i>Faleminderit</i>": "Thanks"})
    assert cli(ws, "translations", "import", str(po)).code == 0
    po = export(ws, "en")
    translate(po, {"Mirë se vini": "Hello", "<i>Faleminderit</i>": ""})
    result = cli(ws, "translations", "import", str(po))
    assert result.code == 0, result.err
    cues = parse_srt((ws / "media" / "statement.en.srt").read_text(encoding="utf-8"))
    assert [cue.text for cue in cues] == ["Hello", "Thanks"]


def test_a_po_file_for_the_source_locale_never_rewrites_the_source(ws: Path) -> None:
    po = export(ws, "en")
    po.write_text(po.read_text(encoding="utf-8").replace("Language: en", "Language: sq"),
                  encoding="utf-8")
    translate(po, {"Mirë se vini": "Welcome", "<i>Faleminderit</i>": "Thanks"})
    before = snapshot_tree(ws)
    result = cli(ws, "translations", "import", str(po))
    assert result.code == 0, result.err
    assert snapshot_tree(ws) == before
