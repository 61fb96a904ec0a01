"""The one cache: rendered charts, page fragments and API JSON, keyed by scoped data versions.

``Cache`` is a Flask extension (``app.extensions["maturity_cache"]``, set up by
``create_app``): in Redis when ``REDIS_URL`` is set (shared by every worker), otherwise in
an in-process LRU. It owns

* the data versions of ``Scope``s (``versions``, ``version``): what a cached value depends
  on, read from the data itself (the latest ids and ``updated_at`` of its rows, see
  ``read_versions``), all the scopes a request needs in one query, kept on ``flask.g``.
  ``NATIONAL`` changes with any submission, reopening or organisation; ``Scope.region``
  only with those of the region's organisations; ``Scope.academy`` only with the
  academy's own; ``Scope.region_answers`` also with every answer saved in the region's
  assessments in progress; ``DIRECTORY`` with the practice directory;
* ``fragment`` / ``cached_fragment``: HTML cached under a key made of its name, its
  arguments, the versions of the scopes it depends on (``by``), the current cycle and the
  disclosure thresholds. A fragment cached for every viewer renders ``CSRF_PLACEHOLDER``
  where a CSRF token belongs; each viewer's own token is put in on the way out, here and
  only here. A fragment may also hold ``slot`` markers that the view fills with other
  fragments (``fill_slots``), so that one page can be made of parts cached by different
  scopes;
* ``json`` / ``cached_json``: the same for API payloads and other JSON-able values;
* ``per_version``: a small in-process value kept per version of a scope (e.g. which
  cycles have submissions);
* charts: ``maturity.charts`` draws through ``drawn``, which looks a chart up by what it
  shows in the cache, then in the chart store (the ``stored_chart`` table, kept for good
  and shared by every worker), and draws it only when neither has it, so no chart is
  drawn twice across restarts or cache flushes. ``keep_chart`` / ``chart`` serve them by
  content hash (``/charts/<hash>.svg``), from the cache or the chart store;
* files: ``store_blob`` / ``lookup_blob`` keep rendered PDFs (made by the job queue,
  ``maturity.jobs``) under a key of the caller's, so a PDF is rendered once per version of
  its data.

A cache never makes a page fail: if Redis cannot be reached the value is rendered anyway
(a warning is logged once), kept in the in-process LRU meanwhile, and Redis is tried again
after ``REDIS_RETRY_SECONDS``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
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

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """A set of data that cached values depend on, with a version read from the data.

    Build one with ``NATIONAL``, ``DIRECTORY``, ``Scope.region``,
    ``Scope.region_answers`` or ``Scope.academy``.
    """

    kind: str
    id: int | None = None

    @classmethod
    def region(cls, region_id: int) -> Scope:
        """Submissions, reopenings and organisations of one region (its figures)."""
        return cls("region", region_id)

    @classmethod
    def region_answers(cls, region_id: int) -> Scope:
        """Answers saved in the region's assessments in progress (its completion table,
        which is keyed by this and ``Scope.region`` together)."""
        return cls("region-answers", region_id)

    @classmethod
    def academy(cls, organisation_id: int) -> Scope:
        """One organisation's own profile and assessments."""
        return cls("academy", organisation_id)

    @property
    def label(self) -> str:
        return self.kind if self.id is None else f"{self.kind}:{self.id}"


NATIONAL = Scope("national")
"""Every submission, reopening and organisation: national and comparison figures."""
DIRECTORY = Scope("directory")
"""The practice directory (next steps on results pages link to it)."""

Scopes = Scope | Sequence[Scope]


