"""The page check every test's client applies catches pages that break the rules."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.helpers import PageCheckError, PageCheckingClient

SERVICE = "Academy Maturity"


def _client(html: str, status: int = 200) -> PageCheckingClient:
    app = Flask(__name__)
    app.config.update(TESTING=True, SERVICE_NAME=SERVICE)
    app.test_client_class = PageCheckingClient
    app.add_url_rule("/page", "page", lambda: (html, status))
    return app.test_client()  # type: ignore[return-value]


def _page(title: str, body: str) -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def test_a_page_that_keeps_the_rules_passes() -> None:
    _client(_page(f"Team – Riverside – {SERVICE}", "<h1>Team</h1>")).get("/page")
    _client(_page(f"Error: Page not found – {SERVICE}", "<h1>Page not found</h1>"), 404).get(
        "/page"
    )


@pytest.mark.parametrize(
    ("html", "status", "complaint"),
    [
        (_page(f"Team – {SERVICE}", "<h1>Team</h1><h1>Again</h1>"), 200, "one h1, found 2"),
        (_page(f"Team – {SERVICE}", "<p>no heading</p>"), 200, "one h1, found 0"),
        (_page("Team", "<h1>Team</h1>"), 200, "service name"),
        (_page(f"Home – {SERVICE}", "<h1>Welcome</h1>"), 200, "does not begin with the h1"),
        (_page(f"Page not found – {SERVICE}", "<h1>Page not found</h1>"), 404, "must start"),
        (
            _page(
                f"Sign in – {SERVICE}",
                '<div class="govuk-error-summary"></div><h1>Sign in</h1>',
            ),
            200,
            "must start 'Error:'",
        ),
        (_page(f"Error: Team – {SERVICE}", "<h1>Team</h1>"), 200, "without one"),
    ],
)
def test_a_page_that_breaks_a_rule_fails_the_test(html: str, status: int, complaint: str) -> None:
    with pytest.raises(PageCheckError, match=complaint):
        _client(html, status).get("/page")
