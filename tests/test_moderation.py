"""Moderation and peer introductions, through the pages, as each person sees them."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import (
    AnswerRecord,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    Introduction,
    IntroductionStatus,
    Membership,
    Moderation,
    ModerationStatus,
    Role,
    utcnow,
)
from maturity.services import accounts
from maturity.services import introductions as introductions_service
from maturity.services.assessments import submit_assessment
from maturity.services.organisations import organisation_by_slug
from maturity.services.questionnaires import questionnaire
from tests.helpers import (
    World,
    csrf_from,
    error_messages,
    make_assessment,
    make_moderation_and_introduction,
    make_organisation,
    make_user,
    sign_in,
    soup,
    url,
)

HOSTILE = '<script>alert("x")</script> =HYPERLINK("http://evil.example")'


def _submitted(app: Flask, world: World, *, level: int = 3, note: str = "Minutes of board") -> int:
    """A submitted 2025/26 assessment of the world's organisation, every question at
    ``level`` with an evidence note."""
    with app.app_context():
        organisation = organisation_by_slug(world.org)
        lead = accounts.user_by_email(world.lead)
        assert lead is not None
        assessment = make_assessment(organisation, "2025/26")
        for domain in questionnaire("academy-maturity").domains:
            for indicator in domain.indicators:
                db.session.add(
                    AnswerRecord(
                        assessment_id=assessment.id,
                        indicator_id=indicator.id,
                        level=level,
                        evidence_note=note,
                        evidence_url="https://evidence.example/board",
                        version=1,
                        updated_by_id=lead.id,
                    )
                )
        db.session.flush()
        submit_assessment(assessment, lead, declared=True)
        db.session.commit()
        return assessment.id


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, email)
    return client


def _ask(client: FlaskClient, world: World, assessment_id: int, moderator: str = "region") -> int:
    response = client.post_page(
        "moderation.ask",
        {"assessment": str(assessment_id), "moderator": moderator},
        slug=world.org,
    )
    assert response.status_code == 302, error_messages(response)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _review_all(
    client: FlaskClient, moderation_id: int, challenged: dict[str, tuple[str, str]]
) -> None:
    for domain in questionnaire("academy-maturity").domains:
        data = {"verdict": "agreed", "comment": "", "expected_level": ""}
        if domain.id in challenged:
            comment, level = challenged[domain.id]
            data = {"verdict": "challenged", "comment": comment, "expected_level": level}
        response = client.post_page(
            "moderation.section", data, moderation_id=moderation_id, domain_id=domain.id
        )
        assert response.status_code == 302, error_messages(response)
    page = client.get_page("moderation.review", moderation_id=moderation_id)
    response = client.post(
        url("moderation.send_back", moderation_id=moderation_id),
        data={"csrf_token": csrf_from(page)},
    )
    assert response.status_code == 302


def _challenge_ids(app: Flask, moderation_id: int) -> dict[str, int]:
    with app.app_context():
        moderation = db.session.get_one(Moderation, moderation_id)
        return {r.domain_id: r.id for r in moderation.reviews if r.verdict == "challenged"}


def _made(app: Flask, world: World) -> tuple[int, int]:
    """The ids of a moderation (of the other organisation's assessment, by the world's
    region) and an introduction (from the other organisation to the world's)."""
    with app.app_context():
        made = make_moderation_and_introduction(world)
        db.session.commit()
    return made


def test_moderation_of_an_unsubmitted_assessment_is_refused_clearly(
    app: Flask, world: World
) -> None:
    lead = _client(app, world.lead)
    response = lead.post_page(
        "moderation.ask",
        {"assessment": str(world.assessment), "moderator": "region"},
        slug=world.org,
    )
    assert response.status_code == 200
    assert error_messages(response) == [
        "The 2026/27 assessment has not been submitted. Submit it before asking for moderation"
    ]
    with app.app_context():
        assert (
            db.session.scalar(
                select(Moderation.id).where(Moderation.assessment_id == world.assessment)
            )
            is None
        )


def test_request_moderate_respond_and_the_badge(app: Flask, world: World) -> None:
    assessment_id = _submitted(app, world)
    lead = _client(app, world.lead)
    moderation_id = _ask(lead, world, assessment_id)

    # Only the named moderator (the region's lead) may moderate: not the academy, another
    # academy's lead or an administrator.
    for email in (world.lead, world.other_lead, world.admin, world.contributor):
        client = _client(app, email)
        assert client.get(url("moderation.review", moderation_id=moderation_id)).status_code == 403
        domain_url = url("moderation.section", moderation_id=moderation_id, domain_id="funding")
        assert client.post(domain_url, data={"verdict": "agreed"}).status_code in (400, 403)

    moderator = _client(app, world.regional_lead)
    inbox = moderator.get_page("moderation.inbox")
    assert "Testshire Care Academy" in inbox.get_data(as_text=True)
    review = moderator.get_page("moderation.review", moderation_id=moderation_id)
    text = review.get_data(as_text=True)
    assert "Minutes of board" in text and "https://evidence.example/board" in text
    # Sending back before every section is reviewed is refused.
    moderator.post(
        url("moderation.send_back", moderation_id=moderation_id),
        data={"csrf_token": csrf_from(review)},
    )
    with app.app_context():
        assert db.session.get_one(Moderation, moderation_id).status == ModerationStatus.REQUESTED

    refused = moderator.post_page(
        "moderation.section",
        {"verdict": "challenged", "comment": "", "expected_level": ""},
        moderation_id=moderation_id,
        domain_id="funding",
    )
    assert "Enter why you challenge this level" in error_messages(refused)
    _review_all(
        moderator,
        moderation_id,
        {"funding": (HOSTILE, "2"), "impact": ("No destination data yet", "2")},
    )
    challenge = _challenge_ids(app, moderation_id)

    # The academy sees the challenges, the hostile comment escaped.
    thread = lead.get_page("moderation.thread", slug=world.org, moderation_id=moderation_id)
    html = thread.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "Waiting for the academy" in html

    # Accepting one reopens the assessment, the challenge as the reason.
    response = lead.post_page(
        "moderation.respond",
        {"response": "accepted", "explanation": ""},
        slug=world.org,
        moderation_id=moderation_id,
        review_id=challenge["funding"],
    )
    assert response.status_code == 302, error_messages(response)
    # Keeping the other needs an explanation.
    refused = lead.post_page(
        "moderation.respond",
        {"response": "explained", "explanation": " "},
        slug=world.org,
        moderation_id=moderation_id,
        review_id=challenge["impact"],
    )
    assert error_messages(refused) == ["Enter why you keep your answer"]
    lead.post_page(
        "moderation.respond",
        {"response": "explained", "explanation": "Destinations are tracked by the college"},
        slug=world.org,
        moderation_id=moderation_id,
        review_id=challenge["impact"],
    )
    with app.app_context():
        assessment = db.session.get_one(Assessment, assessment_id)
        assert assessment.status == AssessmentStatus.DRAFT
        reopened = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "assessment_reopened")
        ).all()[-1]
        reason = reopened.detail["reason"]
        assert reason.startswith("Accepted the moderation challenge from North West on Funding")
        assert HOSTILE in reason
        # The thread is kept through reopening; not moderated until submitted again.
        moderation = db.session.get_one(Moderation, moderation_id)
        assert moderation.status == ModerationStatus.RESPONDING
        assert len(moderation.reviews) == len(questionnaire("academy-maturity").domains)
    results = lead.get_page("results.results", slug=world.org, assessment_id=assessment_id)
    assert "Moderated by" not in results.get_data(as_text=True)

    # The lead changes the funding answers and submits again: now it is moderated.
    with app.app_context():
        for record in db.session.scalars(
            select(AnswerRecord).where(AnswerRecord.assessment_id == assessment_id)
        ):
            if record.indicator_id in {
                i.id for i in questionnaire("academy-maturity").domain("funding").indicators
            }:
                record.level = 2
        lead_user = accounts.user_by_email(world.lead)
        assert lead_user is not None
        submit_assessment(db.session.get_one(Assessment, assessment_id), lead_user, declared=True)
        db.session.commit()
        moderation = db.session.get_one(Moderation, moderation_id)
        assert moderation.status == ModerationStatus.MODERATED
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {
            "moderation_requested",
            "moderation_section_reviewed",
            "moderation_returned",
            "moderation_challenge_answered",
            "assessment_moderated",
        } <= actions

    results = lead.get_page("results.results", slug=world.org, assessment_id=assessment_id)
    page = soup(results)
    banner = page.select_one("#moderation")
    assert banner is not None
    words = " ".join(banner.get_text(" ").split())
    assert "Moderated by North West on" in words
    assert "Funding and sustainability : changed from Strategic to Compliant" in words
    assert "Destinations are tracked by the college" in words
    assert "<script>alert" not in results.get_data(as_text=True)


