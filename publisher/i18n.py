"""The interface's own language: gettext catalogs and Babel formatting.

Content locales (the languages posts are written in) live in
:mod:`publisher.domain.locales`; this module is about the language the tool
speaks to its user. Catalogs are looked up by explicit path, never through
gettext's language expansion: gettext (and Babel) fall back from ``sr_Latn``
to Cyrillic ``sr``, which would answer a Latin-script user in Cyrillic.
"""

from __future__ import annotations

import gettext as _gettext
import threading
from datetime import datetime, tzinfo
from pathlib import Path

from publisher.resources import resource_dir

DOMAIN = "publisher"
UI_LANGUAGES: tuple[str, ...] = ("en", "sq", "sr", "sr-Latn")

# UI language tag -> gettext catalog folder under locales/.
_CATALOG = {"en": "en", "sq": "sq", "sr": "sr", "sr-Latn": "sr_Latn"}

# UI language tag -> Babel locale for dates and numbers. Kosovo's locales:
# plain ``sq`` prints a 12-hour clock, ``sq_XK`` the 24-hour one people use.
BABEL_LOCALE = {"en": "en_GB", "sq": "sq_XK", "sr": "sr_Cyrl_XK", "sr-Latn": "sr_Latn_XK"}

_language = "en"
# The language's catalog, read when a text is first asked for (a cron minute that
# prints nothing reads none); None until then.
_current: _gettext.NullTranslations | None = None
_switching = threading.Lock()  # the TUI's workers translate while a person switches


def catalog_path(language: str) -> Path:
    """The compiled catalog (.mo) of a UI language."""
    folder = _CATALOG[language]
    return resource_dir("locales") / folder / "LC_MESSAGES" / f"{DOMAIN}.mo"


def normalize_ui_language(text: str) -> str | None:
    """Map what a user typed (``sr_Latn``, ``SQ``) to a UI language tag, or None."""
    wanted = text.strip().replace("_", "-").lower()
    for tag in UI_LANGUAGES:
        if tag.lower() == wanted:
            return tag
    return None


def set_language(language: str) -> None:
    """Switch the interface language; unknown tags fall back to English."""
    global _current, _language
    tag = normalize_ui_language(language) or "en"
    with _switching:
        _language, _current = tag, None


def _catalog() -> _gettext.NullTranslations:
    global _current
    catalog = _current
    if catalog is not None:
        return catalog
    language = _language
    path = catalog_path(language)
    if language != "en" and path.is_file():
        with path.open("rb") as handle:
            catalog = _gettext.GNUTranslations(handle)
    else:
        catalog = _gettext.NullTranslations()
    with _switching:
        if language == _language and _current is None:  # no switch meanwhile
            _current = catalog
    return catalog


def current_language() -> str:
    return _language


def gettext(message: str) -> str:
    """Translate ``message`` into the current interface language."""
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a counted message for ``n``, by the catalog's Plural-Forms.

    Albanian has two forms (1 / other), Serbian three (1, 21… / 2-4, 22-24… /
    other): write counts as ``ngettext(...).format(count=n)``, never ``_()``.
    """
    return _catalog().ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a text for the catalogs without translating it (it is shown with ``_()``)."""
    return message


def format_datetime(moment: datetime, zone: tzinfo | None = None) -> str:
    """A date and time in the UI locale, in ``zone``, with a numeric UTC offset.

    Babel's location-based zone names ("Serbia Time" for Europe/Belgrade) are
    wrong for Kosovo, so the offset is printed instead.
    """
    from babel.dates import format_date, format_time

    local = moment.astimezone(zone) if zone else moment
    locale = BABEL_LOCALE[_language]
    day = format_date(local, format="medium", locale=locale)
    clock = format_time(local, format="short", locale=locale)
    offset = local.strftime("%z")
    return f"{day} {clock} {offset[:3]}:{offset[3:]}"


def format_weekday(moment: datetime) -> str:
    """The abbreviated weekday of a (local) time in the UI locale: Mon, hën, пон."""
    from babel.dates import format_date

    return format_date(moment, format="EEE", locale=BABEL_LOCALE[_language])
