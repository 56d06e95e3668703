"""Where am I: the header names the workspace folder on every screen."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import drive, screen_text, settle

from publisher.tui.base import shown_folder


def test_the_folder_is_shortened_with_a_tilde_and_to_its_last_names() -> None:
    home = Path("/home/ana")
    assert shown_folder(Path("/home/ana/embassy"), home) == "~/embassy"
    assert shown_folder(home, home) == "~"
    assert shown_folder(Path("/srv/publisher"), home) == "/srv/publisher"
    long = Path("/home/ana/.local/share/publisher-demo/20261201-200000")
    assert shown_folder(long, home) == "…/publisher-demo/20261201-200000"


def test_the_header_shows_the_workspace_folder_on_every_screen(app_on, demo: Path) -> None:
    folder = shown_folder(demo)

    async def scenario(app, pilot):
        for key in ("f2", "f3", "f4", "f5"):
            await pilot.press(key)
            await settle(pilot)
            header = screen_text(app).splitlines()[0]
            assert folder in header, (key, header)

    drive(app_on(), scenario)