def _version_columns(kind: str, scope_id: Any) -> list[Any]:
    """Scalar subqueries whose values together change whenever a scope's data could
    (``scope_id`` is the bound parameter of the scope's id).

    A submission adds domain_score rows (a new highest id); a reopening removes them and,
    like a submission or a new assessment, touches the assessment (a newer updated_at).
    Organisations are never deleted or moved between regions by the service; the count of
    a region's organisations would still catch either. Each value is one index lookup
    (see the indexes on these columns in ``maturity.models``), or one per organisation of
    the region, never a scan of the national tables.
    """
    from sqlalchemy import func, select
    from sqlalchemy.orm import aliased

    from maturity.models import (
        AnswerRecord,
        Assessment,
        AssessmentStatus,
        DirectoryEntry,
        DomainScore,
        Organisation,
    )

    if kind == NATIONAL.kind:
        return [
            select(func.max(DomainScore.id)).scalar_subquery(),
            select(func.max(Assessment.updated_at)).scalar_subquery(),
            select(func.max(Organisation.updated_at)).scalar_subquery(),
        ]
    if kind == DIRECTORY.kind:
        return [
            select(func.max(DirectoryEntry.updated_at)).scalar_subquery(),
            select(func.count(DirectoryEntry.id)).scalar_subquery(),
        ]
    if kind == "academy":
        return [
            select(Organisation.updated_at).where(Organisation.id == scope_id).scalar_subquery(),
            select(func.max(Assessment.updated_at))
            .where(Assessment.organisation_id == scope_id)
            .scalar_subquery(),
        ]
    member = aliased(Organisation)
    if kind == "region":
        # The latest change of each member's assessments: one index lookup each.
        latest = (
            select(func.max(Assessment.updated_at))
            .where(Assessment.organisation_id == member.id)
            .correlate(member)
            .scalar_subquery()
        )
        return [
            select(func.max(DomainScore.id))
            .where(DomainScore.region_id == scope_id)
            .scalar_subquery(),
            select(func.max(Organisation.updated_at))
            .where(Organisation.region_id == scope_id)
            .scalar_subquery(),
            select(func.count(Organisation.id))
            .where(Organisation.region_id == scope_id)
            .scalar_subquery(),
            select(func.max(latest)).where(member.region_id == scope_id).scalar_subquery(),
        ]
    if kind == "region-answers":
        # Only assessments in progress can change their answers (a submission or a
        # reopening changes ``Scope.region``). For each member, its assessments in
        # progress; for each of those, its latest answer: one index lookup each.
        draft = aliased(Assessment)
        latest_answer = (
            select(func.max(AnswerRecord.updated_at))
            .where(AnswerRecord.assessment_id == draft.id)
            .correlate(draft)
            .scalar_subquery()
        )
        latest_in_member = (
            select(func.max(latest_answer))
            .where(draft.organisation_id == member.id, draft.status == AssessmentStatus.DRAFT)
            .correlate(member)
            .scalar_subquery()
        )
        return [
            select(func.max(latest_in_member)).where(member.region_id == scope_id).scalar_subquery()
        ]
    raise ValueError(f"Unknown kind of cache scope {kind!r}")


@functools.cache
def _versions_statement(kinds: tuple[str, ...]) -> tuple[Any, tuple[int, ...]]:
    """One SELECT of the values of scopes of these kinds (the i-th scope's id bound as
    ``scope_i``) and how many values each has; built once per combination of kinds, as
    building it costs more than running it."""
    from sqlalchemy import bindparam, select

    groups = [
        _version_columns(kind, bindparam(f"scope_{index}")) for index, kind in enumerate(kinds)
    ]
    return select(*[column for group in groups for column in group]), tuple(map(len, groups))


def read_versions(scopes: Iterable[Scope]) -> dict[Scope, str]:
    """The version of each scope, all in one query (no Flask needed)."""
    from maturity.extensions import db

    wanted = list(dict.fromkeys(scopes))
    if not wanted:
        return {}
    statement, widths = _versions_statement(tuple(scope.kind for scope in wanted))
    row = db.session.execute(
        statement, {f"scope_{index}": scope.id for index, scope in enumerate(wanted)}
    ).one()
    versions = {}
    start = 0
    for scope, width in zip(wanted, widths, strict=True):
        versions[scope] = "|".join(str(value) for value in row[start : start + width])
        start += width
    return versions


def slot(name: str) -> Markup:
    """A marker a cached fragment holds where another part of the page goes."""
    return Markup(f"<!--maturity-slot:{name}-->")


def fill_slots(html: str, parts: Mapping[str, str]) -> Markup:
    """The fragment with each ``slot(name)`` replaced by ``parts[name]``: HTML the app
    rendered, put in as it is."""
    text = str(html)  # a plain str: Markup.replace would escape the parts
    for name, part in parts.items():
        text = text.replace(str(slot(name)), str(part))
    return Markup(text)


_DRAWING_AHEAD: ContextVar[bool] = ContextVar("maturity_drawing_ahead", default=False)


