"""Speed at national scale: one command, one table.

    make benchmark            # or: .venv/bin/python benchmarks/run.py

1. Builds the national data set (300 fictional academies × 10 submitted cycles × 56
   indicators) in a fresh database: SQLite by default, PostgreSQL when
   BENCHMARK_DATABASE_URL is set (a fresh database is created on that server).
2. Starts the app under gunicorn on 127.0.0.1 (2 workers, the machine's cores) with the
   SQL statement counter switched on.
3. Signs in as the demo administrator and drives each page with wrk on loopback for a
   fixed time, after one warm-up request: requests per second, p50 and p95 latency,
   SQL statements per request.
4. Reads each worker's peak memory (VmHWM) and times the scoring engine on 10,000
   assessments in-process (``benchmarks/scoring.py``, which also runs on its own).

Targets (from the issue): each dashboard page reaches at least half the requests per
second of the bare template route of the same app.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from harness import (
    DEFAULT_POSTGRES,
    ROOT,
    create_postgres_database,
    drop_database,
    flask,
    free_port,
    reachable,
    served_env,
    sign_in,
    start_gunicorn,
    stop_gunicorn,
)
from scoring import scoring_seconds

DURATION = os.environ.get("BENCHMARK_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCHMARK_CONNECTIONS", "8")
WORKERS = os.environ.get("BENCHMARK_WORKERS", str(os.cpu_count() or 2))
LUA = Path(__file__).with_name("percentiles.lua")
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"


def _database(tmp: Path) -> str:
    """PostgreSQL (production's database) when reachable or BENCHMARK_DATABASE_URL names
    one (a fresh database on that server); SQLite when BENCHMARK_DATABASE_URL=sqlite or
    no PostgreSQL is running."""
    base = os.environ.get("BENCHMARK_DATABASE_URL") or (
        DEFAULT_POSTGRES if reachable(5432) else "sqlite"
    )
    if base == "sqlite":
        return f"sqlite:///{tmp / 'national.sqlite3'}"
    return create_postgres_database(base, "maturity_bench")


def _env(database_url: str) -> dict[str, str]:
    settings = {
        "MATURITY_SQL_COUNT_HEADER": "1",
        "SIGN_IN_LIMIT_PER_IP": "10000 per minute",
        "SIGN_IN_LOCKOUT_PER_ACCOUNT": "10000 per minute",
        "API_RATE_LIMIT": "1000000 per minute",  # measure the API, not its limit
    }
    # Redis shares the chart and page cache between workers, as in production.
    redis_url = os.environ.get("REDIS_URL") or (DEFAULT_REDIS if reachable(6379) else "")
    if redis_url:
        settings["REDIS_URL"] = redis_url
    return served_env(database_url, settings)


def _statements(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, int]:
    opener.open(url).read()  # warm: charts drawn, snapshots parsed
    response = opener.open(url)
    response.read()
    return response.status, int(response.headers.get("X-SQL-Statements", "-1"))


def _wrk(url: str, cookies: str) -> tuple[float, float, float]:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}",
            "-s",
            str(LUA),
            "-H",
            f"Cookie: {cookies}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = float(re.search(r"p50_ms=([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p95 = float(re.search(r"p95_ms=([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses under load\n{output}")
    return rps, p50, p95


def _worker_peaks(master_pid: int) -> list[int]:
    children = subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peaks.append(int(found.group(1)) // 1024)
    return peaks


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk (as root)")
    tmp = Path(tempfile.mkdtemp(prefix="maturity-bench-"))
    database_url = _database(tmp)
    env = _env(database_url)
    print(
        f"Database: {database_url.split('@')[-1]}; cache: {env.get('REDIS_URL') or 'memory'}",
        flush=True,
    )
    server = None
    try:
        started = time.perf_counter()
        flask(env, "db", "upgrade")
        flask(env, "maturity", "load-reference-data")
        summary = flask(env, "maturity", "seed-demo", "--scale", "national")
        line = next(text for text in summary.splitlines() if text.startswith("National scale"))
        print(line, f"(built in {time.perf_counter() - started:.0f} s)", flush=True)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, WORKERS, port)
        cookies, opener = sign_in(base, "admin@example.org")
        sys.path.insert(0, str(ROOT))
        from sqlalchemy import create_engine, text

        engine = create_engine(database_url)
        with engine.connect() as connection:
            academy = connection.execute(
                text(
                    "SELECT a.id FROM assessment a JOIN organisation o ON o.id = a.organisation_id "
                    "WHERE o.slug = 'scale-test-academy-001' ORDER BY a.cycle DESC LIMIT 1"
                )
            ).scalar_one()
        engine.dispose()
        pages = [
            ("Bare template route (ceiling)", "/accessibility"),
            ("Regional dashboard", "/regions/north-west?cycle=2025/26"),
            ("National comparison", "/regions/compare?cycle=2025/26"),
            (
                "Academy results page",
                f"/organisations/scale-test-academy-001/assessments/{academy}/results",
            ),
            ("API regional figures", "/api/v1/regions/north-west/figures?cycle=2025/26"),
        ]
        rows = []
        for name, path in pages:
            status, statements = _statements(opener, base + path)
            assert status == 200, (path, status)
            rps, p50, p95 = _wrk(base + path, cookies)
            rows.append((name, rps, p50, p95, statements))
        peaks = _worker_peaks(server.pid)
    finally:
        if server is not None:
            stop_gunicorn(server)
        drop_database(database_url)
        shutil.rmtree(tmp, ignore_errors=True)
    scoring = scoring_seconds()

    ceiling = rows[0][1]
    print()
    print(
        f"Academy Maturity benchmark: 300 academies × 10 cycles, gunicorn {WORKERS} workers, "
        f"wrk {CONNECTIONS} connections × {DURATION}"
    )
    print(f"{'Page':34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'SQL/req':>8} {'vs ceiling':>11}")
    for name, rps, p50, p95, statements in rows:
        print(f"{name:34} {rps:8.0f} {p50:8.1f} {p95:8.1f} {statements:8d} {rps / ceiling:10.0%}")
    print(f"{'Peak memory per worker (MiB)':34} {', '.join(str(p) for p in peaks)}")
    print(f"{'Score 10,000 assessments (engine)':34} {scoring:.2f} s")
    below = [name for name, rps, *_ in rows[1:] if rps < ceiling / 2]
    if below:
        print(f"Below half the ceiling: {', '.join(below)}")


if __name__ == "__main__":
    main()
