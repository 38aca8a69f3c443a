"""Retention's SQL: which projects keep data how long, and deleting what is older, a batch
at a time (powerrag/retention.py runs it).

A trace goes as a whole, by its timestamp, with everything hanging off it
(`writer.delete_traces`: observations, updates, its scores and comments, span contents,
search rows, media no other trace holds). Scores and comments not on a trace go by their
own time, media never linked to any trace by its upload time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, delete, exists, select

from powerrag.store.infra.schema import (
    comments,
    media,
    media_blobs,
    media_links,
    projects,
    scores,
    traces,
)
from powerrag.store.writer import delete_traces


@dataclass(frozen=True, slots=True)
class ProjectRetention:
    project_id: str
    # The project's own setting: None follows the server default, 0 keeps everything.
    retention_days: int | None


def project_retentions(conn: Connection) -> list[ProjectRetention]:
    rows = conn.execute(select(projects.c.id, projects.c.retention_days).order_by(projects.c.id))
    return [ProjectRetention(r[0], r[1]) for r in rows]


def delete_old_traces(conn: Connection, project_id: str, cutoff: int, limit: int, now: int) -> int:
    """Delete up to `limit` of the project's traces stamped before `cutoff`, oldest first."""
    ids = (
        conn.execute(
            select(traces.c.id)
            .where(traces.c.project_id == project_id, traces.c.timestamp < cutoff)
            .order_by(traces.c.timestamp, traces.c.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    if not ids:
        return 0
    return delete_traces(conn, project_id, ids, now=now)


def delete_old_scores(conn: Connection, project_id: str, cutoff: int, limit: int) -> int:
    """Scores stamped before `cutoff` (a session's, or a kept trace's older score)."""
    s = scores.c
    ids = select(s.id).where(s.project_id == project_id, s.timestamp < cutoff).limit(limit)
    result = conn.execute(delete(scores).where(s.project_id == project_id, s.id.in_(ids)))
    return result.rowcount or 0


def delete_old_comments(conn: Connection, project_id: str, cutoff: int, limit: int) -> int:
    c = comments.c
    ids = select(c.id).where(c.project_id == project_id, c.created_at < cutoff).limit(limit)
    result = conn.execute(delete(comments).where(c.id.in_(ids)))
    return result.rowcount or 0


def delete_unlinked_media(conn: Connection, project_id: str, cutoff: int, limit: int) -> int:
    """Media uploaded before `cutoff` that no trace names (its traces went, or none came)."""
    m, link = media.c, media_links.c
    linked = exists().where(link.project_id == m.project_id, link.media_id == m.id)
    ids: Sequence[str] = (
        conn.execute(
            select(m.id)
            .where(m.project_id == project_id, m.created_at < cutoff, ~linked)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    if not ids:
        return 0
    b = media_blobs.c
    conn.execute(delete(media_blobs).where(b.project_id == project_id, b.media_id.in_(ids)))
    conn.execute(delete(media).where(m.project_id == project_id, m.id.in_(ids)))
    return len(ids)


def sqlite_auto_vacuum(conn: Connection) -> int:
    """SQLite's auto_vacuum mode: 0 none, 1 full, 2 incremental (https://sqlite.org/pragma.html#pragma_auto_vacuum)."""
    return int(conn.exec_driver_sql("PRAGMA auto_vacuum").scalar_one())


def sqlite_free_pages(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA freelist_count").scalar_one())


def sqlite_incremental_vacuum(conn: Connection, pages: int) -> None:
    """Give up to `pages` free pages back to the file system, in a transaction of its own.

    The pragma frees one page per step of its statement and yields no row, so a plain
    execute frees one page; the driver's `executescript` steps it to the end (it first
    commits what the connection had open: call it on a connection with nothing open).
    """
    raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)
    raw.executescript(f"PRAGMA incremental_vacuum({int(pages)})")
