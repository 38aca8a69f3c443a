"""Reading sessions: the filtered, sorted list and its count, one session, environments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, false, select
from sqlalchemy import func as sql

from powerrag.domain.filters import SESSION_SORTS, PageRequest, SessionFilter, SessionOrder
from powerrag.domain.rows import SessionRow
from powerrag.domain.search import parse_query
from powerrag.store.filters import contains_phrase, contains_text, in_range, json_element, one_of
from powerrag.store.infra.schema import sessions
from powerrag.store.search import session_matches
from powerrag.store.session_scores import matching_sessions

_s = sessions.c
# The column behind each of the UI's sorts, in the order `domain.filters.SESSION_SORTS` names them.
SORT_COLUMNS: dict[str, Any] = dict(
    zip(
        SESSION_SORTS,
        (
            _s.id,
            _s.created_at,
            _s.last_activity_at,
            _s.last_activity_at - _s.created_at,
            _s.trace_count,
            _s.input_tokens,
            _s.output_tokens,
            _s.total_tokens,
            _s.total_cost,
            _s.error_count,
        ),
        strict=True,
    )
)


def _where(dialect: str, project_id: str, f: SessionFilter) -> list[ColumnElement[bool]]:
    where = [
        _s.project_id == project_id,
        in_range(_s.created_at, f.created),
        one_of(_s.environment, f.environments),
    ]
    # Active within the range: the session's span overlaps [start, end).
    if f.active.start is not None:
        where.append(_s.last_activity_at >= f.active.start)
    if f.active.end is not None:
        where.append(_s.created_at < f.active.end)
    if f.user_id:
        where.append(json_element(_s.user_ids, f.user_id))
    if f.user_contains:
        where.append(contains_phrase([_s.user_ids], f.user_contains))
    if f.environment_contains:
        where.append(contains_text(_s.environment, f.environment_contains))
    if f.bookmarked:
        where.append(_s.bookmarked.is_(True))
    if f.id_contains:
        where.append(contains_text(_s.id, f.id_contains))
    if f.text:
        words = parse_query(f.text)
        where.extend(session_matches(dialect, project_id, _s.id, words) if words else [false()])
    if f.status is not None:
        where.append(_s.ended_at.is_(None) if f.status == "active" else _s.ended_at.is_not(None))
    if f.score is not None:
        where.append(_s.id.in_(matching_sessions(project_id, f.score)))
    return where


def count_sessions(conn: Connection, project_id: str, f: SessionFilter) -> int:
    query = (
        select(sql.count()).select_from(sessions).where(*_where(conn.dialect.name, project_id, f))
    )
    return int(conn.execute(query).scalar_one())


def list_sessions(
    conn: Connection, project_id: str, f: SessionFilter, order: SessionOrder, page: PageRequest
) -> list[SessionRow]:
    """One page; ties broken by id in the sort's direction, so pages are stable."""
    keys = (SORT_COLUMNS[order.sort], _s.id)
    query = (
        select(sessions)
        .where(*_where(conn.dialect.name, project_id, f))
        .order_by(*(k.desc() if order.descending else k.asc() for k in keys))
        .limit(page.limit)
        .offset(page.offset)
    )
    return [SessionRow(**row) for row in conn.execute(query).mappings()]


# Built once: every replay and session page asks for it (construction showed in profiles).
_GET_SESSION = select(sessions).where(
    _s.project_id == bindparam("project_id"), _s.id == bindparam("session_id")
)


def get_session(conn: Connection, project_id: str, session_id: str) -> SessionRow | None:
    params = {"project_id": project_id, "session_id": session_id}
    row = conn.execute(_GET_SESSION, params).mappings().first()
    return SessionRow(**row) if row is not None else None


ENVIRONMENT_SAMPLE = 1000


def list_environments(conn: Connection, project_id: str) -> list[str]:
    """Environments of the most recent sessions: filter suggestions in index time.

    A GROUP BY over every session costs a full scan (~60 ms at 100,000 sessions);
    the filter itself takes any environment typed in.
    """
    recent = (
        select(_s.environment)
        .where(_s.project_id == project_id)
        .order_by(_s.last_activity_at.desc())
        .limit(ENVIRONMENT_SAMPLE)
        .subquery()
    )
    rows = conn.execute(select(recent.c.environment).distinct().order_by(recent.c.environment))
    return [r[0] for r in rows]


def set_session_flag(
    conn: Connection, project_id: str, session_id: str, flag: str, value: bool
) -> bool:
    """Set `bookmarked` or `public`; False when the session does not exist."""
    column = {"bookmarked": _s.bookmarked, "public": _s.public}[flag]
    result = conn.execute(
        sessions.update()
        .where(_s.project_id == project_id, _s.id == session_id)
        .values({column: value})
    )
    return bool(result.rowcount)
