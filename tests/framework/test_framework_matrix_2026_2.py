"""The matrix's version 2026.2 as shipped, its changelog from 2026.1, and the rules that
hold them: weights that say why, a changelog that agrees with the two files, results
compared across the two versions through the ids they share."""

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from maturity.config import questionnaire_dir
from maturity.framework import (
    Answer,
    Questionnaire,
    QuestionnaireError,
    compare,
    load_directory,
    load_file,
    score,
)
from maturity.framework.changelog import Changelog, changed_between
from maturity.framework.loader import load_changelog
from tests.framework.framework_fixtures import questionnaire_data, write_yaml

FOLDER = Path(questionnaire_dir())
OLD, NEW = "2026.1", "2026.2"
CHANGELOG = FOLDER / "academy-maturity-changes-2026.2.yaml"

# Words that describe a practice by others taking it up (or by its being shared or held up as
# an example) rather than by what it is. Broad on purpose: it also catches a descriptor that
# merely mentions sharing, so the count below is an upper bound.
ADOPTION = re.compile(
    r"\b(adopt\w*|cop(y|ied|ies)|elsewhere|others|other (academies|areas|councils|employers"
    r"|services|health and care academies)|shar(e|es|ed|ing)\b|as a model|a model for"
    r"|recognised model|held up|used by|beyond its area|national learning)",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def catalogue():  # type: ignore[no-untyped-def]
    return load_directory(FOLDER)


@pytest.fixture(scope="module")
def old(catalogue) -> Questionnaire:  # type: ignore[no-untyped-def]
    return catalogue.questionnaire("academy-maturity", OLD)


@pytest.fixture(scope="module")
def new(catalogue) -> Questionnaire:  # type: ignore[no-untyped-def]
    return catalogue.questionnaire("academy-maturity", NEW)


def test_the_newest_version_is_2026_2_and_2026_1_is_still_there(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert catalogue.versions("academy-maturity") == [OLD, NEW]
    assert catalogue.latest("academy-maturity").version == NEW


def test_no_more_than_five_disruptive_descriptors_mention_adoption_by_others(
    new: Questionnaire, old: Questionnaire
) -> None:
    top = new.top_level.value
    mentioning = [
        indicator.id
        for domain in new.domains
        for indicator in domain.indicators
        if ADOPTION.search(indicator.levels[top])
    ]
    assert len(mentioning) <= 5, mentioning
    # The pattern finds what the issue complained of: nearly all of 2026.1's did.
    assert sum(1 for i in old.indicator_ids if ADOPTION.search(old.indicator(i).levels[top])) >= 50


def test_every_disruptive_descriptor_was_rewritten_and_differs_from_its_neighbours(
    new: Questionnaire, old: Questionnaire
) -> None:
    for indicator_id in old.indicator_ids:
        assert new.indicator(indicator_id).levels[5] != old.indicator(indicator_id).levels[5]
    descriptors = [new.indicator(i).levels[5] for i in new.indicator_ids]
    assert len(set(descriptors)) == len(descriptors)  # no template repeated


def test_apprenticeships_is_rewritten_at_every_level_from_the_training_section(
    new: Questionnaire, old: Questionnaire
) -> None:
    before, after = old.indicator("apprenticeships"), new.indicator("apprenticeships")
    for level in new.level_values:
        assert after.levels[level] != before.levels[level]
    assert after.source.section == "Scope and activities > Training and development"
    text = " ".join(after.levels.values()).lower()
    for word in ("commission", "procure", "t level", "collaborative", "regional priorities"):
        assert word in text


def test_weights_other_than_one_say_why_and_values_based_recruitment_is_one(
    catalogue,  # type: ignore[no-untyped-def]
    new: Questionnaire,
) -> None:
    assert new.indicator("values-based-recruitment").weight == 1
    assert new.indicator("values-based-recruitment").weight_reason is None
    for questionnaire in catalogue.questionnaires():
        for indicator_id in questionnaire.indicator_ids:
            indicator = questionnaire.indicator(indicator_id)
            if indicator.weight != 1:
                reason = indicator.weight_reason
                assert reason is not None, (questionnaire.label, indicator_id)
                assert reason.ref in questionnaire.sources and reason.section and reason.why


def test_a_weight_without_a_reason_is_refused_naming_the_file_and_field(tmp_path: Path) -> None:
    data = questionnaire_data()
    data["domains"][0]["indicators"][1].pop("weight_reason")  # weight 2, no reason now
    path = write_yaml(tmp_path, data, "unexplained.yaml")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path)
    assert problem.path == "domains[0].indicators[1].weight_reason"
    assert "weight 2 needs a weight_reason" in problem.message
    assert problem.line is not None
    # A reason on a weight of 1 is refused too, and a reason's source must exist.
    data = questionnaire_data()
    data["domains"][0]["indicators"][0]["weight_reason"] = {
        "ref": "nowhere",
        "section": "S",
        "why": "W",
    }
    with pytest.raises(QuestionnaireError) as caught:
        load_file(write_yaml(tmp_path, data, "reason-on-one.yaml"))
    messages = {p.path: p.message for p in caught.value.problems}
    assert "the weight is 1" in messages["domains[0].indicators[0].weight_reason"]
    assert "unknown source 'nowhere'" in messages["domains[0].indicators[0].weight_reason.ref"]


def test_the_wording_fixes(new: Questionnaire, catalogue) -> None:  # type: ignore[no-untyped-def]
    scoping = catalogue.questionnaire("scoping")
    for questionnaire in (new, scoping):
        for indicator_id in questionnaire.indicator_ids:
            indicator = questionnaire.indicator(indicator_id)
            for text in (indicator.guidance, indicator.question, *indicator.levels.values()):
                if "Local Enterprise Partnership" in text:
                    assert "2024–25" in text, (questionnaire.label, indicator_id)
                assert "many academies use" not in text.lower()
                assert "many existing academies use" not in text.lower()


def test_the_small_employer_question_is_new_with_every_level(new: Questionnaire) -> None:
    indicator = new.indicator("small-employer-capacity")
    assert new.domain_of("small-employer-capacity").id == "collaboration"
    assert sorted(indicator.levels) == [1, 2, 3, 4, 5]
    assert indicator.source.ref == "nhs-employer-engagement"


# --- The changelog -------------------------------------------------------------------------


def test_the_changelog_agrees_with_the_two_files(old: Questionnaire, new: Questionnaire) -> None:
    changelog = load_changelog(CHANGELOG)
    assert (changelog.questionnaire, changelog.from_version, changelog.version) == (
        "academy-maturity",
        OLD,
        NEW,
    )
    old_ids, new_ids = set(old.indicator_ids), set(new.indicator_ids)
    assert {c.id for c in changelog.added} == new_ids - old_ids == {"small-employer-capacity"}
    assert {c.id for c in changelog.removed} == old_ids - new_ids
    differing = {i for i in old_ids & new_ids if old.indicator(i) != new.indicator(i)}
    assert changelog.changed_ids == differing


def test_the_catalogue_reports_what_changed_between_versions(catalogue) -> None:  # type: ignore[no-untyped-def]
    changes = catalogue.changes("academy-maturity", OLD, NEW)
    assert changes is not None
    assert "small-employer-capacity" not in changes  # added, so nothing was carried to it
    assert any("every level" in what for what in changes["apprenticeships"])
    assert catalogue.changes("academy-maturity", NEW, NEW) == {}
    assert catalogue.changes("academy-maturity", NEW, OLD) is None  # backwards
    assert catalogue.changes("scoping", "2026.1", "2026.9") is None  # unknown version


def _folder_with_changelog(tmp_path: Path, edit: Any) -> Path:
    """A copy of the shipped 2026.1, 2026.2 and changelog files, the changelog edited."""
    for name in ("academy-maturity-2026.yaml", "academy-maturity-2026.2.yaml"):
        (tmp_path / name).write_text((FOLDER / name).read_text(encoding="utf-8"), "utf-8")
    data = yaml.safe_load(CHANGELOG.read_text(encoding="utf-8"))
    edit(data)
    return write_yaml(tmp_path, data, CHANGELOG.name)


def test_a_changelog_that_disagrees_with_the_files_is_refused(tmp_path: Path) -> None:
    def break_it(data: dict[str, Any]) -> None:
        data["added"] = []  # leaves out the new question
        data["removed"] = [{"id": "no-such-question", "what": "Never there."}]
        data["changed"] = [c for c in data["changed"] if c["id"] != "apprenticeships"]

    path = _folder_with_changelog(tmp_path, break_it)
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    problems = {(p.file, p.path): p.message for p in caught.value.problems}
    assert (
        "'small-employer-capacity' is a question new in 2026.2 but is not listed under added"
        in (problems[(str(path), "added")])
    )
    assert (
        "'no-such-question' is not a question only in 2026.1"
        in problems[(str(path), "removed[0].id")]
    )
    assert (
        "'apprenticeships' has a different question or level descriptors"
        in (problems[(str(path), "changed")])
    )


def test_a_changelog_naming_a_missing_version_or_an_unchanged_question_is_refused(
    tmp_path: Path,
) -> None:
    def unchanged(data: dict[str, Any]) -> None:
        data["version"] = "2026.3"

    path = _folder_with_changelog(tmp_path, unchanged)
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.path) == (str(path), "version")
    assert "no questionnaire 'academy-maturity' version 2026.3" in problem.message

    same = tmp_path / "same"
    same.mkdir()
    data = questionnaire_data()
    write_yaml(same, data, "a.yaml")
    later = copy.deepcopy(data)
    later["version"] = "2026.2"
    write_yaml(same, later, "b.yaml")
    log = {
        "purpose": "changelog",
        "questionnaire": "test-maturity",
        "from_version": "2026.1",
        "version": "2026.2",
        "summary": "Nothing really.",
        "changed": [{"id": "vision", "what": "Claimed."}],
        "added": [{"id": "vision", "what": "Twice."}],
    }
    write_yaml(same, log, "log.yaml")
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(same)
    messages = {p.path: p.message for p in caught.value.problems}
    assert "already listed under changed[0]" in messages["added[0].id"]
    log.pop("added")
    write_yaml(same, log, "log.yaml")
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(same)
    messages = {p.path: p.message for p in caught.value.problems}
    assert "'vision' is the same in 2026.1 and 2026.2: nothing changed" in messages["changed[0].id"]


