"""In a real browser: Playwright driving Debian's Chromium against the app on 127.0.0.1.

Every page visited is scanned with axe-core; any serious or critical violation fails.
Without Chromium the tests are skipped with a note on how to install it.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import config_for_tests, create_database, drop_database

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    # When the browser moves on before a static file has been sent, the development
    # server thread leaves that file to the garbage collector, which reports it as an
    # unraisable ResourceWarning in whichever test is running: noise from the test
    # server, not the app.
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in.*FileIO:pytest.PytestUnraisableExceptionWarning"
    ),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium` "
        "(as root), or set CHROMIUM_PATH",
    ),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "fictional-demo-account"


@pytest.fixture(autouse=True)
def isolated() -> Iterator[None]:
    """The live server keeps its own database; no per-test transaction swap here (it
    would point the server's thread at the shared test connection)."""
    yield


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo data, served on a free port of 127.0.0.1 in a thread.

    It has its own database (not the per-test transaction) because the server's
    thread needs its own connections.
    """
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from maturity import create_app
    from maturity.extensions import db
    from maturity.services.demo import seed_demo
    from maturity.services.directory import load_directory_file
    from maturity.services.reference import load_regions
    from maturity.services.settings import Settings

    url = create_database(os.environ.get("TEST_DATABASE_URL"), tmp_path_factory.mktemp("live"))
    config = config_for_tests(url)
    del config["SERVER_NAME"]
    app = create_app(config)
    with app.app_context():
        upgrade()
        load_regions()
        load_directory_file()
        seed_demo(Settings.from_config(app.config).hashing)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        # Collect any file the server left open while this module's warning filter applies.
        gc.collect()
        with app.app_context():
            db.engine.dispose()
        drop_database(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class AccessibilityChecker:
    """Runs axe-core on each page it is shown and keeps the serious problems."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.problems: list[str] = []
        self.pages: list[str] = []

    def check(self, page: Any) -> None:
        results = self.axe.run(page)
        self.pages.append(page.url)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.problems.append(
                    f"{page.url}: {violation['id']} ({violation['impact']}): "
                    f"{violation['help']} at {targets}"
                )


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Any, base: str, email: str, axe: AccessibilityChecker) -> None:
    page.goto(f"{base}/")
    axe.check(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/sign-in")
    axe.check(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_a_demo_lead_signs_in_reaches_home_and_signs_out(live_server: str, page: Any) -> None:
    axe = AccessibilityChecker()
    sign_in(page, live_server, "lead@riverside.example.org", axe)
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Ada Lead (demo)"
    axe.check(page)

    organisation = f"{live_server}/organisations/riverside-care-academy-demo"
    page.get_by_role("link", name="Riverside Care Academy (demo)").click()
    page.wait_for_url(organisation)
    assert "Fictional demo" in page.content()
    axe.check(page)
    page.get_by_role("link", name="Team").click()
    page.wait_for_url(f"{organisation}/team")
    assert page.get_by_role("cell", name="Cal Contributor (demo)").is_visible()
    axe.check(page)
    page.get_by_role("button", name="Invite someone").click()
    page.wait_for_url(f"{organisation}/team/invite")
    axe.check(page)
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_selector(".govuk-error-summary")
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()
    axe.check(page)

    page.get_by_role("link", name="Your account").click()
    page.wait_for_url(f"{live_server}/account")
    axe.check(page)
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(f"{live_server}/sign-in")
    assert "You have signed out" in page.content()
    axe.check(page)
    page.goto(f"{live_server}/account")
    assert page.url.startswith(f"{live_server}/sign-in")
    assert axe.problems == [], "\n".join(axe.problems)


def test_admin_and_regional_pages_are_accessible(live_server: str, browser: Any) -> None:
    axe = AccessibilityChecker()
    for email, paths in (
        (
            "admin@example.org",
            [
                "/admin/",
                "/admin/organisations",
                "/admin/organisations/new",
                "/admin/users",
                "/admin/audit",
                "/admin/regional-leads/invite",
            ],
        ),
        ("regional.lead@example.org", ["/regions/", "/regions/north-west"]),
    ):
        context = browser.new_context()
        tab = context.new_page()
        sign_in(tab, live_server, email, axe)
        for path in paths:
            response = tab.goto(f"{live_server}{path}")
            assert response is not None and response.status == 200, path
            axe.check(tab)
        context.close()
    page_count = len(axe.pages)
    assert page_count >= 10
    assert axe.problems == [], "\n".join(axe.problems)


def test_javascript_enhancements_load_without_csp_errors(live_server: str, page: Any) -> None:
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{live_server}/sign-in")
    assert "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")
    assert errors == []


def test_a_contributor_answers_and_the_lead_checks_and_submits(
    live_server: str, browser: Any
) -> None:
    axe = AccessibilityChecker()
    contributor = browser.new_context().new_page()
    sign_in(contributor, live_server, "contributor@riverside.example.org", axe)
    contributor.get_by_role("link", name="Riverside Care Academy (demo)").click()
    contributor.get_by_role("link", name="Assessments").click()
    contributor.wait_for_url("**/assessments/")
    axe.check(contributor)
    contributor.get_by_role("link", name="2026/27").click()
    contributor.wait_for_selector("#progress")
    axe.check(contributor)
    contributor.get_by_role("link", name="Collaboration and co-production").click()
    contributor.wait_for_url("**/domains/collaboration")
    axe.check(contributor)
    # Answer every question in the section: pick "Integrated" for each.
    for radio in contributor.locator("input[type=radio][value='4'][name^=level-]").all():
        radio.check()
    contributor.get_by_label("Evidence (optional)").first.fill("Provider forum minutes (fictional)")
    contributor.get_by_role("button", name="Save and come back later").click()
    contributor.wait_for_selector("#progress")
    assert "Your answers have been saved" in contributor.content()
    task_list = contributor.locator(".govuk-task-list").inner_text()
    assert "7 of 7 answered" in task_list

    lead = browser.new_context().new_page()
    sign_in(lead, live_server, "lead@riverside.example.org", axe)
    lead.get_by_role("link", name="Riverside Care Academy (demo)").click()
    lead.get_by_role("link", name="Assessments").click()
    lead.get_by_role("link", name="2026/27").click()
    lead.get_by_role("button", name="Check your answers").click()
    lead.wait_for_url("**/check")
    axe.check(lead)
    lead.get_by_role("button", name="Submit assessment").click()
    lead.wait_for_selector(".govuk-error-summary")
    assert lead.title().startswith("Error: ")
    lead.get_by_label("We have agreed these answers with our partners", exact=False).check()
    lead.get_by_role("button", name="Submit assessment").click()
    lead.wait_for_url("**/submitted")
    assert "Assessment submitted" in lead.locator("h1").inner_text()
    axe.check(lead)
    assert axe.problems == [], "\n".join(axe.problems)


def test_results_directory_action_plan_and_scoping_report_are_accessible(
    live_server: str, browser: Any
) -> None:
    axe = AccessibilityChecker()
    page = browser.new_context().new_page()
    sign_in(page, live_server, "lead@kingsmere.example.org", axe)
    page.get_by_role("link", name="Kingsmere Health and Care Academy (demo)").click()
    page.get_by_role("link", name="Assessments").click()
    page.get_by_role("link", name="2025/26").click()
    page.get_by_role("link", name="See the results").click()
    page.wait_for_url("**/results")
    assert page.locator("img.app-chart").count() == 2
    assert page.get_by_role("heading", name="Change since last cycle").is_visible()
    axe.check(page)
    page.locator("a", has_text="Add to action plan").first.click()
    page.wait_for_url("**/actions/new**")
    axe.check(page)
    page.get_by_label("Owner").fill("Academy manager (fictional)")
    page.get_by_role("button", name="Save action").click()
    page.wait_for_url("**/actions/")
    assert "The action has been added to your plan" in page.content()
    axe.check(page)
    page.goto(f"{live_server}/directory/?domain=funding")
    axe.check(page)
    page.locator("table a").first.click()
    page.wait_for_url("**/directory/*")
    axe.check(page)

    scoping = browser.new_context().new_page()
    sign_in(scoping, live_server, "lead@ashvale.example.org", axe)
    scoping.get_by_role("link", name="Ashvale Council (demo, scoping an academy)").click()
    scoping.get_by_role("link", name="Assessments").click()
    scoping.get_by_role("link", name="2026/27").click()
    scoping.get_by_role("link", name="Preview the results so far").click()
    scoping.wait_for_url("**/results")
    assert "Suggested delivery model" in scoping.content()
    axe.check(scoping)
    assert axe.problems == [], "\n".join(axe.problems)


def test_the_demo_lead_reviews_impact_and_makes_the_case(live_server: str, browser: Any) -> None:
    axe = AccessibilityChecker()
    page = browser.new_context().new_page()
    sign_in(page, live_server, "lead@riverside.example.org", axe)
    page.get_by_role("link", name="Riverside Care Academy (demo)").click()
    page.get_by_role("link", name="Impact: returns, theory of change and reports").click()
    page.wait_for_url("**/impact/")
    axe.check(page)
    page.get_by_role("link", name="2026/27 Q2").click()
    page.wait_for_url("**/returns/*/check")
    assert "This return is read-only" in page.content()
    axe.check(page)
    page.get_by_role("link", name="Back to impact").click()
    page.get_by_role("link", name="Trends and totals").click()
    page.wait_for_url("**/impact/trends")
    assert page.locator("img.app-chart").count() >= 3
    axe.check(page)
    page.get_by_role("link", name="Back to impact").click()
    page.get_by_role("link", name="Theory of change").click()
    page.get_by_role("link", name="Theory of change 2026/27").click()
    page.wait_for_url("**/theory-of-change/*")
    assert page.locator("img.app-chart").count() == 1
    axe.check(page)
    page.get_by_role("button", name="Add an outcome").click()
    page.get_by_role("button", name="Save outcome").click()
    page.wait_for_selector(".govuk-error-summary")
    assert page.title().startswith("Error: ")
    axe.check(page)
    page.goto(page.url.rsplit("/theory-of-change/", 1)[0] + "/")
    page.get_by_role("button", name="Start a return").click()
    page.wait_for_url("**/returns/new")
    axe.check(page)
    page.get_by_role("button", name="Start the return").click()
    page.wait_for_url("**/returns/*")
    page.get_by_label("People supported", exact=True).fill("-4")
    page.get_by_role("button", name="Save and check").click()
    page.wait_for_selector(".govuk-error-summary")
    assert "cannot be negative" in page.locator(".govuk-error-summary").inner_text()
    axe.check(page)
    page.get_by_role("link", name="Back to impact").click()
    page.get_by_role("link", name="Case studies").click()
    page.get_by_role("button", name="Add a case study").click()
    page.wait_for_url("**/case-studies/new")
    axe.check(page)
    page.get_by_role("link", name="Back to case studies").click()
    page.get_by_role("link", name="Back to impact").click()
    page.get_by_role("link", name="Quarterly impact report").click()
    page.wait_for_url("**/reports/quarterly")
    assert "Quarterly impact report: 2026/27 Q2" in page.locator("h1").inner_text()
    axe.check(page)
    page.get_by_role("link", name="Back to impact").click()
    page.get_by_role("link", name="Making the case: a one-page summary for leaders").click()
    page.wait_for_url("**/reports/making-the-case")
    assert "What we delivered" in page.content()
    axe.check(page)
    assert axe.problems == [], "\n".join(axe.problems)


def test_regional_national_tokens_and_open_data_pages_are_accessible(
    live_server: str, browser: Any
) -> None:
    axe = AccessibilityChecker()
    regional = browser.new_context().new_page()
    sign_in(regional, live_server, "regional.lead@example.org", axe)
    regional.get_by_role("link", name="Regions").first.click()
    regional.get_by_role("link", name="North West").click()
    regional.wait_for_url("**/regions/north-west")
    assert regional.locator("#table-heatmap").is_visible()
    assert regional.locator("img.app-chart").count() == 2
    for image in regional.locator("img.app-chart").all():  # charts load from the cache
        assert image.evaluate("img => img.naturalWidth") > 0
    axe.check(regional)
    regional.get_by_label("Cycle", exact=True).select_option("2025/26")
    regional.get_by_role("button", name="Apply filters").click()
    regional.wait_for_url("**cycle=2025%2F26**")
    axe.check(regional)
    regional.get_by_role("link", name="Compare all regions").click()
    regional.wait_for_url("**/regions/compare**")
    axe.check(regional)
    regional.goto(f"{live_server}/account/tokens")
    regional.get_by_label("Name of a new token").fill("Power BI (fictional)")
    regional.get_by_role("button", name="Create token").click()
    assert regional.locator("#new-token").inner_text().startswith("am_")
    axe.check(regional)

    admin = browser.new_context().new_page()
    sign_in(admin, live_server, "admin@example.org", axe)
    admin.goto(f"{live_server}/regions/open-data/publish")
    axe.check(admin)
    admin.get_by_role("button", name="Preview the file").click()
    axe.check(admin)
    admin.get_by_label("I have checked this file").check()
    admin.get_by_role("button", name="Publish").click()
    admin.wait_for_url("**/regions/open-data/")
    assert "national aggregates (CSV)" in admin.content()
    axe.check(admin)
    admin.goto(f"{live_server}/admin/directory/new")
    axe.check(admin)
    assert axe.problems == [], "\n".join(axe.problems)
