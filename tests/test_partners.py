"""Partner views: partners answer on their own through a single-use link; the lead sees
where their views differ, records the agreed answers, and only those are scored."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import disclosure
from maturity.models import (
    AnswerRecord,
    Assessment,
    AuditEvent,
    Moderation,
    Organisation,
    PartnerAnswer,
    PartnerRespondent,
    PartnerSnapshot,
    User,
    utcnow,
)
from maturity.services import assessments as assessment_service
from maturity.services import partners
from maturity.services.keys import key_hash
from tests.helpers import World, error_messages, sign_in, soup, submit, url

HOSTILE = '<script>alert("x")</script>=HYPERLINK("http://evil.example")'


def _text(response: object) -> str:
    return " ".join(soup(response).get_text(" ", strip=True).split())  # type: ignore[arg-type]


def _invite(
    client: FlaskClient,
    world: World,
    name: str,
    email: str,
    kind: str = "care_provider",
    *,
    named: bool = True,
    domains: list[str] | None = None,
) -> str:
    """Invite a partner as the signed-in lead; the path of their link."""
    data: dict[str, object] = {
        "name": name,
        "email": email,
        "kind": kind,
        "named": "named" if named else "kind",
    }
    if domains:
        data["domains"] = domains
    response = submit(
        client,
        url("partners.invite", slug=world.org, assessment_id=world.assessment),
        data,  # type: ignore[arg-type]
    )
    assert response.status_code == 200, error_messages(response)
    link = soup(response).select_one("a.partner-link")
    assert link is not None, "the lead is shown the link when no email server is set up"
    return urlsplit(str(link["href"])).path


def _follow(app: Flask, path: str) -> tuple[FlaskClient, int]:
    """A new browser follows the link and starts; the partner's id."""
    partner = app.test_client()
    assert partner.get(path).status_code == 200
    response = submit(partner, path, {})
    assert response.status_code == 302, response.status_code
    respondent_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return partner, respondent_id


def _submit_response(client: FlaskClient, respondent_id: int) -> int:
    """The partner presses "Submit my answers"; the response status."""
    page = client.get(url("partners.respond", respondent_id=respondent_id))
    field = soup(page).find("input", attrs={"name": "csrf_token"})
    assert field is not None
    response = client.post(
        url("partners.submit_response", respondent_id=respondent_id),
        data={"csrf_token": str(field["value"])},
    )
    return response.status_code


def _give(
    client: FlaskClient,
    respondent_id: int,
    level: int,
    evidence: str = "",
    more: dict[str, str] | None = None,
) -> None:
    """Answer the first funding question (and ``more`` fields of the section) and submit."""
    response = submit(
        client,
        url("partners.respond_domain", respondent_id=respondent_id, domain_id="funding"),
        {
            "level-core-funding": str(level),
            "evidence-core-funding": evidence,
            "action": "later",
            **(more or {}),
        },
    )
    assert response.status_code == 302, error_messages(response)
    assert _submit_response(client, respondent_id) == 302


@pytest.fixture
def lead(client: FlaskClient, world: World) -> FlaskClient:
    sign_in(client, world.lead)
    return client


def test_the_link_is_single_use_hashed_and_opens_only_that_partners_questions(
    app: Flask, lead: FlaskClient, world: World
) -> None:
    path = _invite(lead, world, "Priya Provider", "Priya@Provider.example", domains=["funding"])
    token = path.rstrip("/").split("/")[-1]
    with app.app_context():
        stored = db.session.scalar(
            select(PartnerRespondent).where(PartnerRespondent.email == "priya@provider.example")
        )
        assert stored is not None
        assert stored.token_hash == key_hash(token)
        assert token not in repr(db.session.execute(select(PartnerRespondent.__table__)).all()), (
            "only the link's hash is kept"
        )
    # Opening the link (a mail scanner does) does not use it up; starting does.
    partner, respondent_id = _follow(app, path)
    again = app.test_client()
    response = again.get(path)
    assert response.status_code == 404
    assert "no longer valid" in _text(response)
    # The partner sees their own sections only, and none of the organisation's pages.
    page = partner.get(url("partners.respond", respondent_id=respondent_id))
    assert page.headers["Cache-Control"] == "no-store"
    assert "Funding" in _text(page)
    assert (
        partner.get(
            url("partners.respond_domain", respondent_id=respondent_id, domain_id="leadership")
        ).status_code
        == 404
    )
    for endpoint in ("assessments.task_list", "results.results", "partners.compare"):
        response = partner.get(url(endpoint, slug=world.org, assessment_id=world.assessment))
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    # Another browser, and another partner's key, get nothing.
    assert again.get(url("partners.respond", respondent_id=respondent_id)).status_code == 403
    assert partner.get(url("partners.respond", respondent_id=world.partner)).status_code == 403
    # Nor does the lead: a partner's page is theirs alone.
    assert lead.get(url("partners.respond", respondent_id=respondent_id)).status_code == 403


