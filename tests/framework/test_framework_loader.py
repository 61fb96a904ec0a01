"""Loading and validating content files: one test per fault, each naming file, path and fault."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from framework_fixtures import LGA_LEVELS, metrics_data, questionnaire_data, write_yaml
from pydantic import ValidationError

from maturity.framework import (
    MetricsDefinition,
    Questionnaire,
    QuestionnaireError,
    load_directory,
    load_file,
    load_metrics,
    load_questionnaire,
)
from maturity.framework.loader import format_path, version_key


def _error(tmp_path: Path, data: Any, name: str = "broken.yaml") -> QuestionnaireError:
    path = write_yaml(tmp_path, data, name)
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    return caught.value


def _assert_problem(error: QuestionnaireError, path: str, *fragments: str) -> None:
    text = str(error)
    matching = [line for line in text.splitlines() if f": {path} — " in line]
    assert matching, f"no problem at {path!r} in:\n{text}"
    line = matching[0]
    assert "broken.yaml" in line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"


# --- valid files -------------------------------------------------------------------------------


def test_valid_questionnaire_loads_with_lookups(tmp_path: Path) -> None:
    q = load_questionnaire(write_yaml(tmp_path, questionnaire_data()))
    assert isinstance(q, Questionnaire)
    assert [level.name for level in q.levels] == LGA_LEVELS
    assert q.indicator_ids == (
        "funding-model",
        "funding-diversity",
        "vision",
        "governance",
        "sponsorship",
    )
    assert q.domain_ids == ("funding", "leadership")
    assert q.indicator("vision").title == "Vision"
    assert q.domain_of("vision").id == "leadership"
    assert q.domain("funding").indicators[1].weight == 2.0
    assert q.indicator("funding-model").weight == 1.0
    assert q.indicator("funding-model").allow_not_applicable is False
    assert q.level(3).name == "Strategic"
    assert q.indicator("vision").levels[5] == "Vision at level 5"
    assert q.scoring.thresholds[4] == 4.0
    with pytest.raises(KeyError, match="no indicator 'nope'"):
        q.indicator("nope")
    with pytest.raises(KeyError, match="not a level"):
        q.level(6)


def test_loaded_objects_are_immutable(tmp_path: Path) -> None:
    # Through Any: the point is what happens at run time when code ignores the types.
    q: Any = load_questionnaire(write_yaml(tmp_path, questionnaire_data()))
    with pytest.raises(ValidationError):
        q.title = "changed"
    with pytest.raises(TypeError):
        q.indicator("vision").levels[1] = "changed"
    with pytest.raises(TypeError):
        q.scoring.thresholds[2] = 1.5
    with pytest.raises(AttributeError):
        q.domains.append(q.domains[0])


def test_model_dump_gives_plain_data(tmp_path: Path) -> None:
    q = load_questionnaire(write_yaml(tmp_path, questionnaire_data()))
    dumped = q.model_dump(mode="json")
    assert dumped["domains"][0]["indicators"][0]["levels"]["1"] == "Funding model at level 1"
    assert Questionnaire.model_validate(q.model_dump()) == q


def test_metrics_file_loads(tmp_path: Path) -> None:
    m = load_metrics(write_yaml(tmp_path, metrics_data()))
    assert isinstance(m, MetricsDefinition)
    assert m.metric("into-paid-work").parent == "into-destinations"
    assert [r.id for r in m.implicit_rules] == [
        "into-paid-work-within-into-destinations",
        "into-care-jobs-within-into-paid-work",
    ]
    assert [x.id for x in m.metrics_in("outputs")] == [
        "people-supported",
        "training-hours",
        "active-partners",
    ]


def test_load_file_dispatches_on_purpose(tmp_path: Path) -> None:
    assert isinstance(
        load_file(write_yaml(tmp_path, questionnaire_data(), "q.yaml")), Questionnaire
    )
    assert isinstance(load_file(write_yaml(tmp_path, metrics_data(), "m.yaml")), MetricsDefinition)
    with pytest.raises(QuestionnaireError, match="metrics file, not a questionnaire"):
        load_questionnaire(tmp_path / "m.yaml")
    with pytest.raises(QuestionnaireError, match="questionnaire, not a metrics file"):
        load_metrics(tmp_path / "q.yaml")


def test_scoping_purpose_is_a_questionnaire(tmp_path: Path) -> None:
    data = questionnaire_data()
    data["purpose"] = "scoping"
    assert load_questionnaire(write_yaml(tmp_path, data)).purpose == "scoping"


# --- questionnaire faults ----------------------------------------------------------------------


def _broken(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = questionnaire_data()
    change(data)
    return data


def test_duplicate_domain_id(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["domains"][1]["id"] = "funding"

    error = _error(tmp_path, _broken(change))
    _assert_problem(error, "domains[1].id", "duplicate domain id 'funding'", "domains[0]")


def test_duplicate_indicator_id_across_domains(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["domains"][1]["indicators"][2]["id"] = "funding-diversity"

    error = _error(tmp_path, _broken(change))
    _assert_problem(
        error,
        "domains[1].indicators[2].id",
        "duplicate indicator id 'funding-diversity'",
        "domains[0].indicators[1]",
    )


def test_missing_level_descriptor(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        del d["domains"][0]["indicators"][1]["levels"][3]

    error = _error(tmp_path, _broken(change))
    _assert_problem(
        error, "domains[0].indicators[1].levels", "missing descriptor for level 3 (Strategic)"
    )


def test_unknown_level_descriptor(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["domains"][0]["indicators"][1]["levels"][6] = "Beyond disruptive"

    error = _error(tmp_path, _broken(change))
    _assert_problem(
        error, "domains[0].indicators[1].levels[6]", "descriptor for unknown level 6", "1–5"
    )


def test_next_step_pointing_at_unknown_level(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["domains"][0]["indicators"][1]["next_steps"][7] = "Go to seven"

    error = _error(tmp_path, _broken(change))
    _assert_problem(
        error, "domains[0].indicators[1].next_steps[7]", "next step points at unknown level 7"
    )


def test_next_step_to_the_lowest_level(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["domains"][0]["indicators"][0]["next_steps"][1] = "Go to one"

    error = _error(tmp_path, _broken(change))
    _assert_problem(error, "domains[0].indicators[0].next_steps[1]", "the lowest level")


def test_missing_next_step(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        del d["domains"][1]["indicators"][0]["next_steps"][4]

    error = _error(tmp_path, _broken(change))
    _assert_problem(
        error, "domains[1].indicators[0].next_steps", "missing next step to level 4 (Integrated)"
    )


def test_unknown_source_ref(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["domains"][0]["indicators"][1]["source"]["ref"] = "nowhere"

    error = _error(tmp_path, _broken(change))
    _assert_problem(
        error, "domains[0].indicators[1].source.ref", "unknown source 'nowhere'", "guide"
    )


def test_source_needs_file_or_url(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        del d["sources"]["lga-matrix"]["url"]

    error = _error(tmp_path, _broken(change))
    _assert_problem(error, "sources.lga-matrix", "'file' or a 'url'")


def test_threshold_out_of_range(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["scoring"]["thresholds"][5] = 5.5

    error = _error(tmp_path, _broken(change))
    _assert_problem(error, "scoring.thresholds[5]", "threshold 5.5 is out of range", "at most 5")


def test_threshold_of_one_is_refused(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["scoring"]["thresholds"][2] = 1.0

    error = _error(tmp_path, _broken(change))
    _assert_problem(error, "scoring.thresholds[2]", "more than 1")


def test_thresholds_decreasing(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["scoring"]["thresholds"][4] = 2.5

    error = _error(tmp_path, _broken(change))
    _assert_problem(error, "scoring.thresholds[4]", "must not decrease", "level 3")


def test_missing_and_unknown_thresholds(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        del d["scoring"]["thresholds"][3]
        d["scoring"]["thresholds"][1] = 1.5
        d["scoring"]["thresholds"][9] = 5.0

    error = _error(tmp_path, _broken(change))
    _assert_problem(error, "scoring.thresholds", "no threshold for level 3 (Strategic)")
    _assert_problem(error, "scoring.thresholds[1]", "lowest level")
    _assert_problem(error, "scoring.thresholds[9]", "unknown level 9")


def test_negative_gate(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["scoring"]["gate"] = -1

    _assert_problem(_error(tmp_path, _broken(change)), "scoring.gate", "greater than or equal to 0")


def test_weight_out_of_range(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["domains"][1]["indicators"][0]["weight"] = 11
        d["domains"][1]["indicators"][1]["weight"] = 0

    error = _error(tmp_path, _broken(change))
    _assert_problem(error, "domains[1].indicators[0].weight", "less than or equal to 10")
    _assert_problem(error, "domains[1].indicators[1].weight", "greater than 0")


def test_bad_slug(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["domains"][0]["indicators"][1]["id"] = "Funding Diversity"

    error = _error(tmp_path, _broken(change))
    _assert_problem(
        error, "domains[0].indicators[1].id", "'Funding Diversity' is not a valid id", "lower-case"
    )


def test_levels_must_be_contiguous(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["levels"][2]["value"] = 4

    error = _error(tmp_path, _broken(change))
    _assert_problem(error, "levels[2].value", "expected 3", "in order")


def test_unknown_and_missing_fields(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["domains"][0]["indicators"][0]["wieght"] = 2
        del d["domains"][0]["indicators"][0]["guidance"]

    error = _error(tmp_path, _broken(change))
    _assert_problem(error, "domains[0].indicators[0].wieght", "unknown field")
    _assert_problem(error, "domains[0].indicators[0].guidance", "required field is missing")


def test_unquoted_version_gets_a_hint(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["version"] = 2026.1

    _assert_problem(_error(tmp_path, _broken(change)), "version", 'quotes, for example "2026.1"')


def test_every_problem_is_listed_with_line_numbers(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["domains"][1]["id"] = "funding"
        del d["domains"][0]["indicators"][0]["levels"][2]
        d["domains"][1]["indicators"][0]["source"]["ref"] = "nowhere"

    error = _error(tmp_path, _broken(change))
    assert len(error.problems) == 3
    assert all(p.line is not None and p.line > 1 for p in error.problems)
    lines = (tmp_path / "broken.yaml").read_text().splitlines()
    ref_problem = next(p for p in error.problems if p.path.endswith("source.ref"))
    assert ref_problem.line is not None
    assert "nowhere" in lines[ref_problem.line - 1]
    assert error.file.endswith("broken.yaml")


def test_unknown_purpose(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["purpose"] = "quiz"

    _assert_problem(_error(tmp_path, _broken(change)), "purpose", "unknown purpose 'quiz'")


# --- YAML-level faults -------------------------------------------------------------------------


def test_invalid_yaml_syntax(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: test\nversion: '2026.1'\ntitle: [unclosed\npurpose: assessment\n")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    text = str(caught.value)
    assert "broken.yaml" in text
    assert "invalid YAML" in text
    assert "(line " in text
    assert caught.value.problems[0].line is not None


def test_wrong_top_level_type(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("# a comment\n- id: test\n- version: x\n")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    _assert_problem(caught.value, "(file)", "top level must be a mapping", "not a list", "line 2")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("# nothing\n")
    with pytest.raises(QuestionnaireError, match="broken.yaml: \\(file\\) — the file is empty"):
        load_file(path)


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: a\nlevels:\n  1: one\n  1: again\n")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    text = str(caught.value)
    assert "broken.yaml" in text and "duplicate key 1" in text and "(line 4" in text


# --- metrics faults ----------------------------------------------------------------------------


def test_metric_in_unknown_group(tmp_path: Path) -> None:
    data = metrics_data()
    data["metrics"][1]["group"] = "inputs"
    _assert_problem(_error(tmp_path, data), "metrics[1].group", "unknown group 'inputs'")


def test_unknown_metric_in_rule(tmp_path: Path) -> None:
    data = metrics_data()
    data["rules"][0]["right"] = ["people-supported", "people-helped"]
    _assert_problem(_error(tmp_path, data), "rules[0].right[1]", "unknown metric 'people-helped'")


def test_unknown_parent(tmp_path: Path) -> None:
    data = metrics_data()
    data["metrics"][3]["parent"] = "nobody"
    _assert_problem(_error(tmp_path, data), "metrics[3].parent", "unknown parent metric 'nobody'")


def test_parent_cycle(tmp_path: Path) -> None:
    data = metrics_data()
    data["metrics"][2]["parent"] = "into-care-jobs"
    error = _error(tmp_path, data)
    assert len([p for p in error.problems if "parent cycle" in p.message]) == 1
    _assert_problem(
        error,
        "metrics[2].parent",
        "parent cycle: into-destinations → into-care-jobs → into-paid-work → into-destinations",
    )


def test_duplicate_metric_and_rule_ids(tmp_path: Path) -> None:
    data = metrics_data()
    data["metrics"][1]["id"] = "people-supported"
    data["rules"].append(dict(data["rules"][0]))
    error = _error(tmp_path, data)
    _assert_problem(error, "metrics[1].id", "duplicate metric id 'people-supported'")
    _assert_problem(error, "rules[1].id", "duplicate rule id")


def test_percent_cannot_be_cumulative(tmp_path: Path) -> None:
    data = metrics_data()
    data["metrics"][5]["cumulative"] = True
    _assert_problem(_error(tmp_path, data), "metrics[5].cumulative", "cumulative: false")


def test_parent_with_other_unit(tmp_path: Path) -> None:
    data = metrics_data()
    data["metrics"][1]["parent"] = "people-supported"
    _assert_problem(_error(tmp_path, data), "metrics[1].parent", "same unit and period")


def test_unknown_unit(tmp_path: Path) -> None:
    data = metrics_data()
    data["metrics"][0]["unit"] = "pounds"
    _assert_problem(_error(tmp_path, data), "metrics[0].unit", "people")


# --- folders -----------------------------------------------------------------------------------


def test_load_directory_catalogue(tmp_path: Path) -> None:
    first = questionnaire_data()
    second = questionnaire_data()
    second["version"] = "2026.10"
    third = questionnaire_data()
    third["version"] = "2026.9"
    write_yaml(tmp_path, first, "a.yaml")
    write_yaml(tmp_path, second, "b.yaml")
    write_yaml(tmp_path, third, "c.yaml")
    write_yaml(tmp_path, metrics_data(), "m.yaml")
    (tmp_path / "README.md").write_text("not loaded")
    catalogue = load_directory(tmp_path)
    assert len(catalogue) == 4
    assert catalogue.versions("test-maturity") == ["2026.1", "2026.9", "2026.10"]
    assert catalogue.latest("test-maturity").version == "2026.10"
    assert catalogue.get("test-maturity", "2026.9").version == "2026.9"
    assert catalogue.questionnaire("test-maturity", "2026.1").version == "2026.1"
    assert [q.version for q in catalogue.questionnaires()] == ["2026.1", "2026.9", "2026.10"]
    assert catalogue.questionnaires(purpose="scoping") == []
    assert [m.id for m in catalogue.metrics()] == ["test-metrics"]
    assert catalogue.metrics(id="other") == []
    assert catalogue.path_of("test-metrics", "2026.1").name == "m.yaml"
    with pytest.raises(KeyError):
        catalogue.get("test-maturity", "1999")
    with pytest.raises(KeyError):
        catalogue.latest("nothing")
    with pytest.raises(KeyError, match="not a questionnaire"):
        catalogue.questionnaire("test-metrics")


def test_load_directory_refuses_duplicate_id_and_version(tmp_path: Path) -> None:
    write_yaml(tmp_path, questionnaire_data(), "a.yaml")
    write_yaml(tmp_path, questionnaire_data(), "b.yaml")
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    text = str(caught.value)
    assert "b.yaml: version —" in text and "already defined in a.yaml" in text


def test_load_directory_reports_every_broken_file(tmp_path: Path) -> None:
    bad = questionnaire_data()
    bad["scoring"]["gate"] = -2
    write_yaml(tmp_path, bad, "a.yaml")
    (tmp_path / "b.yaml").write_text("id: [")
    write_yaml(tmp_path, metrics_data(), "c.yaml")
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    files = {Path(p.file).name for p in caught.value.problems}
    assert files == {"a.yaml", "b.yaml"}


def test_format_path() -> None:
    assert (
        format_path(("domains", 3, "indicators", 2, "levels")) == "domains[3].indicators[2].levels"
    )
    assert format_path(("sources", "lga-matrix", "url")) == "sources.lga-matrix.url"
    assert format_path(("scoring", "thresholds", 7)) == "scoring.thresholds[7]"
    assert format_path(()) == "(file)"


def test_version_key_orders_naturally() -> None:
    versions = ["2026.10", "2026.2", "2025.1", "2026.2-draft"]
    assert sorted(versions, key=version_key) == ["2025.1", "2026.2", "2026.2-draft", "2026.10"]


def test_yml_files_are_reported_not_skipped(tmp_path: Path) -> None:
    write_yaml(tmp_path, questionnaire_data(), "a.yaml")
    write_yaml(tmp_path, metrics_data(), "m.yml")
    with pytest.raises(QuestionnaireError, match=r"m\.yml: \(file\) — not loaded"):
        load_directory(tmp_path)


def test_loaded_definitions_are_hashable(tmp_path: Path) -> None:
    first = load_file(write_yaml(tmp_path, questionnaire_data(), "a.yaml"))
    second = load_file(write_yaml(tmp_path, questionnaire_data(), "b.yaml"))
    metrics = load_file(write_yaml(tmp_path, metrics_data(), "m.yaml"))
    assert first == second and hash(first) == hash(second)
    assert len({first, second, metrics}) == 2


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="not a folder"):
        load_directory(tmp_path / "nope")
