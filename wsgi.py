"""The WSGI entry point: ``gunicorn wsgi:app``, and the app ``flask`` commands load.

A setting that is missing or wrong stops the service with one line saying which and how
to fix it, not a traceback (and not Flask's misleading "No such command").
"""

import sys

from maturity import create_app
from maturity.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    print(f"Academy Maturity cannot start: {error}", file=sys.stderr)
    raise SystemExit(2) from None
