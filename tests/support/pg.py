"""A real PostgreSQL server for the tests, started from the Debian binaries.

`initdb` + `pg_ctl` in a temporary data directory on a free port, once per test
session; each test gets its own database cloned from a migrated template.
PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from benchmarks.common import free_port
from benchmarks.pg import as_server_user, bin_dir
from powerrag.store.infra import migrate
from powerrag.store.infra.schema import metadata

TEMPLATE_DB = "powerrag_template"
# The engines a database test runs on (`pytest.mark.parametrize` / fixture params).
ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
_SERVER_SETTINGS = (
    # Durability is irrelevant for throwaway test data; speed is not.
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=200",
    "shared_buffers=64MB",
)


@dataclass
class PostgresServer:
    """One running server; `url(db)` gives a SQLAlchemy URL for one of its databases."""

    root: Path
    port: int
    bin_dir: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        )

    def _pg(self, *argv: str) -> None:
        command = as_server_user([str(self.bin_dir / argv[0]), *argv[1:]])
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {result.stdout}{result.stderr}")

    def start(self) -> None:
        self.data_dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.data_dir, "postgres", "postgres")
        self._pg("initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = " ".join(
            [f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-k {self.root}"]
            + [f"-c {s}" for s in _SERVER_SETTINGS]
        )
        log = self.root / "server.log"
        self._pg("pg_ctl", "-D", str(self.data_dir), "-l", str(log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")

    def create_template(self) -> None:
        """A database migrated to head that `CREATE DATABASE ... TEMPLATE` clones quickly."""
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE_DB}")
        migrate.upgrade(self.url(TEMPLATE_DB))

    def create_database(self, name: str, *, template: str | None = TEMPLATE_DB) -> str:
        clause = f" TEMPLATE {template}" if template else ""
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}{clause}")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def empty_database(self, name: str) -> None:
        """Delete every row but keep the migrated schema (much faster than a new database)."""
        with self.admin() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
        tables = ", ".join(t.name for t in metadata.sorted_tables)
        with psycopg.connect(self.url(name), autocommit=True) as conn:
            conn.execute(f"TRUNCATE {tables}")


_names = itertools.count(1)


def unique_db_name(prefix: str = "t") -> str:
    return f"{prefix}_{os.getpid()}_{next(_names)}"


def start_server() -> Iterator[PostgresServer]:
    """Start a server in a fresh temporary directory; stop and remove it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="powerrag-pg-"))
    server = PostgresServer(root=root, port=free_port(), bin_dir=bin_dir())
    try:
        server.start()
        try:
            server.create_template()
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
