"""Where a benchmark's data lives: SQLite in a data directory, or a PostgreSQL database.

Every tool takes `--postgres`; this module turns that into a store for in-process
work, the environment for `powerrag serve`, and the database's size figures.
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

    @property
    def name(self) -> str:
        return "sqlite" if self.cluster is None else "postgresql"

    def database_url(self) -> str:
        """The database URL (created on first use), or "" for SQLite in `data_dir`."""
        return "" if self.cluster is None else self.cluster.ensure_database(self.database)

    def other(self, name: str) -> Backend:
        """A second, separate database of the same kind (floor's serial and pipeline runs)."""
        return Backend(self.data_dir / name, self.cluster, name)

    def store(self) -> Store:
        return fresh_store(self.data_dir, self.database_url())

    def server(self) -> Server:
        url = self.database_url()
        return Server(self.data_dir, {"POWERRAG_DATABASE_URL": url} if url else None)

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
        if args.pg_setting:
            raise SystemExit("--pg-setting needs --postgres")
        yield Backend(data_dir)
        return
    settings = tuple(args.pg_setting)
    if bad := [s for s in settings if "=" not in s]:
        raise SystemExit(f"--pg-setting takes NAME=VALUE, got {bad}")
    with pg.cluster(data_dir / "postgres" if keep else None, settings) as server:
        yield Backend(data_dir, server)