@contextmanager
def drawing_ahead() -> Iterator[None]:
    """Charts drawn ahead of their first view (the job queue, ``draw-charts``) must end
    up in the chart store. Within this, a chart is looked for in the store before the
    cache, so that one the cache still holds but the store does not (a database rebuilt
    or restored beside a running Redis) is put in the store, not taken as drawn."""
    token = _DRAWING_AHEAD.set(True)
    try:
        yield
    finally:
        _DRAWING_AHEAD.reset(token)


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
        self.rendered: Counter[str] = Counter()  # renders by kind (tests, diagnosis)
        self._local: OrderedDict[str, str] = OrderedDict()
        self._blobs: OrderedDict[str, bytes] = OrderedDict()
        self._by_version: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()
        self._redis: redis.Redis | None = None
        if redis_url:
            self._redis = redis.Redis.from_url(
                redis_url, socket_connect_timeout=0.5, socket_timeout=0.5
            )
        self._redis_down_until = 0.0
        self._warned = False
        # Set by ``init_app``: charts are also kept in the app's database (``stored_chart``).
        self.stores_charts = False
        # False: charts are read from the chart store but never written to it (a worker's
        # warm-up rehearsal, ``maturity.warmup``).
        self.keeps_charts = True

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION_KEY] = self
        self.stores_charts = True  # the app's database holds the chart store

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

    def get_or_render(
        self,
        kind: str,
        data: Mapping[str, Any],
        render: Callable[[], str],
        *,
        durable: bool = False,
    ) -> str:
        """The cached text for ``kind`` and ``data``, or ``render()``'s, stored for next time.

        ``data`` must hold everything the rendering depends on (it is hashed into the key).
        ``durable`` (charts): also looked up in, and kept in, the chart store.
        """
        key = self.key(kind, data)
        durable = durable and self._chart_store_usable()
        stored_key = key.removeprefix(self.KEY_PREFIX)  # the sha256 alone
        ahead = durable and _DRAWING_AHEAD.get()
        cached = None if ahead else self.lookup(key)
        if cached is None and durable:
            cached = _stored_chart(key=stored_key)
            if cached is not None:
                self.store(key, cached)
            elif ahead:  # in the cache but not the store: into the store, not drawn again
                cached = self.lookup(key)
                if cached is not None and self.keeps_charts:
                    _store_chart(stored_key, chart_digest(cached), cached)
        if cached is not None:
            with self._lock:
                self.hits += 1
            return cached
        value = render()
        with self._lock:
            self.renders += 1
            self.rendered[kind] += 1
        self.store(key, value)
        if durable and self.keeps_charts:
            _store_chart(stored_key, chart_digest(value), value)
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
            self._blobs.clear()
            self._by_version.clear()

    # --- the data versions ----------------------------------------------------------------

    def versions(self, *scopes: Scope) -> dict[Scope, str]:
        """The versions of these scopes: those not yet read in this request are read
        together in one query (``read_versions``) and kept on ``flask.g``. A view that
        knows every scope it will use asks for them all first, so the request reads its
        versions once."""
        known: dict[Scope, str] = {}
        if has_app_context():
            known = g.setdefault("maturity_versions", {})
        missing = [scope for scope in scopes if scope not in known]
        if missing:
            known.update(read_versions(missing))
        return {scope: known[scope] for scope in scopes}

    def version(self, scope: Scope) -> str:
        return self.versions(scope)[scope]

    def per_version(self, name: str, compute: Callable[[], T], *, by: Scope = NATIONAL) -> T:
        """``compute()``, kept in this process until the version of ``by`` changes."""
        slot = (name, by.label, self.version(by))
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

    def full_key(self, key: Mapping[str, Any], by: Scopes) -> dict[str, Any]:
        """A caller's key plus everything any cached figure depends on: the versions of
        the scopes ``by``, the current cycle and the disclosure thresholds."""
        scopes = [by] if isinstance(by, Scope) else list(by)
        versions = self.versions(*scopes)
        return {
            "key": dict(key),
            "versions": {scope.label: versions[scope] for scope in scopes},
            "current_cycle": str(Cycle.current()),
            "disclosure": [disclosure.MINIMUM_GROUP, disclosure.QUARTILES_FROM],
        }

    def fragment(
        self, name: str, key: Mapping[str, Any], render: Callable[[], str], *, by: Scopes = NATIONAL
    ) -> Markup:
        """HTML from ``render()``, cached by name, key and the versions of the scopes
        ``by`` (everything the HTML depends on), with the viewer's own CSRF token in place
        of ``CSRF_PLACEHOLDER``."""
        html = self.text(name, key, render, by=by)
        if CSRF_PLACEHOLDER in html:
            from flask_wtf.csrf import generate_csrf

            html = html.replace(CSRF_PLACEHOLDER, generate_csrf())
        return Markup(html)

    def json(
        self, name: str, key: Mapping[str, Any], render: Callable[[], Any], *, by: Scopes = NATIONAL
    ) -> Any:
        """``render()``'s JSON-able value, cached like a fragment."""
        return json.loads(self.text(name, key, lambda: json.dumps(render()), by=by))

    def text(
        self, name: str, key: Mapping[str, Any], render: Callable[[], str], *, by: Scopes = NATIONAL
    ) -> str:
        """``render()``'s text, cached like a fragment but returned as it was stored (a
        CSRF placeholder left in: for a part of a larger fragment, or an answer sent as
        it is)."""
        return self.get_or_render(name, self.full_key(key, by), render)

    # --- charts ----------------------------------------------------------------------------

    def drawn(self, kind: str, data: Mapping[str, Any], draw: Callable[[], str]) -> str:
        """A chart's SVG: from the cache, else from the chart store (a chart drawn before by
        any worker, before any restart), else ``draw()``n and kept in both. ``data`` holds
        everything the drawing depends on, as for ``get_or_render``."""
        return self.get_or_render(kind, data, draw, durable=True)

    def keep_chart(self, svg: str) -> str:
        """Keep an SVG under its content hash, returned. Kept twice as long as the cached
        pages that point at it, so a page from the cache never shows a missing image
        (and for good in the chart store, when the chart was drawn through ``drawn``)."""
        digest = chart_digest(svg)
        self.store(CHART_KEY_PREFIX + digest, svg, ttl_seconds=2 * self.ttl_seconds)
        return digest

    def chart(self, digest: str) -> str | None:
        """The SVG kept by ``keep_chart``, from the cache or the chart store."""
        found = self.lookup(CHART_KEY_PREFIX + digest)
        if found is None and self._chart_store_usable():
            found = _stored_chart(digest=digest)
        return found

    def _chart_store_usable(self) -> bool:
        return self.stores_charts and has_app_context()

    # --- files (PDFs) ----------------------------------------------------------------------

    BLOB_PREFIX = "maturity:blob:"
    LOCAL_BLOBS = 32  # without Redis, the most recent files kept in this process

    def store_blob(self, key: str, value: bytes) -> None:
        """Keep a file (a rendered PDF) under a key of the caller's, for ``ttl_seconds``:
        in Redis when configured (every worker and the job worker share it), else in a
        small in-process LRU of ``LOCAL_BLOBS`` files."""
        if self._redis_usable():
            assert self._redis is not None
            try:
                self._redis.set(self.BLOB_PREFIX + key, value, ex=self.ttl_seconds)
                return
            except (redis.RedisError, OSError) as error:
                self._redis_failed(error)
        with self._lock:
            self._blobs[key] = value
            self._blobs.move_to_end(key)
            while len(self._blobs) > self.LOCAL_BLOBS:
                self._blobs.popitem(last=False)

    def lookup_blob(self, key: str) -> bytes | None:
        """The file kept by ``store_blob``, if still kept."""
        if self._redis_usable():
            assert self._redis is not None
            try:
                value = self._redis.get(self.BLOB_PREFIX + key)
                if isinstance(value, bytes):
                    return value
            except (redis.RedisError, OSError) as error:
                self._redis_failed(error)
        with self._lock:
            return self._blobs.get(key)

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


