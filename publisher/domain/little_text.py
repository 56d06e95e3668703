"""LinkedIn's "little" text format, as pure functions.

The ``commentary`` of a post sent to LinkedIn's Posts API is not plain text:
it is "little" text, where ``\\ | { } @ [ ] ( ) < > # * _ ~`` are reserved
for mentions (``@[Name](urn:li:organization:1)``), hashtags and templates
(``{hashtag|\\#|tag}``). LinkedIn's reference: "All reserved characters need
to be escaped with a backslash, even if those characters are not used in one
of the supported elements or templates." A reserved character left bare
makes LinkedIn's parser stop there: the post goes out, silently cut short.

What the writer typed is what readers see. The decisions:

- **Every reserved character is escaped**, backslashes included, so text
  that already looks escaped (``\\(``) shows as typed, and an ``@name`` is
  plain text (a real mention needs a URN, which a draft does not carry).
- **Hashtags become LinkedIn's documented hashtag template**
  ``{hashtag|\\#|DigitalKosovo}``, so campaign tags stay clickable hashtags
  (an escaped ``\\#tag`` would show as plain text). A hashtag is ``#`` (or
  the full-width ``＃``) not preceded by a letter, digit or ``#``, followed
  by letters, marks and digits of any script with at least one letter:
  ``#DigitalKosovo``, ``#KosovoInUN``, ``#Косово``, ``#Kosova2026``. A ``#``
  that starts anything else (``C#``, ``#1``, ``#snake_case``: LinkedIn's own
  hashtags hold no underscore) is escaped and shows as typed.
- **Links are escaped like all other text.** LinkedIn removes the escapes
  when it reads the commentary and then finds bare URLs in the plain text
  and makes them links, so ``https://example.org/a_(b)~c#d`` arrives whole;
  a ``#`` inside a link is never a hashtag.
- **Length is counted before escaping** (``textrules``: 3000 characters).
  LinkedIn stores the commentary as plain text plus attributes (the format
  is "a simplified replacement for this model") and its limit is on what
  readers see: the escapes and template syntax are not characters of the
  post. The same count drives the editor's counter.

``to_plain`` reads little text back (LinkedIn returns commentary in this
format, hashtags as templates) so that a post found after a crash can be
compared with the draft's text.
"""

from __future__ import annotations

import regex

from publisher.domain.textrules import link_spans

RESERVED = frozenset("\\|{}@[]()<>#*_~")
HASH_SIGNS = ("#", "\uff03")  # '#' and the full-width '＃' LinkedIn also takes

# A hashtag: the sign, then letters, marks and digits (all of them: no "_"
# may follow), at least one a letter (_LETTER checks it: in the pattern, two
# quantifiers sharing the run backtrack quadratically over a long one).
_HASHTAG = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}#\uff03_\\])([#\uff03])([\p{L}\p{M}\p{N}]++)(?!_)"
)
_LETTER = regex.compile(r"\p{L}")
_TEMPLATE = regex.compile(r"\{hashtag\|(\\#|#|\uff03)\|((?:[^\\{}|]++|\\.)*+)\}")
# A mention, read in two steps: its name up to the first unescaped "]" (or the
# end), then the URN. Every "@[" before that "]" reaches the same "]", so
# once the URN is missing there, no "@" before it starts a mention.
_MENTION_NAME = regex.compile(r"@\[((?:[^\\\]]++|\\.)*+)")
_MENTION_URN = regex.compile(r"\]\((urn:li:[^)\s]++)\)")


def escape(text: str) -> str:
    """Every reserved character with a backslash before it: plain text in little."""
    return "".join("\\" + char if char in RESERVED else char for char in text)


def hashtag_spans(text: str) -> list[tuple[int, int]]:
    """Where the hashtags that become templates are (the sign included), outside links."""
    links = link_spans(text)  # in order, not overlapping: walked once alongside
    spans = []
    link = 0
    for match in _HASHTAG.finditer(text):
        start, end = match.span()
        if not _LETTER.search(match.group(2)):
            continue
        while link < len(links) and links[link][1] <= start:
            link += 1
        if link < len(links) and links[link][0] <= start:
            continue
        spans.append((start, end))
    return spans


def to_little(text: str) -> str:
    """The commentary LinkedIn should get for ``text``: escaped, hashtags as templates."""
    parts: list[str] = []
    position = 0
    for start, end in hashtag_spans(text):
        parts.append(escape(text[position:start]))
        sign, tag = text[start], text[start + 1:end]
        parts.append(f"{{hashtag|{escape(sign)}|{escape(tag)}}}")
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def to_plain(little: str) -> str:
    """What readers see of a little text: escapes removed, templates and mentions as text."""
    out: list[str] = []
    index = 0
    length = len(little)
    no_mention_before = 0
    while index < length:
        char = little[index]
        if char == "\\" and index + 1 < length:
            out.append(little[index + 1])
            index += 2
            continue
        if char == "{":
            match = _TEMPLATE.match(little, index)
            if match:
                out.append(_unescape(match.group(1)) + _unescape(match.group(2)))
                index = match.end()
                continue
        if char == "@" and index >= no_mention_before:
            name = _MENTION_NAME.match(little, index)
            urn = _MENTION_URN.match(little, name.end()) if name else None
            if name and urn:
                out.append(_unescape(name.group(1)))
                index = urn.end()
                continue
            if name:
                no_mention_before = name.end()
        out.append(char)
        index += 1
    return "".join(out)


def _unescape(text: str) -> str:
    return regex.sub(r"\\(.)", r"\1", text, flags=regex.DOTALL)
