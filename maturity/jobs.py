"""The job queue: work that takes over a second, done away from the request.

``Jobs`` is a Flask extension (``app.extensions["maturity_jobs"]``, set up by
``create_app``). With ``REDIS_URL`` set, jobs go to an RQ queue on that Redis and a worker
process runs them (``flask maturity worker``; see the README's "Running in production").
Without Redis (``make run``, the SQLite tests), or with ``JOBS_INLINE`` set, each job runs
in the process that asked for it, so nothing else needs to be running.

Why RQ rather than Celery: the jobs are few and plain (render a PDF, draw a submission's
charts, send an email), Redis is already the one shared service, and RQ needs nothing
else: no broker configuration, no result backend, no beat process, a worker that is one
command. Celery's routing, canvases and other brokers would be weight without use.

The jobs:

* ``render_pdf``: a printable page's HTML to a PDF, kept in the cache's store under a key
  of the caller's (``Cache.store_blob``); the page that asked shows "preparing your PDF"
  until it is there (``job_state`` says how far it has got).
* ``draw_results_charts``: a submitted assessment's radar and trend charts, drawn when it
  is submitted (``after_commit``), so its first results page draws none;
  ``draw_region_charts`` the same for its region's dashboard as the lead lands on it,
  ``draw_impact_charts`` for an organisation's impact trends and reports after a return.
  All three go into the chart store (``maturity.cache``), where every worker finds them.
* ``send_email``: an email whose sending must not show in a response's timing (reset and
  unlock links). Inline, it goes through ``services.mail``'s background threads.

A job asked for during a request with ``after_commit`` is queued only once the request's
transaction has committed (``web/__init__.py: _finish_request`` calls ``run_pending``), so
the worker never reads data older than what caused the job; a failed request queues
nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask, current_app, g, has_app_context

log = logging.getLogger(__name__)

EXTENSION_KEY = "maturity_jobs"
QUEUE_NAME = "maturity"
JOB_TIMEOUT_SECONDS = 300
# A finished job's record is kept a little while so that the page waiting for it sees it
# finish; a failed one a day, for the operator (``rq info``, the worker's log).
RESULT_TTL_SECONDS = 300
FAILURE_TTL_SECONDS = 86400


@dataclass(frozen=True)
class JobState:
    """How far a job has got, in words a person waiting for it can read."""

    job_id: str
    status: str  # "queued", "started", "finished" or "failed"
    ahead: int = 0  # jobs before it in the queue, when queued
    seconds: float = 0.0  # since it was queued or started

    @property
    def done(self) -> bool:
        return self.status == "finished"

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def description(self) -> str:
        if self.status == "queued":
            if self.ahead:
                noun = "job" if self.ahead == 1 else "jobs"
                return f"Waiting to start: {self.ahead} {noun} ahead of it."
            return "Waiting to start: it is next."
        if self.status == "started":
            return f"Being made: started {int(self.seconds)} seconds ago."
        if self.status == "finished":
            return "Ready."
        return "It could not be made."


class Jobs:
    """RQ on Redis when a URL is given and ``inline`` is false; otherwise every job runs
    at once in this process (see the module's description)."""

    def __init__(self, redis_url: str | None = None, *, inline: bool = False) -> None:
        self.redis_url = None if inline else redis_url
        self._redis: redis.Redis | None = None
        if self.redis_url:
            self._redis = redis.Redis.from_url(
                self.redis_url, socket_connect_timeout=2, socket_timeout=10
            )

    @property
    def inline(self) -> bool:
        return self._redis is None

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION_KEY] = self
        from maturity.services import mail

        # Emails that must not delay a response go to the queue; inline, to mail's threads.
        mail.use_outbox(None if self.inline else self._queue_email)

    def _queue_email(self, to: str, subject: str, body: str) -> None:
        self.enqueue(send_email, to, subject, body)

    def queue(self) -> Any:
        """The RQ queue (only with Redis)."""
        from rq import Queue

        assert self._redis is not None
        return Queue(QUEUE_NAME, connection=self._redis, default_timeout=JOB_TIMEOUT_SECONDS)

    # --- asking for a job ------------------------------------------------------------------

    def enqueue(
        self, function: Callable[..., Any], *args: Any, job_id: str | None = None
    ) -> JobState:
        """Run ``function(*args)`` (a function of this module, named so a worker finds it):
        at once when inline, else queued. A job id already queued or running is not
        queued again; its state is returned."""
        if self.inline:
            function(*args)
            return JobState(job_id or function.__name__, "finished")
        if job_id is not None:
            state = self.state(job_id)
            if state is not None and state.status in ("queued", "started"):
                return state
        queue = self.queue()
        job = queue.enqueue_call(
            function,
            args=args,
            job_id=job_id,
            result_ttl=RESULT_TTL_SECONDS,
            failure_ttl=FAILURE_TTL_SECONDS,
            description=function.__name__,
        )
        return self.state(job.id) or JobState(job.id, "queued")

    def after_commit(self, function: Callable[..., Any], *args: Any) -> None:
        """Queue (or, inline, run) ``function(*args)`` once this request has committed."""
        if not has_app_context():
            self.enqueue(function, *args)
            return
        g.setdefault("maturity_pending_jobs", []).append((function, args))

    def run_pending(self, committed: bool) -> None:
        """Called by the request's end: queue what ``after_commit`` asked for if the
        request committed, forget it if it rolled back. A job that cannot be queued is
        logged, never raised: the request's own work is already saved."""
        pending = g.pop("maturity_pending_jobs", [])
        if not committed:
            return
        for function, args in pending:
            try:
                self.enqueue(function, *args)
            except Exception:  # noqa: BLE001 - the response must not fail after its commit
                log.exception("Job %s could not be run or queued", function.__name__)

    def state(self, job_id: str) -> JobState | None:
        """The job's state, or None when there is no such job (never queued, or its
        record has expired). Inline jobs have no state."""
        if self.inline:
            return None
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            job = Job.fetch(job_id, connection=self._redis)
        except NoSuchJobError:
            return None
        found = job.get_status()
        status = str(getattr(found, "value", found) or "queued")
        now = time.time()
        if status == "started" and job.started_at is not None:
            return JobState(job_id, "started", seconds=now - job.started_at.timestamp())
        if status == "finished":
            return JobState(job_id, "finished")
        if status in ("failed", "stopped", "canceled"):
            return JobState(job_id, "failed")
        ahead = job.get_position() or 0
        queued = job.enqueued_at.timestamp() if job.enqueued_at is not None else now
        return JobState(job_id, "queued", ahead=ahead, seconds=now - queued)

    def forget(self, job_id: str) -> None:
        """Remove a job's record (a failed job, before trying again)."""
        if self.inline:
            return
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            Job.fetch(job_id, connection=self._redis).delete()
        except NoSuchJobError:
            pass

    def work(self, *, burst: bool = False) -> None:
        """Run the queue's jobs in this process until stopped (or, with ``burst``, until
        the queue is empty). Each job runs in this app's context."""
        from rq import SimpleWorker

        assert self._redis is not None, "The job queue needs REDIS_URL"
        SimpleWorker([self.queue()], connection=self._redis).work(burst=burst)


