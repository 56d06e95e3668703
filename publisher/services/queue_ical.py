"""The queue as an iCalendar feed (RFC 5545) for staff calendars: ``publisher queue
--ical``.

One event per post: a thread's parts and its first comment are one event, at the
time of the first part (a correction posted under a post is its own event). Each
event's UID is its first item's idempotency key, made once when it was queued and
never reused, so a calendar that reads the feed again updates the event (moved,
sent) instead of adding a second one, even after the queue was reset or restored.
Deletions and edits of sent posts (the crisis kit) and cancelled posts are left out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC

from icalendar import Calendar, Event

from publisher.domain.errors import UserError
from publisher.domain.queue import State
from publisher.i18n import _
from publisher.services.context import Context
from publisher.services.queueing import part_label, queue_overview
from publisher.storage.queue import Item

PRODID = "-//publisher//queue//EN"
UID_DOMAIN = "publisher"
LEFT_OUT = frozenset({State.CANCELLED})


def queue_calendar(context: Context, states: Collection[State] | None = None) -> bytes:
    """The queue's posts (of ``states`` when given) as an iCalendar file's bytes."""
    items = queue_overview(context, states=states, include_final=True).items
    posts = _posts(item for item in items if not item.is_step and item.state not in LEFT_OUT)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Posts in the queue"))
    titles: dict[str, str] = {}
    for parts in sorted(posts, key=lambda parts: (parts[0].due_at, parts[0].id)):
        calendar.add_component(_event(parts, _title(context, parts[0].draft_id, titles)))
    return calendar.to_ical()


def _posts(items: Iterable[Item]) -> list[list[Item]]:
    """The items grouped by post: a chain's parts in order, first part first."""
    chains: dict[int, list[Item]] = {}
    for item in items:
        key = item.id if item.is_correction else item.chain_id
        chains.setdefault(key, []).append(item)
    return [sorted(parts, key=lambda item: (item.chain_of is not None, item.part_no, item.id))
            for parts in chains.values()]


def _event(parts: list[Item], title: str) -> Event:
    first = parts[0]
    event = Event()
    event.add("uid", f"{first.idempotency_key}@{UID_DOMAIN}")
    # Without a METHOD, DTSTAMP is when the event last changed in the calendar's store.
    changed = max(item.updated_at for item in parts).astimezone(UTC)
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("dtstart", first.due_at.astimezone(UTC))
    event.add("summary", _("{account}: {title} ({locales})").format(
        account=first.account_id, title=title, locales="+".join(first.locales)))
    first_line = first.text.strip().splitlines()[0] if first.text.strip() else ""
    event.add("description", f"{first_line}\n{_state_line(parts)}")
    if first.url:
        event.add("url", first.url)
    return event


def _state_line(parts: list[Item]) -> str:
    states = {item.state for item in parts}
    if len(states) == 1:
        return _("state: {state}").format(state=_(parts[0].state.value))
    post = _("post")
    each = ", ".join(_("{part} {state}").format(part=part_label(item) or post,
                                               state=_(item.state.value)) for item in parts)
    return _("state: {state}").format(state=each)


def _title(context: Context, draft_id: str, titles: dict[str, str]) -> str:
    """The draft's title; its id when the file is gone or broken."""
    if draft_id not in titles:
        try:
            titles[draft_id] = context.drafts.load(draft_id).draft.title
        except UserError:
            titles[draft_id] = draft_id
    return titles[draft_id]
