"""Fixtures of the contract suite, on each engine of CONTRACT_ENGINES.

`sut` is an empty store per test (for tests that write); `filled` holds the world
(world.py), written once per module and engine, for tests that only read; `module_sut` is
an empty store per module and engine, for a module with a world of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.contract.engines import CONTRACT_ENGINES, StoreUnderTest, open_engine
from tests.contract.world import P1, P2, other_world, world
from tests.support.clickhouse import chdb_database
from tests.support.pg import PostgresServer, unique_db_name


def _engine(
    request: pytest.FixtureRequest, folder: Path, *, own_database: bool
) -> Iterator[StoreUnderTest]:
    """An empty database of the requested engine: a new SQLite file; on PostgreSQL the
    shared test database emptied, or a database of its own (dropped afterwards); with
    ClickHouse, a new chDB database as well."""
    name = unique_db_name("contract")
    if request.param == "sqlite":
        with open_engine(f"sqlite:///{folder / name}.db") as store:
            yield store
        return
    with ExitStack() as stack:
        clickhouse_url = ""
        if request.param == "postgresql+clickhouse":
            clickhouse_url = stack.enter_context(chdb_database())
        server: PostgresServer = request.getfixturevalue("postgres_server")
        if not own_database:
            url: str = request.getfixturevalue("postgres_test_db")
            server.empty_database(url.rsplit("/", 1)[1])
            yield stack.enter_context(open_engine(url, clickhouse_url))
            return
        stack.callback(server.drop_database, name)
        yield stack.enter_context(open_engine(server.create_database(name), clickhouse_url))


@pytest.fixture(params=CONTRACT_ENGINES)
def sut(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreUnderTest]:
    yield from _engine(request, tmp_path, own_database=False)


@pytest.fixture(scope="module", params=CONTRACT_ENGINES)
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreUnderTest]:
    """The world in the first project; the world plus `t-x` and `sc-x` in the second."""
    for store in _engine(request, tmp_path_factory.mktemp("contract"), own_database=True):
        store.write(P1, world())
        store.write(P2, other_world())
        yield store


@pytest.fixture(scope="module", params=CONTRACT_ENGINES)
def module_sut(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreUnderTest]:
    """An empty store per module and engine, for a module that writes a world of its own."""
    yield from _engine(request, tmp_path_factory.mktemp("contract"), own_database=True)
