"""Questionnaire files to upload in tests: the shipped 2026.2 file made into 2026.3 with
one question reworded ("mission-aims") and one added ("mission-aims-review")."""

from __future__ import annotations

from pathlib import Path

SHIPPED = Path(__file__).resolve().parent.parent / "questionnaires" / "academy-maturity-2026.2.yaml"
REWORDED = "mission-aims"
ADDED = "mission-aims-review"
NEW_WORDING = "How clearly has your academy written down its mission"


def new_version(version: str = "2026.3") -> bytes:
    """The 2026.2 file as a new version, with one question reworded and one added."""
    text = SHIPPED.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {REWORDED}")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- id: "))
    block = "".join(lines[start:end])
    added = block.replace(f"- id: {REWORDED}", f"- id: {ADDED}", 1).replace(
        "title: Mission, aims and objectives", "title: Reviewing the mission", 1
    )
    text = "".join(lines[:end]) + added + "".join(lines[end:])
    text = text.replace('version: "2026.2"', f'version: "{version}"', 1)
    text = text.replace("How clearly has your academy set out its mission", NEW_WORDING, 1)
    return text.encode("utf-8")
