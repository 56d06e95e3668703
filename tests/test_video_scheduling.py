"""Scheduling a draft with a video through the command line: refused with the reason,
in one line and exit 2, before anything is queued; and the notice where a platform
takes no subtitle files.

The refusals tested first hold whatever each platform's video support becomes (a
file missing, subtitles that cannot be, a file that is no video to a platform that
checks its media on this branch already). The ones that need a platform's video
limits are marked to fail, strictly, until the platform's branch lands (the lead
removes each mark at merge).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.web import png
from queue_helpers import add_account, cli, items
from video_files import make_video

AT = "2026-12-01T09:00:00+01:00"
NOW = "2026-12-01T08:00:00+01:00"
SRT = "1\n00:00:00,000 --> 00:00:01,000\nThe ambassador speaks.\n"


# An account of each platform that scheduling can check without the network.
ACCOUNT_ARGS = {
    "outbox": (),
    "x": (),
    "telegram": ("--handle", "@embassy"),
    "bluesky": ("--handle", "embassy.bsky.social"),
    "facebook": ("--handle", "123"),
    "linkedin": ("--handle", "urn:li:organization:1"),
}


@pytest.fixture
def ws(home: Path) -> Path:
    for platform, args in ACCOUNT_ARGS.items():
        add_account(home, f"a-{platform}", "--platform", platform, "--locales", "en", *args)
    (home / "media" / "clip.en.srt").write_text(SRT, encoding="utf-8")
    return home


def video_draft(home: Path, accounts: list[str], *, file: str = "media/clip.mp4",
                subtitles: str | None = None, draft_id: str = "statement") -> None:
    listed = ", ".join(f'"{a}"' for a in accounts)
    media = f'[[media]]\nfile = "{file}"\nalt.en = "The ambassador speaks"\n'
    if subtitles is not None:
        media += f'subtitles.en = "{subtitles}"\n'
    (home / "drafts" / f"{draft_id}.toml").write_text(
        f'title = "{draft_id}"\nsource = "en"\naccounts = [{listed}]\napproved = true\n'
        f'[variants.en]\ntext = """The ambassador\'s statement."""\n\n{media}',
        encoding="utf-8")


def schedule(home: Path, draft_id: str = "statement"):
    return cli(home, "schedule", draft_id, "--at", AT, "--now", NOW)


def refused(home: Path, *named: str, draft_id: str = "statement") -> str:
    """Scheduling fails with one line naming ``named``, and the queue stays empty."""
    result = schedule(home, draft_id)
    assert result.code == 2, (result.out, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("publisher: error: "), result.err
    for word in named:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in result.err
    assert items(home) == []
    return lines[0]


# Refusals every platform keeps


def test_a_missing_video_is_refused(ws: Path) -> None:
    video_draft(ws, ["a-outbox", "a-x"])
    refused(ws, "drafts/statement.toml", "media/clip.mp4", "does not exist")


def test_a_missing_subtitle_file_is_refused(ws: Path) -> None:
    make_video(ws / "media" / "clip.mp4", seconds=1.0)
    video_draft(ws, ["a-outbox", "a-x"], subtitles="media/gone.en.srt")
    refused(ws, "drafts/statement.toml", "media/gone.en.srt", "does not exist")


def test_subtitles_outside_the_media_folder_are_refused(ws: Path) -> None:
    make_video(ws / "media" / "clip.mp4", seconds=1.0)
    (ws / "clip.en.srt").write_text(SRT, encoding="utf-8")
    video_draft(ws, ["a-outbox"], subtitles="../clip.en.srt")
    refused(ws, "drafts/statement.toml", "media.subtitles.en", "media/ folder")


def test_subtitles_of_an_image_are_refused(ws: Path) -> None:

    (ws / "media" / "flag.png").write_bytes(png())
    video_draft(ws, ["a-outbox"], file="media/flag.png", subtitles="media/clip.en.srt")
    refused(ws, "drafts/statement.toml", "media.subtitles", "only a video has subtitles")


def test_a_file_that_is_no_video_is_refused_for_every_account_before_any_is_queued(
        ws: Path) -> None:
    """LinkedIn's refusal (its account comes first) stops the outbox's post too: a
    draft's posts are queued all together or not at all."""
    (ws / "media" / "clip.mp4").write_text("not a video at all\n", encoding="utf-8")
    video_draft(ws, ["a-linkedin", "a-outbox"])
    refused(ws, "statement", "a-linkedin", "clip.mp4")


def test_the_outbox_takes_the_video_with_its_subtitles_and_says_nothing_of_them(
        ws: Path) -> None:
    make_video(ws / "media" / "clip.mp4", seconds=1.0)
    video_draft(ws, ["a-outbox"], subtitles="media/clip.en.srt")
    result = schedule(ws)
    assert result.code == 0, result.err
    assert "subtitle" not in result.err
    (item,) = items(ws)
    assert item["account"] == "a-outbox" and item["state"] == "queued"


# Refusals that come with each platform's video limits


@pytest.mark.parametrize("platform", [
    "x",
    "telegram",
    "bluesky",
    "facebook",
])
def test_a_file_that_is_no_video_is_refused_by_each_platform(ws: Path, platform: str) -> None:
    (ws / "media" / "clip.mp4").write_text("not a video at all\n", encoding="utf-8")
    video_draft(ws, [f"a-{platform}", "a-outbox"])
    refused(ws, "statement", f"a-{platform}", "clip.mp4")


def test_a_webm_is_refused_where_the_platform_takes_mp4_only(ws: Path) -> None:
    """X takes MP4 and MOV (H.264 and AAC), not WebM."""
    make_video(ws / "media" / "clip.webm", seconds=1.0)
    video_draft(ws, ["a-outbox", "a-x"], file="media/clip.webm")
    refused(ws, "statement", "a-x", "clip.webm")


def test_a_video_longer_than_the_platform_takes_is_refused(ws: Path) -> None:
    """X takes at most 140 seconds (2 min 20 s) through the API."""
    make_video(ws / "media" / "clip.mp4", seconds=150.0, width=64, height=64, fps=1,
               audio=False)
    video_draft(ws, ["a-outbox", "a-x"])
    refused(ws, "statement", "a-x", "clip.mp4")


def test_a_platform_without_subtitle_files_says_so_at_scheduling(ws: Path) -> None:
    make_video(ws / "media" / "clip.mp4", seconds=1.0)
    video_draft(ws, ["a-outbox", "a-telegram"], subtitles="media/clip.en.srt")
    result = schedule(ws)
    assert result.code == 0, result.err
    assert "a-telegram: telegram takes no subtitle files" in result.err
    assert "a-outbox" not in result.err
    assert len(items(ws)) == 2

