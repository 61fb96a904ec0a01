"""A bounded web-vulnerability scan of a local instance, signed in as an academy lead.

    make scan                 # or: .venv/bin/python benchmarks/scan.py  (after make scan once)

1. Builds a fresh SQLite database in a temporary folder with the demo data.
2. Serves it under gunicorn on a free loopback port with production settings (Secure,
   HttpOnly session cookies; no development links on pages), over plain HTTP.
3. Signs in as the demo lead of Kingsmere (lead@kingsmere.example.org) through the real
   form and hands the session cookie to wapiti (.venv-scan, benchmarks/scan-requirements.txt).
4. Runs wapiti's modules listed in MODULES against every page the lead can reach and
   the read-only API (from its OpenAPI description), never the sign-out forms, within
   SCAN_MAX_SECONDS (default 600) overall.
5. Prints the findings by severity, with the explanation of any known false positive,
   and exits 1 if there is anything above informational that is not explained.

The JSON report, wapiti's log and the app's error log are kept in benchmarks/reports/.
Settings: SCAN_MAX_SECONDS, SCAN_MODULES (comma-separated, to run others than MODULES).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from harness import (
    ROOT,
    build_database,
    free_port,
    served_env,
    sign_in,
    start_gunicorn,
    stop_gunicorn,
)

WAPITI = ROOT / ".venv-scan" / "bin" / "wapiti"
REPORTS = Path(__file__).resolve().with_name("reports")
LEAD = "lead@kingsmere.example.org"
USER_AGENT = "academy-maturity-scan (wapiti 3.2.3)"

# What runs, and what each looks for.
MODULES = {  # in this order: the quick ones first, so the time they leave goes to the rest
    "http_headers": "X-Frame-Options and X-Content-Type-Options on the home page",
    "csp": "the Content Security Policy",
    "cookieflags": "Secure and HttpOnly on the cookies the app sets",
    "csrf": "forms without an anti-CSRF token, or whose token is not checked",
    "methods": "uncommon HTTP methods (PUT, DELETE, …) allowed",
    "redirect": "open redirects",
    "crlf": "CRLF injection into response headers",
    "upload": "unrestricted file upload",
    "exec": "command execution",
    "file": "path traversal and file inclusion",
    "sql": "SQL injection, error- and boolean-based",
    "xss": "reflected cross-site scripting",
    "permanentxss": "stored cross-site scripting (from what the xss module sent)",
}
# Left out, each with its reason (SCAN_MODULES runs any of them anyway).
LEFT_OUT = {
    "ssrf, xxe, log4shell": (
        "need wapiti's public callback server (wapiti3.ovh), which an isolated run cannot "
        "reach; the app fetches no address it is given and parses no XML. Endpoints are "
        "pointed at a closed loopback port so that no payload names an outside host"
    ),
    "ssl, https_redirect": (
        "the instance speaks plain HTTP on loopback; in production TLS and the redirect "
        "to HTTPS belong to the proxy in front (the app adds HSTS to requests that came "
        "over HTTPS)"
    ),
    "timesql": (
        "time-based blind SQL injection: each probe waits seconds, so it would use up the "
        "time of the others; every query goes through SQLAlchemy with bound parameters"
    ),
    "brute_login_form": "password guessing, which the sign-in limits are there to stop",
    "nikto, buster, backup, htaccess": (
        "guess file names and server misconfigurations; gunicorn serves only the app's "
        "routes and its static folder"
    ),
    "wapp, cms, wp_enum, spring4shell, shellshock, network_device, takeover, ldap": (
        "other products (WordPress, Drupal, Spring, CGI, network devices), DNS, LDAP; "
        "wapp downloads its database from the internet"
    ),
}

SEVERITIES = {4: "Critical", 3: "High", 2: "Medium", 1: "Low", 0: "Informational"}


@dataclass(frozen=True)
class Known:
    """A finding wapiti reports that is not a problem in the app, and why."""

    module: str
    info: str  # a regular expression the finding's info must match
    why: str


KNOWN_FALSE_POSITIVES: list[Known] = []


@dataclass(frozen=True)
class Finding:
    kind: str  # vulnerability, anomaly or additional
    category: str
    level: int
    module: str
    method: str
    path: str
    parameter: str
    info: str

    @property
    def explanation(self) -> str | None:
        for known in KNOWN_FALSE_POSITIVES:
            if known.module == self.module and re.search(known.info, self.info):
                return known.why
        return None


# Modules that must share a run: permanentxss looks for what xss sent.
TOGETHER = (("xss", "permanentxss"),)
# Run with the crawl: they read the root page and the cookie jar the crawl filled.
WITH_CRAWL = ("http_headers", "csp", "cookieflags")


def _modules() -> list[str]:
    chosen = os.environ.get("SCAN_MODULES")
    return [name.strip() for name in chosen.split(",") if name.strip()] if chosen else list(MODULES)


def _runs(modules: list[str]) -> tuple[list[str], list[list[str]]]:
    """The modules to run with the crawl, and the rest as one run each (a module that
    needs another shares its run). Each run is its own wapiti process: a module stopped
    at its time limit can leave wapiti's own session database locked, and that must not
    end the scan."""
    with_crawl = [name for name in modules if name in WITH_CRAWL]
    runs: list[list[str]] = []
    for name in modules:
        if name in with_crawl or any(name in run for run in runs):
            continue
        group = next((g for g in TOGETHER if name in g), (name,))
        runs.append([member for member in group if member in modules or member == name])
    return with_crawl, runs


def _budget() -> tuple[int, int]:
    """Seconds for the whole scan, and for crawling."""
    total = int(os.environ.get("SCAN_MAX_SECONDS", "600"))
    return total, max(20, min(150, total // 5))


@dataclass
class Run:
    modules: list[str]
    seconds: float = 0
    outcome: str = "not run"
    attacked: int = 0


class Wapiti:
    """Runs wapiti against one instance, all runs sharing one session folder."""

    def __init__(self, base: str, cookies: str, work: Path, log: Path) -> None:
        self.base = base
        self.cookies = cookies
        self.work = work
        self.log = log
        self.closed_port = free_port()  # nothing listens there: out-of-band payloads go nowhere

    def command(self, modules: list[str], output: Path, *options: str) -> list[str]:
        return [
            str(WAPITI),
            "--url",
            f"{self.base}/",
            "--scope",
            "folder",
            "--module",
            ",".join(modules),
            "--cookie-value",
            self.cookies,
            "--user-agent",
            USER_AGENT,
            "--swagger",
            f"{self.base}/api/v1/openapi.json",
            # Signing out (here or on all devices) would end the scan's session: the
            # forms never to send.
            "--exclude",
            f"{self.base}/sign-out",
            "--exclude",
            f"{self.base}/account/sign-out-everywhere",
            # A payload in the CSRF token only ever meets the CSRF refusal (400); the csrf
            # module tests the token itself.
            "--skip",
            "csrf_token",
            # Every next step links to a new action with its own query string: "polite"
            # explores a few of those variants, not forty, leaving time for the forms.
            "--scan-force",
            "polite",
            "--timeout",
            "30",
            "--tasks",
            "4",
            "--endpoint",
            f"http://127.0.0.1:{self.closed_port}/",
            "--dns-endpoint",
            "localhost",
            "--store-session",
            str(self.work / "session"),
            "--store-config",
            str(self.work / "config"),
            "--no-bugreport",
            "--verbose",
            "1",
            "--format",
            "json",
            "--output",
            str(output),
            *options,
        ]

    def run(self, run: Run, limit: float, *options: str, output: Path | None = None) -> Run:
        """One wapiti process; stopped if it is still running after ``limit`` seconds."""
        output = output or self.work / "partial.json"
        command = self.command(run.modules, output, *options)
        started = time.monotonic()
        with self.log.open("a") as out:
            out.write(f"\n==== wapiti {' '.join(command[1:])}\n")
            out.flush()
            scanner = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                status = scanner.wait(limit)
            except subprocess.TimeoutExpired:
                os.killpg(scanner.pid, signal.SIGKILL)
                scanner.wait()
                status = None
        run.seconds = time.monotonic() - started
        text = self.log.read_text(errors="replace").rsplit("\n==== wapiti ", 1)[-1]
        run.attacked = len(re.findall(r"^\[\+\] (?:GET|POST|PUT|DELETE|PATCH) ", text, re.M))
        if status is None:
            run.outcome = f"stopped by this script after {limit:.0f} s"
        elif status != 0 or "Traceback (most recent call last)" in text:
            run.outcome = f"wapiti failed (exit code {status}; see its log)"
        elif re.search(r"Max (attack|scan) time was reached", text):
            run.outcome = "stopped at its time limit"
        else:
            run.outcome = "finished"
        return run

    def scan(self, modules: list[str]) -> tuple[list[Run], int]:
        """Crawl (with the passive modules), then each other run in turn, sharing out the
        time left; then write the report. The runs and the number of URLs and forms found."""
        total, crawl = _budget()
        deadline = time.monotonic() + total
        with_crawl, runs = _runs(modules)
        crawled = self.run(
            Run(with_crawl), crawl + 120, "--flush-session", "--max-scan-time", str(crawl)
        )
        found = re.findall(r"Wapiti found (\d+) URLs and forms", self.log.read_text())
        done = [Run(["crawl", *with_crawl], crawled.seconds, crawled.outcome, crawled.attacked)]
        for index, modules_of_run in enumerate(runs):
            left = [name for run in runs[index:] for name in run]
            each = max(10.0, (deadline - time.monotonic() - 5 * (len(runs) - index)) / len(left))
            print(
                f"  {time.strftime('%H:%M:%S')} {', '.join(modules_of_run)} "
                f"(up to {each:.0f} s each)",
                flush=True,
            )
            run = Run(modules_of_run)
            self.run(
                run,
                each * len(modules_of_run) + 60,
                "--skip-crawl",
                "--max-attack-time",
                str(round(each)),
            )
            done.append(run)
        return done, int(found[-1]) if found else 0

    def report(self, path: Path) -> None:
        """Write the JSON report of everything every run found."""
        run = self.run(Run([]), 120, "--skip-crawl", output=path)
        if not path.exists():
            raise SystemExit(f"wapiti wrote no report ({run.outcome}): see {self.log}")


def _findings(report: dict) -> list[Finding]:
    found = set()
    for kind, section in (
        ("vulnerability", "vulnerabilities"),
        ("anomaly", "anomalies"),
        ("additional", "additionals"),
    ):
        for category, items in (report.get(section) or {}).items():
            for item in items:
                found.add(
                    Finding(
                        kind=kind,
                        category=category,
                        level=int(item.get("level", 0)),
                        module=item.get("module", ""),
                        method=item.get("method", ""),
                        path=item.get("path", ""),
                        parameter=item.get("parameter") or "",
                        info=" ".join(str(item.get("info", "")).split()),
                    )
                )
    return sorted(found, key=lambda f: (-f.level, f.category, f.path, f.parameter, f.info))


def _responses(access_log: Path) -> str:
    """How many requests the app answered with each status, by method: what share of
    the payloads reached a page (200) rather than a refusal (400: CSRF or validation)."""
    counts: Counter[tuple[str, str]] = Counter()
    for line in access_log.read_text(errors="replace").splitlines():
        method, status, *_path = line.split(" ", 2) + [""]
        counts[(method, status)] += 1
    return ", ".join(f"{method} {status}: {n}" for (method, status), n in sorted(counts.items()))


def _print_findings(findings: list[Finding]) -> None:
    for level in sorted(SEVERITIES, reverse=True):
        group = [finding for finding in findings if finding.level == level]
        print(f"\n{SEVERITIES[level]} ({len(group)})")
        if level == 0:
            _print_informational(group)
            continue
        for finding in group:
            where = f"{finding.method} {finding.path}"
            if finding.parameter:
                where += f" [{finding.parameter}]"
            print(f"  - {finding.category} ({finding.module}, {finding.kind}): {where}")
            print(f"    {finding.info[:300]}")
            if finding.explanation:
                print(f"    Not a problem in the app: {finding.explanation}")


def _print_informational(group: list[Finding], examples: int = 3) -> None:
    """Informational findings by category, with a few examples each (all are in the report)."""
    categories: dict[str, list[Finding]] = {}
    for finding in group:
        categories.setdefault(f"{finding.category} ({finding.module})", []).append(finding)
    for name, members in categories.items():
        print(f"  - {name}: {len(members)}, such as")
        for finding in members[:examples]:
            print(f"    {finding.method} {finding.path}: {finding.info[:200]}")


def main() -> None:
    if not WAPITI.exists():
        raise SystemExit("wapiti is not installed: run `make scan` (it creates .venv-scan)")
    modules = _modules()
    total, crawl = _budget()
    REPORTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report_path = REPORTS / f"scan-{stamp}.json"
    wapiti_log = REPORTS / f"scan-{stamp}-wapiti.log"
    app_log = REPORTS / f"scan-{stamp}-app.log"
    access_log = REPORTS / f"scan-{stamp}-requests.log"
    work = Path(tempfile.mkdtemp(prefix="maturity-scan-"))
    started = time.monotonic()
    try:
        database_url = f"sqlite:///{work / 'scan.sqlite3'}"
        build_database(served_env(database_url, {}))
        port = free_port()
        limits = {
            # Raised so that the scanner's payloads reach the forms and the API rather
            # than the "Too many attempts" page; the limits themselves have tests.
            "SIGN_IN_LIMIT_PER_IP": "100000 per minute",
            "SIGN_IN_LIMIT_PER_CLIENT": "100000 per minute",
            "SIGN_IN_LOCKOUT_PER_ACCOUNT": "100000 per minute",
            "API_RATE_LIMIT": "100000 per minute",
        }
        env = served_env(
            database_url,
            {"MATURITY_ENV": "production", "SERVICE_URL": f"http://127.0.0.1:{port}", **limits},
        )
        base = f"http://127.0.0.1:{port}"
        with open(app_log, "ab") as errors:
            server = start_gunicorn(env, 2, port, log=errors, threads=2, access_log=access_log)
            try:
                cookies, _opener = sign_in(base, LEAD, then="/account", user_agent=USER_AGENT)
                print(f"App: {base}, production settings, fresh SQLite database with the demo data")
                print(f"Signed in as {LEAD} (academy lead); limits raised for this instance:")
                for name, value in limits.items():
                    print(f"  {name}={value}")
                print(
                    f"wapiti 3.2.3 within {total} s (SCAN_MAX_SECONDS), "
                    f"crawling for up to {crawl} s"
                )
                print("Modules:")
                for name in modules:
                    print(f"  {name}: {MODULES.get(name, '(chosen by SCAN_MODULES)')}")
                print("Left out:")
                for names, why in LEFT_OUT.items():
                    print(f"  {names}: {why}")
                print(f"  {time.strftime('%H:%M:%S')} crawling", flush=True)
                wapiti = Wapiti(base, cookies, work, wapiti_log)
                runs, found = wapiti.scan(modules)
                wapiti.report(report_path)
            finally:
                stop_gunicorn(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started

    report = json.loads(report_path.read_text())
    findings = _findings(report)
    print(f"\nScan of {base} took {elapsed:.0f} s; wapiti found {found} URLs and forms.")
    print(f"{'Run':34} {'seconds':>7} {'attacked':>8}  outcome")
    for run in runs:
        name = ", ".join(run.modules)
        print(f"{name:34} {run.seconds:7.0f} {run.attacked:8d}  {run.outcome}")
    print(f"The app answered: {_responses(access_log)}")
    print(f"Report: {report_path}")
    print(f"Logs: {wapiti_log} (wapiti), {app_log} (the app's errors), {access_log}")
    _print_findings(findings)
    problems = [f for f in findings if f.level > 0 and f.explanation is None]
    explained = [f for f in findings if f.level > 0 and f.explanation is not None]
    print(
        f"\n{len(problems)} finding(s) above informational to look at"
        + (f"; {len(explained)} explained above as not a problem in the app" if explained else "")
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
