"""Alembic migrations, run programmatically: on start, or by `powerrag migrate`."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from powerrag.domain.errors import PowerRAGError
from powerrag.store.engines import create_migration_engine, normalise_url


class SchemaMismatchError(PowerRAGError):
    """The database schema is not the one this version of PowerRAG expects."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "powerrag.store:migrations")
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    engine = create_migration_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _known(revision: str) -> bool:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return any(r.revision == revision for r in script.walk_revisions())


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


def upgrade(url: str) -> None:
    """Migrate to head; refuses a database migrated by a newer PowerRAG."""
    current = current_revision(url)
    if current is not None and not _known(current):
        raise SchemaMismatchError(
            f"the database schema ({current}) is newer than this PowerRAG ({head_revision()}): "
            "upgrade PowerRAG"
        )
    if current != head_revision():
        command.upgrade(alembic_config(url), "head")
