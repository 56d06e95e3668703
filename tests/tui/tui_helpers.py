"""Helpers for the terminal UI tests: the app on a real workspace, a fixed clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from publisher.i18n import set_language

# A Friday before Flag Day; the demo drafts' embargoes are ahead of it.
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SIZE = (140, 40)


def clock() -> datetime:
    return NOW


def make_app(home: Path, language: str | None = "en"):
    from publisher.tui.app import make_app as factory

    app = factory(home, language=language, clock=clock, cursor_blink=False, watch_seconds=0)
    app.animation_level = "none"
    return app


async def settle(pilot) -> None:
    """Let workers finish and their messages be handled."""
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot, condition: Callable[[], object], seconds: float = 60.0) -> None:
    """Let the app run until ``condition()`` holds (a worker's notice, a dialog shown).

    One :func:`settle` is usually enough, but on a loaded machine a worker's message
    can arrive after it; this waits for what the test means to see, and fails with a
    clear message only after ``seconds`` (a bound on waiting, not a timing assert).
    """
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still not so after {seconds:.0f} s: {condition}")
        await settle(pilot)
        await pilot.pause(0.05)


def notified(app, text: str) -> bool:
    """Whether a notification shown so far contains ``text``."""
    return any(text in n.message for n in app._notifications)


async def type_text(pilot, text: str) -> None:
    """Type ``text`` as the terminal would: one key event per character, in order,
    through the app's own key handling; waits once at the end, not after every key
    (Pilot.press waits for idle after each, ~85 ms a key in the editor)."""
    from textual import events
    from textual.keys import _character_to_key

    app = pilot.app
    for char in text:
        key = char if char.isalnum() else _character_to_key(char)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()
    await pilot.pause()


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


Scenario = Callable[[object, object], Awaitable[None]]


def drive(app, scenario: Scenario, size: tuple[int, int] = SIZE) -> None:
    """Run ``scenario(app, pilot)`` against the app in a headless terminal."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(app, pilot)

    try:
        asyncio.run(main())
    finally:
        set_language("en")
