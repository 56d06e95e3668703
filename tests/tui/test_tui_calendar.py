"""The calendar: a week of posts by day and hour, reached with F12 from every view and
from the palette; weeks and zones switched by keys; a waiting post moved by keys, by a
typed time or to its best time, and a refusal said with the rule it breaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import NOW, drive, screen_text, settle, type_text

from publisher.domain.queue import State
from publisher.services import queueing
from publisher.services.context import open_context
from publisher.tui.dialogs import PromptDialog
from publisher.tui.screens.calendar import CalendarScreen

NOON = NOW + timedelta(hours=2)  # Friday 20 November, 12:00 in Belgrade


def schedule(home: Path) -> list[int]:
    return queueing.schedule(open_context(home), "consular-alert-floods", NOON, now=NOW)


def due(home: Path) -> dict[int, datetime]:
    with queueing.open_queue(open_context(home)) as queue:
        return {item.id: item.due_at for item in queue.items()}


def detail(app) -> str:
    """What the line under the week says (a notification may cover it on the screen)."""
    return str(app.screen.query_one("#calendar-detail").render())


async def open_calendar(app, pilot) -> CalendarScreen:
    await pilot.press("f12")
    await settle(pilot)
    assert isinstance(app.screen, CalendarScreen)
    return app.screen


async def to_noon(app, pilot) -> None:
    """The cursor starts on today (Friday) at 09:00: down to the noon posts."""
    await pilot.press("down", "down", "down")
    assert app.screen.query_one("#week", DataTable).cursor_coordinate == (12, 4)


def test_f12_opens_the_calendar_from_every_view_and_so_does_the_palette(app_on) -> None:
    async def scenario(app, pilot):
        for view in ("f2", "f3", "f4", "f5"):
            await pilot.press(view)
            await settle(pilot)
            await open_calendar(app, pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Calendar")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CalendarScreen)

    drive(app_on(), scenario)


def test_the_week_shows_posts_by_day_and_hour_and_fits_100_columns(app_on, demo) -> None:
    schedule(demo)

    async def scenario(app, pilot):
        screen = await open_calendar(app, pilot)
        text = screen_text(app)
        assert "Week of 16 Nov to 22 Nov 2026 · times in Europe/Belgrade (your time zone)" \
            in text
        for day in ("Mon 16", "Fri 20", "Sun 22"):
            assert day in text
        assert all(len(line.rstrip()) <= 100 for line in text.splitlines())
        table = screen.query_one("#week", DataTable)
        assert table.cursor_coordinate == (9, 4)  # today, the working day
        await to_noon(app, pilot)
        cell = screen.selected_cell()
        # Every part is an item (the alert is a thread of two on four accounts, 13 items),
        # but the cell counts posts: 7.
        assert len(cell) == 13 and str(table.get_cell_at(table.cursor_coordinate)) == \
            f"{cell[0].account_id} +6"
        assert f"› 12:00 {cell[0].account_id}" in detail(app)
        await pilot.press("tab")
        assert screen.selected_post() is cell[1]
        assert f"› 12:00 {cell[1].account_id}" in detail(app)
        assert "… and 9 more (tab selects them)" in detail(app)
        await pilot.press("shift+tab", "shift+tab")
        assert screen.selected_post() is cell[-1]
        assert f"› 12:00 {cell[-1].account_id}" in detail(app)

    drive(app_on(), scenario, size=(100, 30))


def test_weeks_and_zones_switch_by_keys_with_blackouts_and_the_freeze_marked(
    app_on, demo: Path, cli,
) -> None:
    schedule(demo)
    assert cli("--home", str(demo), "blackout", "add", "2026-11-26", "--reason",
               "mourning").code == 0

    async def scenario(app, pilot):
        await open_calendar(app, pilot)
        await pilot.press("pagedown")
        await settle(pilot)
        text = screen_text(app)
        assert "Week of 23 Nov to 29 Nov 2026" in text and "Thu 26 ▒" in text
        assert "▒ Thursday, 26 November 2026: blackout for every audience (mourning)" in text
        await pilot.press("pageup")
        await settle(pilot)
        assert "Week of 16 Nov to 22 Nov 2026" in screen_text(app)
        await pilot.press("ctrl+o")  # the first audience by name: diaspora-de
        await settle(pilot)
        assert "times in Europe/Berlin (audience diaspora-de)" in screen_text(app)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "times in America/New_York (audience diaspora-us)" in screen_text(app)
        table = app.screen.query_one("#week", DataTable)
        assert str(table.get_cell_at((6, 4))).endswith("+6")  # 12:00 Belgrade is 06:00
        await pilot.press("f10")
        app.screen.query_one("#prompt-input").value = "crisis"
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Fri 20 ❄" in text and "Sun 22 ❄" in text and "Thu 19 ❄" not in text

    drive(app_on(), scenario)


def test_a_post_moves_an_hour_later_with_ctrl_down_and_enter(app_on, demo: Path) -> None:
    schedule(demo)
    before = due(demo)

    async def scenario(app, pilot):
        screen = await open_calendar(app, pilot)
        await to_noon(app, pilot)
        post = screen.selected_post()
        await pilot.press("ctrl+down")
        assert "Enter moves it, Esc keeps it" in detail(app)
        assert due(demo) == before  # only proposed
        await pilot.press("escape")  # keeps it
        assert "Enter moves it" not in detail(app)
        await pilot.press("ctrl+down", "ctrl+down", "ctrl+up", "enter")
        await settle(pilot)
        after = due(demo)
        # The first part of a thread moves with its reply; nothing else moves.
        with queueing.open_queue(open_context(demo)) as queue:
            chain = {item.id for item in queue.items()
                     if item.id == post.item_id or item.chain_of == post.item_id}
        assert len(chain) == 2
        assert {after[k] for k in chain} == {NOON + timedelta(hours=1)}
        assert {k: v for k, v in after.items() if k not in chain} == {
            k: v for k, v in before.items() if k not in chain}
        assert f"Item {post.item_id} moved to Fri 20 Nov 13:00" in detail(app)
        table = screen.query_one("#week", DataTable)
        assert table.cursor_coordinate == (13, 4) and screen.selected_post().item_id == \
            post.item_id
        with queueing.open_queue(open_context(demo)) as queue:
            assert "moved from" in queue.history(post.item_id)[-1].reason

    drive(app_on(), scenario)


def test_a_move_onto_a_blackout_day_is_refused_with_the_reason(app_on, demo, cli) -> None:
    schedule(demo)
    assert cli("--home", str(demo), "blackout", "add", "2026-11-21", "--reason",
               "mourning").code == 0
    before = due(demo)

    async def scenario(app, pilot):
        await open_calendar(app, pilot)
        await to_noon(app, pilot)
        await pilot.press("ctrl+right", "enter")
        await settle(pilot)
        assert "is a blacked-out day for" in detail(app)
        assert "(mourning)" in detail(app)
        assert due(demo) == before

    drive(app_on(), scenario)


def test_a_typed_time_too_close_to_another_post_is_refused_then_one_is_taken(
    app_on, demo: Path,
) -> None:
    schedule(demo)
    before = due(demo)

    async def scenario(app, pilot):
        screen = await open_calendar(app, pilot)
        await to_noon(app, pilot)
        post = screen.selected_post()
        await pilot.press("ctrl+t")
        assert isinstance(app.screen, PromptDialog)
        await type_text(pilot, "2026-11-20 12:30")
        await pilot.press("enter")
        await settle(pilot)
        text = detail(app)
        assert f"Item {post.item_id} not moved:" in text and "minimum gap" in text
        assert due(demo) == before
        await pilot.press("ctrl+t")
        await type_text(pilot, "2026-11-20 18:00")
        await pilot.press("enter")
        await settle(pilot)
        assert due(demo)[post.item_id] == datetime(2026, 11, 20, 17, 0, tzinfo=UTC)

    drive(app_on(), scenario)


def test_ctrl_g_moves_a_post_to_its_best_time_and_a_sent_one_stays(app_on, demo) -> None:
    ids = schedule(demo)
    with queueing.open_queue(open_context(demo)) as queue:
        for item_id in ids[1:]:
            queue.move(item_id, State.QUEUED, State.CANCELLED, now=NOW, actor="test")

    async def scenario(app, pilot):
        screen = await open_calendar(app, pilot)
        await to_noon(app, pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        moved = due(demo)[ids[0]]
        assert moved != NOON and f"Item {ids[0]} moved to" in detail(app)
        assert screen.selected_post().item_id == ids[0]
        with queueing.open_queue(open_context(demo)) as queue:
            queue.move(ids[0], State.QUEUED, State.SENDING, now=NOW, actor="test")
            queue.move(ids[0], State.SENDING, State.SENT, now=moved, actor="test")
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("ctrl+down")
        assert f"Item {ids[0]} is sent; only queued or held posts can be moved." in \
            detail(app)
        assert due(demo)[ids[0]] == moved

    drive(app_on(), scenario)


def test_the_detail_line_says_which_part_of_a_thread_a_post_is(app_on, demo) -> None:
    schedule(demo)  # the consular alert is a thread of two

    async def scenario(app, pilot):
        screen = await open_calendar(app, pilot)
        await to_noon(app, pilot)
        cell = screen.selected_cell()
        reply = next(i for i, post in enumerate(cell) if post.part_no == 2)
        for _step in range(reply):
            await pilot.press("tab")
        post = screen.selected_post()
        assert post is cell[reply]
        assert f"› 12:00 {post.account_id} ({'+'.join(post.locales)}, thread 2/2)" \
            in detail(app)

    drive(app_on(), scenario, size=(100, 30))


def test_a_cell_counts_posts_not_their_parts() -> None:
    """A thread of two and its first comment are one post in the cell: 'mfa-x', not
    'mfa-x +2'; a second post makes it '+1'."""
    from datetime import UTC, datetime

    from publisher.domain.posttypes import PartKind
    from publisher.domain.queue import State
    from publisher.services.calendar import CalendarPost
    from publisher.tui.screens.calendar import cell_text

    at = datetime(2026, 12, 7, 9, tzinfo=UTC)

    def part(item: int, kind: PartKind, number: int, draft: str = "floods") -> CalendarPost:
        return CalendarPost(item, draft, "mfa-x", ("en",), State.QUEUED, at, at, kind,
                            number, 2)

    chain = [part(1, PartKind.POST, 1), part(2, PartKind.REPLY, 2),
             part(3, PartKind.COMMENT, 1)]
    assert cell_text(chain).plain == "mfa-x"
    assert cell_text([*chain, part(4, PartKind.POST, 1, "other")]).plain == "mfa-x +1"
