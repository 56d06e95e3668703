"""Choosing when posts go out: the best slots of an account, and placing many
drafts at once.

Time is a grid of 5-minute UTC steps from the first step after ``now``. Each
account's lane scores every step by its profile -- the audience's prior moved
by the account's own results (:mod:`publisher.domain.learning`, the results read
from :func:`publisher.services.metrics.observations` at every run, so the profile
moves after each collection) -- at the wall-clock time the step shows in the
audience's zone (the rule in :mod:`publisher.domain.audiences`), forbids
blacked-out local dates, and knows the posts already queued or recently sent
(the minimum gap and the daily cap count them). When drafts are placed, the
scores also decay with the lane's half-life (:mod:`publisher.domain.freshness`)
and a bounded share of posts explores. :func:`publisher.domain.placement.place`
then solves the whole placement; this module only builds its input and
explains its output.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from publisher.domain import learning
from publisher.domain.accounts import Account
from publisher.domain.audiences import Audience
from publisher.domain.drafts import Draft
from publisher.domain.errors import UserError
from publisher.domain.freshness import decay_factors, is_urgent, lane_half_life
from publisher.domain.placement import Job, Lane, place
from publisher.domain.queue import State
from publisher.domain.remedies import Fix, Remedy
from publisher.i18n import _, format_datetime, format_weekday, ngettext
from publisher.services.audiences import ActivityGrid, audience_grid
from publisher.services.context import Context
from publisher.services.link_cards import Warn
from publisher.services.metrics import observations
from publisher.services.queue_file import (
    AlreadyPublished,
    PublishedPost,
    published_posts,
    refuse_published,
)
from publisher.services.queueing import PlannedPost, open_queue, plan_posts, queue_chains
from publisher.storage.queue import FREEZE, Item

STEP = timedelta(minutes=5)
HORIZON = timedelta(days=30)
MAX_HORIZON = timedelta(days=120)
# Suggestions are alternatives, so at least this far apart.
SUGGESTION_SPACING = timedelta(minutes=30)
# How far after a placed post a better hour is named in its reason (the freshness trade).
TRADE_SPAN = timedelta(days=14)
# A better hour is named only when it is better by more than this.
TRADE_MARGIN = 0.005
# Items that occupy a slot: everything not finished or given up.
OCCUPYING = (State.QUEUED, State.RETRY, State.HELD, State.SENDING, State.UNKNOWN, State.SENT)


@dataclass(frozen=True)
class Timeline:
    """The UTC grid of one scheduling run."""

    start: datetime
    steps: int

    @classmethod
    def after(cls, now: datetime, span: timedelta = HORIZON) -> Timeline:
        now = now.astimezone(UTC)
        first = now.replace(second=0, microsecond=0) + timedelta(
            minutes=5 - now.minute % 5)
        return cls(first, int(span / STEP))

    def at(self, step: int) -> datetime:
        return self.start + step * STEP

    def step_on_or_after(self, moment: datetime) -> int:
        return max(0, math.ceil((moment - self.start) / STEP))

    def step_on_or_before(self, moment: datetime) -> int:
        return math.floor((moment - self.start) / STEP)


@dataclass(frozen=True)
class SlotSuggestion:
    at: datetime  # UTC
    local: datetime  # the same instant in the audience's zone
    score: float  # 0..1
    why: str


@dataclass(frozen=True)
class PlacedPost:
    draft_id: str
    account_id: str
    locales: tuple[str, ...]
    at: datetime
    local: datetime
    score: float
    why: str
    item_id: int | None = None


@dataclass
class AutoReport:
    placed: list[PlacedPost]
    unplaced: dict[str, str]  # draft id -> why it was not queued
    score: float = 0.0
    # Drafts left out because they were published already (not a failure).
    skipped: dict[str, str] = field(default_factory=dict)
    # What fixes an unplaced or skipped draft's reason, where something does.
    remedies: dict[str, Remedy] = field(default_factory=dict)


# Lanes


@dataclass
class _Lane:
    account: Account
    audience: Audience
    lane: Lane  # its scores: the weights, decayed with the lane's half-life
    occupied: list[datetime]  # UTC times of the account's other posts
    profile: learning.Profile
    weights: list[float]  # per step: the profile's weight (nan on a blacked-out day)
    timeline: Timeline
    half_life: timedelta | None  # of its scores' decay (freshness); None: no decay


def occupied_at(item: Item) -> datetime:
    """When an item takes its account's time: when it went out, else when it is due."""
    return item.updated_at if item.state == State.SENT else item.due_at


