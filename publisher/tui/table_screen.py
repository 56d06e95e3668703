"""A screen whose heart is one table of what a service reads: columns declared as
data, rows loaded in a worker, rows that stay changed cell by cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from publisher.i18n import _
from publisher.tui.base import DataT, LoadingScreen

Row = tuple[str, Sequence[object]]  # (row key, one cell per column, in column order)


@dataclass(frozen=True)
class Column:
    key: str
    label: str | None = None  # an English message id, translated when shown; None: the key


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

    def new_table(self) -> DataTable:
        """The table, for compose (its columns come in ``prepare``)."""
        return DataTable(id=self.TABLE, cursor_type="row", zebra_stripes=True)

    @property
    def table(self) -> DataTable:
        return self.query_one(f"#{self.TABLE}", DataTable)

    def prepare(self) -> None:
        self.add_columns()

    def after_relabel(self) -> None:
        self.add_columns()  # the recomposed table has none
        super().after_relabel()

    def column_label(self, column: Column) -> str:
        return column.key if column.label is None else _(column.label)

    def add_columns(self) -> None:
        table = self.table
        for column in self.COLUMNS:
            table.add_column(self.column_label(column), key=column.key)

    def show_rows(self, rows: Sequence[Row], select: str | None = None) -> None:
        """Show ``rows``, keeping the cursor on its row (or moving it to ``select``).

        The same rows as shown change cell by cell (``update_cell``): the cursor and
        the scroll stay put and nothing is redrawn for nothing. Rows added, gone or
        moved fill the table again (a DataTable cannot insert a row in place).
        """
        table = self.table
        keep = select or self.selected_key()
        if [key for key, _cells in rows] == [str(row.key.value) for row in table.ordered_rows]:
            for key, cells in rows:
                for column, value in zip(self.COLUMNS, cells, strict=True):
                    if not _same(table.get_cell(key, column.key), value):
                        table.update_cell(key, column.key, value, update_width=True)
        else:
            table.clear()
            for key, cells in rows:
                table.add_row(*cells, key=key)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))

    def update_row(self, key: str, cells: Sequence[object]) -> None:
        """Change one row shown (nothing if it is not shown)."""
        table = self.table
        if key in table.rows:
            for column, value in zip(self.COLUMNS, cells, strict=True):
                table.update_cell(key, column.key, value, update_width=True)

    def selected_key(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)


def _same(shown: object, value: object) -> bool:
    """Whether a cell shows ``value`` already (Rich's Text equality ignores the style)."""
    if isinstance(shown, Text) and isinstance(value, Text):
        return (shown.plain, shown.style, shown.spans, shown.justify) == (
            value.plain, value.style, value.spans, value.justify)
    return type(shown) is type(value) and shown == value
