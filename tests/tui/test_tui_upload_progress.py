"""A video upload's progress on the queue screen while a send runs: "statement.mp4 →
x-main: 12.0 of 50.0 MB (24%)", then "processing…", in the interface language's
digits, at most a few updates a second, hidden when the send ends.

No adapter on this branch reports progress yet (the platforms' video uploads land on
their own branches), so most tests post :class:`UploadProgress` from a worker thread
through the very callback the screen gives the flush (``upload_progress()``), in a
real app; the end of a real send (ctrl+o) hides the line. The last test goes the whole
way (ctrl+o, a real flush, a real small video to the Mastodon fake) and is marked to
pass once Mastodon's video upload lands.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tui_helpers import NOW, drive, notified, settle, until

from publisher.domain.video import MB
from publisher.platforms.common.progress import UploadProgress
from publisher.tui.widgets.upload_progress import ProgressRelay, UploadProgressLine


def line(app) -> UploadProgressLine:
    return app.screen.query_one("#upload-progress", UploadProgressLine)


async def report(relay, *steps: UploadProgress) -> None:
    """Tell ``steps`` to ``relay`` from another thread, as the flush's worker does."""
    for step in steps:
        await asyncio.to_thread(relay, step)


async def while_sending(pilot, condition, seconds: float = 30.0) -> None:
    """Like ``until``, without waiting for the workers (the send is held at the server)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"still not so after {seconds:.0f} s: {condition}")


def step(sent_mb: float, total_mb: float = 50.0, stage: str = "uploading",
         file: str = "statement.mp4") -> UploadProgress:
    return UploadProgress("x-main", file, int(sent_mb * MB), int(total_mb * MB), stage)


def test_the_queue_shows_an_upload_then_processing_and_hides_it_when_the_send_ends(
        app_on) -> None:
    async def scenario(app, pilot):
        await pilot.press("f3")
        await settle(pilot)
        assert line(app).text == "" and not line(app).display
        relay = app.screen.upload_progress()
        await report(relay, step(12, 50))
        await until(pilot, lambda: line(app).text)
        assert line(app).text == "statement.mp4 → x-main: 12.0 of 50.0 MB (24%)"
        assert line(app).display
        await report(relay, step(50, 50), step(50, 50, "processing"))
        await until(pilot, lambda: "processing" in line(app).text)
        assert line(app).text == ("statement.mp4 → x-main: uploaded; the platform is "
                                  "processing it…")
        await pilot.press("ctrl+o")  # a real send (nothing due): its end hides the line
        await until(pilot, lambda: notified(app, "Nothing was due"))
        assert line(app).text == "" and not line(app).display

    drive(app_on(), scenario)


@pytest.mark.parametrize(("language", "shown"), [
    ("sq", "1\u00a0234,5 nga 2\u00a0048,0 MB"),
    ("sr", "1.234,5 од 2.048,0 MB"),
])
def test_numbers_follow_the_interface_language(app_on, language: str, shown: str) -> None:
    async def scenario(app, pilot):
        await pilot.press("f3")
        await settle(pilot)
        await report(app.screen.upload_progress(), step(1234.5, 2048))
        await until(pilot, lambda: line(app).text)
        assert shown in line(app).text.replace("\u202f", "\u00a0")
        assert "(60" in line(app).text

    drive(app_on(language), scenario)


def test_a_fast_upload_shows_a_few_steps_a_second_and_always_its_last(app_on) -> None:
    """Fifty chunks within a quarter second: the first and the last show, and every
    change of stage; after a quarter second the next chunk shows again."""
    now = [0.0]

    async def scenario(app, pilot):
        await pilot.press("f3")
        await settle(pilot)
        shown: list[UploadProgress] = []
        relay = ProgressRelay(app, shown.append, clock=lambda: now[0])
        await report(relay, *(step(n, 50) for n in range(1, 50)))
        now[0] = 0.3
        await report(relay, step(49.5, 50))
        await report(relay, step(50, 50), step(50, 50, "processing"),
                     step(50, 50, "processing"))
        await report(relay, step(1, 10, file="second.mp4"))
        assert [(s.file, s.sent // MB, s.stage) for s in shown] == [
            ("statement.mp4", 1, "uploading"), ("statement.mp4", 49, "uploading"),
            ("statement.mp4", 50, "uploading"), ("statement.mp4", 50, "processing"),
            ("second.mp4", 1, "uploading")]

    drive(app_on(), scenario)


def test_the_crisis_screen_shows_and_hides_it_too(app_on) -> None:
    async def scenario(app, pilot):
        await pilot.press("f11")
        await settle(pilot)
        await report(app.screen.upload_progress(), step(25, 50))
        await until(pilot, lambda: line(app).text)
        assert line(app).text == "statement.mp4 → x-main: 25.0 of 50.0 MB (50%)"
        app.screen.hide_upload()
        assert line(app).text == ""

    drive(app_on(), scenario)


def test_a_real_send_of_a_video_shows_its_upload(demo: Path, tmp_path: Path) -> None:
    """ctrl+o sends a video draft to the Mastodon fake: while the status is held at the
    server (upload and processing done), the line says the platform processed it; when
    the send ends it is gone."""
    from fakes.mastodon import FakeMastodon
    from tui_helpers import make_app
    from video_files import make_video

    from publisher.cli import main
    from publisher.services import queueing
    from publisher.services.context import open_context
    from publisher.services.secrets import set_secret

    token = "test-access-token"
    with FakeMastodon(token=token) as server:
        assert main(["--home", str(demo), "accounts", "add", "dc-mastodon", "--platform",
                     "mastodon", "--api-base", server.url, "--locales", "en"]) == 0
        set_secret("dc-mastodon", token)
        make_video(demo / "media" / "clip.mp4", seconds=1.0)
        (demo / "drafts" / "clip.toml").write_text(
            'title = "clip"\nsource = "en"\naccounts = ["dc-mastodon"]\napproved = true\n'
            '[variants.en]\ntext = """The ambassador\'s statement."""\n\n'
            '[[media]]\nfile = "media/clip.mp4"\nalt.en = "The ambassador speaks"\n',
            encoding="utf-8")
        queueing.schedule(open_context(demo), "clip", NOW, now=NOW)
        server.hold_path = "POST /api/v1/statuses"

        async def scenario(app, pilot):
            await pilot.press("f3")
            await settle(pilot)
            await pilot.press("ctrl+o")
            await while_sending(pilot, server.received.is_set)  # the status is being made
            await while_sending(pilot, lambda: "processing" in line(app).text, seconds=5)
            assert line(app).text.startswith("clip.mp4 → dc-mastodon: uploaded")
            server.release.set()
            await until(pilot, lambda: notified(app, "Published clip on dc-mastodon"))
            assert line(app).text == ""

        drive(make_app(demo), scenario)
