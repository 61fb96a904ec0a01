"""The one cache: rendered charts, page fragments and API JSON, keyed by the data version.

``Cache`` is a Flask extension (``app.extensions["maturity_cache"]``, set up by
``create_app``): in Redis when ``REDIS_URL`` is set (shared by every worker), otherwise in
an in-process LRU. It owns

* the data version (``data_version``, ``answers_version``): one query per request, kept
  on ``flask.g``, that changes whenever a cached figure could;
* ``fragment`` / ``cached_fragment``: HTML cached under a key made of its name, its
  arguments, the data version, the current cycle and the disclosure thresholds. A
  fragment cached for every viewer renders ``CSRF_PLACEHOLDER`` where a CSRF token
  belongs; each viewer's own token is put in on the way out, here and only here;
* ``json`` / ``cached_json``: the same for API payloads;
* ``per_version``: a small in-process value kept per data version (e.g. which cycles
  have submissions);
* charts: ``maturity.charts`` draws through ``get_or_render``, and ``keep_chart`` /
  ``chart`` serve them by content hash (``/charts/<hash>.svg``), kept twice as long as the
  pages that point at them.

A cache never makes a page fail: if Redis cannot be reached the value is rendered anyway
(a warning is logged once), kept in the in-process LRU meanwhile, and Redis is tried again
after ``REDIS_RETRY_SECONDS``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import redis
from flask import Flask, current_app, g, has_app_context
from markupsafe import Markup

from maturity.framework import disclosure
from maturity.framework.periods import Cycle

log = logging.getLogger(__name__)

EXTENSION_KEY = "maturity_cache"
CSRF_PLACEHOLDER = "__CSRF_TOKEN__"
CHART_KEY_PREFIX = "maturity:chart-svg:"
FIGURES = "figures"
ANSWERS = "answers"

T = TypeVar("T")


def read_versions() -> tuple[str, str]:
    """The figures version and the answers version, in one query (no Flask needed).

    The figures version changes with a submission or reopening, an organisation's profile
    or sharing choice, the directory; the answers version also with every saved answer.
    """
    from sqlalchemy import func, select

    from maturity.extensions import db
    from maturity.models import AnswerRecord, Assessment, DirectoryEntry, DomainScore, Organisation

    # A submission adds domain_score rows (a new highest id); a reopening removes them
    # and, like a submission, touches the assessment (a new latest updated_at).
    row = db.session.execute(
        select(
            select(func.max(DomainScore.id)).scalar_subquery(),
            select(func.max(Assessment.updated_at)).scalar_subquery(),
            select(func.max(Organisation.updated_at)).scalar_subquery(),
            select(func.max(DirectoryEntry.updated_at)).scalar_subquery(),
            select(func.max(AnswerRecord.updated_at)).scalar_subquery(),
        )
    ).one()
    figures = "|".join(str(value) for value in row[:4])
    return figures, f"{figures}|{row[4]}"


class Cache:
    """Values by content hash: Redis when configured, else an in-process LRU of
    ``max_items`` (see the module's description)."""

    KEY_PREFIX = "maturity:cache:"
    REDIS_RETRY_SECONDS = 30.0

    def __init__(
        self, redis_url: str | None = None, *, max_items: int = 512, ttl_seconds: int = 86400
    ) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self.max_items = max_items
        self.ttl_seconds = ttl_seconds
        self.renders = 0
        self.hits = 0
        self._local: OrderedDict[str, str] = OrderedDict()
        self._by_version: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._redis: redis.Redis | None = None
        if redis_url:
            self._redis = redis.Redis.from_url(
                redis_url, socket_connect_timeout=0.5, socket_timeout=0.5
            )
        self._redis_down_until = 0.0
        self._warned = False

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION_KEY] = self

    # --- keys and the store ----------------------------------------------------------------

    @classmethod
    def key(cls, kind: str, data: Mapping[str, Any]) -> str:
        """Prefix + sha256 of the kind and the data (dataclasses included)."""
        payload = json.dumps(
            {"kind": kind, "data": data},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=_json_default,
        )
        return cls.KEY_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def get_or_render(self, kind: str, data: Mapping[str, Any], render: Callable[[], str]) -> str:
        """The cached text for ``kind`` and ``data``, or ``render()``'s, stored for next time.

        ``data`` must hold everything the rendering depends on (it is hashed into the key).
        """
        key = self.key(kind, data)
        cached = self.lookup(key)
        if cached is not None:
            with self._lock:
                self.hits += 1
            return cached
        value = render()
        with self._lock:
            self.renders += 1
        self.store(key, value)
        return value

    def store(self, key: str, value: str, *, ttl_seconds: int | None = None) -> None:
        """Keep a value under a key of the caller's (e.g. a hash of the value itself)."""
        if not (self._redis_usable() and self._redis_set(key, value, ttl_seconds)):
            self._local_set(key, value)

    def lookup(self, key: str) -> str | None:
        """The value stored under the key, if it is still cached."""
        found = self._redis_get(key) if self._redis_usable() else None
        return found if found is not None else self._local_get(key)

    def clear(self) -> None:
        """Forget the in-process entries (Redis entries expire by their TTL)."""
        with self._lock:
            self._local.clear()
            self._by_version.clear()

    # --- the data version ------------------------------------------------------------------

    def versions(self) -> tuple[str, str]:
        """``read_versions()``, once per request (kept on ``flask.g``)."""
        if has_app_context() and "maturity_versions" in g:
            found: tuple[str, str] = g.maturity_versions
            return found
        versions = read_versions()
        if has_app_context():
            g.maturity_versions = versions
        return versions

    def data_version(self) -> str:
        return self.versions()[0]

    def answers_version(self) -> str:
        return self.versions()[1]

    def per_version(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, kept in this process until the data version changes."""
        slot = (name, self.data_version())
        with self._lock:
            if slot in self._by_version:
                value: T = self._by_version[slot]
                return value
        value = compute()
        with self._lock:
            if len(self._by_version) > 64:
                self._by_version.clear()
            self._by_version[slot] = value
        return value

    # --- fragments and JSON ----------------------------------------------------------------

    def full_key(self, key: Mapping[str, Any], by: str) -> dict[str, Any]:
        """A caller's key plus everything any cached figure depends on."""
        return {
            "key": dict(key),
            "version": self.answers_version() if by == ANSWERS else self.data_version(),
            "current_cycle": str(Cycle.current()),
            "disclosure": [disclosure.MINIMUM_GROUP, disclosure.QUARTILES_FROM],
        }

    def fragment(
        self, name: str, key: Mapping[str, Any], render: Callable[[], str], *, by: str = FIGURES
    ) -> Markup:
        """HTML from ``render()``, cached by name, key and the data version (``by`` the
        answers version for figures that follow every saved answer), with the viewer's
        own CSRF token in place of ``CSRF_PLACEHOLDER``."""
        html = self.get_or_render(name, self.full_key(key, by), render)
        if CSRF_PLACEHOLDER in html:
            from flask_wtf.csrf import generate_csrf

            html = html.replace(CSRF_PLACEHOLDER, generate_csrf())
        return Markup(html)

    def json(
        self, name: str, key: Mapping[str, Any], render: Callable[[], Any], *, by: str = FIGURES
    ) -> Any:
        """``render()``'s JSON-able value, cached like a fragment."""
        text = self.get_or_render(name, self.full_key(key, by), lambda: json.dumps(render()))
        return json.loads(text)

    # --- charts by content hash ------------------------------------------------------------

    def keep_chart(self, svg: str) -> str:
        """Keep an SVG under its content hash, returned. Kept twice as long as the cached
        pages that point at it, so a page from the cache never shows a missing image."""
        digest = hashlib.sha256(svg.encode("utf-8")).hexdigest()[:40]
        self.store(CHART_KEY_PREFIX + digest, svg, ttl_seconds=2 * self.ttl_seconds)
        return digest

    def chart(self, digest: str) -> str | None:
        """The SVG kept by ``keep_chart``, if still cached."""
        return self.lookup(CHART_KEY_PREFIX + digest)

    # --- backends --------------------------------------------------------------------------

    def _redis_usable(self) -> bool:
        return self._redis is not None and time.monotonic() >= self._redis_down_until

    def _redis_get(self, key: str) -> str | None:
        assert self._redis is not None
        try:
            value = self._redis.get(key)
        except (redis.RedisError, OSError) as error:
            self._redis_failed(error)
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else None

    def _redis_set(self, key: str, value: str, ttl_seconds: int | None = None) -> bool:
        assert self._redis is not None
        try:
            self._redis.set(key, value.encode("utf-8"), ex=ttl_seconds or self.ttl_seconds)
        except (redis.RedisError, OSError) as error:
            self._redis_failed(error)
            return False
        return True

    def _redis_failed(self, error: Exception) -> None:
        self._redis_down_until = time.monotonic() + self.REDIS_RETRY_SECONDS
        if not self._warned:
            self._warned = True
            log.warning("Cache: Redis unavailable, rendering without it (%s)", error)

    def _local_get(self, key: str) -> str | None:
        with self._lock:
            value = self._local.get(key)
            if value is not None:
                self._local.move_to_end(key)
            return value

    def _local_set(self, key: str, value: str) -> None:
        with self._lock:
            self._local[key] = value
            self._local.move_to_end(key)
            while len(self._local) > self.max_items:
                self._local.popitem(last=False)


def cache() -> Cache:
    """The app's cache."""
    found: Cache = current_app.extensions[EXTENSION_KEY]
    return found


def cached_fragment(
    name: str, key: Mapping[str, Any], render: Callable[[], str], *, by: str = FIGURES
) -> Markup:
    """``Cache.fragment`` on the app's cache."""
    return cache().fragment(name, key, render, by=by)


def cached_json(
    name: str, key: Mapping[str, Any], render: Callable[[], Any], *, by: str = FIGURES
) -> Any:
    """``Cache.json`` on the app's cache."""
    return cache().json(name, key, render, by=by)


def _json_default(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"Data of type {type(value).__name__} cannot be part of a cache key")
