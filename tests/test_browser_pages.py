"""The pages leads and regional leads read, in Chromium at 1280 and 390 px wide: the
results, the scoping report, the regional dashboard and the comparison of regions never
scroll sideways, and axe-core (the npm package, injected into each page) finds no
serious or critical accessibility problem on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import (  # noqa: F401 (fixtures)
    DEMO_PASSWORD,
    browser,
    isolated,
    live_server,
    pytestmark,
)

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)


def _signed_in(chromium: Any, base: str, email: str, width: int) -> Any:
    # The injected axe script is not the app's: the test lets it past the page's CSP.
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return page


def _assessment_link(page: Any, base: str, organisation: str, cycle: str) -> str:
    page.goto(f"{base}/organisations/{organisation}/assessments/")
    href = page.locator("tr", has_text=cycle).locator("a").first.get_attribute("href")
    assert href, f"no assessment of {cycle} listed"
    return f"{base}{href.rstrip('/')}/results"


def _problems(page: Any, width: int) -> list[str]:
    """Sideways scrolling and serious or critical axe violations on the open page."""
    problems = []
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll > client:
        problems.append(f"{page.url} at {width} px scrolls sideways ({scroll} > {client} px)")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.slice(0, 3).map(n => n.target)})))"
    )
    for violation in results:
        if violation["impact"] in ("serious", "critical"):
            problems.append(
                f"{page.url} at {width} px: {violation['id']} ({violation['impact']}): "
                f"{violation['help']} at {violation['targets']}"
            )
    return problems


@pytest.mark.skipif(not AXE.exists(), reason="no axe-core: run `make setup` (npm ci)")
@pytest.mark.parametrize("width", WIDTHS)
def test_results_reports_and_regional_pages_fit_the_screen_and_pass_axe(
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    width: int,
) -> None:
    problems: list[str] = []
    visited = 0

    lead = _signed_in(browser, live_server, "lead@riverside.example.org", width)
    results = _assessment_link(lead, live_server, "riverside-care-academy-demo", "2025/26")
    for address in (results, f"{live_server}/regions/compare"):
        lead.goto(address)
        assert lead.title().split(" – ")[0] and "Error" not in lead.title()
        problems += _problems(lead, width)
        visited += 1
    lead.context.close()

    council = _signed_in(browser, live_server, "lead@ashvale.example.org", width)
    report = _assessment_link(
        council, live_server, "ashvale-council-demo-scoping-an-academy", "2026/27"
    )
    council.goto(report)
    assert council.title().startswith("Scoping report")
    problems += _problems(council, width)
    visited += 1
    council.context.close()

    regional = _signed_in(browser, live_server, "regional.lead@example.org", width)
    regional.goto(f"{live_server}/regions/north-west")
    assert "Showing" in regional.locator("#shown-cycle").inner_text()
    problems += _problems(regional, width)
    visited += 1
    regional.context.close()

    assert visited == 4
    assert problems == [], "\n".join(problems)
