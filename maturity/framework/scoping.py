"""A suggested delivery model for a local authority scoping an academy.

The guide ("Care and health career academies: what good looks like", section "Delivery
models") finds no one-size-fits-all model: the model depends on local objectives, the
funding secured and whether there is a health component. This module turns an
authority's context and its scoping answers into a suggestion for each of the three
choices the guide describes (type, hosting, delivery mode), each with its reasons and
the academies the guide names as examples. Rules, not a score: every reason is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from maturity.framework.scoring import AssessmentResult

GUIDE_SECTION = "Delivery models > What types of delivery models are there?"


@dataclass(frozen=True)
class ScopingContext:
    """What the service knows about the authority (from its organisation profile)."""

    kind: str | None  # social_care | health_and_care, as the authority currently intends
    locality: str | None  # urban | rural | mixed
    funding_mix: str | None  # council | nhs | council_and_nhs | multiple | other


@dataclass(frozen=True)
class Choice:
    """One part of the suggested model, with the reasons and the guide's examples."""

    topic: str
    suggestion: str
    reasons: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class DeliverySuggestion:
    choices: tuple[Choice, ...]
    source: str = GUIDE_SECTION


def _level(result: AssessmentResult, indicator_id: str) -> int | None:
    for domain in result.domains:
        for indicator in domain.indicators:
            if indicator.indicator_id == indicator_id:
                return indicator.level
    return None


def _ready(result: AssessmentResult, indicator_id: str, at_least: int) -> bool:
    level = _level(result, indicator_id)
    return level is not None and level >= at_least


def suggest_delivery_model(context: ScopingContext, result: AssessmentResult) -> DeliverySuggestion:
    """Suggest academy type, hosting and delivery mode from the context and the answers.

    Guarantees: always three choices (type, hosting, delivery mode), each with at least
    one reason; the suggestion depends only on the arguments. "Planned" (level 3 on the
    four-level readiness scale) counts as in place.
    """
    health_funding = context.funding_mix in ("nhs", "council_and_nhs")
    health = context.kind == "health_and_care" or health_funding
    type_reasons = []
    if context.kind == "health_and_care":
        type_reasons.append("You intend the academy to cover health as well as social care.")
    if health_funding:
        type_reasons.append("NHS funding is part of your mix, so health partners have a stake.")
    if not health:
        type_reasons.append(
            "Your funding and intent are social care only; social care academies are "
            "typically set up within the local authority."
        )
    kind = Choice(
        topic="Type of academy",
        suggestion="Health and care academy" if health else "Social care academy",
        reasons=tuple(type_reasons),
        examples=("Leeds Health and Care Academy", "Gateshead Health and Care Academy")
        if health
        else ("County Durham Care Academy", "We Care Academy (Leeds)"),
    )

    staffed = _ready(result, "lead-post", 3)
    if health:
        host = Choice(
            topic="Hosting",
            suggestion="A lead partner hosts the shared infrastructure, with a delivery team "
            "drawn from the partners",
            reasons=(
                "Health and care academies usually sit across organisations, with one "
                "organisation hosting the infrastructure.",
                "Agree the host with partners early: the guide finds alignment on goals and "
                "structure across partners is a common challenge.",
            ),
            examples=(
                "Leeds Health and Care Academy (hosted by a hospital trust)",
                "Gateshead Health and Care Academy (run jointly by the council and the NHS "
                "foundation trust)",
                "Bedfordshire Health and Care Academy (hosted by the ICB workforce team)",
            ),
        )
    else:
        host = Choice(
            topic="Hosting",
            suggestion="Within the council: adult social care commissioning or the workforce "
            "development team",
            reasons=(
                "Social care academies are typically located within the local authority.",
                "Without a dedicated post yet, an existing team can start the work alongside "
                "its wider role; plan for a dedicated lead, which the guide recommends."
                if not staffed
                else "You have a dedicated lead in place or planned, which the guide "
                "recommends for managing an academy.",
            ),
            examples=(
                "County Durham Care Academy (in adult social care commissioning)",
                "We Care Academy, Leeds (in the workforce development team)",
                "Norfolk Care Academy (delivered by a sector support organisation)",
            ),
        )

    secure_funding = _ready(result, "funding-term", 3)
    mode_reasons = []
    if context.locality == "rural":
        mode = "Virtual or blended"
        mode_reasons.append(
            "A rural area is easier to reach online than from one building. (This is this "
            "service's own rule of thumb: the guide does not link delivery mode to locality.)"
        )
    elif context.locality == "urban" and secure_funding:
        mode = "Blended, with a physical base"
        mode_reasons.append(
            "An urban area with funding secured beyond the short term can sustain a "
            "dedicated base for courses and events. (This is this service's own rule of "
            "thumb: the guide does not link delivery mode to locality.)"
        )
    else:
        mode = "Blended"
        mode_reasons.append("A blend lets you start online and add face-to-face activity.")
    if not secure_funding:
        mode_reasons.append(
            "Funding is not yet secured beyond the short term: avoid committing to a "
            "building until it is (the guide names 12-month funding as a challenge)."
        )
    delivery = Choice(
        topic="Delivery mode",
        suggestion=mode,
        reasons=tuple(mode_reasons),
        examples=(
            "Fylde Coast Health and Social Care Academy (dedicated building)",
            "Greater Manchester Social Care Academy (entirely virtual)",
        ),
    )
    return DeliverySuggestion(choices=(kind, host, delivery))