def test_a_peer_academy_moderates_once_it_opts_in(app: Flask, world: World) -> None:
    assessment_id = _submitted(app, world)
    other = _client(app, world.other_lead)
    lead = _client(app, world.lead)
    page = lead.get_page("moderation.ask", slug=world.org)
    assert "Otherton Care Academy" not in page.get_data(as_text=True)
    refused = lead.post_page(
        "moderation.ask",
        {"assessment": str(assessment_id), "moderator": world.other_org},
        slug=world.org,
    )
    assert error_messages(refused) == ["Select who should moderate it"]

    response = other.post_page("moderation.offer", {"offers": "yes"}, slug=world.other_org)
    assert response.status_code == 302
    moderation_id = _ask(lead, world, assessment_id, world.other_org)
    # The peer's lead moderates; the academy's regional lead is not the named moderator.
    assert (
        _client(app, world.regional_lead)
        .get(url("moderation.review", moderation_id=moderation_id))
        .status_code
        == 403
    )
    review = other.get_page("moderation.review", moderation_id=moderation_id)
    # The moderator sees the submission, never the academy's results or its other pages.
    html = review.get_data(as_text=True)
    assert "Minutes of board" in html
    assert url("results.results", slug=world.org, assessment_id=assessment_id) not in html
    assert (
        other.get(url("results.results", slug=world.org, assessment_id=assessment_id)).status_code
        == 403
    )
    _review_all(other, moderation_id, {})
    with app.app_context():
        moderation = db.session.get_one(Moderation, moderation_id)
        assert moderation.status == ModerationStatus.MODERATED
    results = lead.get_page("results.results", slug=world.org, assessment_id=assessment_id)
    text = " ".join(soup(results).get_text(" ").split())
    assert "Moderated by Otherton Care Academy on" in text
    assert "The moderator agreed with every section" in text


