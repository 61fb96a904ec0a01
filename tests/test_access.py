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
from maturity.web.access import PARTNER_KEYS, Policy
from tests.conftest import config_for_tests
from tests.helpers import PARTNER_KEY, World, make_moderation_and_introduction, sign_in

URL_VALUES = {
    "token": "not-a-real-token",
    "code": "north-west",
    "domain_id": "leadership",
    "indicator_id": "mission-aims",
    "entry_slug": "caring-plymouth",
    "number": 1,
    "table_key": "heatmap",
    "fmt": "csv",
    "cycle_slug": "2026-27",
    "digest": "0" * 40,
    "invitation_id": 99999,
    "review_id": 1,
}

# Who may use a route of each policy. The organisation in the URL is the one whose
# lead and contributor appear below; "other_lead" leads a different organisation.
ALLOWED: dict[Policy, set[str]] = {
    Policy.PUBLIC: {
        "anonymous",
        "partner",
        "contributor",
        "other_lead",
        "regional_lead",
        "lead",
        "admin",
    },
    Policy.SIGNED_IN: {"contributor", "other_lead", "regional_lead", "lead", "admin"},
    Policy.ORG_MEMBER: {"contributor", "lead", "admin"},
    Policy.ORG_LEAD: {"lead", "admin"},
    Policy.REGIONAL_LEAD: {"regional_lead", "admin"},
    Policy.ADMIN: {"admin"},
    # Only the browser that followed this partner's link; signed-in people, the
    # organisation's own leads and administrators included, get 403.
    Policy.PARTNER: {"partner"},
    # The walk's moderation is by the world's region, which "regional_lead" leads; its
    # introduction is sent to the world's organisation, which "lead" leads (_world_value).
    Policy.MODERATOR: {"regional_lead"},
    Policy.INTRODUCTION_RECIPIENT: {"lead"},
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
    "admin.user_status": Policy.ADMIN,
    "api.me": Policy.SIGNED_IN,
    "api.national_regions": Policy.SIGNED_IN,
    "api.openapi": Policy.PUBLIC,
    "api.organisation_assessments": Policy.ORG_MEMBER,
    "api.region_figures": Policy.REGIONAL_LEAD,
    "auth.api_tokens": Policy.SIGNED_IN,
    "auth.revoke_api_token": Policy.SIGNED_IN,
    "auth.sign_out_everywhere": Policy.SIGNED_IN,
    "auth.unlock": Policy.PUBLIC,
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
    "impact.case_studies": Policy.ORG_MEMBER,
    "impact.edit_case_study": Policy.ORG_MEMBER,
    "impact.edit_outcome": Policy.ORG_MEMBER,
    "impact.edit_return": Policy.ORG_MEMBER,
    "impact.edit_theory": Policy.ORG_MEMBER,
    "impact.index": Policy.ORG_MEMBER,
    "impact.making_the_case": Policy.ORG_MEMBER,
    "impact.making_the_case_pdf": Policy.ORG_MEMBER,
    "impact.new_case_study": Policy.ORG_MEMBER,
    "impact.new_outcome": Policy.ORG_MEMBER,
    "impact.quarterly_report": Policy.ORG_MEMBER,
    "impact.quarterly_report_pdf": Policy.ORG_MEMBER,
    "impact.review_return": Policy.ORG_MEMBER,
    "impact.start_return": Policy.ORG_MEMBER,
    "impact.submit_return": Policy.ORG_LEAD,
    "impact.targets": Policy.ORG_MEMBER,
    "impact.theories": Policy.ORG_MEMBER,
    "impact.theory": Policy.ORG_MEMBER,
    "impact.trends": Policy.ORG_MEMBER,
    "main.accessibility": Policy.PUBLIC,
    "main.chart": Policy.SIGNED_IN,
    "main.healthz": Policy.PUBLIC,
    "main.readyz": Policy.PUBLIC,
    "main.home": Policy.PUBLIC,
    "orgs.invite": Policy.ORG_LEAD,
    "orgs.member": Policy.ORG_LEAD,
    "orgs.overview": Policy.ORG_MEMBER,
    "orgs.remove": Policy.ORG_LEAD,
    "orgs.team": Policy.ORG_MEMBER,
    "regional.compare": Policy.SIGNED_IN,
    "regional.compare_download": Policy.SIGNED_IN,
    "regional.download": Policy.REGIONAL_LEAD,
    "regional.index": Policy.REGIONAL_LEAD,
    "regional.open_data": Policy.PUBLIC,
    "regional.open_data_file": Policy.PUBLIC,
    "regional.publish_open_data": Policy.ADMIN,
    "regional.region": Policy.REGIONAL_LEAD,
    "regional.remind": Policy.REGIONAL_LEAD,
    # The back office (issue 17)
    "admin.invitations": Policy.ADMIN,
    "admin.resend_invitation": Policy.ADMIN,
    "admin.cancel_invitation": Policy.ADMIN,
    "orgs.resend_invitation": Policy.ORG_LEAD,
    "orgs.cancel_invitation": Policy.ORG_LEAD,
    "orgs.leave": Policy.ORG_MEMBER,
    "auth.welcome": Policy.SIGNED_IN,
    "admin.edit_organisation": Policy.ADMIN,
    "admin.archive_organisation": Policy.ADMIN,
    "orgs.profile": Policy.ORG_LEAD,
    "admin.audit_log_csv": Policy.ADMIN,
    "regional.withdraw_open_data": Policy.ADMIN,
    "regional.preview_open_data": Policy.ADMIN,
    # Partner views (issue 15)
    "partners.index": Policy.ORG_LEAD,
    "partners.invite": Policy.ORG_LEAD,
    "partners.remind": Policy.ORG_LEAD,
    "partners.share": Policy.ORG_LEAD,
    "partners.remove": Policy.ORG_LEAD,
    "partners.compare": Policy.ORG_LEAD,
    "partners.agree": Policy.ORG_LEAD,
    "partners.export": Policy.ORG_LEAD,
    "partners.accept": Policy.PUBLIC,
    "partners.respond": Policy.PARTNER,
    "partners.respond_domain": Policy.PARTNER,
    "partners.submit_response": Policy.PARTNER,
    "moderation.index": Policy.ORG_MEMBER,
    "moderation.ask": Policy.ORG_LEAD,
    "moderation.offer": Policy.ORG_LEAD,
    "moderation.thread": Policy.ORG_MEMBER,
    "moderation.respond": Policy.ORG_LEAD,
    "moderation.inbox": Policy.SIGNED_IN,
    "moderation.review": Policy.MODERATOR,
    "moderation.send_back": Policy.MODERATOR,
    "moderation.section": Policy.MODERATOR,
    "introductions.index": Policy.ORG_MEMBER,
    "introductions.ask": Policy.ORG_MEMBER,
    "introductions.reply": Policy.INTRODUCTION_RECIPIENT,
    # Assessment cycles (issue 17)
    "admin.cycles": Policy.REGIONAL_LEAD,
    # Questionnaire versions (issue 17)
    "admin.questionnaire_versions_page": Policy.ADMIN,
    "admin.questionnaire_draft": Policy.ADMIN,
}
# Destructive actions by allowed users come last so earlier checks see the data intact.
# "partner": a browser holding the world's partner key (no account).
USERS = ("anonymous", "partner", "contributor", "other_lead", "regional_lead", "lead", "admin")


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


