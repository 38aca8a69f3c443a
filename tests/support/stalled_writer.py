"""A SQLite PowerRAG file whose writer a test stalls for real: another connection holds the
write lock, as a backup or a long `VACUUM` would (tests/reliability/test_overload.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from powerrag.store import accounts
from powerrag.store.database import Store
from tests.support.project import PROJECT_ID, PUBLIC_KEY, SECRET_KEY


@contextmanager
def write_lock(db: Path) -> Iterator[None]:
    """Hold SQLite's write lock from another connection: the writer thread stalls."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def project_store(db: Path, name: str) -> Store:
    """The file, migrated, with the test project and its API key (tests/support/project.py)."""
    store = Store.open(f"sqlite:///{db}", pool_size=2)
    with store.transaction() as conn:
        accounts.create_project(conn, name, PROJECT_ID)
        accounts.create_api_key(conn, PROJECT_ID, public_key=PUBLIC_KEY, secret_key=SECRET_KEY)
    return store
