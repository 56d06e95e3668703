"""Link cards, read when a draft is scheduled and kept in its items' snapshots.

Each post that gets a card (publisher.domain.link_cards) names a link; each
link is read once per scheduling, whatever the number of posts that share it,
and its image is kept once in the workspace (``media/.cards/<sha256>.<ext>``).
A page that cannot be read means no card and one warning, never a refusal:
the post goes out as its text says.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from publisher.domain.link_cards import wants_card
from publisher.i18n import _
from publisher.services.context import Context
from publisher.storage.queue import CardSnapshot

if TYPE_CHECKING:
    from publisher.platforms.common.link_cards import PageCard
    from publisher.services.queueing import PlannedPost

log = logging.getLogger("publisher.cards")

Warn = Callable[[str], None]
Reader = Callable[[str], "PageCard"]


def log_warning(text: str) -> None:
    """Where a warning goes when the caller shows none itself (the terminal UI)."""
    log.warning("%s", text)


def card_link_of(post: PlannedPost) -> str | None:
    """The link whose card ``post`` shows, or None."""
    return wants_card(post.account.platform, post.text, has_media=bool(post.media),
                      link_card=post.link_card)


def read_cards(context: Context, posts: Iterable[PlannedPost], *, warn: Warn | None = None,
               reader: Reader | None = None) -> dict[str, CardSnapshot]:
    """The card of each link the posts show, by link; links that could not be read
    are absent, each said once through ``warn``."""
    from publisher.platforms.common.link_cards import CardUnavailable, read_link_card

    warn = warn or log_warning
    reader = reader or read_link_card
    links = dict.fromkeys(link for post in posts if (link := card_link_of(post)))
    cards: dict[str, CardSnapshot] = {}
    for link in links:
        try:
            page = reader(link)
        except CardUnavailable as error:
            warn(_("no link card for {link}: {reason}; the post goes out without one").format(
                link=link, reason=error.reason))
            continue
        cards[link] = _keep(context, page)
    return cards


def _keep(context: Context, page: PageCard) -> CardSnapshot:
    """The card as the queue keeps it, its image written into the workspace."""
    from publisher.platforms.common.media import image_size

    if page.image is None:
        return CardSnapshot(page.url, page.title, page.description)
    image = context.workspace.keep_card_image(page.image.data, page.image.extension)
    size = image_size(context.workspace.media_file(image))
    width, height = size if size else (None, None)
    return CardSnapshot(page.url, page.title, page.description, image,
                        hashlib.sha256(page.image.data).hexdigest(), width, height)
