"""A video's subtitles in the editor's language tabs and the translator's view (read-only)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static
from tui_helpers import drive, screen_text, settle

SRT = "1\n00:00:01,000 --> 00:00:03,000\n{text}\n\n2\n00:00:04,000 --> 00:00:04,300\nOK\n"


def add_video_draft(home: Path) -> None:
    (home / "media" / "aaa.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (home / "media" / "aaa.sq.srt").write_text(SRT.format(text="Mirë se vini"), "utf-8")
    (home / "media" / "aaa.sr.srt").write_text(SRT.format(text="Добро дошли"), "utf-8")
    (home / "drafts" / "aaa-video.toml").write_text(
        'title = "Video"\nsource = "sq"\naccounts = ["mfa-x", "mfa-telegram"]\n\n'
        '[variants.sq]\ntext = "Deklaratë"\n\n'
        '[[media]]\nfile = "media/aaa.mp4"\nsubtitles.sq = "media/aaa.sq.srt"\n'
        'subtitles.sr = "media/aaa.sr.srt"\n', "utf-8")


def test_the_editor_shows_each_languages_subtitles(app_on, demo) -> None:
    add_video_draft(demo)

    async def scenario(app, pilot):
        from publisher.tui.screens.editor import EditorScreen

        await app.push_screen(EditorScreen("aaa-video"))
        await settle(pilot)
        lines = {tag: [str(w.render()) for w in app.screen.query(".subtitles").results(Static)
                       if f"({tag})" in str(w.render())]
                 for tag in ("sq", "en", "sr", "sr-Latn")}
        assert lines["sq"] == ["Subtitles of media/aaa.mp4 (sq): media/aaa.sq.srt: "
                               "translated, 2 cues, 1 warning"]
        assert lines["en"] == ["Subtitles of media/aaa.mp4 (en): missing"]
        assert lines["sr-Latn"] == ["Subtitles of media/aaa.mp4 (sr-Latn): derived from "
                                    "media/aaa.sr.srt: translated, 2 cues, 1 warning"]
        app.screen.query_one("#editor-tabs").active = "tab-en"
        await settle(pilot)
        assert "Subtitles of media/aaa.mp4 (en): missing" in screen_text(app)

    drive(app_on(), scenario)


def test_the_translator_shows_the_subtitles_state(app_on, demo) -> None:
    add_video_draft(demo)

    async def scenario(app, pilot):
        await pilot.press("f4")
        await settle(pilot)
        app.screen.query_one("#locale-select").value = "en"
        await settle(pilot)
        assert "1 of" in screen_text(app) and "Video" in screen_text(app)
        note = str(app.screen.query_one("#subtitles-note", Static).render())
        assert note == "Subtitles of media/aaa.mp4 (en): missing"

    drive(app_on(), scenario)
