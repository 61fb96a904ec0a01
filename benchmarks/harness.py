"""What the benchmark (run.py) and the load test (load.py) share: a fresh database, the
app's settings for a served run, gunicorn on a free loopback port, signing in.

Run from the virtual environment (``.venv/bin/python benchmarks/…``): the scripts sit
beside this module, so ``import harness`` finds it.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Every demo account's password (maturity.services.demo.DEMO_PASSWORD), fictional.
PASSWORD = "fictional-demo-account"
READY_HOOK = Path(__file__).with_name("gunicorn_ready.py")

# The throwaway databases the tests make, made the same way here (for run.py, load.py).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.databases import create_database as create_database  # noqa: E402
from tests.databases import drop_database as drop_database  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reachable(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def served_env(database_url: str, settings: Mapping[str, str]) -> dict[str, str]:
    """The environment for the app's commands and its gunicorn: this process's, the
    database, a throwaway secret key, plain-HTTP cookies on loopback, then ``settings``."""
    env = dict(os.environ)
    env.update(
        {
            "MATURITY_ENV": "development",  # plain-HTTP cookies on loopback
            "DATABASE_URL": database_url,
            "SECRET_KEY": "benchmark-" + uuid.uuid4().hex,
            "FLASK_APP": "wsgi:app",
        }
    )
    env.update(settings)
    return env


def flask(env: Mapping[str, str], *args: str) -> str:
    """Run ``flask <args>`` for the app in ``env``; its output."""
    result = subprocess.run(
        [str(VENV_BIN / "flask"), *args],
        cwd=ROOT,
        env=dict(env),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def start_gunicorn(
    env: Mapping[str, str],
    workers: int | str,
    port: int,
    *,
    log: IO[Any] | None = None,
    threads: int = 1,
    access_log: Path | None = None,
    ready_dir: Path | None = None,
) -> subprocess.Popen[bytes]:
    """gunicorn serving the app on 127.0.0.1:``port``, ready (``/healthz`` answers).
    Warnings and tracebacks go to ``log`` (the terminal if None); with ``access_log``,
    one line per request ("METHOD STATUS PATH"). With ``ready_dir``, each worker marks
    itself ready there (``gunicorn_ready.py``), for ``restart_workers``."""
    access = (
        ["--access-logfile", str(access_log), "--access-logformat", "%(m)s %(s)s %(U)s"]
        if access_log
        else []
    )
    if ready_dir is not None:
        access += ["--config", str(READY_HOOK)]
        env = {**env, "BENCHMARK_READY_DIR": str(ready_dir)}
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *access,
            "wsgi:app",
        ],
        cwd=ROOT,
        env=dict(env),
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (exit {server.returncode})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read()
            return server
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(server)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def worker_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """The process ids of gunicorn's workers (the master's children)."""
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    return sorted(int(pid) for pid in found.stdout.split())


def restart_workers(server: subprocess.Popen[bytes], ready_dir: Path, workers: int) -> list[int]:
    """Fresh workers, as after a deployment: ``kill -HUP`` the master (it starts new
    workers and stops the old), then wait until the old ones have exited and each new
    one has loaded the app (its file in ``ready_dir``, see ``gunicorn_ready.py``),
    without sending them a request. Their process ids."""
    old = set(worker_pids(server))
    for marker in ready_dir.iterdir():
        marker.unlink()
    os.kill(server.pid, signal.SIGHUP)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode})")
        current = set(worker_pids(server))
        ready = {int(marker.name) for marker in ready_dir.iterdir()}
        fresh = current & ready
        if len(fresh) == workers and not current & old:
            return sorted(fresh)
        time.sleep(0.02)
    raise SystemExit("gunicorn's new workers were not ready within 60 s")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers (its own process group)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    server.wait(10)


CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def sign_in(
    base: str,
    email: str,
    password: str = PASSWORD,
    *,
    then: str | None = None,
    user_agent: str | None = None,
) -> tuple[str, urllib.request.OpenerDirector]:
    """Sign in as ``email`` through the sign-in form; the session's Cookie header and an
    opener that sends it. With ``then``, that page is opened too, so that the session
    also holds a CSRF token for the forms behind it. Give the ``user_agent`` of whatever
    will use the session if it is not this opener (a session is tied to the user agent
    it began with). Cookies marked Secure (production settings) are sent back over plain
    HTTP too: this is a loopback test instance, not a browser on a network."""
    jar = http.cookiejar.CookieJar(
        policy=http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
    )
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    if user_agent:
        opener.addheaders = [("User-Agent", user_agent)]
    page = opener.open(f"{base}/sign-in").read().decode()
    token = CSRF_TOKEN.search(page)
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    data = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": email, "password": password}
    ).encode()
    response = opener.open(f"{base}/sign-in", data=data)
    response.read()
    if urllib.parse.urlsplit(response.url).path == "/sign-in":
        raise SystemExit(f"signing in as {email} failed")
    if then:
        opener.open(f"{base}{then}").read()
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    if "session=" not in cookies:
        raise SystemExit(f"signing in as {email} set no session cookie")
    return cookies, opener


def build_database(env: Mapping[str, str], *seed_args: str, draw: tuple[str, ...] = ()) -> str:
    """Migrate the empty database ``env`` names, load the reference data and the demo
    data, then draw the charts as the data's submissions would have (``draw-charts`` with
    ``draw``'s options); what ``seed-demo`` and ``draw-charts`` printed."""
    flask(env, "db", "upgrade")
    flask(env, "maturity", "load-reference-data")
    seeded = flask(env, "maturity", "seed-demo", *seed_args)
    return seeded + flask(env, "maturity", "draw-charts", *draw)
