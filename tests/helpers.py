"""Test helpers: building users and organisations, signing in, reading pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import event, select
from werkzeug.test import TestResponse

from maturity.extensions import db
from maturity.models import (
    ActionItem,
    ApiToken,
    Assessment,
    AssessmentSnapshot,
    CaseStudy,
    DeliveryMode,
    HostBodyType,
    ImpactReturn,
    Introduction,
    Membership,
    Moderation,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    RegionalLead,
    Role,
    TheoryOfChange,
    User,
)
from maturity.services.accounts import hash_password
from maturity.services.assessments import (
    AnswerValues,
    current_result,
    questionnaire_of,
    set_answer,
    submit_assessment,
)
from maturity.services.questionnaires import questionnaire
from maturity.services.reference import region_by_code
from maturity.services.settings import PasswordHashing

TEST_PASSWORD = "correct horse battery staple"
# Cheap argon2 costs, the same as the test app's settings (tests/conftest.py).
TEST_HASHING = PasswordHashing(time_cost=1, memory_cost=1024, parallelism=1)


@cache
def _test_password_hash() -> str:
    return hash_password(TEST_PASSWORD, TEST_HASHING)


def make_user(email: str, name: str, *, is_admin: bool = False) -> User:
    """A user who can sign in with ``TEST_PASSWORD``."""
    user = User(
        email=email,
        name=name,
        password_hash=_test_password_hash(),
        is_admin=is_admin,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_organisation(name: str, region_code: str, **overrides: object) -> Organisation:
    region = region_by_code(region_code)
    assert region is not None
    fields: dict[str, object] = {
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "region": region,
        "kind": OrganisationKind.HEALTH_AND_CARE,
        "host_body_type": HostBodyType.LOCAL_AUTHORITY,
        "delivery_mode": DeliveryMode.BLENDED,
        "status": OrganisationStatus.LIVE,
        "year_established": 2021,
    }
    fields.update(overrides)
    organisation = Organisation(**fields)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_assessment(organisation: Organisation, cycle: str, **fields: object) -> Assessment:
    """A draft assessment on the current annual questionnaire."""
    current = questionnaire("academy-maturity")
    assessment = Assessment(
        organisation=organisation,
        questionnaire_id=current.id,
        questionnaire_version=current.version,
        cycle=cycle,
        **fields,
    )
    db.session.add(assessment)
    db.session.flush()
    return assessment


@dataclass(frozen=True)
class World:
    """Emails, slugs and ids (not ORM objects, which belong to a closed session)."""

    admin: str
    regional_lead: str
    lead: str
    contributor: str
    other_lead: str
    outsider: str
    org: str
    other_org: str
    lead_membership: int
    contributor_membership: int
    other_membership: int
    assessment: int
    other_assessment: int
    action: int
    other_action: int
    impact_return: int
    other_impact_return: int
    theory: int
    other_theory: int
    case_study: int
    other_case_study: int
    token: int
    # A partner invited to ``assessment`` (and one to ``other_assessment``); a browser
    # whose session holds PARTNER_KEY for ``partner`` opens that partner's pages.
    partner: int = 0
    other_partner: int = 0


PARTNER_KEY = "test-partner-key"


def make_partners(*assessments: Assessment) -> list[int]:
    """One invited partner for each assessment, whose browser key is PARTNER_KEY (the
    first) or unknown (the others)."""
    from maturity.models import PartnerKind, PartnerRespondent, utcnow
    from maturity.services.keys import key_hash

    made = []
    for number, assessment in enumerate(assessments):
        respondent = PartnerRespondent(
            assessment_id=assessment.id,
            name=f"Pat Partner {number}",
            email=f"partner{number}@provider.example",
            kind=PartnerKind.CARE_PROVIDER,
            domain_ids=list(questionnaire("academy-maturity").domain_ids),
            named=True,
            pseudonym="Care provider 1",
            expires_at=utcnow(),
            used_at=utcnow(),
            access_key_hash=key_hash(PARTNER_KEY if number == 0 else f"unknown-{number}"),
        )
        db.session.add(respondent)
        db.session.flush()
        made.append(respondent.id)
    return made


def make_world() -> World:
    org = make_organisation("Testshire Care Academy", "north-west")
    other = make_organisation("Otherton Care Academy", "london")
    admin = make_user("admin@test.example", "Ada Admin", is_admin=True)
    regional = make_user("regional@test.example", "Reg Regional")
    region = region_by_code("north-west")
    db.session.add(RegionalLead(user=regional, region=region))
    lead = make_user("lead@test.example", "Lee Lead")
    contributor = make_user("contributor@test.example", "Con Contributor")
    other_lead = make_user("other.lead@test.example", "Otto Other")
    outsider = make_user("outsider@test.example", "Olive Outsider")
    lead_m = Membership(user=lead, organisation=org, role=Role.LEAD)
    contributor_m = Membership(user=contributor, organisation=org, role=Role.CONTRIBUTOR)
    other_m = Membership(user=other_lead, organisation=other, role=Role.LEAD)
    db.session.add_all([lead_m, contributor_m, other_m])
    assessment = make_assessment(org, "2026/27")
    other_assessment = make_assessment(other, "2026/27")
    action = ActionItem(
        organisation=org, domain_id="funding", title="Agree a funding plan", owner="Workforce lead"
    )
    other_action = ActionItem(
        organisation=other, domain_id="funding", title="Other plan", owner="Someone"
    )
    db.session.add_all([action, other_action])
    impact_returns = [
        ImpactReturn(
            organisation=owner,
            period="2025/26 Q1",
            metrics_id="impact-metrics",
            metrics_version="2026.1",
            version=1,
        )
        for owner in (org, other)
    ]
    theories = [
        TheoryOfChange(
            organisation=owner,
            cycle="2025/26",
            outcomes=[{"text": "More people in care jobs", "metric_ids": [], "domain_ids": []}],
        )
        for owner in (org, other)
    ]
    case_studies = [
        CaseStudy(
            organisation=owner,
            period="2025/26 Q1",
            title="A first job in care",
            body="A story told with consent.",
            consent_confirmed=True,
        )
        for owner in (org, other)
    ]
    db.session.add_all([*impact_returns, *theories, *case_studies])
    token = ApiToken(user=lead, name="Test token", token_hash="0" * 64, prefix="am_test")
    db.session.add(token)
    db.session.flush()
    partner, other_partner = make_partners(assessment, other_assessment)
    return World(
        partner=partner,
        other_partner=other_partner,
        admin=admin.email,
        regional_lead=regional.email,
        lead=lead.email,
        contributor=contributor.email,
        other_lead=other_lead.email,
        outsider=outsider.email,
        org=org.slug,
        other_org=other.slug,
        lead_membership=lead_m.id,
        contributor_membership=contributor_m.id,
        other_membership=other_m.id,
        assessment=assessment.id,
        other_assessment=other_assessment.id,
        action=action.id,
        other_action=other_action.id,
        impact_return=impact_returns[0].id,
        other_impact_return=impact_returns[1].id,
        theory=theories[0].id,
        other_theory=theories[1].id,
        case_study=case_studies[0].id,
        other_case_study=case_studies[1].id,
        token=token.id,
    )


def make_moderation_and_introduction(world: World) -> tuple[int, int]:
    """A moderation, by the world's region (its regional lead moderates), of a frozen
    submission of the other organisation's assessment, and a request from the other
    organisation for an introduction to the world's: their ids. Not part of the world
    itself, so that no other test finds a snapshot it did not make."""
    org = db.session.scalars(select(Organisation).where(Organisation.slug == world.org)).one()
    assessment = db.session.get_one(Assessment, world.other_assessment)
    organisation = other = assessment.organisation
    lead = other_lead = db.session.scalars(select(User).where(User.email == world.other_lead)).one()
    snapshot = AssessmentSnapshot(
        assessment=assessment,
        questionnaire_id=assessment.questionnaire_id,
        questionnaire_version=assessment.questionnaire_version,
        result=current_result(assessment, questionnaire_of(assessment)).to_dict(),
        answers=[],
        targets={},
        declaration="Test declaration",
        submitted_by=lead,
    )
    db.session.add(snapshot)
    moderation = Moderation(
        assessment=assessment,
        organisation=organisation,
        moderator_region=org.region,
        snapshot=snapshot,
        requested_by_id=lead.id,
    )
    introduction = Introduction(
        from_organisation=other,
        to_organisation=org,
        requested_by_id=other_lead.id,
        message="We would like to learn how you fund placements.",
    )
    db.session.add_all([snapshot, moderation, introduction])
    db.session.flush()
    return moderation.id, introduction.id


def soup(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_from(response: TestResponse) -> str:
    field = soup(response).find("input", attrs={"name": "csrf_token"})
    assert field is not None, "the page has no CSRF token"
    return str(field["value"])


def submit(client: FlaskClient, url: str, data: dict[str, str], **kwargs: object) -> TestResponse:
    """Open the form page, then post it as a browser would: with its CSRF token and its
    hidden fields, overlaid with ``data``."""
    page = soup(client.get(url))
    hidden: dict[str, str] = {}
    form = page.select_one("main form[method=post]") or page.find("form", attrs={"method": "post"})
    if form is not None:
        for field in form.find_all("input", attrs={"type": "hidden"}):
            if field.get("name"):
                hidden[str(field["name"])] = str(field.get("value", ""))
    # With CSRF switched off (the access-control walk) forms carry no token.
    return client.post(url, data={**hidden, **data}, **kwargs)


def sign_in(client: FlaskClient, email: str, password: str = TEST_PASSWORD) -> TestResponse:
    response = submit(client, "/sign-in", {"email": email, "password": password})
    return response


def error_messages(response: TestResponse) -> list[str]:
    """The texts in the page's error summary."""
    page = soup(response)
    return [item.get_text(strip=True) for item in page.select(".govuk-error-summary__list li")]


