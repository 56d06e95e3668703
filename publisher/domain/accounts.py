"""Accounts: where posts go, in which languages, and how they are laid out."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from publisher.domain.audiences import check_name as check_audience_name
from publisher.domain.errors import UserError
from publisher.domain.locales import normalize_locale
from publisher.i18n import _

# Matched in full (fullmatch): a '$' would also match before a trailing newline.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
# An http(s) address with a host, and no space or line break anywhere.
HTTP_URL = re.compile(r"https?://[^\s/]+\S*")

# Each platform's public API; every account may override it with api_base
# (a self-hosted Mastodon, a Bluesky PDS, a test server).
DEFAULT_API_BASE: dict[str, str | None] = {
    "mastodon": None,  # there is no one Mastodon: the instance must be named
    "bluesky": "https://bsky.social",
    "x": "https://api.x.com",
    "facebook": "https://graph.facebook.com",
    "instagram": "https://graph.facebook.com",
    "threads": "https://graph.threads.net",
    "telegram": "https://api.telegram.org",
    "linkedin": "https://api.linkedin.com",
    "outbox": None,
}
PLATFORMS: tuple[str, ...] = tuple(DEFAULT_API_BASE)
LAYOUTS = ("separate", "combined")
DEFAULT_MAX_LATENESS_MINUTES = 6 * 60

# What the stored secret is, per platform (PRODUCT.md "Accounts").
SECRET_KIND: dict[str, str | None] = {
    "mastodon": "OAuth access token",
    "bluesky": "app password",
    "x": "OAuth 2.0 user access token",
    "facebook": "page access token",
    "instagram": "long-lived access token",
    "threads": "long-lived access token",
    "telegram": "bot token",
    "linkedin": "access token",
    "outbox": None,
}


@dataclass(frozen=True)
class Account:
    """One account on one platform. Never holds a secret."""

    id: str
    platform: str
    locales: tuple[str, ...]
    layout: str = "separate"
    handle: str | None = None
    api_base: str | None = None
    audience: str | None = None
    min_gap_minutes: int = 0
    max_per_day: int | None = None
    # Past this, an overdue post expires instead of going out late.
    max_lateness_minutes: int = DEFAULT_MAX_LATENESS_MINUTES
    # An outbox account may imitate a real platform's text rules (the demo's do).
    imitates: str | None = None
    # Where the platform can fetch the workspace's media/ folder (Instagram
    # and Threads take images only from a public URL): media/x.jpg is
    # published as <media_url>/x.jpg.
    media_url: str | None = None

    @property
    def text_platform(self) -> str:
        """Whose length rules apply to this account's posts."""
        return self.imitates or self.platform

    @property
    def effective_api_base(self) -> str | None:
        return self.api_base or DEFAULT_API_BASE.get(self.platform)

    @property
    def needs_secret(self) -> bool:
        return SECRET_KIND.get(self.platform) is not None


def check_account_id(account_id: str) -> str:
    if not ID_PATTERN.fullmatch(account_id):
        raise UserError(
            _("invalid account id {id!r}").format(id=account_id),
            hint=_("use lower-case letters, digits and dashes, e.g. embassy-dc-mastodon"),
        )
    return account_id


def check_platform(platform: str) -> str:
    name = platform.strip().lower()
    if name not in DEFAULT_API_BASE:
        raise UserError(
            _("unknown platform {name!r}").format(name=platform),
            hint=_("use one of {names}").format(names=", ".join(PLATFORMS)),
        )
    return name


_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_NETLOC = re.compile(r"^(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.-]+))"
                     r"(?::(?P<port>[0-9]{1,5}))?$")
# Plain http goes to this machine only (a test server): 127.0.0.0/8, ::1 and localhost.
LOOPBACK_NAMES = ("localhost",)


def check_api_base(url: str) -> str:
    """An address that secrets may be sent to: https, or http to this machine only.

    The one check of every account's API base (``accounts add``, ``accounts set`` and
    the reader of accounts.toml) and of a login's own addresses. It reads the host
    strictly and refuses whatever an HTTP client could read as another host: user
    info (``localhost@evil``), a name that merely starts with 127.0.0.1, numeric
    forms of an address other than the dotted one, a query or a fragment.
    """
    invalid = UserError(
        _("invalid address {url!r}").format(url=url),
        hint=_("give a full address such as https://mastodon.social"),
    )
    if not isinstance(url, str) or any(char.isspace() or not char.isprintable()
                                       for char in url):
        raise invalid
    try:
        parts = urlsplit(url)
    except ValueError:
        raise invalid from None
    if "@" in parts.netloc:
        raise UserError(
            _("{url!r} carries a user name or password").format(url=url),
            hint=_("secrets belong in the keyring, never in an address"),
        )
    # The host and port read strictly: urlsplit's own reading is lenient ('[::1].evil'
    # gives the host '::1', where an HTTP client refuses it or reads another one).
    netloc = _NETLOC.match(parts.netloc)
    scheme = parts.scheme.lower()
    if (scheme not in ("https", "http") or netloc is None or parts.query or parts.fragment
            or "?" in url or "#" in url or "\\" in url):
        raise invalid
    host = (netloc["ipv6"] or netloc["name"]).lower()
    valid_host = (isinstance(_ip_address(host), ipaddress.IPv6Address) if netloc["ipv6"]
                  else bool(_HOST_NAME.match(host)))
    if not valid_host or not 0 < int(netloc["port"] or 443) <= 65535:
        raise invalid
    if scheme == "http" and not _is_loopback(host):
        raise UserError(
            _("{url!r} is not https: secrets travel only over TLS").format(url=url),
            hint=_("use https://; plain http:// is for a server on this machine only: "
                   "127.0.0.1, ::1 or localhost"),
        )
    return f"{scheme}://{parts.netloc}{parts.path}".rstrip("/")


