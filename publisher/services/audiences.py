"""Audience use cases: define, import, learn, and blackout dates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from publisher.domain.activity_files import (
    csv_rows,
    read_csv,
    read_online_followers,
    shift_zone,
)
from publisher.domain.audiences import (
    Audience,
    Blackout,
    Grid,
    check_name,
    check_zone,
    learn_grid,
    normalise,
    parse_window,
)
from publisher.domain.errors import UserError
from publisher.domain.queue import State
from publisher.domain.remedies import Fix, Remedy, set_account
from publisher.i18n import _
from publisher.services.context import Context
from publisher.services.queueing import open_queue
from publisher.storage.bounded import read_bounded


@dataclass(frozen=True)
class ActivityGrid:
    """An audience's week for a heat map."""

    audience: str
    timezone: str
    is_default: bool
    values: Grid  # 7 rows Mon..Sun x 24 hours, 0..1, the audience's local time
    kind: str = "windows"


def audience_grid(audience: Audience) -> ActivityGrid:
    return ActivityGrid(audience.name, audience.timezone, audience.is_default,
                        audience.grid(), audience.kind)


def add_audience(context: Context, name: str, timezone: str, windows: list[str]) -> Audience:
    check_name(name)
    if name in context.audiences:
        raise UserError(_("audience {name!r} exists").format(name=name),
                        remedy=Remedy(Fix.IMPORT_AUDIENCE, audience=name))
    audience = Audience(name, check_zone(timezone), tuple(parse_window(w) for w in windows))
    context.audiences_file.save(audience)
    return audience


@dataclass(frozen=True)
class ImportResult:
    audience: Audience
    cells: int
    days: int
    shifted_hours: bool


def _read_text(path: Path) -> str:
    data = read_bounded(path, str(path))  # a regular file of bounded size, never /dev/zero
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(_("cannot read {path}: {error}").format(path=path, error=error)) from None


def import_activity(
    context: Context, name: str, path: Path, *, timezone: str | None,
    hours_in: str | None, now: datetime,
) -> ImportResult:
    """A weekday/hour CSV or an Instagram online_followers JSON becomes the
    audience's hourly histogram (a new audience needs its time zone)."""
    check_name(name)
    existing = context.audiences.get(name)
    if timezone:
        zone = check_zone(timezone)
    elif existing is not None:
        zone = existing.timezone
    else:
        raise UserError(_("audience {name!r} is new: give its time zone").format(name=name),
                        hint=_("e.g. Europe/Belgrade"))
    text = _read_text(path)
    where = str(path)
    raw = read_online_followers(text, where) if text.lstrip().startswith("{") else read_csv(
        text, where)
    source_zone = check_zone(hours_in) if hours_in else zone
    values = shift_zone(raw.values, source_zone, zone, now)
    base = existing or Audience(name, zone)
    audience = replace(base, timezone=zone, hourly=normalise(values), is_default=False)
    context.audiences_file.save(audience, imported_from=path.name)
    return ImportResult(audience, raw.cells, raw.days, source_zone != zone)


def _engagement_rows(path: Path) -> tuple[str, list[tuple[str, float]]]:
    """``time,engagement`` or ``url,engagement`` rows (a header line first)."""
    rows = csv_rows(_read_text(path), str(path))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if header not in (["time", "engagement"], ["url", "engagement"]):
        raise UserError(_("the first line must be time,engagement or url,engagement"),
                        where=f"{path}:1")
    result = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        try:
            key, value = row[0].strip(), float(row[1])
        except (IndexError, ValueError):
            raise UserError(_("expected a {kind} and a number").format(kind=header[0]),
                            where=f"{path}:{number}") from None
        if value < 0:
            raise UserError(_("engagement cannot be negative"), where=f"{path}:{number}")
        result.append((key, value))
    return header[0], result


def _moment(text: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise UserError(_("{text!r} is not an RFC 3339 time with its offset").format(text=text),
                        where=where)
    if not 1 < moment.year < 9999:  # the audience's zone could not hold it
        raise UserError(_("{text!r} is not a time a post went out").format(text=text),
                        where=where)
    return moment


@dataclass(frozen=True)
class LearnResult:
    audience: Audience
    posts: int
    unmatched: int


def learn(context: Context, account_id: str, path: Path) -> LearnResult:
    """Blend the audience's prior with the account's own results.

    The adapters cannot fetch engagement yet, so the numbers come from a CSV:
    ``time,engagement`` (when each post went out) or ``url,engagement`` (the
    post's address, matched with the account's sent history in the queue).
    """
    account = context.account(account_id)
    if account.audience is None:
        raise UserError(_("{id} has no audience to learn into").format(id=account_id),
                        remedy=set_account(account_id, "audience", "NAME"))
    audience = context.audience(account.audience)
    kind, rows = _engagement_rows(path)
    times: list[tuple[datetime, float]] = []
    unmatched = 0
    if kind == "url":
        with open_queue(context) as queue:
            sent = {item.url: item.updated_at for item in queue.items([State.SENT],
                                                                      account_id=account_id)}
        for url, value in rows:
            if url in sent:
                times.append((sent[url], value))
            else:
                unmatched += 1
    else:
        times = [(_moment(text, str(path)), value) for text, value in rows]
    if not times:
        raise UserError(_("no post in {path} could be used").format(path=path),
                        hint=_("the URLs must be of posts this account sent"))
    zone = audience.zone
    samples = []
    for moment, value in times:
        local = moment.astimezone(zone)
        samples.append((local.weekday(), local.hour, value))
    prior_audience = replace(audience, learned=None, learned_posts=0)
    grid, posts = learn_grid(prior_audience.grid(), samples)
    learned = replace(audience, learned=grid, learned_posts=posts)
    context.audiences_file.save(learned)
    return LearnResult(learned, posts, unmatched)


def add_blackout(context: Context, day: date, audience: str | None, reason: str) -> bool:
    if audience is not None:
        context.audience(audience)
    return context.audiences_file.add_blackout(Blackout(day, audience, reason))


def remove_blackout(context: Context, day: date, audience: str | None) -> bool:
    return context.audiences_file.remove_blackout(day, audience)
