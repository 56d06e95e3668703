"""The demo carries a short video with subtitles in the three languages: a real
H.264/AAC MP4 small enough for the wheel, and SRT files a person can read."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

from conftest import ROOT, run_cli
from video_files import ffmpeg

DRAFT = "consular-saturday-video"
VIDEO = "media/statement.mp4"
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def srt_cues(text: str) -> list[tuple[str, str]]:
    """(timing, text) of each cue of an SRT file."""
    cues = []
    for block in text.strip().split("\n\n"):
        number, timing, *lines = block.splitlines()
        assert number.isdigit() and " --> " in timing, block
        cues.append((timing, "\n".join(lines)))
    return cues


def test_the_demo_draft_has_a_video_with_subtitles_in_three_languages(demo: Path) -> None:
    data = tomllib.loads((demo / "drafts" / f"{DRAFT}.toml").read_text(encoding="utf-8"))
    (media,) = data["media"]

    assert media["file"] == VIDEO
    assert set(media["alt"]) == set(media["subtitles"]) == {"sq", "en", "sr"}
    for path in (media["file"], *media["subtitles"].values()):
        assert (demo / path).is_file(), path
    assert {"embassy-dc-mastodon", "embassy-berlin-bluesky"} <= set(data["accounts"])
    checked = run_cli("--home", str(demo), "drafts", "check", DRAFT)
    assert checked.code == 0, checked.out + checked.err


def test_the_subtitles_have_the_same_cues_in_each_language(demo: Path) -> None:
    cues = {locale: srt_cues((demo / f"media/statement.{locale}.srt").read_text("utf-8"))
            for locale in ("sq", "en", "sr")}

    assert 3 <= len(cues["sq"]) <= 4
    timings = {locale: [timing for timing, _text in each] for locale, each in cues.items()}
    assert timings["en"] == timings["sr"] == timings["sq"]
    assert all(CYRILLIC.search(text) for _timing, text in cues["sr"])


def test_the_demo_video_is_a_small_h264_aac_mp4_of_a_few_seconds() -> None:
    path = ROOT / "drafts" / VIDEO
    assert path.read_bytes()[4:8] == b"ftyp"
    assert path.stat().st_size <= 300 * 1024

    # ffmpeg describes its input on stderr (and exits 1: no output was asked for).
    described = subprocess.run([ffmpeg(), "-hide_banner", "-i", str(path)],
                               capture_output=True, text=True, timeout=60).stderr
    assert re.search(r"Video: h264 .*yuv420p", described), described
    assert "Audio: aac" in described
    hours, minutes, seconds = re.search(r"Duration: (\d+):(\d+):([\d.]+)", described).groups()
    assert int(hours) == int(minutes) == 0 and 8 <= float(seconds) <= 12


def test_the_demo_sends_its_video_with_every_subtitle_file(demo: Path) -> None:
    """Offline, end to end: scheduled, flushed to the demo's outbox accounts, each
    record naming the video and the subtitles of its locales."""
    at, now = "2026-12-02T10:00:00+01:00", "2026-12-02T09:59:00+01:00"
    scheduled = run_cli("--home", str(demo), "schedule", DRAFT, "--at", at, "--now", now)
    assert scheduled.code == 0, scheduled.err
    assert "warning" not in scheduled.err  # the sample subtitles pass their own checks
    flushed = run_cli("--home", str(demo), "flush", "--now", "2026-12-02T10:00:30+01:00")
    assert flushed.code == 0, flushed.out + flushed.err
    records = [json.loads(path.read_text(encoding="utf-8"))
               for path in (demo / "outbox").rglob("*.json")]
    videos = [r for r in records if r.get("draft_id") == DRAFT or DRAFT in json.dumps(r)]
    assert videos, records
    for record in videos:
        assert "statement.mp4" in json.dumps(record)
        assert "statement.sq.srt" in json.dumps(record)
