"""Engagement of sent posts: collected from each platform, read by learning and
the report.

``collect`` (``publisher metrics collect``, from cron every hour) reads the counts of
every sent post at the ages of :data:`AGES` as they come: one reading per post and
age, kept in the queue file. Only a chain's first part is measured (a thread's
replies and a first comment are not). It never takes the flush lock and never holds
a post: it has its own lock, writes each reading in a short transaction of its own,
and a rate limit holds only the account's readings (a metrics hold), never its posts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from publisher.domain.errors import UserError
from publisher.domain.remedies import Remedy, log_in
from publisher.domain.results import AGES, REFERENCE_AGE, Engagement, Observation
from publisher.i18n import _
from publisher.platforms.base import (
    AuthFailed,
    PlatformError,
    Post,
    Published,
    RateLimited,
    Rejected,
    Transient,
    Unsupported,
)
from publisher.platforms.registry import UnsupportedPlatform
from publisher.services.context import Context
from publisher.services.queue_file import open_queue
from publisher.storage.lock import FileLock
from publisher.storage.queue import MeasuredPost, MetricsHold, Queue, Reading

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

log = logging.getLogger("publisher.metrics")

# A post is read at most this long after its last age: past it, a reading labelled
# "7d" of a post months old (cron was off, or collection just began) would mislead.
LATE_LIMIT = timedelta(days=7)
RATE_LIMIT_DEFAULT = timedelta(minutes=15)


def age_label(age: timedelta) -> str:
    """An age as the queue keeps it: "1h", "24h", "7d"."""
    hours = int(age.total_seconds() // 3600)
    return f"{hours // 24}d" if hours > 24 and hours % 24 == 0 else f"{hours}h"


AGE_OF = {age_label(age): age for age in AGES}
REFERENCE = age_label(REFERENCE_AGE)


def due_age(post: MeasuredPost, now: datetime) -> str | None:
    """The age to read the post at now: the latest one that has come, when none as late
    has been read (several come at once after cron was down: only the latest is read)."""
    come = [age for age in AGES if post.sent_at + age <= now]
    if not come or now > post.sent_at + AGES[-1] + LATE_LIMIT:
        return None
    latest = max(come)
    read = [AGE_OF[label] for label in post.read_ages if label in AGE_OF]
    if read and max(read) >= latest:
        return None
    return age_label(latest)


@dataclass(frozen=True)
class Collected:
    """One reading made by this run."""

    item_id: int
    account_id: str
    draft_id: str
    age: str
    engagement: Engagement


@dataclass(frozen=True)
class AccountTrouble:
    """Why an account's posts were not read in this run: ``kind`` is auth,
    rate-limited, held (a metrics hold from an earlier run), transient or
    unsupported; ``until`` for a hold."""

    account_id: str
    kind: str
    message: str
    until: datetime | None = None
    waiting: int = 0  # how many of its posts were due
    remedy: Remedy | None = None  # what a person does (log in again)


@dataclass
class CollectReport:
    readings: list[Collected] = field(default_factory=list)
    # Posts found gone (deleted): item id -> (account, why). Never read again.
    gone: dict[int, tuple[str, str]] = field(default_factory=dict)
    troubles: dict[str, AccountTrouble] = field(default_factory=dict)

    def of(self, *kinds: str) -> list[AccountTrouble]:
        return [t for t in self.troubles.values() if t.kind in kinds]

    @property
    def exit_code(self) -> int:
        """4: an account needs a person (its login); 3: some readings wait for the next
        run (a rate limit, a passing failure); else 0. Not measurable is no failure."""
        if self.of("auth"):
            return 4
        if self.of("rate-limited", "held", "transient"):
            return 3
        return 0


def collect(context: Context, now: datetime, *, adapters: Adapters | None = None,
            clock: Callable[[], datetime] | None = None) -> CollectReport:
    """Read the counts due at ``now``. Raises :class:`publisher.storage.lock.Locked`
    when another collection runs (never waits, never touches the flush's lock)."""
    clock = clock or (lambda: now)
    if adapters is None:
        from publisher.services.adapters import adapters_for

        adapters = adapters_for(context, clock)
    with FileLock(context.workspace.metrics_lock_path, since=now), \
            open_queue(context, catch_up=False) as queue:
        adapters.checkpoints = queue.checkpoints()
        return _Collector(context, queue, adapters, now).run()


class _Collector:
    def __init__(self, context: Context, queue: Queue, adapters: Adapters, now: datetime):
        self.context = context
        self.queue = queue
        self.adapters = adapters
        self.now = now
        self.report = CollectReport()
        self.campaigns: dict[str, str | None] = {}

    def run(self) -> CollectReport:
        due: dict[str, list[tuple[MeasuredPost, str]]] = {}
        for post in self.queue.measurable(self.now - AGES[-1] - LATE_LIMIT):
            age = due_age(post, self.now)
            if age is not None:
                due.setdefault(post.item.account_id, []).append((post, age))
        holds = self.queue.metrics_holds()
        posting_holds = self.queue.holds()
        for account_id, posts in due.items():
            hold = holds.get(account_id)
            if hold is not None and hold.until > self.now:
                self._trouble(account_id, "held", hold.reason, hold.until, len(posts))
                continue
            posting = posting_holds.get(account_id)
            if posting is not None and posting.kind == "rate-limited" and posting.until \
                    and posting.until > self.now:
                # Reading now could spend what the platform allows the waiting posts.
                self._trouble(account_id, "held", posting.reason, posting.until, len(posts))
                continue
            if hold is not None:
                self.queue.clear_metrics_hold(account_id)
            self._read_account(account_id, posts)
        return self.report

    def _read_account(self, account_id: str, posts: list[tuple[MeasuredPost, str]]) -> None:
        account = self.context.accounts.get(account_id)
        if account is None:
            self._trouble(account_id, "unsupported", _("the account is no longer in "
                                                       "accounts.toml"), waiting=len(posts))
            return
        try:
            adapter = self.adapters.for_account(account)
        except UnsupportedPlatform as error:
            self._trouble(account_id, "unsupported", str(error), waiting=len(posts))
            return
        abilities = adapter.abilities
        read = getattr(adapter, "engagement", None)
        if not abilities.metrics or read is None:
            why = _(abilities.why_no_metrics) if abilities.why_no_metrics else _(
                "this version cannot read the platform's counts")
            self._trouble(account_id, "unsupported", why, waiting=len(posts))
            return
        for number, (post, age) in enumerate(posts):
            item = post.item
            target = Published(item.remote_id or "", item.url, item.ref)
            light = Post(account, item.text, item.locales, (), item.draft_id, item.id,
                         due_at=item.due_at, kind=item.part_kind)
            try:
                counts = read(target, light)
            except RateLimited as error:
                until = error.retry_after or self.now + RATE_LIMIT_DEFAULT
                self.queue.set_metrics_hold(MetricsHold(account_id, until, error.message))
                self._trouble(account_id, "rate-limited", error.message, until,
                              len(posts) - number)
                return
            except AuthFailed as error:
                self._trouble(account_id, "auth", error.message, waiting=len(posts) - number,
                              remedy=error.remedy or log_in(account_id))
                return
            except Transient as error:
                self._trouble(account_id, "transient", error.message,
                              waiting=len(posts) - number)
                return
            except Unsupported as error:
                self._trouble(account_id, "unsupported", error.message,
                              waiting=len(posts) - number)
                return
            except Rejected as error:
                self.queue.mark_gone(item.id, self.now, error.message)
                self.report.gone[item.id] = (account_id, error.message)
                continue
            except PlatformError as error:  # a kind of its own: as a passing failure
                self._trouble(account_id, "transient", error.message,
                              waiting=len(posts) - number)
                return
            self._keep(post, age, counts)

    def _keep(self, post: MeasuredPost, age: str, counts: Engagement) -> None:
        item = post.item
        self.queue.add_reading(Reading(
            item.id, item.account_id, "+".join(item.locales), item.draft_id,
            self._campaign(item.draft_id), post.sent_at, age, self.now, counts))
        self.report.readings.append(Collected(item.id, item.account_id, item.draft_id, age,
                                              counts))
        log.info("item %s (%s, %s): %s: %s", item.id, item.draft_id, item.account_id, age,
                 counts.as_dict())

    def _campaign(self, draft_id: str) -> str | None:
        """The draft's campaign as its file says now (None when it cannot be read)."""
        if draft_id not in self.campaigns:
            try:
                self.campaigns[draft_id] = self.context.drafts.load(draft_id).draft.campaign
            except (UserError, OSError):
                self.campaigns[draft_id] = None
        return self.campaigns[draft_id]

    def _trouble(self, account_id: str, kind: str, message: str,
                 until: datetime | None = None, waiting: int = 0,
                 remedy: Remedy | None = None) -> None:
        self.report.troubles[account_id] = AccountTrouble(account_id, kind, message, until,
                                                          waiting, remedy)


def post_value(readings: list[Reading]) -> tuple[float, str] | None:
    """One post's number for learning and the report, from its readings: its
    interactions at the reference age, else at the latest age before it (a post
    younger than that); None when it has only later readings."""
    usable = [r for r in readings if r.age in AGE_OF and AGE_OF[r.age] <= REFERENCE_AGE]
    if not usable:
        return None
    best = max(usable, key=lambda r: AGE_OF[r.age])
    return float(best.engagement.interactions), best.age


def by_post(readings: list[Reading]) -> dict[int, list[Reading]]:
    """Readings grouped by their post, in the order given."""
    grouped: dict[int, list[Reading]] = {}
    for reading in readings:
        grouped.setdefault(reading.item_id, []).append(reading)
    return grouped


def observations(context: Context, account_id: str) -> list[Observation]:
    """The account's sent posts with their interactions at the reference age, oldest
    first (a post younger than that: its latest count)."""
    with open_queue(context) as queue:
        readings = queue.readings(account_id)
    found = []
    for post in by_post(readings).values():
        value = post_value(post)
        if value is None:
            continue
        first = post[0]
        found.append(Observation(first.account_id, first.locale, first.sent_at, value[0],
                                 first.draft_id, first.campaign))
    return sorted(found, key=lambda o: o.sent_at)