# --- Every page a test fetches is checked ------------------------------------------------


class PageCheckError(AssertionError):
    """A page that breaks the rules every page of the service keeps."""


def _words(text: str) -> str:
    """Text without the punctuation a title and a heading may write differently."""
    return " ".join(re.sub(r"[“”\"':–—,()]", " ", text).split()).casefold()


def check_page(response: TestResponse, service_name: str) -> None:
    """The rules every HTML page keeps, in the style of GOV.UK Notify's ``client_request``:
    exactly one h1; the title is the h1 (or the page's own title) followed by the service
    name; a page showing an error (an error status or an error summary) has a title that
    starts "Error:"."""
    if response.status_code in (301, 302, 303, 307, 308) or response.mimetype != "text/html":
        return
    page = soup(response)
    where = f"{response.request.method} {response.request.path} ({response.status_code})"
    headings = page.find_all("h1")
    if len(headings) != 1:
        raise PageCheckError(f"{where}: expected one h1, found {len(headings)}")
    h1 = " ".join(headings[0].get_text(" ", strip=True).split())
    title_tag = page.find("title")
    title = " ".join(title_tag.get_text(" ", strip=True).split()) if title_tag else ""
    if not title.endswith(f"– {service_name}"):
        raise PageCheckError(f"{where}: title {title!r} does not end with the service name")
    shows_error = response.status_code >= 400 or page.select_one(".govuk-error-summary")
    if shows_error and not title.startswith("Error: "):
        raise PageCheckError(f"{where}: an error page's title must start 'Error:': {title!r}")
    if not shows_error and title.startswith("Error"):
        raise PageCheckError(f"{where}: title says Error on a page without one: {title!r}")
    own = _words(title.removeprefix("Error: ").removesuffix(f" – {service_name}"))
    if not (own.startswith(_words(h1)) or _words(h1).startswith(own)):
        raise PageCheckError(f"{where}: title {own!r} does not begin with the h1 {h1!r}")


