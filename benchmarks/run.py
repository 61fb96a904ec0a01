"""Speed at national scale: one command, one table.

    make benchmark            # or: .venv/bin/python benchmarks/run.py

1. Builds the national data set (300 fictional academies × 10 submitted cycles × 56
   indicators, beside the demo data) and draws each academy's latest results charts and
   every dashboard's into the chart store (``flask maturity draw-charts --latest-only``,
   as their submissions would have) in a fresh database: PostgreSQL when it answers on
   127.0.0.1:5432 (a new database on ``postgresql+psycopg://postgres@127.0.0.1:5432/test``'s
   server, dropped afterwards), SQLite otherwise; BENCHMARK_DATABASE_URL names another
   server, or ``sqlite``. The cache is the Redis database BENCHMARK_REDIS_URL names
   (``redis://127.0.0.1:6379/13`` when Redis answers; ``memory`` for none): the run
   empties it (FLUSHDB) again and again, so give it a database nothing else uses.
2. **Cold and a fresh worker's first request** (gunicorn, 1 worker): before every
   sample the worker is replaced (``kill -HUP`` to the master; the new one has loaded
   the app and served nothing) and the Redis database emptied, so no process or cache
   holds anything of the page. "Fresh worker" is the page as that worker's first
   request; "cold" is the page after the worker has served the bare route (its
   database connection open, the layout's templates compiled). Each page's samples go
   through different academies or regions.
3. On gunicorn with 2 workers (BENCHMARK_WORKERS), from caches emptied and fresh
   workers: every academy's latest results page once, in turn, over 4 connections
   (BENCHMARK_MIX_CONNECTIONS); the workers' memory; then a **realistic mix** for
   BENCHMARK_MIX_SECONDS (results of any academy and cycle, each region's dashboard and
   API figures as its lead opens them, the national comparison and the API); the
   workers' memory again.
4. **Warm**: each page with wrk (BENCHMARK_CONNECTIONS connections for
   BENCHMARK_DURATION), immediately after the bare template route with the same
   settings, so that both see the same machine.
5. **The write path**: an academy's lead starts this cycle's assessment from last
   cycle's answers, then saves a section, submits and reopens it (each a form posted as
   a browser posts it), BENCHMARK_WRITE_ROUNDS times; the region's lead opens the
   dashboard after each submission.
6. The scoring engine on 10,000 assessments, in-process (``benchmarks/scoring.py``).
7. **Demo-scale pages** (``demo_pages.py``): on a fresh SQLite database with the demo
   data, every page a demo academy lead, the regional lead and the administrator reach
   by following links, one per route and organisation (BENCHMARK_DEMO_PAGES caps how
   many; 0 leaves the step out), each on a fresh worker with the cache emptied.

Every answer must be the page (200, or a form's redirect after success) or the run
stops. SQL statements come from the app's X-SQL-Statements header
(MATURITY_SQL_COUNT_HEADER). It prints one table (each figure beside its target from the
issue) and two short ones: the slowest demo-scale pages and the slowest requests of the
mix.
"""

from __future__ import annotations

import datetime
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client import Browser, Response, median
from demo_pages import ACCOUNTS, FirstView, Page, crawl, first_views
from harness import (
    DEFAULT_POSTGRES,
    PASSWORD,
    build_database,
    create_database,
    drop_database,
    free_port,
    reachable,
    restart_workers,
    served_env,
    start_gunicorn,
    stop_gunicorn,
    worker_pids,
)
from national import (
    ColdFigures,
    Facts,
    Memory,
    PageSpec,
    RunFigures,
    WarmFigures,
    WriteFigures,
    cold_pages,
    every_academy,
    facts_and_people,
    page_specs,
    realistic_mix,
    sign_in_people,
    warm_pages,
    worker_memory,
    write_path,
)
from scoring import current_questionnaire, scoring_seconds


def _setting(name: str, default: str) -> str:
    return os.environ.get(f"BENCHMARK_{name}") or default


