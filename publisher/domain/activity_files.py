"""Reading audience activity exports: a weekday/hour CSV and Instagram's
``online_followers`` insight. Both give raw 7 x 24 counts (Mon..Sun, hours in
the export's own time zone); :func:`publisher.domain.audiences.normalise`
scales them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from publisher.domain.errors import UserError
from publisher.i18n import _

_WEEKDAYS = {
    **{name.lower(): i for i, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))},
    **{name.lower(): i for i, name in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))},
}


@dataclass(frozen=True)
class Histogram:
    values: tuple[tuple[float, ...], ...]  # 7 x 24
    cells: int  # how many weekday/hour cells the file gave
    days: int = 0  # for per-day exports: how many days were averaged


def csv_rows(text: str, where: str) -> list[list[str]]:
    """Every row of a CSV text; a row the csv module refuses (a field past its size
    limit, a NUL byte) is a UserError naming its line."""
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as error:
        raise UserError(_("not valid CSV: {error}").format(error=error),
                        where=f"{where}:{reader.line_num}") from None


def read_csv(text: str, where: str) -> Histogram:
    """``weekday,hour,value`` (a header line, weekday Mon..Sun, hour 0..23)."""
    rows = csv_rows(text, where)
    if not rows or [cell.strip().lower() for cell in rows[0]] != ["weekday", "hour", "value"]:
        raise UserError(_("the first line must be the header weekday,hour,value"),
                        where=f"{where}:1")
    grid = [[0.0] * 24 for _day in range(7)]
    seen: set[tuple[int, int]] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        day, hour, value = _csv_row(row, f"{where}:{number}")
        if (day, hour) in seen:
            raise UserError(_("{day} {hour}h appears twice").format(day=row[0], hour=hour),
                            where=f"{where}:{number}")
        seen.add((day, hour))
        grid[day][hour] = value
    if not seen:
        raise UserError(_("the file has no rows"), where=where)
    return Histogram(tuple(tuple(r) for r in grid), len(seen))


def _csv_row(row: Sequence[str], where: str) -> tuple[int, int, float]:
    if len(row) != 3:
        raise UserError(_("expected 3 columns (weekday,hour,value), found {n}").format(
            n=len(row)), where=where)
    day = _WEEKDAYS.get(row[0].strip().lower())
    if day is None:
        raise UserError(_("{text!r} is not a weekday (Mon..Sun)").format(text=row[0]),
                        where=where)
    try:
        hour, value = int(row[1]), float(row[2])
    except ValueError:
        raise UserError(_("hour and value must be numbers"), where=where) from None
    if not 0 <= hour <= 23:
        raise UserError(_("hour {hour} is not between 0 and 23").format(hour=hour), where=where)
    if value < 0 or value != value:
        raise UserError(_("value {value} is negative").format(value=row[2]), where=where)
    return day, hour, value


def read_online_followers(text: str, where: str) -> Histogram:
    """Instagram's ``online_followers`` insight: per day ``{"0".."23": count}``.

    Each value's ``end_time`` closes the day it counts, so the day is the
    date twelve hours before it. Days of the same weekday are averaged.
    """
    try:
        data = json.loads(text)
        values = data["data"][0]["values"] if "data" in data else data["values"]
    except (ValueError, KeyError, IndexError, TypeError, RecursionError):
        values = None
    if not isinstance(values, list):
        raise UserError(_("not an online_followers export (data[0].values)"), where=where)
    sums = [[0.0] * 24 for _day in range(7)]
    counts = [0] * 7
    for index, entry in enumerate(values):
        try:
            end = datetime.fromisoformat(str(entry["end_time"]).replace("+0000", "+00:00"))
            hours = {int(h): float(v) for h, v in entry["value"].items()}
            day = (end.astimezone(UTC) - timedelta(hours=12)).weekday()
        except (KeyError, ValueError, TypeError, AttributeError, OverflowError):
            # OverflowError: an end_time at the calendar's very ends.
            raise UserError(_("values[{i}]: needs end_time and value {{\"0\"..\"23\": count}}")
                            .format(i=index), where=where) from None
        if not hours:
            continue  # Instagram leaves days without data empty
        counts[day] += 1
        for hour, value in hours.items():
            if 0 <= hour <= 23 and value >= 0:
                sums[day][hour] += value
    if not any(counts):
        raise UserError(_("the export has no days with data"), where=where)
    grid = tuple(
        tuple(value / counts[day] if counts[day] else 0.0 for value in sums[day])
        for day in range(7)
    )
    return Histogram(grid, sum(1 for day in range(7) if counts[day]) * 24, sum(counts))


def shift_zone(
    values: tuple[tuple[float, ...], ...], source: str, target: str, on: datetime
) -> tuple[tuple[float, ...], ...]:
    """Move an hourly histogram from the export's zone to the audience's.

    Uses the two zones' offsets in the week of ``on``; a shift of a whole
    number of hours carries each cell over (Kosovo and the US differ by 5 or
    6 hours depending on the week: the import's week decides).
    """
    if source == target:
        return values
    target_offset = on.astimezone(ZoneInfo(target)).utcoffset()
    source_offset = on.astimezone(ZoneInfo(source)).utcoffset()
    assert target_offset is not None and source_offset is not None  # aware datetimes
    offset = target_offset - source_offset
    shift = round(offset.total_seconds() / 3600)
    flat = [v for row in values for v in row]
    moved = [0.0] * len(flat)
    for index, value in enumerate(flat):
        moved[(index + shift) % len(flat)] = value
    return tuple(tuple(moved[d * 24:(d + 1) * 24]) for d in range(7))
