"""Every PDF people take to a board: tagged for screen readers (PDF/UA), titled, in
English, without the page's navigation, and as long as it should be. Opened with pypdf
from the demo data (all fictional)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Assessment, AssessmentStatus, Organisation
from tests.helpers import sign_in, url

pypdf = pytest.importorskip("pypdf")


def _open(client: FlaskClient, endpoint: str, **values: Any) -> Any:
    response = client.get(url(endpoint, **values))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.data))


def _accessible(reader: Any, title: str) -> list[str]:
    """Checks the PDF is tagged, titled and in English; returns each page's text."""
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "not tagged: no structure tree"
    assert bool(root["/MarkInfo"]["/Marked"]), "not tagged: content not marked"
    assert str(root["/Lang"]).lower().startswith("en")
    assert reader.metadata.title.startswith(title)
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    pages = [page.extract_text() for page in reader.pages]
    for text in pages:
        assert "Skip to main content" not in text
        assert "Sign out" not in text and "Your account" not in text
    return pages


def _demo(app: Flask) -> dict[str, Any]:
    from maturity.services.demo import seed_demo
    from maturity.services.settings import Settings

    with app.app_context():
        seed_demo(Settings.from_config(app.config).hashing)
        riverside = db.session.scalar(
            select(Organisation).where(Organisation.name == "Riverside Care Academy (demo)")
        )
        ashvale = db.session.scalar(
            select(Organisation).where(Organisation.name.startswith("Ashvale Council (demo"))
        )
        assert riverside is not None and ashvale is not None
        submitted = db.session.scalars(
            select(Assessment.id)
            .where(
                Assessment.organisation_id == riverside.id,
                Assessment.status == AssessmentStatus.SUBMITTED,
            )
            .order_by(Assessment.cycle.desc())
        ).first()
        scoping = db.session.scalar(
            select(Assessment.id).where(Assessment.organisation_id == ashvale.id)
        )
        found = {
            "riverside": riverside.slug,
            "ashvale": ashvale.slug,
            "submitted": submitted,
            "scoping": scoping,
        }
        db.session.commit()
    return found


def test_every_pdf_is_tagged_titled_in_english_and_of_its_length(
    app: Flask, client: FlaskClient
) -> None:
    pytest.importorskip("weasyprint")
    from maturity.services.demo import DEMO_PASSWORD

    demo = _demo(app)
    sign_in(client, "lead@riverside.example.org", DEMO_PASSWORD)
    results = _open(client, "results.pdf", slug=demo["riverside"], assessment_id=demo["submitted"])
    pages = _accessible(results, "Results: 2025/26")
    assert "Overall" in pages[0]

    case = _open(client, "impact.making_the_case_pdf", slug=demo["riverside"])
    pages = _accessible(case, "Making the case – Riverside Care Academy (demo)")
    # The summary is one page, its last part included; what its figures mean follows
    # from page 2 (every definition in full, in small print), never in between.
    assert len(pages) <= 3
    assert "Making the case" in pages[0] and "In their words" in pages[0]
    assert "What the figures mean" not in pages[0]
    assert "What the figures mean" in pages[1]

    report = _open(client, "impact.quarterly_report_pdf", slug=demo["riverside"])
    pages = _accessible(report, "Quarterly impact report")
    assert len(pages) >= 2

    council = app.test_client()
    sign_in(council, "lead@ashvale.example.org", DEMO_PASSWORD)
    scoping = _open(council, "results.pdf", slug=demo["ashvale"], assessment_id=demo["scoping"])
    pages = _accessible(scoping, "Scoping report: readiness to launch an academy")
    assert "Overall readiness" in pages[0]
    # Page 1 is not left nearly blank by a table pushed whole to page 2.
    assert "Readiness by area" in pages[0] and "Area Readiness" in pages[0].replace("\n", " ")
    assert len(pages) <= 5
    text = " ".join(pages)
    assert "Academies to contact first" in text and text.count("Why: ") >= 1