def test_a_moderation_is_not_found_through_another_academy(app: Flask, world: World) -> None:
    moderation_id, _ = _made(app, world)  # of the other organisation's assessment
    other = _client(app, world.other_lead)
    other.get_page("moderation.thread", slug=world.other_org, moderation_id=moderation_id)
    lead = _client(app, world.lead)
    lead.get_page("moderation.thread", slug=world.org, moderation_id=moderation_id, expected=404)
    other.get_page("moderation.thread", slug=world.org, moderation_id=moderation_id, expected=403)
    # The academy's regional lead moderates it but is not one of its members.
    regional = _client(app, world.regional_lead)
    regional.get_page("moderation.review", moderation_id=moderation_id)
    regional.get_page(
        "moderation.thread", slug=world.other_org, moderation_id=moderation_id, expected=403
    )


# --- Introductions ------------------------------------------------------------------------


def test_ask_for_an_introduction_accept_and_contacts_are_shown(app: Flask, world: World) -> None:
    other = _client(app, world.other_lead)
    response = other.post_page(
        "introductions.ask", {"message": HOSTILE}, slug=world.other_org, to_slug=world.org
    )
    assert response.status_code == 302, error_messages(response)
    with app.app_context():
        asked = db.session.scalars(select(Introduction).order_by(Introduction.id.desc())).first()
        assert asked is not None
        introduction_id = asked.id

    # Before accepting, neither side sees the other's email address.
    lead = _client(app, world.lead)
    received = lead.get_page("introductions.index", slug=world.org).get_data(as_text=True)
    assert world.other_lead not in received
    assert "&lt;script&gt;" in received and "<script>alert" not in received
    sent = other.get_page("introductions.index", slug=world.other_org).get_data(as_text=True)
    assert world.lead not in sent

    # Only a lead of the academy asked may reply: not the asker, an administrator or a
    # contributor.
    for email in (world.other_lead, world.admin, world.contributor):
        assert (
            _client(app, email)
            .get(url("introductions.reply", introduction_id=introduction_id))
            .status_code
            == 403
        )
    response = lead.post_page(
        "introductions.reply", {"answer": "accept"}, introduction_id=introduction_id
    )
    assert response.status_code == 302
    received = lead.get_page("introductions.index", slug=world.org).get_data(as_text=True)
    assert world.other_lead in received and "Otto Other" in received
    sent = other.get_page("introductions.index", slug=world.other_org).get_data(as_text=True)
    assert world.lead in sent and "Lee Lead" in sent
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action)))
        assert "introduction_requested" in actions and "introduction_accepted" in actions


