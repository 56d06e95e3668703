"""Which posts get a link card, and for which link.

A card previews the first web link of a post without images (its page's
title, description and image, read when the draft is scheduled). Only the
platforms that show a card publisher sends need one: Bluesky (an external
embed), LinkedIn (article content), Facebook (the ``link`` of a feed post),
Threads (``link_attachment``) and the outbox, which records it. X, Mastodon
and Telegram build their own previews; Instagram shows no links.
"""

from __future__ import annotations

from publisher.domain.textrules import link_spans

PLATFORMS_WITH_CARDS = frozenset({"bluesky", "linkedin", "facebook", "threads", "outbox"})
_WEB_SCHEMES = ("http://", "https://")


def card_link(text: str) -> str | None:
    """The link a card previews: the first ``http(s)://`` link of ``text``, or None."""
    for start, end in link_spans(text):
        link = text[start:end]
        if link.lower().startswith(_WEB_SCHEMES):
            return link
    return None


def wants_card(platform: str, text: str, *, has_media: bool, link_card: bool) -> str | None:
    """The link to read a card for, for a post of ``platform``; None when it gets none."""
    if not link_card or has_media or platform not in PLATFORMS_WITH_CARDS:
        return None
    return card_link(text)
