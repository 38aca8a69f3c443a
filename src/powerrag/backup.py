"""`powerrag backup` and `powerrag restore`: copies of the embedded SQLite database.

Both go through SQLite's online backup API (https://sqlite.org/backup.html), never a file
copy: a backup is made in one step, which reads one snapshot of the database in one read
transaction, so it is consistent while a running server goes on writing (WAL mode lets
the writer continue); a restore writes through SQLite too, so a WAL file left beside the
database can never be replayed over the restored pages.

A running `powerrag serve` holds a shared lock on `<database>.serve-lock` (`ServerLock`);
`restore` refuses to overwrite a database while anyone holds it, unless forced. PostgreSQL
has its own tools (pg_dump, point-in-time recovery): docs/operations.md.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from powerrag.domain.errors import PowerRAGError
from powerrag.store.infra.engines import normalise_url
from powerrag.store.infra.migrate import REVISIONS

try:
    import fcntl
except ImportError:  # Windows: no advisory file locks; restore cannot tell a running server
    fcntl = None  # type: ignore[assignment]

BUSY_TIMEOUT_MS = 10_000


class BackupError(PowerRAGError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Copied:
    path: Path
    size_bytes: int
    revision: str
    seconds: float


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL; a PostgreSQL URL is refused with where to look instead."""
    parsed = make_url(normalise_url(url))
    if not parsed.drivername.startswith("sqlite") or not parsed.database:
        raise BackupError(
            "powerrag backup and restore copy the embedded SQLite database; for PostgreSQL "
            "use pg_dump or point-in-time recovery (docs/operations.md)"
        )
    return Path(parsed.database)


def _lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".serve-lock")


@contextmanager
def server_lock(database: Path) -> Iterator[None]:
    """Held by `powerrag serve` for its lifetime: tells `restore` a server is running."""
    if fcntl is None:
        yield
        return
    with open(_lock_path(database), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield


def _server_running(database: Path) -> bool:
    path = _lock_path(database)
    if fcntl is None or not path.exists():
        return False
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def _revision(conn: sqlite3.Connection, what: Path) -> str:
    """The schema revision of a PowerRAG database, or a BackupError saying what it is not."""
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if "no such table" in str(exc):
            raise BackupError(
                f"{what} is not a PowerRAG database (it has no schema version)"
            ) from None
        raise BackupError(f"{what} is not a readable SQLite database: {exc}") from None
    if check != "ok":
        raise BackupError(f"{what} is damaged (SQLite quick_check: {check})")
    if row is None or row[0] not in REVISIONS:
        found = None if row is None else row[0]
        raise BackupError(
            f"{what} has schema {found!r}, which this PowerRAG does not know "
            f"(it knows up to {REVISIONS[-1]}): use the PowerRAG that wrote it, or a newer one"
        )
    return str(row[0])


def backup(database_url: str, dest: Path, *, overwrite: bool = False) -> Copied:
    """Copy the database to `dest` (a new file, unless `overwrite`), consistently, while a
    server may be writing to it."""
    source = sqlite_path(database_url)
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    if dest.exists() and not overwrite:
        raise BackupError(f"{dest} exists; name a new file, or pass --force to replace it")
    if not dest.parent.is_dir():
        raise BackupError(f"the directory {dest.parent} does not exist")
    began = time.monotonic()
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(_connect(source)) as src, closing(sqlite3.connect(partial)) as out:
            # One step (pages=-1): one read transaction, one snapshot. Stepwise copying would
            # restart whenever the server commits, which under steady ingestion is forever.
            src.backup(out, pages=-1)
            revision = _revision(out, source)
            # A backup is one self-contained file: no WAL beside it.
            out.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backing up {source} failed: {exc}") from None
    os.replace(partial, dest)
    return Copied(dest, dest.stat().st_size, revision, time.monotonic() - began)


def restore(src: Path, database_url: str, *, force: bool = False) -> Copied:
    """Put the backup `src` in place of the database; refused while a server runs on it
    unless `force` (then the server's next reads see the restored data)."""
    target = sqlite_path(database_url)
    if not src.is_file():
        raise BackupError(f"there is no backup at {src}")
    if src.resolve() == target.resolve():
        raise BackupError(f"{src} is the database itself; name a backup made by powerrag backup")
    began = time.monotonic()
    with closing(_connect(src)) as backup_conn:
        revision = _revision(backup_conn, src)
        if _server_running(target) and not force:
            raise BackupError(
                f"a PowerRAG server is running on {target}; stop it first, or pass --force "
                "to restore into the running database"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with closing(_connect(target)) as out:
                backup_conn.backup(out, pages=-1)
                restored = _revision(out, target)
        except sqlite3.Error as exc:
            raise BackupError(f"restoring {src} into {target} failed: {exc}") from None
        if restored != revision:
            raise BackupError(f"restoring {src} into {target} did not complete")
    return Copied(target, target.stat().st_size, revision, time.monotonic() - began)
