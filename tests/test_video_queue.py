"""What the queue keeps of a video: its file's hash and each locale's subtitles, the
post's own locale first, Serbian Latin derived from Cyrillic; stale subtitles stop a
post as a stale text does."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, snapshot_tree

from publisher.services.context import open_context
from publisher.services.queue_file import open_queue
from publisher.storage.atomic import file_digest

SQ_SRT = "1\n00:00:01,000 --> 00:00:03,500\nMirë se vini\n"
SR_SRT = "1\n00:00:01,000 --> 00:00:03,500\nДобро дошли\n"
DRAFT = '''title = "Statement"
source = "sq"
accounts = ["box"]
approved = true

[variants.sq]
text = "Deklaratë"

[variants.sr-Latn]
text = "Izjava"

[[media]]
file = "media/statement.mp4"
alt.sq = "Ambasadori flet"
subtitles.sq = "media/statement.sq.srt"
subtitles.sr = "media/statement.sr.srt"
'''
NOW = "2026-11-20T08:00:00+00:00"
AT = "2026-11-21T08:00:00+00:00"


@pytest.fixture
def ws(home: Path, video_file) -> Path:
    assert run_cli("--home", str(home), "accounts", "add", "box", "--platform", "outbox",
                   "--locales", "sq,sr-Latn").code == 0
    (home / "drafts" / "statement.toml").write_text(DRAFT, encoding="utf-8")
    (home / "media" / "statement.mp4").write_bytes(video_file().read_bytes())
    (home / "media" / "statement.sq.srt").write_text(SQ_SRT, encoding="utf-8")
    (home / "media" / "statement.sr.srt").write_text(SR_SRT, encoding="utf-8")
    return home


def queued_media(home: Path) -> dict[tuple[str, ...], tuple]:
    with open_queue(open_context(home)) as queue:
        return {item.locales: item.media for item in queue.items()}


def test_each_post_keeps_its_own_subtitles_first_and_latin_is_derived(ws: Path) -> None:
    result = run_cli("--home", str(ws), "schedule", "statement", "--at", AT, "--now", NOW)
    assert result.code == 0, result.err
    media = queued_media(ws)
    [sq] = media[("sq",)]
    assert sq.sha256 == file_digest(ws / "media" / "statement.mp4")
    assert [(s.locale, s.file) for s in sq.subtitles] == [
        ("sq", "media/statement.sq.srt"), ("sr", "media/statement.sr.srt")]
    [latin] = media[("sr-Latn",)]
    assert [s.locale for s in latin.subtitles] == ["sr-Latn", "sq", "sr"]
    derived = ws / latin.subtitles[0].file
    assert derived.parent == ws / "media" / ".subtitles"
    assert "Dobro došli" in derived.read_text(encoding="utf-8")
    assert latin.subtitles[0].sha256 == file_digest(derived)


def test_stale_subtitles_of_the_posts_locale_stop_it_unless_allowed(ws: Path) -> None:
    draft = ws / "drafts" / "statement.toml"
    draft.write_text(DRAFT + 'subtitles_from.sr = "00000000"\n', encoding="utf-8")
    before = snapshot_tree(ws / "media"), snapshot_tree(ws / "drafts")
    result = run_cli("--home", str(ws), "schedule", "statement", "--at", AT, "--now", NOW)
    assert result.code == 2
    assert "the sr-Latn subtitles of media/statement.mp4 in 'statement' are stale" in result.err
    assert (snapshot_tree(ws / "media"), snapshot_tree(ws / "drafts")) == before
    assert queued_media(ws) == {}
    result = run_cli("--home", str(ws), "schedule", "statement", "--at", AT, "--now", NOW,
                     "--allow-stale")
    assert result.code == 0, result.err
    assert [s.locale for s in queued_media(ws)[("sr-Latn",)][0].subtitles] == [
        "sr-Latn", "sq", "sr"]


def test_a_missing_subtitle_file_is_named_as_subtitles_not_as_an_image(ws: Path) -> None:
    (ws / "media" / "statement.sr.srt").unlink()
    result = run_cli("--home", str(ws), "schedule", "statement", "--at", AT, "--now", NOW)
    assert result.code == 2
    assert "media.subtitles.sr 'media/statement.sr.srt' does not exist" in result.err
    assert "image" not in result.err
    assert result.err.count("\n") == 1


def test_drafts_validate_warns_of_subtitles_too(ws: Path) -> None:
    fast = SQ_SRT.replace("00:00:03,500", "00:00:01,200")
    (ws / "media" / "statement.sq.srt").write_text(fast, encoding="utf-8")
    result = run_cli("--home", str(ws), "drafts", "validate")
    assert result.code == 0, result.err
    assert ("statement: media/statement.sq.srt (sq): cue 1 (00:00:01.000): shown 0.2 s; "
            "at least 0.7 s to be read") in result.err