def test_an_expired_or_withdrawn_link_does_not_work(
    app: Flask, lead: FlaskClient, world: World
) -> None:
    path = _invite(lead, world, "Ed Expired", "ed@college.example", "education")
    with app.app_context():
        respondent = db.session.scalar(
            select(PartnerRespondent).where(PartnerRespondent.email == "ed@college.example")
        )
        assert respondent is not None
        respondent.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert app.test_client().get(path).status_code == 404
    # A reminder sends a new link, and the old one stays dead.
    response = submit(
        lead, url("partners.index", slug=world.org, assessment_id=world.assessment), {}
    )
    response = lead.post(
        url("partners.remind", slug=world.org, assessment_id=world.assessment),
        data={"csrf_token": _csrf(lead, world)},
    )
    assert response.status_code == 200
    fresh = [urlsplit(str(a["href"])).path for a in soup(response).select("a.partner-link")]
    assert path not in fresh and len(fresh) == 2  # Ed and the world's partner
    assert app.test_client().get(path).status_code == 404
    with app.app_context():
        reminded = db.session.scalars(
            select(AuditEvent.subject_email).where(AuditEvent.action == "partner_reminded")
        ).all()
    assert "ed@college.example" in reminded


def _csrf(client: FlaskClient, world: World) -> str:
    page = client.get(url("partners.index", slug=world.org, assessment_id=world.assessment))
    field = soup(page).find("input", attrs={"name": "csrf_token"})
    assert field is not None
    return str(field["value"])


