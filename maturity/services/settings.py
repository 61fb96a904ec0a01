"""The settings services need, passed to them explicitly.

Services never read Flask's ``current_app`` or ``g``: a view, a command or a job builds
``Settings.from_config(app.config)`` (the web layer's ``web.settings()`` does) and hands
it to the service, so the same service runs with or without a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PasswordHashing:
    """argon2id costs; the defaults are production's (tests use cheaper ones)."""

    time_cost: int = 3
    memory_cost: int = 65536
    parallelism: int = 4


@dataclass(frozen=True)
class MailSettings:
    """Where email goes: SMTP when ``host`` is set, else the log (development only shows
    the body, which may hold a single-use link)."""

    host: str | None = None
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    mail_from: str = "no-reply@academy-maturity.invalid"
    show_dev_links: bool = False


@dataclass(frozen=True)
class Settings:
    service_name: str = "Academy Maturity"
    service_url: str = "http://127.0.0.1:5000"
    invitation_ttl_hours: int = 168
    password_reset_ttl_hours: int = 2
    unlock_ttl_hours: int = 24
    show_dev_links: bool = False
    hashing: PasswordHashing = field(default_factory=PasswordHashing)
    mail: MailSettings = field(default_factory=MailSettings)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """From a Flask config mapping (see ``maturity.config``)."""
        show_dev_links = bool(config.get("SHOW_DEV_LINKS", False))
        return cls(
            service_name=config.get("SERVICE_NAME", cls.service_name),
            service_url=config.get("SERVICE_URL", cls.service_url),
            invitation_ttl_hours=int(config.get("INVITATION_TTL_HOURS", 168)),
            password_reset_ttl_hours=int(config.get("PASSWORD_RESET_TTL_HOURS", 2)),
            unlock_ttl_hours=int(config.get("UNLOCK_TTL_HOURS", 24)),
            show_dev_links=show_dev_links,
            hashing=PasswordHashing(
                time_cost=int(config.get("ARGON2_TIME_COST", 3)),
                memory_cost=int(config.get("ARGON2_MEMORY_COST", 65536)),
                parallelism=int(config.get("ARGON2_PARALLELISM", 4)),
            ),
            mail=MailSettings(
                host=config.get("SMTP_HOST"),
                port=int(config.get("SMTP_PORT", 587)),
                username=config.get("SMTP_USERNAME"),
                password=config.get("SMTP_PASSWORD"),
                starttls=bool(config.get("SMTP_STARTTLS", True)),
                mail_from=config.get("MAIL_FROM", MailSettings.mail_from),
                show_dev_links=show_dev_links,
            ),
        )
