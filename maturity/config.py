"""Settings, read from environment variables only.

Defaults are safe for production: secure cookies, no committed secret. Development
(``MATURITY_ENV=development``) needs no settings at all: a SQLite file and a generated
secret key, both kept in the instance folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("production", "development", "testing")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _persisted_secret_key(instance_path: Path) -> str:
    """Return the development secret key, generating it once into the instance folder."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written with owner-only permissions: the key signs sessions.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SUPPORTED_DATABASES = (
    "PostgreSQL (postgresql+psycopg://user:password@host/name) or SQLite (sqlite:///path)"
)


def _check_database_url(url: str) -> None:
    """Refuse, in one sentence, a database address the service cannot use."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    shown = url.split("://", 1)[0] + "://…" if "://" in url else repr(url[:40])
    try:
        backend = make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"DATABASE_URL is not a database address ({shown}). Use {SUPPORTED_DATABASES}."
        ) from None
    if backend not in ("postgresql", "sqlite"):
        raise ConfigError(
            f"DATABASE_URL names {backend}, which this service does not support. "
            f"Use {SUPPORTED_DATABASES}."
        )


def _required(name: str, development: bool, how: str) -> str | None:
    """A setting production cannot run without: its value, None in development (which
    falls back to a local default), or ``ConfigError`` saying how to set it."""
    value = os.environ.get(name)
    if not value and not development:
        raise ConfigError(f"{name} is not set. {how}")
    return value or None


# Resolved once: services ask for the catalogue many times a request.
_REPOSITORY_QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"


def questionnaire_dir() -> Path:
    """Where the questionnaire files are: ``QUESTIONNAIRE_DIR``, else the repository's
    ``questionnaires/`` folder. Needs no other setting."""
    configured = os.environ.get("QUESTIONNAIRE_DIR")
    return Path(configured) if configured else _REPOSITORY_QUESTIONNAIRES


def settings_from_environment(
    instance_path: Path, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Build the Flask config mapping from the environment.

    Production refuses to start without ``SECRET_KEY`` and ``DATABASE_URL``; development
    falls back to a persisted generated key and ``instance/maturity.sqlite3``.
    """
    overrides = overrides or {}
    env = str(overrides.get("MATURITY_ENV") or os.environ.get("MATURITY_ENV", "production"))
    env = env.strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(f"MATURITY_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    development = env != "production"

    secret_key = overrides.get("SECRET_KEY") or _required(
        "SECRET_KEY",
        development,
        "Set it to a long random value "
        "(python -c 'import secrets; print(secrets.token_hex(32))'), "
        "or set MATURITY_ENV=development to use a generated key.",
    )
    if not secret_key:
        secret_key = _persisted_secret_key(instance_path)

    database_url = overrides.get("SQLALCHEMY_DATABASE_URI") or _required(
        "DATABASE_URL",
        development,
        "Use postgresql+psycopg://user@host/dbname in production, "
        "or set MATURITY_ENV=development to use a local SQLite file.",
    )
    if not database_url:
        database_url = f"sqlite:///{instance_path / 'maturity.sqlite3'}"
    if database_url.startswith("postgres://") or database_url.startswith("postgresql://"):
        # Heroku-style URLs name no driver; we use psycopg 3.
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    _check_database_url(database_url)

    service_url = _required(
        "SERVICE_URL",
        development,
        "Set it to the service's public address, such as https://maturity.example.org: "
        "emailed links are built from it.",
    )
    if not service_url:
        # Development: links in emails point where `make run` serves (it honours PORT).
        service_url = f"http://127.0.0.1:{os.environ.get('PORT') or '5000'}"

    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "MATURITY_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "maturity"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # A moving window: no burst of twice the limit across a window boundary.
        "RATELIMIT_STRATEGY": "moving-window",
        # Redis down: limits are counted in each worker's memory (a warning is logged)
        # rather than refusing requests; a short timeout keeps pages quick meanwhile.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 8,
        # No form here comes near 1 MB: anything larger is refused (413) before it is read.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "WTF_CSRF_TIME_LIMIT": 60 * 60 * 8,
        "SERVICE_NAME": "Academy Maturity",
        "SERVICE_URL": service_url,
        # How many proxies in front of the app set X-Forwarded-For/-Proto (0: none).
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0")),
        "INVITATION_TTL_HOURS": int(os.environ.get("INVITATION_TTL_HOURS", "168")),
        "PASSWORD_RESET_TTL_HOURS": int(os.environ.get("PASSWORD_RESET_TTL_HOURS", "2")),
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _env_bool("SMTP_STARTTLS", True),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "no-reply@academy-maturity.invalid"),
        # Sign-in throttling (see maturity/web/throttle.py): failures on one account from
        # one client; attempts from one address by browsers new to the account; and the
        # account's ceiling, which emails its owner an unlock link.
        "SIGN_IN_LIMIT_PER_CLIENT": os.environ.get("SIGN_IN_LIMIT_PER_CLIENT", "5 per 15 minutes"),
        "SIGN_IN_LIMIT_PER_IP": os.environ.get("SIGN_IN_LIMIT_PER_IP", "30 per 15 minutes"),
        "SIGN_IN_LOCKOUT_PER_ACCOUNT": os.environ.get("SIGN_IN_LOCKOUT_PER_ACCOUNT", "30 per day"),
        "UNLOCK_TTL_HOURS": int(os.environ.get("UNLOCK_TTL_HOURS", "24")),
        # A password-reset request takes at least this long whether or not the account
        # exists, so its timing tells nobody which addresses have accounts.
        "PASSWORD_RESET_MIN_SECONDS": float(os.environ.get("PASSWORD_RESET_MIN_SECONDS", "0.25")),
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "120 per minute"),
        "SHOW_DEV_LINKS": development and not os.environ.get("SMTP_HOST"),
        "SQL_COUNT_HEADER": _env_bool("MATURITY_SQL_COUNT_HEADER", False),
        # Run the job queue's jobs in the process that asks, even with Redis (maturity.jobs).
        "JOBS_INLINE": _env_bool("JOBS_INLINE", False),
    }
