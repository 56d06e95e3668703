"""The calendar: a week of the queue (days x hours) in the staff's zone or an audience's,
and moving a waiting post to another time (``publisher reschedule``, the calendar screen).

A move is checked by the rules scheduling checks a time with (the draft's embargo and
deadline, the account's minimum gap, daily maximum and blackout days) and written by the
queue (compare-and-set, with a history row), so it happens once or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from publisher.domain.audiences import Blackout, resolve_local
from publisher.domain.errors import UserError
from publisher.domain.posttypes import PartKind
from publisher.domain.queue import MOVABLE, State
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _
from publisher.services.context import Context
from publisher.services.queueing import check_time, get_item, open_queue
from publisher.services.scheduling import (
    OCCUPYING,
    best_time,
    check_slot,
    occupied_at,
    occupying_items,
)
from publisher.storage.queue import FREEZE, Item, Pause

DAYS = 7


@dataclass(frozen=True)
class ZoneChoice:
    """A zone the week can be shown in: the staff's own (``audience`` None) or an
    audience's."""

    audience: str | None
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class CalendarPost:
    item_id: int
    draft_id: str
    account_id: str
    locales: tuple[str, ...]
    state: State
    at: datetime  # UTC: when it is due, or when it went out
    local: datetime  # the same instant in the week's zone
    part_kind: PartKind = PartKind.POST  # which part of its post (a thread, a comment)
    part_no: int = 1
    thread_parts: int = 1
    is_correction: bool = False  # posted under a sent post by ``correct``

    @property
    def movable(self) -> bool:
        return self.state in MOVABLE


@dataclass(frozen=True)
class CalendarDay:
    day: date  # a local date in the week's zone
    blackouts: tuple[Blackout, ...]  # the blackouts of that date (of the zone's audience)
    frozen: bool  # the freeze is on that day (it lasts until someone resumes)


@dataclass(frozen=True)
class Week:
    monday: date
    zone: ZoneChoice
    days: tuple[CalendarDay, ...]  # Monday..Sunday
    posts: tuple[CalendarPost, ...]  # in time order
    freeze: Pause | None
    zones: tuple[ZoneChoice, ...]  # what the week can be shown in, the staff's first

    def cell(self, day: int, hour: int) -> list[CalendarPost]:
        """The posts of a weekday (0 Monday) and local hour."""
        wanted = self.monday + timedelta(days=day)
        return [post for post in self.posts
                if post.local.date() == wanted and post.local.hour == hour]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def zone_choices(context: Context) -> tuple[ZoneChoice, ...]:
    """The staff's zone, then each audience's (by name)."""
    audiences = context.audiences
    return (ZoneChoice(None, context.settings.timezone),
            *(ZoneChoice(name, audiences[name].timezone) for name in sorted(audiences)))


def week_view(context: Context, day: date, audience: str | None = None) -> Week:
    """The week holding ``day`` in the staff's zone, or in ``audience``'s (whose blackouts
    alone are marked then): every post but the cancelled ones, the freeze, the blackouts."""
    choices = zone_choices(context)
    if audience is None:
        choice = choices[0]
    else:
        choice = ZoneChoice(audience, context.audience(audience).timezone)  # known ones only
    zone = choice.zone
    monday = monday_of(day)
    start = resolve_local(datetime.combine(monday, datetime.min.time()), zone)
    end = resolve_local(datetime.combine(monday + timedelta(days=DAYS), datetime.min.time()),
                        zone)
    with open_queue(context) as queue:
        items = queue.items([state for state in State if state != State.CANCELLED])
        freeze = queue.pauses().get(FREEZE)
    posts = tuple(
        _post(item, zone) for item in sorted(items, key=occupied_at)
        if start <= occupied_at(item) < end)
    days = tuple(_day(context, monday + timedelta(days=n), audience, freeze, zone)
                 for n in range(DAYS))
    return Week(monday, choice, days, posts, freeze, choices)


def _post(item: Item, zone: ZoneInfo) -> CalendarPost:
    at = occupied_at(item)
    return CalendarPost(item.id, item.draft_id, item.account_id, item.locales, item.state,
                        at, at.astimezone(zone), item.part_kind, item.part_no,
                        item.thread_parts, item.is_correction)


def _day(context: Context, day: date, audience: str | None, freeze: Pause | None,
         zone: ZoneInfo) -> CalendarDay:
    blackouts = tuple(b for b in context.blackouts
                      if b.day == day and (audience is None or b.applies_to(audience)))
    frozen = freeze is not None and day >= freeze.since.astimezone(zone).date()
    return CalendarDay(day, blackouts, frozen)


# Moving a post


@dataclass(frozen=True)
class Moved:
    item_id: int
    draft_id: str
    account_id: str
    locales: tuple[str, ...]
    state: State
    before: datetime  # UTC
    after: datetime  # UTC
    timezone: str | None  # the audience's zone
    moved: bool  # False: it was at that time already


def reschedule(context: Context, item_id: int, at: datetime | None, *, now: datetime,
               actor: str = "person") -> Moved:
    """Move a queued or held item to ``at`` (None: the best free time of its account, as
    ``schedule --auto`` would choose). Raises UserError, nothing changed, for an unknown
    item, one no longer waiting, or a time that breaks a rule (saying which)."""
    at = _best_time(context, item_id, now) if at is None else at.astimezone(UTC)
    with open_queue(context) as queue, queue.transaction():
        item = _movable(get_item(queue, item_id))
        # A thread's parts and a first comment move with their post (never apart).
        others = [other for other in queue.items(OCCUPYING) if other.chain_id != item.chain_id]
        draft = context.drafts.load(item.draft_id).draft
        if item.deadline is not None and (draft.deadline is None
                                          or item.deadline < draft.deadline):
            draft = replace(draft, deadline=item.deadline)  # the flush keeps the item's
        check_time(draft, at, now, check_window=True)
        check_slot(context, item.account_id, at, others)
        moved = at != item.due_at
        if moved:  # under the transaction's lock: nobody moved it since it was read
            reason = _("moved from {before} to {after}").format(
                before=item.due_at.isoformat(), after=at.isoformat())
            for part in [item, *queue.later_parts(item)]:
                if part.state in MOVABLE:
                    queue.reschedule(part.id, part.state, part.due_at, at, now=now,
                                     actor=actor, reason=reason)
    return Moved(item.id, item.draft_id, item.account_id, item.locales, item.state,
                 item.due_at, at, item.timezone, moved)


def _best_time(context: Context, item_id: int, now: datetime) -> datetime:
    with open_queue(context) as queue:
        item = _movable(get_item(queue, item_id))
    others = [other for other in occupying_items(context) if other.id != item.id]
    return best_time(context, item, others, now)


def _movable(item: Item) -> Item:
    if item.chain_of is not None:
        raise UserError(
            _("item {id} is part of a post: it moves with item {first}").format(
                id=item.id, first=item.chain_of),
            remedy=Remedy(Fix.SHOW_QUEUE))
    if item.state not in MOVABLE:
        raise UserError(
            _("item {id} is {state}; only queued or held items can be moved").format(
                id=item.id, state=_(item.state.value)),
            remedy=Remedy(Fix.SHOW_QUEUE))
    return item
