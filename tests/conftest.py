"""Shared fixtures: a real database (SQLite file or PostgreSQL), the app, an in-process client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store import accounts
from powerrag.store.database import Store
from tests.support.clickhouse import CLICKHOUSE_SHAPE, chdb_database, shape_of
from tests.support.pg import ENGINES, PostgresServer, start_server, unique_db_name
from tests.support.project import AUTH, PROJECT_ID, PUBLIC_KEY, SECRET_KEY


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run, started only if a test asks for it."""
    yield from start_server()


@pytest.fixture(scope="session")
def postgres_test_db(postgres_server: PostgresServer) -> str:
    """The migrated database the `store` tests share; emptied before each test."""
    return postgres_server.create_database(unique_db_name())


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database per engine: a SQLite file (migrated when opened) or PostgreSQL
    (also for PostgreSQL + ClickHouse, which a module asks for with `with_clickhouse`)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'powerrag.db'}"
    url: str = request.getfixturevalue("postgres_test_db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    server.empty_database(url.rsplit("/", 1)[1])
    return url


@pytest.fixture
def store(database_url: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    with ExitStack() as stack:
        clickhouse_url = ""
        if shape_of(request) == CLICKHOUSE_SHAPE:
            clickhouse_url = stack.enter_context(chdb_database())
        s = Store.open(database_url, pool_size=4, clickhouse_url=clickhouse_url)
        stack.callback(s.close)
        with s.transaction() as conn:
            accounts.create_project(conn, "Test project", PROJECT_ID)
            accounts.create_api_key(conn, PROJECT_ID, public_key=PUBLIC_KEY, secret_key=SECRET_KEY)
        yield s


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, store=store)
    with TestClient(app, headers={"authorization": AUTH}) as c:
        yield c
