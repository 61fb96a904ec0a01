"""No input makes an assessment page fail: random form data posted to every route."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import World, sign_in

INDICATOR_IDS = ["mission-aims", "governance", "core-funding", "funder-balance", "nope", ""]
PREFIXES = ["level", "reason", "evidence", "link", "confidence", "version", "conflict", "target"]
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "na",
            "0",
            "-1",
            "3",
            "99999999999999999999",
            "1e3",
            " 4 ",
            "\x00",
            "javascript:alert(1)",
            "https://example.org",
            "https://",
            "x" * 5000,
            "low",
            "high",
            "mine",
            "theirs",
            "2026/27",
            "blank",
            "previous",
        ]
    ),
)
field_names = st.one_of(
    st.builds(lambda p, i: f"{p}-{i}", st.sampled_from(PREFIXES), st.sampled_from(INDICATOR_IDS)),
    st.sampled_from(
        ["action", "cycle", "start_from", "declaration", "reason", "target-leadership"]
    ),
    st.text(max_size=20),
)
forms = st.dictionaries(field_names, nasty_text, max_size=12)
# Every assessment page, by endpoint name and the values its address needs besides the
# organisation and (all but "start") the assessment.
ROUTES: list[tuple[str, dict[str, str]]] = [
    ("start", {}),
    ("task_list", {}),
    ("domain", {"domain_id": "leadership"}),
    ("domain", {"domain_id": "funding"}),
    ("domain", {"domain_id": "\x00"}),
    ("check", {}),
    ("submit", {}),
    ("submitted", {}),
    ("reopen", {}),
    ("indicator_history", {"indicator_id": "mission-aims"}),
]


@pytest.mark.parametrize(
    "route", ROUTES, ids=[f"{endpoint}-{'-'.join(values.values())}" for endpoint, values in ROUTES]
)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(form=forms, method=st.sampled_from(["GET", "POST"]))
def test_random_form_data_never_causes_a_server_error(
    app: Flask,
    world: World,
    route: tuple[str, dict[str, str]],
    form: dict[str, str],
    method: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    client = app.test_client()
    sign_in(client, world.lead)
    endpoint, values = route
    if endpoint != "start":
        values = {**values, "assessment_id": str(world.assessment)}
    url = client.url(f"assessments.{endpoint}", slug=world.org, **values)
    if method == "GET":
        response = client.get(url, query_string=form)
    else:
        response = client.post(url, data=form)
    assert response.status_code < 500, (method, url, form)
