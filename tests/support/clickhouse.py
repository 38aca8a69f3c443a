"""ClickHouse for tests: chDB in process, one data directory per test process (chDB opens
one per process), a database of its own per store under test, dropped afterwards."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest

from tests.support.pg import ENGINES, unique_db_name

CLICKHOUSE_SHAPE = "postgresql+clickhouse"
# The third engine of the contract suite (tests/contract/engines.py) and of the modules that
# run on it with `with_clickhouse`: PostgreSQL + ClickHouse.
CLICKHOUSE = pytest.param(CLICKHOUSE_SHAPE, id=CLICKHOUSE_SHAPE, marks=pytest.mark.postgres)
# A module's `pytestmark`: its tests run on the `database_url` engines and on ClickHouse.
with_clickhouse = pytest.mark.parametrize("database_url", [*ENGINES, CLICKHOUSE], indirect=True)


def shape_of(request: pytest.FixtureRequest) -> str:
    """The engine a test's `database_url` was made for."""
    callspec = getattr(request.node, "callspec", None)
    return str(callspec.params.get("database_url", "")) if callspec is not None else ""


@cache
def chdb_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="powerrag-chdb-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def chdb_url(database: str) -> str:
    return f"chdb://{chdb_dir()}?database={database}"


@contextmanager
def chdb_database(prefix: str = "ch") -> Iterator[str]:
    """The URL of a new ClickHouse database in this process's chDB, dropped afterwards."""
    import clickhouse_connect

    name = unique_db_name(prefix)
    try:
        yield chdb_url(name)
    finally:
        client = clickhouse_connect.get_client(dsn=f"chdb://{chdb_dir()}")
        client.command(f"DROP DATABASE IF EXISTS `{name}` SYNC")
