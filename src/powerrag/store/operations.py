"""What an operator watches in the database itself: its size and the background jobs' states
(powerrag/metrics.py reads them at each scrape)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select, text

from powerrag.store.infra.schema import jobs


def database_bytes(conn: Connection) -> int:
    """The database's size: pages in use and free on SQLite (without its WAL), the
    database's files on PostgreSQL."""
    if conn.dialect.name == "postgresql":
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())
    return pages * int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())


def job_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """Background jobs by (kind, state): checks, webhooks and judge calls."""
    query = select(jobs.c.kind, jobs.c.state, func.count()).group_by(jobs.c.kind, jobs.c.state)
    return {(r[0], r[1]): int(r[2]) for r in conn.execute(query)}