def _user_id(app: Flask, email: str) -> int:
    from sqlalchemy import select

    from maturity.extensions import db
    from maturity.models import User

    with app.app_context():
        found = db.session.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return found


# URL arguments naming a record of the world: (its own, the other organisation's).
WORLD_IDS = {
    "case_study_id": ("case_study", "other_case_study"),
    "respondent_id": ("partner", "other_partner"),
}


def _world_value(app: Flask, world: World, argument: str) -> object:
    """Arguments naming a record the world does not hold: a moderation (by the world's
    region, so "regional_lead" moderates), an introduction (sent to the world's
    organisation, so "lead" receives it), the other organisation."""
    if argument in ("moderation_id", "introduction_id"):
        from maturity.extensions import db

        with app.app_context():
            moderation, introduction = make_moderation_and_introduction(world)
            db.session.commit()
        return moderation if argument == "moderation_id" else introduction
    if argument == "to_slug":
        return world.other_org
    if argument == "upload_id":  # a draft questionnaire version, uploaded by the admin
        from tests.form_routes import draft_upload

        return draft_upload(app, world)
    return URL_VALUES[argument]


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
        elif argument == "org_slug":
            values[argument] = world.org
        elif argument == "token_id":
            values[argument] = world.token
        elif argument == "action_id":
            values[argument] = world.other_action if foreign_ids else world.action
        elif argument == "return_id":
            values[argument] = world.other_impact_return if foreign_ids else world.impact_return
        elif argument == "theory_id":
            values[argument] = world.other_theory if foreign_ids else world.theory
        elif argument == "user_id":
            values[argument] = _user_id(app, world.other_lead)
        elif argument in WORLD_IDS:
            own, foreign = WORLD_IDS[argument]
            values[argument] = getattr(world, foreign if foreign_ids else own)
        else:
            values[argument] = _world_value(app, world, argument)
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
            if user == "partner":
                with client.session_transaction() as session:
                    session[PARTNER_KEYS] = {str(world.partner): PARTNER_KEY}
            elif user != "anonymous":
                assert sign_in(client, emails[user]).status_code == 302
            response = client.open(url, method=method, data={})
            location = response.headers.get("Location", "")
            to_sign_in = (response.status_code == 302 and "/sign-in?next=" in location) or (
                url.startswith("/api/") and response.status_code == 401
            )
            denied = response.status_code == 403 or to_sign_in
            outcome = f"{method} {url} as {user} ({policy}) gave {response.status_code} {location}"
            assert response.status_code < 500, outcome
            if user in ALLOWED[policy]:
                assert not denied, outcome
            elif policy is Policy.PARTNER:
                assert response.status_code == 403, outcome
            elif user in ("anonymous", "partner"):
                assert to_sign_in, outcome
            else:
                assert response.status_code == 403, outcome


ID_ARGUMENTS = {
    "membership_id",
    "assessment_id",
    "action_id",
    "return_id",
    "theory_id",
    "case_study_id",
    "respondent_id",
}
ID_RULES = [rule for rule in RULES if ID_ARGUMENTS & set(rule.arguments)]


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
