"""SQL for reading sessions: the paged list (newest first) and one session row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from powerrag.store.read_filters import PageRequest, SessionFilter, one_of
from powerrag.store.schema import sessions


def _where(project_id: str, f: SessionFilter) -> list[Any]:
    s = sessions.c
    return [
        s.project_id == project_id,
        f.created.where(s.created_at),
        one_of(s.environment, f.environments),
    ]


def count_sessions(conn: Connection, project_id: str, f: SessionFilter) -> int:
    query = select(func.count()).select_from(sessions).where(*_where(project_id, f))
    return int(conn.execute(query).scalar_one())


def list_sessions(
    conn: Connection, project_id: str, f: SessionFilter, page: PageRequest
) -> list[dict[str, Any]]:
    """Newest first (ix_sessions_project_created), ties broken by id for stable pages."""
    query = (
        select(sessions)
        .where(*_where(project_id, f))
        .order_by(sessions.c.created_at.desc(), sessions.c.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


# Built once: every replay and session page asks for it (construction showed in profiles).
_GET_SESSION = select(sessions).where(
    sessions.c.project_id == bindparam("project_id"), sessions.c.id == bindparam("session_id")
)


def get_session(conn: Connection, project_id: str, session_id: str) -> dict[str, Any] | None:
    params = {"project_id": project_id, "session_id": session_id}
    row = conn.execute(_GET_SESSION, params).mappings().first()
    return dict(row) if row is not None else None
