"""Taking an assessment: the journey, saving with nothing lost, refusals, team editing."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from maturity.extensions import db
from maturity.models import (
    AnswerRecord,
    Assessment,
    AssessmentSnapshot,
    AssessmentStatus,
    AuditEvent,
    Confidence,
    Organisation,
    User,
)
from maturity.services import assessments as assessments_service
from maturity.services.assessments import (
    AnswerValues,
    AssessmentError,
    TargetChoice,
    reopen_assessment,
    set_answer,
    start_assessment,
    submit_assessment,
)
from maturity.services.questionnaires import catalogue, questionnaire_for_new_assessment
from maturity.web.assessment_forms import domain_form
from tests.helpers import (
    PageCheckingClient,
    World,
    csrf_from,
    error_messages,
    make_assessment,
    sign_in,
    soup,
    submit,
)

CYCLE = "2026/27"


def _url(
    client: PageCheckingClient,
    world: World,
    endpoint: str = "task_list",
    assessment_id: int | None = None,
    **values: str,
) -> str:
    """The address of one of the assessment's pages, by endpoint name."""
    return client.url(
        f"assessments.{endpoint}",
        slug=world.org,
        assessment_id=assessment_id or world.assessment,
        **values,
    )


def _domain_url(client: PageCheckingClient, world: World, domain_id: str = "leadership") -> str:
    return _url(client, world, "domain", domain_id=domain_id)


def _post(
    client: PageCheckingClient, world: World, endpoint: str, data: dict[str, str], **values: str
) -> TestResponse:
    """Open one of the world's assessment pages by endpoint name and post it as a browser
    would (its CSRF token and hidden fields, overlaid with ``data``)."""
    return client.post_page(
        f"assessments.{endpoint}",
        data,
        slug=world.org,
        assessment_id=world.assessment,
        **values,
    )


def _save_section(
    client: PageCheckingClient, world: World, data: dict[str, str], domain_id: str = "leadership"
) -> TestResponse:
    """Post a section's page of the world's assessment, overlaid with ``data``."""
    return _post(client, world, "domain", data, domain_id=domain_id)


def _signed_in(app: Flask, email: str) -> PageCheckingClient:
    """A client of its own, signed in as ``email`` (for two people at once)."""
    client = app.test_client()
    assert isinstance(client, PageCheckingClient)
    sign_in(client, email)
    return client


def _answers(app: Flask, assessment_id: int) -> dict[str, AnswerRecord]:
    with app.app_context():
        records = db.session.scalars(
            select(AnswerRecord).where(AnswerRecord.assessment_id == assessment_id)
        ).all()
        for record in records:
            db.session.expunge(record)
        return {record.indicator_id: record for record in records}


def _progress(client: PageCheckingClient, url: str) -> str:
    found = soup(client.get(url)).find(id="progress")
    assert found is not None
    return found.get_text(strip=True)


def _start(client: PageCheckingClient, world: World, cycle: str, start_from: str) -> TestResponse:
    return client.post_page(
        "assessments.start", {"cycle": cycle, "start_from": start_from}, slug=world.org
    )


def _start_fresh(client: PageCheckingClient, world: World, cycle: str = "2025/26") -> str:
    response = _start(client, world, cycle, "blank")
    assert response.status_code == 302, error_messages(response)
    return response.headers["Location"]