def test_a_partner_saves_as_they_go_and_their_submitted_answers_are_read_only(
    app: Flask, lead: FlaskClient, world: World
) -> None:
    partner, respondent_id = _follow(app, _invite(lead, world, "Nell NHS", "nell@nhs.example"))
    response = submit(
        partner,
        url("partners.respond_domain", respondent_id=respondent_id, domain_id="funding"),
        {
            "level-core-funding": "2",
            "evidence-core-funding": "Seen at the board",
            "action": "later",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalar(
            select(PartnerAnswer).where(PartnerAnswer.respondent_id == respondent_id)
        )
        assert saved is not None and saved.level == 2
        # A partner's answer is never the assessment's answer.
        assert (
            db.session.scalar(
                select(AnswerRecord).where(AnswerRecord.assessment_id == world.assessment)
            )
            is None
        )
    # Not submitted yet: the lead does not see it.
    assert "Nell NHS" not in _text(
        lead.get(url("partners.compare", slug=world.org, assessment_id=world.assessment))
    )
    domain_page = partner.get(
        url("partners.respond_domain", respondent_id=respondent_id, domain_id="funding")
    )
    token = soup(domain_page).find("input", attrs={"name": "csrf_token"})
    assert token is not None
    assert _submit_response(partner, respondent_id) == 302
    page = partner.get(url("partners.respond", respondent_id=respondent_id))
    assert "They are read-only" in _text(page)
    # A late post changes nothing.
    response = partner.post(
        url("partners.respond_domain", respondent_id=respondent_id, domain_id="funding"),
        data={"level-core-funding": "5", "csrf_token": str(token["value"])},
    )
    assert response.status_code == 302
    with app.app_context():
        kept = db.session.scalar(
            select(PartnerAnswer).where(PartnerAnswer.respondent_id == respondent_id)
        )
        assert kept is not None and kept.level == 2


def test_the_lead_sees_the_widest_disagreement_first_and_response_rates(
    app: Flask, lead: FlaskClient, world: World
) -> None:
    low, low_id = _follow(app, _invite(lead, world, "Lou Low", "lou@care.example"))
    high, high_id = _follow(app, _invite(lead, world, "Hal High", "hal@care.example"))
    _invite(lead, world, "Nat NotYet", "nat@care.example")
    # A one-level difference on another question comes after the three-level one.
    _give(low, low_id, 1, "No funding beyond this year", {"level-funding-duration": "2"})
    _give(high, high_id, 4, "Three-year funding agreed", {"level-funding-duration": "3"})
    page = lead.get(url("partners.compare", slug=world.org, assessment_id=world.assessment))
    text = _text(page)
    assert "2 of 4 care providers answered" in text  # the world's partner is a provider too
    sections = soup(page).select("section.app-indicator")
    assert sections[0]["id"] == "question-core-funding"
    assert "Views differ by 3 levels" in sections[0].get_text(" ", strip=True)
    assert sections[1]["id"] == "question-funding-duration"
    assert "Views differ by 1 level" in sections[1].get_text(" ", strip=True)
    assert "No funding beyond this year" in text and "Three-year funding agreed" in text
    # Before submitting, a partner sees nobody else's answers.
    assert "Three-year funding agreed" not in _text(
        low.get(url("partners.respond", respondent_id=low_id))
    )


def test_only_the_agreed_answer_is_scored_and_results_show_the_agreement(
    app: Flask, lead: FlaskClient, world: World
) -> None:
    people = [
        _follow(app, _invite(lead, world, f"Provider {n}", f"p{n}@care.example")) for n in range(3)
    ]
    nhs, nhs_id = _follow(app, _invite(lead, world, "Nia NHS", "nia@nhs.example", "nhs"))
    for (client, respondent_id), level in zip(people, (1, 3, 3), strict=True):
        _give(client, respondent_id, level)
    _give(nhs, nhs_id, 5)
    with app.app_context():
        assessment = db.session.get_one(Assessment, world.assessment)
        questionnaire = assessment_service.questionnaire_of(assessment)
        before = assessment_service.current_result(assessment, questionnaire)
        assert before.overall.score is None, "partner answers are never scored"
    agree_url = url(
        "partners.agree",
        slug=world.org,
        assessment_id=world.assessment,
        indicator_id="core-funding",
    )
    response = submit(lead, agree_url, {"level": "2", "note": ""})
    assert "Enter how the answer was agreed" in error_messages(response)
    response = submit(lead, agree_url, {"level": "2", "note": "Agreed at steering group, 12 March"})
    assert response.status_code == 302
    with app.app_context():
        record = db.session.scalar(
            select(AnswerRecord).where(
                AnswerRecord.assessment_id == world.assessment,
                AnswerRecord.indicator_id == "core-funding",
            )
        )
        assert record is not None and record.level == 2
        lead_user = db.session.scalar(select(User).where(User.email == world.lead))
        assessment = db.session.get_one(Assessment, world.assessment)
        snapshot = assessment_service.submit_assessment(assessment, lead_user, declared=True)
        kept = db.session.scalar(
            select(PartnerSnapshot).where(PartnerSnapshot.snapshot_id == snapshot.id)
        )
        assert kept is not None and kept.partners_answered == 4
        assert snapshot.result["domains"]  # scored from the agreed answer only
        funding = next(d for d in snapshot.result["domains"] if d["domain_id"] == "funding")
        assert funding["score"] == 2
        db.session.commit()
    page = lead.get(url("results.results", slug=world.org, assessment_id=world.assessment))
    text = _text(page)
    # Three providers are named as a kind; the one NHS body is pooled (small numbers).
    assert "Agreed with 4 partners (3 care providers and 1 other partner)" in text
    assert "Where views differed" in text
    assert "Agreed at steering group, 12 March" in text
    assert "NHS" not in soup(page).select_one("#partners-agreed").get_text()

    # A moderator of the submission sees the same partner views, by kind, never by name.
    submit(
        lead,
        url("moderation.ask", slug=world.org),
        {"assessment": str(world.assessment), "moderator": "region"},
    )
    with app.app_context():
        moderation_id = db.session.scalar(
            select(Moderation.id).where(Moderation.assessment_id == world.assessment)
        )
    moderator = app.test_client()
    sign_in(moderator, world.regional_lead)
    review = _text(moderator.get(url("moderation.review", moderation_id=moderation_id)))
    assert "Agreed with 4 partners (3 care providers and 1 other partner)" in review
    assert "Agreed at steering group, 12 March" in review
    assert "Nia NHS" not in review and "Provider 1" not in review


def test_small_numbers_of_a_kind_are_pooled_outside_the_lead_pages() -> None:
    assert disclosure.MINIMUM_GROUP == 3
    assert partners.kinds_text(["nhs", "nhs", "care_provider"]) == "3 other partners"
    assert partners.kinds_text(["nhs"] * 3 + ["voluntary"]) == "3 NHS bodies and 1 other partner"


def test_exports_pseudonymise_unnamed_partners_and_defuse_hostile_text(
    app: Flask, lead: FlaskClient, world: World
) -> None:
    client, respondent_id = _follow(
        app, _invite(lead, world, "Secret Name", "secret@care.example", named=False)
    )
    _give(client, respondent_id, 2, HOSTILE)
    page = lead.get(url("partners.compare", slug=world.org, assessment_id=world.assessment))
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "Secret Name" not in _text(page) and "Care provider 2" in _text(page)
    response = lead.get(
        url("partners.export", slug=world.org, assessment_id=world.assessment, fmt="csv")
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    row = next(r for r in rows if "Care provider 2" in r)
    assert "Secret Name" not in response.get_data(as_text=True)
    evidence = row[rows[0].index("Evidence")]
    assert evidence == HOSTILE  # starts with "<", kept as text
    # A cell starting with "=" is made safe.
    with app.app_context():
        answer = db.session.scalar(
            select(PartnerAnswer).where(PartnerAnswer.respondent_id == respondent_id)
        )
        assert answer is not None
        answer.evidence_note = "=HYPERLINK(1)"
        db.session.commit()
    response = lead.get(
        url("partners.export", slug=world.org, assessment_id=world.assessment, fmt="csv")
    )
    assert "'=HYPERLINK(1)" in response.get_data(as_text=True)
    xlsx = lead.get(
        url("partners.export", slug=world.org, assessment_id=world.assessment, fmt="xlsx")
    )
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    # Contributors see neither the comparison nor the export.
    other = app.test_client()
    sign_in(other, world.contributor)
    assert (
        other.get(
            url("partners.export", slug=world.org, assessment_id=world.assessment, fmt="csv")
        ).status_code
        == 403
    )


def test_removing_a_partner_keeps_their_answers_unless_deleted_which_is_audited(
    app: Flask, lead: FlaskClient, world: World
) -> None:
    first, first_id = _follow(app, _invite(lead, world, "Kept Answers", "kept@care.example"))
    second, second_id = _follow(app, _invite(lead, world, "Gone Answers", "gone@care.example"))
    _give(first, first_id, 2)
    _give(second, second_id, 4)
    remove = "partners.remove"
    response = submit(
        lead,
        url(remove, slug=world.org, assessment_id=world.assessment, respondent_id=first_id),
        {},
    )
    assert response.status_code == 302
    response = submit(
        lead,
        url(remove, slug=world.org, assessment_id=world.assessment, respondent_id=second_id),
        {"delete_answers": "y"},
    )
    assert response.status_code == 302
    # Their access ends.
    assert first.get(url("partners.respond", respondent_id=first_id)).status_code == 403
    page = lead.get(url("partners.compare", slug=world.org, assessment_id=world.assessment))
    text = " ".join(section.get_text(" ") for section in soup(page).select("section"))
    assert "Kept Answers" in text and "Gone Answers" not in text
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("partner_%"))
        ).all()
        assert actions.count("partner_removed") == 2
        assert actions.count("partner_answers_deleted") == 1


def test_a_partner_sees_the_agreed_answers_only_once_shared(
    app: Flask, lead: FlaskClient, world: World
) -> None:
    client, respondent_id = _follow(
        app, _invite(lead, world, "Sam Shared", "sam@vcs.example", "voluntary")
    )
    _give(client, respondent_id, 3)
    submit(
        lead,
        url(
            "partners.agree",
            slug=world.org,
            assessment_id=world.assessment,
            indicator_id="core-funding",
        ),
        {"level": "4", "note": "Agreed by email"},
    )
    page = _text(client.get(url("partners.respond", respondent_id=respondent_id)))
    assert "Agreed:" not in page and "has not shared" in page
    # A hostile note is shown as text on the lead's and the results pages.
    submit(
        lead,
        url(
            "partners.agree",
            slug=world.org,
            assessment_id=world.assessment,
            indicator_id="core-funding",
        ),
        {"level": "4", "note": HOSTILE},
    )
    for endpoint in ("partners.compare", "results.results"):
        html = lead.get(url(endpoint, slug=world.org, assessment_id=world.assessment)).get_data(
            as_text=True
        )
        assert "<script>alert" not in html, endpoint
        assert "&lt;script&gt;alert" in html or endpoint == "results.results"
    lead.post(
        url("partners.share", slug=world.org, assessment_id=world.assessment),
        data={"csrf_token": _csrf(lead, world), "shared": "yes"},
    )
    page = _text(client.get(url("partners.respond", respondent_id=respondent_id)))
    assert "Agreed: 4." in page


def test_the_demo_academy_has_fictional_partner_views_that_differ_on_funding(
    app: Flask, runner: object
) -> None:
    result = runner.invoke(args=["maturity", "seed-demo"])  # type: ignore[attr-defined]
    assert result.exit_code == 0, result.output
    client = app.test_client()
    sign_in(client, "lead@riverside.example.org", "fictional-demo-account")
    with app.app_context():
        assessment = db.session.scalar(
            select(Assessment)
            .join(Assessment.organisation)
            .where(Assessment.status == "draft", Assessment.questionnaire_id == "academy-maturity")
            .where(Assessment.organisation.has(name="Riverside Care Academy (demo)"))
        )
        assert assessment is not None
        slug, assessment_id = assessment.organisation.slug, assessment.id
        respondents = partners.respondents_of(assessment)
        assert all("(demo" in r.name for r in respondents)
        assert sum(1 for r in respondents if r.submitted_at) == 5
    page = client.get(url("partners.compare", slug=slug, assessment_id=assessment_id))
    text = _text(page)
    assert "3 of 4 care providers answered" in text
    assert "fictional" in text.lower()
    first = soup(page).select("section.app-indicator")[0]
    assert first["id"] == "question-core-funding"
    assert "Views differ by 3 levels" in first.get_text(" ", strip=True)
    assert "Agreed at the partnership steering group" in first.get_text(" ", strip=True)
    # Seeding again adds nobody.
    assert runner.invoke(args=["maturity", "seed-demo"]).exit_code == 0  # type: ignore[attr-defined]
    with app.app_context():
        assert len(partners.respondents_of(db.session.get_one(Assessment, assessment_id))) == 6


def test_a_regional_lead_can_keep_to_assessments_agreed_with_three_partners(
    app: Flask, client: FlaskClient, world: World
) -> None:
    from maturity.models import PartnerKind
    from maturity.services.assessments import AnswerValues, set_answer, submit_assessment
    from maturity.services.regional.filters import parse_filters
    from maturity.services.regional.rows import score_rows
    from tests.helpers import make_assessment, make_organisation

    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assert lead is not None
        made = {}
        for name, answered in (("Three Partners", 3), ("Two Partners", 2), ("No Partners", 0)):
            organisation = make_organisation(f"{name} Academy", "north-west")
            assessment = make_assessment(organisation, "2025/26")
            set_answer(assessment, "core-funding", AnswerValues(level=3), lead)
            for number in range(answered):
                respondent = PartnerRespondent(
                    assessment_id=assessment.id,
                    name=f"Partner {number}",
                    email=f"p{number}@{organisation.slug}.example",
                    kind=PartnerKind.NHS,
                    domain_ids=["funding"],
                    named=True,
                    pseudonym=f"NHS body {number + 1}",
                    expires_at=utcnow(),
                    submitted_at=utcnow(),
                )
                db.session.add(respondent)
                db.session.flush()
                db.session.add(
                    PartnerAnswer(respondent_id=respondent.id, indicator_id="core-funding", level=3)
                )
            submit_assessment(assessment, lead, declared=True)
            made[name] = organisation.id
        db.session.commit()
        agreed = parse_filters({"cycle": "2025/26", "partners": "agreed"})
        assert agreed.partners and "agreed with at least 3 partners" in agreed.describe()
        region = db.session.get_one(Organisation, made["No Partners"]).region
        everyone = {
            row.organisation_id
            for row in score_rows(parse_filters({"cycle": "2025/26"}), region=region)
        }
        kept = {row.organisation_id for row in score_rows(agreed, region=region)}
    assert set(made.values()) <= everyone
    assert kept == {made["Three Partners"]}
    sign_in(client, world.regional_lead)
    page = client.get(url("regional.region", code="north-west", cycle="2025/26", partners="agreed"))
    assert page.status_code == 200
    box = soup(page).find("input", attrs={"name": "partners"})
    assert box is not None and box.has_attr("checked")
