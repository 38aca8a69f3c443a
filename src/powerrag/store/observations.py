"""Reading observations: paged (v1) and cursor (v2) lists, one, a trace's, trees.

Full rows carry their trace's user, session, name, tags, release, bookmark and
public flag (`trace_*`) from one join on the trace's primary key, and their
metadata made whole again with the span origin (`store/origins.py`). Their `prompt_id`
is not read here: prompts live beside projects (in PostgreSQL when trace data is in
ClickHouse), so query/prices.py resolves it from the prompt name and version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, or_, select, true
from sqlalchemy import func as sql

from powerrag.domain.filters import ObservationCursor, ObservationFilter, PageRequest
from powerrag.domain.rows import GenerationIO, ObservationNode, ObservationRow, StepIO
from powerrag.store.filters import equals, in_range, one_of
from powerrag.store.infra.schema import observations, traces
from powerrag.store.origins import with_origins

_o = observations.c
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
    traces, and_(traces.c.project_id == _o.project_id, traces.c.id == _o.trace_id)
)
_SELECT = select(observations, *_TRACE_COLUMNS).select_from(_JOINED)


def _where(project_id: str, f: ObservationFilter) -> list[ColumnElement[bool]]:
    root: Any = true()
    if f.is_root is not None:
        is_root = or_(_o.parent_observation_id.is_(None), _o.is_app_root.is_(True))
        root = is_root if f.is_root else ~is_root
    return [
        _o.project_id == project_id,
        equals(_o.name, f.name),
        equals(traces.c.user_id, f.user_id),
        equals(traces.c.session_id, f.session_id),
        one_of(_o.type, f.types),
        equals(_o.trace_id, f.trace_id),
        equals(_o.level, f.level),
        equals(_o.parent_observation_id, f.parent_observation_id),
        one_of(_o.environment, f.environments),
        in_range(_o.start_time, f.start_time),
        equals(_o.version, f.version),
        one_of(_o.id, f.ids),
        root,
    ]


def _rows(
    conn: Connection, project_id: str, query: Any, params: dict[str, Any] | None = None
) -> list[ObservationRow]:
    rows = [dict(row) for row in conn.execute(query, params or {}).mappings()]
    return [ObservationRow(**row) for row in with_origins(conn, project_id, rows)]


def count_observations(conn: Connection, project_id: str, f: ObservationFilter) -> int:
    query = select(sql.count()).select_from(_JOINED).where(*_where(project_id, f))
    return int(conn.execute(query).scalar_one())


def list_observations(
    conn: Connection, project_id: str, f: ObservationFilter, page: PageRequest
) -> list[ObservationRow]:
    """Newest first (ix_observations_project_start); ties by id for stable pages."""
    query = (
        _SELECT.where(*_where(project_id, f))
        .order_by(_o.start_time.desc(), _o.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    return _rows(conn, project_id, query)


def _after(cursor: ObservationCursor | None) -> ColumnElement[bool]:
    """Rows strictly after the cursor in descending (start_time, trace_id, id) order."""
    if cursor is None:
        return true()
    return or_(
        _o.start_time < cursor.start_time,
        and_(_o.start_time == cursor.start_time, _o.trace_id < cursor.trace_id),
        and_(
            _o.start_time == cursor.start_time,
            _o.trace_id == cursor.trace_id,
            _o.id < cursor.id,
        ),
    )


def list_observations_after(
    conn: Connection,
    project_id: str,
    f: ObservationFilter,
    cursor: ObservationCursor | None,
    limit: int,
) -> list[ObservationRow]:
    """Up to `limit` rows after `cursor` in (start_time, trace_id, id) descending order."""
    query: Select[Any] = (
        _SELECT.where(*_where(project_id, f), _after(cursor))
        .order_by(_o.start_time.desc(), _o.trace_id.desc(), _o.id.desc())
        .limit(limit)
    )
    return _rows(conn, project_id, query)


def get_observations(
    conn: Connection, project_id: str, observation_ids: Sequence[str]
) -> list[ObservationRow]:
    """Whole rows of these observations, in no particular order."""
    if not observation_ids:
        return []
    params = {"project_id": project_id, "ids": list(observation_ids)}
    return _rows(conn, project_id, _STATEMENTS["by_id"], params)


def trace_observations(conn: Connection, project_id: str, trace_id: str) -> list[ObservationRow]:
    """A trace's observations in start-time order (ix_observations_project_trace)."""
    query = _SELECT.where(_o.project_id == project_id, _o.trace_id == trace_id).order_by(
        _o.start_time, _o.id
    )
    return _rows(conn, project_id, query)


# Columns of an observation needed for trees and timelines (not its I/O).
_NODE_COLUMNS = [observations.c[name] for name in ObservationNode.__dataclass_fields__]
_GENERATION_COLUMNS = [observations.c[name] for name in GenerationIO.__dataclass_fields__]
_STEP_COLUMNS = [observations.c[name] for name in StepIO.__dataclass_fields__]


def _statements() -> dict[str, Any]:
    """Built once: building them cost more than running them on a replay page."""
    project: Any = bindparam("project_id")
    ids: Any = bindparam("ids", expanding=True)
    # Ordering by trace first matches ix_observations_project_trace; ordering by start
    # time alone let SQLite walk the whole project's start-time index (docs/benchmarks.md).
    by_trace = (_o.trace_id, _o.start_time, _o.id)
    of_traces = (_o.project_id == project, _o.trace_id.in_(ids))
    return {
        "by_id": _SELECT.where(_o.project_id == project, _o.id.in_(ids)),
        "tree": select(*_NODE_COLUMNS).where(*of_traces).order_by(*by_trace),
        "tree_head": select(*_NODE_COLUMNS)
        .where(*of_traces)
        .order_by(*by_trace)
        .limit(bindparam("limit")),
        "generations": select(*_GENERATION_COLUMNS)
        .where(*of_traces, _o.type == "GENERATION")
        .order_by(*by_trace),
        "steps": select(*_STEP_COLUMNS)
        .where(*of_traces, _o.type != "GENERATION")
        .order_by(*by_trace),
    }


_STATEMENTS = _statements()


def tree_nodes(
    conn: Connection, project_id: str, trace_ids: Sequence[str], limit: int | None = None
) -> list[ObservationNode]:
    """Tree columns of the observations of these traces, by trace, then start time
    (the first `limit` of them when given)."""
    if not trace_ids:
        return []
    params: dict[str, Any] = {"project_id": project_id, "ids": list(trace_ids)}
    statement = _STATEMENTS["tree"]
    if limit is not None:
        statement, params["limit"] = _STATEMENTS["tree_head"], limit
    return [ObservationNode(**r) for r in conn.execute(statement, params).mappings()]


def generations_of(
    conn: Connection, project_id: str, trace_ids: Sequence[str]
) -> list[GenerationIO]:
    """Generations of these traces with their I/O: the conversation of each turn."""
    if not trace_ids:
        return []
    params = {"project_id": project_id, "ids": list(trace_ids)}
    rows = conn.execute(_STATEMENTS["generations"], params).mappings()
    return [GenerationIO(**r) for r in rows]


def step_io_of(conn: Connection, project_id: str, trace_ids: Sequence[str]) -> list[StepIO]:
    """I/O and metadata of these traces' observations but generations (whose I/O
    `generations_of` reads): the replay's root conversations and steps."""
    if not trace_ids:
        return []
    params = {"project_id": project_id, "ids": list(trace_ids)}
    return [StepIO(**r) for r in conn.execute(_STATEMENTS["steps"], params).mappings()]
