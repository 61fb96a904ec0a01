"""CSV and XLSX downloads of the tables shown on pages (the same rows, the same
suppression), with cells that spreadsheets will not run as formulas."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, abort

from maturity.services.regional import Table

FORMATS = ("csv", "xlsx")


def safe_cell(value: Any) -> Any:
    """Text starting with =, +, - or @ would run as a formula in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def table_download(table: Table, fmt: str, filename: str) -> Response:
    """The table as a CSV or XLSX attachment; 404 for any other format."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(table.head)
        for row in table.rows:
            writer.writerow([safe_cell(value) for value in row])
        for note in table.notes:
            writer.writerow([f"Note: {note}"])
        return Response(
            buffer.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = table.key[:31] or "Figures"
        sheet.append(table.head)
        for row in table.rows:
            sheet.append([safe_cell(value) for value in row])
        for note in table.notes:
            sheet.append([f"Note: {note}"])
        output = io.BytesIO()
        workbook.save(output)
        return Response(
            output.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    abort(404)
