"""Downloads: CSV and XLSX of the tables shown on pages (the same rows, the same
suppression, cells that spreadsheets will not run as formulas), and PDFs of printable
pages (WeasyPrint, fetching nothing over the network)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from maturity.cache import Cache, Scopes, cache
from maturity.jobs import jobs
from maturity.jobs import render_pdf as render_pdf_job
from maturity.services.tables import Table, safe_cell, tables_to_xlsx
from maturity.web.charts import cached_chart

__all__ = [
    "FORMATS",
    "file_download",
    "pdf_response",
    "render_pdf",
    "safe_cell",
    "stored_pdf_response",
    "table_download",
]

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
    stylesheets from the static folder and charts from the chart cache."""
    return _pdf(render_pdf(html, request.url_root), filename)


def render_pdf(html: str, base_url: str) -> bytes:
    """A printable page's HTML as PDF bytes (WeasyPrint, fetching nothing over the
    network). Needs an app context only, so the job queue's worker runs it too.

    Every PDF is tagged for assistive technology (WeasyPrint's PDF/UA-1 variant: a
    structure tree, marked content, the page's ``<title>`` as the document title, shown
    by viewers, and the page's language)."""
    from weasyprint import HTML

    static = current_app.static_folder or ""
    document = HTML(string=html, base_url=base_url, url_fetcher=_static_fetcher(static))
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def _pdf(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )


def stored_pdf_response(
    name: str,
    key: Mapping[str, Any],
    by: Scopes,
    render_html: Callable[[], str],
    filename: str,
    *,
    back: str,
) -> ResponseReturnValue:
    """A PDF that stays the same until the data of the scopes ``by`` changes (a submitted
    assessment's results): rendered once, by the job queue, kept in the cache's store and
    served from there afterwards. While the queue's worker renders it the person sees
    "Preparing your PDF", with its progress, on a page that checks again by itself (no
    JavaScript needed); ``back`` is where its back link goes. Without a queue (no Redis)
    the PDF is rendered in this request and kept the same way."""
    store = cache()
    store_key = Cache.key(name, store.full_key(key, by)).removeprefix(Cache.KEY_PREFIX)
    found = store.lookup_blob(store_key)
    if found is not None:
        return _pdf(found, filename)
    queue = jobs()
    job_id = f"pdf-{store_key}"
    state = queue.state(job_id)
    if state is not None and state.failed and request.args.get("again"):
        queue.forget(job_id)
        state = None
    if state is None or state.done:  # never asked for, or done but no longer kept
        state = queue.enqueue(
            render_pdf_job, render_html(), request.url_root, store_key, job_id=job_id
        )
        found = store.lookup_blob(store_key)
        if found is not None:  # rendered inline
            return _pdf(found, filename)
    return (
        render_template("preparing_pdf.html", state=state, back=back, again=request.base_url),
        202,
        {"Cache-Control": "no-store"},
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
