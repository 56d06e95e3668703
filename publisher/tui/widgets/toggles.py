"""A checkbox and a list of checkboxes whose state shows without colour: ticked ones
hold an X, the others are empty (Textual draws an X in both and tells them apart by
colour alone, lost on a monochrome terminal or to a colour-blind eye)."""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.selection_list import SelectionType

TICKED, EMPTY = "X", " "


class Tick(Checkbox):
    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = TICKED if self.value else EMPTY  # read by Textual's drawing
        return super()._button


class TickList(SelectionList[SelectionType]):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        inner = ToggleButton.BUTTON_INNER
        if len(segments) < 3 or segments[1].text != inner:
            return strip  # not an option's line
        index = self.scroll_offset[1] + y
        option = self.get_option_at_index(index)
        mark = TICKED if option.value in self._selected else EMPTY
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, strip.cell_length)
