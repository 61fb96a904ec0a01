"""Every page and action is denied to the wrong person.

The test walks every registered route. A route whose view declares no access policy
fails ``test_every_route_declares_who_may_use_it``; every route is then requested by
each kind of user and the outcome checked against its policy.
"""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import Rule

from maturity import create_app
from maturity.web.access import Policy
from tests.conftest import config_for_tests
from tests.helpers import World, sign_in

URL_VALUES = {
    "token": "not-a-real-token",
    "code": "north-west",
    "domain_id": "leadership",
    "indicator_id": "mission-aims",
    "entry_slug": "caring-plymouth",
}

# Who may use a route of each policy. The organisation in the URL is the one whose
# lead and contributor appear below; "other_lead" leads a different organisation.
ALLOWED: dict[Policy, set[str]] = {
    Policy.PUBLIC: {"anonymous", "contributor", "other_lead", "regional_lead", "lead", "admin"},
    Policy.SIGNED_IN: {"contributor", "other_lead", "regional_lead", "lead", "admin"},
    Policy.ORG_MEMBER: {"contributor", "lead", "admin"},
    Policy.ORG_LEAD: {"lead", "admin"},
    Policy.REGIONAL_LEAD: {"regional_lead", "admin"},
    Policy.ADMIN: {"admin"},
}
# The intended rule for every route, written down independently of the code: a new
# route must be added here, and a view whose declared policy drifts from this fails.
EXPECTED_POLICY: dict[str, Policy] = {
    "admin.audit_log": Policy.ADMIN,
    "admin.index": Policy.ADMIN,
    "admin.invite_lead": Policy.ADMIN,
    "admin.invite_regional_lead": Policy.ADMIN,
    "admin.new_organisation": Policy.ADMIN,
    "admin.organisation": Policy.ADMIN,
    "admin.organisations": Policy.ADMIN,
    "admin.users": Policy.ADMIN,
    "actions.edit": Policy.ORG_MEMBER,
    "actions.index": Policy.ORG_MEMBER,
    "actions.new": Policy.ORG_MEMBER,
    "directory.edit_entry": Policy.ADMIN,
    "directory.entry": Policy.SIGNED_IN,
    "directory.index": Policy.SIGNED_IN,
    "directory.new_entry": Policy.ADMIN,
    "results.answers_csv": Policy.ORG_MEMBER,
    "results.answers_xlsx": Policy.ORG_MEMBER,
    "results.pdf": Policy.ORG_MEMBER,
    "results.printable": Policy.ORG_MEMBER,
    "results.results": Policy.ORG_MEMBER,
    "assessments.check": Policy.ORG_MEMBER,
    "assessments.domain": Policy.ORG_MEMBER,
    "assessments.index": Policy.ORG_MEMBER,
    "assessments.indicator_history": Policy.ORG_MEMBER,
    "assessments.reopen": Policy.ORG_LEAD,
    "assessments.start": Policy.ORG_LEAD,
    "assessments.submit": Policy.ORG_LEAD,
    "assessments.submitted": Policy.ORG_MEMBER,
    "assessments.task_list": Policy.ORG_MEMBER,
    "auth.accept_invitation": Policy.PUBLIC,
    "auth.account": Policy.SIGNED_IN,
    "auth.change_password": Policy.SIGNED_IN,
    "auth.request_password_reset": Policy.PUBLIC,
    "auth.reset_password": Policy.PUBLIC,
    "auth.sign_in": Policy.PUBLIC,
    "auth.sign_out": Policy.SIGNED_IN,
    "main.accessibility": Policy.PUBLIC,
    "main.healthz": Policy.PUBLIC,
    "main.home": Policy.PUBLIC,
    "orgs.invite": Policy.ORG_LEAD,
    "orgs.member": Policy.ORG_LEAD,
    "orgs.overview": Policy.ORG_MEMBER,
    "orgs.remove": Policy.ORG_LEAD,
    "orgs.team": Policy.ORG_MEMBER,
    "regional.index": Policy.REGIONAL_LEAD,
    "regional.region": Policy.REGIONAL_LEAD,
}
# Destructive actions by allowed users come last so earlier checks see the data intact.
USERS = ("anonymous", "contributor", "other_lead", "regional_lead", "lead", "admin")


