"""Alembic environment: runs migrations on the URL set by `powerrag.store.infra.migrate`."""

from __future__ import annotations

from alembic import context

from powerrag.store.infra.engines import create_migration_engine
from powerrag.store.infra.schema import metadata

config = context.config
engine = create_migration_engine(config.get_main_option("sqlalchemy.url") or "")
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
