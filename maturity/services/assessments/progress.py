"""How far an assessment has got: questions answered, by domain and overall."""

from __future__ import annotations

from dataclasses import dataclass

from maturity.framework import Domain, Questionnaire
from maturity.models import Assessment
from maturity.services.assessments.answers import answers_by_indicator


@dataclass(frozen=True)
class DomainProgress:
    domain: Domain
    answered: int
    total: int
    carried_over: int

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

    @property
    def answered(self) -> int:
        return sum(item.answered for item in self.domains)

    @property
    def total(self) -> int:
        return sum(item.total for item in self.domains)


def progress(assessment: Assessment, questionnaire: Questionnaire) -> Progress:
    """How many questions are answered (a level or not applicable), by domain and overall."""
    records = answers_by_indicator(assessment)
    items = []
    for domain in questionnaire.domains:
        answered = carried = 0
        for indicator in domain.indicators:
            record = records.get(indicator.id)
            if record is not None and (record.level is not None or record.not_applicable):
                answered += 1
                carried += int(record.carried_over)
        items.append(DomainProgress(domain, answered, len(domain.indicators), carried))
    return Progress(items)
