"""The content files shipped in questionnaires/ load and have the agreed shape."""

from pathlib import Path

import pytest

from maturity.framework import (
    Catalogue,
    MetricsDefinition,
    Questionnaire,
    check_return,
    load_directory,
    next_steps,
    score,
)

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
LGA_LEVELS = ["First steps", "Compliant", "Strategic", "Integrated", "Disruptive"]
DOMAIN_IDS = [
    "leadership",
    "delivery-model",
    "funding",
    "collaboration",
    "careers-outreach",
    "recruitment",
    "training",
    "inclusion",
    "impact",
]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    # load_directory raises QuestionnaireError listing every problem in every file.
    return load_directory(QUESTIONNAIRES)


def test_every_yaml_file_validates(catalogue: Catalogue) -> None:
    files = sorted(QUESTIONNAIRES.glob("*.yaml"))
    assert files, "no *.yaml files in questionnaires/"
    # Every file is a definition or a changelog between two versions of one.
    changelogs = [c for i in sorted({d.id for d in catalogue}) for c in catalogue.changelogs(i)]
    assert len(catalogue) + len(changelogs) == len(files)


def test_academy_maturity_shape(catalogue: Catalogue) -> None:
    q = catalogue.questionnaire("academy-maturity")
    assert q.purpose == "assessment"
    assert [level.name for level in q.levels] == LGA_LEVELS
    assert [level.value for level in q.levels] == [1, 2, 3, 4, 5]
    missing = [d for d in DOMAIN_IDS if d not in q.domain_ids]
    assert not missing, f"missing domains: {missing}"
    for domain_id in DOMAIN_IDS:
        assert len(q.domain(domain_id).indicators) >= 4, domain_id
    assert 45 <= len(q.indicator_ids) <= 60


def test_scoping_and_impact_metrics_exist(catalogue: Catalogue) -> None:
    assert isinstance(catalogue.latest("scoping"), Questionnaire)
    assert catalogue.questionnaire("scoping").purpose == "scoping"
    assert isinstance(catalogue.latest("impact-metrics"), MetricsDefinition)


def test_shipped_questionnaires_score_end_to_end(catalogue: Catalogue) -> None:
    for q in catalogue.questionnaires():
        top = len(q.levels)
        assert score(q, dict.fromkeys(q.indicator_ids, top)).overall.level == top
        mixed = {ind: 1 + n % top for n, ind in enumerate(q.indicator_ids)}
        result = score(q, mixed)
        assert result.overall.score is not None
        assert all(step.step for step in next_steps(q, result))


def test_shipped_metrics_accept_an_empty_return(catalogue: Catalogue) -> None:
    for definition in catalogue.metrics():
        assert check_return(definition, {}) == []
        assert check_return(definition, dict.fromkeys(definition.metric_ids, 0)) == []
