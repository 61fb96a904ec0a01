"""What run.py measures on the national data set (run by run.py, not alone): the people
it signs in as, the pages cold and warm, the mix of many academies, the write path.

Every figure is a whole request on loopback (``client.request``); every answer must be
the page itself (status 200, or the redirect a form gives after it succeeded), or the
run stops.
"""

from __future__ import annotations

import itertools
import random
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client import Browser, Job, Outcome, Response, percentile, request, run_jobs
from harness import PASSWORD

BARE_ROUTE = "/accessibility"  # a template and the signed-in layout, no figures
LUA = Path(__file__).with_name("percentiles.lua")
BENCH_DOMAIN = "benchmark.example.org"


# --- The data and the people ----------------------------------------------------------------


@dataclass(frozen=True)
class Academy:
    slug: str
    region: str
    assessments: tuple[int, ...]  # submitted, newest cycle first

    def results(self, index: int = 0) -> str:
        return f"/organisations/{self.slug}/assessments/{self.assessments[index]}/results"


@dataclass(frozen=True)
class Facts:
    academies: list[Academy]
    regions: list[str]
    newest_cycle: str
    current_cycle: str
    writer: Academy  # whose lead saves, submits and reopens


def facts_and_people(app: Any) -> Facts:
    """The national data's academies and regions, and the benchmark's own fictional
    people: a lead for one academy (the write path) and a regional lead for each region
    (the dashboards as a lead lands on them), with the demo password."""
    from sqlalchemy import select

    from maturity.extensions import db
    from maturity.framework.periods import Cycle
    from maturity.models import Assessment, AssessmentStatus, Organisation, Region
    from maturity.services.scale import NAME_PREFIX

    with app.app_context():
        rows = db.session.execute(
            select(Organisation.slug, Region.code, Assessment.id, Assessment.cycle)
            .join(Region, Region.id == Organisation.region_id)
            .join(Assessment, Assessment.organisation_id == Organisation.id)
            .where(
                Organisation.name.like(f"{NAME_PREFIX}%"),
                Assessment.status == AssessmentStatus.SUBMITTED,
            )
            .order_by(Organisation.slug, Assessment.cycle.desc())
        ).all()
        regions = list(db.session.scalars(select(Region.code).order_by(Region.sort_order)))
        academies = [
            Academy(slug, group[0][1], tuple(row[2] for row in group))
            for slug, grouped in itertools.groupby(rows, key=lambda row: row[0])
            for group in [list(grouped)]
        ]
        writer = academies[0]
        _add_people(app, writer.slug, regions)
        return Facts(
            academies=academies,
            regions=regions,
            newest_cycle=max(row[3] for row in rows),
            current_cycle=str(Cycle.current()),
            writer=writer,
        )


def regional_lead_email(code: str) -> str:
    return f"regional-lead.{code}@{BENCH_DOMAIN}"


WRITER_EMAIL = f"academy-lead@{BENCH_DOMAIN}"


def _add_people(app: Any, writer_slug: str, regions: list[str]) -> None:
    from sqlalchemy import select

    from maturity.extensions import db
    from maturity.models import Membership, Organisation, Region, RegionalLead, Role, User
    from maturity.services.accounts import hash_password
    from maturity.services.settings import Settings

    password_hash = hash_password(PASSWORD, Settings.from_config(app.config).hashing)
    writer = User(email=WRITER_EMAIL, name="Benchmark academy lead (fictional)")
    writer.password_hash = password_hash
    organisation = db.session.scalars(
        select(Organisation).where(Organisation.slug == writer_slug)
    ).one()
    db.session.add_all([writer, Membership(user=writer, organisation=organisation, role=Role.LEAD)])
    for code in regions:
        lead = User(email=regional_lead_email(code), name=f"Benchmark lead for {code} (fictional)")
        lead.password_hash = password_hash
        region = db.session.scalars(select(Region).where(Region.code == code)).one()
        db.session.add_all([lead, RegionalLead(user=lead, region=region)])
    db.session.commit()


@dataclass
class People:
    admin: str  # Cookie headers
    regional: dict[str, str]
    writer: Browser


def sign_in_people(base: str, facts: Facts) -> People:
    return People(
        admin=Browser(base).sign_in("admin@example.org", PASSWORD).cookie,
        regional={
            code: Browser(base).sign_in(regional_lead_email(code), PASSWORD).cookie
            for code in facts.regions
        },
        writer=Browser(base).sign_in(WRITER_EMAIL, PASSWORD),
    )


# --- The pages measured one by one ----------------------------------------------------------


@dataclass(frozen=True)
class PageSpec:
    name: str
    target_ms: float  # cold p50 target; a fresh worker's first request: twice this
    targets: list[tuple[str, str]]  # (path, cookie): cold samples go through them in turn

    @property
    def path(self) -> str:  # the one warm runs use
        return self.targets[0][0]


