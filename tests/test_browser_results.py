"""The demo academy's results page in Chromium: short enough to read, summary first.

Riverside (lead@riverside.example.org) has three submitted cycles, the busiest results
page of the demo data. Uses the live server and browser of tests/test_browser.py.
"""

from __future__ import annotations

from typing import Any

from tests.test_browser import (  # noqa: F401 (fixtures used by name)
    AccessibilityChecker,
    browser,
    isolated,
    live_server,
    pytestmark,
    sign_in,
)

MAX_HEIGHT = 4500  # px at 1280 wide with every details component closed
SCREEN = 900  # px: what a 1280 px wide laptop screen shows without scrolling


def _latest_results(page: Any, base: str) -> None:
    page.goto(f"{base}/organisations/riverside-care-academy-demo")
    page.get_by_role("link", name="Latest results").click()
    page.wait_for_selector("#summary")


def test_the_demo_results_page_fits_the_height_limit_with_the_summary_first(
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": SCREEN})
    page = context.new_page()
    axe = AccessibilityChecker()
    try:
        sign_in(page, live_server, "lead@riverside.example.org", axe)
        _latest_results(page, live_server)
        trend = page.locator(
            "table", has=page.locator("caption", has_text="Section scores by cycle")
        )
        cycles = [text.strip() for text in trend.locator("thead th").all_text_contents()]
        assert cycles[1:] == ["2023/24", "2024/25", "2025/26"], cycles
        assert page.locator("details[open]").count() == 0
        height = page.evaluate("document.documentElement.scrollHeight")
        print(f"results page height at 1280 px: {height}")
        assert height <= MAX_HEIGHT, f"{height} px tall"
        # The summary (level, reason, strongest and weakest, change, top next steps) is
        # on the first screen.
        bottom = page.evaluate(
            "document.querySelector('.app-top-steps').getBoundingClientRect().bottom"
        )
        assert bottom <= SCREEN, f"the top next steps end at {bottom} px"
        assert page.locator("#summary").get_by_text("because").is_visible()
        # No sideways scrolling at 1280 or on a phone: wide tables scroll inside themselves.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        axe.check(page)
        page.set_viewport_size({"width": 390, "height": 800})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        axe.check(page)
        assert axe.problems == [], "\n".join(axe.problems)
    finally:
        context.close()
