"""Chart tests need no application and no database; the Redis ones need a reachable Redis."""

import os
from collections.abc import Iterator

import pytest
import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture(autouse=True)
def isolated() -> Iterator[None]:
    # Overrides the suite-wide autouse fixture of the same name, which opens a database
    # transaction per test: charts are drawn from plain values and never touch the database.
    yield


@pytest.fixture
def redis_url() -> str:
    """The Redis the shared chart cache is tested against; skips when it cannot be reached."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({error}); set REDIS_URL to run these")
    finally:
        client.close()
    return REDIS_URL
