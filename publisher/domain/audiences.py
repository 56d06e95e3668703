"""Audiences: who reads an account, in which time zone, and when they are active.

Time rule (one rule, used everywhere): a slot is a UTC instant, and it is
scored by the wall-clock time it shows in the audience's zone. So a window
"08:00-10:00" means 08:00 local on both sides of a DST change; in the night
the clocks go back, 02:00-03:00 happens twice and both hours count; in the
night they go forward, 02:00-03:00 does not exist and nothing is lost.

Where a person types a local time without an offset, it is read with
``fold=0``: a time that does not exist (2026-03-29 02:30 Europe/Belgrade)
moves forward by the gap (03:30 +02:00); a time that happens twice
(2026-10-25 02:30) is the first of the two (+02:00). See :func:`resolve_local`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.domain.errors import UserError
from publisher.i18n import _, ngettext

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Matched in full (fullmatch): a '$' would also match before a trailing newline.
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
MINUTES_PER_DAY = 24 * 60

# Outside every window: daytime is a weak choice, the night a last resort.
DAYTIME_FLOOR = 0.02
NIGHT_FLOOR = 0.001
DAYTIME = (7 * 60, 23 * 60)

Grid = tuple[tuple[float, ...], ...]  # 7 rows (Mon..Sun) x 24 hours, local time


@dataclass(frozen=True)
class Window:
    """A weekly span of wall-clock time with its weight (0..1)."""

    days: frozenset[int]  # 0 = Monday
    start: int  # minutes after local midnight
    end: int  # exclusive; up to 1440
    weight: float
    name: str = ""

    def covers(self, weekday: int, minute: int) -> bool:
        return weekday in self.days and self.start <= minute < self.end

    def spec(self) -> str:
        """The form people type: ``MO-FR 08:00-10:00 0.9 morning``."""
        hours = f"{clock_text(self.start)}-{clock_text(self.end)}"
        text = f"{days_spec(self.days)} {hours} {self.weight:g}"
        return f"{text} {self.name}" if self.name else text


@dataclass(frozen=True)
class Activity:
    """How active an audience is at one instant, and why."""

    weight: float
    why: str


@dataclass(frozen=True)
class Audience:
    name: str
    timezone: str
    windows: tuple[Window, ...] = ()
    # An hourly histogram (7 x 24, local time), normalised to 0..1.
    hourly: Grid | None = None
    # Learned from the account's own results; used before ``hourly``/windows.
    learned: Grid | None = None
    learned_posts: int = 0
    is_default: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def kind(self) -> str:
        if self.is_default:
            return "default"
        if self.learned is not None:
            return "learned"
        return "histogram" if self.hourly is not None else "windows"

    def _covering(self, weekday: int, minute: int) -> Window | None:
        covering = [w for w in self.windows if w.covers(weekday, minute)]
        return max(covering, key=lambda w: w.weight) if covering else None

    def weight_local(self, local: datetime) -> float:
        """The weight at a local wall-clock time (the fast path of the scheduler)."""
        grid = self.learned if self.learned is not None else self.hourly
        if grid is not None:
            return grid[local.weekday()][local.hour]
        minute = local.hour * 60 + local.minute
        window = self._covering(local.weekday(), minute)
        if window is not None:
            return window.weight
        return DAYTIME_FLOOR if DAYTIME[0] <= minute < DAYTIME[1] else NIGHT_FLOOR

    def activity_local(self, local: datetime) -> Activity:
        """The weight at a local wall-clock time, with where it comes from."""
        weight = self.weight_local(local)
        day = DAY_NAMES[local.weekday()]
        if self.learned is not None:
            return Activity(weight, ngettext(
                "learned from {n} post, {day} {hour:02d}h",
                "learned from {n} posts, {day} {hour:02d}h", self.learned_posts).format(
                n=self.learned_posts, day=day, hour=local.hour))
        if self.hourly is not None:
            return Activity(weight, _("imported histogram, {day} {hour:02d}h").format(
                day=day, hour=local.hour))
        window = self._covering(local.weekday(), local.hour * 60 + local.minute)
        if window is not None:
            label = window.name or f"{clock_text(window.start)}-{clock_text(window.end)}"
            text = _("window '{name}'").format(name=label)
        elif weight == DAYTIME_FLOOR:
            text = _("outside every window")
        else:
            text = _("night")
        if self.is_default:
            text = _("default profile, {what}").format(what=text)
        return Activity(weight, text)

    def activity(self, moment: datetime) -> Activity:
        """The weight at a UTC instant, read on the audience's wall clock."""
        return self.activity_local(moment.astimezone(self.zone))

    def grid(self) -> Grid:
        """Weekday x hour weights for a heat map (the mean over each hour)."""
        if self.learned is not None:
            return self.learned
        if self.hourly is not None:
            return self.hourly
        monday = datetime(2024, 1, 1)  # any Monday: only wall-clock fields are read
        rows = []
        for day in range(7):
            row = []
            for hour in range(24):
                samples = [
                    self.weight_local(monday + timedelta(days=day, hours=hour, minutes=m))
                    for m in range(0, 60, 5)
                ]
                row.append(round(sum(samples) / len(samples), 3))
            rows.append(tuple(row))
        return tuple(rows)


