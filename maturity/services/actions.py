"""Action plans: actions raised from next steps, carried over from cycle to cycle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import NoResultFound

from maturity.extensions import db
from maturity.models import ActionItem, ActionStatus, Assessment, Organisation, User, utcnow
from maturity.services import audit

TITLE_LIMIT = 500
OWNER_LIMIT = 200


class ActionError(Exception):
    """An action that cannot be saved; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ActionFields:
    title: str
    owner: str
    due_date: date | None
    status: ActionStatus
    domain_id: str
    indicator_id: str | None = None


def _check(fields: ActionFields) -> None:
    if not fields.title.strip():
        raise ActionError("title", "Enter what needs to be done")
    if len(fields.title) > TITLE_LIMIT:
        raise ActionError("title", f"The action must be {TITLE_LIMIT} characters or fewer")
    if not fields.owner.strip():
        raise ActionError("owner", "Enter who owns the action")
    if len(fields.owner) > OWNER_LIMIT:
        raise ActionError("owner", f"The owner must be {OWNER_LIMIT} characters or fewer")


def add_action(
    organisation: Organisation,
    fields: ActionFields,
    user: User,
    assessment: Assessment | None = None,
) -> ActionItem:
    """Add an action to the organisation's plan (from an assessment's next step, or not)."""
    _check(fields)
    action = ActionItem(
        organisation_id=organisation.id,
        assessment_id=assessment.id if assessment else None,
        cycle=assessment.cycle if assessment else None,
        domain_id=fields.domain_id,
        indicator_id=fields.indicator_id,
        title=fields.title.strip(),
        owner=fields.owner.strip(),
        due_date=fields.due_date,
        status=fields.status,
        created_by_id=user.id,
        completed_at=utcnow() if fields.status == ActionStatus.DONE else None,
    )
    db.session.add(action)
    db.session.flush()
    audit.record(
        "action_added",
        f"Action added: {action.title[:80]}",
        actor=user,
        organisation=organisation,
        detail={"action_id": action.id},
    )
    return action


def update_action(action: ActionItem, fields: ActionFields, user: User) -> None:
    """Change an action's text, owner, due date or status."""
    _check(fields)
    action.title = fields.title.strip()
    action.owner = fields.owner.strip()
    action.due_date = fields.due_date
    if fields.status == ActionStatus.DONE and action.status != ActionStatus.DONE:
        action.completed_at = utcnow()
    elif fields.status != ActionStatus.DONE:
        action.completed_at = None
    action.status = fields.status
    db.session.flush()


def actions_for(organisation: Organisation) -> Sequence[ActionItem]:
    """Every action of the organisation, whatever cycle raised it: open ones by due date."""
    return db.session.scalars(
        select(ActionItem)
        .where(ActionItem.organisation_id == organisation.id)
        .order_by(ActionItem.status == ActionStatus.DONE, ActionItem.due_date, ActionItem.id)
    ).all()


def action_in(organisation: Organisation, action_id: int) -> ActionItem:
    """The action with this id if it belongs to the organisation; NoResultFound otherwise."""
    action = db.session.scalar(
        select(ActionItem).where(
            ActionItem.id == action_id, ActionItem.organisation_id == organisation.id
        )
    )
    if action is None:
        raise NoResultFound(f"No action {action_id} for {organisation.slug}")
    return action


def is_overdue(action: ActionItem, today: date | None = None) -> bool:
    """Past its due date and not done."""
    return (
        action.status != ActionStatus.DONE
        and action.due_date is not None
        and action.due_date < (today or date.today())
    )
