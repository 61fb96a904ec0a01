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
   assessments in-process.

Targets (from the issue): each dashboard page reaches at least half the requests per
second of the bare template route of the same app.
"""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DURATION = os.environ.get("BENCHMARK_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCHMARK_CONNECTIONS", "8")
WORKERS = os.environ.get("BENCHMARK_WORKERS", str(os.cpu_count() or 2))
LUA = Path(__file__).with_name("percentiles.lua")
PASSWORD = "fictional-demo-account"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"


def _reachable(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _database(tmp: Path) -> tuple[str, str | None]:
    """PostgreSQL (production's database) when reachable or BENCHMARK_DATABASE_URL names
    one; SQLite when BENCHMARK_DATABASE_URL=sqlite or no PostgreSQL is running."""
    base = os.environ.get("BENCHMARK_DATABASE_URL") or (
        DEFAULT_POSTGRES if _reachable(5432) else "sqlite"
    )
    if base == "sqlite":
        return f"sqlite:///{tmp / 'national.sqlite3'}", None
    os.environ["BENCHMARK_DATABASE_URL"] = base
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"maturity_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def _drop(name: str | None) -> None:
    if name is None:
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["BENCHMARK_DATABASE_URL"]).set(database="postgres")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "MATURITY_ENV": "development",  # plain-HTTP cookies on loopback
            "DATABASE_URL": database_url,
            "SECRET_KEY": "benchmark-" + uuid.uuid4().hex,
            "MATURITY_SQL_COUNT_HEADER": "1",
            "FLASK_APP": "wsgi:app",
            "SIGN_IN_LIMIT_PER_IP": "10000 per minute",
            "SIGN_IN_LOCKOUT_PER_ACCOUNT": "10000 per minute",
            "API_RATE_LIMIT": "1000000 per minute",  # measure the API, not its limit
        }
    )
    # Redis shares the chart and page cache between workers, as in production.
    redis_url = os.environ.get("REDIS_URL") or (DEFAULT_REDIS if _reachable(6379) else "")
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "flask"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def _sign_in(base: str) -> tuple[str, urllib.request.OpenerDirector]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/sign-in").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    data = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": "admin@example.org", "password": PASSWORD}
    ).encode()
    opener.open(f"{base}/sign-in", data=data).read()
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    assert "session=" in cookies, "sign-in failed"
    return cookies, opener


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


def _score_10000() -> float:
    sys.path.insert(0, str(ROOT))
    from maturity.framework import Answer, load_directory, score

    questionnaire = load_directory(ROOT / "questionnaires").questionnaire("academy-maturity")
    rng = random.Random(7)
    answer_sets = [
        {indicator: Answer(level=rng.randint(1, 5)) for indicator in questionnaire.indicator_ids}
        for _ in range(10_000)
    ]
    started = time.perf_counter()
    for answers in answer_sets:
        score(questionnaire, answers)
    return time.perf_counter() - started


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk (as root)")
    tmp = Path(tempfile.mkdtemp(prefix="maturity-bench-"))
    database_url, database_name = _database(tmp)
    env = _env(database_url)
    print(
        f"Database: {database_url.split('@')[-1]}; cache: {env.get('REDIS_URL') or 'memory'}",
        flush=True,
    )
    started = time.perf_counter()
    _flask(env, "db", "upgrade")
    _flask(env, "maturity", "load-reference-data")
    summary = _flask(env, "maturity", "seed-demo", "--scale", "national")
    line = next(text for text in summary.splitlines() if text.startswith("National scale"))
    print(line, f"(built in {time.perf_counter() - started:.0f} s)", flush=True)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            WORKERS,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz").read()
                break
            except OSError:
                time.sleep(0.2)
        cookies, opener = _sign_in(base)
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
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
        _drop(database_name)
        shutil.rmtree(tmp, ignore_errors=True)
    scoring = _score_10000()

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