def default_audience(name: str, timezone: str) -> Audience:
    """What we assume when nothing is known: working-hours peaks, quiet
    nights, a calmer Saturday and a weaker Sunday. Marked as default in
    every explanation."""
    weekdays = frozenset(range(5))
    windows = (
        Window(weekdays, 7 * 60 + 30, 9 * 60 + 30, 0.8, _("morning")),
        Window(weekdays, 12 * 60, 14 * 60, 0.6, _("lunch")),
        Window(weekdays, 18 * 60, 22 * 60, 1.0, _("evening")),
        Window(frozenset({5}), 10 * 60, 22 * 60, 0.6, _("Saturday")),
        Window(frozenset({6}), 10 * 60, 21 * 60, 0.4, _("Sunday")),
    )
    return Audience(name, timezone, windows, is_default=True)


# Parsing what people type


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise UserError(
            _("invalid audience name {name!r}").format(name=name),
            hint=_("use lower-case letters, digits and dashes, e.g. diaspora-de"),
        )
    return name


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = _("an IANA name such as Europe/Belgrade (Kosovo), Europe/Berlin, America/New_York")
        raise UserError(_("unknown time zone {name!r}").format(name=name), hint=hint) from None
    return name


def parse_days(text: str) -> frozenset[int]:
    """``MO-FR``, ``SA,SU``, ``MO,WE,FR`` or ``MO-SU``."""
    days: set[int] = set()
    for part in text.upper().split(","):
        first, _dash, last = part.strip().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise UserError(
                _("{text!r} is not a list of days").format(text=text),
                hint=_("use two-letter days: MO-FR, SA,SU or MO,WE,FR"),
            )
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise UserError(_("{text!r}: days run from Monday to Sunday").format(text=text),
                            hint=_("write SU,MO instead of SU-MO"))
        days.update(range(start, end + 1))
    return frozenset(days)


def days_spec(days: Iterable[int]) -> str:
    ordered = sorted(days)
    if ordered and ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{DAYS[ordered[0]]}-{DAYS[ordered[-1]]}"
    return ",".join(DAYS[day] for day in ordered)


def parse_clock(text: str, *, end: bool = False) -> int:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    hours, minutes = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
    value = hours * 60 + minutes
    if not match or minutes > 59 or not (0 <= value < MINUTES_PER_DAY or (end and value == 1440)):
        raise UserError(_("{text!r} is not a time of day such as 08:30").format(text=text))
    return value


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def make_window(days: str, start: str, end: str, weight: float, name: str = "") -> Window:
    first, last = parse_clock(start), parse_clock(end, end=True)
    if last <= first:
        raise UserError(
            _("window {start}-{end} ends before it starts").format(start=start, end=end),
            hint=_("a window that crosses midnight is two windows: 22:00-24:00 and 00:00-01:00"),
        )
    if not 0 <= weight <= 1:
        raise UserError(_("window weight {weight} is not between 0 and 1").format(weight=weight))
    return Window(parse_days(days), first, last, float(weight), name.strip())


