"""The job queue (``maturity.jobs``): a submission's PDF rendered once and served from the
store afterwards, with "Preparing your PDF" while a worker makes it; a submission's charts
drawn when it is submitted; reset and unlock emails sent by the queue.

Inline (no Redis, as ``make run`` and the SQLite tests) jobs run in the process that asks.
With ``REDIS_URL`` set (the PostgreSQL and Redis run), the tests marked ``needs_redis`` put
jobs on a real RQ queue and run a real worker over it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.cache import EXTENSION_KEY as CACHE_KEY
from maturity.cache import Cache
from maturity.extensions import db
from maturity.jobs import EXTENSION_KEY, Jobs
from maturity.models import Assessment, User
from maturity.services.assessments import AnswerValues, set_answer, submit_assessment
from maturity.services.questionnaires import questionnaire
from maturity.web import downloads
from tests.conftest import Inbox
from tests.helpers import World, sign_in, soup, submit, url

REDIS_URL = os.environ.get("REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real RQ queue)")


def _weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except OSError as error:  # pragma: no cover - depends on the machine
        pytest.skip(f"WeasyPrint needs Pango: {error}")


def _answer_all(assessment: Assessment, lead: User, level: int) -> None:
    for domain in questionnaire("academy-maturity").domains:
        for indicator in domain.indicators:
            set_answer(assessment, indicator.id, AnswerValues(level=level), lead)


def _submitted(app: Flask, world: World) -> int:
    """The world's academy's assessment, every question answered and submitted."""
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assessment = db.session.get(Assessment, world.assessment)
        assert lead is not None and assessment is not None
        _answer_all(assessment, lead, 3)
        submit_assessment(assessment, lead, declared=True)
        db.session.commit()
    return world.assessment


@pytest.fixture
def memory(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cache]:
    """An in-process cache of the app's own, empty (Redis keeps what others stored)."""
    fresh = Cache(max_items=4096)
    monkeypatch.setitem(app.extensions, CACHE_KEY, fresh)
    yield fresh


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many PDFs WeasyPrint made (the real renderer, counted)."""
    made: list[int] = []
    real = downloads.render_pdf

    def counted(html: str, base_url: str) -> bytes:
        made.append(1)
        return real(html, base_url)

    monkeypatch.setattr(downloads, "render_pdf", counted)
    return made


def test_a_submissions_pdf_is_rendered_once_then_served_from_the_store(
    app: Flask, client: FlaskClient, world: World, memory: Cache, renders: list[int]
) -> None:
    _weasyprint()
    assessment_id = _submitted(app, world)
    sign_in(client, world.lead)
    address = client.url("results.pdf", slug=world.org, assessment_id=assessment_id)
    first = client.get(address)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data.startswith(b"%PDF-")
    again = client.get(address)
    assert again.status_code == 200 and again.data == first.data
    assert len(renders) == 1


def test_a_drafts_pdf_is_rendered_every_time(
    app: Flask, client: FlaskClient, world: World, memory: Cache, renders: list[int]
) -> None:
    _weasyprint()
    sign_in(client, world.lead)
    address = client.url("results.pdf", slug=world.org, assessment_id=world.assessment)
    assert client.get(address).mimetype == "application/pdf"
    assert client.get(address).mimetype == "application/pdf"
    assert len(renders) == 2  # a draft changes with every answer: never stored


def _chart_renders(cache: Cache) -> int:
    """How many charts the cache has drawn (maturity.charts' kinds)."""
    return sum(cache.rendered[kind] for kind in ("radar", "line", "heatmap", "bar"))


def test_submitting_draws_the_results_charts(
    app: Flask, client: FlaskClient, world: World, memory: Cache
) -> None:
    """The charts are drawn by the submission (a job run after its commit), so the
    results page's first view draws none."""
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assessment = db.session.get(Assessment, world.assessment)
        assert lead is not None and assessment is not None
        _answer_all(assessment, lead, 2)
        db.session.commit()
    sign_in(client, world.lead)
    before = _chart_renders(memory)
    response = submit(
        client,
        client.url("assessments.submit", slug=world.org, assessment_id=world.assessment),
        {"declaration": "agreed"},
    )
    assert response.status_code == 302
    drawn = _chart_renders(memory)
    assert drawn >= before + 2  # the radar and the trend
    page = client.get_page("results.results", slug=world.org, assessment_id=world.assessment)
    assert _chart_renders(memory) == drawn
    assert soup(page).find("img", src=lambda value: bool(value and "/charts/" in value))


# --- a real queue and worker ------------------------------------------------------------


@pytest.fixture
def queue(app: Flask) -> Iterator[Jobs]:
    """The app's jobs on a real RQ queue (Redis), emptied first; a worker runs only when
    a test says so (``Jobs.work(burst=True)``)."""
    assert REDIS_URL
    inline = app.extensions[EXTENSION_KEY]
    real = Jobs(REDIS_URL)
    real.queue().empty()
    real.init_app(app)
    try:
        yield real
    finally:
        real.queue().empty()
        inline.init_app(app)


def _work(app: Flask, queue: Jobs) -> None:
    """A real RQ worker runs every queued job, then stops."""
    with app.app_context():
        queue.work(burst=True)


@needs_redis
def test_with_a_queue_the_pdf_is_prepared_by_the_worker(
    app: Flask, client: FlaskClient, world: World, queue: Jobs, renders: list[int]
) -> None:
    _weasyprint()
    assessment_id = _submitted(app, world)
    sign_in(client, world.lead)
    address = client.url("results.pdf", slug=world.org, assessment_id=assessment_id)
    waiting = client.get(address)
    assert waiting.status_code == 202
    page = soup(waiting)
    assert page.h1 is not None and page.h1.get_text(strip=True) == "Preparing your PDF"
    assert "Waiting to start" in page.get_text()
    refresh = page.find("meta", attrs={"http-equiv": "refresh"})
    assert refresh is not None  # it checks again by itself, without JavaScript
    assert client.get(address).status_code == 202  # asked again: not queued twice
    assert queue.queue().count == 1
    _work(app, queue)
    ready = client.get(address)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert ready.data.startswith(b"%PDF-")
    assert client.get(address).data == ready.data
    assert len(renders) == 1


@needs_redis
def test_with_a_queue_a_submissions_charts_are_drawn_by_the_worker(
    app: Flask, client: FlaskClient, world: World, queue: Jobs, memory: Cache
) -> None:
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assessment = db.session.get(Assessment, world.assessment)
        assert lead is not None and assessment is not None
        _answer_all(assessment, lead, 2)
        db.session.commit()
    sign_in(client, world.lead)
    before = _chart_renders(memory)
    submit(
        client,
        client.url("assessments.submit", slug=world.org, assessment_id=world.assessment),
        {"declaration": "agreed"},
    )
    assert _chart_renders(memory) == before  # queued, not drawn in the request
    assert queue.queue().count == 2  # its results charts and its region's dashboard charts
    _work(app, queue)
    drawn = _chart_renders(memory)
    assert drawn >= before + 2
    client.get_page("results.results", slug=world.org, assessment_id=world.assessment)
    assert _chart_renders(memory) == drawn


@needs_redis
def test_with_a_queue_reset_emails_are_sent_by_the_worker(
    app: Flask, client: FlaskClient, world: World, queue: Jobs, inbox: Inbox
) -> None:
    response = submit(client, url("auth.request_password_reset"), {"email": world.lead})
    assert response.status_code == 200
    assert queue.queue().count == 1
    assert inbox.messages == []  # not sent by the web process
    _work(app, queue)
    messages: list[Any] = inbox.wait_for(1)
    assert len(messages) == 1 and messages[0]["To"] == world.lead
    assert "/password-reset/" in messages[0].get_payload(decode=True).decode()


@needs_redis
def test_a_pdf_that_could_not_be_made_can_be_tried_again(
    app: Flask,
    client: FlaskClient,
    world: World,
    queue: Jobs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _weasyprint()
    assessment_id = _submitted(app, world)
    sign_in(client, world.lead)
    address = client.url("results.pdf", slug=world.org, assessment_id=assessment_id)
    assert client.get(address).status_code == 202
    real = downloads.render_pdf

    def broken(html: str, base_url: str) -> bytes:
        raise RuntimeError("the renderer stopped")

    monkeypatch.setattr(downloads, "render_pdf", broken)
    _work(app, queue)
    failed = soup(client.get(address))
    assert "could not be made" in failed.get_text()
    assert failed.find("meta", attrs={"http-equiv": "refresh"}) is None  # nothing to wait for
    again = failed.find("a", string=lambda text: bool(text and "Try again" in text))
    assert again is not None
    monkeypatch.setattr(downloads, "render_pdf", real)
    assert client.get(str(again["href"])).status_code == 202  # queued afresh
    _work(app, queue)
    ready = client.get(address)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
