"""Framework tests are pure Python: they need no application and no database."""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def isolated() -> Iterator[None]:
    # Overrides the suite-wide autouse fixture of the same name, which opens a database
    # transaction per test; the framework must not depend on the app, so neither do its tests.
    yield
