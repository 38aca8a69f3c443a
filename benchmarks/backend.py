"""Where a benchmark's data lives: SQLite in a data directory, a PostgreSQL database, or
PostgreSQL + ClickHouse (chDB in the data directory).

Every tool takes `--postgres` and `--clickhouse`; this module turns them into a store for
in-process work, the environment for `powerrag serve`, and the database's size figures.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import pg
from benchmarks.common import Server, db_bytes, fresh_store
from powerrag.store.database import Store


@dataclass(frozen=True)
class Backend:
    data_dir: Path
    cluster: pg.Cluster | None = None
    database: str = pg.DATABASE
    clickhouse: bool = False

    @property
    def name(self) -> str:
        if self.cluster is None:
            return "sqlite"
        return "postgresql+clickhouse" if self.clickhouse else "postgresql"

    @property
    def clickhouse_dir(self) -> Path:
        return self.data_dir / "clickhouse"

    def clickhouse_url(self) -> str:
        """chDB in the data directory (one process at a time opens it), or ""."""
        return f"chdb://{self.clickhouse_dir}" if self.clickhouse else ""

    def database_url(self) -> str:
        """The database URL (created on first use), or "" for SQLite in `data_dir`."""
        return "" if self.cluster is None else self.cluster.ensure_database(self.database)

    def other(self, name: str) -> Backend:
        """A second, separate database of the same kind (floor's serial and pipeline runs)."""
        return Backend(self.data_dir / name, self.cluster, name, self.clickhouse)

    def store(self) -> Store:
        return fresh_store(self.data_dir, self.database_url(), self.clickhouse_url())

    def server(self) -> Server:
        url = self.database_url()
        env = {"POWERRAG_DATABASE_URL": url} if url else {}
        if self.clickhouse:
            env["POWERRAG_CLICKHOUSE_URL"] = self.clickhouse_url()
        return Server(self.data_dir, env or None)

    def size_figures(self, spans: int) -> dict[str, Any]:
        """Database size and MB per 1,000 spans (SQLite: file + WAL; PostgreSQL: the tables)."""
        if self.cluster is None:
            size = db_bytes(self.data_dir)
            return {
                "db_mb": round(size["db"] / 2**20, 2),
                "wal_mb": round(size["wal"] / 2**20, 2),
                "db_mb_per_1k_spans": round((size["db"] + size["wal"]) / 2**20 / spans * 1000, 3),
            }
        sizes = self.cluster.sizes(self.database)
        if self.clickhouse:
            # The chDB directory as it is on disk (compressed parts), plus PostgreSQL's tables.
            on_disk = sum(f.stat().st_size for f in self.clickhouse_dir.rglob("*") if f.is_file())
            total = on_disk + sizes["tables_bytes"]
            return {
                "db_mb": round(total / 2**20, 2),
                "clickhouse_mb": round(on_disk / 2**20, 2),
                "pg_tables_mb": round(sizes["tables_bytes"] / 2**20, 2),
                "db_mb_per_1k_spans": round(total / 2**20 / spans * 1000, 3),
            }
        return {
            # pg_database_size includes ~7.5 MB of system catalogs an empty database has;
            # the per-span figure counts only PowerRAG's tables (heap, TOAST, indexes).
            "pg_database_mb": round(sizes["database_bytes"] / 2**20, 2),
            "db_mb": round(sizes["tables_bytes"] / 2**20, 2),
            "db_mb_per_1k_spans": round(sizes["tables_bytes"] / 2**20 / spans * 1000, 3),
            "tables_mb": sizes["tables_mb"],
            "indexes_mb": sizes["indexes_mb"],
        }


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="run on a throwaway PostgreSQL cluster (fsync on) instead of SQLite",
    )
    parser.add_argument(
        "--clickhouse",
        action="store_true",
        help="with --postgres: trace data in ClickHouse (chDB in the data directory)",
    )
    parser.add_argument(
        "--pg-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra PostgreSQL server setting (repeatable), e.g. autovacuum_naptime=1s",
    )


@contextmanager
def backend(args: argparse.Namespace, data_dir: Path, *, keep: bool = False) -> Iterator[Backend]:
    """SQLite in `data_dir`, or a PostgreSQL cluster (under `data_dir/postgres` when `keep`)."""
    if not args.postgres:
        if args.pg_setting or args.clickhouse:
            raise SystemExit("--pg-setting and --clickhouse need --postgres")
        yield Backend(data_dir)
        return
    settings = tuple(args.pg_setting)
    if bad := [s for s in settings if "=" not in s]:
        raise SystemExit(f"--pg-setting takes NAME=VALUE, got {bad}")
    with pg.cluster(data_dir / "postgres" if keep else None, settings) as server:
        yield Backend(data_dir, server, clickhouse=args.clickhouse)
