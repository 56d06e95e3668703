"""Make the demo's video, drafts/media/statement.mp4, from ffmpeg's own sources.

    pip install -e '.[test]'          # imageio-ffmpeg, which carries an ffmpeg binary
    python scripts/make_demo_video.py

Ten seconds of 640x360 H.264/AAC MP4 (about 19 KB): a golden band sliding across a
blue field, the colours of Kosovo's flag, fading in and out over silence. Nothing is
drawn as text: the words are in the subtitle files beside it (statement.sq.srt,
.en.srt, .sr.srt), written by hand. The demo draft consular-saturday-video.toml shows
them. The same ffmpeg (imageio-ffmpeg's pinned build) makes the same bytes: one
thread, bit-exact flags, no metadata.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "drafts" / "media" / "statement.mp4"

SECONDS = 10
BLUE = "0x244AA5"
GOLD = "0xD0A650"
# The band slides in from the left over the first two seconds, then rests, high
# enough to leave the bottom of the picture to the subtitles.
PICTURE = (
    f"color=c={BLUE}:s=640x360:r=25:d={SECONDS}[field];"
    f"color=c={GOLD}:s=640x24:r=25:d={SECONDS}[band];"
    "[field][band]overlay=x='min(0,-W+t*W/2)':y=88:shortest=1,"
    f"fade=t=in:st=0:d=0.6,fade=t=out:st={SECONDS - 0.6}:d=0.6,format=yuv420p[video]"
)


def command(output: Path) -> list[str]:
    return [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
        "-y", "-filter_complex", PICTURE,
        "-f", "lavfi", "-i", f"anullsrc=r=48000:cl=mono:d={SECONDS}",
        "-map", "[video]", "-map", "0:a",
        "-c:v", "libx264", "-preset", "slow", "-crf", "23", "-threads", "1",
        "-c:a", "aac", "-b:a", "32k",
        "-movflags", "+faststart", "-map_metadata", "-1",
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-f", "mp4", str(output),
    ]


def main() -> int:
    subprocess.run(command(OUTPUT), check=True)
    print(f"{OUTPUT.relative_to(ROOT)}: {OUTPUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