def _occupying(items: Iterable[Item], account_id: str) -> list[Item]:
    return [item for item in items
            if item.account_id == account_id and item.state in OCCUPYING]


def _occupied(items: Iterable[Item], account_id: str) -> list[datetime]:
    return sorted(occupied_at(item) for item in _occupying(items, account_id))


def _gap_clash(account: Account, at: datetime, items: Iterable[Item]) -> Item | None:
    """Another post of the account less than its minimum gap from ``at``, or None."""
    gap = timedelta(minutes=account.min_gap_minutes)
    return next((item for item in _occupying(items, account.id)
                 if abs(occupied_at(item) - at) < gap), None)


def account_profile(context: Context, account: Account) -> learning.Profile:
    """The account's profile: its audience's prior moved by its own results (read now,
    so it follows every collection)."""
    return learning.profile(context.audience_for(account), observations(context, account.id))


def _weights(context: Context, profile: learning.Profile, timeline: Timeline,
             shifts: list[float] | None = None) -> list[float]:
    """The profile's weight at every step (``shifts``: an explorer's optimistic draw); nan on a
    blacked-out local date."""
    audience = profile.audience
    zone, calendar = audience.zone, context.calendar
    weights: list[float] = []
    cache: dict[tuple[int, int, int], float] = {}
    for step in range(timeline.steps):
        local = timeline.at(step).astimezone(zone)
        if calendar.blocked(audience.name, local.date()):
            weights.append(math.nan)
            continue
        key = (local.weekday(), local.hour, local.minute)
        if key not in cache:
            cache[key] = profile.weight_local(local, shifts)
        weights.append(cache[key])
    return weights


def _decayed(weights: list[float], timeline: Timeline, half_life: timedelta | None) -> list[float]:
    if half_life is None:
        return weights
    return [w * f for w, f in zip(weights, decay_factors(timeline.steps, STEP, half_life),
                                  strict=True)]


def _build_lane(
    context: Context, account: Account, timeline: Timeline, items: list[Item],
    half_life: timedelta | None = None,
) -> _Lane:
    """The account's lane; ``half_life``: its scores decay with it (freshness), None: they
    are the profile's weights."""
    profile = account_profile(context, account)
    audience = profile.audience
    zone = audience.zone
    weights = _weights(context, profile, timeline)
    day_of = [timeline.at(step).astimezone(zone).date().toordinal()
              for step in range(timeline.steps)]
    occupied = _occupied(items, account.id)
    gap_steps = max(1, math.ceil(timedelta(minutes=account.min_gap_minutes) / STEP))
    busy: list[int] = []
    day_load: dict[int, int] = {}
    for moment in occupied:
        step = math.floor((moment - timeline.start) / STEP)
        if -gap_steps < step < timeline.steps + gap_steps:  # its gap reaches into the grid
            busy.append(step)
        if not 0 <= step < timeline.steps:  # outside the grid: still counts for its day
            ordinal = moment.astimezone(zone).date().toordinal()
            day_load[ordinal] = day_load.get(ordinal, 0) + 1
    lane = Lane(account.id, _decayed(weights, timeline, half_life), gap_steps, day_of,
                account.max_per_day, tuple(busy), day_load)
    return _Lane(account, audience, lane, occupied, profile, weights, timeline, half_life)


def _paused(context: Context) -> dict[str, str]:
    with open_queue(context) as queue:
        return {scope: pause.reason for scope, pause in queue.pauses().items()}


def _paused_error(pauses: dict[str, str], account_id: str) -> UserError | None:
    """Why nothing can be placed for the account now (the freeze, its pause), or None."""
    if FREEZE in pauses:
        return UserError(_("the queue is frozen ({reason})").format(
            reason=pauses[FREEZE] or "-"), remedy=Remedy(Fix.RESUME_ALL))
    if account_id in pauses:
        return UserError(_("{account} is paused ({reason})").format(
            account=account_id, reason=pauses[account_id] or "-"),
            remedy=Remedy(Fix.RESUME_ACCOUNT, account=account_id))
    return None


