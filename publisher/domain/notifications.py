"""Notifications: who is told what, and how (publisher.toml's ``[notify]``).

Three kinds of event: a draft needs a language (its translators are told), a draft
awaits an approval step (that step's people are told), a queue item needs a person
(every person named in ``[people]`` is told). Each event has a key that names what it
is about and a fingerprint of its state, so that it is told once, and a new failure
after a retry is a new event.

The channels are e-mail over SMTP and a webhook (a JSON POST); their secrets (the
SMTP password, a bearer token) live in the keyring, never here. This module parses
the table, names the events and writes their texts; the services decide when they
happen and the senders (:mod:`publisher.notify`) deliver them.
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from publisher.domain.accounts import check_api_base, is_loopback_host
from publisher.domain.errors import UserError
from publisher.domain.people import People, settings_table
from publisher.i18n import _

Where = Callable[..., str]
T = TypeVar("T")

EMAIL, WEBHOOK = "email", "webhook"
CHANNELS = (EMAIL, WEBHOOK)
DEFAULT_SMTP_PORT = 587
IMPLICIT_TLS_PORT = 465
# A delivery that fails for a passing reason is tried again after 1, 2, 4, 8, 16
# minutes, then given up: a person hears of it within the half hour or not at all.
MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)

_EMAIL_KEYS = ("from", "smtp", "user", "to")
_WEBHOOK_KEYS = ("url",)
# RFC 5322's dot-atom local part (no quoted strings: no address of a team needs them).
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(\.{_LABEL})*\.?")
_HOST_PORT = re.compile(r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[^:\[\]]+))"
                        r"(?::(?P<port>[0-9]{1,5}))?")
_LOGIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,30}[A-Za-z0-9_.$-]?")


class SendFailed(Exception):
    """A channel could not deliver: ``permanent`` ones are not tried again."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


# The table


@dataclass(frozen=True)
class EmailChannel:
    sender: str
    host: str
    port: int = DEFAULT_SMTP_PORT
    user: str | None = None
    to: Mapping[str, str] = field(default_factory=dict)  # login name -> address

    @property
    def implicit_tls(self) -> bool:
        return self.port == IMPLICIT_TLS_PORT

    @property
    def plain_allowed(self) -> bool:
        """Only a server on this machine may be spoken to without TLS (a test server)."""
        return is_loopback_host(self.host)


@dataclass(frozen=True)
class WebhookChannel:
    url: str


@dataclass(frozen=True)
class NotifySettings:
    email: EmailChannel | None = None
    webhook: WebhookChannel | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(name for name in CHANNELS if getattr(self, name) is not None)


def parse_notify(value: object, where: Where) -> NotifySettings:
    """``[notify]`` (``None`` when absent) as :class:`NotifySettings`; ``where(*keys)``
    names the file and line of a key, for the one-line errors."""
    table = settings_table(value, where, "notify")
    for key in table:
        if key not in CHANNELS:
            raise _unknown(where, ("notify", key), CHANNELS)
    email = _email(table["email"], where) if EMAIL in table else None
    webhook = _webhook(table["webhook"], where) if WEBHOOK in table else None
    return NotifySettings(email, webhook)


def _email(value: object, where: Where) -> EmailChannel:
    table = settings_table(value, where, "notify", EMAIL)
    for key in table:
        if key not in _EMAIL_KEYS:
            raise _unknown(where, ("notify", EMAIL, key), _EMAIL_KEYS)
    for key in ("from", "smtp"):
        if key not in table:
            raise UserError(_("notify.email.{key} is missing").format(key=key),
                            where=where("notify", EMAIL),
                            hint=_("e.g. {example}").format(example=_EXAMPLES[key]))
    sender = _located(parse_address, _text(table["from"], where, "from"), where, "from")
    host, port = _located(parse_host_port, _text(table["smtp"], where, "smtp"), where, "smtp")
    user = None
    if "user" in table:
        user = _text(table["user"], where, "user")
        if not user or user != user.strip() or not user.isprintable():
            raise UserError(_("notify.email.user must be a user name"),
                            where=where("notify", EMAIL, "user"))
    to: dict[str, str] = {}
    for login, address in settings_table(table.get("to"), where, "notify", EMAIL, "to").items():
        at = ("notify", EMAIL, "to", login)
        if not _LOGIN.fullmatch(login):
            raise UserError(_("{login!r} is not a user name").format(login=login),
                            where=where(*at),
                            hint=_("use the user's name on the server, as 'whoami' prints it"))
        if not isinstance(address, str):
            raise UserError(_("notify.email.to.{login} must be an address in quotes").format(
                login=login), where=where(*at))
        to[login] = _located(parse_address, address, where, "to", login)
    return EmailChannel(sender, host, port, user, to)