def jobs() -> Jobs:
    """The app's job queue."""
    found: Jobs = current_app.extensions[EXTENSION_KEY]
    return found


# --- the jobs ----------------------------------------------------------------------------
# Each runs in an app context: the request's (inline) or the worker's (flask maturity worker).


def render_pdf(html: str, base_url: str, store_key: str) -> None:
    """A printable page's HTML as a PDF, kept in the cache's store under ``store_key``."""
    from maturity.cache import cache
    from maturity.web.downloads import render_pdf as write_pdf

    cache().store_blob(store_key, write_pdf(html, base_url))


def draw_results_charts(assessment_id: int) -> None:
    """A submitted assessment's radar and trend charts, drawn into the chart store (what
    its results page would otherwise draw on its first view)."""
    from maturity.cache import drawing_ahead
    from maturity.extensions import db
    from maturity.models import Assessment, AssessmentStatus
    from maturity.services.results import results_view
    from maturity.web.charts import draw_profile_charts

    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.status != AssessmentStatus.SUBMITTED:
        return  # reopened (or gone) since: nothing to draw
    with drawing_ahead():
        draw_profile_charts(results_view(assessment, with_others=False))
    db.session.commit()  # the charts drawn, into the chart store


def draw_region_charts(region_id: int) -> None:
    """The charts of a region's dashboard as its lead lands on it, drawn into the chart
    store after a submission in the region changed them."""
    from maturity.cache import drawing_ahead
    from maturity.extensions import db
    from maturity.models import Region
    from maturity.web.regional import draw_landing_charts

    region = db.session.get(Region, region_id)
    if region is not None:
        with drawing_ahead():
            draw_landing_charts(region)
    db.session.commit()  # the charts drawn, into the chart store


def draw_impact_charts(organisation_id: int) -> None:
    """An organisation's impact trend and report charts, drawn into the chart store after
    it submitted a return."""
    from maturity.cache import drawing_ahead
    from maturity.extensions import db
    from maturity.models import Organisation
    from maturity.web.impact.reports import draw_impact_charts as draw

    organisation = db.session.get(Organisation, organisation_id)
    if organisation is not None:
        with drawing_ahead():
            draw(organisation)
    db.session.commit()  # the charts drawn, into the chart store


def send_email(to: str, subject: str, body: str) -> None:
    """Send an email with the worker's own mail settings. A failure is raised, so the
    job is marked failed and the worker logs it (without the body, which may hold a
    link)."""
    from maturity.services.mail import send_email as send
    from maturity.services.settings import Settings

    send(Settings.from_config(current_app.config).mail, to, subject, body)
