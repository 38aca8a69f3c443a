"""Migrations on both engines: empty to head, schema equals the models, clear refusals."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from powerrag import cli
from powerrag.store.database import Store
from powerrag.store.infra import migrate
from powerrag.store.infra.engines import create_migration_engine
from powerrag.store.infra.schema import ENGINE_SEARCH_OBJECTS, metadata
from tests.support.pg import ENGINES, PostgresServer, unique_db_name


@pytest.fixture(params=ENGINES)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = unique_db_name("empty")
    yield server.create_database(name, template=None)
    server.drop_database(name)


def _described_by_metadata(name: str | None, kind: str, parents: object) -> bool:
    """Not the full-text search objects migration 0007 makes per engine (FTS5 and its
    shadow tables, the GIN index): the metadata cannot describe them."""
    return not (name or "").startswith(ENGINE_SEARCH_OBJECTS)


def _schema_differences(url: str) -> list[object]:
    engine = create_migration_engine(url)
    try:
        with engine.connect() as conn:
            opts = {"compare_type": True, "include_name": _described_by_metadata}
            context = MigrationContext.configure(conn, opts=opts)
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _stamp(url: str, revision: str) -> None:
    engine = create_migration_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        engine.dispose()


def test_empty_database_migrates_to_head_and_equals_the_models(empty_url: str) -> None:
    assert migrate.current_revision(empty_url) is None

    migrate.upgrade(empty_url)

    assert migrate.current_revision(empty_url) == migrate.head_revision()
    assert _schema_differences(empty_url) == []
    migrate.check_current(empty_url)


def test_upgrade_twice_changes_nothing(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.upgrade(empty_url)

    assert migrate.current_revision(empty_url) == migrate.head_revision()


@pytest.mark.postgres
def test_replicas_starting_together_migrate_once(postgres_server: PostgresServer) -> None:
    # Separate processes, as replicas are (Alembic's context is per process).
    name = unique_db_name("race")
    url = postgres_server.create_database(name, template=None)
    command = [sys.executable, "-m", "powerrag", "migrate", "--database-url", url]
    try:
        runs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(3)]
        results = [(run.communicate(timeout=120)[1], run.returncode) for run in runs]
        assert results == [("", 0)] * 3
        assert _schema_differences(url) == []
    finally:
        postgres_server.drop_database(name)


def test_schema_newer_than_the_code_is_refused(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    migrate.upgrade(empty_url)
    _stamp(empty_url, "9999_from_the_future")

    with pytest.raises(migrate.SchemaMismatchError, match="newer than this PowerRAG"):
        Store.open(empty_url)
    with pytest.raises(migrate.SchemaMismatchError, match="newer than this PowerRAG"):
        Store.open(empty_url, migrate_on_start=False)
    assert cli.main(["migrate", "--database-url", empty_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("powerrag: the database schema (9999_from_the_future) is newer")
    assert "Traceback" not in err


def test_schema_behind_the_code_is_refused_without_auto_migrate(empty_url: str) -> None:
    with pytest.raises(migrate.SchemaMismatchError, match=r"run `powerrag migrate`"):
        Store.open(empty_url, migrate_on_start=False)

    assert cli.main(["migrate", "--database-url", empty_url]) == 0
    Store.open(empty_url, migrate_on_start=False).close()


@pytest.mark.postgres
def test_unreachable_database_is_a_clear_error(
    postgres_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The server's port with a database that does not exist, then a port nobody listens on.
    missing = postgres_server.url("no_such_database")
    nobody = "postgresql://powerrag:secret@127.0.0.1:9/powerrag"

    with pytest.raises(migrate.DatabaseUnavailableError, match="no_such_database"):
        Store.open(missing)
    for command in ("migrate", "serve"):
        assert cli.main([command, "--database-url", nobody]) == 2
        err = capsys.readouterr().err
        assert err.startswith("powerrag: cannot connect to the database postgresql+psycopg://")
        assert "secret" not in err
        assert "Traceback" not in err


def test_the_revision_list_matches_the_migrations_folder() -> None:
    # `migrate.REVISIONS` lets start-up check the schema without importing Alembic.
    assert list(migrate.REVISIONS) == migrate.alembic_revisions()
