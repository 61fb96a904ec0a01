"""gunicorn settings for the benchmark (``gunicorn -c benchmarks/gunicorn_ready.py``).

Each worker, once it has loaded the app, warms up as in production (``gunicorn.conf.py``,
``maturity.warmup``), then, before it takes its first request, leaves an empty file named
by its process id in the folder ``BENCHMARK_READY_DIR`` names. After ``kill -HUP`` (new
workers, old ones stopped) the benchmark waits for those files, so it knows the new
workers are ready without sending them a request: the first request a fresh worker serves
is then the one being measured.
"""

import os
from pathlib import Path
from typing import Any


def post_worker_init(worker: Any) -> None:
    from maturity.warmup import warm_up

    if hasattr(worker.wsgi, "jinja_env"):  # the Flask app itself
        warm_up(worker.wsgi)
    folder = os.environ.get("BENCHMARK_READY_DIR")
    if folder:
        Path(folder, str(worker.pid)).touch()