def test_a_declined_introduction_reveals_nothing(app: Flask, world: World) -> None:
    _, introduction_id = _made(app, world)
    lead = _client(app, world.lead)
    lead.post_page("introductions.reply", {"answer": "decline"}, introduction_id=introduction_id)
    sent = _client(app, world.other_lead).get_page("introductions.index", slug=world.other_org)
    text = sent.get_data(as_text=True)
    assert "Not taken up" in text
    assert world.lead not in text and "Lee Lead" not in text
    with app.app_context():
        found = db.session.get_one(Introduction, introduction_id)
        assert found.status == IntroductionStatus.DECLINED


def test_introductions_are_limited(app: Flask, world: World) -> None:
    with app.app_context():
        asking = organisation_by_slug(world.org)
        user = accounts.user_by_email(world.lead)
        assert user is not None
        others = []
        for number in range(5):
            organisation = make_organisation(f"Peer {number} Academy", "london")
            peer_lead = make_user(f"peer{number}@test.example", f"Peer Lead {number}")
            db.session.add(Membership(user=peer_lead, organisation=organisation, role=Role.LEAD))
            others.append(organisation)
        db.session.flush()
        for organisation in others[:3]:
            introductions_service.ask(asking, organisation, user, "Hello")
        db.session.commit()
        slugs = [organisation.slug for organisation in others]
    lead = _client(app, world.lead)
    refused = lead.post_page(
        "introductions.ask", {"message": "Hello"}, slug=world.org, to_slug=slugs[3]
    )
    assert error_messages(refused) == [
        "You have 3 requests waiting for a reply. Wait for one to be answered before asking again"
    ]
    again = lead.post_page("introductions.ask", {"message": "Hi"}, slug=world.org, to_slug=slugs[0])
    assert error_messages(again) == ["You have already asked Peer 0 Academy. Wait for their reply"]
    # Five in a day at most, even when earlier ones were answered.
    with app.app_context():
        for found in db.session.scalars(select(Introduction)):
            found.status = IntroductionStatus.DECLINED
        asking = organisation_by_slug(world.org)
        user = accounts.user_by_email(world.lead)
        assert user is not None
        introductions_service.ask(asking, organisation_by_slug(slugs[3]), user, "Hello")
        introductions_service.ask(asking, organisation_by_slug(slugs[4]), user, "Hello")
        db.session.commit()
    refused = lead.post_page(
        "introductions.ask", {"message": "Hello"}, slug=world.org, to_slug=world.other_org
    )
    assert error_messages(refused) == [
        "Your academy has sent 5 requests in the last day. Try again tomorrow"
    ]
    with app.app_context():
        asking = organisation_by_slug(world.org)
        user = accounts.user_by_email(world.lead)
        assert user is not None
        tomorrow = utcnow() + timedelta(days=1, minutes=1)
        introductions_service.ask(
            asking, organisation_by_slug(world.other_org), user, "Hello", now=tomorrow
        )


