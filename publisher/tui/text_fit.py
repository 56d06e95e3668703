"""Fitting text into terminal cells: the one place where the interface shortens a text.

Widths are terminal cells, not characters (``rich.cells.cell_len``): a CJK character
or an emoji takes two. A shortened text ends with "…"; whoever shortens it shows it
whole elsewhere (the detail line under a table).
"""

from __future__ import annotations

from typing import overload

from rich.cells import cell_len
from rich.text import Span, Text

ELLIPSIS = "…"
ADDRESS_HEAD = 12  # characters an address keeps before its "…" ("https://bsky")


def _is_address(text: str) -> bool:
    return "://" in text and " " not in text


def _cut(text: str, width: int) -> int:
    """How many characters of ``text`` fit in ``width`` cells."""
    if text.isascii():  # one cell each (the common case, thousands of rows at start)
        return min(len(text), max(width, 0))
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            return index
    return len(text)


def _cut_at_word(text: str, width: int) -> int:
    """Like :func:`_cut`, but never inside a word (0 if not even the first word fits)."""
    end = _cut(text, width)
    if end == len(text) or text[end].isspace():
        return end
    space = text.rfind(" ", 0, end)
    return space if space > 0 else 0


def fitted_length(text: str, width: int, *, words: bool = False) -> int | None:
    """How many characters of ``text`` to keep (before an "…") to fit in ``width``
    cells; None when it fits whole."""
    if cell_len(text) <= width:
        return None
    if width <= 0:
        return 0
    room = width - cell_len(ELLIPSIS)
    keep = _cut_at_word(text, room) if words else _cut(text, room)
    if words and keep == 0:
        keep = _cut(text, room)  # one long word: cut it rather than show nothing
    return len(text[:keep].rstrip(" ,;:.·—-"))


@overload
def fit(text: str, width: int, *, words: bool = False) -> str: ...
@overload
def fit(text: Text, width: int, *, words: bool = False) -> Text: ...


def fit(text: str | Text, width: int, *, words: bool = False) -> str | Text:
    """``text`` in at most ``width`` cells, ending with "…" when shortened.

    ``words``: shorten at a word boundary (a reason, a sentence), not mid-word. An
    address (``scheme://…``) keeps its beginning and its end (the file or post it
    names). A :class:`rich.text.Text` keeps its styles. A text that fits is returned
    as it is (the same object).
    """
    plain = text.plain if isinstance(text, Text) else text
    keep = fitted_length(plain, width, words=words)
    if keep is None:
        return text
    if width <= 0:
        return text[:0] if isinstance(text, Text) else ""
    if _is_address(plain) and width >= ADDRESS_HEAD + 8:
        tail = len(plain) - _cut(plain[::-1], width - ADDRESS_HEAD - cell_len(ELLIPSIS))
        if isinstance(text, Text):
            return Text.assemble(text[:ADDRESS_HEAD], ELLIPSIS, text[tail:])
        return plain[:ADDRESS_HEAD] + ELLIPSIS + plain[tail:]
    if isinstance(text, Text):  # its spans clipped (quicker than slicing a Text)
        spans = [Span(span.start, min(span.end, keep), span.style)
                 for span in text.spans if span.start < keep]
        return Text(plain[:keep] + ELLIPSIS, style=text.style, spans=spans,
                    justify=text.justify, no_wrap=text.no_wrap, end=text.end)
    return plain[:keep] + ELLIPSIS


def width_of(value: object) -> int:
    """The cells a table cell's value takes on one line."""
    if isinstance(value, Text):
        return cell_len(value.plain)
    return cell_len(value) if isinstance(value, str) else cell_len(str(value))