def _ip_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address = _ip_address(host)
    return host in LOOPBACK_NAMES if address is None else address.is_loopback


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an address, without brackets) is this machine."""
    return _is_loopback(host.lower())


# Bounds of an account's numbers, wherever they come from: past them they are typos,
# and past timedelta's range every schedule and flush of the account would fail.
MAX_MINUTES = 366 * 24 * 60  # a year, for --min-gap and --max-lateness
MAX_PER_DAY = 24 * 12  # one post every 5 minutes, the scheduler's grid


def _check_kinds(**values: object) -> None:
    for key, value in values.items():
        if value is not None and not isinstance(value, str):
            raise UserError(_("{key} must be a text in quotes").format(key=key))


def _check_whole(value: object, setting: str, least: int, most: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise UserError(_("{setting} must be a whole number from {least} to {most}").format(
            setting=setting, least=least, most=most))


def make_account(
    account_id: str,
    platform: str,
    *,
    locales: list[str] | tuple[str, ...] = (),
    layout: str = "separate",
    handle: str | None = None,
    api_base: str | None = None,
    audience: str | None = None,
    min_gap_minutes: int = 0,
    max_per_day: int | None = None,
    max_lateness_minutes: int = DEFAULT_MAX_LATENESS_MINUTES,
    imitates: str | None = None,
    media_url: str | None = None,
) -> Account:
    """Build an account from user input, raising :class:`UserError` on bad input.

    The input comes from the command line or from a hand-edited accounts.toml, where
    any TOML value can stand where a text, a list or a whole number belongs.
    """
    check_account_id(account_id)
    _check_kinds(platform=platform, layout=layout, handle=handle, api_base=api_base,
                 audience=audience, imitates=imitates, media_url=media_url)
    if not isinstance(locales, list | tuple) or not all(isinstance(t, str) for t in locales):
        raise UserError(_("locales must be a list of texts such as [\"sq\", \"en\"]"))
    platform = check_platform(platform)
    if api_base is not None:
        api_base = check_api_base(api_base)
    elif platform == "mastodon":
        raise UserError(
            _("a Mastodon account needs its instance"),
            hint=_("give the instance's address as its API base, e.g. https://your.instance"),
        )
    tags = tuple(normalize_locale(tag) for tag in locales)
    if not tags:
        raise UserError(_("an account needs at least one locale"), hint=_("e.g. sq,en"))
    if len(set(tags)) != len(tags):
        raise UserError(_("a locale is listed twice: {tags}").format(tags=", ".join(tags)))
    if layout not in LAYOUTS:
        raise UserError(
            _("unknown layout {layout!r}").format(layout=layout),
            hint=_("use separate or combined"),
        )
    # Named by their keys in accounts.toml (the command line bounds its options itself).
    _check_whole(min_gap_minutes, "min_gap", 0, MAX_MINUTES)
    if max_per_day is not None:
        _check_whole(max_per_day, "max_per_day", 1, MAX_PER_DAY)
    _check_whole(max_lateness_minutes, "max_lateness", 1, MAX_MINUTES)
    if audience is not None:
        check_audience_name(audience)
    if imitates is not None:
        if platform != "outbox":
            raise UserError(_("only outbox accounts can imitate another platform"))
        imitates = check_platform(imitates)
    if media_url is not None:
        if not HTTP_URL.fullmatch(media_url):
            raise UserError(_("invalid media URL {url!r}").format(url=media_url),
                            hint=_("give the public address of the media folder, e.g. "
                                   "https://embassy.example/media"))
        media_url = media_url.rstrip("/")
    return Account(
        id=account_id,
        platform=platform,
        locales=tags,
        layout=layout,
        handle=handle or None,
        api_base=api_base,
        audience=audience or None,
        min_gap_minutes=min_gap_minutes,
        max_per_day=max_per_day,
        max_lateness_minutes=max_lateness_minutes,
        imitates=imitates,
        media_url=media_url or None,
    )