def page_specs(facts: Facts, people: People) -> list[PageSpec]:
    newest = facts.newest_cycle
    admin = people.admin
    regions = [(code, people.regional[code]) for code in facts.regions]
    return [
        PageSpec(
            f"Academy results page ({newest})",
            300,
            [(academy.results(), admin) for academy in facts.academies],
        ),
        PageSpec(
            f"Regional dashboard ({newest})",
            300,
            [(f"/regions/{code}?cycle={newest}", cookie) for code, cookie in regions],
        ),
        PageSpec(
            f"Regional dashboard as a lead lands ({facts.current_cycle})",
            300,
            [(f"/regions/{code}", cookie) for code, cookie in regions],
        ),
        PageSpec(
            f"National comparison ({newest})", 150, [(f"/regions/compare?cycle={newest}", admin)]
        ),
        PageSpec(
            f"API region figures ({newest})",
            150,
            [
                (f"/api/v1/regions/{code}/figures?cycle={newest}", cookie)
                for code, cookie in regions
            ],
        ),
    ]


def checked(response: Response, path: str) -> Response:
    if response.status != 200:
        raise SystemExit(f"GET {path}: HTTP {response.status} {response.location}".rstrip())
    return response


@dataclass
class ColdFigures:
    fresh: list[Response] = field(default_factory=list)
    cold: list[Response] = field(default_factory=list)


def cold_pages(
    base: str, specs: list[PageSpec], empty: Callable[[], None], samples: int, fresh: int
) -> dict[str, ColdFigures]:
    """For each page: ``fresh`` times, caches emptied and workers restarted, the page as
    the new worker's first request; ``samples`` times, the same but the worker first
    serves the bare route (so the process is up: database connection, the layout's
    templates), then the page. The pages' targets are taken in turn."""
    figures = {}
    for spec in specs:
        found = ColdFigures()
        turns = itertools.cycle(spec.targets)
        for _ in range(fresh):
            path, cookie = next(turns)
            empty()
            found.fresh.append(checked(request(base, path, cookie), path))
        for _ in range(samples):
            path, cookie = next(turns)
            empty()
            checked(request(base, BARE_ROUTE, cookie), BARE_ROUTE)
            found.cold.append(checked(request(base, path, cookie), path))
        figures[spec.name] = found
    return figures


# --- Warm pages beside the bare route -------------------------------------------------------


@dataclass(frozen=True)
class WrkFigures:
    rps: float
    p50: float
    p95: float


@dataclass(frozen=True)
class WarmFigures:
    page: WrkFigures
    bare: WrkFigures  # the bare route, run just before the page
    statements: int