DURATION = _setting("DURATION", "10s")
CONNECTIONS = int(_setting("CONNECTIONS", "8"))
WORKERS = int(_setting("WORKERS", "2"))
MIX_CONNECTIONS = int(_setting("MIX_CONNECTIONS", "4"))
MIX_SECONDS = float(_setting("MIX_SECONDS", "30"))
COLD_SAMPLES = int(_setting("COLD_SAMPLES", "5"))
FRESH_SAMPLES = int(_setting("FRESH_SAMPLES", "3"))
WRITE_ROUNDS = int(_setting("WRITE_ROUNDS", "3"))
DEMO_PAGES = int(_setting("DEMO_PAGES", "1000"))
ACADEMIES = int(_setting("ACADEMIES", "300"))
CYCLES = int(_setting("CYCLES", "10"))
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
# Targets from the issue.
EVERY_ACADEMY_RPS = 20.0
WARM_SHARE = 0.5
SCORING_SECONDS = 2.0
RSS_MIB = 250
DEMO_FIRST_VIEW_MS = 500


# --- Servers ----------------------------------------------------------------------------------


def _database(tmp: Path, name: str) -> str:
    base = os.environ.get("BENCHMARK_DATABASE_URL") or (
        DEFAULT_POSTGRES if reachable(5432) else "sqlite"
    )
    return create_database(None if base == "sqlite" else base, tmp, prefix=f"maturity_{name}")


def _redis_url() -> str:
    chosen = os.environ.get("BENCHMARK_REDIS_URL") or (
        DEFAULT_REDIS if reachable(6379) else "memory"
    )
    if chosen == "memory":
        return ""
    # Emptied first: a chart a previous run left there must not stand in for one this
    # run's fresh database has not stored.
    import redis

    redis.Redis.from_url(chosen).flushdb()
    return chosen


def _env(database_url: str, redis_url: str) -> dict[str, str]:
    settings = {
        "MATURITY_SQL_COUNT_HEADER": "1",
        "SIGN_IN_LIMIT_PER_IP": "10000 per minute",
        "SIGN_IN_LIMIT_PER_CLIENT": "10000 per minute",
        "SIGN_IN_LOCKOUT_PER_ACCOUNT": "10000 per minute",
        "API_RATE_LIMIT": "1000000 per minute",  # measure the API, not its limit
        "REDIS_URL": redis_url,  # the cache shared by the workers, as in production
        # The write path's submissions draw their charts in the request (no queue worker
        # runs here), so the submit figure includes that work.
        "JOBS_INLINE": "1",
    }
    return served_env(database_url, settings)


@dataclass
class Served:
    """gunicorn on a free loopback port, whose workers can be replaced and whose cache
    can be emptied (``empty``)."""

    env: dict[str, str]
    workers: int
    ready_dir: Path
    redis_url: str

    def __post_init__(self) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        for marker in self.ready_dir.iterdir():
            marker.unlink()
        self.server = start_gunicorn(self.env, self.workers, port, ready_dir=self.ready_dir)

    def empty(self) -> None:
        """Caches emptied: new workers (nothing in their memory), then the Redis database
        flushed."""
        restart_workers(self.server, self.ready_dir, self.workers)
        if self.redis_url:
            import redis

            redis.Redis.from_url(self.redis_url).flushdb()

    def memory(self) -> Memory:
        return worker_memory(worker_pids(self.server))

    def stop(self) -> None:
        stop_gunicorn(self.server)


