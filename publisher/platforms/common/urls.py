"""Reading a post's address that a person pasted (``locate``): the one safe split.

A pasted text may be anything: the split never raises anything but
:class:`Unsupported` (not a web address this platform's posts have), so each
adapter's parser either finds an id or says why not.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from publisher.platforms.base import Rejected, Unsupported

# Enough of a pasted address to recognise it in a message.
SHOWN = 120


@dataclass(frozen=True)
class Address:
    """A web address split: lower-case host (no ``www.``/``m.``), the path's segments
    (decoded, no empty ones) and the query's first values."""

    host: str
    segments: tuple[str, ...]
    query: dict[str, str]


def shown(url: str) -> str:
    """The address as a message shows it (cut short, on one line)."""
    text = " ".join(url.split())
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def split_address(url: str, platform: str) -> Address:
    """``url`` as an http(s) address; :class:`Unsupported` when it is not one."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        query = {key: values[0] for key, values in parse_qs(parts.query).items() if values}
    except ValueError:
        host, parts = "", None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise Unsupported(f"{shown(url)} is not the web address of a {platform} post")
    for prefix in ("www.", "m.", "mobile.", "web."):
        host = host.removeprefix(prefix)
    segments = tuple(unquote(part) for part in parts.path.split("/") if part)
    return Address(host, segments, query)


def not_a_post(url: str, platform: str) -> Unsupported:
    """No post id can be read from this address of the platform."""
    return Unsupported(f"no {platform} post id can be read from {shown(url)}")


def not_ours(url: str, why: str) -> Rejected:
    """The address is a post, but not one of this account's."""
    return Rejected(f"{shown(url)} is not a post of this account: {why}")


def digits(value: str) -> bool:
    """A numeric id (ASCII digits only: ``isdigit`` also takes ² and ٣)."""
    return bool(value) and value.isascii() and value.isdigit()
