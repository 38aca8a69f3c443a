"""SQL behind the trace pages and the turns of a replay: traces, observations, scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, exists, func, select

from powerrag.store.origins import with_origins
from powerrag.store.schema import observations, scores, traces
from powerrag.store.ui_search import LIKE_ESCAPE, contains_phrase

# Columns of an observation needed for trees and timelines (not its I/O).
_TREE_COLUMNS = [
    observations.c.id,
    observations.c.trace_id,
    observations.c.parent_observation_id,
    observations.c.type,
    observations.c.name,
    observations.c.start_time,
    observations.c.end_time,
    observations.c.level,
    observations.c.model,
    observations.c.total_cost,
    observations.c.total_tokens,
    observations.c.status_message,
]


@dataclass(frozen=True, slots=True)
class TraceFilter:
    """The filters of the traces list (the public API's); empty fields do not filter."""

    name: str = ""
    user_id: str = ""
    session_id: str = ""
    tag: str = ""
    environment: str = ""
    level: str = ""
    start: int | None = None
    end: int | None = None
    text: str = ""


def _escape(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _conditions(project_id: str, f: TraceFilter) -> list[ColumnElement[bool]]:
    t = traces.c
    where: list[ColumnElement[bool]] = [t.project_id == project_id]
    for column, value in ((t.name, f.name), (t.user_id, f.user_id), (t.session_id, f.session_id)):
        if value:
            where.append(column == value)
    if f.environment:
        where.append(t.environment == f.environment)
    if f.level:
        where.append(t.level == f.level)
    if f.tag:
        where.append(t.tags.like(f'%"{_escape(f.tag)}"%', escape=LIKE_ESCAPE))
    if f.start is not None:
        where.append(t.timestamp >= f.start)
    if f.end is not None:
        where.append(t.timestamp <= f.end)
    if f.text:
        o = observations.c
        in_observations = exists(
            select(1).where(
                o.project_id == project_id,
                o.trace_id == t.id,
                contains_phrase([o.input, o.output], f.text),
            )
        )
        where.append(contains_phrase([t.input, t.output, t.name, t.id], f.text) | in_observations)
    return where


def list_traces(
    conn: Connection, project_id: str, f: TraceFilter, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where = _conditions(project_id, f)
    rows = conn.execute(
        select(traces)
        .where(*where)
        .order_by(traces.c.timestamp.desc(), traces.c.id)
        .limit(limit)
        .offset(offset)
    ).mappings()
    total = conn.execute(select(func.count()).select_from(traces).where(*where)).scalar_one()
    return [dict(r) for r in rows], int(total)


def get_trace(conn: Connection, project_id: str, trace_id: str) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(traces).where(traces.c.project_id == project_id, traces.c.id == trace_id)
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def _replay_statements() -> dict[str, Any]:
    """The replay's statements, built once: building them cost more than running them."""
    t, o, sc = traces.c, observations.c, scores.c
    project: Any = bindparam("project_id")
    session: Any = bindparam("session_id")
    ids: Any = bindparam("ids", expanding=True)
    in_session = (t.project_id == project, t.session_id == session)
    page = select(traces).where(*in_session).order_by(t.timestamp, t.id)
    paged = page.limit(bindparam("limit")).offset(bindparam("offset"))
    by_trace = (o.trace_id, o.start_time, o.id)
    return {
        "page": paged,
        "named": page.where(t.id.in_(ids)),
        "timeline": select(t.id, t.timestamp, t.end_time)
        .where(*in_session)
        .order_by(t.timestamp, t.id),
        "in_session": select(t.id).where(*in_session, t.id.in_(ids)),
        # Ordering by trace first matches ix_observations_project_trace; ordering by start
        # time alone let SQLite walk the whole project's start-time index (docs/benchmarks.md).
        "tree": select(*_TREE_COLUMNS)
        .where(o.project_id == project, o.trace_id.in_(ids))
        .order_by(*by_trace),
        "observations": select(observations).where(o.project_id == project, o.id.in_(ids)),
        "generations": select(o.id, o.trace_id, o.model, o.input, o.output, o.start_time)
        .where(o.project_id == project, o.trace_id.in_(ids), o.type == "GENERATION")
        .order_by(*by_trace),
        "scores": select(scores)
        .where(sc.project_id == project, sc.trace_id.in_(ids))
        .order_by(sc.timestamp),
    }


_SQL = _replay_statements()


def _rows(conn: Connection, name: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(_SQL[name], params).mappings()]


def session_traces(
    conn: Connection,
    project_id: str,
    session_id: str,
    *,
    limit: int,
    offset: int,
    trace_ids: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Traces of a session in time order (a page of them, or the named ones)."""
    key = {"project_id": project_id, "session_id": session_id}
    if trace_ids is not None:
        return _rows(conn, "named", ids=trace_ids, **key)[offset : offset + limit]
    return _rows(conn, "page", limit=limit, offset=offset, **key)


def session_timeline(conn: Connection, project_id: str, session_id: str) -> list[dict[str, Any]]:
    """Every trace of a session as (id, timestamp, end_time): the playback's clock."""
    return _rows(conn, "timeline", project_id=project_id, session_id=session_id)


def traces_in_session(
    conn: Connection, project_id: str, session_id: str, trace_ids: list[str]
) -> list[str]:
    """Which of these traces belong to the session (live updates ask this)."""
    if not trace_ids:
        return []
    key = {"project_id": project_id, "session_id": session_id, "ids": trace_ids}
    return [r["id"] for r in _rows(conn, "in_session", **key)]


def tree_observations(
    conn: Connection, project_id: str, trace_ids: list[str]
) -> list[dict[str, Any]]:
    """Tree columns of the observations of these traces, by trace, then start time."""
    return _rows(conn, "tree", project_id=project_id, ids=trace_ids) if trace_ids else []


def get_observations(
    conn: Connection, project_id: str, observation_ids: list[str]
) -> list[dict[str, Any]]:
    """Whole observation rows, I/O included."""
    if not observation_ids:
        return []
    rows = _rows(conn, "observations", project_id=project_id, ids=observation_ids)
    return with_origins(conn, project_id, rows)


def generations_of(conn: Connection, project_id: str, trace_ids: list[str]) -> list[dict[str, Any]]:
    """Generations of these traces with their I/O: the conversation of each turn."""
    return _rows(conn, "generations", project_id=project_id, ids=trace_ids) if trace_ids else []


def trace_scores(conn: Connection, project_id: str, trace_ids: list[str]) -> list[dict[str, Any]]:
    return _rows(conn, "scores", project_id=project_id, ids=trace_ids) if trace_ids else []
