"""The suggested delivery model follows the guide's delivery models, with reasons."""

from __future__ import annotations

from pathlib import Path

from maturity.framework import Answer, score
from maturity.framework.loader import load_questionnaire
from maturity.framework.scoping import ScopingContext, suggest_delivery_model

SCOPING = load_questionnaire(
    Path(__file__).resolve().parents[2] / "questionnaires" / "scoping-2026.yaml"
)


def _suggest(context: ScopingContext, answers: dict[str, int]) -> dict[str, tuple[str, str]]:
    result = score(SCOPING, {key: Answer(level=value) for key, value in answers.items()})
    suggestion = suggest_delivery_model(context, result)
    return {
        choice.topic: (choice.suggestion, " ".join(choice.reasons)) for choice in suggestion.choices
    }


def test_social_care_council_without_a_lead_post_or_secure_funding() -> None:
    choices = _suggest(
        ScopingContext(kind="social_care", locality="rural", funding_mix="council"),
        {"lead-post": 2, "funding-term": 1},
    )
    assert choices["Type of academy"][0] == "Social care academy"
    assert choices["Hosting"][0].startswith("Within the council")
    assert "Without a dedicated post yet" in choices["Hosting"][1]
    assert choices["Delivery mode"][0] == "Virtual or blended"
    assert "avoid committing to a building" in choices["Delivery mode"][1]


def test_nhs_funding_suggests_a_health_and_care_academy_with_a_lead_host() -> None:
    choices = _suggest(
        ScopingContext(kind="social_care", locality="urban", funding_mix="council_and_nhs"),
        {"lead-post": 4, "funding-term": 4},
    )
    assert choices["Type of academy"][0] == "Health and care academy"
    assert "NHS funding is part of your mix" in choices["Type of academy"][1]
    assert choices["Hosting"][0].startswith("A lead partner hosts")
    assert choices["Delivery mode"][0] == "Blended, with a physical base"
    assert "avoid committing" not in choices["Delivery mode"][1]


def test_unknown_context_still_gives_three_reasoned_choices() -> None:
    result = score(SCOPING, {})
    suggestion = suggest_delivery_model(ScopingContext(None, None, None), result)
    assert [choice.topic for choice in suggestion.choices] == [
        "Type of academy",
        "Hosting",
        "Delivery mode",
    ]
    assert all(choice.reasons for choice in suggestion.choices)
