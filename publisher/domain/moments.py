"""Times people type: ``2026-11-28 08:00`` in their own zone, or ISO 8601 with an offset.

The editor's embargo and deadline and the schedule screen's typed time are read
here; :func:`show_moment` writes a moment back as such a text.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from publisher.domain.errors import UserError
from publisher.i18n import _

TIME_FORMAT = "%Y-%m-%d %H:%M"


def parse_moment(text: str, zone: tzinfo, what: str) -> datetime | None:
    """``2026-11-28 08:00`` in the staff member's zone, or ISO 8601 with an offset.

    None for a blank text; ``what`` names the field in the error.
    """
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise UserError(_("{what}: {text!r} is not a date and time").format(what=what, text=text),
                        hint=_("write it as 2026-11-28 08:00")) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def show_moment(moment: datetime | None, zone: tzinfo) -> str:
    """A moment as the staff member types it (blank for None)."""
    return moment.astimezone(zone).strftime(TIME_FORMAT) if moment else ""
