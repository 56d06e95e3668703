"""What the sent posts achieved, for people to look at (``publisher report``, and the
terminal UI's Results screen): per post, per account, per language, per account and
language (which language does better on which account: the diaspora question), and
per account the realised week (weekday x hour) beside the profile it is scheduled by.

Every number is built from the readings ``metrics collect`` keeps. A post's
*interactions* (likes + reposts + replies + quotes) are compared at the reference age
(24 h), or at its latest reading before then for a younger post, so that a post a
week old does not outweigh one of yesterday; ``posts`` counts the posts that have
such a number. Means are None where no post has one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from statistics import fmean
from zoneinfo import ZoneInfo

from publisher.domain.audiences import Grid
from publisher.domain.results import Engagement
from publisher.services.context import Context
from publisher.services.metrics import REFERENCE, by_post, post_value
from publisher.services.queue_file import open_queue
from publisher.storage.queue import Reading


@dataclass(frozen=True)
class PostResult:
    """One sent post: where and when it went, its latest counts and the number the
    summaries compare (``interactions``: at the reference age, see the module)."""

    item_id: int
    draft_id: str
    account_id: str
    locale: str  # "sq", or "sq+en" for a post in several languages
    campaign: str | None
    sent_at: datetime  # UTC
    url: str | None
    latest: Engagement  # the latest reading's counts (None inside: not reported)
    latest_age: str  # the age of that reading: "1h", "24h" or "7d"
    interactions: float | None  # at the reference age; None: only later readings
    gone: bool = False  # deleted since: no longer read


@dataclass(frozen=True)
class Summary:
    """Posts of one account, one language or one account in one language: how many
    have a number to compare, and their mean interactions per post."""

    account_id: str | None  # None in the per-language summary
    locale: str | None  # None in the per-account summary
    posts: int
    mean_interactions: float | None


@dataclass(frozen=True)
class AccountWeek:
    """An account's realised week beside its schedule's profile, both on the
    audience's wall clock (``timezone``): 7 rows (Mon..Sun) x 24 hours."""

    account_id: str
    audience: str | None  # None: the account is no longer in accounts.toml
    timezone: str
    profile: Grid | None  # the activity scheduling places by, 0..1
    posts: tuple[tuple[int, ...], ...]  # posts sent in each hour (with a number)
    mean_interactions: tuple[tuple[float | None, ...], ...]  # their mean per hour


@dataclass(frozen=True)
class ReportFilter:
    account: str | None = None
    campaign: str | None = None
    since: date | None = None  # posts sent on or after this day (the workspace's zone)


@dataclass(frozen=True)
class Report:
    """The whole report; every tuple in a stable order (by time, then by name)."""

    filter: ReportFilter
    reference_age: str
    posts: tuple[PostResult, ...]  # oldest first
    by_account: tuple[Summary, ...]
    by_locale: tuple[Summary, ...]
    by_account_locale: tuple[Summary, ...]
    weeks: tuple[AccountWeek, ...]


def build_report(context: Context, *, account: str | None = None,
                 campaign: str | None = None, since: date | None = None) -> Report:
    """The report of the readings kept, narrowed to one account, one campaign, or the
    posts sent since a day. An account neither configured nor measured is refused."""
    with open_queue(context) as queue:
        readings = queue.readings(account)
        gone = set(queue.gone())
    if account is not None and account not in context.accounts and not readings:
        context.account(account)  # raises: unknown account, with the known ones
    start = None
    if since is not None:
        start = datetime.combine(since, time(0), ZoneInfo(context.settings.timezone))
    posts = [_post(group, gone) for group in by_post(readings).values()]
    posts = [p for p in posts
             if (campaign is None or (p.campaign or "").casefold() == campaign.casefold())
             and (start is None or p.sent_at >= start)]
    posts.sort(key=lambda p: (p.sent_at, p.item_id))
    return Report(
        ReportFilter(account, campaign, since), REFERENCE, tuple(posts),
        _summaries(posts, lambda p: (p.account_id, None)),
        _summaries(posts, lambda p: (None, p.locale)),
        _summaries(posts, lambda p: (p.account_id, p.locale)),
        tuple(_week(context, account_id, posts)
              for account_id in sorted({p.account_id for p in posts})))


def _post(readings: list[Reading], gone: set[int]) -> PostResult:
    first, latest = readings[0], readings[-1]
    value = post_value(readings)
    return PostResult(first.item_id, first.draft_id, first.account_id, first.locale,
                      first.campaign, first.sent_at, latest.url, latest.engagement,
                      latest.age, value[0] if value else None, first.item_id in gone)


def _summaries(posts: Iterable[PostResult], key) -> tuple[Summary, ...]:
    groups: dict[tuple[str | None, str | None], list[float]] = {}
    for post in posts:
        values = groups.setdefault(key(post), [])
        if post.interactions is not None:
            values.append(post.interactions)
    return tuple(Summary(account_id, locale, len(values), _mean(values))
                 for (account_id, locale), values in sorted(
                     groups.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")))


def _mean(values: list[float]) -> float | None:
    return round(fmean(values), 2) if values else None


def _week(context: Context, account_id: str, posts: list[PostResult]) -> AccountWeek:
    """The account's posts by local weekday and hour, beside its profile."""
    from publisher.services.scheduling import activity_grid

    if account_id in context.accounts:
        grid = activity_grid(context, account_id)
        audience, zone_name, profile = grid.audience, grid.timezone, grid.values
    else:
        audience, zone_name, profile = None, context.settings.timezone, None
    zone = ZoneInfo(zone_name)
    cells: list[list[list[float]]] = [[[] for _hour in range(24)] for _day in range(7)]
    for post in posts:
        if post.account_id == account_id and post.interactions is not None:
            local = post.sent_at.astimezone(zone)
            cells[local.weekday()][local.hour].append(post.interactions)
    return AccountWeek(account_id, audience, zone_name, profile,
                       tuple(tuple(len(c) for c in row) for row in cells),
                       tuple(tuple(_mean(c) for c in row) for row in cells))