def occupying_items(context: Context) -> list[Item]:
    """The queue's items that take an account's time (waiting, sending or sent)."""
    with open_queue(context) as queue:
        return queue.items(OCCUPYING)


# Explanations


def _when_and_weight(profile: learning.Profile, local: datetime,
                     exploring: bool = False) -> list[str]:
    return [
        f"{format_weekday(local)} {local:%H:%M} {profile.audience.timezone}",
        _("weight {weight:.2f} {source}").format(
            weight=profile.weight_local(local),
            source=profile.source(local, exploring=exploring)),
    ]


def explain(lane: _Lane, moment: datetime, *, exploring: bool = False,
            latest: int | None = None) -> str:
    """``Tue 08:30 Europe/Berlin, weight 0.90 prior (window 'morning'), 2 h after your last
    post``; for a post placed with freshness, the better hour it passed over (up to step
    ``latest``, its deadline), if any."""
    parts = _when_and_weight(lane.profile, moment.astimezone(lane.audience.zone), exploring)
    before = [t for t in lane.occupied if t < moment]
    if before:
        parts.append(_("{gap} after your last post").format(gap=_duration(moment - before[-1])))
    text = ", ".join(parts)
    trade = None if exploring else _trade(lane, moment, latest)
    return f"{text}; {trade}" if trade else text


def _trade(lane: _Lane, moment: datetime, latest: int | None) -> str | None:
    """``Mon 08:00 would be 1.00 but 7 days later``: the best free hour within TRADE_SPAN
    after a placed post that weighs more than its own, which freshness passed over."""
    timeline = lane.timeline
    step = timeline.step_on_or_before(moment)
    last = timeline.steps - 1 if latest is None else min(latest, timeline.steps - 1)
    last = min(last, step + int(TRADE_SPAN / STEP))
    weights = lane.weights
    if not 0 <= step < len(weights) or last <= step:
        return None
    gap = lane.lane.gap * STEP
    others = [t for t in lane.occupied if t != moment]
    candidates = sorted((w, -u) for u, w in enumerate(weights[step + 1:last + 1], step + 1)
                        if w > weights[step] + TRADE_MARGIN)  # nan compares false
    for weight, negative in reversed(candidates):
        at = timeline.at(-negative)
        if all(abs(at - t) >= gap for t in others):
            local = at.astimezone(lane.audience.zone)
            return _("{when} would be {weight:.2f} but {delay} later").format(
                when=f"{format_weekday(local)} {local:%H:%M}", weight=weight,
                delay=_duration(_whole_days(at - moment)))
    return None


