"""Downloads: CSV and XLSX of the tables shown on pages (the same rows, the same
suppression, cells that spreadsheets will not run as formulas), and PDFs of printable
pages (WeasyPrint, fetching nothing over the network)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, abort, current_app, request

from maturity.services.tables import Table, safe_cell, tables_to_xlsx
from maturity.web.charts import cached_chart

__all__ = ["FORMATS", "file_download", "pdf_response", "safe_cell", "table_download"]

FORMATS = ("csv", "xlsx")
PDF_VARIANT = "pdf/ua-1"  # tagged, titled and with its language: readable by screen readers
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_download(body: str | bytes, fmt: str, filename: str) -> Response:
    """A CSV or XLSX file as an attachment named ``filename``.``fmt``."""
    return Response(
        body,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )


def table_download(
    table: Table, fmt: str, filename: str, *, more: Sequence[Table] = ()
) -> Response:
    """The table as a CSV or XLSX attachment (``more`` tables as further sheets of the
    XLSX); 404 for any other format. The one export of results, regional figures and
    open data."""
    if fmt == "csv":
        return file_download(table.to_csv(), fmt, filename)
    if fmt == "xlsx":
        return file_download(tables_to_xlsx([table, *more]), fmt, filename)
    abort(404)


def pdf_response(html: str, filename: str) -> Response:
    """A printable page as an inline PDF named ``filename``.pdf, rendered by WeasyPrint with
    stylesheets from the static folder and charts from the chart cache.

    Every PDF is tagged for assistive technology (WeasyPrint's PDF/UA-1 variant: a
    structure tree, marked content, the page's ``<title>`` as the document title, shown
    by viewers, and the page's language)."""
    from weasyprint import HTML

    static = current_app.static_folder or ""
    document = HTML(string=html, base_url=request.url_root, url_fetcher=_static_fetcher(static))
    return Response(
        document.write_pdf(pdf_variant=PDF_VARIANT),
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
