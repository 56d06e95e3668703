"""A weekday x hour heat map of an audience's activity, in the audience's own zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from rich.text import Text
from textual.widgets import Static

from publisher.i18n import BABEL_LOCALE, _, current_language

Grid = Sequence[Sequence[float | None]]  # 7 rows Monday..Sunday x 24 hours, 0..1
# (None: nothing known for that hour, drawn as a dot)

_MONDAY = date(2024, 1, 1)


def day_names() -> list[str]:
    """Monday..Sunday, abbreviated in the UI locale."""
    from babel.dates import format_date

    locale = BABEL_LOCALE[current_language()]
    return [format_date(_MONDAY + timedelta(days=n), "EEE", locale=locale) for n in range(7)]


def _cell_style(value: float) -> str:
    value = min(1.0, max(0.0, value))
    # From the background to a warm, bright colour; legible on dark and light themes.
    red = int(40 + 215 * value)
    green = int(40 + 150 * value)
    blue = int(60 - 40 * value)
    return f"on rgb({red},{green},{blue})"


def render_heatmap(values: Grid, title: str = "", legend: str | None = None) -> Text:
    """The grid as coloured cells; ``legend`` replaces the activity legend."""
    names = day_names()
    width = max(len(name) for name in names) + 1
    text = Text()
    if title:
        text.append(title + "\n", style="bold")
    text.append(" " * width)
    for hour in range(0, 24, 3):
        text.append(f"{hour:<6}", style="dim")
    text.append("\n")
    for name, row in zip(names, values, strict=True):
        text.append(f"{name:<{width}}")
        for value in row:
            if value is None:
                text.append("· ", style="dim")
            else:
                text.append("  ", style=_cell_style(value))
        text.append("\n")
    text.append(_("darker: fewer people online; brighter: more") if legend is None
                else legend, style="dim")
    return text


class HeatMap(Static):
    DEFAULT_CSS = """
    HeatMap { width: auto; height: auto; padding: 0 1; }
    """

    def show(self, values: Grid, title: str = "", legend: str | None = None) -> None:
        self.update(render_heatmap(values, title, legend))
