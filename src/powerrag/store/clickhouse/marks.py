"""What the UI and the API change on stored trace data besides ingestion, in ClickHouse:
a session's bookmark and publishing, deleting one score. Each is a new version of the row,
taken under the lock the writer takes for it (writer.py), so neither loses the other's change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select

from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.expiry import project_days
from powerrag.store.clickhouse.summaries import insert_versions
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.infra.dialect import lock_keys
from powerrag.store.infra.schema import scores, sessions

_SESSION = select(sessions).where(
    sessions.c.project_id == bindparam("project_id"), sessions.c.id == bindparam("id")
)
_SCORE = select(scores.c.project_id, scores.c.id, scores.c.created_at).where(
    scores.c.project_id == bindparam("project_id"), scores.c.id == bindparam("id")
)
FLAGS = ("bookmarked", "public")


def _one(ch: ClickHouse, statement: Any, project_id: str, row_id: str) -> dict[str, Any] | None:
    rows = ClickHouseSql(ch).execute(statement, {"project_id": project_id, "id": row_id})
    return rows.mappings().first()


def set_session_flag(
    ch: ClickHouse, pg: Connection, project_id: str, session_id: str, flag: str, value: bool
) -> bool:
    if flag not in FLAGS:
        raise ValueError(f"not a session flag: {flag!r}")
    lock_keys(pg, [f"session:{project_id}:{session_id}"])
    row = _one(ch, _SESSION, project_id, session_id)
    if row is None:
        return False
    # `updated_at` is the session's last trace write, as on SQLite and PostgreSQL: a flag
    # neither keeps a session from ending when idle nor makes an alert look at it again.
    insert_versions(ch, "sessions", [{**row, flag: value}], next_version(pg))
    return True


def delete_score(ch: ClickHouse, pg: Connection, project_id: str, score_id: str) -> bool:
    row = _one(ch, _SCORE, project_id, score_id)
    if row is None:
        return False
    days = project_days(pg, project_id, ch.retention_days)
    insert_versions(ch, "scores", [row], next_version(pg), deleted=True, days=days)
    return True
