"""Reminders from a regional lead to an organisation's leads."""

from __future__ import annotations

from maturity.models import Organisation, Region, Role, User
from maturity.services import audit
from maturity.services.mail import send_email
from maturity.services.settings import MailSettings


def send_reminder(
    organisation: Organisation,
    region: Region,
    cycle: str,
    sent_by: User,
    link: str,
    mail: MailSettings,
) -> int:
    """Email the organisation's leads a reminder about this cycle's assessment (logged).

    Returns how many people were emailed (or would have been, without SMTP).
    """
    if organisation.region_id != region.id:
        raise ValueError("The organisation is not in this region")
    leads = [
        membership.user
        for membership in organisation.memberships
        if membership.role == Role.LEAD and membership.user.is_active
    ]
    for lead in leads:
        send_email(
            mail,
            lead.email,
            f"Reminder: the {cycle} academy maturity assessment",
            f"{sent_by.name}, regional lead for {region.name}, reminds you that the {cycle} "
            f"assessment for {organisation.name} is due.\n\nContinue it here:\n{link}\n",
        )
    audit.record(
        "reminder_sent",
        f"Reminder about the {cycle} assessment sent to {organisation.name}",
        actor=sent_by,
        organisation=organisation,
        detail={"cycle": cycle, "recipients": len(leads)},
    )
    return len(leads)
