"""``publisher -v flush`` says how far each video upload got, on stderr, through the
command line's own logging: "dc-mastodon: clip.mp4: 0.1 of 0.1 MB sent (100%)", then
"... the platform is processing it".

The outbox uploads nothing, so the test needs a platform fake that takes a video: the
Mastodon fake does (POST /api/v2/media, 202, then polls), and Mastodon's adapter
reports progress once its video upload lands on the platform branch (until then the
test is marked to fail, strictly: the lead removes the mark at merge).
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import run_cli, run_process
from fakes.mastodon import FakeMastodon
from queue_helpers import add_account, items, schedule
from video_files import make_video

TOKEN = "test-access-token"
NOW = "2026-12-01T09:00:10+01:00"


def test_verbose_flush_shows_the_upload_and_the_processing(home: Path) -> None:
    with FakeMastodon(token=TOKEN) as server:
        add_account(home, "dc-mastodon", "--platform", "mastodon", "--api-base", server.url,
                    "--locales", "en")
        assert run_cli("--home", str(home), "accounts", "set-secret", "dc-mastodon",
                       stdin=TOKEN + "\n").code == 0
        make_video(home / "media" / "clip.mp4", seconds=1.0)
        (home / "drafts" / "clip.toml").write_text(
            'title = "clip"\nsource = "en"\naccounts = ["dc-mastodon"]\napproved = true\n'
            '[variants.en]\ntext = """The ambassador\'s statement."""\n\n'
            '[[media]]\nfile = "media/clip.mp4"\nalt.en = "The ambassador speaks"\n',
            encoding="utf-8")
        schedule(home, "clip")
        loud = run_process("--home", str(home), "-v", "flush", "--now", NOW)
        assert loud.code == 0, loud.err
        assert [item["state"] for item in items(home)] == ["sent"]
        lines = loud.err.splitlines()
        sent = [line for line in lines if re.fullmatch(
            r"publisher: INFO: dc-mastodon: clip\.mp4: \d+\.\d of \d+\.\d MB sent \(\d+%\)",
            line)]
        assert sent and sent[-1].endswith("MB sent (100%)"), loud.err
        assert ("publisher: INFO: dc-mastodon: clip.mp4 uploaded, the platform is "
                "processing it") in lines, loud.err
        assert TOKEN not in loud.err
