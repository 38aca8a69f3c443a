"""Database engines: SQLite (WAL, one writer, many readers) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool, QueuePool

# Each SQLite pragma with the reason it is set.
# Rows are ~2.5 KB (a span with its input and output) and a row never splits across pages:
# 4 KB pages hold one and waste the rest, 8 KB pages three and waste 16 %, 16 KB pages six
# and waste 8 % (docs/benchmarks.md). Takes effect when the database file is created;
# existing files keep their size.
SQLITE_PAGE_SIZE = 16384
# Freed pages can be given back to the file system a bounded step at a time (the retention
# job, powerrag/retention.py). Like the page size it takes effect when the file is created;
# an existing file keeps its mode until a full VACUUM (docs/operations.md).
SQLITE_AUTO_VACUUM = "INCREMENTAL"
SQLITE_JOURNAL_MODE = "WAL"  # readers never block the writer, the writer never blocks readers
SQLITE_SYNCHRONOUS = "NORMAL"  # with WAL: durable across a process crash, one fsync per checkpoint
SQLITE_BUSY_TIMEOUT_MS = 10_000  # a second process (migrate, CLI) waits instead of failing
SQLITE_CACHE_KIB = 64_000  # 64 MB page cache per connection keeps hot indexes in memory
SQLITE_MMAP_BYTES = 256 * 1024 * 1024  # reads via mmap avoid copying pages
SQLITE_TEMP_STORE = "MEMORY"  # sorts for list pages never touch disk


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'powerrag.db'}"


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    # Only on a new, empty file: on an existing one the pragma writes the header (and fails
    # on a full disk) though the mode can only change by a full VACUUM.
    if cursor.execute("PRAGMA page_count").fetchone()[0] == 0:
        cursor.execute(f"PRAGMA auto_vacuum={SQLITE_AUTO_VACUUM}")
    cursor.execute(f"PRAGMA journal_mode={SQLITE_JOURNAL_MODE}")
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.execute(f"PRAGMA temp_store={SQLITE_TEMP_STORE}")
    cursor.close()


def create_db_engine(url: str, *, pool_size: int = 8) -> Engine:
    """An engine for `url`, with SQLite pragmas applied to every connection."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=pool_size,
            max_overflow=pool_size,
            connect_args={"check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def create_migration_engine(url: str) -> Engine:
    """A short-lived engine for migrations and CLI commands."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, poolclass=NullPool)