def parse_window(spec: str) -> Window:
    """``"MO-FR 08:00-10:00 0.9 morning commute"`` (the name is optional)."""
    parts = spec.split(None, 3)
    if len(parts) < 3 or "-" not in parts[1]:
        raise UserError(
            _("{spec!r} is not a window").format(spec=spec),
            hint=_('write DAYS START-END WEIGHT [NAME], e.g. "MO-FR 08:00-10:00 0.9 morning"'),
        )
    start, end = parts[1].split("-", 1)
    try:
        weight = float(parts[2])
    except ValueError:
        raise UserError(_("{text!r} is not a weight between 0 and 1").format(
            text=parts[2])) from None
    return make_window(parts[0], start, end, weight, parts[3] if len(parts) > 3 else "")


def normalise(values: Sequence[Sequence[float]]) -> Grid:
    """Scale a 7 x 24 histogram to 0..1 (its busiest hour is 1)."""
    top = max((v for row in values for v in row), default=0.0)
    if top <= 0:
        raise UserError(_("the histogram has no activity at all"),
                        hint=_("every value is zero; check the export"))
    return tuple(tuple(round(v / top, 4) for v in row) for row in values)


def resolve_local(naive: datetime, zone: ZoneInfo) -> datetime:
    """A local wall-clock time (no offset) as an aware UTC instant; see the module's rule."""
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


# Blackouts


@dataclass(frozen=True)
class Blackout:
    day: date
    audience: str | None = None  # None: every audience
    reason: str = ""

    def applies_to(self, audience: str) -> bool:
        return self.audience is None or self.audience == audience


@dataclass(frozen=True)
class Calendar:
    """Blacked-out local dates, per audience and for everyone."""

    blackouts: tuple[Blackout, ...] = ()
    _by_audience: dict[str, dict[date, Blackout]] = field(default_factory=dict, repr=False,
                                                          compare=False)

    def blocked(self, audience: str, day: date) -> Blackout | None:
        table = self._by_audience.get(audience)
        if table is None:
            table = {b.day: b for b in self.blackouts if b.applies_to(audience)}
            self._by_audience[audience] = table
        return table.get(day)


def learn_grid(
    prior: Grid, samples: Iterable[tuple[int, int, float]], strength: float = 3.0
) -> tuple[Grid, int]:
    """Blend the prior with observed engagement; thin data stays near the prior.

    ``samples`` are (weekday, local hour, engagement). Engagement is read as
    relative: each post's engagement divided by the mean of all of them, so
    a bin's evidence says "this hour did r times as well as our average".
    That ratio times the prior's mean over the posted hours estimates the
    hour's activity, and each bin's estimate is shrunk towards its prior
    weight as (strength * prior + n * estimate) / (strength + n).
    """
    observed = [(d, h, max(0.0, float(e))) for d, h, e in samples]
    if not observed:
        return prior, 0
    mean = sum(e for _d, _h, e in observed) / len(observed)
    if mean <= 0:
        return prior, len(observed)
    scale = sum(prior[d][h] for d, h, _e in observed) / len(observed)
    sums: dict[tuple[int, int], list[float]] = {}
    for d, h, e in observed:
        sums.setdefault((d, h), []).append(e / mean * scale)
    rows = []
    for d in range(7):
        row = []
        for h in range(24):
            evidence = sums.get((d, h), [])
            n = len(evidence)
            row.append((strength * prior[d][h] + sum(evidence)) / (strength + n))
        rows.append(row)
    return normalise(rows), len(observed)


def grid_from_mapping(values: Mapping[str, Sequence[float]]) -> Grid:
    """``{"MO": [24 numbers], ...}`` as stored in accounts.toml."""
    rows = []
    for day in DAYS:
        row = values.get(day)
        if not isinstance(row, list | tuple) or len(row) != 24:
            raise UserError(_("hourly.{day} must list 24 numbers").format(day=day))
        rows.append(tuple(float(v) for v in row))
    return tuple(rows)
