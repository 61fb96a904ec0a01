"""Downloads: CSV and XLSX of the tables shown on pages (the same rows, the same
suppression, cells that spreadsheets will not run as formulas), and PDFs of printable
pages (WeasyPrint, fetching nothing over the network)."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, abort, current_app, request

from maturity.services.regional import Table
from maturity.web.charts import cached_chart

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


def pdf_response(html: str, filename: str) -> Response:
    """A printable page as an inline PDF named ``filename``.pdf, rendered by WeasyPrint with
    stylesheets from the static folder and charts from the chart cache."""
    from weasyprint import HTML

    static = current_app.static_folder or ""
    document = HTML(string=html, base_url=request.url_root, url_fetcher=_static_fetcher(static))
    return Response(
        document.write_pdf(),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )


def _static_fetcher(static_folder: str) -> Any:
    """A fetcher that reads stylesheets from the static folder and charts from data URIs,
    and fetches nothing over the network."""
    import mimetypes
    from pathlib import Path
    from urllib.parse import urlsplit

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = Path(static_folder).resolve()

    class LocalFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = urlsplit(url).path
            if path.startswith("/charts/") and path.endswith(".svg"):
                svg = cached_chart(path.removeprefix("/charts/").removesuffix(".svg"))
                if svg is not None:
                    return URLFetcherResponse(
                        url, svg.encode("utf-8"), {"Content-Type": "image/svg+xml"}, 200
                    )
            if path.startswith("/assets/"):
                file = (root / path.removeprefix("/assets/")).resolve()
                if file.is_file() and file.is_relative_to(root):
                    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": kind}, 200)
            raise ValueError(f"not fetched for the PDF: {url}")

    return LocalFetcher()