def test_lead_and_contributor_complete_check_and_submit(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    sign_in(client, world.lead)
    url = _start_fresh(client, world)
    assessment_id = int(url.rsplit("/", 1)[1])
    assert url == _url(client, world, assessment_id=assessment_id)
    with app.app_context():  # the version new assessments start on
        total = len(questionnaire_for_new_assessment("academy-maturity").indicator_ids)
    assert _progress(client, url) == f"0 of {total} questions answered."

    contributor = _signed_in(app, world.contributor)
    leadership = _url(client, world, "domain", assessment_id, domain_id="leadership")
    page = contributor.get_page(
        "assessments.domain", slug=world.org, assessment_id=assessment_id, domain_id="leadership"
    )
    form = {"action": "continue", "target-leadership": "4"}
    for radio in soup(page).select("input[type=radio][name^=level-]"):
        form[str(radio["name"])] = "3"
    response = submit(contributor, leadership, form)
    assert response.status_code == 302
    assert response.headers["Location"] == _url(
        client, world, "domain", assessment_id, domain_id="delivery-model"
    )  # next section
    assert _progress(contributor, url) == f"6 of {total} questions answered."
    task_list = soup(contributor.get(url)).get_text(" ", strip=True)
    assert "Leadership and strategy" in task_list and "Completed" in task_list

    # A contributor can check but not submit.
    check_url = _url(client, world, "check", assessment_id)
    submit_url = _url(client, world, "submit", assessment_id)
    check = soup(contributor.get(check_url))
    assert "Only your academy's lead can submit" in check.get_text()
    assert (
        contributor.post(
            submit_url,
            data={"csrf_token": csrf_from(contributor.get(check_url)), "declaration": "agreed"},
        ).status_code
        == 403
    )

    # The lead checks: unanswered questions are listed with links to them.
    check = soup(client.get(check_url))
    unanswered = check.find(id="unanswered")
    assert unanswered is not None
    assert f"{total - 6} unanswered questions" in unanswered.get_text()
    funding = _url(client, world, "domain", assessment_id, domain_id="funding")
    assert check.find("a", href=f"{funding}#indicator-core-funding") is not None

    # Submitting needs the declaration.
    token = csrf_from(client.get(check_url))
    refused = client.post(submit_url, data={"csrf_token": token})
    expected = "Confirm that you have agreed these answers with your partners"
    assert expected in error_messages(refused)
    done = client.post(submit_url, data={"csrf_token": token, "declaration": "agreed"})
    assert done.status_code == 302
    assert done.headers["Location"] == _url(client, world, "submitted", assessment_id)
    confirmation = soup(client.get(done.headers["Location"]))
    assert "Overall level: Strategic" in confirmation.get_text(" ", strip=True)

    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None and assessment.status == AssessmentStatus.SUBMITTED
        snapshot = db.session.scalar(select(AssessmentSnapshot))
        assert snapshot is not None
        assert snapshot.questionnaire_version == assessment.questionnaire_version
        assert snapshot.result["overall"]["level"] == 3
        assert snapshot.targets == {"leadership": 4}


def test_a_submitted_assessment_is_read_only_and_its_result_frozen(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    _answer_and_submit(app, world, level=2)
    sign_in(client, world.lead)
    # The domain page no longer accepts changes.
    token = csrf_from(
        client.get_page("assessments.check", slug=world.org, assessment_id=world.assessment)
    )
    response = client.post(
        _domain_url(client, world), data={"csrf_token": token, "level-mission-aims": "5"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == _url(client, world, "check")
    assert _answers(app, world.assessment)["mission-aims"].level == 2
    # Even if the stored answers changed underneath, the submitted result does not.
    with app.app_context():
        record = db.session.scalar(
            select(AnswerRecord).where(AnswerRecord.indicator_id == "mission-aims")
        )
        assert record is not None
        record.level = 5
        db.session.commit()
    confirmation = client.get_page(
        "assessments.submitted", slug=world.org, assessment_id=world.assessment
    )
    assert "Overall level: Compliant" in soup(confirmation).get_text(" ", strip=True)


def _answer_and_submit(app: Flask, world: World, level: int) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, world.assessment)
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assert assessment is not None and lead is not None
        for indicator_id in ("mission-aims", "workforce-strategy-link"):
            set_answer(assessment, indicator_id, AnswerValues(level=level), lead)
        submit_assessment(assessment, lead, declared=True)
        db.session.commit()


def test_reopening_needs_a_reason_is_audited_and_keeps_the_old_snapshot(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    _answer_and_submit(app, world, level=2)
    sign_in(client, world.lead)
    refused = _post(client, world, "reopen", {"reason": "  "})
    assert "Enter why the assessment needs to be reopened" in error_messages(refused)
    assert (
        _post(client, world, "reopen", {"reason": "Board asked for new evidence"}).status_code
        == 302
    )
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "assessment_reopened")
        )
        assert event is not None and event.detail["reason"] == "Board asked for new evidence"
    _save_section(client, world, {"level-mission-aims": "4", "version-mission-aims": "1"})
    token = csrf_from(client.get(_url(client, world, "check")))
    client.post(_url(client, world, "submit"), data={"csrf_token": token, "declaration": "agreed"})
    with app.app_context():
        snapshots = db.session.scalars(
            select(AssessmentSnapshot).order_by(AssessmentSnapshot.id)
        ).all()
        assert len(snapshots) == 2
        first, second = (s.result["domains"][0] for s in snapshots)
        assert first["indicators"][0]["level"] == 2
        assert second["indicators"][0]["level"] == 4


def test_a_contributor_cannot_reopen(app: Flask, client: PageCheckingClient, world: World) -> None:
    _answer_and_submit(app, world, level=2)
    sign_in(client, world.contributor)
    assert _post(client, world, "reopen", {"reason": "x"}).status_code == 403


def test_valid_answers_are_saved_even_when_others_on_the_page_have_errors(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    sign_in(client, world.contributor)
    long_note = "x" * 3001
    response = _save_section(
        client,
        world,
        {
            "level-mission-aims": "4",
            "evidence-mission-aims": "Mission agreed at the partnership board",
            "level-workforce-strategy-link": "3",
            "link-workforce-strategy-link": "javascript:alert(1)",
            "level-governance": "2",
            "evidence-governance": long_note,
            "level-senior-buy-in": "9",
            "action": "later",
        },
    )
    assert response.status_code == 200
    errors = error_messages(response)
    assert (
        "Enter a link that starts with http:// or https://, like https://example.org/report"
        in errors
    )
    assert "Evidence note must be 3,000 characters or fewer" in errors
    assert "Select a level from the list" in errors
    page = soup(response)
    # What was typed is still on the page, so nothing is lost.
    link = page.find("input", attrs={"name": "link-workforce-strategy-link"})
    assert link is not None and link["value"] == "javascript:alert(1)"
    note = page.find("textarea", attrs={"name": "evidence-governance"})
    assert note is not None and note.get_text() == long_note
    # The answer just saved shows as saved (checked, at its new version), not blank.
    checked = page.find("input", attrs={"name": "level-mission-aims", "checked": True})
    assert checked is not None and checked["value"] == "4"
    version = page.find("input", attrs={"name": "version-mission-aims"})
    assert version is not None and version["value"] == "1"
    saved = _answers(app, world.assessment)
    assert saved["mission-aims"].level == 4
    assert saved["mission-aims"].evidence_note == "Mission agreed at the partnership board"
    assert set(saved) == {"mission-aims"}
    assert page.title is not None and page.title.get_text().startswith("Error: ")


def test_not_applicable_needs_a_reason_and_only_where_allowed(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    sign_in(client, world.lead)
    response = _save_section(
        client, world, {"level-funder-balance": "na", "level-core-funding": "na"}, "funding"
    )
    errors = error_messages(response)
    assert "Explain why this question does not apply" in errors
    assert "This question cannot be marked not applicable" in errors
    response = _save_section(
        client,
        world,
        {"level-funder-balance": "na", "reason-funder-balance": "We receive no NHS funding"},
        "funding",
    )
    assert response.status_code == 302
    record = _answers(app, world.assessment)["funder-balance"]
    assert record.not_applicable and record.not_applicable_reason == "We receive no NHS funding"


def test_answers_for_unknown_questions_are_refused_and_the_rest_kept(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    sign_in(client, world.lead)
    response = _save_section(
        client,
        world,
        {"level-mission-aims": "3", "level-no-such-question": "5", "level-core-funding": "2"},
    )
    assert response.status_code == 200
    text = " ".join(error_messages(response))
    assert "no-such-question" in text and "core-funding" in text
    assert set(_answers(app, world.assessment)) == {"mission-aims"}


def test_another_organisations_assessment_and_unknown_sections_are_not_found(
    client: PageCheckingClient, world: World
) -> None:
    sign_in(client, world.lead)
    assert _post(client, world, "domain", {}, domain_id="leadership").status_code == 302
    mine = {"slug": world.org, "assessment_id": world.assessment}
    refused: list[tuple[str, dict[str, object], int]] = [
        (
            "domain",
            {**mine, "assessment_id": world.other_assessment, "domain_id": "leadership"},
            404,
        ),
        ("domain", {**mine, "domain_id": "no-such-domain"}, 404),
        ("indicator_history", {**mine, "indicator_id": "nope"}, 404),
        ("task_list", {"slug": world.other_org, "assessment_id": world.other_assessment}, 403),
    ]
    for endpoint, values, status in refused:
        client.get_page(f"assessments.{endpoint}", expected=status, **values)


def test_starting_refuses_a_tampered_or_repeated_cycle(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    sign_in(client, world.lead)
    for cycle in ("2099/00", "2026/28", "abc", ""):
        response = _start(client, world, cycle, "blank")
        assert "Select a cycle from the list" in error_messages(response), cycle
    repeated = _start(client, world, CYCLE, "blank")
    assert any("already started the 2026/27" in message for message in error_messages(repeated))
    nothing_before = _start(client, world, "2020/21", "previous")
    assert any("no earlier assessment" in message for message in error_messages(nothing_before))
    with app.app_context():
        count = len(db.session.scalars(select(Assessment)).all())
    assert count == 2  # the world's two; none of the refused starts made one


def test_carry_forward_marks_answers_until_someone_confirms_them(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == world.org))
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assert organisation is not None and lead is not None
        earlier = make_assessment(organisation, "2024/25")
        set_answer(earlier, "mission-aims", AnswerValues(level=3, evidence_note="Old note"), lead)
        set_answer(earlier, "governance", AnswerValues(level=2), lead)
        submit_assessment(earlier, lead, declared=True)
        db.session.commit()
    sign_in(client, world.lead)
    response = _start(client, world, "2025/26", "previous")
    assert response.status_code == 302
    url = response.headers["Location"]
    assessment_id = int(url.rsplit("/", 1)[1])
    leadership = _url(client, world, "domain", assessment_id, domain_id="leadership")
    carried = _answers(app, assessment_id)
    assert carried["mission-aims"].carried_over and carried["mission-aims"].level == 3
    assert carried["mission-aims"].evidence_note == "Old note"
    page = client.get(leadership)
    assert "Carried over – please confirm" in soup(page).get_text()
    assert "carried over to confirm" in soup(client.get(url)).get_text()
    # Saving the page as it stands confirms the carried answers.
    form = {}
    for field in soup(page).select("input[type=hidden][name^=version-]"):
        form[str(field["name"])] = str(field["value"])
    for radio in soup(page).select("input[type=radio][checked]"):
        form[str(radio["name"])] = str(radio["value"])
    for area in soup(page).select("textarea"):
        form[str(area["name"])] = area.get_text()
    assert submit(client, leadership, form).status_code == 302
    confirmed = _answers(app, assessment_id)
    assert not confirmed["mission-aims"].carried_over and confirmed["mission-aims"].level == 3
    assert confirmed["governance"].carried_over is False


def test_two_people_editing_the_same_answer_are_asked_which_to_keep(
    app: Flask, world: World
) -> None:
    first, second = _signed_in(app, world.lead), _signed_in(app, world.contributor)
    url = _domain_url(first, world)
    first_page, second_page = first.get(url), second.get(url)  # both based on version 0
    first.post(
        url,
        data={
            "csrf_token": csrf_from(first_page),
            "level-mission-aims": "2",
            "version-mission-aims": "0",
        },
    )
    clash = second.post(
        url,
        data={
            "csrf_token": csrf_from(second_page),
            "level-mission-aims": "4",
            "version-mission-aims": "0",
        },
    )
    assert clash.status_code == 200
    text = soup(clash).get_text(" ", strip=True)
    assert "Lee Lead saved a different answer" in text
    assert "Keep my answer" in text and "Keep Lee Lead's answer" in text
    assert _answers(app, world.assessment)["mission-aims"].level == 2  # not overwritten
    # The page now carries the other person's version: choosing "mine" saves it.
    version = soup(clash).find("input", attrs={"name": "version-mission-aims"})
    assert version is not None and version["value"] == "1"
    mine = second.post(
        url,
        data={
            "csrf_token": csrf_from(clash),
            "level-mission-aims": "4",
            "version-mission-aims": "1",
            "conflict-mission-aims": "mine",
        },
    )
    assert mine.status_code == 302
    assert _answers(app, world.assessment)["mission-aims"].level == 4


def test_choosing_the_other_persons_answer_keeps_it(app: Flask, world: World) -> None:
    first, second = _signed_in(app, world.lead), _signed_in(app, world.contributor)
    url = _domain_url(first, world)
    token_first, token_second = csrf_from(first.get(url)), csrf_from(second.get(url))
    first.post(
        url,
        data={"csrf_token": token_first, "level-mission-aims": "2", "version-mission-aims": "0"},
    )
    clash = second.post(
        url,
        data={"csrf_token": token_second, "level-mission-aims": "4", "version-mission-aims": "0"},
    )
    # Post the conflict page back as a browser would: its hidden fields carry the other
    # person's version, so only the explicit choice can keep their answer.
    hidden = {
        str(field["name"]): str(field["value"])
        for field in soup(clash).select("main form input[type=hidden]")
    }
    assert hidden["version-mission-aims"] == "1" and hidden["pending-mission-aims"] == "1"
    undecided = second.post(url, data={**hidden, "level-mission-aims": "4"})
    assert undecided.status_code == 200  # no choice yet: asked again, nothing written
    assert "Choose which answer to keep" in soup(undecided).get_text()
    assert _answers(app, world.assessment)["mission-aims"].level == 2
    theirs = second.post(
        url, data={**hidden, "level-mission-aims": "4", "conflict-mission-aims": "theirs"}
    )
    assert theirs.status_code == 302
    assert _answers(app, world.assessment)["mission-aims"].level == 2


def test_different_answers_on_the_same_page_merge_without_a_conflict(
    app: Flask, world: World
) -> None:
    first, second = _signed_in(app, world.lead), _signed_in(app, world.contributor)
    url = _domain_url(first, world)
    token_first, token_second = csrf_from(first.get(url)), csrf_from(second.get(url))
    # Each sends the whole page as they saw it (empty) with one answer of their own.
    ok_first = first.post(
        url,
        data={
            "csrf_token": token_first,
            "level-mission-aims": "2",
            "version-mission-aims": "0",
            "version-governance": "0",
        },
    )
    ok_second = second.post(
        url,
        data={
            "csrf_token": token_second,
            "level-governance": "4",
            "version-mission-aims": "0",
            "version-governance": "0",
        },
    )
    assert ok_first.status_code == ok_second.status_code == 302
    answers = _answers(app, world.assessment)
    assert answers["mission-aims"].level == 2 and answers["governance"].level == 4


def test_every_change_is_in_the_indicators_history(app: Flask, world: World) -> None:
    lead, contributor = _signed_in(app, world.lead), _signed_in(app, world.contributor)
    _save_section(lead, world, {"level-mission-aims": "2", "version-mission-aims": "0"})
    _save_section(
        contributor,
        world,
        {
            "level-mission-aims": "3",
            "version-mission-aims": "1",
            "evidence-mission-aims": "Signed by the board",
        },
    )
    history = soup(
        lead.get_page(
            "assessments.indicator_history",
            slug=world.org,
            assessment_id=world.assessment,
            indicator_id="mission-aims",
        )
    )
    rows = [row.get_text(" ", strip=True) for row in history.select("tbody tr")]
    assert len(rows) == 2
    assert (
        "Con Contributor" in rows[0]
        and "3. Strategic" in rows[0]
        and "Signed by the board" in rows[0]
    )
    assert "Lee Lead" in rows[1] and "2. Compliant" in rows[1]
    record = _answers(app, world.assessment)["mission-aims"]
    assert record.version == 2


def test_service_refusals_name_the_field_they_belong_to(app: Flask, world: World) -> None:
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == world.org))
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assessment = db.session.get(Assessment, world.assessment)
        assert organisation is not None and lead is not None and assessment is not None
        refusals = {
            "cycle": lambda: start_assessment(organisation, "2099/00", lead, carry_forward=False),
            "start_from": lambda: start_assessment(
                organisation, "2020/21", lead, carry_forward=True
            ),
            "declaration": lambda: submit_assessment(assessment, lead, declared=False),
        }
        for field, attempt in refusals.items():
            with pytest.raises(AssessmentError) as refused:
                attempt()
            assert refused.value.field == field, str(refused.value)
        with pytest.raises(AssessmentError) as repeated:
            start_assessment(organisation, CYCLE, lead, carry_forward=False)
        assert repeated.value.field == "cycle"
        set_answer(assessment, "mission-aims", AnswerValues(level=2), lead)
        submit_assessment(assessment, lead, declared=True)
        with pytest.raises(AssessmentError) as no_reason:
            reopen_assessment(assessment, lead, "   ")
        assert no_reason.value.field == "reason"


def _error_on(response: TestResponse, field_id: str) -> str:
    """The error shown on one field (its GOV.UK error message), checking that the error
    summary links to that field."""
    page = soup(response)
    message = page.find(id=f"{field_id}-error")
    assert message is not None, f"no error on {field_id}: {error_messages(response)}"
    assert page.select_one(f".govuk-error-summary__list a[href='#{field_id}']") is not None
    return message.get_text(" ", strip=True).removeprefix("Error:").strip()


def test_start_errors_are_shown_on_the_field_they_name(
    client: PageCheckingClient, world: World
) -> None:
    sign_in(client, world.lead)
    nothing_before = _start(client, world, "2020/21", "previous")
    assert _error_on(nothing_before, "start_from") == (
        "There is no earlier assessment to copy answers from. Start blank"
    )
    assert _error_on(_start(client, world, CYCLE, "blank"), "cycle") == (
        "Testshire Care Academy has already started the 2026/27 assessment"
    )
    assert _error_on(_start(client, world, "2026/27", "sideways"), "start_from") == (
        "Select whether to start blank or from last cycle's answers"
    )


def test_the_view_places_a_service_error_by_its_field_not_its_wording(
    client: PageCheckingClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssessmentError("Any wording at all", field="start_from")

    monkeypatch.setattr(assessments_service, "start_assessment", refuse)
    sign_in(client, world.lead)
    response = _start(client, world, "2025/26", "blank")
    assert _error_on(response, "start_from") == "Any wording at all"


def test_reopen_and_submit_errors_are_shown_on_their_fields(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    sign_in(client, world.lead)
    token = csrf_from(
        client.get_page("assessments.check", slug=world.org, assessment_id=world.assessment)
    )
    nothing_answered = client.post(
        _url(client, world, "submit"), data={"csrf_token": token, "declaration": "agreed"}
    )
    assert (
        _error_on(nothing_answered, "declaration")
        == "Answer at least one question before submitting"
    )
    _answer_and_submit(app, world, level=2)
    too_long = _post(client, world, "reopen", {"reason": "x" * 1001})
    assert _error_on(too_long, "reason") == "Reason must be 1,000 characters or fewer"
    area = soup(too_long).find("textarea", attrs={"name": "reason"})
    assert area is not None and area.get_text() == "x" * 1001  # what was typed is kept


def test_the_domain_form_is_built_from_the_questionnaire(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        questionnaire = catalogue().questionnaire("academy-maturity")
        domain = questionnaire.domain("funding")
        posted = MultiDict(
            {
                "level-core-funding": "2",
                "version-core-funding": "0",
                "confidence-core-funding": "high",
                "level-funder-balance": "na",  # no reason given: an error of its own
                "level-mission-aims": "3",  # another domain's question
                "target-funding": "4",
            }
        )
        form = domain_form(questionnaire, domain, posted, meta={"csrf": False})
        for indicator in domain.indicators:
            for kind in ("level", "reason", "evidence", "link", "confidence", "version"):
                assert f"{kind}-{indicator.id}" in form
        assert "level-mission-aims" not in form and "target-funding" in form
        assert not form.validate()
        assert form.unknown == ["mission-aims"]
        inputs = form.answer_inputs()
        assert set(inputs) == {
            indicator.id for indicator in domain.indicators if indicator.id != "funder-balance"
        }
        assert inputs["core-funding"].values == AnswerValues(level=2, confidence=Confidence.HIGH)
        assert form["reason-funder-balance"].errors == ["Explain why this question does not apply"]
        assert form.target_choice() == TargetChoice(4)


RELOAD = "This answer could not be saved. Reload the page and try again"
REFUSED_FIELDS = [
    # A link urlsplit cannot read (an unclosed IPv6 address) is an error, not a crash.
    ("link-mission-aims", "https://[", "link-mission-aims", "Enter a link that starts with"),
    # Versions are plain ASCII whole numbers: anything else makes the answer unsaveable.
    *(
        ("version-mission-aims", version, "level-mission-aims", RELOAD)
        for version in ("٣", "²", "1e3", "-1", "99999999999999999999", " ")
    ),
]


@pytest.mark.parametrize(("name", "value", "shown_on", "message"), REFUSED_FIELDS)
def test_a_refused_field_saves_nothing_of_its_question_and_keeps_the_rest(
    app: Flask,
    client: PageCheckingClient,
    world: World,
    name: str,
    value: str,
    shown_on: str,
    message: str,
) -> None:
    sign_in(client, world.lead)
    posted = {"level-mission-aims": "3", "level-governance": "2", name: value}
    assert _error_on(_save_section(client, world, posted), shown_on).startswith(message)
    assert set(_answers(app, world.assessment)) == {"governance"}
