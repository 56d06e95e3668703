"""Times people type: ``2026-11-28 08:00`` in their own zone, or ISO 8601 with an offset.

The editor's embargo and deadline and the schedule screen's typed time are read
here; :func:`show_moment` writes a moment back as such a text.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from publisher.domain.errors import UserError
from publisher.i18n import _

# The years the queue holds (it stores four digits) and scheduling counts days and
# weeks in without leaving the calendar; the CLI's --at and --now keep to them too.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)


def parse_moment(text: str, zone: tzinfo, what: str) -> datetime | None:
    """``2026-11-28 08:00`` in the staff member's zone, or ISO 8601 with an offset.

    None for a blank text; ``what`` names the field in the error. Only the years
    between :data:`EARLIEST` and :data:`LATEST`: shown or counted from in another
    zone, a moment near the calendar's ends leaves it.
    """
    text = text.strip()
    if not text:
        return None
    hint = _("write it as 2026-11-28 08:00")
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise UserError(_("{what}: {text!r} is not a date and time").format(what=what, text=text),
                        hint=hint) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not EARLIEST <= moment <= LATEST:
        raise UserError(_("{what}: {text!r} is not between the years {first} and {last}").format(
            what=what, text=text, first=EARLIEST.year, last=LATEST.year), hint=hint)
    return moment


def show_moment(moment: datetime | None, zone: tzinfo) -> str:
    """A moment as the staff member types it, which :func:`parse_moment` reads back as
    the same instant (blank for None).

    Local minutes as a rule; seconds only when it has them, and the offset only when
    the local time alone names another instant (the hour a clock change repeats).
    """
    if moment is None:
        return ""
    try:
        local = moment.astimezone(zone)
    except OverflowError:  # at the calendar's ends: as written, with its offset
        return moment.isoformat(sep=" ")
    spec = "auto" if local.second or local.microsecond else "minutes"
    if local.replace(fold=0).utcoffset() != local.utcoffset():
        return local.isoformat(sep=" ", timespec=spec)
    return local.replace(tzinfo=None).isoformat(sep=" ", timespec=spec)
