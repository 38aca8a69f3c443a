"""Alembic migrations, run programmatically: on start, or by `powerrag migrate`.

Alembic (and the template engine it brings) is imported only when a migration
must run: checking that the schema is current is one plain query, which keeps
`powerrag serve` quick to start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, make_url, text
from sqlalchemy.exc import OperationalError

from powerrag.domain.errors import PowerRAGError
from powerrag.store.infra.engines import create_migration_engine, normalise_url

if TYPE_CHECKING:
    from alembic.config import Config

# Every migration's revision, oldest first (store/infra/migrations/versions/); a test keeps
# this equal to Alembic's own list.
REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
    "0013",
    "0014",
    "0015",
)


class SchemaMismatchError(PowerRAGError):
    """The database schema is not the one this version of PowerRAG expects."""


class DatabaseUnavailableError(PowerRAGError):
    """The database cannot be reached (wrong URL, server down, bad credentials)."""


# Replicas starting together take this PostgreSQL advisory lock, so one migrates
# and the others wait, then find the schema current.
_MIGRATION_LOCK = 0x706F77657272  # "powerr"


@contextmanager
def _connection(url: str) -> Iterator[Connection]:
    """A connection to `url`; failing to connect becomes DatabaseUnavailableError."""
    engine = create_migration_engine(url)
    try:
        try:
            conn = engine.connect()
        except OperationalError as exc:
            where = make_url(normalise_url(url)).render_as_string(hide_password=True)
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnavailableError(
                f"cannot connect to the database {where}: {reason}"
            ) from None
        with conn:
            yield conn
    finally:
        engine.dispose()


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "powerrag.store.infra:migrations")
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def head_revision() -> str:
    return REVISIONS[-1]


def alembic_revisions() -> list[str]:
    """The revisions Alembic finds in the migrations folder, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def current_revision(url: str) -> str | None:
    with _connection(url) as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(value) if value is not None else None


def _known(revision: str) -> bool:
    return revision in REVISIONS


def check_current(url: str) -> None:
    """Refuse to run against a schema that is older or newer than this code."""
    current, head = current_revision(url), head_revision()
    if current == head:
        return
    if current is not None and not _known(current):
        raise SchemaMismatchError(
            f"the database schema ({current}) is newer than this PowerRAG ({head}): upgrade PowerRAG"
        )
    raise SchemaMismatchError(
        f"the database schema ({current or 'empty'}) is behind this PowerRAG ({head}): "
        "run `powerrag migrate`"
    )


@contextmanager
def migration_lock(url: str) -> Iterator[Connection]:
    """A PostgreSQL connection holding the migration lock: other stores' migrations (the
    ClickHouse tables, store/clickhouse/migrate.py) run under the same lock as Alembic's."""
    with _connection(url) as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
        conn.commit()
        try:
            yield conn
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
            conn.commit()


def upgrade(url: str) -> None:
    """Migrate to head; refuses a database migrated by a newer PowerRAG."""
    with _connection(url) as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
            conn.commit()
        try:
            current = _revision(conn)
            conn.rollback()  # end the read so the migration's DDL never waits on it
            if current is not None and not _known(current):
                raise SchemaMismatchError(
                    f"the database schema ({current}) is newer than this PowerRAG "
                    f"({head_revision()}): upgrade PowerRAG"
                )
            if current != head_revision():
                from alembic import command

                command.upgrade(alembic_config(url), "head")
        finally:
            if postgres:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
                conn.commit()
