"""Load test: 50 signed-in people at once, nothing lost. One command, one table.

    make load                 # or: .venv/bin/python benchmarks/load.py (locust installed)
    LOAD_USERS=20 LOAD_DURATION=30s make load

1. Creates a fresh PostgreSQL database (``maturity_load_<random>`` on
   LOAD_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test),
   migrates it, loads the regions, directory and demo data, then adds LOAD_USERS
   (default 50) fictional people through the app's services: each the lead of its own
   fictional academy ("Load test academy 001 (fictional)") with this cycle's assessment
   in progress, and a contributor at the demo Kingsmere academy (three submitted cycles)
   to read its results. Every fifth person is also the North West's regional lead.
2. Serves the app with gunicorn (2 workers) on a free loopback port, with limits and
   the cache in Redis (LOAD_REDIS_URL, default redis://127.0.0.1:6379/12).
3. Runs locust headless (``-u 50 -r 10 -t 60s``; LOAD_USERS, LOAD_SPAWN_RATE and
   LOAD_DURATION override them) with benchmarks/locustfile.py: each user signs in as
   itself, then mixes its organisation's overview, task list and domain pages, the demo
   academy's results pages, the regional dashboard (regional leads) or the national
   comparison (the others), the JSON API, and saves of its own assessment's domain
   pages, posted as the form posts them. A save counts as acknowledged when it is
   answered with the redirect the form gives after a save.
4. Stops the server and reads the database: for each (assessment, question) and
   (assessment, section target) saved, the stored value must be the last acknowledged
   one. Each person writes only its own assessment, one save at a time, so that value
   is certain; a save the run ended before it was answered may or may not have landed,
   so either value is accepted for it.
5. Prints requests, errors by kind and reason, p50/p95 by kind and overall, and lost
   saves; drops the database. Exits non-zero on any error or lost save.

Throttling: all users sign in from 127.0.0.1, and the sign-in and API limits are meant
for people, not for 50 of them behind one address. The server is started with the
operator settings in ``THROTTLING`` (maturity/config.py reads them from the environment)
raised far above what the run needs; add any new throttling setting there.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from harness import (
    DEFAULT_POSTGRES,
    PASSWORD,
    VENV_BIN,
    create_database,
    drop_database,
    flask,
    free_port,
    served_env,
    start_gunicorn,
    stop_gunicorn,
)

USERS = int(os.environ.get("LOAD_USERS", "50"))
SPAWN_RATE = os.environ.get("LOAD_SPAWN_RATE", "10")
DURATION = os.environ.get("LOAD_DURATION", "60s")
DURATION = DURATION + "s" if DURATION.isdigit() else DURATION
WORKERS = 2
DATABASE_SERVER = os.environ.get("LOAD_DATABASE_URL", DEFAULT_POSTGRES)
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/12")
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Seconds a user may take to finish what it is doing when the time is up.
STOP_TIMEOUT = "30"

# Operator settings for the served app: the sign-in and API limits, raised so that the
# run's users, all on 127.0.0.1, are never throttled. Every throttling override lives here.
THROTTLING = {
    "SIGN_IN_LIMIT_PER_IP": "100000 per minute",
    "SIGN_IN_LIMIT_PER_CLIENT": "100000 per minute",
    "SIGN_IN_LOCKOUT_PER_ACCOUNT": "100000 per minute",
    "API_RATE_LIMIT": "1000000 per minute",
}

RESULTS_ACADEMY = "Kingsmere Health and Care Academy (demo)"
REGIONAL_LEAD_REGION = "north-west"
REGIONAL_LEAD_EVERY = 5


# --- The people, their academies and their assessments ------------------------------------


def _seed(app: Any, count: int) -> list[dict[str, Any]]:
    """Add ``count`` fictional people, each leading a fictional academy with this cycle's
    assessment in progress; the plan of each (what locustfile.py visits and posts)."""
    from maturity.extensions import db
    from maturity.framework.periods import Cycle
    from maturity.models import (
        AssessmentStatus,
        DeliveryMode,
        HostBodyType,
        Membership,
        OrganisationKind,
        OrganisationStatus,
        RegionalLead,
        Role,
        User,
    )
    from maturity.services.accounts import hash_password, normalise_email
    from maturity.services.assessments import assessments_for, start_assessment
    from maturity.services.organisations import (
        OrganisationProfile,
        create_organisation,
        organisation_named,
    )
    from maturity.services.reference import list_regions, region_by_code
    from maturity.services.settings import Settings

    today = date.today()
    cycle = str(Cycle.containing(today))
    with app.app_context():
        password_hash = hash_password(PASSWORD, Settings.from_config(app.config).hashing)
        regions = list(list_regions())
        led_region = region_by_code(REGIONAL_LEAD_REGION)
        results_academy = organisation_named(RESULTS_ACADEMY)
        assert led_region is not None and results_academy is not None, "demo data missing"
        submitted = [
            assessment.id
            for assessment in assessments_for(results_academy)
            if assessment.status == AssessmentStatus.SUBMITTED
        ]
        people = []
        for number in range(1, count + 1):
            user = User(
                email=normalise_email(f"load-{number:03d}@load-test.example.org"),
                name=f"Load tester {number:03d} (fictional)",
                password_hash=password_hash,
            )
            db.session.add(user)
            academy = create_organisation(
                OrganisationProfile(
                    name=f"Load test academy {number:03d} (fictional)",
                    region=regions[number % len(regions)],
                    kind=OrganisationKind.HEALTH_AND_CARE,
                    host_body_type=HostBodyType.LOCAL_AUTHORITY,
                    delivery_mode=DeliveryMode.BLENDED,
                    status=OrganisationStatus.LIVE,
                    year_established=2022,
                ),
                created_by=None,
                is_demo=True,
            )
            db.session.add(Membership(user=user, organisation=academy, role=Role.LEAD))
            db.session.add(
                Membership(user=user, organisation=results_academy, role=Role.CONTRIBUTOR)
            )
            lead = number % REGIONAL_LEAD_EVERY == 1
            if lead:
                db.session.add(RegionalLead(user=user, region=led_region))
            assessment = start_assessment(academy, cycle, user, carry_forward=False, today=today)
            people.append((user.email, academy.slug, assessment.id, lead))
        db.session.commit()
        with app.test_request_context():
            return [
                _plan(email, slug, assessment_id, lead, results_academy.slug, submitted)
                for email, slug, assessment_id, lead in people
            ]


def _plan(
    email: str,
    slug: str,
    assessment_id: int,
    regional_lead: bool,
    results_slug: str,
    results_ids: list[int],
) -> dict[str, Any]:
    """One person's plan, every address built by the app's own ``url_for``."""
    from flask import url_for

    from maturity.services.assessments import assessment_in, questionnaire_of
    from maturity.services.organisations import organisation_by_slug

    assessment = assessment_in(organisation_by_slug(slug), assessment_id)
    questionnaire = questionnaire_of(assessment)
    ids: dict[str, Any] = {"slug": slug, "assessment_id": assessment_id}
    domains = questionnaire.domains
    api = {
        "me": url_for("api.me"),
        "organisation's assessments": url_for("api.organisation_assessments", slug=slug),
        "national regions": url_for("api.national_regions"),
    }
    if regional_lead:
        api["region figures"] = url_for("api.region_figures", code=REGIONAL_LEAD_REGION)
    return {
        "email": email,
        "password": PASSWORD,
        "assessment_id": assessment_id,
        "levels": list(questionnaire.level_values),
        "urls": {
            "sign_in": url_for("auth.sign_in"),
            "home": url_for("main.home"),
            "overview": url_for("orgs.overview", slug=slug),
            "task_list": url_for("assessments.task_list", **ids),
            "results": [
                url_for("results.results", slug=results_slug, assessment_id=results_id)
                for results_id in results_ids
            ],
            "regional": url_for("regional.region", code=REGIONAL_LEAD_REGION)
            if regional_lead
            else None,
            "compare": url_for("regional.compare"),
            "api": api,
        },
        "domains": [
            {
                "id": domain.id,
                "url": url_for("assessments.domain", domain_id=domain.id, **ids),
                # "Save and continue" leads to the next section, after the last to "check".
                "continue_to": url_for("assessments.domain", domain_id=domains[i + 1].id, **ids)
                if i + 1 < len(domains)
                else url_for("assessments.check", **ids),
                "target_field": f"target-{domain.id}",
                "indicators": [
                    {"id": indicator.id, "allow_not_applicable": indicator.allow_not_applicable}
                    for indicator in domain.indicators
                ],
            }
            for i, domain in enumerate(domains)
        ],
    }


# --- Lost saves ---------------------------------------------------------------------------


def _expected(saves: Iterable[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[Any, list[Any]]]:
    """For each (assessment, question) and (assessment, "target", section) saved: the last
    acknowledged value, and the values of later saves whose answer never came (either
    may be stored). Saves are in the order each user made them."""
    expected: dict[tuple[Any, ...], tuple[Any, list[Any]]] = {}
    for save in saves:
        values: dict[tuple[Any, ...], Any] = {
            (save["assessment_id"], indicator_id): answer
            for indicator_id, answer in save["answers"].items()
        }
        values[(save["assessment_id"], "target", save["domain_id"])] = save["target"]
        for key, value in values.items():
            if save["acknowledged"]:
                expected[key] = (value, [])
            elif save["acknowledged"] is None:  # the run ended before the answer came
                last, maybe = expected.get(key, (_NOTHING, []))
                expected[key] = (last, [*maybe, value])
            # A refused save (answered, but not acknowledged) is an error already.
    return {key: entry for key, entry in expected.items() if entry[0] is not _NOTHING}


_NOTHING = object()


def _stored(app: Any, assessment_ids: list[int]) -> dict[tuple[Any, ...], Any]:
    """What the database holds for those assessments, in the shape the client recorded."""
    from sqlalchemy import select

    from maturity.extensions import db
    from maturity.models import AnswerRecord, DomainTarget

    stored: dict[tuple[Any, ...], Any] = {}
    with app.app_context():
        for record in db.session.scalars(
            select(AnswerRecord).where(AnswerRecord.assessment_id.in_(assessment_ids))
        ):
            stored[(record.assessment_id, record.indicator_id)] = {
                "level": record.level,
                "not_applicable": record.not_applicable,
                "reason": record.not_applicable_reason,
                "evidence_note": record.evidence_note,
                "evidence_url": record.evidence_url,
                "confidence": record.confidence.value if record.confidence else None,
            }
        for target in db.session.scalars(
            select(DomainTarget).where(DomainTarget.assessment_id.in_(assessment_ids))
        ):
            stored[(target.assessment_id, "target", target.domain_id)] = target.level
        db.session.remove()
    return stored


def _lost_saves(
    expected: dict[tuple[Any, ...], tuple[Any, list[Any]]], stored: dict[tuple[Any, ...], Any]
) -> tuple[list[str], int]:
    """Descriptions of the values acknowledged but not stored; how many unanswered saves
    landed."""
    lost, landed = [], 0
    for key, (value, maybe) in sorted(expected.items(), key=str):
        found = stored.get(key)
        if found == value:
            continue
        if found in maybe:
            landed += 1
            continue
        lost.append(f"{key}: acknowledged {value!r}, stored {found!r}")
    return lost, landed


# --- The table ----------------------------------------------------------------------------


def _percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile of values already sorted."""
    return values[max(0, math.ceil(percent / 100 * len(values)) - 1)] if values else 0.0