def _webhook(value: object, where: Where) -> WebhookChannel:
    table = settings_table(value, where, "notify", WEBHOOK)
    for key in table:
        if key not in _WEBHOOK_KEYS:
            raise _unknown(where, ("notify", WEBHOOK, key), _WEBHOOK_KEYS)
    if "url" not in table:
        raise UserError(_("notify.webhook.url is missing"), where=where("notify", WEBHOOK),
                        hint=_("e.g. {example}").format(example=_EXAMPLES["url"]))
    at = ("notify", WEBHOOK, "url")
    url = table["url"]
    if not isinstance(url, str):
        raise UserError(_("notify.webhook.url must be an address in quotes"), where=where(*at))
    try:  # the accounts' rule: https, or http to this machine (a test receiver)
        return WebhookChannel(check_api_base(url))
    except UserError as error:
        raise UserError(error.message, where=where(*at), hint=error.hint) from None


_EXAMPLES = {
    "from": 'email.from = "publisher@embassy.example"',
    "smtp": 'email.smtp = "smtp.embassy.example:587"',
    "url": 'webhook.url = "https://bridge.example/hook"',
}


def _located(parse: Callable[[str], T], text: str, where: Where, *keys: str) -> T:
    try:
        return parse(text)
    except UserError as error:
        raise UserError(error.message, where=where("notify", EMAIL, *keys),
                        hint=error.hint) from None


def _text(value: object, where: Where, key: str) -> str:
    if not isinstance(value, str):
        raise UserError(_("notify.email.{key} must be a text in quotes").format(key=key),
                        where=where("notify", EMAIL, key))
    return value


def _unknown(where: Where, keys: tuple[str, ...], known: Iterable[str]) -> UserError:
    return UserError(_("unknown setting {key!r}").format(key=".".join(keys)),
                     where=where(*keys),
                     hint=_("known settings: {names}").format(names=", ".join(known)))


def parse_address(text: str) -> str:
    """An e-mail address (``name@host.example``) as written; one that could carry
    another header, a display name or a second address is refused."""
    local, at, domain = text.rpartition("@")
    valid = (bool(at) and len(text) <= 254 and len(local) <= 64
             and _LOCAL.fullmatch(local) is not None and _valid_domain(domain))
    if not valid:
        raise UserError(_("{text!r} is not an e-mail address").format(text=text),
                        hint=_("write it as name@host.example"))
    return text


def _valid_domain(domain: str) -> bool:
    if domain.startswith("[") and domain.endswith("]"):
        return _ip(domain[1:-1]) is not None
    return (bool(_HOST_NAME.fullmatch(domain)) and not domain.endswith(".")
            and len(domain) <= 253)


def parse_host_port(text: str) -> tuple[str, int]:
    """``host:port`` (port 587 when left out); the host a name, an IPv4 address or a
    bracketed IPv6 one."""
    invalid = UserError(_("{text!r} is not host:port").format(text=text),
                        hint=_("e.g. smtp.embassy.example:587, or port 465 for implicit TLS"))
    found = _HOST_PORT.fullmatch(text)
    if found is None:
        raise invalid
    host = found["ipv6"] or found["name"]
    if found["ipv6"]:
        if not isinstance(_ip(host), ipaddress.IPv6Address):
            raise invalid
    elif not (_HOST_NAME.fullmatch(host) and not host.endswith(".") and len(host) <= 253):
        raise invalid
    port = int(found["port"]) if found["port"] else DEFAULT_SMTP_PORT
    if not 0 < port <= 65535:
        raise invalid
    return host, port


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


