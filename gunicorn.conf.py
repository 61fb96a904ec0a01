"""gunicorn's settings for production (read from the working folder: ``gunicorn wsgi:app``).

Each worker warms up before its first request (``maturity.warmup``): templates compiled,
matplotlib loaded, a database connection open. Pass ``--workers`` and ``--bind`` on the
command line as usual.
"""

from typing import Any


def post_worker_init(worker: Any) -> None:
    from maturity.warmup import warm_up

    if hasattr(worker.wsgi, "jinja_env"):  # the Flask app itself
        warm_up(worker.wsgi)