def _whole_days(span: timedelta) -> timedelta:
    """Two days or more: to the nearest day (6 days 23 h reads as 7 days)."""
    day = timedelta(days=1)
    return span if span < 2 * day else round(span / day) * day


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return _("{n} min").format(n=minutes)
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return _("{h} h {m} min").format(h=hours, m=rest) if rest else _("{h} h").format(h=hours)
    return ngettext("{d} day", "{d} days", minutes // (24 * 60)).format(d=minutes // (24 * 60))


def rate_time(context: Context, account_id: str, at: datetime,
              items: list[Item] | None = None) -> SlotSuggestion:
    """How a time the scheduler did not suggest suits an account: the audience's weight
    then (0 on a blacked-out day) and why, naming a clash with the account's gap.
    ``items``: the queue's occupying items, when the caller read them already."""
    account = context.account(account_id)
    audience = context.audience_for(account)
    local = at.astimezone(audience.zone)
    blackout = context.calendar.blocked(audience.name, local.date())
    if blackout is not None:
        score = 0.0
        parts = [f"{format_weekday(local)} {local:%H:%M} {audience.timezone}",
                 _("blacked-out day ({reason})").format(reason=blackout.reason or "-")]
    else:
        profile = account_profile(context, account)
        score = profile.weight_local(local)
        parts = _when_and_weight(profile, local)
    if items is None:
        items = occupying_items(context)
    if _gap_clash(account, at, items) is not None:
        parts.append(_("within {minutes} min of another post of this account").format(
            minutes=account.min_gap_minutes))
    return SlotSuggestion(at, local, round(score, 4), ", ".join(parts))


def check_slot(context: Context, account_id: str, at: datetime, items: list[Item]) -> None:
    """Refuse a time the placement never gives the account (raises UserError saying which
    rule): a blacked-out day of its audience, less than its minimum gap from another of
    its posts, a local day that holds its daily maximum already. ``items``: the queue's
    occupying items, without the one being placed."""
    account = context.account(account_id)
    audience = context.audience_for(account)
    day = at.astimezone(audience.zone).date()
    blackout = context.calendar.blocked(audience.name, day)
    if blackout is not None:
        raise UserError(_("{day} is a blacked-out day for {account}'s audience ({reason})")
                        .format(day=day.isoformat(), account=account.id,
                                reason=blackout.reason or "-"), hint=_("pick another day"))
    clash = _gap_clash(account, at, items)
    if clash is not None:
        raise UserError(
            _("{at} is less than {minutes} min (the minimum gap of {account}) from item "
              "{item} at {other}").format(
                at=at.isoformat(), minutes=account.min_gap_minutes, account=account.id,
                item=clash.id, other=occupied_at(clash).isoformat()),
            hint=_("pick a time at least {minutes} min from it").format(
                minutes=account.min_gap_minutes))
    if account.max_per_day is not None:
        same_day = [item for item in _occupying(items, account.id)
                    if occupied_at(item).astimezone(audience.zone).date() == day]
        if len(same_day) >= account.max_per_day:
            raise UserError(
                ngettext("{account} has {count} post on {day} already, its daily maximum",
                         "{account} has {count} posts on {day} already, its daily maximum",
                         len(same_day)).format(
                    account=account.id, count=len(same_day), day=day.isoformat()),
                hint=_("pick another day"))


def best_time(context: Context, item: Item, items: list[Item], now: datetime) -> datetime:
    """The best free time for a waiting item's post, as ``--auto`` places a post of its
    account: inside its draft's embargo and deadline (and the item's own deadline),
    the gap, the daily maximum and blackout days kept. Refused while the freeze or the
    account's pause is on, as ``schedule --auto`` is. ``items``: the queue's occupying
    items, without this one."""
    paused = _paused_error(_paused(context), item.account_id)
    if paused:
        raise paused
    draft = context.drafts.load(item.draft_id).draft
    account = context.account(item.account_id)
    timeline = Timeline.after(now, _horizon([_DraftJobs(draft, {})], now))
    lane = _build_lane(context, account, timeline, items, half_life(context, draft))
    earliest, latest = _window(draft, timeline, item.deadline)
    key = f"item-{item.id}"
    placement = place([lane.lane], [Job(key, account.id, 1, earliest, latest)])
    if key in placement.unplaced:
        raise UserError(_("no free time for item {id}: {why}").format(
            id=item.id, why=placement.unplaced[key]))
    return timeline.at(placement.starts[key][0])


# Slots

# More than a person reads; a larger --count only costs memory and time.
MAX_SLOTS = 500


def suggest_slots(
    context: Context, account_id: str, count: int, now: datetime
) -> list[SlotSuggestion]:
    """The next ``count`` best free slots of an account, in time order."""
    if count < 1:
        raise UserError(_("the number of slots must be at least 1"))
    if count > MAX_SLOTS:
        raise UserError(_("the number of slots must be at most {most}").format(most=MAX_SLOTS))
    account = context.account(account_id)
    timeline = Timeline.after(now)
    built = _build_lane(context, account, timeline, occupying_items(context))
    spacing = max(built.lane.gap, math.ceil(SUGGESTION_SPACING / STEP))
    lane = Lane(account.id, built.lane.scores, spacing, built.lane.day_of,
                built.lane.max_per_day, built.lane.busy, built.lane.day_load)
    jobs = [Job(f"slot-{n}", account.id) for n in range(count)]
    placement = place([lane], jobs)
    steps = sorted(step for starts in placement.starts.values() for step in starts)
    return [_suggestion(built, timeline.at(step), lane.scores[step]) for step in steps]


def _suggestion(lane: _Lane, moment: datetime, score: float) -> SlotSuggestion:
    return SlotSuggestion(moment, moment.astimezone(lane.audience.zone), round(score, 4),
                          explain(lane, moment))


# Scheduling one draft: the suggested times, each shown for every account of the draft


@dataclass(frozen=True)
class SlotFit:
    """How one time suits one account of the draft."""

    account_id: str
    local: datetime  # the time in the account's audience zone
    score: float  # 0..1 (0 on a blacked-out day)
    why: str
    suggested: bool  # one of this account's own next best slots


@dataclass(frozen=True)
class SlotOption:
    """One time the whole draft can go out at, with how it suits each of its accounts."""

    at: datetime  # UTC
    fits: tuple[SlotFit, ...]  # one per account of the draft, in the draft's order

    @property
    def score(self) -> float:
        """The weakest account's score: the whole draft goes out at this time."""
        return min((fit.score for fit in self.fits), default=0.0)


def slot_options(context: Context, draft_id: str, per_account: int,
                 now: datetime) -> tuple[list[SlotOption], str]:
    """The next best times of a draft's accounts (``per_account`` each, inside its embargo
    and deadline), each time with how it suits every account of the draft, in time order;
    and why there are none, when there are none."""
    draft = context.drafts.load(draft_id).draft
    start = max(now, draft.not_before) if draft.not_before else now
    if draft.deadline is not None and draft.deadline <= start:
        return [], _("Its deadline ({deadline}) has passed: change it in the editor to "
                     "schedule it.").format(
                         deadline=format_datetime(draft.deadline, context.settings.zone))
    accounts = [context.account(account_id) for account_id in draft.accounts]
    own: dict[datetime, dict[str, SlotSuggestion]] = {}
    for account in accounts:
        for slot in suggest_slots(context, account.id, per_account, start):
            if draft.deadline is None or slot.at <= draft.deadline:
                own.setdefault(slot.at, {})[account.id] = slot
    items = occupying_items(context)
    options = []
    for at in sorted(own):
        fits = []
        for account in accounts:
            best = own[at].get(account.id)
            if best is not None:
                fits.append(SlotFit(account.id, best.local, best.score, best.why, True))
            else:
                rated = rate_time(context, account.id, at, items)
                fits.append(SlotFit(account.id, rated.local, rated.score, rated.why, False))
        options.append(SlotOption(at, tuple(fits)))
    note = ""
    if accounts and not options:
        note = _("No free slot before its deadline: type a time (ctrl+t) or change the "
                 "deadline in the editor.")
    return options, note


def activity_grid(context: Context, account_id: str) -> ActivityGrid:
    """The weekday x hour profile an account is scheduled by (its audience's, moved by its
    results), in the audience's zone."""
    profile = account_profile(context, context.account(account_id))
    grid = audience_grid(profile.audience)
    if profile.posts:
        return replace(grid, values=profile.grid())
    return grid


# Placing drafts


@dataclass(frozen=True)
class _DraftJobs:
    draft: Draft
    bundles: dict[str, list[PlannedPost]]  # account id -> its posts, in locale order


def approved_unqueued(context: Context) -> tuple[list[str], dict[str, str]]:
    """Approved drafts with nothing in the queue yet (sent or pending), templates aside, and the
    draft files that could not be read (file -> error), which a person must fix."""
    from publisher.services.approvals import clearance

    loaded, errors = context.drafts.load_all()
    with open_queue(context) as queue:
        queued = {item.draft_id for item in queue.items()
                  if item.state not in (State.CANCELLED, State.EXPIRED, State.FAILED)}
        # A holding statement is never sent itself: it waits for `crisis use`, not here.
        ready = sorted(d.draft.id for d in loaded
                       if not d.draft.template and d.draft.id not in queued
                       and clearance(context, d.draft, queue).cleared)
    return ready, {error.where or "?": error.message for error in errors}


def auto_schedule(
    context: Context, draft_ids: list[str], now: datetime, *, strict: bool = True,
    again: bool = False, warn: Warn | None = None, by: str = "auto",
) -> AutoReport:
    """Place every post of these drafts at the best free slots, then queue them.

    A draft is placed whole or not at all: if one of its posts has no room
    (deadline, blackout, freeze), none of them is queued and the report says
    why. ``strict`` turns the first such problem into a :class:`UserError`.
    A draft already published on one of its accounts is refused (``strict``)
    or skipped, unless ``again``.
    """
    unplaced: dict[str, str] = {}
    skipped: dict[str, str] = {}
    remedies: dict[str, Remedy] = {}
    drafts: list[_DraftJobs] = []
    pauses = _paused(context)
    with open_queue(context) as queue:
        published = {} if again else published_posts(context, queue, draft_ids)
    for draft_id in draft_ids:
        try:
            drafts.append(_plan(context, draft_id, pauses, published))
        except AlreadyPublished as error:
            if strict:
                raise
            skipped[draft_id] = str(error)
            if error.remedy:
                remedies[draft_id] = error.remedy
        except UserError as error:
            if strict:
                raise
            unplaced[draft_id] = error.message
            if error.remedy:
                remedies[draft_id] = error.remedy
    horizon = _horizon(drafts, now)
    timeline = Timeline.after(now, horizon)
    items = occupying_items(context)
    lives = {entry.draft.id: half_life(context, entry.draft) for entry in drafts}
    lanes = {
        account_id: _build_lane(
            context, context.account(account_id), timeline, items,
            lane_half_life((lives[d.draft.id] for d in drafts if account_id in d.bundles),
                           context.settings.half_life))
        for account_id in sorted({a for d in drafts for a in d.bundles})
    }
    exploring = _exploring(context, drafts, lanes, timeline, lives)
    placement, drafts = _place_whole(drafts, lanes, timeline, unplaced, exploring)
    if strict and unplaced:
        draft_id, reason = next(iter(unplaced.items()))
        raise UserError(_("{id}: {reason}").format(id=draft_id, reason=reason),
                        remedy=Remedy(Fix.SCHEDULE_AT, draft=draft_id))
    for key, steps in placement.starts.items():  # explanations see the new posts too
        lane = lanes[key.split("|", 1)[1]]
        lane.occupied = sorted(lane.occupied + [timeline.at(step) for step in steps])
    report = AutoReport([], unplaced, placement.score, skipped, remedies)
    for entry in drafts:
        report.placed += _queue(context, entry, placement, lanes, timeline, now, again, warn,
                                by)
    return report


def _plan(context: Context, draft_id: str, pauses: dict[str, str],
          published: dict[tuple[str, str], PublishedPost]) -> _DraftJobs:
    draft = context.drafts.load(draft_id).draft
    refuse_published(published, draft.id, draft.accounts)
    posts = plan_posts(context, draft)
    bundles: dict[str, list[PlannedPost]] = {}
    for post in posts:
        paused = _paused_error(pauses, post.account.id)
        if paused:
            raise paused
        bundles.setdefault(post.account.id, []).append(post)
    with open_queue(context) as queue:
        active = [i for i in queue.items(draft_id=draft.id)
                  if i.state not in (State.CANCELLED, State.EXPIRED, State.FAILED)]
    if active:
        raise UserError(_("{id} is already in the queue (item {item})").format(
            id=draft.id, item=active[0].id))
    return _DraftJobs(draft, bundles)


def half_life(context: Context, draft: Draft) -> timedelta:
    """How fast a draft's posts lose their value: its urgency, else its campaign's, else
    the workspace's half-life."""
    return (draft.urgency or context.settings.urgency_of(draft.campaign)
            or context.settings.half_life)


def _horizon(drafts: list[_DraftJobs], now: datetime) -> timedelta:
    """30 days, or enough to reach a week past the latest embargo."""
    span = HORIZON
    for entry in drafts:
        if entry.draft.not_before:
            span = max(span, entry.draft.not_before - now + timedelta(days=7))
    return min(span, MAX_HORIZON)


def _window(draft: Draft, timeline: Timeline,
            deadline: datetime | None = None) -> tuple[int, int | None]:
    """The first and last steps a post of the draft may take (its embargo and deadline,
    or an earlier ``deadline``)."""
    earliest = timeline.step_on_or_after(draft.not_before) if draft.not_before else 0
    ends = [moment for moment in (draft.deadline, deadline) if moment is not None]
    latest = (min(timeline.steps - 1, timeline.step_on_or_before(min(ends)))
              if ends else None)
    return earliest, latest


def _jobs(entry: _DraftJobs, timeline: Timeline) -> list[Job]:
    draft = entry.draft
    earliest, latest = _window(draft, timeline)
    return [
        Job(f"{draft.id}|{account_id}", account_id, len(posts), earliest, latest)
        for account_id, posts in entry.bundles.items()
    ]


@dataclass
class _Placed:
    """The placement of a run and how its explorers were placed."""

    starts: dict[str, list[int]]
    score: float
    explored: set[str]  # job keys placed on an optimistic draw
    latest: dict[str, int | None]  # job key -> its last allowed step


@dataclass(frozen=True)
class _Exploring:
    """Which jobs may explore, and each lane's drawn scores for them."""

    keys: set[str]
    drawn: dict[str, list[float]]  # account id -> its lane's scores on an optimistic draw


def _exploring(context: Context, drafts: list[_DraftJobs], lanes: dict[str, _Lane],
               timeline: Timeline, lives: dict[str, timedelta]) -> _Exploring:
    """Per lane, the posts that explore (at most the [schedule] explore share, only posts
    without a deadline and not urgent) and the lane's scores on one optimistic draw, both
    from the generator seeded by the plan's start and the account."""
    keys: set[str] = set()
    drawn: dict[str, list[float]] = {}
    share = context.settings.explore
    for account_id, lane in lanes.items():
        jobs = [job for entry in drafts for job in _jobs(entry, timeline)
                if job.account == account_id]
        allowed = [f"{entry.draft.id}|{account_id}" for entry in drafts
                   if account_id in entry.bundles and entry.draft.deadline is None
                   and not is_urgent(lives[entry.draft.id])]
        rng = learning.plan_rng(timeline.start, account_id)
        chosen = learning.choose_explorers(jobs, allowed, share, rng)
        if chosen:
            keys.update(chosen)
            weights = _weights(context, lane.profile, timeline, lane.profile.draw(rng))
            drawn[account_id] = _decayed(weights, timeline, lane.half_life)
    return _Exploring(keys, drawn)


def _place_whole(
    drafts: list[_DraftJobs], lanes: dict[str, _Lane], timeline: Timeline,
    unplaced: dict[str, str], exploring: _Exploring,
) -> tuple[_Placed, list[_DraftJobs]]:
    """Place, drop the drafts with a post that found no room, place the rest again."""
    while True:
        jobs = [job for entry in drafts for job in _jobs(entry, timeline)]
        placement, explored = learning.place_exploring(
            [lane.lane for lane in lanes.values()], exploring.drawn, jobs,
            exploring.keys & {job.key for job in jobs})
        failed = {key.split("|", 1)[0]: why for key, why in placement.unplaced.items()}
        if not failed:
            latest = {job.key: job.latest for job in jobs}
            return _Placed(placement.starts, placement.score, explored, latest), drafts
        for draft_id, why in failed.items():
            unplaced.setdefault(draft_id, why)
        drafts = [entry for entry in drafts if entry.draft.id not in failed]


def _queue(
    context: Context, entry: _DraftJobs, placement: _Placed,
    lanes: dict[str, _Lane], timeline: Timeline, now: datetime, again: bool,
    warn: Warn | None = None, by: str = "auto",
) -> list[PlacedPost]:
    timed: list[tuple[PlannedPost, datetime]] = []
    placed: list[PlacedPost] = []
    for account_id, posts in entry.bundles.items():
        lane = lanes[account_id]
        key = f"{entry.draft.id}|{account_id}"
        steps = placement.starts[key]
        for post, step in zip(posts, steps, strict=True):
            moment = timeline.at(step)
            timed.append((post, moment))
            placed.append(PlacedPost(
                entry.draft.id, account_id, post.locales, moment,
                moment.astimezone(lane.audience.zone), round(lane.weights[step], 4),
                explain(lane, moment, exploring=key in placement.explored,
                        latest=placement.latest[key])))
    chains = queue_chains(context, entry.draft, timed, now=now, actor=by, again=again,
                          warn=warn)
    return [
        PlacedPost(p.draft_id, p.account_id, p.locales, p.at, p.local, p.score, p.why,
                   chain[0])
        for p, chain in zip(placed, chains, strict=True)
    ]
