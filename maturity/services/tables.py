"""Tables of figures as pages show them, and the one way they are written to files.

Results, regional figures and open data all export through ``Table.to_csv`` and
``tables_to_xlsx`` (``maturity.web.downloads.table_download`` wraps them in a response);
cells that spreadsheets would run as formulas are neutralised on the way out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def safe_cell(value: Any) -> Any:
    """Text starting with =, +, - or @ would run as a formula in a spreadsheet (so would
    one after a leading tab or carriage return, which spreadsheets skip)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _storable(value: Any) -> Any:
    """A cell value a workbook can hold: control characters (which people do not type,
    but paste) are dropped, as spreadsheets cannot store them."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


@dataclass
class Table:
    """A table of figures with its caption; cells are text or numbers, as displayed."""

    key: str
    caption: str
    head: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.head, row, strict=True)) for row in self.rows]

    def lines(self) -> list[list[Any]]:
        """Head, rows and notes as the lines of a file, every cell made safe."""
        return [
            list(self.head),
            *[[safe_cell(value) for value in row] for row in self.rows],
            *[[f"Note: {note}"] for note in self.notes],
        ]

    def to_csv(self) -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(self.lines())
        return buffer.getvalue()


def tables_to_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table (named by its key)."""
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for table in tables:
        sheet = workbook.create_sheet(table.key[:31] or "Figures")
        for line in table.lines():
            sheet.append([_storable(value) for value in line])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
