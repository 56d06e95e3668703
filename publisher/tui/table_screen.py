"""A screen whose heart is one table of what a service reads: columns declared as
data, rows loaded in a worker, rows that stay changed cell by cell, and column widths
that fit the terminal.

Fitting: the columns that decide an action (a state, a time, an error, a badge) get
their width first; the others share what is left, shortened with "…" down to their
narrowest useful width, and the last of them drop out when even that does not fit. A
shortened value is shown whole in the screen's detail line for the selected row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from publisher.i18n import _
from publisher.tui.base import DataT, LoadingScreen
from publisher.tui.text_fit import fit, width_of

Row = tuple[str, Sequence[object]]  # (row key, one cell per column, in column order)
CELL_PADDING = 1  # cells on each side of a column (DataTable's default)
SCROLLBAR = 2  # a vertical scrollbar's width, kept free whether one shows or not
SAME, IN_PLACE, REFILL = "same", "in place", "refill"  # what fitting the columns again did


@dataclass(frozen=True)
class Column:
    key: str
    label: str | None = None  # an English message id, translated when shown; None: the key
    decides: bool = False  # what an action is decided on: its width comes first
    min_width: int = 6  # narrowest width worth showing (shortened with "…" below its own)
    max_width: int | None = None  # never wider
    fill: bool = False  # takes the width left over (a reason, an error, a result)
    words: bool = False  # shortened at a word boundary, never mid-word
    drop: int = 0  # when columns must go: the highest first, then the last


def fit_widths(columns: Sequence[Column], natural: Mapping[str, int],
               available: int) -> dict[str, int]:
    """Each shown column's width in ``available`` cells (a dropped column has none).

    ``natural`` is each column's width with its header and every value whole. A
    deciding column gets it first; the others share the rest evenly: each gets its
    whole width up to a common level, so short values stay whole and only the longest
    are shortened. A filling column takes what is left over.
    """
    def total(widths: Mapping[str, int]) -> int:
        return sum(widths.values()) + 2 * CELL_PADDING * len(widths)

    wanted = {c.key: min(natural[c.key], c.max_width or natural[c.key]) for c in columns}
    # A deciding column is shown whole; a filling one keeps room for values to come.
    floor = {c.key: c.min_width if c.fill else wanted[c.key] if c.decides
             else min(wanted[c.key], c.min_width) for c in columns}
    shown = list(columns)
    # Too narrow even for the floors: drop columns that do not decide.
    while total({c.key: floor[c.key] for c in shown}) > available:
        droppable = [c for c in shown if not c.decides]
        if not droppable:
            break
        shown.remove(max(reversed(droppable), key=lambda c: c.drop))
    widths = {c.key: floor[c.key] for c in shown}
    room = available - total(widths)
    sharing = sorted((c for c in shown if wanted[c.key] > widths[c.key]),
                     key=lambda c: wanted[c.key])
    for index, column in enumerate(sharing):
        if room <= 0:
            break
        level = widths[column.key] + room // (len(sharing) - index)
        width = max(widths[column.key], min(wanted[column.key], level))
        room -= width - widths[column.key]
        widths[column.key] = width
    fills = [c for c in shown if c.fill]
    if fills and room > 0:
        widths[fills[0].key] += room
    return widths


class FittedTable(DataTable):
    """A DataTable that tells its screen when its width changes (to fit the columns)."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # Every column has the width its screen fitted, and rows have neither labels nor
        # automatic heights: measuring every new cell, as DataTable does for columns
        # that fit their content, would only slow the first paint of thousands of rows
        # (most of it). Textual is pinned exactly (pyproject), this being private API.
        columns = self.columns.values()
        if any(column.auto_width for column in columns) or any(
                self.rows[key].label is not None or self.rows[key].auto_height
                for key in new_rows if key in self.rows):
            super()._update_dimensions(new_rows)
            return
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            sum(column.get_render_width(self) for column in columns)
            + self._row_label_column_width, self._total_row_height + header)

    def on_resize(self, event: events.Resize) -> None:
        screen = self.screen
        if isinstance(screen, TableScreen):
            screen.fit_columns(event.size.width)


