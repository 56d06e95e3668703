"""Audiences and blackout dates, kept in accounts.toml beside the accounts.

    [audiences.kosovo]
    timezone = "Europe/Belgrade"
    windows = [
      { days = "MO-FR", start = "08:00", end = "10:00", weight = 0.9, name = "morning" },
    ]

    [audiences.diaspora-de.hourly]      # from 'publisher audiences import'
    MO = [0.1, 0.1, ...]                # 24 values, local hours, busiest = 1

    [audiences.diaspora-de.learned]     # from 'publisher audiences learn'
    posts = 42
    MO = [...]

    [[blackouts]]
    date = 2026-12-24
    audience = "kosovo"                 # absent: every audience
    reason = "day of mourning"

Written with tomlkit, so people's comments and order survive.
"""

from __future__ import annotations

from datetime import date

import tomlkit

from publisher.domain.audiences import (
    DAYS,
    Audience,
    Blackout,
    Grid,
    Window,
    check_name,
    check_zone,
    clock_text,
    days_spec,
    grid_from_mapping,
    make_window,
    normalise,
)
from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.storage.atomic import write_atomic
from publisher.storage.tomlfile import LineIndex, parse_toml, read_text
from publisher.storage.workspace import Workspace

AUDIENCE_FIELDS = ("timezone", "windows", "hourly", "learned", "imported_from")


class AudiencesFile:
    def __init__(self, workspace: Workspace):
        self.path = workspace.accounts_path
        self.where = workspace.relative(self.path)

    def _text(self) -> str:
        return read_text(self.path, self.where) if self.path.exists() else ""

    # Reading

    def load(self) -> dict[str, Audience]:
        text = self._text()
        tables = parse_toml(text, self.where).get("audiences", {})
        lines = LineIndex(text)
        if not isinstance(tables, dict):
            raise UserError(_("[audiences] must be a table"), where=self.where)
        return {name: self._audience(name, table, lines) for name, table in tables.items()}

    def _audience(self, name: str, table: object, lines: LineIndex) -> Audience:
        line = lines("audiences", name)
        where = f"{self.where}:{line}" if line else self.where
        try:
            check_name(name)
            if not isinstance(table, dict):
                raise UserError(_("must be a table"))
            unknown = sorted(set(table) - set(AUDIENCE_FIELDS))
            if unknown:
                raise UserError(_("{key}: unknown field").format(key=unknown[0]),
                                hint=_("known fields: {names}").format(
                                    names=", ".join(AUDIENCE_FIELDS)))
            zone = check_zone(str(table.get("timezone", "")))
            windows = tuple(_window(raw) for raw in table.get("windows", []))
            hourly = _grid(table.get("hourly"))
            learned_table = table.get("learned")
            learned = _grid(learned_table)
            posts = int(learned_table.get("posts", 0)) if isinstance(learned_table, dict) else 0
        except UserError as error:
            raise UserError(f"audiences.{name}: {error.message}", where=where,
                            hint=error.hint, remedy=error.remedy) from None
        except (TypeError, ValueError, AttributeError) as error:
            raise UserError(f"audiences.{name}: {error}", where=where) from None
        return Audience(name, zone, windows, hourly, learned, posts)

    def load_blackouts(self) -> tuple[Blackout, ...]:
        text = self._text()
        rows = parse_toml(text, self.where).get("blackouts", [])
        if not isinstance(rows, list):
            raise UserError(_("blackouts must be a list of [[blackouts]] tables"),
                            where=self.where)
        result = []
        for index, row in enumerate(rows):
            day = row.get("date") if isinstance(row, dict) else None
            if not isinstance(day, date):
                raise UserError(
                    _("blackouts[{i}]: date must be a TOML date such as 2026-12-24").format(
                        i=index), where=self.where)
            result.append(Blackout(day, row.get("audience") or None, str(row.get("reason", ""))))
        return tuple(result)

    # Writing

    def _document(self) -> tomlkit.TOMLDocument:
        return tomlkit.parse(self._text())

    def _write(self, document: tomlkit.TOMLDocument) -> None:
        write_atomic(self.path, tomlkit.dumps(document))

    def save(self, audience: Audience, *, imported_from: str | None = None) -> None:
        """Add or replace one audience (its other audiences and accounts untouched)."""
        self.load()  # refuse to write into a broken file
        document = self._document()
        if "audiences" not in document:
            document.add("audiences", tomlkit.table(is_super_table=True))
        old = document["audiences"].get(audience.name)
        if imported_from is None and old is not None:
            imported_from = old.get("imported_from")
        document["audiences"][audience.name] = _audience_table(audience, imported_from)
        self._write(document)

    def add_blackout(self, blackout: Blackout) -> bool:
        """Add a blackout date; False when that exact one exists already."""
        if any(b.day == blackout.day and b.audience == blackout.audience
               for b in self.load_blackouts()):
            return False
        document = self._document()
        if "blackouts" not in document:
            document.add("blackouts", tomlkit.aot())
        row = tomlkit.table()
        row["date"] = blackout.day
        if blackout.audience:
            row["audience"] = blackout.audience
        if blackout.reason:
            row["reason"] = blackout.reason
        document["blackouts"].append(row)
        self._write(document)
        return True

    def remove_blackout(self, day: date, audience: str | None) -> bool:
        self.load_blackouts()
        document = self._document()
        rows = document.get("blackouts")
        if rows is None:
            return False
        keep = [r for r in rows if not (r.get("date") == day
                                        and (r.get("audience") or None) == audience)]
        if len(keep) == len(rows):
            return False
        if keep:
            table = tomlkit.aot()
            for row in keep:
                table.append(row)
            document["blackouts"] = table
        else:
            del document["blackouts"]
        self._write(document)
        return True


def _window(raw: object) -> Window:
    if not isinstance(raw, dict):
        raise UserError(_("each window is a table with days, start, end and weight"))
    return make_window(str(raw.get("days", "")), str(raw.get("start", "")),
                       str(raw.get("end", "")), float(raw.get("weight", 1.0)),
                       str(raw.get("name", "")))


def _grid(raw: object) -> Grid | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise UserError(_("hourly must be a table of MO..SU rows"))
    return normalise(grid_from_mapping(raw))


def _audience_table(audience: Audience, imported_from: str | None) -> tomlkit.items.Table:
    table = tomlkit.table()
    table["timezone"] = audience.timezone
    if imported_from:
        table["imported_from"] = imported_from
    if audience.windows:
        windows = tomlkit.array()
        windows.multiline(True)
        for window in audience.windows:
            item = tomlkit.inline_table()
            item.update({"days": days_spec(window.days), "start": clock_text(window.start),
                         "end": clock_text(window.end), "weight": window.weight})
            if window.name:
                item["name"] = window.name
            windows.append(item)
        table["windows"] = windows
    if audience.hourly is not None:
        table["hourly"] = _grid_table(audience.hourly)
    if audience.learned is not None:
        learned = _grid_table(audience.learned)
        learned["posts"] = audience.learned_posts
        table["learned"] = learned
    return table


def _grid_table(grid: Grid) -> tomlkit.items.Table:
    table = tomlkit.table()
    for day, row in zip(DAYS, grid, strict=True):
        table[day] = [round(value, 3) for value in row]
    return table
