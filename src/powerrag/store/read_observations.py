"""SQL for reading observations: paged (v1) and cursor (v2) lists, one, a trace's.

Rows carry their trace's user, session, name, tags, release, bookmark and public
flag (`trace_*` keys) from one join on the trace's primary key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select, true

from powerrag.store.origins import with_origins
from powerrag.store.read_filters import (
    ObservationCursor,
    ObservationFilter,
    PageRequest,
    after_cursor,
    equals,
    one_of,
)
from powerrag.store.schema import observations, traces

_TRACE_COLUMNS = (
    traces.c.user_id.label("trace_user_id"),
    traces.c.session_id.label("trace_session_id"),
    traces.c.name.label("trace_name"),
    traces.c.tags.label("trace_tags"),
    traces.c.release.label("trace_release"),
    traces.c.bookmarked.label("trace_bookmarked"),
    traces.c.public.label("trace_public"),
)
_JOINED = observations.outerjoin(
    traces,
    and_(traces.c.project_id == observations.c.project_id, traces.c.id == observations.c.trace_id),
)


def _select() -> Select[Any]:
    return select(observations, *_TRACE_COLUMNS).select_from(_JOINED)


def _where(project_id: str, f: ObservationFilter) -> list[Any]:
    o = observations.c
    root: Any = true()
    if f.is_root is not None:
        is_root = or_(o.parent_observation_id.is_(None), o.is_app_root.is_(True))
        root = is_root if f.is_root else ~is_root
    return [
        o.project_id == project_id,
        equals(o.name, f.name),
        equals(traces.c.user_id, f.user_id),
        equals(traces.c.session_id, f.session_id),
        one_of(o.type, f.types),
        equals(o.trace_id, f.trace_id),
        equals(o.level, f.level),
        equals(o.parent_observation_id, f.parent_observation_id),
        one_of(o.environment, f.environments),
        f.start_time.where(o.start_time),
        equals(o.version, f.version),
        root,
    ]


def _rows(conn: Connection, project_id: str, query: Select[Any]) -> list[dict[str, Any]]:
    return with_origins(conn, project_id, [dict(row) for row in conn.execute(query).mappings()])


def count_observations(conn: Connection, project_id: str, f: ObservationFilter) -> int:
    query = select(func.count()).select_from(_JOINED).where(*_where(project_id, f))
    return int(conn.execute(query).scalar_one())


def list_observations(
    conn: Connection, project_id: str, f: ObservationFilter, page: PageRequest
) -> list[dict[str, Any]]:
    """Newest first (ix_observations_project_start); ties by id for stable pages."""
    o = observations.c
    query = (
        _select()
        .where(*_where(project_id, f))
        .order_by(o.start_time.desc(), o.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    return _rows(conn, project_id, query)


def list_observations_after(
    conn: Connection,
    project_id: str,
    f: ObservationFilter,
    cursor: ObservationCursor | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Up to `limit` rows after `cursor` in (start_time, trace_id, id) descending order."""
    o = observations.c
    query = (
        _select()
        .where(*_where(project_id, f), after_cursor(o.start_time, o.trace_id, o.id, cursor))
        .order_by(o.start_time.desc(), o.trace_id.desc(), o.id.desc())
        .limit(limit)
    )
    return _rows(conn, project_id, query)


def get_observation(conn: Connection, project_id: str, obs_id: str) -> dict[str, Any] | None:
    o = observations.c
    rows = _rows(conn, project_id, _select().where(o.project_id == project_id, o.id == obs_id))
    return rows[0] if rows else None


def trace_observations(conn: Connection, project_id: str, trace_id: str) -> list[dict[str, Any]]:
    """A trace's observations in start-time order (ix_observations_project_trace)."""
    o = observations.c
    query = (
        _select()
        .where(o.project_id == project_id, o.trace_id == trace_id)
        .order_by(o.start_time, o.id)
    )
    return _rows(conn, project_id, query)