_URL_APP: list[Flask] = []


def use_app_for_urls(app: Flask) -> None:
    """Let ``url()`` build addresses from this app's routes (the session's test app)."""
    _URL_APP[:] = [app]


def url(endpoint: str, **values: Any) -> str:
    """The path of a page by endpoint name, as tests request pages (never a written URL)."""
    return _url_in(_URL_APP[0], endpoint, values)


def _url_in(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


class PageCheckingClient(FlaskClient):
    """The test client every test uses: each HTML page it receives passes ``check_page``,
    and ``get_page``/``post_page`` request pages by endpoint name."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:  # type: ignore[override]
        response = super().open(*args, **kwargs)
        app = self.application
        if app.config.get("CHECK_PAGES", True):
            check_page(response, app.config["SERVICE_NAME"])
        return response

    def url(self, endpoint: str, **values: Any) -> str:
        return _url_in(self.application, endpoint, values)

    def get_page(
        self,
        endpoint: str,
        *,
        expected: int = 200,
        query: dict[str, Any] | None = None,
        **values: Any,
    ) -> TestResponse:
        """GET a page by endpoint name and assert its status."""
        response = self.get(self.url(endpoint, **values), query_string=query)
        assert response.status_code == expected, (endpoint, values, response.status_code)
        return response

    def post_page(
        self, endpoint: str, data: dict[str, str], *, expected: int | None = None, **values: Any
    ) -> TestResponse:
        """Open a form page by endpoint name and post it as a browser would (``submit``)."""
        response = submit(self, self.url(endpoint, **values), data)
        if expected is not None:
            assert response.status_code == expected, (endpoint, values, response.status_code)
        return response


def field_errors(response: TestResponse) -> dict[str, str]:
    """The error summary's messages by the field each links to ({field id: message})."""
    page = soup(response)
    return {
        str(link["href"]).removeprefix("#"): link.get_text(strip=True)
        for link in page.select(".govuk-error-summary__list a[href^='#']")
    }


def statements_for(app: Flask, client: FlaskClient, url: str) -> int:
    """How many SQL statements a GET of ``url`` runs (the page must answer 200)."""
    count = 0

    def counter(*_args: Any, **_kwargs: Any) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    assert response.status_code == 200, url
    return count


def answer_all(app: Flask, assessment_id: int, level: int, *, then_submit: bool = True) -> None:
    """Every question answered at ``level`` by the world's lead, then (unless told not
    to) the assessment submitted through the service, not the submit page."""
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == "lead@test.example"))
        assessment = db.session.get(Assessment, assessment_id)
        assert lead is not None and assessment is not None
        for domain in questionnaire("academy-maturity").domains:
            for indicator in domain.indicators:
                set_answer(assessment, indicator.id, AnswerValues(level=level), lead)
        if then_submit:
            submit_assessment(assessment, lead, declared=True)
        db.session.commit()
