"""In a real browser: a lead invites partners, each answers on their own through their
link, the lead compares their views and agrees an answer, and the results show it.

Uses the live server, browser and accessibility checks of ``tests/test_browser.py``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.test_browser import (  # noqa: F401 (fixtures)
    AccessibilityChecker,
    browser,
    isolated,
    live_server,
    pytestmark,
    sign_in,
)

ACADEMY = "/organisations/kingsmere-health-and-care-academy-demo"


def _invite(lead: Any, name: str, email: str, kind: str, axe: AccessibilityChecker) -> str:
    lead.get_by_role("button", name="Invite a partner").click()
    lead.wait_for_url("**/partners/invite")
    axe.check(lead)
    lead.get_by_label("Partner's name").fill(name)
    lead.get_by_label("Email address").fill(email)
    lead.get_by_label(kind, exact=True).check()
    lead.get_by_label("Funding and sustainability", exact=True).check()
    lead.get_by_role("button", name="Send invitation").click()
    lead.wait_for_selector(".govuk-panel")
    axe.check(lead)
    link = lead.locator("a.partner-link").first.get_attribute("href")
    assert link is not None
    lead.get_by_role("link", name="Continue").click()
    lead.wait_for_url("**/partners")
    return urlsplit(link).path


def _partner_answers(
    browser: Any,  # noqa: F811
    base: str,
    path: str,
    level: str,
    evidence: str,
    axe: AccessibilityChecker,
) -> None:
    partner = browser.new_context().new_page()
    partner.goto(f"{base}{path}")
    axe.check(partner)
    assert "Give your view of Kingsmere" in partner.locator("h1").inner_text()
    partner.get_by_role("button", name="Start").click()
    partner.wait_for_url("**/partner/*")
    axe.check(partner)
    partner.get_by_role("link", name="Funding").click()
    partner.wait_for_url("**/sections/funding")
    axe.check(partner)
    partner.locator(f"input[name='level-core-funding'][value='{level}']").check()
    partner.locator("textarea[name='evidence-core-funding']").fill(evidence)
    partner.get_by_role("button", name="Save and come back later").click()
    partner.wait_for_selector(".govuk-task-list")
    assert "Your answers have been saved" in partner.content()
    # Nobody else's answers are on the partner's pages.
    assert "fictional browser test" not in partner.content().replace(evidence, "")
    partner.get_by_role("button", name="Submit my answers").click()
    partner.wait_for_selector(".govuk-inset-text")
    assert "read-only" in partner.locator(".govuk-inset-text").inner_text()
    axe.check(partner)
    # The organisation's own pages stay closed to a partner.
    partner.goto(f"{base}{ACADEMY}/assessments/")
    assert "/sign-in" in partner.url
    partner.context.close()


def test_invite_partners_answer_lead_agrees_and_results_show_it(
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    axe = AccessibilityChecker()
    lead = browser.new_context().new_page()
    sign_in(lead, live_server, "lead@kingsmere.example.org", axe)
    lead.goto(f"{live_server}{ACADEMY}/assessments/")
    lead.get_by_role("link", name="2026/27").click()
    lead.wait_for_selector("#progress")
    lead.get_by_role("link", name="Partner views", exact=False).click()
    lead.wait_for_url("**/partners")
    axe.check(lead)

    low = _invite(lead, "Holly Homecare (demo)", "holly@partners.example.org", "Care provider", axe)
    high = _invite(lead, "Ned NHS (demo)", "ned@partners.example.org", "NHS body", axe)
    _partner_answers(
        browser, live_server, low, "1", "No funding after March (fictional browser test)", axe
    )
    _partner_answers(
        browser, live_server, high, "4", "Three years agreed (fictional browser test)", axe
    )

    lead.reload()
    assert "1 of 1 care provider answered" in lead.locator("#response-rates").inner_text()
    lead.get_by_role("link", name="Compare partners' views and agree answers").click()
    lead.wait_for_url("**/partners/compare")
    axe.check(lead)
    first = lead.locator("section.app-indicator").first
    assert first.get_attribute("id") == "question-core-funding"
    assert "Views differ by 3 levels" in first.inner_text()
    assert "No funding after March" in first.inner_text()
    first.get_by_role("link", name="Start from this answer by Holly Homecare (demo)").click()
    lead.wait_for_url("**/compare/core-funding*")
    axe.check(lead)
    lead.locator("input[name='level'][value='2']").check()
    lead.get_by_label("How was this answer agreed?").fill("Agreed at the steering group, 12 March")
    lead.get_by_role("button", name="Save the agreed answer").click()
    lead.wait_for_url("**/partners/compare*")
    assert "Agreed: 2." in lead.locator("#question-core-funding").inner_text()

    lead.goto(f"{live_server}{ACADEMY}/assessments/")
    lead.get_by_role("link", name="2026/27").click()
    lead.get_by_role("button", name="Check your answers").click()
    lead.wait_for_url("**/check")
    lead.get_by_label("We have agreed these answers with our partners", exact=False).check()
    lead.get_by_role("button", name="Submit assessment").click()
    lead.wait_for_url("**/submitted")
    lead.goto(lead.url.replace("/submitted", "/results"))
    axe.check(lead)
    agreed = lead.locator("#partners-agreed").inner_text()
    assert "Agreed with 2 partners" in agreed
    differed = lead.locator("table", has_text="Agreed at the steering group, 12 March")
    assert "Levels 1 to 4 (3 apart)" in differed.inner_text()
    assert axe.problems == [], "\n".join(axe.problems)