class TableScreen(LoadingScreen[DataT]):
    """A :class:`LoadingScreen` showing its data in the DataTable ``#{TABLE}``.

    Subclasses declare ``TABLE`` and ``COLUMNS`` and show rows with ``show_rows``.
    """

    TABLE: ClassVar[str]
    COLUMNS: ClassVar[tuple[Column, ...]]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "TABLE" in cls.__dict__ and "BUSY" not in cls.__dict__:
            cls.BUSY = f"#{cls.TABLE}"  # the table is what is shown loading

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._rows: list[Row] = []  # the rows shown, whole (fitted when added)
        self._widths: dict[str, int] = {}  # column key -> width; shown columns only
        self._fitted_to = 0  # the table width the columns were fitted to
        self._natural: dict[str, int] = {}  # column key -> its width with every value whole

    def new_table(self) -> DataTable:
        """The table, for compose (its columns come in ``prepare``)."""
        return FittedTable(id=self.TABLE, cursor_type="row", zebra_stripes=True)

    @property
    def table(self) -> DataTable:
        return self.query_one(f"#{self.TABLE}", DataTable)

    def prepare(self) -> None:
        self.add_columns()

    def after_relabel(self) -> None:
        self._rows = []
        self.add_columns()  # the recomposed table has none
        super().after_relabel()

    def column_label(self, column: Column) -> str:
        return column.key if column.label is None else _(column.label)

    def table_width(self) -> int:
        """The width the table has (its screen's until it is laid out)."""
        return self._fitted_to or self.table.size.width or self.app.size.width

    def add_columns(self) -> None:
        """(Re)make the columns for the rows kept, fitted to the table's width."""
        self._widths = self._fit_widths()
        self._make_columns()

    def _fit_widths(self, measure: bool = True) -> dict[str, int]:
        """The columns' widths for the rows kept (``measure`` False: for the widths
        measured last, on a resize)."""
        if measure or not self._natural:
            natural = {column.key: width_of(self.column_label(column))
                       for column in self.COLUMNS}
            for index, column in enumerate(self.COLUMNS):
                values = [cells[index] for _key, cells in self._rows]
                natural[column.key] = max(natural[column.key], *map(width_of, values), 0)
            self._natural = natural
        return fit_widths(self.COLUMNS, self._natural, self.table_width() - SCROLLBAR)

    def _make_columns(self) -> None:
        table = self.table
        table.clear(columns=True)
        for column in self.shown_columns():
            width = self._widths[column.key]
            table.add_column(fit(self.column_label(column), width), key=column.key, width=width)

    def shown_columns(self) -> list[Column]:
        return [column for column in self.COLUMNS if column.key in self._widths]

    def fitted(self, cells: Sequence[object]) -> list[object]:
        """The cells of the columns shown, each shortened to its column's width (only
        a column narrower than its widest value has any to shorten)."""
        widths, natural = self._widths, self._natural
        return [fit(value, widths[column.key], words=column.words)
                if natural.get(column.key, 1 << 30) > widths[column.key]
                and isinstance(value, (str, Text)) else value
                for column, value in zip(self.COLUMNS, cells, strict=True)
                if column.key in widths]

    def fit_columns(self, width: int) -> None:
        """Fit the columns to a new table width (a resize), rows and cursor kept."""
        if width <= 0 or width == self._fitted_to:
            return
        self._fitted_to = width
        if not self.table.columns:
            return
        refit = self._refit(measure=False)
        if refit == REFILL:
            self._add_rows(self._rows, self.selected_key())
        elif refit == IN_PLACE:
            for key, cells in self._rows:
                self._update_cells(key, cells)

    def _add_rows(self, rows: Sequence[Row], keep: str | None) -> None:
        table = self.table
        table.clear()
        for key, cells in rows:
            table.add_row(*self.fitted(cells), key=key)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))

    def show_rows(self, rows: Sequence[Row], select: str | None = None) -> None:
        """Show ``rows``, keeping the cursor on its row (or moving it to ``select``).

        The same rows as shown change cell by cell (``update_cell``), the columns'
        widths in place: the cursor and the scroll stay put and nothing is redrawn
        for nothing. Rows added, gone or moved, or a column dropped or back, fill the
        table again (a DataTable cannot insert a row in place).
        """
        table = self.table
        keep = select or self.selected_key()
        same_rows = (table.row_count == len(rows)
                     and [key for key, _cells in rows] == [key for key, _cells in self._rows])
        self._rows = list(rows)
        if self._refit() == REFILL or not same_rows:
            self._add_rows(rows, keep)
            return
        for key, cells in rows:
            self._update_cells(key, cells)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))

    def _refit(self, measure: bool = True) -> str:
        """Fit the columns to the rows kept: SAME widths, widths changed IN_PLACE (every
        cell to fit again), or columns made again (REFILL the rows)."""
        table = self.table
        widths = self._fit_widths(measure)
        if widths == self._widths and table.columns:
            return SAME
        if table.columns and list(widths) == list(self._widths):
            self._widths = widths
            for column in self.shown_columns():
                shown = table.columns[ColumnKey(column.key)]
                shown.width = widths[column.key]
                shown.label = Text(fit(self.column_label(column), widths[column.key]))
            table.refresh()
            return IN_PLACE
        self._widths = widths
        self._make_columns()
        return REFILL

    def _update_cells(self, key: str, cells: Sequence[object]) -> None:
        table = self.table
        for column, value in zip(self.shown_columns(), self.fitted(cells), strict=True):
            if not _same(table.get_cell(key, column.key), value):
                table.update_cell(key, column.key, value)

    def update_row(self, key: str, cells: Sequence[object]) -> None:
        """Change one row shown (nothing if it is not shown)."""
        index = next((i for i, (row_key, _c) in enumerate(self._rows) if row_key == key), None)
        if index is None:
            return
        self._rows[index] = (key, cells)
        for column, value in zip(self.COLUMNS, cells, strict=True):  # wider, not narrower
            self._natural[column.key] = max(self._natural.get(column.key, 0), width_of(value))
        refit = self._refit(measure=False)
        if refit == REFILL:
            self._add_rows(self._rows, self.selected_key())
        elif refit == IN_PLACE:
            for row_key, row_cells in self._rows:
                self._update_cells(row_key, row_cells)
        elif key in self.table.rows:
            self._update_cells(key, cells)

    def update_value(self, key: str, column_key: str, value: object) -> None:
        """Change one cell shown (nothing if its row or column is not shown)."""
        index = next((i for i, (row_key, _c) in enumerate(self._rows) if row_key == key), None)
        if index is None:
            return
        cells = list(self._rows[index][1])
        cells[[column.key for column in self.COLUMNS].index(column_key)] = value
        self.update_row(key, cells)

    def selected_key(self) -> str | None:
        table = self.table
        if table.row_count == 0 or not table.columns:
            return None
        return str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)

    def value(self, key: str, column_key: str) -> object:
        """A row's value in a column, whole (the table may show it shortened)."""
        cells = next(cells for row_key, cells in self._rows if row_key == key)
        return cells[[column.key for column in self.COLUMNS].index(column_key)]

    def selected_cells(self) -> dict[str, object] | None:
        """The selected row's values, whole, by column key."""
        key = self.selected_key()
        row = next((cells for row_key, cells in self._rows if row_key == key), None)
        if row is None:
            return None
        return {column.key: value for column, value in zip(self.COLUMNS, row, strict=True)}


def _same(shown: object, value: object) -> bool:
    """Whether a cell shows ``value`` already (Rich's Text equality ignores the style)."""
    if isinstance(shown, Text) and isinstance(value, Text):
        return (shown.plain, shown.style, shown.spans, shown.justify) == (
            value.plain, value.style, value.spans, value.justify)
    return type(shown) is type(value) and shown == value
