"""Accounts: where posts go, in which languages, and how they are laid out."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def check_api_base(url: str) -> str:
    if not HTTP_URL.fullmatch(url):
        raise UserError(
            _("invalid API base {url!r}").format(url=url),
            hint=_("give a full URL such as https://mastodon.social"),
        )
    return url.rstrip("/")


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
    """Build an account from user input, raising :class:`UserError` on bad input."""
    check_account_id(account_id)
    platform = check_platform(platform)
    if api_base is not None:
        api_base = check_api_base(api_base)
    elif platform == "mastodon":
        raise UserError(
            _("a Mastodon account needs its instance"),
            hint=_("add --api-base https://your.instance"),
        )
    tags = tuple(normalize_locale(tag) for tag in locales)
    if not tags:
        raise UserError(_("an account needs at least one locale"), hint=_("e.g. --locales sq,en"))
    if len(set(tags)) != len(tags):
        raise UserError(_("a locale is listed twice: {tags}").format(tags=", ".join(tags)))
    if layout not in LAYOUTS:
        raise UserError(
            _("unknown layout {layout!r}").format(layout=layout),
            hint=_("use separate or combined"),
        )
    if min_gap_minutes < 0:
        raise UserError(_("--min-gap cannot be negative"))
    if max_per_day is not None and max_per_day < 1:
        raise UserError(_("--max-per-day must be at least 1"))
    if audience is not None:
        check_audience_name(audience)
    if max_lateness_minutes < 1:
        raise UserError(_("--max-lateness must be at least 1 minute"))
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
