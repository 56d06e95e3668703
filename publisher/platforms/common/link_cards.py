"""Reading a link card: a page's title, description and image.

Read once, when a draft is scheduled, for the first link of a post without
images (publisher.domain.link_cards). The page is fetched like any other call
of publisher (TLS verified, a User-Agent, https only but for http to this
machine), under one deadline for everything (redirects, page and image) and
with size limits, and its Open Graph tags are read (``og:title``,
``og:description``, ``og:image``), falling back to the Twitter card's
(``twitter:*``) and to ``<title>``.

The HTML parser is the standard library's ``html.parser``: a real tokenizer
(entities, attribute quoting, comments and scripts handled as browsers do)
that never refuses malformed markup, is fast enough for the 1 MB read here,
and needs no dependency; the tags wanted sit in ``<head>``, so parsing stops
at ``<body>``.

Anything that goes wrong raises :class:`CardUnavailable` with a short reason:
the caller schedules the post without a card and says so once.
"""

from __future__ import annotations

import codecs
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

from publisher.domain.accounts import is_loopback_host
from publisher.i18n import _, ngettext
from publisher.platforms.base import PlatformError
from publisher.platforms.common.http import Session, request
from publisher.platforms.common.media import image_type_of

DEADLINE = 8.0  # seconds for everything: redirects, the page and its image
MAX_HTML_BYTES = 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_TITLE = 300
MAX_DESCRIPTION = 1000
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_IMAGE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
                     "image/webp": "webp"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""",
                           re.IGNORECASE)
_SPACES = re.compile(r"\s+")


class CardUnavailable(Exception):
    """The page (or its image) could not be read; ``reason`` says why, in a few words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PageImage:
    data: bytes
    mime: str  # from the first bytes: image/png, image/jpeg, image/gif or image/webp

    @property
    def extension(self) -> str:
        return _IMAGE_EXTENSIONS[self.mime]


@dataclass(frozen=True)
class PageCard:
    """What a page says about itself, for a card."""

    url: str  # the link as the post has it
    title: str
    description: str
    image: PageImage | None = None


def read_link_card(url: str, *, session: requests.Session | None = None,
                   deadline: float = DEADLINE) -> PageCard:
    """The card of the page at ``url`` (an image that cannot be read leaves it out).

    Raises :class:`CardUnavailable` when the page cannot be read or says nothing
    a card could show (no title at all).
    """
    session = session or Session(deadline)
    ends_at = time.monotonic() + deadline
    if isinstance(session, Session):
        session.ends_at = ends_at
    final_url, response = _get(session, url, accept=_HTML_TYPES, max_bytes=MAX_HTML_BYTES)
    tags = page_tags(_decode(response))
    title = _clean(tags.get("og:title") or tags.get("twitter:title") or tags.get("title"),
                   MAX_TITLE)
    if not title:
        raise CardUnavailable(_("the page has no title"))
    description = _clean(tags.get("og:description") or tags.get("twitter:description")
                         or tags.get("description"), MAX_DESCRIPTION)
    image_link = (tags.get("og:image:secure_url") or tags.get("og:image")
                  or tags.get("twitter:image") or tags.get("twitter:image:src"))
    image = None
    if image_link:
        try:
            image = _image(session, urljoin(final_url, image_link.strip()))
        except CardUnavailable:
            image = None  # a card without its picture is still a card
    return PageCard(url, title, description, image)


def _image(session: requests.Session, url: str) -> PageImage:
    _final, response = _get(session, url, accept=("image/",), max_bytes=MAX_IMAGE_BYTES)
    mime = image_type_of(response.content[:12])
    if mime not in _IMAGE_EXTENSIONS:
        raise CardUnavailable(_("the image is not a PNG, JPEG, GIF or WebP"))
    return PageImage(response.content, mime)


def _get(session: requests.Session, url: str, *, accept: tuple[str, ...],
         max_bytes: int) -> tuple[str, requests.Response]:
    """Follow up to MAX_REDIRECTS redirects to a 200 answer of an ``accept`` type."""
    for _hop in range(MAX_REDIRECTS + 1):
        _check_address(url)
        try:
            response = request(session, "GET", url, allow_redirects=False,
                               max_bytes=max_bytes, headers={"Accept": ", ".join(
                                   f"{kind}*" if kind.endswith("/") else kind
                                   for kind in accept)})
        except PlatformError as error:
            raise CardUnavailable(error.message) from None
        if response.status_code in _REDIRECTS and response.headers.get("Location"):
            url = urljoin(url, response.headers["Location"])
            continue
        if response.status_code != 200:
            raise CardUnavailable(f"HTTP {response.status_code}")
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if not kind.startswith(accept):
            message = (_("not a web page but {type}") if accept == _HTML_TYPES
                       else _("the image is {type}"))
            raise CardUnavailable(message.format(type=kind or "?"))
        return url, response
    raise CardUnavailable(ngettext("more than {count} redirect", "more than {count} redirects",
                                   MAX_REDIRECTS).format(count=MAX_REDIRECTS))


def _check_address(url: str) -> None:
    """https anywhere; plain http only to this machine (a test server)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise CardUnavailable(_("not a valid address")) from None
    scheme = parts.scheme.lower()
    if not host or scheme not in ("https", "http"):
        raise CardUnavailable(_("not an http or https address"))
    if scheme == "http" and not is_loopback_host(host):
        raise CardUnavailable(_("not https"))


def _decode(response: requests.Response) -> str:
    """The page's text: the charset of its Content-Type, else of its <meta>, else UTF-8."""
    body = response.content
    declared = requests.utils.get_encoding_from_headers(response.headers)
    if declared == "ISO-8859-1" and "charset" not in response.headers.get(
            "Content-Type", "").lower():
        declared = None  # requests' default for text/*, not what the page said
    meta = _META_CHARSET.search(body[:4096])
    for name in (declared, meta.group(1).decode("ascii") if meta else None, "utf-8"):
        if name:
            try:
                codecs.lookup(name)
            except LookupError:
                continue
            return body.decode(name, errors="replace")
    return body.decode("utf-8", errors="replace")  # not reached: utf-8 is always known


def _clean(text: str | None, limit: int) -> str:
    text = _SPACES.sub(" ", text or "").strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


class _StopParsing(Exception):
    """The tags a card needs are all in <head>: the body is not read."""


class _TagReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, str] = {}
        self._in_title = False
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            raise _StopParsing
        if tag == "title" and "title" not in self.tags:
            self._in_title = True
        elif tag == "meta":
            values = {name.lower(): value or "" for name, value in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values:
                self.tags.setdefault(key, values["content"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.tags.setdefault("title", "".join(self._title))
        elif tag == "head":
            raise _StopParsing

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)


def page_tags(html: str) -> dict[str, str]:
    """The ``<meta>`` tags of a page (by property or name, lower case; the first of
    each) and its ``<title>`` under ``"title"``. Never raises, whatever the markup."""
    reader = _TagReader()
    try:
        reader.feed(html)
        reader.close()
    except _StopParsing:
        pass
    except (AssertionError, ValueError):
        pass  # html.parser gives up on some broken declarations: keep what it read
    if reader._in_title and "title" not in reader.tags:
        reader.tags["title"] = "".join(reader._title)
    return reader.tags
