"""Shared fixtures: a real database (SQLite file or PostgreSQL), the app, an in-process client."""

from __future__ import annotations

import shutil
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


# The engine-parametrized fixtures and their scopes (a mark's scope must match its fixture's).
_ENGINE_FIXTURES = {"database_url": "function", "server_for": "session"}


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module marked `one_engine` runs on SQLite alone: what it checks (HTTP, forms, decoding,
    an SDK's requests) is above the store, whose behaviour the contract and storage suites
    check on every engine."""
    if not metafunc.definition.get_closest_marker("one_engine"):
        return
    chosen = {
        name.strip()
        for mark in metafunc.definition.iter_markers("parametrize")
        for name in (mark.args[0].split(",") if isinstance(mark.args[0], str) else mark.args[0])
    }
    for name, scope in _ENGINE_FIXTURES.items():
        if name in metafunc.fixturenames and name not in chosen:
            # As a mark, which takes precedence over the fixture's own params (pytest's
            # fixtures.py); the fixtures read "sqlite" from request.param as before.
            sqlite = pytest.mark.parametrize(name, ["sqlite"], indirect=True, scope=scope)
            metafunc.definition.add_marker(sqlite)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once: each test copies it, as PostgreSQL's tests clone
    their template database, instead of running every migration again."""
    path = tmp_path_factory.mktemp("sqlite-template") / "powerrag.db"
    Store.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database per engine: a copy of the SQLite template, or PostgreSQL's
    (also for PostgreSQL + ClickHouse, which a module asks for with `with_clickhouse`)."""
    if request.param == "sqlite":
        path = tmp_path / "powerrag.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
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
