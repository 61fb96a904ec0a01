"""Demo data: clearly fictional organisations and accounts so the service can be explored.

Every demo organisation is flagged ``is_demo`` and named "(demo)"; the interface labels
them as fictional. Nothing here describes a real academy.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from maturity.extensions import db
from maturity.models import (
    DeliveryMode,
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
from maturity.services.organisations import OrganisationProfile, create_organisation
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
    return accounts
