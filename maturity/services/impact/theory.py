"""Theories of change: one version for each financial year, each started from a copy of
the latest earlier one; outcomes are linked to metrics and maturity domains."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from maturity.extensions import db
from maturity.framework.impact import (
    TOC_OUTCOMES,
    Outcome,
    TheoryOfChangeFields,
    check_outcome,
    check_theory_of_change,
)
from maturity.framework.periods import Cycle
from maturity.models import Organisation, TheoryOfChange, User
from maturity.services.impact.common import (
    FieldErrors,
    ImpactError,
    maturity_questionnaire,
    metrics_definition,
    owned_by,
)


def theories_for(organisation: Organisation) -> Sequence[TheoryOfChange]:
    """The organisation's theories of change, newest cycle first."""
    return db.session.scalars(
        select(TheoryOfChange)
        .where(TheoryOfChange.organisation_id == organisation.id)
        .order_by(TheoryOfChange.cycle.desc())
    ).all()


def theory_in(organisation: Organisation, theory_id: int) -> TheoryOfChange:
    """The theory of change with this id if it belongs to the organisation."""
    return owned_by(TheoryOfChange, organisation, theory_id)


def theory_for_cycle(organisation: Organisation, cycle: str) -> TheoryOfChange | None:
    """The theory of change for a cycle, or the latest earlier one, or None."""
    return db.session.scalar(
        select(TheoryOfChange)
        .where(TheoryOfChange.organisation_id == organisation.id, TheoryOfChange.cycle <= cycle)
        .order_by(TheoryOfChange.cycle.desc())
        .limit(1)
    )


def start_theory(organisation: Organisation, cycle: str, user: User) -> TheoryOfChange:
    """Start the theory of change for a cycle, copied from the latest earlier one if any, so
    each cycle keeps its own version.

    Raises ``ImpactError`` on the ``cycle`` field for a cycle that is not a financial year
    or already has a version.
    """
    if not Cycle.is_valid(cycle):
        raise ImpactError("Select a financial year from the list", field="cycle")
    cycle = str(Cycle.parse(cycle))  # " 2026/27 " is 2026/27, and fits its column
    existing = db.session.scalar(
        select(TheoryOfChange).where(
            TheoryOfChange.organisation_id == organisation.id, TheoryOfChange.cycle == cycle
        )
    )
    if existing is not None:
        raise ImpactError(f"There is already a theory of change for {cycle}", field="cycle")
    source = theory_for_cycle(organisation, cycle)
    theory = TheoryOfChange(
        organisation_id=organisation.id,
        cycle=cycle,
        challenge=source.challenge if source else "",
        inputs=list(source.inputs) if source else [],
        activities=list(source.activities) if source else [],
        outputs=list(source.outputs) if source else [],
        outcomes=[dict(item) for item in source.outcomes] if source else [],
        impacts=list(source.impacts) if source else [],
        updated_by_id=user.id,
    )
    db.session.add(theory)
    db.session.flush()
    return theory


def fields_of(theory: TheoryOfChange) -> TheoryOfChangeFields:
    """The theory of change as the framework's value."""
    return TheoryOfChangeFields(
        challenge=theory.challenge,
        inputs=tuple(theory.inputs),
        activities=tuple(theory.activities),
        outputs=tuple(theory.outputs),
        outcomes=tuple(
            Outcome(
                item["text"], tuple(item.get("metric_ids", ())), tuple(item.get("domain_ids", ()))
            )
            for item in theory.outcomes
        ),
        impacts=tuple(theory.impacts),
    )


def save_theory(theory: TheoryOfChange, fields: TheoryOfChangeFields, user: User) -> FieldErrors:
    """Save the challenge and lists; returns errors keyed by field (``challenge``,
    ``inputs``, ``activities``, ``outputs``, ``impacts``); valid fields are kept."""
    errors = check_theory_of_change(fields)
    changed = False
    if "challenge" not in errors and theory.challenge != fields.challenge:
        theory.challenge = fields.challenge
        changed = True
    for name in ("inputs", "activities", "outputs", "impacts"):
        items = list(getattr(fields, name))
        if name not in errors and list(getattr(theory, name)) != items:
            setattr(theory, name, items)
            changed = True
    if changed:  # a post whose every change was refused leaves the theory as it was
        theory.updated_by_id = user.id
        db.session.flush()
    return errors


def save_outcome(
    theory: TheoryOfChange, position: int | None, outcome: Outcome, user: User
) -> FieldErrors:
    """Add (``position`` None) or change an outcome; returns errors keyed by field
    (``text``, ``metrics``, ``domains``) and saves nothing if any.

    Linked metric ids are checked against the metric file, domain ids against the maturity
    questionnaire.
    """
    errors = check_outcome(outcome, metrics_definition(), maturity_questionnaire().domain_ids)
    if not errors and position is None and len(theory.outcomes) >= TOC_OUTCOMES:
        errors["text"] = f"A theory of change can have up to {TOC_OUTCOMES} outcomes"
    if errors:
        return errors
    item = {
        "text": outcome.text,
        "metric_ids": list(outcome.metric_ids),
        "domain_ids": list(outcome.domain_ids),
    }
    outcomes = [dict(existing) for existing in theory.outcomes]
    if position is None:
        outcomes.append(item)
    else:
        outcomes[position] = item
    theory.outcomes = outcomes  # a new list, so the JSON column sees the change
    theory.updated_by_id = user.id
    db.session.flush()
    return {}


def remove_outcome(theory: TheoryOfChange, position: int, user: User) -> None:
    """Remove one outcome."""
    outcomes = [dict(existing) for existing in theory.outcomes]
    del outcomes[position]
    theory.outcomes = outcomes
    theory.updated_by_id = user.id
    db.session.flush()
