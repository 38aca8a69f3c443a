"""Reading traces: the filtered list and its count, one trace, a session's traces.

A trace's input/output is its own when set, else its root observation's
(`traces.root_observation_id`), resolved here in one join, never per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, and_, bindparam, false, or_, select
from sqlalchemy import func as sql

from powerrag.domain.filters import PageRequest, TraceFilter, TraceOrder
from powerrag.domain.rows import TraceRow, TraceTime
from powerrag.domain.search import parse_query
from powerrag.store.base import chunked
from powerrag.store.filters import contains_text, equals, has_all, in_range, json_element, one_of
from powerrag.store.infra.schema import observations, scores, traces
from powerrag.store.search import trace_matches

_root = observations.alias("root_observation")
_IO_COLUMNS = (
    sql.coalesce(traces.c.input, _root.c.input).label("input"),
    sql.coalesce(traces.c.output, _root.c.output).label("output"),
)
_BASE_COLUMNS = [c for c in traces.c if c.name not in ("input", "output")]
_WITH_ROOT_IO = traces.outerjoin(
    _root,
    and_(_root.c.project_id == traces.c.project_id, _root.c.id == traces.c.root_observation_id),
)


def _select(with_io: bool) -> Select[Any]:
    if not with_io:
        return select(*_BASE_COLUMNS)
    return select(*_BASE_COLUMNS, *_IO_COLUMNS).select_from(_WITH_ROOT_IO)


def _rows(conn: Connection, query: Any, params: dict[str, Any] | None = None) -> list[TraceRow]:
    return [TraceRow(**row) for row in conn.execute(query, params or {}).mappings()]


def _where(dialect: str, project_id: str, f: TraceFilter) -> list[ColumnElement[bool]]:
    t = traces.c
    where = [
        t.project_id == project_id,
        equals(t.name, f.name),
        equals(t.user_id, f.user_id),
        equals(t.session_id, f.session_id),
        equals(t.version, f.version),
        equals(t.release, f.release),
        equals(t.level, f.level),
        one_of(t.environment, f.environments),
        in_range(t.timestamp, f.timestamp),
        has_all(t.tags, f.tags),
        one_of(t.id, f.ids),
    ]
    if f.tags_any:
        where.append(or_(*(json_element(t.tags, tag) for tag in f.tags_any)))
    if f.user_contains:
        where.append(contains_text(t.user_id, f.user_contains))
    if f.environment_contains:
        where.append(contains_text(t.environment, f.environment_contains))
    if f.text:
        words = parse_query(f.text)
        where.extend(trace_matches(dialect, project_id, t.id, words) if words else [false()])
    return where


def count_traces(conn: Connection, project_id: str, f: TraceFilter) -> int:
    query = select(sql.count()).select_from(traces).where(*_where(conn.dialect.name, project_id, f))
    return int(conn.execute(query).scalar_one())


def list_traces(
    conn: Connection,
    project_id: str,
    f: TraceFilter,
    order: TraceOrder,
    page: PageRequest,
    *,
    with_io: bool = True,
) -> list[TraceRow]:
    column = traces.c[order.field]
    # NULLs sort as the smallest value on every engine (PostgreSQL's default is the largest).
    first = column.desc().nulls_last() if order.descending else column.asc().nulls_first()
    query = (
        _select(with_io)
        .where(*_where(conn.dialect.name, project_id, f))
        .order_by(first, traces.c.id.desc() if order.descending else traces.c.id.asc())
        .limit(page.limit)
        .offset(page.offset)
    )
    return _rows(conn, query)


def get_trace(
    conn: Connection, project_id: str, trace_id: str, *, with_io: bool = True
) -> TraceRow | None:
    query = _select(with_io).where(traces.c.project_id == project_id, traces.c.id == trace_id)
    rows = _rows(conn, query)
    return rows[0] if rows else None


def _session_statements() -> dict[str, Any]:
    """A session's statements, built once: building them cost more than running them."""
    t = traces.c
    in_session = (t.project_id == bindparam("project_id"), t.session_id == bindparam("session_id"))
    # Ordered by time then id: uses ix_traces_project_session.
    ordered = _select(True).where(*in_session).order_by(t.timestamp, t.id)
    ids: Any = bindparam("ids", expanding=True)
    return {
        "all": ordered,
        "page": ordered.limit(bindparam("limit")).offset(bindparam("offset")),
        "named": ordered.where(t.id.in_(ids)),
        "timeline": select(t.id, t.timestamp, t.end_time)
        .where(*in_session)
        .order_by(t.timestamp, t.id),
        "in_session": select(t.id).where(*in_session, t.id.in_(ids)),
    }


_SESSION = _session_statements()


def session_traces(
    conn: Connection,
    project_id: str,
    session_id: str,
    *,
    limit: int | None = None,
    offset: int = 0,
    trace_ids: Sequence[str] | None = None,
) -> list[TraceRow]:
    """A session's traces in time order: all, `limit` from `offset`, or the named ones."""
    key = {"project_id": project_id, "session_id": session_id}
    if trace_ids is not None:
        named = _rows(conn, _SESSION["named"], {**key, "ids": list(trace_ids)})
        return named[offset:] if limit is None else named[offset : offset + limit]
    if limit is None:
        return _rows(conn, _SESSION["all"], key)[offset:]
    return _rows(conn, _SESSION["page"], {**key, "limit": limit, "offset": offset})


def session_timeline(conn: Connection, project_id: str, session_id: str) -> list[TraceTime]:
    """Every trace of a session on its clock: the playback's timeline."""
    params = {"project_id": project_id, "session_id": session_id}
    return [TraceTime(*row) for row in conn.execute(_SESSION["timeline"], params)]


def traces_in_session(
    conn: Connection, project_id: str, session_id: str, trace_ids: Sequence[str]
) -> list[str]:
    """Which of these traces belong to the session (live updates ask this)."""
    if not trace_ids:
        return []
    params = {"project_id": project_id, "session_id": session_id, "ids": list(trace_ids)}
    return [row[0] for row in conn.execute(_SESSION["in_session"], params)]


def _ids_by_trace(
    conn: Connection,
    table: Table,
    order: ColumnElement[Any],
    project_id: str,
    trace_ids: Sequence[str],
) -> dict[str, list[str]]:
    """Each trace's row ids of `table` in `order`, in one query per chunk."""
    result: dict[str, list[str]] = {t: [] for t in trace_ids}
    c = table.c
    for chunk in chunked(list(trace_ids)):
        query = (
            select(c.trace_id, c.id)
            .where(c.project_id == project_id, c.trace_id.in_(chunk))
            .order_by(c.trace_id, order, c.id)
        )
        for trace_id, row_id in conn.execute(query):
            result[trace_id].append(row_id)
    return result


def observation_ids_by_trace(
    conn: Connection, project_id: str, trace_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Each trace's observation ids in start-time order."""
    return _ids_by_trace(conn, observations, observations.c.start_time, project_id, trace_ids)


def score_ids_by_trace(
    conn: Connection, project_id: str, trace_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Each trace's score ids in time order."""
    return _ids_by_trace(conn, scores, scores.c.timestamp, project_id, trace_ids)
