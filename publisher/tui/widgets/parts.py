"""A text's parts as the editor and the translator's view show them: an area per part
(a thread's reply, the first comment, the content warning) under its label, counted
for the accounts it goes to."""

from __future__ import annotations

from collections.abc import Mapping

from textual.widgets import TextArea

from publisher.domain.accounts import Account
from publisher.i18n import _
from publisher.tui.widgets.counter import CountLine, count_lines

TEXT = "text"  # the first post's part; the others: "thread/2"…, "first_comment", "content_warning"


def part_label(part: str) -> str:
    """What a part is, as a label over its area ("thread/2": the thread's second post)."""
    if part.startswith("thread/"):
        return _("Thread, part {n} (a reply to the one before)").format(
            n=int(part.removeprefix("thread/")))
    return {"first_comment": _("First comment"),
            "content_warning": _("Content warning")}.get(part, part)


def part_id(part: str) -> str:
    """A part's name as it goes in a widget id ("thread/2" -> "thread-2")."""
    return part.replace("/", "-")


def part_area(text: str, widget_id: str, classes: str, *, read_only: bool = False,
              blink: bool = True) -> TextArea:
    """The area one part is written (or shown, read-only) in."""
    area = TextArea(text, read_only=read_only, soft_wrap=True, id=widget_id,
                    classes=f"part-text {classes}")
    area.cursor_blink = blink
    return area


def part_counts(accounts: Mapping[str, Account], targets: tuple[str, ...], locale: str,
                texts: Mapping[str, str], part: str, has_media: bool) -> list[CountLine]:
    """The counts of one part: the text carries the images, a reply or a comment is
    counted like a post without them."""
    return count_lines(accounts, targets, locale, texts, has_media and part == TEXT)