def test_the_results_page_offers_an_introduction_to_each_peer(app: Flask, world: World) -> None:
    assessment_id = _submitted(app, world, level=1)
    with app.app_context():
        other = organisation_by_slug(world.other_org)
        other.shares_named_results = True
        other_lead = accounts.user_by_email(world.other_lead)
        assert other_lead is not None
        stronger = make_assessment(other, "2025/26")
        for domain in questionnaire("academy-maturity").domains:
            for indicator in domain.indicators:
                db.session.add(
                    AnswerRecord(
                        assessment_id=stronger.id,
                        indicator_id=indicator.id,
                        level=4,
                        version=1,
                        updated_by_id=other_lead.id,
                    )
                )
        db.session.flush()
        submit_assessment(stronger, other_lead, declared=True)
        db.session.commit()
    lead = _client(app, world.lead)
    results = lead.get_page("results.results", slug=world.org, assessment_id=assessment_id)
    peers = soup(results).select_one("#peers")
    assert peers is not None
    items = peers.find_next("ul")
    assert items is not None
    link = next(a for a in items.find_all("a") if "Ask for an introduction" in a.get_text())
    assert link["href"] == url("introductions.ask", slug=world.org, to_slug=world.other_org)
    page = lead.get_page("introductions.ask", slug=world.org, to_slug=world.other_org)
    assert "Why it was suggested" in page.get_data(as_text=True)