def _report(results: dict[str, Any], lost: list[str], landed: int) -> int:
    """Print the table; the number of problems (errors plus lost saves)."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: Counter[tuple[str, str]] = Counter()
    for name, response_time, error in results["requests"]:
        times[name].append(response_time)
        if error:
            errors[(name, error)] += 1
    failed_by_kind = Counter(name for name, _ in errors.elements())
    # An exception in the users' own code (locustfile.py) is an error of the run too.
    errors.update(("(locustfile)", error) for error in results["user_errors"])
    saves = results["saves"]
    width = max([len(name) for name in times] + [20])
    print()
    print(
        f"Academy Maturity load test: {USERS} signed-in users for {DURATION} "
        f"(spawn {SPAWN_RATE}/s), gunicorn {WORKERS} workers, PostgreSQL, Redis"
    )
    print(f"{'Request':{width}} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8}")
    rows = [(name, sorted(values)) for name, values in sorted(times.items())]
    rows.append(("All requests", sorted(t for _, values in rows for t in values)))
    for name, values in rows:
        failed = failed_by_kind.total() if name == "All requests" else failed_by_kind[name]
        print(
            f"{name:{width}} {len(values):9d} {failed:7d} "
            f"{_percentile(values, 50):8.0f} {_percentile(values, 95):8.0f}"
        )
    print()
    if errors:
        print("Errors:")
        for (name, error), count in errors.most_common():
            print(f"  {count:5d}  {name}: {error}")
    else:
        print("Errors: none")
    acknowledged = [save for save in saves if save["acknowledged"]]
    answers = sum(len(save["answers"]) for save in acknowledged)
    unanswered = sum(1 for save in saves if save["acknowledged"] is None)
    print(
        f"Saves acknowledged: {len(acknowledged)} ({answers} answers and "
        f"{len(acknowledged)} section targets); unanswered when the run ended: {unanswered}"
        + (f" ({landed} values of them stored)" if landed else "")
    )
    print(f"Lost saves: {len(lost)}")
    for line in lost[:20]:
        print(f"  {line}")
    if not acknowledged:
        print("No save was acknowledged: the run checked nothing")
        return 1 + sum(errors.values())
    return sum(errors.values()) + len(lost)


# --- The run ------------------------------------------------------------------------------


def _locust(base: str, plan_file: Path, results_file: Path, log: Path) -> dict[str, Any]:
    env = dict(os.environ, LOAD_PLAN=str(plan_file), LOAD_RESULTS=str(results_file))
    command = [
        str(VENV_BIN / "locust"),
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        SPAWN_RATE,
        "--run-time",
        DURATION,
        "--stop-timeout",
        STOP_TIMEOUT,
        "--host",
        base,
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with log.open("w") as output:
        finished = subprocess.run(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    # locust exits 1 when a request failed (reported below); anything else is its own.
    if finished.returncode not in (0, 1) or not results_file.exists():
        print(log.read_text()[-4000:])
        raise SystemExit(f"locust failed (exit {finished.returncode})")
    return dict(json.loads(results_file.read_text()))


def main() -> None:
    if not (VENV_BIN / "locust").exists():
        raise SystemExit("locust is needed: make load installs it (pip install -e '.[load]')")
    tmp = Path(tempfile.mkdtemp(prefix="maturity-load-"))
    database_url = create_database(DATABASE_SERVER, tmp, prefix="maturity_load")
    settings = {
        "REDIS_URL": REDIS_URL,
        # This run's own limiter keys: nothing left from another run counts against it.
        "RATELIMIT_KEY_PREFIX": f"maturity-load-{uuid.uuid4().hex[:8]}",
        **THROTTLING,
    }
    env = served_env(database_url, settings)
    print(f"Database: {database_url.split('@')[-1]}; limits and cache: {REDIS_URL}", flush=True)
    server = app = None
    server_log = tmp / "gunicorn.log"
    try:
        started = time.perf_counter()
        flask(env, "db", "upgrade")
        flask(env, "maturity", "load-reference-data")
        flask(env, "maturity", "seed-demo")
        from maturity import create_app

        app = create_app(
            {
                "MATURITY_ENV": "development",
                "SECRET_KEY": env["SECRET_KEY"],
                "SQLALCHEMY_DATABASE_URI": database_url,
            }
        )
        plan = _seed(app, USERS)
        plan_file = tmp / "plan.json"
        plan_file.write_text(json.dumps(plan))
        print(
            f"{USERS} fictional users, academies and assessments ready "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        port = free_port()
        with server_log.open("w") as log:
            server = start_gunicorn(env, WORKERS, port, log=log)
            print(f"locust: {USERS} users, {SPAWN_RATE}/s, for {DURATION}…", flush=True)
            results = _locust(
                f"http://127.0.0.1:{port}", plan_file, tmp / "results.json", tmp / "locust.log"
            )
            stop_gunicorn(server)
            server = None
        saves = results["saves"]
        stored = _stored(app, [person["assessment_id"] for person in plan])
        lost, landed = _lost_saves(_expected(saves), stored)
        problems = _report(results, lost, landed)
        server_errors = server_log.read_text()
        if problems and server_errors.strip():
            print("\nThe server's log (last 60 lines):")
            print("\n".join(server_errors.splitlines()[-60:]))
    finally:
        if server is not None:
            stop_gunicorn(server)
        if app is not None:
            from maturity.extensions import db

            with app.app_context():
                db.engine.dispose()
        drop_database(database_url)
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
