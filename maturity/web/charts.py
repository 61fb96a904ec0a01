"""The charts on results pages, drawn (or fetched from the cache) from a ResultsView."""

from __future__ import annotations

from flask import url_for

from maturity.cache import EXTENSION_KEY, Cache, cache
from maturity.charts import Series, line_chart, radar_chart
from maturity.framework.summary import Scores
from maturity.services.results import ResultsView

__all__ = [
    "EXTENSION_KEY",
    "cached_chart",
    "chart_cache",
    "chart_src",
    "draw_profile_charts",
    "profile_charts",
]


def chart_src(svg: str) -> str:
    """A URL serving this SVG from the cache: pages stay small and browsers keep the
    image (the address is a hash of the content, so it never changes meaning)."""
    return url_for("main.chart", digest=chart_cache().keep_chart(svg))


def cached_chart(digest: str) -> str | None:
    """The SVG behind a ``chart_src`` URL, if still cached."""
    return chart_cache().chart(digest)


def chart_cache() -> Cache:
    """The app's one cache (``maturity.cache``), which charts are drawn through."""
    return cache()


def _score(result: Scores | None, domain_id: str) -> float | None:
    if result is None:
        return None
    for domain in result.domains:
        if domain.domain_id == domain_id:
            return domain.score
    return None


def profile_charts(view: ResultsView) -> dict[str, str]:
    """URLs of the radar (this cycle, last cycle, target) and the trend chart."""
    return {name: chart_src(svg) for name, svg in draw_profile_charts(view).items()}


def draw_profile_charts(view: ResultsView) -> dict[str, str]:
    """The SVG of the radar and the trend chart, drawn or from the chart store (the job
    queue draws a submission's when it is submitted, ``maturity.jobs``)."""
    cache = chart_cache()
    domains = view.result.domains
    level_names = [level.name for level in view.questionnaire.levels]
    top = len(level_names)
    series = [Series(view.assessment.cycle, tuple(domain.score for domain in domains), "solid")]
    if view.previous is not None and view.previous_result is not None:
        series.append(
            Series(
                view.previous.cycle,
                tuple(_score(view.previous_result, d.domain_id) for d in domains),
                "dashed",
            )
        )
    if view.targets:
        series.append(
            Series(
                "Target",
                tuple(
                    float(view.targets[d.domain_id]) if d.domain_id in view.targets else None
                    for d in domains
                ),
                "dotted",
            )
        )
    radar = radar_chart(
        cache,
        axes=[domain.title for domain in domains],
        series=series,
        scale_min=1,
        scale_max=top,
        level_names=level_names,
        title=f"Maturity profile, {view.assessment.cycle}",
    )
    styles = ("solid", "dashed", "dotted")
    trend = line_chart(
        cache,
        x_labels=[point.label for point in view.trend],
        series=[
            Series(
                domain.title,
                tuple(_score(point.result, domain.domain_id) for point in view.trend),
                styles[index % len(styles)],
            )
            for index, domain in enumerate(domains)
        ],
        y_min=1,
        y_max=top,
        y_label="Score",
        title="Section scores by cycle",
        y_ticks=[float(value) for value in range(1, top + 1)],
        y_tick_labels=[f"{value} {name}" for value, name in enumerate(level_names, start=1)],
    )
    return {"radar": radar, "trend": trend}