def wrk(url: str, cookie: str, connections: int, duration: str) -> WrkFigures:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}", "-s", str(LUA)]
        + ["-H", f"Cookie: {cookie}", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    def number(pattern: str) -> float:
        found = re.search(pattern, output)
        if found is None:
            raise SystemExit(f"wrk {url}: no {pattern} in its output\n{output}")
        return float(found.group(1))

    if number(r"not_200=(\d+)") or re.search(r"Non-2xx or 3xx responses", output):
        raise SystemExit(f"wrk {url}: answers other than 200 under load\n{output}")
    return WrkFigures(
        number(r"Requests/sec:\s+([\d.]+)"), number(r"p50_ms=([\d.]+)"), number(r"p95_ms=([\d.]+)")
    )


def warm_pages(
    base: str, specs: list[PageSpec], connections: int, duration: str, workers: int
) -> dict[str, WarmFigures]:
    """Each page after every worker has served it (warm caches), beside the bare route
    measured immediately before it, with the same connections and duration."""
    figures = {}
    for spec in specs:
        path, cookie = spec.targets[0]
        warm_up = [Job("warm-up", path, cookie)] * (4 * workers)
        outcomes, _ = run_jobs(base, warm_up, 2 * workers)
        for outcome in outcomes:
            checked(outcome.response, path)
        statements = checked(request(base, path, cookie), path).statements
        bare = wrk(base + BARE_ROUTE, cookie, connections, duration)
        page = wrk(base + path, cookie, connections, duration)
        figures[spec.name] = WarmFigures(page, bare, statements)
    return figures


# --- Many academies, and a realistic mix ----------------------------------------------------


@dataclass(frozen=True)
class RunFigures:
    outcomes: list[Outcome]
    seconds: float

    @property
    def rps(self) -> float:
        return len(self.outcomes) / self.seconds if self.seconds else 0.0

    def ms(self, kind: str | None = None) -> list[float]:
        return [o.response.ms for o in self.outcomes if kind is None or o.job.kind == kind]

    @property
    def errors(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.response.status != 200]

    def kinds(self) -> list[str]:
        return sorted({outcome.job.kind for outcome in self.outcomes})

    def p(self, percent: float, kind: str | None = None) -> float:
        return percentile(self.ms(kind), percent)


def every_academy(facts: Facts, people: People, base: str, connections: int) -> RunFigures:
    """Each academy's latest results page once, in turn, over ``connections``."""
    jobs = [Job("results page", academy.results(), people.admin) for academy in facts.academies]
    return RunFigures(*run_jobs(base, jobs, connections))


MIX = (
    # (kind, weight): what people open at national scale.
    ("results page", 60),
    ("regional dashboard as a lead lands", 15),
    ("national comparison", 5),
    ("API region figures", 10),
    ("API national regions", 5),
    ("API organisation assessments", 5),
)


def mix_jobs(facts: Facts, people: People, seed: int = 2026) -> Iterator[Job]:
    """An endless, repeatable stream of requests in the proportions of ``MIX``: results
    of any academy (its latest cycle seven times in ten, else an earlier one), each
    region's dashboard and API figures as its lead opens them (the current cycle, no
    filters), the national comparison and the national and organisation API."""
    rng = random.Random(seed)
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    while True:
        kind = rng.choices(kinds, weights)[0]
        academy = rng.choice(facts.academies)
        code = rng.choice(facts.regions)
        if kind == "results page":
            older = rng.random() >= 0.7
            index = rng.randrange(1, len(academy.assessments)) if older else 0
            yield Job(kind, academy.results(index), people.admin)
        elif kind == "regional dashboard as a lead lands":
            yield Job(kind, f"/regions/{code}", people.regional[code])
        elif kind == "national comparison":
            yield Job(kind, "/regions/compare", people.admin)
        elif kind == "API region figures":
            yield Job(kind, f"/api/v1/regions/{code}/figures", people.regional[code])
        elif kind == "API national regions":
            yield Job(kind, "/api/v1/national/regions", people.admin)
        else:
            yield Job(kind, f"/api/v1/organisations/{academy.slug}/assessments", people.admin)


def realistic_mix(
    facts: Facts, people: People, base: str, connections: int, seconds: float
) -> RunFigures:
    return RunFigures(*run_jobs(base, mix_jobs(facts, people), connections, seconds=seconds))


@dataclass(frozen=True)
class Memory:
    rss: list[int]  # MiB, each worker now
    peak: list[int]  # MiB, each worker's high-water mark (VmHWM)


def worker_memory(pids: list[int]) -> Memory:
    rss: list[int] = []
    peak: list[int] = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        for name, into in (("VmRSS", rss), ("VmHWM", peak)):
            found = re.search(rf"{name}:\s+(\d+) kB", status)
            into.append(int(found.group(1)) // 1024 if found else -1)
    return Memory(rss, peak)


# --- The write path -------------------------------------------------------------------------


@dataclass
class WriteFigures:
    save: list[Response] = field(default_factory=list)
    submit: list[Response] = field(default_factory=list)
    dashboard_after: list[Response] = field(default_factory=list)
    reopen: list[Response] = field(default_factory=list)


def write_path(facts: Facts, people: People, rounds: int, questionnaire: Any) -> WriteFigures:
    """The academy's lead starts this cycle's assessment from last cycle's answers, then
    ``rounds`` times: saves a section (one answer and its evidence changed, posted as the
    form posts it), submits, and reopens; between submitting and reopening, the region's
    lead opens the dashboard (the first view after the submission; it was viewed just
    before the submission too)."""
    lead, slug = people.writer, facts.writer.slug
    dashboard, dashboard_cookie = (
        f"/regions/{facts.writer.region}",
        people.regional[facts.writer.region],
    )
    home = f"/organisations/{slug}/assessments"
    started = lead.submit(f"{home}/start", f"{home}/start", {"start_from": "previous"})
    assessment = f"{home}/{started.location.rstrip('/').rsplit('/', 1)[-1]}"
    figures = WriteFigures()
    for number in range(rounds):
        domain = questionnaire.domains[number % len(questionnaire.domains)]
        figures.save.append(_save_section(lead, assessment, domain, number))
        checked(request(lead.base, dashboard, dashboard_cookie), dashboard)
        figures.submit.append(
            lead.submit(
                f"{assessment}/check",
                f"{assessment}/submit",
                {"declaration": "agreed"},
                expect=f"{assessment}/submitted",
            )
        )
        figures.dashboard_after.append(
            checked(request(lead.base, dashboard, dashboard_cookie), dashboard)
        )
        figures.reopen.append(
            lead.submit(
                f"{assessment}/reopen",
                f"{assessment}/reopen",
                {"reason": "Fictional: reopened by the benchmark to measure the write path"},
                expect=assessment,
            )
        )
    return figures


def _save_section(lead: Browser, assessment: str, domain: Any, number: int) -> Response:
    from client import form_on

    path = f"{assessment}/domains/{domain.id}"
    form = form_on(lead.page(path).body, path, path)
    indicator = domain.indicators[0].id
    current = dict(form.fields).get(f"level-{indicator}", "1")
    level = str(int(current) % 5 + 1) if current.isdigit() else "3"
    changes = {
        f"level-{indicator}": level,
        f"evidence-{indicator}": f"Fictional evidence, benchmark save {number + 1}",
    }
    response = lead.post(path, form.data(changes, button="continue"))
    if response.status not in (302, 303) or response.location == path:
        raise SystemExit(f"saving {path}: HTTP {response.status} to {response.location}")
    return response
