"""Is this our post among the account's latest ones?

A platform without an idempotency key (Facebook, Instagram, Threads, LinkedIn,
X; Mastodon once its key is forgotten) tells whether an earlier attempt went
out only by its posts: the account's latest are read and their texts compared
with ours. One comparison serves them all. Both texts are normalised the same
way: first the platform's own rewrites (X turns links into t.co links,
Mastodon shows @user@domain as @user), then runs of white space folded. The
first post with the same text, not made before the post was due, is ours.

Not finding it proves nothing unless the list surely holds every post made
since the post was due: :func:`verdict` turns a search into found
(``Published``), not found (``NOT_FOUND``) or cannot tell (``None``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from publisher.platforms.base import NOT_FOUND, NotFound, Published

# A platform's rewrite of a text: a pattern and what it becomes.
Rewrite = tuple[re.Pattern[str], str]
Entry = TypeVar("Entry")

_SPACE = re.compile(r"\s+")


def comparable(text: str, rewrites: Sequence[Rewrite] = ()) -> str:
    """The text as compared: the platform's rewrites applied, white space folded."""
    for pattern, replacement in rewrites:
        text = pattern.sub(replacement, text)
    return _SPACE.sub(" ", text).strip()


def find_ours(
    text: str,
    entries: Iterable[Entry],
    text_of: Callable[[Entry], str | None],
    *,
    rewrites: Sequence[Rewrite] = (),
    made_at: Callable[[Entry], datetime | None] | None = None,
    since: datetime | None = None,
) -> Entry | None:
    """The first entry whose text is ``text``, or None.

    ``text_of`` None: the entry's text could not be read, so it is not ours.
    With ``since``, an entry made before it (by ``made_at``; an unknown time
    does not exclude) is an earlier post with the same words, not ours.
    Entries are read one at a time, so a ``text_of`` that asks the platform
    stops asking at the first match.
    """
    wanted = comparable(text, rewrites)
    for entry in entries:
        if since is not None and made_at is not None:
            made = made_at(entry)
            if made is not None and made < since:
                continue
        theirs = text_of(entry)
        if theirs is not None and comparable(theirs, rewrites) == wanted:
            return entry
    return None


def verdict(found: Published | None, *, complete: bool = False) -> Published | NotFound | None:
    """Found; NOT_FOUND when the list was ``complete`` (it would hold our post had it
    gone out); else None: the platform cannot tell, a person decides."""
    if found is not None:
        return found
    return NOT_FOUND if complete else None