def test_a_changelog_is_not_a_questionnaire(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_file(CHANGELOG)
    assert "this is a changelog" in str(caught.value)
    assert isinstance(load_changelog(CHANGELOG), Changelog)


# --- Results compared across the two versions ----------------------------------------------


def test_results_on_2026_1_and_2026_2_are_compared_through_the_shared_ids(
    old: Questionnaire, new: Questionnaire
) -> None:
    # The same academy a year apart: every 2026.1 question answered, then the same answers
    # one level up on 2026.2, plus the new question.
    before = {i: Answer(level=2) for i in old.indicator_ids}
    after = {i: Answer(level=3) for i in old.indicator_ids}
    after["small-employer-capacity"] = Answer(level=1)
    comparison = compare(score(old, before), score(new, after))
    assert not comparison.same_version
    assert {c.indicator_id for c in comparison.indicators} == set(old.indicator_ids)
    assert all(c.level_delta == 1 for c in comparison.indicators)
    assert comparison.indicators_only_after == ("small-employer-capacity",)
    assert comparison.indicators_only_before == ()
    assert {d.domain_id for d in comparison.domains} == set(new.domain_ids)
    notes = " ".join(comparison.notes)
    assert "version 2026.1" in notes and "version 2026.2" in notes
    assert "Small employers' capacity to take part" in notes
    assert "'Collaboration" in notes  # its domain asked different questions
    # Recruitment's score moves by exactly one level: weights differ between the versions
    # (values-based recruitment 1.5 → 1) but every answer moved by one.
    recruitment = comparison.domain("recruitment")
    assert (recruitment.score_before, recruitment.score_after) == (2.0, 3.0)


def test_changes_over_several_versions_gather_each_step_and_need_every_step() -> None:
    def step(before: str, after: str, changed: dict[str, str]) -> Changelog:
        return Changelog.model_validate(
            {
                "purpose": "changelog",
                "questionnaire": "q",
                "from_version": before,
                "version": after,
                "summary": "S.",
                "changed": [{"id": i, "what": what} for i, what in changed.items()],
            }
        )

    first = step("1", "2", {"a": "A reworded.", "b": "B reworded."})
    second = step("2", "3", {"a": "A reworded again."})
    assert changed_between([first, second], ["1", "2", "3"]) == {
        "a": ["A reworded.", "A reworded again."],
        "b": ["B reworded."],
    }
    assert changed_between([second], ["2", "3"]) == {"a": ["A reworded again."]}
    assert changed_between([second], ["1", "2", "3"]) is None  # no changelog for 1 → 2
    assert changed_between([], ["3"]) == {}
