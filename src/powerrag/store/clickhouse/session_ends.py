"""Ending a session in ClickHouse: a new version of its row with `ended_at` set.

Taken under the session's lock, as the writer takes it to recompute the session
(writer.py), with a version from the sequence taken after it: a span written at the same
moment either comes first (then the session is no longer idle and stays open) or waits and
writes a later version that reopens it, as a trace reopens an ended session on SQLite and
PostgreSQL (store/lifecycle.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, bindparam, select

from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.summaries import insert_versions
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.infra.dialect import lock_keys
from powerrag.store.infra.schema import sessions
from powerrag.store.lifecycle import previous_id_of

_SESSION = select(sessions).where(
    sessions.c.project_id == bindparam("project_id"), sessions.c.id == bindparam("id")
)


def _still_open(row: dict[str, Any] | None, idle_before: int | None) -> bool:
    if row is None or row["ended_at"] is not None:
        return False
    return idle_before is None or row["updated_at"] < idle_before or bool(row["end_requested"])


def end_session(
    ch: ClickHouse,
    pg: Connection,
    project_id: str,
    session_id: str,
    now: int,
    idle_before: int | None,
    then: Callable[[Connection, int], None] | None,
) -> int | None:
    """`base.Writer.end_session` inside the caller's PostgreSQL transaction. `then` runs
    before the new version is inserted: if it fails nothing is ended, and its jobs become
    visible only when PostgreSQL commits, after the version is stored."""
    lock_keys(pg, [f"session:{project_id}:{session_id}"])
    sql = ClickHouseSql(ch)
    row = sql.execute(_SESSION, {"project_id": project_id, "id": session_id}).mappings().first()
    if not _still_open(row, idle_before):
        return None
    assert row is not None
    previous = previous_id_of(sql, project_id, session_id)  # type: ignore[arg-type]
    if then is not None:
        then(pg, now)
    ended = {**row, "ended_at": now, "previous_id": previous, "end_requested": False}
    insert_versions(ch, "sessions", [ended], next_version(pg))
    return now
