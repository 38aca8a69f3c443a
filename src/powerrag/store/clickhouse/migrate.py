"""Versioned ClickHouse migrations, recorded in ClickHouse, run under PostgreSQL's
migration lock (store/infra/migrate.py), so replicas starting together migrate once.

Each file of `migrations/` is SQL with blanks filled in here: `${replacing}` (the engine of
versioned tables), `${merge_tree}` (of plain ones) and `${on_cluster}`. One server gets
`ReplacingMergeTree(row_version, is_deleted)` and `MergeTree`; a cluster (`?cluster=name` in
the URL) gets their `Replicated` twins on Keeper paths and `ON CLUSTER name`, from the same
files. The version sequence lives in PostgreSQL.
"""

from __future__ import annotations

from importlib import resources
from string import Template

from sqlalchemy import text

from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.infra.migrate import SchemaMismatchError, migration_lock

# Every migration, oldest first; a test keeps this equal to the files in migrations/.
MIGRATIONS = ("0001_trace_data", "0002_reconciler_passes", "0003_retention_ttl")
LEDGER = "powerrag_migrations"
# Versions of ClickHouse rows: taken under the write locks, so a later write of a trace or
# session always carries a higher version than the one it replaces (writer.py).
VERSION_SEQUENCE = "clickhouse_row_version"
_SINGLE = "ReplacingMergeTree(row_version, is_deleted)"
_REPLICATED = (
    "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', "
    "'{replica}', row_version, is_deleted)"
)
_REPLICATED_PLAIN = (
    "ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')"
)


def statements(name: str, cluster: str | None = None) -> list[str]:
    """The statements of one migration, for one server or for `cluster`."""
    body = resources.files("powerrag.store.clickhouse").joinpath(f"migrations/{name}.sql")
    filled = Template(body.read_text()).substitute(
        replacing=_REPLICATED if cluster else _SINGLE,
        merge_tree=_REPLICATED_PLAIN if cluster else "MergeTree",
        on_cluster=f" ON CLUSTER `{cluster}`" if cluster else "",
    )
    lines = [line for line in filled.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";")]


def _ledger(cluster: str | None) -> str:
    engine = _REPLICATED_PLAIN if cluster else "MergeTree"
    where = f" ON CLUSTER `{cluster}`" if cluster else ""
    return (
        f"CREATE TABLE IF NOT EXISTS {LEDGER}{where} (name String, applied_at DateTime64(6, 'UTC'))"
        f" ENGINE = {engine} ORDER BY name"
    )


def applied(ch: ClickHouse) -> list[str]:
    ch.command(_ledger(ch.cluster))
    return sorted(str(r[0]) for r in ch.query(f"SELECT DISTINCT name FROM {LEDGER}").result_rows)


def upgrade(ch: ClickHouse, database_url: str) -> None:
    """Apply the migrations ClickHouse has not recorded, and make the version sequence."""
    with migration_lock(database_url) as conn:
        conn.execute(text(f"CREATE SEQUENCE IF NOT EXISTS {VERSION_SEQUENCE}"))
        conn.commit()
        done = applied(ch)
        _refuse_newer(done)
        for name in MIGRATIONS:
            if name in done:
                continue
            for statement in statements(name, ch.cluster):
                ch.command(statement)
            ch.command(f"INSERT INTO {LEDGER} (name, applied_at) VALUES ('{name}', now64(6))")


def check_current(ch: ClickHouse) -> None:
    done = applied(ch)
    _refuse_newer(done)
    missing = [name for name in MIGRATIONS if name not in done]
    if missing:
        raise SchemaMismatchError(
            f"the ClickHouse schema lacks {', '.join(missing)}: run `powerrag migrate`"
        )


def _refuse_newer(done: list[str]) -> None:
    unknown = [name for name in done if name not in MIGRATIONS]
    if unknown:
        raise SchemaMismatchError(
            f"the ClickHouse schema has {', '.join(unknown)}, newer than this PowerRAG: "
            "upgrade PowerRAG"
        )
