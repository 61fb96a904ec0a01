"""What every impact sub-area shares: the metric file, the maturity questionnaire, the
error types and looking a record up through its organisation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.framework import MetricsDefinition, Questionnaire
from maturity.framework.metrics import Number
from maturity.models import Organisation
from maturity.services.questionnaires import catalogue

METRICS_ID = "impact-metrics"
MATURITY_QUESTIONNAIRE = "academy-maturity"

FieldErrors = dict[str, str]
"""Problems with what was entered, keyed by the name of the field each belongs to (for a
figure, its metric id); the message is for the user."""

Record = TypeVar("Record")


class FigureRecord(Protocol):
    value: float


Figure = TypeVar("Figure", bound=FigureRecord)


class ImpactError(Exception):
    """An impact request that cannot be met; the message is for the user. ``field`` names
    the form field it belongs to, or is None when it is about the whole page (for example
    someone else saved first)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def metrics_definition(version: str | None = None) -> MetricsDefinition:
    """The impact metric definitions: a given version, or the latest."""
    versions = catalogue().metrics(METRICS_ID)
    if version is not None:
        for definition in versions:
            if definition.version == version:
                return definition
    return versions[-1]


def maturity_questionnaire() -> Questionnaire:
    """The annual maturity questionnaire whose domains outcomes and case studies link to."""
    return catalogue().questionnaire(MATURITY_QUESTIONNAIRE)


def as_number(value: float) -> Number:
    """A stored figure as people typed it: whole numbers as int."""
    return int(value) if float(value).is_integer() else float(value)


def owned_by(
    model: type[Record], organisation: Organisation, record_id: int, *eager: Any
) -> Record:
    """The record of this type with this id if it belongs to the organisation;
    ``NoResultFound`` (a 404) otherwise, also for another organisation's id."""
    query = select(model).where(
        model.id == record_id,  # type: ignore[attr-defined]
        model.organisation_id == organisation.id,  # type: ignore[attr-defined]
    )
    found = db.session.scalar(query.options(*(selectinload(item) for item in eager)))
    if found is None:
        raise NoResultFound(f"No {model.__name__} {record_id} for {organisation.slug}")
    return found


def figures_change(stored: Mapping[str, Figure], values: Mapping[str, Number | None]) -> bool:
    """Whether writing ``values`` over the ``stored`` records (``store_figures``) would
    change any of them."""
    for metric_id, value in values.items():
        record = stored.get(metric_id)
        if (record is None) != (value is None) or (
            record is not None and value is not None and record.value != float(value)
        ):
            return True
    return False


def store_figures(
    stored: Mapping[str, Figure],
    values: Mapping[str, Number | None],
    add: Callable[[str, float], object],
    remove: Callable[[Figure], object],
) -> None:
    """Write figures (of a return, or targets) over the stored records, keyed by metric id:
    None removes a figure, a new one is added, a changed one updated."""
    for metric_id, value in values.items():
        record = stored.get(metric_id)
        if value is None:
            if record is not None:
                remove(record)
        elif record is None:
            add(metric_id, float(value))
        else:
            record.value = float(value)
