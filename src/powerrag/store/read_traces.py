"""SQL for reading traces: lists with filters, one trace, a session's traces.

A trace's input/output is its own when set, else its root observation's
(`traces.root_observation_id`), resolved here in one join, never per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, and_, asc, desc, func, select

from powerrag.store.base import chunked
from powerrag.store.read_filters import (
    PageRequest,
    TraceFilter,
    TraceOrder,
    equals,
    has_all_tags,
    one_of,
)
from powerrag.store.schema import observations, scores, traces

_root = observations.alias("root_observation")
_IO_COLUMNS = (
    func.coalesce(traces.c.input, _root.c.input).label("input"),
    func.coalesce(traces.c.output, _root.c.output).label("output"),
)
_BASE_COLUMNS = [c for c in traces.c if c.name not in ("input", "output")]


def _select_traces(with_io: bool) -> Select[Any]:
    if not with_io:
        return select(*_BASE_COLUMNS)
    joined = traces.outerjoin(
        _root,
        and_(_root.c.project_id == traces.c.project_id, _root.c.id == traces.c.root_observation_id),
    )
    return select(*_BASE_COLUMNS, *_IO_COLUMNS).select_from(joined)


def _where(project_id: str, f: TraceFilter) -> list[Any]:
    t = traces.c
    return [
        t.project_id == project_id,
        equals(t.name, f.name),
        equals(t.user_id, f.user_id),
        equals(t.session_id, f.session_id),
        equals(t.version, f.version),
        equals(t.release, f.release),
        one_of(t.environment, f.environments),
        f.timestamp.where(t.timestamp),
        has_all_tags(t.tags, f.tags),
    ]


def count_traces(conn: Connection, project_id: str, f: TraceFilter) -> int:
    query = select(func.count()).select_from(traces).where(*_where(project_id, f))
    return int(conn.execute(query).scalar_one())


def list_traces(
    conn: Connection,
    project_id: str,
    f: TraceFilter,
    order: TraceOrder,
    page: PageRequest,
    *,
    with_io: bool = True,
) -> list[dict[str, Any]]:
    column = traces.c[order.field]
    direction = desc if order.descending else asc
    query = (
        _select_traces(with_io)
        .where(*_where(project_id, f))
        .order_by(direction(column), direction(traces.c.id))
        .limit(page.limit)
        .offset(page.offset)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def get_trace(
    conn: Connection, project_id: str, trace_id: str, *, with_io: bool = True
) -> dict[str, Any] | None:
    query = _select_traces(with_io).where(
        traces.c.project_id == project_id, traces.c.id == trace_id
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def session_traces(conn: Connection, project_id: str, session_id: str) -> list[dict[str, Any]]:
    """A session's traces in time order (uses ix_traces_project_session)."""
    query = (
        _select_traces(True)
        .where(traces.c.project_id == project_id, traces.c.session_id == session_id)
        .order_by(traces.c.timestamp, traces.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


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