def chart_digest(svg: str) -> str:
    """A chart's address: the first 40 hex digits of its SVG's sha256."""
    return hashlib.sha256(svg.encode("utf-8")).hexdigest()[:40]


def _stored_chart(*, key: str | None = None, digest: str | None = None) -> str | None:
    """A chart's SVG from the chart store, by what it shows (``key``) or its address."""
    from sqlalchemy import select

    from maturity.extensions import db
    from maturity.models import StoredChart

    column = StoredChart.key if key is not None else StoredChart.digest
    found: str | None = db.session.scalars(
        select(StoredChart.svg).where(column == (key if key is not None else digest)).limit(1)
    ).first()
    return found


def _store_chart(key: str, digest: str, svg: str) -> None:
    """Add a chart to the chart store in the current transaction (a request's, committed
    with it; a job's, which commits). Two workers drawing the same chart at once store it
    once."""
    from sqlalchemy.dialects import postgresql, sqlite

    from maturity.extensions import db
    from maturity.models import StoredChart

    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(StoredChart)
        .values(key=key, digest=digest, svg=svg)  # timestamps: the columns' defaults
        .on_conflict_do_nothing(index_elements=["key"])
    )


def cache() -> Cache:
    """The app's cache."""
    found: Cache = current_app.extensions[EXTENSION_KEY]
    return found


def cached_fragment(
    name: str, key: Mapping[str, Any], render: Callable[[], str], *, by: Scopes = NATIONAL
) -> Markup:
    """``Cache.fragment`` on the app's cache."""
    return cache().fragment(name, key, render, by=by)


def cached_text(
    name: str, key: Mapping[str, Any], render: Callable[[], str], *, by: Scopes = NATIONAL
) -> str:
    """``Cache.text`` on the app's cache."""
    return cache().text(name, key, render, by=by)


def cached_json(
    name: str, key: Mapping[str, Any], render: Callable[[], Any], *, by: Scopes = NATIONAL
) -> Any:
    """``Cache.json`` on the app's cache."""
    return cache().json(name, key, render, by=by)


def _json_default(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"Data of type {type(value).__name__} cannot be part of a cache key")
