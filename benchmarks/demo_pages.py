"""Every page of the demo data, each on its first view (run by run.py, not alone).

On a fresh SQLite database with the demo data (``flask maturity seed-demo``), a demo
academy lead, the demo regional lead and the administrator each sign in and follow the
links of the pages they can reach, from the home page, GET only (no form is sent).
Every page found (an HTML answer with status 200) is then requested once more on its
own first view: the cache emptied and gunicorn's worker restarted just before, so no
process holds anything of it. Downloads (CSV, Excel, PDF), charts and assets are not
pages and are not followed.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from client import Response, request

LINK = re.compile(r'<a\b[^>]*\bhref="([^"#]*)', re.IGNORECASE)
NOT_PAGES = (".csv", ".xlsx", ".pdf", ".svg", ".json", ".txt")
# Where the crawl starts, and whose view of the demo it is.
ACCOUNTS = (
    ("academy lead", "lead@kingsmere.example.org"),
    ("academy lead", "lead@riverside.example.org"),
    ("regional lead", "regional.lead@example.org"),
    ("administrator", "admin@example.org"),
)


@dataclass(frozen=True)
class Page:
    path: str
    who: str
    cookie: str


def _links(page: str) -> list[str]:
    found = []
    for href in LINK.findall(page):
        parts = urllib.parse.urlsplit(href.replace("&amp;", "&"))
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(("/assets/", "/charts/")) or parts.path.endswith(NOT_PAGES):
            continue
        found.append(urllib.parse.urlunsplit(("", "", parts.path, parts.query, "")))
    return found


def _shape(path: str) -> str:
    """Pages that differ only in their query's values (filters, pre-filled forms) count
    as one: the first one found is measured."""
    parts = urllib.parse.urlsplit(path)
    keys = sorted(key for key, _ in urllib.parse.parse_qsl(parts.query))
    return parts.path + ("?" + "&".join(keys) if keys else "")


def crawl(base: str, who: str, cookie: str, seen: set[str], limit: int = 500) -> list[Page]:
    """The pages reachable from the home page by following links (breadth first, at most
    ``limit`` requests), leaving out shapes already ``seen`` (which this adds to)."""
    queue, found = ["/"], []
    visited = {_shape("/")}
    while queue and len(visited) < limit:
        path = queue.pop(0)
        response = request(base, path, cookie)
        if response.status != 200 or not response.content_type.startswith("text/html"):
            continue
        if _shape(path) not in seen:
            seen.add(_shape(path))
            found.append(Page(path, who, cookie))
        for link in _links(response.body):
            if _shape(link) not in visited:
                visited.add(_shape(link))
                queue.append(link)
    return found


@dataclass(frozen=True)
class FirstView:
    page: Page
    response: Response


def first_views(base: str, pages: list[Page], make_cold: Callable[[], None]) -> list[FirstView]:
    """Each page's first view: ``make_cold()`` (empty caches, fresh worker), then the page."""
    views = []
    for page in pages:
        make_cold()
        views.append(FirstView(page, request(base, page.path, page.cookie)))
    return views
