"""Demo data: clearly fictional organisations and accounts so the service can be explored.

Every demo organisation is flagged ``is_demo`` and named "(demo)"; the interface labels
them as fictional. Nothing here describes a real academy.
"""

from __future__ import annotations

import random
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
from maturity.services.accounts import hash_password, normalise_email
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
from maturity.services.settings import PasswordHashing

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


DEMO_ORGANISATIONS: tuple[DemoOrganisation, ...] = (
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

# More fictional academies, so that regional figures have enough academies to show
# (any group under three is withheld). They have a lead account each but no story.
_EXTRA = (
    (
        "Fellside Care Academy (demo)",
        "north-west",
        OrganisationKind.SOCIAL_CARE,
        HostBodyType.LOCAL_AUTHORITY,
        DeliveryMode.BLENDED,
        2022,
        Locality.RURAL,
        True,
        FundingMix.COUNCIL,
        "fellside",
    ),
    (
        "Harbourtown Health and Care Academy (demo)",
        "north-west",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.NHS_TRUST,
        DeliveryMode.PHYSICAL,
        2020,
        Locality.URBAN,
        False,
        FundingMix.COUNCIL_AND_NHS,
        "harbourtown",
    ),
    (
        "Millbrook Care Academy (demo)",
        "north-west",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.PARTNERSHIP,
        DeliveryMode.BLENDED,
        2021,
        Locality.MIXED,
        False,
        FundingMix.MULTIPLE,
        "millbrook",
    ),
    (
        "Oakridge Social Care Academy (demo)",
        "north-west",
        OrganisationKind.SOCIAL_CARE,
        HostBodyType.LOCAL_AUTHORITY,
        DeliveryMode.VIRTUAL,
        2023,
        Locality.URBAN,
        True,
        FundingMix.COUNCIL,
        "oakridge",
    ),
    (
        "Tynebridge Care Academy (demo)",
        "north-east",
        OrganisationKind.SOCIAL_CARE,
        HostBodyType.LOCAL_AUTHORITY,
        DeliveryMode.BLENDED,
        2019,
        Locality.URBAN,
        True,
        FundingMix.COUNCIL,
        "tynebridge",
    ),
    (
        "Wearside Health and Care Academy (demo)",
        "north-east",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.INTEGRATED_CARE_BOARD,
        DeliveryMode.BLENDED,
        2021,
        Locality.MIXED,
        False,
        FundingMix.MULTIPLE,
        "wearside",
    ),
    (
        "Thameside Care Academy (demo)",
        "london",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.LOCAL_AUTHORITY,
        DeliveryMode.VIRTUAL,
        2023,
        Locality.URBAN,
        True,
        FundingMix.MULTIPLE,
        "thameside",
    ),
    (
        "Northgate Health and Care Academy (demo)",
        "london",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.NHS_TRUST,
        DeliveryMode.PHYSICAL,
        2022,
        Locality.URBAN,
        False,
        FundingMix.NHS,
        "northgate",
    ),
    # Six more fictional North West academies that share their results, so that the demo
    # regional lead's region has enough (nine) sharing academies for its dashboard to show
    # real figures, while the other regions still show figures withheld.
    (
        "Bramblewood Care Academy (demo)",
        "north-west",
        OrganisationKind.SOCIAL_CARE,
        HostBodyType.LOCAL_AUTHORITY,
        DeliveryMode.BLENDED,
        2020,
        Locality.MIXED,
        True,
        FundingMix.COUNCIL,
        "bramblewood",
    ),
    (
        "Copperfield Health and Care Academy (demo)",
        "north-west",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.NHS_TRUST,
        DeliveryMode.PHYSICAL,
        2021,
        Locality.URBAN,
        True,
        FundingMix.COUNCIL_AND_NHS,
        "copperfield",
    ),
    (
        "Larkhill Care Academy (demo)",
        "north-west",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.PARTNERSHIP,
        DeliveryMode.VIRTUAL,
        2022,
        Locality.RURAL,
        True,
        FundingMix.MULTIPLE,
        "larkhill",
    ),
    (
        "Pennine Vale Social Care Academy (demo)",
        "north-west",
        OrganisationKind.SOCIAL_CARE,
        HostBodyType.LOCAL_AUTHORITY,
        DeliveryMode.PHYSICAL,
        2019,
        Locality.RURAL,
        True,
        FundingMix.COUNCIL,
        "penninevale",
    ),
    (
        "Saltmarsh Care Academy (demo)",
        "north-west",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.INTEGRATED_CARE_BOARD,
        DeliveryMode.BLENDED,
        2023,
        Locality.URBAN,
        True,
        FundingMix.MULTIPLE,
        "saltmarsh",
    ),
    (
        "Willowmere Health and Care Academy (demo)",
        "north-west",
        OrganisationKind.HEALTH_AND_CARE,
        HostBodyType.LOCAL_AUTHORITY,
        DeliveryMode.BLENDED,
        2021,
        Locality.MIXED,
        True,
        FundingMix.COUNCIL_AND_NHS,
        "willowmere",
    ),
)
EXTRA_ORGANISATIONS = tuple(
    DemoOrganisation(
        name,
        region,
        kind,
        host,
        mode,
        OrganisationStatus.LIVE,
        year,
        locality,
        shares,
        funding,
        ((f"Lead of {name}", f"lead@{key}.example.org", Role.LEAD),),
    )
    for name, region, kind, host, mode, year, locality, shares, funding, key in _EXTRA
)
DEMO_ORGANISATIONS = DEMO_ORGANISATIONS + EXTRA_ORGANISATIONS

DEMO_ADMIN = ("Avery Admin (demo)", "admin@example.org")
DEMO_REGIONAL_LEAD = ("Rory Regional (demo)", "regional.lead@example.org", "north-west")


def _demo_user(name: str, email: str, password_hash: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        user = User(email=normalise_email(email), name=name)
        user.password_hash = password_hash
        db.session.add(user)
        db.session.flush()
    return user


DEMO_PAST_CYCLES = ("2023/24", "2024/25", "2025/26")
DEMO_CURRENT_CYCLE = "2026/27"
# The past cycles were taken on the first version of the matrix; the current one starts on
# the version new assessments start on, carrying answers forward across the two.
DEMO_PAST_VERSION = "2026.1"


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


def _seed_demo_assessments(
    organisation: Organisation, lead: User, *, submit_current: bool = False
) -> None:
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
            organisation,
            cycle,
            lead,
            carry_forward=False,
            today=date(2026, 11, 1),
            version=DEMO_PAST_VERSION,
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
    if submit_current:
        # Every carried answer confirmed, then submitted: this cycle's regional figures.
        for record in list(current.answers):
            if record.carried_over:
                set_answer(current, record.indicator_id, AnswerValues.of(record), lead)
        submit_assessment(current, lead, declared=True)
        current.submitted_at = datetime(2026, 10, 15, 10, 0, tzinfo=UTC)
    db.session.flush()


IMPACT_DEMO_ORGANISATION = "Riverside Care Academy (demo)"
IMPACT_DEMO_TODAY = date(2026, 11, 1)
# Two years of quarters, oldest first: 2024/25 Q3 to 2026/27 Q2.
IMPACT_DEMO_PERIODS = (
    "2024/25 Q3",
    "2024/25 Q4",
    "2025/26 Q1",
    "2025/26 Q2",
    "2025/26 Q3",
    "2025/26 Q4",
    "2026/27 Q1",
    "2026/27 Q2",
)


def _demo_impact_figures(index: int, period: str) -> dict[str, int | float]:
    """Fictional figures for the ``index``-th demo quarter: growing over time and consistent
    with every rule of the metric definitions."""

    def paid(at: int) -> int:
        return 12 + 2 * at if at >= 0 else 10

    cohort_12 = paid(index - 4) if index >= 4 else 9
    figures: dict[str, int | float] = {
        "people-supported": 60 + 8 * index,
        "skills-action-plans": 40 + 6 * index,
        "course-completions": 90 + 10 * index,
        "providers-engaged": 25 + 2 * index,
        "into-jobs-training-volunteering": 22 + 3 * index,
        "into-paid-work": paid(index),
        "into-employment": paid(index) + 3 + index % 3,
        "into-learning": 8 + index,
        "international-recruits": 1 + index % 2,
        "care-hours-added": paid(index) * 1350 + 37 * index,
        "starters-cohort-6-months": paid(index - 2),
        "starters-retained-6-months": round(0.8 * paid(index - 2)),
        "starters-cohort-12-months": cohort_12,
        "starters-retained-12-months": round(0.7 * cohort_12),
        "engaged-underrepresented": 25 + 4 * index,
        "engaged-care-leavers": 3 + index // 2,
        "engaged-aged-50-plus": 6 + index // 2,
        "engaged-career-returners": 5 + index // 3,
        "engaged-refugees-asylum-seekers": 2 + index // 4,
        "engaged-ethnic-minority": 8 + index,
        "engaged-men": 7 + index,
        "engaged-unemployed": 12 + 2 * index,
        "engaged-young-people": 15 + 2 * index,
        "schools-colleges-engaged": 6 + index // 2,
        "school-college-events": 8 + index,
        "learners-reached": 220 + 30 * index,
        "work-experience-placements": 6 + index,
        "participant-survey-responses": 35 + 4 * index,
        "participant-satisfaction": 86 + 0.5 * index,
        "employer-survey-responses": 10 + index,
        "employer-satisfaction": 78 + index,
    }
    figures.update(_demo_impact_2026_2(index))
    if period.endswith("Q4"):
        year = index // 4
        figures.update(_demo_destinations_2026_2(year))
        figures.update(
            {
                "learner-destinations-known": 80 + 20 * year,
                "learner-destinations-health-care": 30 + 10 * year,
                "filled-posts": 7400 + 60 * year,
                "vacancy-rate": 9.1 - 0.5 * year,
                "regional-vacancy-rate": 8.4,
                "turnover-rate": 27.5 - 1.5 * year,
                "regional-turnover-rate": 25.9,
            }
        )
    return figures


def _demo_impact_2026_2(index: int) -> dict[str, int | float]:
    """Fictional figures for the measures added in impact metrics 2026.2: unique learners,
    providers worked with, schools work and learner feedback, and running totals since launch
    (the fictional academy launched before the demo's first quarter)."""
    upto = range(index + 1)
    return {
        "unique-learners": 50 + 5 * index,
        "providers-worked-with": 60 + 3 * index,
        "schools-staff-hours": 40 + 6 * index,
        "school-requests-received": 14 + index,
        "school-requests-met": 10 + index,
        "schools-employer-partners": 5 + index // 2,
        "schools-employer-partners-small": 2 + index // 4,
        "learner-feedback-responses": 120 + 10 * index,
        "learner-feedback-careers": 78 + index,
        "learner-feedback-wider-benefits": 72 + index,
        "launch-skills-action-plans": 300 + sum(40 + 6 * i for i in upto),
        "launch-into-jobs-training-volunteering": 150 + sum(22 + 3 * i for i in upto),
        "launch-into-paid-work": 70 + sum(12 + 2 * i for i in upto),
        "launch-into-employment": 90 + sum(15 + 2 * i + i % 3 for i in upto),
        "launch-unique-learners": 800 + sum(50 + 5 * i for i in upto),
        "launch-learning-or-employment": 1500 + sum(105 + 12 * i for i in upto),
    }


def _demo_destinations_2026_2(year: int) -> dict[str, int | float]:
    """Fictional yearly destinations by activity and type, adding up as the rules require."""
    return {
        "we-destinations-known": 25 + 5 * year,
        "we-destination-education": 12 + 2 * year,
        "we-destination-apprenticeship": 5 + year,
        "we-destination-employment": 4 + year,
        "we-destination-other": 4 + year,
        "we-destination-health-care": 10 + 2 * year,
        "event-destinations-known": 55 + 15 * year,
        "event-destination-education": 35 + 10 * year,
        "event-destination-apprenticeship": 8 + 2 * year,
        "event-destination-employment": 7 + 2 * year,
        "event-destination-other": 5 + year,
        "event-destination-health-care": 20 + 8 * year,
    }


DEMO_IMPACT_TARGETS = {
    "2025/26": {
        "people-supported": 300,
        "skills-action-plans": 200,
        "course-completions": 420,
        "into-jobs-training-volunteering": 100,
        "into-paid-work": 60,
        "care-hours-added": 80000,
        "learners-reached": 1000,
    },
    "2026/27": {
        "people-supported": 380,
        "skills-action-plans": 260,
        "course-completions": 520,
        "into-jobs-training-volunteering": 130,
        "into-paid-work": 80,
        "care-hours-added": 100000,
        "learners-reached": 1300,
    },
}


def _seed_demo_impact(organisation: Organisation, lead: User) -> None:
    """Two years of submitted quarterly returns, targets, a theory of change for two cycles
    and two case studies for one demo academy. Every figure and story is fictional."""
    from maturity.framework.impact import CaseStudyFields, Outcome, TheoryOfChangeFields
    from maturity.models import ImpactReturn
    from maturity.services import impact

    if db.session.scalar(
        select(ImpactReturn.id).where(ImpactReturn.organisation_id == organisation.id)
    ):
        return
    for index, period in enumerate(IMPACT_DEMO_PERIODS):
        impact_return = impact.start_return(organisation, period, lead, today=IMPACT_DEMO_TODAY)
        impact_return.notes = "Fictional demo figures."
        problems = impact.set_values(impact_return, _demo_impact_figures(index, period), lead)
        if problems:
            raise RuntimeError(f"demo impact figures break the rules: {problems}")
        impact.submit_return(impact_return, lead)
    for cycle, targets in DEMO_IMPACT_TARGETS.items():
        impact.save_targets(organisation, cycle, dict(targets))
    theory = impact.start_theory(organisation, "2025/26", lead)
    impact.save_theory(
        theory,
        TheoryOfChangeFields(
            challenge=(
                "Fictional demo: care providers in Riverside cannot fill vacancies, and many new "
                "starters leave within a year."
            ),
            inputs=("Council and NHS funding", "A team of four", "Care provider partners"),
            activities=(
                "Pre-employment course",
                "Job matching with providers",
                "Work with schools and colleges",
            ),
            outputs=("People supported", "Skills action plans", "Course completions"),
            impacts=("A stable, local care workforce that reflects the community",),
        ),
        lead,
    )
    for outcome in (
        Outcome(
            "More local people start paid work in care",
            ("into-jobs-training-volunteering", "into-paid-work", "care-hours-added"),
            ("recruitment", "training"),
        ),
        Outcome(
            "New starters stay in the sector",
            ("starters-retained-6-months", "starters-retained-12-months"),
            ("training", "collaboration"),
        ),
    ):
        impact.save_outcome(theory, None, outcome, lead)
    current = impact.start_theory(organisation, "2026/27", lead)
    impact.save_outcome(
        current,
        None,
        Outcome(
            "More young people choose care as a career",
            ("learners-reached", "work-experience-placements", "engaged-young-people"),
            ("careers-outreach",),
        ),
        lead,
    )
    for fields in (
        CaseStudyFields(
            title="From the job centre to a care team leader (fictional)",
            body=(
                "Fictional demo story. Sam had been out of work for two years when the job "
                "centre referred them to the academy's information session. A skills action "
                "plan, the pre-employment course and job matching led to a care assistant post "
                "with a local home care provider; a year later Sam leads a small team."
            ),
            first_name="Sam",
            consent_confirmed=True,
            period="2025/26 Q3",
            domain_ids=("recruitment", "training"),
            groups=("unemployed",),
        ),
        CaseStudyFields(
            title="A sixth former's first placement (fictional)",
            body=(
                "Fictional demo story, told without a name. A sixth-form student met care "
                "ambassadors at a school event, took a week's work experience in a care home "
                "arranged by the academy, and has since applied for a health and social care "
                "apprenticeship."
            ),
            first_name=None,
            consent_confirmed=True,
            period="2026/27 Q1",
            domain_ids=("careers-outreach",),
            groups=("young-people",),
        ),
    ):
        _saved, errors = impact.save_case_study(
            organisation, None, fields, lead, today=IMPACT_DEMO_TODAY
        )
        if errors:
            raise RuntimeError(f"demo case study refused: {errors}")
    db.session.flush()


PARTNERS_DEMO_ORGANISATION = "Riverside Care Academy (demo)"
# Fictional partners of the demo academy's assessment in progress: (name, email, kind,
# named, {question: level}). Two of them differ by three levels on core funding.
DEMO_PARTNERS: tuple[tuple[str, str, str, bool, dict[str, int]], ...] = (
    (
        "Harbour Homecare (demo)",
        "harbour@partners.example.org",
        "care_provider",
        True,
        {"core-funding": 1, "funding-duration": 2, "provider-relationships": 3},
    ),
    (
        "Willow Court Care Home (demo)",
        "willow@partners.example.org",
        "care_provider",
        True,
        {"core-funding": 2, "funding-duration": 2, "provider-relationships": 3},
    ),
    (
        "Bright Lives Supported Living (demo)",
        "brightlives@partners.example.org",
        "care_provider",
        True,
        {"core-funding": 2, "funding-duration": 3, "provider-relationships": 4},
    ),
    (
        "Riverside Community NHS Trust (demo)",
        "nhs@partners.example.org",
        "nhs",
        True,
        {"core-funding": 4, "funding-duration": 3, "provider-relationships": 3},
    ),
    (
        "A person who draws on care (demo)",
        "expert@partners.example.org",
        "lived_experience",
        False,
        {"core-funding": 2, "provider-relationships": 2},
    ),
)
DEMO_PARTNER_EVIDENCE = {
    1: "We have heard of no funding for the academy beyond March (fictional demo).",
    2: "Funding is agreed one year at a time (fictional demo).",
    3: "Funding is mostly agreed, with some gaps (fictional demo).",
    4: "The ICB has committed three years of joint funding (fictional demo).",
}


def _seed_demo_partners(organisation: Organisation, lead: User) -> None:
    """Five fictional partner responses to the demo academy's assessment in progress,
    one more provider invited who has not answered, and the funding question agreed
    with a note. Only created once."""
    from maturity.models import PartnerAgreement, PartnerAnswer, PartnerKind, PartnerRespondent
    from maturity.models import utcnow as now

    current = db.session.scalar(
        select(Assessment).where(
            Assessment.organisation_id == organisation.id,
            Assessment.cycle == DEMO_CURRENT_CYCLE,
            Assessment.questionnaire_id == "academy-maturity",
        )
    )
    if current is None or db.session.scalar(
        select(PartnerRespondent.id).where(PartnerRespondent.assessment_id == current.id)
    ):
        return
    questionnaire = catalogue().questionnaire("academy-maturity", current.questionnaire_version)
    counts: dict[str, int] = {}
    submitted = datetime(2026, 10, 20, 9, 30, tzinfo=UTC)
    by_name: dict[str, int] = {}
    waiting = ("Seaview Domiciliary Care (demo)", "seaview@partners.example.org", "care_provider")
    for name, email, kind, named, levels in (*DEMO_PARTNERS, (*waiting, True, {})):
        counts[kind] = counts.get(kind, 0) + 1
        respondent = PartnerRespondent(
            assessment_id=current.id,
            name=name,
            email=email,
            kind=PartnerKind(kind),
            domain_ids=["funding", "collaboration"],
            named=named,
            pseudonym=f"{PartnerKind(kind).label} {counts[kind]}",
            expires_at=now(),
            invited_by_id=lead.id,
            submitted_at=submitted if levels else None,
            used_at=submitted if levels else None,
        )
        db.session.add(respondent)
        db.session.flush()
        by_name[name] = respondent.id
        for indicator_id, level in levels.items():
            assert questionnaire.has_indicator(indicator_id)
            db.session.add(
                PartnerAnswer(
                    respondent_id=respondent.id,
                    indicator_id=indicator_id,
                    level=level,
                    evidence_note=DEMO_PARTNER_EVIDENCE[level]
                    if indicator_id == "core-funding"
                    else None,
                )
            )
    note = "Agreed at the partnership steering group, 12 March (fictional demo)"
    set_answer(current, "core-funding", AnswerValues(level=2, evidence_note=note), lead)
    db.session.add(
        PartnerAgreement(
            assessment_id=current.id,
            indicator_id="core-funding",
            level=2,
            note=note,
            source_respondent_id=by_name["Willow Court Care Home (demo)"],
            agreed_by_id=lead.id,
        )
    )
    db.session.flush()


def seed_demo(hashing: PasswordHashing) -> list[tuple[str, str]]:
    """Create the demo organisations and accounts if they are missing; idempotent.

    Returns the demo accounts as (email, what they can do). All use ``DEMO_PASSWORD``,
    hashed once with ``hashing``. Regions must be loaded first.
    """
    password_hash = hash_password(DEMO_PASSWORD, hashing)
    accounts: list[tuple[str, str]] = []
    admin = _demo_user(*DEMO_ADMIN, password_hash)
    admin.is_admin = True
    accounts.append((admin.email, "administrator"))

    name, email, region_code = DEMO_REGIONAL_LEAD
    regional = _demo_user(name, email, password_hash)
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
            person = _demo_user(person_name, person_email, password_hash)
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
            _demo_user(name, email, password_hash)
            for name, email, role in demo.people
            if role == Role.LEAD
        )
        # The extra academies have already submitted this cycle; the main ones have not.
        _seed_demo_assessments(organisation, lead, submit_current=demo in EXTRA_ORGANISATIONS)
        if demo.name == IMPACT_DEMO_ORGANISATION:
            _seed_demo_impact(organisation, lead)
        if demo.name == PARTNERS_DEMO_ORGANISATION:
            _seed_demo_partners(organisation, lead)
    db.session.flush()
    _seed_demo_moderation_and_introduction(regional)
    return accounts


# --- Moderation and introductions (fictional) ---------------------------------------------

MODERATED_DEMO_ORGANISATION = "Moorland Social Care Academy (demo)"
PEER_MODERATOR_DEMO_ORGANISATION = "Kingsmere Health and Care Academy (demo)"
# (asking academy, academy asked): a request waiting for Riverside's lead to answer.
INTRODUCTION_DEMO = ("Eastbridge Care Academy (demo)", "Riverside Care Academy (demo)")


def _demo_organisation(name: str) -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()


def _demo_lead(organisation: Organisation) -> User:
    return next(m.user for m in organisation.memberships if m.role == Role.LEAD)


def _seed_demo_moderation_and_introduction(regional: User) -> None:
    """Moorland's 2025/26 assessment moderated by the North West regional lead (one
    challenge accepted and the answer changed, one kept with an explanation), Kingsmere
    offering to moderate, and Eastbridge's request for an introduction to Riverside
    waiting for a reply. All fictional; skipped if already there."""
    from maturity.models import Introduction, Moderation
    from maturity.services import introductions, moderation

    moorland = _demo_organisation(MODERATED_DEMO_ORGANISATION)
    moderation.set_peer_moderator(
        _demo_organisation(PEER_MODERATOR_DEMO_ORGANISATION),
        _demo_lead(_demo_organisation(PEER_MODERATOR_DEMO_ORGANISATION)),
        offers=True,
    )
    if db.session.scalar(select(Moderation.id).where(Moderation.organisation_id == moorland.id)):
        return
    lead = _demo_lead(moorland)
    assessment = db.session.scalars(
        select(Assessment).where(
            Assessment.organisation_id == moorland.id, Assessment.cycle == DEMO_PAST_CYCLES[-1]
        )
    ).one()
    asked = moderation.request_moderation(assessment, lead, moderation.REGION_CHOICE)
    expected: dict[str, int] = {}
    comments = {
        "funding": "Fictional demo: the evidence shows one year of council funding, not the "
        "multi-year settlement this level describes.",
        "impact": "Fictional demo: destinations are not yet tracked beyond six months.",
    }
    for section in moderation.sections(asked):
        challenged = section.domain_id in comments and section.level is not None
        if challenged:
            level = section.level or 1
            expected[section.domain_id] = level - 1 if level > 1 else level + 1
        moderation.review_section(
            asked,
            regional,
            section.domain_id,
            verdict="challenged" if challenged else "agreed",
            comment=comments.get(section.domain_id, "") if challenged else "",
            expected_level=expected.get(section.domain_id),
        )
    moderation.send_back(asked, regional)
    for review in moderation.challenges(asked):
        if review.domain_id == "impact":
            moderation.respond(
                asked,
                review,
                lead,
                response="explained",
                explanation="Fictional demo: our college partner tracks destinations for a "
                "year and shares them with us each term.",
            )
    for review in moderation.challenges(asked):
        if review.domain_id == "funding":
            moderation.respond(asked, review, lead, response="accepted", explanation="")
            indicators = {
                i.id
                for i in catalogue().questionnaire("academy-maturity").domain("funding").indicators
            }
            for record in list(assessment.answers):
                if record.indicator_id in indicators and record.level is not None:
                    values = AnswerValues.of(record)
                    set_answer(
                        assessment,
                        record.indicator_id,
                        replace(values, level=expected["funding"]),
                        lead,
                    )
            submit_assessment(assessment, lead, declared=True)
    asker, asked_academy = (_demo_organisation(name) for name in INTRODUCTION_DEMO)
    if not db.session.scalar(
        select(Introduction.id).where(Introduction.from_organisation_id == asker.id)
    ):
        introductions.ask(
            asker,
            asked_academy,
            _demo_lead(asker),
            "Fictional demo: we are planning a values-based recruitment day and would like "
            "to hear how yours went.",
        )
    db.session.flush()