# The events


class EventKind(enum.StrEnum):
    NEEDS_LANGUAGE = "needs-language"
    AWAITS_APPROVAL = "awaits-approval"
    NEEDS_PERSON = "needs-person"


@dataclass(frozen=True)
class Event:
    """Something a person should hear of: ``about`` is the draft id, the item id or the
    account; ``detail`` the locale, step or state; ``fingerprint`` the state it is about
    (a new state, a new event). ``subject`` and ``text`` are in the workspace's language."""

    kind: EventKind
    about: str
    detail: str
    fingerprint: str
    people: tuple[str, ...]
    subject: str
    text: str
    draft: str | None = None
    item: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.about}:{self.detail}:{self.fingerprint}"


def short_fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def staff(people: People) -> tuple[str, ...]:
    """Every person named in ``[people]``: the approvers of each step, then the
    translators, each once."""
    named: list[str] = []
    groups = [*people.approvers.values(), *people.translators.values()]
    for login in (login for group in groups for login in group):
        if login not in named:
            named.append(login)
    return tuple(named)


def language_event(draft_id: str, title: str, locale: str, stale: bool, about: str,
                   translators: tuple[str, ...]) -> Event:
    """``about``: the fingerprint of the source text to translate."""
    if stale:
        text = _("The {locale} text of the draft {draft} ({title}) is stale: its source text "
                 "changed. Please translate it again.")
    else:
        text = _("The draft {draft} ({title}) needs its {locale} text. Please translate it.")
    return Event(
        EventKind.NEEDS_LANGUAGE, draft_id, locale,
        short_fingerprint("stale" if stale else "missing", about), translators,
        _("publisher: {draft} needs {locale}").format(draft=draft_id, locale=locale),
        text.format(draft=draft_id, title=title or "-", locale=locale), draft=draft_id)


def approval_event(draft_id: str, title: str, step: str, about: str,
                   approvers: tuple[str, ...]) -> Event:
    """``about``: the fingerprint of the texts to approve."""
    return Event(
        EventKind.AWAITS_APPROVAL, draft_id, step, short_fingerprint(about), approvers,
        _("publisher: {draft} awaits approval ({step})").format(draft=draft_id, step=step),
        _("The draft {draft} ({title}) awaits the approval step {step}.").format(
            draft=draft_id, title=title or "-", step=step),
        draft=draft_id)


def item_event(item_id: int, draft_id: str, account_id: str, state: str, error: str,
               about: str, people: tuple[str, ...]) -> Event:
    """A failed or unknown item; ``about``: what tells this failure from an earlier one."""
    return Event(
        EventKind.NEEDS_PERSON, str(item_id), state, short_fingerprint(about), people,
        _("publisher: item {id} ({draft} on {account}) needs a person").format(
            id=item_id, draft=draft_id, account=account_id),
        _("Item {id} ({draft} on {account}) is {state}: {error}. The queue shows what to "
          "do about it.").format(
            id=item_id, draft=draft_id, account=account_id, state=state, error=error or "-"),
        draft=draft_id, item=item_id)


def auth_hold_event(account_id: str, reason: str, about: str,
                    people: tuple[str, ...]) -> Event:
    """An account held after an auth failure; ``about``: what tells this hold from an
    earlier one."""
    return Event(
        EventKind.NEEDS_PERSON, account_id, "auth", short_fingerprint(about), people,
        _("publisher: the account {account} needs a new login").format(account=account_id),
        _("The account {account} is held after an auth failure: {reason}. Log in to it "
          "again, then resume it; its posts wait until then.").format(
            account=account_id, reason=reason or "-"))


def sample_texts(home: str) -> tuple[str, str]:
    """The subject and text of ``notify test``."""
    return (_("publisher: a test message"),
            _("A test message from publisher's workspace {home}: this channel works.").format(
                home=home))


def retry_delay(attempts: int) -> timedelta:
    """How long a delivery that failed ``attempts`` times waits before the next try."""
    return min(RETRY_CAP, RETRY_BASE * (2 ** max(0, attempts - 1)))