def _app(env: dict[str, str]) -> Any:
    from maturity import create_app

    return create_app(
        {
            "MATURITY_ENV": "development",
            "SECRET_KEY": env["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "REDIS_URL": None,
        }
    )


def _dispose(app: Any) -> None:
    from maturity.extensions import db

    with app.app_context():
        db.engine.dispose()


# --- The national run ---------------------------------------------------------------------------


@dataclass
class National:
    built: str
    database: str
    facts: Facts
    specs: list[PageSpec]
    cold: dict[str, ColdFigures]
    academies: RunFigures
    memory_after_academies: Memory
    mix: RunFigures
    memory_after_mix: Memory
    warm: dict[str, WarmFigures]
    writes: WriteFigures


def _national(tmp: Path, redis_url: str, log: Callable[[str], None]) -> National:
    database_url = _database(tmp, "bench")
    env = _env(database_url, redis_url)
    ready = tmp / "ready"
    ready.mkdir()
    app = served = None
    try:
        started = time.perf_counter()
        summary = build_database(
            env,
            "--scale",
            "national",
            "--organisations",
            str(ACADEMIES),
            "--cycles",
            str(CYCLES),
            draw=("--latest-only",),
        )
        built = next(line for line in summary.splitlines() if line.startswith("National scale"))
        charts = next(line for line in summary.splitlines() if line.startswith("Charts ready"))
        built += (
            f" {charts.removesuffix('.')}, drawn ahead as their submissions would have "
            "(each academy's latest; older cycles' results draw theirs on first view)."
        )
        log(f"{built} ({time.perf_counter() - started:.0f} s)")
        app = _app(env)
        facts = facts_and_people(app)
        database = _database_name(app, database_url)

        served = Served(env, 1, ready, redis_url)
        people = sign_in_people(served.base, facts)
        specs = page_specs(facts, people)
        log(f"Cold pages: {len(specs)} pages × {FRESH_SAMPLES} fresh + {COLD_SAMPLES} cold…")
        cold = cold_pages(served.base, specs, served.empty, COLD_SAMPLES, FRESH_SAMPLES)
        served.stop()

        served = Served(env, WORKERS, ready, redis_url)
        people = sign_in_people(served.base, facts)
        specs = page_specs(facts, people)
        served.empty()
        log(f"Every academy's results, {len(facts.academies)} in turn…")
        academies = every_academy(facts, people, served.base, MIX_CONNECTIONS)
        after_academies = served.memory()
        log(f"Realistic mix for {MIX_SECONDS:.0f} s…")
        mix = realistic_mix(facts, people, served.base, MIX_CONNECTIONS, MIX_SECONDS)
        after_mix = served.memory()
        log(f"Warm pages with wrk, {DURATION} each beside the bare route…")
        warm = warm_pages(served.base, specs, CONNECTIONS, DURATION, WORKERS)
        log(f"Write path, {WRITE_ROUNDS} rounds…")
        writes = write_path(facts, people, WRITE_ROUNDS, current_questionnaire())
        return National(
            built=built,
            database=database,
            facts=facts,
            specs=specs,
            cold=cold,
            academies=academies,
            memory_after_academies=after_academies,
            mix=mix,
            memory_after_mix=after_mix,
            warm=warm,
            writes=writes,
        )
    finally:
        if served is not None:
            served.stop()
        if app is not None:
            _dispose(app)
        drop_database(database_url)


def _database_name(app: Any, database_url: str) -> str:
    from sqlalchemy import text

    from maturity.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            version = db.session.execute(text("SHOW server_version")).scalar_one()
            server = database_url.split("@")[-1].rsplit("/", 1)[0]
            return f"PostgreSQL {version.split()[0]} at {server}"
        version = db.session.execute(text("SELECT sqlite_version()")).scalar_one()
        return f"SQLite {version} (file)"


# --- Demo-scale pages ---------------------------------------------------------------------------


def _demo(tmp: Path, redis_url: str, log: Callable[[str], None]) -> list[FirstView]:
    if DEMO_PAGES <= 0:
        return []
    folder = tmp / "demo"
    folder.mkdir()
    (folder / "ready").mkdir()
    env = _env(f"sqlite:///{folder / 'demo.sqlite3'}", redis_url)
    build_database(env)  # with every demo chart drawn, as ``make run`` draws them
    app = _app(env)
    served = Served(env, 1, folder / "ready", redis_url)
    try:
        seen: set[str] = set()
        pages: list[Page] = []
        for who, email in ACCOUNTS:
            cookie = Browser(served.base).sign_in(email, PASSWORD).cookie
            pages += crawl(served.base, who, cookie, seen)
        pages = _one_per_route(app, pages)[:DEMO_PAGES]
        log(f"Demo data: {len(pages)} pages, each on a fresh worker with the cache emptied…")
        return first_views(served.base, pages, served.empty)
    finally:
        served.stop()
        _dispose(app)


def _one_per_route(app: Any, pages: list[Page]) -> list[Page]:
    """One page per route and organisation (or region): the first found. Administration
    pages, one per route."""
    import urllib.parse

    adapter = app.url_map.bind("localhost")
    kept: dict[tuple[str, str], Page] = {}
    for page in pages:
        endpoint, args = adapter.match(urllib.parse.urlsplit(page.path).path)
        owner = "" if endpoint.startswith("admin.") else str(args.get("slug") or args.get("code"))
        kept.setdefault((endpoint, owner), page)
    return list(kept.values())


# --- The table ----------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


def _spread(responses: list[Response]) -> str:
    """The median of the responses' times, with their range when there are several."""
    times = [r.ms for r in responses]
    text = _ms(median(times))
    return text + (f" ({min(times):,.0f}–{max(times):,.0f})" if len(times) > 1 else "")


def _page_rows(run: National) -> list[tuple[str, str, str, str]]:
    rows = []
    for spec in run.specs:
        cold, warm = run.cold[spec.name], run.warm[spec.name]
        cold_p50 = median([r.ms for r in cold.cold])
        fresh = median([r.ms for r in cold.fresh])
        share = warm.page.rps / warm.bare.rps if warm.bare.rps else 0.0
        sql_cold = max(r.statements for r in cold.cold + cold.fresh)
        rows += [
            (spec.name, "", "", ""),
            (
                f"  cold p50, caches emptied ({len(cold.cold)} samples)",
                _spread(cold.cold),
                f"< {_ms(spec.target_ms)}",
                _met(cold_p50 < spec.target_ms),
            ),
            (
                f"  fresh worker's first request (median of {len(cold.fresh)})",
                f"{_spread(cold.fresh)}, {fresh / cold_p50:.1f}× cold",
                f"≤ {_ms(2 * spec.target_ms)}",
                _met(fresh <= 2 * spec.target_ms),
            ),
            (
                "  warm req/s : bare route just before",
                f"{warm.page.rps:,.0f} : {warm.bare.rps:,.0f} = {share:.0%}",
                f"≥ {WARM_SHARE:.0%}",
                _met(share >= WARM_SHARE),
            ),
            (
                "  warm p50 / p95 (bare route p50)",
                f"{warm.page.p50:,.1f} / {warm.page.p95:,.1f} ms ({warm.bare.p50:,.1f})",
                "",
                "",
            ),
            (
                "  SQL statements per request, cold / warm",
                f"{sql_cold} / {warm.statements}",
                "",
                "",
            ),
        ]
    return rows


def _run_rows(run: National) -> list[tuple[str, str, str, str]]:
    academies, mix = run.academies, run.mix
    memory_a, memory_m = run.memory_after_academies, run.memory_after_mix
    worst_rss = max(memory_a.rss)
    rows = [
        (f"Every academy's latest results, {len(academies.outcomes)} in turn, cold", "", "", ""),
        (
            f"  req/s over {MIX_CONNECTIONS} connections, {WORKERS} workers",
            f"{academies.rps:,.1f} ({academies.seconds:,.0f} s)",
            f"≥ {EVERY_ACADEMY_RPS:.0f}",
            _met(academies.rps >= EVERY_ACADEMY_RPS and not academies.errors),
        ),
        ("  p50 / p95 / max", _p(academies), "", ""),
        (
            "  worker RSS after it (peak)",
            f"{_mib(memory_a.rss)} ({_mib(memory_a.peak)})",
            f"< {RSS_MIB} MiB",
            _met(worst_rss < RSS_MIB),
        ),
        (f"Realistic mix, {MIX_SECONDS:.0f} s over {MIX_CONNECTIONS} connections", "", "", ""),
        (
            "  req/s; errors",
            f"{mix.rps:,.1f}; {len(mix.errors)} of {len(mix.outcomes)}",
            "",
            "",
        ),
    ]
    for kind in mix.kinds():
        count = len(mix.ms(kind))
        rows.append((f"  {kind} ({count}): p50 / p95 / max", _p(mix, kind), "", ""))
    rows.append(
        (
            "  worker RSS after the mix (peak)",
            f"{_mib(memory_m.rss)} ({_mib(memory_m.peak)})",
            "",
            "",
        )
    )
    return rows


def _p(figures: RunFigures, kind: str | None = None) -> str:
    times = figures.ms(kind)
    return f"{figures.p(50, kind):,.0f} / {figures.p(95, kind):,.0f} / {max(times):,.0f} ms"


def _mib(values: list[int]) -> str:
    return ", ".join(f"{value}" for value in values) + " MiB"


def _write_rows(run: National) -> list[tuple[str, str, str, str]]:
    writes = run.writes
    rows = [(f"Write path, as the academy's lead ({len(writes.save)} rounds)", "", "", "")]
    for name, responses in (
        ("  save a section (POST, redirect)", writes.save),
        ("  submit (POST, redirect)", writes.submit),
        ("  regional dashboard, first view after the submission", writes.dashboard_after),
        ("  reopen (POST, redirect)", writes.reopen),
    ):
        times = [r.ms for r in responses]
        sql = max(r.statements for r in responses)
        rows.append(
            (
                f"{name}: median / max",
                f"{median(times):,.0f} / {max(times):,.0f} ms; {sql} SQL",
                "",
                "",
            )
        )
    return rows


def _other_rows(
    scoring: tuple[list[float], list[float]], demo: list[FirstView]
) -> list[tuple[str, str, str, str]]:
    structured, text = scoring
    best = min(structured)
    rows = [
        (
            f"Score 10,000 assessments and build what pages read (best of {len(structured)})",
            f"{best:.2f} s (median {statistics.median(structured):.2f})",
            f"< {SCORING_SECONDS:.0f} s",
            _met(best < SCORING_SECONDS),
        ),
        (
            "  … and the sentences pages show",
            f"{min(text):.2f} s (median {statistics.median(text):.2f})",
            "",
            "",
        ),
    ]
    if demo:
        slowest = max(demo, key=lambda view: view.response.ms)
        over = [view for view in demo if view.response.ms >= DEMO_FIRST_VIEW_MS]
        rows.append(
            (
                f"Demo data: every page's first view ({len(demo)} pages), slowest",
                f"{_ms(slowest.response.ms)}; {len(over)} at {DEMO_FIRST_VIEW_MS} ms or more",
                f"< {_ms(DEMO_FIRST_VIEW_MS)}",
                _met(not over),
            )
        )
    return rows


def _print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("Measure", "Result", "Target", "Met")
    widths = [max(width, len(title)) for width, title in zip(widths, header, strict=True)]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _print_demo(demo: list[FirstView]) -> None:
    if not demo:
        return
    print()
    print("Demo data, slowest first views (fresh worker, cache emptied):")
    for view in sorted(demo, key=lambda view: -view.response.ms)[:10]:
        flag = "  over" if view.response.ms >= DEMO_FIRST_VIEW_MS else ""
        print(
            f"  {view.response.ms:7,.0f} ms  {view.response.statements:3d} SQL  "
            f"{view.page.who:14} {view.page.path}{flag}"
        )
    failed = [view for view in demo if view.response.status != 200]
    for view in failed:
        print(f"  HTTP {view.response.status}: {view.page.path}")


def _print_slowest(run: National) -> None:
    print()
    print("Slowest requests of the mix:")
    slowest = sorted(run.mix.outcomes, key=lambda outcome: -outcome.response.ms)[:10]
    for outcome in slowest:
        print(
            f"  {outcome.response.ms:7,.0f} ms  {outcome.response.statements:3d} SQL  "
            f"{outcome.job.kind:34} {outcome.job.path}"
        )


def _header(run: National, redis_url: str, load: tuple[float, ...], seconds: float) -> None:
    now = os.getloadavg()
    print()
    print(f"Academy Maturity benchmark, {datetime.date.today()}: {run.built}")
    print(
        f"Database: {run.database}, a fresh database dropped afterwards. Cache: "
        + (f"Redis {redis_url}, emptied before every cold sample" if redis_url else "memory")
    )
    print(
        f"Workers: gunicorn sync, {WORKERS} workers for the academies, the mix, warm pages and "
        "writes; 1 worker, replaced before every cold, fresh-worker and demo-page sample; "
        "jobs inline (a submission draws its charts in the request), no queue worker"
    )
    print(
        f"Connections: warm pages wrk 2 threads × {CONNECTIONS} connections × {DURATION}, the bare "
        f"route just before each page; academies and mix {MIX_CONNECTIONS} connections"
    )
    print(
        f"Machine: {os.cpu_count()} cores, load average {_load(load)} at the start and "
        f"{_load(now)} at the end (other work on the machine counts too); "
        f"run took {seconds / 60:.1f} min"
    )
    print()


def _load(values: tuple[float, ...]) -> str:
    return " ".join(f"{value:.1f}" for value in values)


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk (as root)")
    started, load = time.perf_counter(), os.getloadavg()
    redis_url = _redis_url()
    tmp = Path(tempfile.mkdtemp(prefix="maturity-bench-"))

    def log(text: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {text}", flush=True)

    try:
        run = _national(tmp, redis_url, log)
        log("Scoring 10,000 assessments…")
        scoring = scoring_seconds(repeat=3), scoring_seconds(repeat=3, text=True)
        demo = _demo(tmp, redis_url, log)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _header(run, redis_url, load, time.perf_counter() - started)
    _print_table(_page_rows(run) + _run_rows(run) + _write_rows(run) + _other_rows(scoring, demo))
    _print_demo(demo)
    _print_slowest(run)


if __name__ == "__main__":
    main()
