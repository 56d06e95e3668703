"""The footer: the keys of the screen on one line that always fits.

Textual's Footer lets keys run off the right edge (where they cannot be reached)
and draws its docked palette key over the last ones, leaving stray characters.
This one picks what fits, in order of need: freeze (F10), quit and the palette
always; then the screen's own keys; then the views. What does not fit is in the
palette (ctrl+p) and the keys panel. It fits again when the terminal is resized.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Shown on every screen, whatever else does not fit (in this order, at the right).
ALWAYS = ("toggle_freeze", "quit", "command_palette")
GAP = 1  # cells after each key (compact footer)
Key = tuple[Binding, bool, str]  # a binding, whether it is enabled, its tooltip


def key_width(key_display: str, description: str) -> int:
    """The cells a compact footer key takes, with the gap after it."""
    return cell_len(key_display) + (1 + cell_len(description) if description else 0) + GAP


class KeyBar(Footer):
    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, show_command_palette=False, **kwargs)
        self._width = 0

    def keys(self) -> list[Key]:
        """The keys to show, in order: the screen's, the views', then the ones always
        there; one per action."""
        seen: set[str] = set()
        own: list[Key] = []
        views: list[Key] = []
        always: dict[str, Key] = {}
        for node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.action in seen or not (binding.show or binding.action in ALWAYS):
                continue
            seen.add(binding.action)
            if binding.action in ALWAYS:
                always[binding.action] = (binding, enabled, tooltip)
            else:
                (views if node is self.app else own).append((binding, enabled, tooltip))
        return [*own, *views, *(always[action] for action in ALWAYS if action in always)]

    def fitting(self, width: int) -> list[Key]:
        """The keys that fit in ``width`` cells: the ones always there first, then in
        order; shown in their order."""
        keys = self.keys()
        needed = sorted(range(len(keys)), key=lambda i: (keys[i][0].action not in ALWAYS, i))
        chosen, used = set(), 0
        for index in needed:
            binding = keys[index][0]
            cells = key_width(self.app.get_key_display(binding), binding.description)
            if used + cells <= width:
                chosen.add(index)
                used += cells
        return [key for index, key in enumerate(keys) if index in chosen]

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._width = self.size.width or self.app.size.width
        for binding, enabled, tooltip in self.fitting(self._width):
            yield FooterKey(
                binding.key, self.app.get_key_display(binding), binding.description,
                binding.action, disabled=not enabled, tooltip=tooltip or binding.description,
            ).data_bind(compact=Footer.compact)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._width:
            self.call_after_refresh(self.recompose)
