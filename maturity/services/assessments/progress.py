"""How far an assessment has got: questions answered, by domain and overall."""

from __future__ import annotations

from dataclasses import dataclass, field

from maturity.framework import Domain, Questionnaire
from maturity.models import Assessment
from maturity.services.assessments.answers import answers_by_indicator
from maturity.services.assessments.carried import QuestionChange, changed_carried_answers


@dataclass(frozen=True)
class DomainProgress:
    domain: Domain
    answered: int
    total: int
    carried_over: int
    # Of the carried answers, those whose question changed since they were given.
    changed: int = 0

    @property
    def status(self) -> str:
        if self.answered == 0:
            return "Not started"
        if self.answered < self.total or self.carried_over:
            return "In progress"
        return "Completed"


@dataclass(frozen=True)
class Progress:
    domains: list[DomainProgress]
    # Carried answers to check because their question changed, by indicator id.
    changes: dict[str, QuestionChange] = field(default_factory=dict)
    # The version the answers were carried from, when it is not the assessment's own.
    carried_from_version: str | None = None

    @property
    def changed(self) -> int:
        return len(self.changes)

    @property
    def answered(self) -> int:
        return sum(item.answered for item in self.domains)

    @property
    def total(self) -> int:
        return sum(item.total for item in self.domains)


def progress(assessment: Assessment, questionnaire: Questionnaire) -> Progress:
    """How many questions are answered (a level or not applicable), by domain and overall,
    with the carried answers whose question changed since they were given."""
    records = answers_by_indicator(assessment)
    changes = changed_carried_answers(assessment)
    items = []
    for domain in questionnaire.domains:
        answered = carried = changed = 0
        for indicator in domain.indicators:
            record = records.get(indicator.id)
            if record is not None and (record.level is not None or record.not_applicable):
                answered += 1
                carried += int(record.carried_over)
                changed += int(record.carried_over and indicator.id in changes)
        items.append(DomainProgress(domain, answered, len(domain.indicators), carried, changed))
    from_version = next(iter(changes.values())).from_version if changes else None
    return Progress(items, changes, from_version)
