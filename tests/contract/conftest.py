"""Store engines for the store contract suite (``test_store_contract.py``).

A new engine joins the suite with one entry in ``STORE_ENGINES``: a function of the test's
``request`` and ``tmp_path`` that prepares one fresh, empty database (starting its server through
a fixture with ``request.getfixturevalue``, registering cleanup with ``request.addfinalizer``)
and returns an opener: each call opens another store object on that same database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tidings.core.store import SqliteStore, StoreEngine

#: Opens one more store object on the test's database (a second connection, as another
#: process would).
StoreOpener = Callable[[], StoreEngine]


def _sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> StoreOpener:
    path = tmp_path / "tidings.db"
    return lambda: SqliteStore(path)


#: engine name -> (request, tmp_path) -> opener of stores on one fresh, empty database
STORE_ENGINES: dict[str, Callable[[pytest.FixtureRequest, Path], StoreOpener]] = {
    "sqlite": _sqlite,
}


@pytest.fixture(params=sorted(STORE_ENGINES))
def store_engines(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreOpener]:
    """An opener of stores on a fresh database of each engine; every store opened is closed."""
    prepare = STORE_ENGINES[request.param](request, tmp_path)
    opened: list[StoreEngine] = []

    def open_store() -> StoreEngine:
        opened.append(prepare())
        return opened[-1]

    yield open_store
    for store in reversed(opened):
        store.close()


@pytest.fixture
def store(store_engines: StoreOpener) -> StoreEngine:
    """A fresh, empty store of each engine."""
    return store_engines()