def test_the_demo_has_a_moderated_academy_and_a_pending_introduction(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["maturity", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["maturity", "seed-demo"]).exit_code == 0  # still idempotent
    with app.app_context():
        moderations = db.session.scalars(select(Moderation)).all()
        assert len(moderations) == 1
        moderated = moderations[0]
        assert moderated.status == ModerationStatus.MODERATED
        assert moderated.organisation.name == "Moorland Social Care Academy (demo)"
        responses = sorted(str(r.response) for r in moderated.reviews if r.response)
        assert responses == ["accepted", "explained"]
        assert all("Fictional demo" in (r.comment or "") for r in moderated.reviews if r.comment)
        pending = db.session.scalars(select(Introduction)).all()
        assert [(i.from_organisation.name, i.to_organisation.name, i.status) for i in pending] == [
            (
                "Eastbridge Care Academy (demo)",
                "Riverside Care Academy (demo)",
                IntroductionStatus.PENDING,
            )
        ]
        slug, assessment_id = moderated.organisation.slug, moderated.assessment_id
    lead = app.test_client()
    sign_in(lead, "lead@moorland.example.org", "fictional-demo-account")
    results = lead.get_page("results.results", slug=slug, assessment_id=assessment_id)
    banner = soup(results).select_one("#moderation")
    assert banner is not None
    words = " ".join(banner.get_text(" ").split())
    assert "Moderated by North West on" in words
    assert "Funding and sustainability : changed from" in words
    assert ": kept at" in words


# --- Regional figures ----------------------------------------------------------------------


def test_regional_figures_filter_to_moderated_and_completion_shows_moderation(
    app: Flask, world: World
) -> None:
    from maturity.services.regional.filters import Filters, parse_filters
    from maturity.services.regional.rows import score_rows

    assessment_id = _submitted(app, world)
    with app.app_context():  # a second academy in the region, submitted, not moderated
        neighbour = make_organisation("Nearby Care Academy", "north-west")
        lead = make_user("nearby@test.example", "Nia Nearby")
        db.session.add(Membership(user=lead, organisation=neighbour, role=Role.LEAD))
        unmoderated = make_assessment(neighbour, "2025/26")
        db.session.add(
            AnswerRecord(
                assessment_id=unmoderated.id, indicator_id="mission-aims", level=2, version=1
            )
        )
        db.session.flush()
        submit_assessment(unmoderated, lead, declared=True)
        db.session.commit()
        neighbour_id = neighbour.id

    regional = _client(app, world.regional_lead)
    page = regional.get_page("regional.region", code="north-west", query={"cycle": "2025/26"})
    assert "Moderation:" not in page.get_data(as_text=True)

    academy = _client(app, world.lead)
    moderation_id = _ask(academy, world, assessment_id)
    # The completion table (cached) shows the new status at once.
    page = regional.get_page("regional.region", code="north-west", query={"cycle": "2025/26"})
    assert "Moderation: waiting for the moderator" in page.get_data(as_text=True)
    _review_all(regional, moderation_id, {})
    page = regional.get_page(
        "regional.region", code="north-west", query={"cycle": "2025/26", "moderated": "yes"}
    )
    html = page.get_data(as_text=True)
    assert "Moderation: moderated" in html
    assert soup(page).select_one("#moderated[checked]") is not None

    with app.app_context():
        region = organisation_by_slug(world.org).region
        every = {row.organisation_id for row in score_rows(Filters("2025/26"), region=region)}
        moderated = score_rows(
            parse_filters({"cycle": "2025/26", "moderated": "yes"}), region=region
        )
        assert neighbour_id in every
        assert {row.organisation_id for row in moderated} == {organisation_by_slug(world.org).id}


def test_the_api_and_open_data_carry_the_moderated_flag(app: Flask, world: World) -> None:
    from maturity.framework import disclosure
    from maturity.services.regional.open_data import open_data_table

    assessment_id = _submitted(app, world)
    lead = _client(app, world.lead)
    listed = lead.get_page("api.organisation_assessments", slug=world.org).get_json()
    flags = {item["id"]: item["moderated"] for item in listed["assessments"]}
    assert flags[assessment_id] is False
    moderation_id = _ask(lead, world, assessment_id)
    _review_all(_client(app, world.regional_lead), moderation_id, {})
    listed = lead.get_page("api.organisation_assessments", slug=world.org).get_json()
    flags = {item["id"]: item["moderated"] for item in listed["assessments"]}
    assert flags[assessment_id] is True
    assert flags[world.assessment] is False  # a draft is never moderated

    regional = _client(app, world.regional_lead)
    figures = regional.get_page(
        "api.region_figures", code="north-west", query={"cycle": "2025/26", "moderated": "yes"}
    ).get_json()
    assert figures["filters"]["moderated"] is True
    completion = figures["tables"][0]
    row = next(r for r in completion["rows"] if r["Organisation"] == "Testshire Care Academy")
    assert row["Moderation"] == "Moderated"

    with app.app_context():
        # One moderated academy: the count is withheld, as any count under the minimum.
        rows = [r for r in open_data_table("2025/26").rows if r[0] == "moderated academies"]
        assert rows == [
            [
                "moderated academies",
                "2025/26",
                "England",
                "",
                disclosure.WITHHELD,
                disclosure.WITHHELD,
            ]
        ]


def test_a_directory_academy_on_the_service_offers_an_introduction(
    app: Flask, world: World
) -> None:
    lead = _client(app, world.lead)
    page = lead.get_page("directory.entry", entry_slug="caring-plymouth")
    assert "Ask for an introduction" not in page.get_data(as_text=True)  # not on the service
    with app.app_context():
        academy = make_organisation("Caring Plymouth", "south-west")
        person = make_user("plymouth@test.example", "Pat Plymouth")
        db.session.add(Membership(user=person, organisation=academy, role=Role.LEAD))
        db.session.commit()
        slug = academy.slug
    page = soup(lead.get_page("directory.entry", entry_slug="caring-plymouth"))
    link = page.find("a", string=lambda text: bool(text and "Ask for an introduction" in text))
    assert link is not None
    assert link["href"] == url("introductions.ask", slug=world.org, to_slug=slug)
    ask = lead.get_page("introductions.ask", slug=world.org, to_slug=slug)
    assert "known for" in ask.get_data(as_text=True)
    # Someone with no academy (an administrator) is offered nothing.
    admin = _client(app, world.admin)
    entry = admin.get_page("directory.entry", entry_slug="caring-plymouth")
    assert "Ask for an introduction" not in entry.get_data(as_text=True)
