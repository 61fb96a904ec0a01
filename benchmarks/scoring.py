"""The scoring engine on 10,000 assessments, in-process: no database, no web server.

    .venv/bin/python benchmarks/scoring.py [--count 10000] [--repeat 3]

Scores a fixed set of varied, realistic assessments (deterministic seed) against the
current academy-maturity questionnaire and builds what a results page reads from a
result (``services/results.py`` and ``templates/results/_body.html``):

* **structured**: every domain's and the overall score, level and completeness; each
  explanation's contributions, gate blockers, the level the score alone reaches, the next
  level and its threshold, and whether the score is below it; every indicator's status
  and level; and the ranked next steps (with the assessment's targets, when it has any).
* **with text**: the same, plus the sentences a page shows: the whole result's
  explanation text (overall and every domain, with completeness), each domain's "held
  down by" and "to reach" phrases, and the first ten next steps' text.

Each is timed ``--repeat`` times; the best and the median are printed. ``make benchmark``
(``benchmarks/run.py``) reports :func:`scoring_seconds` in its table.

The assessments: each academy has a typical level (1–5) and answers around it; about
two in three are complete, the rest part-way (some sections untouched); indicators that
allow it are sometimes "not applicable"; a third set targets for some sections.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from maturity.framework import (  # noqa: E402  (after the path set-up, run as a script)
    Answer,
    AssessmentResult,
    DomainResult,
    NextStep,
    OverallResult,
    Questionnaire,
    load_directory,
    next_steps,
    score,
)

QUESTIONNAIRE_ID = "academy-maturity"
COUNT = 10_000
SEED = 7


@dataclass(frozen=True)
class Case:
    """One assessment: its answers and its target levels by domain (possibly none)."""

    answers: Mapping[str, Answer]
    targets: Mapping[str, int]


def current_questionnaire() -> Questionnaire:
    """The latest version of the shipped academy-maturity questionnaire."""
    return load_directory(ROOT / "questionnaires").questionnaire(QUESTIONNAIRE_ID)


def _level_near(rng: random.Random, typical: float, top: int) -> int:
    return min(top, max(1, round(rng.gauss(typical, 0.9))))


def cases(questionnaire: Questionnaire, count: int = COUNT, seed: int = SEED) -> list[Case]:
    """``count`` varied assessments, the same every time for the same seed."""
    rng = random.Random(seed)
    top = len(questionnaire.levels)
    made = []
    for _ in range(count):
        typical = rng.uniform(1, top)
        complete = rng.random() < 0.65
        answered_share = 1.0 if complete else rng.uniform(0.1, 0.95)
        untouched = {d.id for d in questionnaire.domains if not complete and rng.random() < 0.2}
        answers: dict[str, Answer] = {}
        for domain in questionnaire.domains:
            if domain.id in untouched:
                continue
            for indicator in domain.indicators:
                if rng.random() >= answered_share:
                    continue  # not answered yet
                if indicator.allow_not_applicable and rng.random() < 0.15:
                    answers[indicator.id] = Answer.na("Does not apply to our academy")
                else:
                    answers[indicator.id] = Answer(level=_level_near(rng, typical, top))
        targets: dict[str, int] = {}
        if rng.random() < 0.33:
            for domain in questionnaire.domains:
                if rng.random() < 0.5:
                    targets[domain.id] = rng.randint(2, top)
        made.append(Case(answers, targets))
    return made


def _read_structured(result: AssessmentResult, steps: Sequence[NextStep]) -> int:
    """Touch what a results page reads, so that nothing is left to compute on access."""
    touched = len(steps)
    every: list[DomainResult | OverallResult] = [result.overall, *result.domains]
    for scored in every:
        explanation = scored.explanation
        touched += (
            len(explanation.contributions)
            + len(explanation.gate_blockers)
            + (scored.level or 0)
            + (explanation.score_level or 0)
            + (explanation.next_level or 0)
            + explanation.below_threshold
            + scored.completeness.done
            + scored.completeness.total
        )
        if scored.score is not None:
            touched += int(scored.score)
    for indicator in result.indicators:
        touched += indicator.level or 0
    return touched


def _read_text(result: AssessmentResult, steps: Sequence[NextStep]) -> int:
    """The sentences a results page shows."""
    length = len(result.text)
    for domain in result.domains:
        length += sum(map(len, domain.explanation.held_down_by))
        length += sum(map(len, domain.explanation.lifts))
    for step in steps[:10]:
        length += len(step.text)
    return length


def run(questionnaire: Questionnaire, work: Sequence[Case], *, text: bool) -> tuple[float, float]:
    """Seconds to score every case and build what a page reads (and its text if asked):
    elapsed, and the CPU time of this process (less disturbed by other work)."""
    started, cpu = time.perf_counter(), time.process_time()
    for case in work:
        result = score(questionnaire, case.answers)
        steps = next_steps(questionnaire, result, case.targets or None)
        _read_structured(result, steps)
        if text:
            _read_text(result, steps)
    return time.perf_counter() - started, time.process_time() - cpu


def scoring_seconds(count: int = COUNT, *, repeat: int = 1, text: bool = False) -> list[float]:
    """Elapsed seconds for the structured work on ``count`` assessments (and the text if
    asked), ``repeat`` times on the same assessments (for ``run.py``)."""
    questionnaire = current_questionnaire()
    work = cases(questionnaire, count)
    return [run(questionnaire, work, text=text)[0] for _ in range(repeat)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=COUNT, help="assessments (10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timings of each (3)")
    options = parser.parse_args()
    questionnaire = current_questionnaire()
    work = cases(questionnaire, options.count)
    levels = sum(1 for case in work for a in case.answers.values() if a.level is not None)
    print(
        f"{options.count:,} assessments on {questionnaire.label} "
        f"({len(questionnaire.indicator_ids)} indicators, "
        f"{levels / len(work):.1f} answered on average)"
    )
    for label, text in (("scores, levels, reasons, next steps", False), ("… and text", True)):
        timings = [run(questionnaire, work, text=text) for _ in range(options.repeat)]
        for kind, times in (("elapsed", [t[0] for t in timings]), ("CPU", [t[1] for t in timings])):
            each = ", ".join(f"{t:.2f}" for t in times)
            print(
                f"{label:36} {kind:7} best {min(times):6.2f} s  "
                f"median {statistics.median(times):6.2f} s  ({each})"
            )
            label = ""


if __name__ == "__main__":
    main()
