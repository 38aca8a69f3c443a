"""A throwaway PostgreSQL cluster for the benchmarks, with production durability settings.

Debian's `initdb` + `pg_ctl`, as the `postgres` user when root, on a free port, as in
the tests (tests/support/pg.py, which takes `bin_dir` and `as_server_user` from here),
but fsync and synchronous commit stay ON: the benchmark measures what a durable
deployment costs. A cluster in a kept directory is reused.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from benchmarks.common import free_port

DATABASE = "powerrag"
# Production-like: durable commits (the defaults, spelled out), a larger buffer cache
# than the 128 MB default because the 40k-span database is ~120 MB. Everything else
# is PostgreSQL 15's default (work_mem 4 MB, max_wal_size 1 GB, checkpoint 5 min).
SERVER_SETTINGS = (
    "fsync=on",
    "synchronous_commit=on",
    "full_page_writes=on",
    "shared_buffers=256MB",
    "effective_cache_size=1GB",
    "max_connections=100",
)


def bin_dir() -> Path:
    """The directory with initdb and pg_ctl (PATH first, then Debian's versioned dirs)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not candidates:
        raise RuntimeError(
            "PostgreSQL server binaries not found: `apt-get install postgresql` "
            "(scripts/test-deps.sh does it)"
        )
    return Path(candidates[0]).parent


def as_server_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run `argv` as the `postgres` user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


class Cluster:
    """One PostgreSQL server whose files live under `root` (created, or reused if present)."""

    def __init__(self, root: Path, settings: tuple[str, ...] = ()) -> None:
        self.root = root
        self.settings = SERVER_SETTINGS + settings
        self.data_dir = root / "data"
        self.port = free_port()
        self._bin = bin_dir()

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg(self, *argv: str) -> None:
        command = as_server_user([str(self._bin / argv[0]), *argv[1:]])
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        if not self.data_dir.exists():
            self._init()
        options = " ".join(
            [f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-k {self.root}"]
            + [f"-c {s}" for s in self.settings]
        )
        log = self.root / "server.log"
        self._pg("pg_ctl", "-D", str(self.data_dir), "-l", str(log), "-o", options, "-w", "start")

    def _init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.data_dir, "postgres", "postgres")
            # The server user must reach its directory: open the data dir that holds it
            # (often a private temp dir), and say so if a directory further up is closed.
            parent = self.root.parent
            parent.chmod(parent.stat().st_mode | stat.S_IXOTH)
            if closed := [str(p) for p in parent.parents if not p.stat().st_mode & stat.S_IXOTH]:
                raise SystemExit(f"user postgres cannot reach {self.root} through {closed[0]}")
        self._pg("initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def stop(self) -> None:
        """A clean shutdown (checkpoint), so a kept cluster restarts without recovery."""
        self._pg("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def _admin(self, database: str = "postgres") -> psycopg.Connection[TupleRow]:
        return psycopg.connect(self.url(database), autocommit=True)

    def ensure_database(self, name: str = DATABASE) -> str:
        """Create `name` unless it exists; returns its URL."""
        with self._admin() as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                return self.url(name)
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def sizes(self, name: str = DATABASE) -> dict[str, Any]:
        """`pg_database_size`, and `pg_total_relation_size` (heap + TOAST + indexes) per table."""
        with self._admin(name) as conn:
            (total,) = conn.execute("SELECT pg_database_size(current_database())").fetchone() or (
                0,
            )
            rows = conn.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid), pg_indexes_size(c.oid) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC"
            ).fetchall()
        return {
            "database_bytes": int(total),
            "tables_bytes": sum(int(size) for _, size, _ in rows),
            "tables_mb": {name: round(size / 2**20, 2) for name, size, _ in rows if size >= 2**16},
            "indexes_mb": {name: round(size / 2**20, 2) for name, _, size in rows if size >= 2**16},
        }


@contextmanager
def cluster(root: Path | None = None, settings: tuple[str, ...] = ()) -> Iterator[Cluster]:
    """A running cluster in `root` (kept afterwards) or in a temporary directory (removed).

    `settings` (`name=value`) are added to, and override, SERVER_SETTINGS.
    """
    owned = root is None
    where = Path(tempfile.mkdtemp(prefix="powerrag-bench-pg-")) / "pg" if root is None else root
    server = Cluster(where, settings)
    try:
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        if owned:
            shutil.rmtree(where.parent, ignore_errors=True)
