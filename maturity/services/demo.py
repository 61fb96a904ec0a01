"""Demo data: clearly fictional organisations and accounts so the service can be explored.

Every demo organisation is flagged ``is_demo`` and named "(demo)"; the interface labels
them as fictional. Nothing here describes a real academy.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import select

from maturity.extensions import db
from maturity.models import (
    Assessment,
    Confidence,
    DeliveryMode,
    DomainTarget,
    FundingMix,
    HostBodyType,
    Locality,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    RegionalLead,
    Role,
    User,
)
from maturity.services.accounts import normalise_email, set_password
from maturity.services.assessments import (
    AnswerValues,
    questionnaire_of,
    set_answer,
    start_assessment,
    submit_assessment,
)
from maturity.services.organisations import OrganisationProfile, create_organisation
from maturity.services.questionnaires import catalogue
from maturity.services.reference import region_by_code

DEMO_PASSWORD = "fictional-demo-account"


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    region: str
    kind: OrganisationKind
    host: HostBodyType
    mode: DeliveryMode
    status: OrganisationStatus
    year: int | None
    locality: Locality
    shares: bool
    funding: FundingMix
    people: tuple[tuple[str, str, Role], ...]


DEMO_ORGANISATIONS = (
    DemoOrganisation(
        "Riverside Care Academy (demo)",
        "north-west",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.LOCAL_AUTHORITY,
        DeliveryMode.BLENDED,
        OrganisationStatus.LIVE,
        2021,
        Locality.URBAN,
        True,
        FundingMix.MULTIPLE,
        (
            ("Ada Lead (demo)", "lead@riverside.example.org", Role.LEAD),
            ("Cal Contributor (demo)", "contributor@riverside.example.org", Role.CONTRIBUTOR),
        ),
    ),
    DemoOrganisation(
        "Moorland Social Care Academy (demo)",
        "north-west",
        OrganisationKind.SOCIAL_CARE,
        HostBodyType.LOCAL_AUTHORITY,
        DeliveryMode.VIRTUAL,
        OrganisationStatus.LIVE,
        2023,
        Locality.RURAL,
        False,
        FundingMix.COUNCIL,
        (("Mo Lead (demo)", "lead@moorland.example.org", Role.LEAD),),
    ),
    DemoOrganisation(
        "Kingsmere Health and Care Academy (demo)",
        "north-east",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.NHS_TRUST,
        DeliveryMode.PHYSICAL,
        OrganisationStatus.LIVE,
        2019,
        Locality.MIXED,
        True,
        FundingMix.COUNCIL_AND_NHS,
        (("Kit Lead (demo)", "lead@kingsmere.example.org", Role.LEAD),),
    ),
    DemoOrganisation(
        "Eastbridge Care Academy (demo)",
        "london",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.PARTNERSHIP,
        DeliveryMode.BLENDED,
        OrganisationStatus.LIVE,
        2022,
        Locality.URBAN,
        True,
        FundingMix.MULTIPLE,
        (("Eli Lead (demo)", "lead@eastbridge.example.org", Role.LEAD),),
    ),
    DemoOrganisation(
        "Ashvale Council (demo, scoping an academy)",
        "yorkshire-and-the-humber",
        OrganisationKind.SOCIAL_CARE,
        HostBodyType.LOCAL_AUTHORITY,
        DeliveryMode.BLENDED,
        OrganisationStatus.SCOPING,
        None,
        Locality.RURAL,
        False,
        FundingMix.COUNCIL,
        (("Sam Scoping (demo)", "lead@ashvale.example.org", Role.LEAD),),
    ),
)

DEMO_ADMIN = ("Avery Admin (demo)", "admin@example.org")
DEMO_REGIONAL_LEAD = ("Rory Regional (demo)", "regional.lead@example.org", "north-west")


def _demo_user(name: str, email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        user = User(email=normalise_email(email), name=name, session_token=secrets.token_hex(16))
        set_password(user, DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


DEMO_PAST_CYCLES = ("2023/24", "2024/25", "2025/26")
DEMO_CURRENT_CYCLE = "2026/27"


def _demo_level(rng: random.Random, strength: float, cycle_index: int, top: int) -> int:
    # Each cycle the academy tends to move up a little, with some indicators slipping.
    value = strength + 0.4 * cycle_index + rng.uniform(-0.9, 0.9)
    return max(1, min(top, round(value)))


def _fill_demo_answers(
    assessment: Assessment,
    user: User,
    rng: random.Random,
    strengths: dict[str, float],
    cycle_index: int,
    share: float,
) -> None:
    questionnaire = questionnaire_of(assessment)
    top = questionnaire.top_level.value
    for domain in questionnaire.domains:
        for indicator in domain.indicators:
            if rng.random() > share:
                continue
            level = _demo_level(rng, strengths[domain.id], cycle_index, top)
            set_answer(
                assessment,
                indicator.id,
                AnswerValues(
                    level=level,
                    evidence_note=(
                        f"Fictional demo evidence for {assessment.cycle}: "
                        f"{indicator.evidence_prompt[:120]}"
                    )
                    if rng.random() < 0.4
                    else None,
                    confidence=rng.choice(list(Confidence)),
                ),
                user,
            )
    for domain in questionnaire.domains[:3]:
        db.session.add(
            DomainTarget(
                assessment_id=assessment.id,
                domain_id=domain.id,
                level=min(top, max(1, round(strengths[domain.id] + 0.4 * cycle_index) + 1)),
            )
        )


def _seed_demo_assessments(organisation: Organisation, lead: User) -> None:
    """Three past submitted cycles and one in progress (carried forward) for a live demo
    academy; one scoping assessment in progress for a scoping authority. Fictional."""
    if db.session.scalar(
        select(Assessment.id).where(Assessment.organisation_id == organisation.id)
    ):
        return
    rng = random.Random(organisation.name)  # the same demo data on every machine
    if organisation.status == OrganisationStatus.SCOPING:
        scoping = catalogue().questionnaire("scoping")
        strengths = {domain.id: rng.uniform(1.2, 2.6) for domain in scoping.domains}
        assessment = start_assessment(
            organisation, DEMO_CURRENT_CYCLE, lead, carry_forward=False, today=date(2026, 11, 1)
        )
        _fill_demo_answers(assessment, lead, rng, strengths, 0, share=0.6)
        return
    annual = catalogue().questionnaire("academy-maturity")
    strengths = {domain.id: rng.uniform(1.3, 3.2) for domain in annual.domains}
    for index, cycle in enumerate(DEMO_PAST_CYCLES):
        assessment = start_assessment(
            organisation, cycle, lead, carry_forward=False, today=date(2026, 11, 1)
        )
        _fill_demo_answers(assessment, lead, rng, strengths, index, share=0.97)
        submit_assessment(assessment, lead, declared=True)
        year = int(cycle[:4]) + 1
        assessment.submitted_at = datetime(year, 3, 20, 15, 0, tzinfo=UTC)
    current = start_assessment(
        organisation, DEMO_CURRENT_CYCLE, lead, carry_forward=True, today=date(2026, 11, 1)
    )
    # Part of last year's answers have been confirmed or changed this year.
    for record in list(current.answers)[: len(current.answers) // 3]:
        values = AnswerValues.of(record)
        level = values.level
        if level is not None and rng.random() < 0.5:
            level = min(annual.top_level.value, level + 1)
        set_answer(current, record.indicator_id, replace(values, level=level), lead)
    db.session.flush()


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo organisations and accounts if they are missing; idempotent.

    Returns the demo accounts as (email, what they can do). All use ``DEMO_PASSWORD``.
    Regions must be loaded first.
    """
    accounts: list[tuple[str, str]] = []
    admin = _demo_user(*DEMO_ADMIN)
    admin.is_admin = True
    accounts.append((admin.email, "administrator"))

    name, email, region_code = DEMO_REGIONAL_LEAD
    regional = _demo_user(name, email)
    region = region_by_code(region_code)
    if region is None:
        raise RuntimeError("Load the regions first: flask maturity load-reference-data")
    if not any(lead.region_id == region.id for lead in regional.regional_leads):
        db.session.add(RegionalLead(user=regional, region=region))
    accounts.append((regional.email, f"regional lead, {region.name}"))

    for demo in DEMO_ORGANISATIONS:
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == demo.name))
        if organisation is None:
            home = region_by_code(demo.region)
            assert home is not None
            organisation = create_organisation(
                OrganisationProfile(
                    name=demo.name,
                    region=home,
                    kind=demo.kind,
                    host_body_type=demo.host,
                    delivery_mode=demo.mode,
                    status=demo.status,
                    year_established=demo.year,
                    locality=demo.locality,
                    shares_named_results=demo.shares,
                ),
                created_by=admin,
                is_demo=True,
            )
        for person_name, person_email, role in demo.people:
            person = _demo_user(person_name, person_email)
            membership = db.session.scalar(
                select(Membership).where(
                    Membership.user_id == person.id, Membership.organisation_id == organisation.id
                )
            )
            if membership is None:
                db.session.add(Membership(user=person, organisation=organisation, role=role))
            accounts.append((person.email, f"{role.label.lower()}, {organisation.name}"))
        db.session.flush()
        lead = next(
            _demo_user(name, email) for name, email, role in demo.people if role == Role.LEAD
        )
        _seed_demo_assessments(organisation, lead)
    db.session.flush()
    return accounts
