"""What each virtual user of the load test does (run by benchmarks/load.py, not alone).

Each user takes one entry of the plan that load.py wrote (``LOAD_PLAN``): its own
fictional account, organisation and in-progress assessment, with every address it
visits already built by the app's ``url_for``. It signs in through the sign-in form,
then mixes pages, the API and saves of its own assessment's domain pages, posted as
the real form posts them (CSRF token, each indicator's fields and the version it was
based on, the domain's target, the button pressed).

Every request and every save attempt is written to ``LOAD_RESULTS`` (JSON) when locust
quits: load.py prints the table and checks the saves against the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

PLAN: list[dict[str, Any]] = json.loads(open(os.environ["LOAD_PLAN"]).read())
NEXT_ENTRY = itertools.count()
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version-([^"]+)" value="(\d+)"')
CONFIDENCES = ("low", "medium", "high", None)

# Filled in as the test runs; written out when locust quits.
REQUESTS: list[tuple[str, float, str | None]] = []
SAVES: list[dict[str, Any]] = []
USER_ERRORS: list[str] = []  # exceptions in this file's code, not in a request


@events.request.add_listener
def _record_request(
    request_type: str,
    name: str,
    response_time: float,
    exception: BaseException | None = None,
    **_: Any,
) -> None:
    REQUESTS.append((name, response_time, _error_name(exception) if exception else None))


def _error_name(exception: BaseException) -> str:
    # catch_response failures carry our own sentence; anything else is named by its type.
    text = str(exception)
    if type(exception).__name__ == "CatchResponseError":
        return text
    return f"{type(exception).__name__}: {text[:120]}"


@events.user_error.add_listener
def _record_user_error(user_instance: Any, exception: BaseException, **_: Any) -> None:
    USER_ERRORS.append(f"{type(exception).__name__}: {str(exception)[:120]}")


@events.quitting.add_listener
def _write_results(**_: Any) -> None:
    with open(os.environ["LOAD_RESULTS"], "w") as handle:
        json.dump({"requests": REQUESTS, "saves": SAVES, "user_errors": USER_ERRORS}, handle)


class AcademyUser(HttpUser):
    """A signed-in member of a fictional academy (some also regional leads)."""

    wait_time = between(0.5, 2.5)

    def on_start(self) -> None:
        self.plan = PLAN[next(NEXT_ENTRY)]
        self.saves = 0
        self.sign_in()

    def sign_in(self) -> None:
        urls = self.plan["urls"]
        page = self.page(urls["sign_in"], "sign in: form")
        token = CSRF_TOKEN.search(page or "")
        data = {
            "csrf_token": token.group(1) if token else "",
            "email": self.plan["email"],
            "password": self.plan["password"],
        }
        self.post(urls["sign_in"], data, "sign in: post", expect=urls["home"])

    # --- checked requests ----------------------------------------------------------------

    def page(self, url: str, name: str) -> str | None:
        """GET a page that must answer 200; its text, None on failure."""
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 200:
                response.success()
                return str(response.text)
            where = response.headers.get("Location", "")
            response.failure(f"HTTP {response.status_code}" + (f" to {where}" if where else ""))
            return None

    def post(self, url: str, data: Any, name: str, *, expect: str) -> bool:
        """POST a form that must answer with a redirect to ``expect``."""
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            where = urlsplit(response.headers.get("Location", "")).path
            if response.status_code in (302, 303) and where == expect:
                response.success()
                return True
            if response.status_code == 200:
                response.failure("not acknowledged: the form was shown again")
            elif response.status_code in (302, 303):
                response.failure(f"redirected to {where}, not {expect}")
            else:
                response.failure(f"HTTP {response.status_code}")
            return False

    # --- what people do --------------------------------------------------------------------

    @task(2)
    def overview(self) -> None:
        self.page(self.plan["urls"]["overview"], "organisation overview")

    @task(2)
    def task_list(self) -> None:
        self.page(self.plan["urls"]["task_list"], "task list")

    @task(2)
    def domain_page(self) -> None:
        domain = random.choice(self.plan["domains"])
        self.page(domain["url"], "domain page")

    @task(5)
    def save_answers(self) -> None:
        domain = random.choice(self.plan["domains"])
        page = self.page(domain["url"], "domain page")
        if page is None:
            return
        token = CSRF_TOKEN.search(page)
        versions = dict(VERSION.findall(page))
        self.saves += 1
        data, answers, target = self.answers(domain, token.group(1) if token else "", versions)
        later = random.random() < 0.3
        data.append(("action", "later" if later else "continue"))
        expect = self.plan["urls"]["task_list"] if later else domain["continue_to"]
        attempt: dict[str, Any] = {
            "assessment_id": self.plan["assessment_id"],
            "domain_id": domain["id"],
            "answers": answers,
            "target": target,
            "acknowledged": None,  # no answer yet (the run ended first)
        }
        SAVES.append(attempt)
        attempt["acknowledged"] = self.post(domain["url"], data, "save answers", expect=expect)

    def answers(
        self, domain: dict[str, Any], token: str, versions: dict[str, str]
    ) -> tuple[list[tuple[str, str]], dict[str, dict[str, Any]], int | None]:
        """The form as a browser posts it after someone changes every answer of the
        domain, and the values that should be stored."""
        data = [("csrf_token", token)]
        answers: dict[str, dict[str, Any]] = {}
        stamp = f"{self.plan['email']} save {self.saves}"
        for indicator in domain["indicators"]:
            key = indicator["id"]
            not_applicable = indicator["allow_not_applicable"] and random.random() < 0.1
            level = None if not_applicable else random.choice(self.plan["levels"])
            reason = f"Fictional load-test reason, {stamp}" if not_applicable else None
            evidence = f"Fictional load-test evidence, {stamp}"
            link = f"https://example.org/load-test/{self.saves}" if random.random() < 0.3 else None
            confidence = random.choice(CONFIDENCES)
            if level is not None or not_applicable:
                data.append((f"level-{key}", "na" if not_applicable else str(level)))
            if indicator["allow_not_applicable"]:
                data.append((f"reason-{key}", reason or ""))
            data.append((f"evidence-{key}", evidence))
            data.append((f"link-{key}", link or ""))
            if confidence:
                data.append((f"confidence-{key}", confidence))
            data.append((f"version-{key}", versions.get(key, "0")))
            answers[key] = {
                "level": level,
                "not_applicable": not_applicable,
                "reason": reason,
                "evidence_note": evidence,
                "evidence_url": link,
                "confidence": confidence,
            }
        target = random.choice([None, *self.plan["levels"]])
        data.append((domain["target_field"], "" if target is None else str(target)))
        return data, answers, target

    @task(2)
    def results(self) -> None:
        self.page(random.choice(self.plan["urls"]["results"]), "results page (demo academy)")

    @task(1)
    def regional(self) -> None:
        urls = self.plan["urls"]
        if urls["regional"]:
            self.page(urls["regional"], "regional dashboard")
        else:
            self.page(urls["compare"], "national comparison")

    @task(2)
    def api(self) -> None:
        name, url = random.choice(list(self.plan["urls"]["api"].items()))
        self.page(url, f"API: {name}")