def _rules() -> list[Rule]:
    listing_app = create_app(config_for_tests("sqlite://"))
    return [rule for rule in listing_app.url_map.iter_rules() if rule.endpoint != "static"]


RULES = _rules()


def _policy(app: Flask, endpoint: str) -> Policy | None:
    return getattr(app.view_functions[endpoint], "access_policy", None)


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    undeclared = [rule.rule for rule in RULES if _policy(app, rule.endpoint) is None]
    assert undeclared == [], f"routes with no @requires(...) policy: {undeclared}"
    assert set(ALLOWED) == set(Policy)
    endpoints = {rule.endpoint for rule in RULES}
    assert endpoints == set(EXPECTED_POLICY), "add every new route to EXPECTED_POLICY"
    drifted = {
        endpoint: (_policy(app, endpoint), expected)
        for endpoint, expected in EXPECTED_POLICY.items()
        if _policy(app, endpoint) != expected
    }
    assert drifted == {}, f"declared policy differs from the intended one: {drifted}"


def _url(app: Flask, rule: Rule, world: World, *, foreign_ids: bool = False) -> str:
    """The rule's URL for the world's organisation; with ``foreign_ids`` the record ids
    in it belong to the other organisation."""
    values: dict[str, object] = {}
    for argument in rule.arguments:
        if argument == "slug":
            values[argument] = world.org
        elif argument == "membership_id":
            values[argument] = (
                world.other_membership if foreign_ids else world.contributor_membership
            )
        elif argument == "assessment_id":
            values[argument] = world.other_assessment if foreign_ids else world.assessment
        elif argument == "action_id":
            values[argument] = world.other_action if foreign_ids else world.action
        else:
            values[argument] = URL_VALUES[argument]
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.endpoint}" for r in RULES])
def test_route_is_denied_to_the_wrong_people(
    app: Flask, world: World, rule: Rule, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Requests are sent without CSRF tokens: the access decision is what is tested here.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    policy = _policy(app, rule.endpoint)
    assert policy is not None
    url = _url(app, rule, world)
    emails = {
        "contributor": world.contributor,
        "other_lead": world.other_lead,
        "regional_lead": world.regional_lead,
        "lead": world.lead,
        "admin": world.admin,
    }
    methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    for user in USERS:
        for method in methods:
            client = app.test_client()
            if user != "anonymous":
                assert sign_in(client, emails[user]).status_code == 302
            response = client.open(url, method=method, data={})
            location = response.headers.get("Location", "")
            to_sign_in = response.status_code == 302 and "/sign-in?next=" in location
            denied = response.status_code == 403 or to_sign_in
            outcome = f"{method} {url} as {user} ({policy}) gave {response.status_code} {location}"
            assert response.status_code < 500, outcome
            if user in ALLOWED[policy]:
                assert not denied, outcome
            elif user == "anonymous":
                assert to_sign_in, outcome
            else:
                assert response.status_code == 403, outcome


ID_RULES = [
    rule for rule in RULES if {"membership_id", "assessment_id", "action_id"} & set(rule.arguments)
]


@pytest.mark.parametrize("rule", ID_RULES, ids=[r.endpoint for r in ID_RULES])
def test_ids_from_another_organisation_are_not_found_through_this_one(
    app: Flask, world: World, rule: Rule, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record of organisation B, addressed through organisation A's URL, is 404 even
    for people allowed into A (and for administrators)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    policy = _policy(app, rule.endpoint)
    assert policy is not None
    url = _url(app, rule, world, foreign_ids=True)
    emails = {"contributor": world.contributor, "lead": world.lead, "admin": world.admin}
    for user, email in emails.items():
        if user not in ALLOWED[policy]:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            client = app.test_client()
            sign_in(client, email)
            response = client.open(url, method=method, data={})
            assert response.status_code == 404, f"{method} {url} as {user}: {response.status_code}"
