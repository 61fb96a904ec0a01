"""In a real browser: moderation (ask, moderate, respond, the badge) and a peer
introduction (ask, accept, contacts shown), on the demo data, every page scanned by axe."""

from __future__ import annotations

import re
from typing import Any

from tests.test_browser import (  # noqa: F401 (fixtures used by name)
    AccessibilityChecker,
    browser,
    isolated,
    live_server,
    pytestmark,
    sign_in,
)

EASTBRIDGE = "/organisations/eastbridge-care-academy-demo"
MOORLAND = "/organisations/moorland-social-care-academy-demo"


def _signed_in(chromium: Any, base: str, email: str, axe: AccessibilityChecker) -> Any:
    page = chromium.new_context().new_page()
    sign_in(page, base, email, axe)
    return page


def test_request_moderation_moderate_respond_and_the_badge(
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    axe = AccessibilityChecker()
    lead = _signed_in(browser, live_server, "lead@eastbridge.example.org", axe)
    lead.goto(f"{live_server}{EASTBRIDGE}")
    lead.get_by_role("link", name="Moderation").click()
    lead.wait_for_url(f"**{EASTBRIDGE}/moderation")
    axe.check(lead)
    lead.get_by_role("button", name="Ask for moderation").click()
    lead.wait_for_url("**/moderation/ask")
    axe.check(lead)
    # The in-progress assessment cannot be moderated: refused with a clear message.
    lead.get_by_label("Assessment").select_option(label="2026/27 (not submitted)")
    lead.get_by_label("Kingsmere Health and Care Academy (demo)").check()
    lead.get_by_role("button", name="Ask for moderation").click()
    lead.wait_for_selector(".govuk-error-summary")
    assert "has not been submitted" in lead.locator(".govuk-error-summary").inner_text()
    axe.check(lead)
    lead.get_by_label("Assessment").select_option(label="2025/26")
    lead.get_by_label("Kingsmere Health and Care Academy (demo)").check()
    lead.get_by_role("button", name="Ask for moderation").click()
    lead.wait_for_url(re.compile(r".*/moderation/\d+$"))
    assert "has been asked to moderate it" in lead.content()
    thread_url = lead.url
    results_url = thread_url.split("/moderation/")[0] + "/assessments/"

    moderator = _signed_in(browser, live_server, "lead@kingsmere.example.org", axe)
    moderator.goto(f"{live_server}/moderation")
    axe.check(moderator)
    moderator.get_by_role("link", name=re.compile("Eastbridge Care Academy")).click()
    moderator.wait_for_selector("#section-funding")
    axe.check(moderator)
    review_url = moderator.url
    links = moderator.locator("a", has_text="Review").all()
    targets = [link.get_attribute("href") for link in links]
    assert len(targets) == 9
    for href in targets:
        moderator.goto(f"{live_server}{href}")
        if href and href.endswith("/funding"):
            axe.check(moderator)
            moderator.get_by_label("Challenged").check()
            moderator.get_by_label("Comment").fill(
                "The plan covers one year only <script>alert(1)</script>"
            )
            moderator.get_by_label("The level you would expect").select_option(label="First steps")
        else:
            moderator.get_by_label("Agreed").check()
        moderator.get_by_role("button", name="Save this section").click()
        moderator.wait_for_url(review_url)
    moderator.get_by_role("button", name="Send the review to the academy").click()
    moderator.wait_for_url(f"{live_server}/moderation")
    assert "The review has been sent" in moderator.content()

    lead.goto(thread_url)
    axe.check(lead)
    assert "<script>alert(1)</script>" in lead.locator("main").inner_text()  # shown as text
    lead.get_by_role("link", name=re.compile("Respond")).click()
    axe.check(lead)
    lead.get_by_label("Kept, with an explanation").check()
    lead.get_by_label("Explanation", exact=True).fill(
        "Two more years are agreed in writing (fictional)."
    )
    lead.get_by_role("button", name="Send response").click()
    lead.wait_for_url(thread_url)
    assert "Moderated by Kingsmere Health and Care Academy (demo) on" in lead.content()

    lead.goto(results_url)
    lead.get_by_role("link", name="2025/26").first.click()
    lead.get_by_role("link", name=re.compile("results", re.I)).first.click()
    banner = lead.locator("#moderation")
    assert "Moderated by Kingsmere Health and Care Academy (demo) on" in banner.inner_text()
    banner.get_by_text("What changed in moderation").click()
    assert "kept at" in banner.inner_text()
    axe.check(lead)
    assert axe.problems == [], "\n".join(axe.problems)


def test_ask_for_an_introduction_accept_and_the_contact_is_shown(
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    axe = AccessibilityChecker()
    asker = _signed_in(browser, live_server, "lead@moorland.example.org", axe)
    asker.goto(f"{live_server}{MOORLAND}/assessments/")
    asker.get_by_role("link", name="2025/26").first.click()
    asker.get_by_role("link", name=re.compile("results", re.I)).first.click()
    ask = asker.locator("#peers ~ ul a", has_text="Ask for an introduction").first
    href = ask.get_attribute("href") or ""
    peer_slug = href.rsplit("/", 1)[1]
    ask.click()
    asker.wait_for_url(f"**{href}")
    axe.check(asker)
    assert "Why it was suggested" in asker.content()
    asker.get_by_label("Your message").fill("We would like to hear how your funding works.")
    asker.get_by_role("button", name="Send the request").click()
    asker.wait_for_url(f"**{MOORLAND}/introductions")
    axe.check(asker)
    peer_email = f"lead@{peer_slug.split('-')[0]}.example.org"
    assert peer_email not in asker.content()

    peer = _signed_in(browser, live_server, peer_email, axe)
    peer.goto(f"{live_server}/organisations/{peer_slug}/introductions")
    assert "lead@moorland.example.org" not in peer.content()
    peer.get_by_role("link", name=re.compile("Reply")).first.click()
    axe.check(peer)
    peer.get_by_label(re.compile("Yes: share")).check()
    peer.get_by_role("button", name="Send reply").click()
    peer.wait_for_url(f"**/organisations/{peer_slug}/introductions")
    assert "lead@moorland.example.org" in peer.content()
    axe.check(peer)

    asker.reload()
    assert peer_email in asker.content()
    assert axe.problems == [], "\n".join(axe.problems)
