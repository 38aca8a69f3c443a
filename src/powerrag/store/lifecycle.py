"""Session status: idle sessions, ending one, its continuation link and what checks read.

The writer only stamps `updated_at` and clears `ended_at` (store/writer.py); everything
here runs in the background worker or on an explicit end (powerrag/lifecycle.py).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, and_, or_, select, update

from powerrag.domain.checks import SessionFacts, Turn
from powerrag.domain.session_end import IDLE_OPTION
from powerrag.store.filters import contains_text
from powerrag.store.infra.schema import observations, projects, sessions, traces

_s, _t, _o = sessions.c, traces.c, observations.c
PREVIOUS_ID_KEY = "session.previous_id"


def idle_overrides(conn: Connection) -> dict[str, int]:
    """Project id -> its own idle timeout in seconds, for the projects that set one (in
    their options, `projects.metadata`: project_options.py)."""
    query = select(projects.c.id, projects.c.metadata).where(
        contains_text(projects.c.metadata, f'"{IDLE_OPTION}"')
    )
    found: dict[str, int] = {}
    for project_id, text in conn.execute(query):
        options = orjson.loads(text)
        value = options.get(IDLE_OPTION) if isinstance(options, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            found[project_id] = value
    return found


def idle_sessions(
    conn: Connection, cutoff: int, limit: int, cutoffs: dict[str, int] | None = None
) -> list[tuple[str, str]]:
    """(project, session) of open sessions asked to end by a trace, then of those with no
    trace since their project's cutoff (`cutoffs`, else `cutoff`), oldest first."""
    own = cutoffs or {}
    stale = [and_(_s.project_id.not_in(list(own)), _s.updated_at < cutoff)] if own else []
    stale += [and_(_s.project_id == p, _s.updated_at < c) for p, c in sorted(own.items())]
    asked = (
        select(_s.project_id, _s.id)
        .where(_s.ended_at.is_(None), _s.end_requested.is_(True))
        .order_by(_s.updated_at)
        .limit(limit)
    )
    idle = (
        select(_s.project_id, _s.id)
        .where(_s.ended_at.is_(None), or_(*stale) if stale else _s.updated_at < cutoff)
        .order_by(_s.updated_at)
        .limit(limit)
    )
    found = [(r[0], r[1]) for r in conn.execute(asked)]
    return list(dict.fromkeys(found + [(r[0], r[1]) for r in conn.execute(idle)]))[:limit]


def request_end(conn: Connection, project_id: str, session_ids: list[str]) -> None:
    """A trace asked to end these sessions (docs/evaluation.md): the next pass ends them."""
    conn.execute(
        update(sessions)
        .where(_s.project_id == project_id, _s.id.in_(session_ids))
        .values(end_requested=True)
    )


def end_session(
    conn: Connection, project_id: str, session_id: str, now: int, idle_before: int | None
) -> int | None:
    """End an open session (only if still idle since `idle_before`, when given); its end
    time, or None when it was already ended, gone or has just had a trace."""
    where = [_s.project_id == project_id, _s.id == session_id, _s.ended_at.is_(None)]
    if idle_before is not None:
        where.append(or_(_s.updated_at < idle_before, _s.end_requested.is_(True)))
    previous = previous_id_of(conn, project_id, session_id)
    result = conn.execute(
        update(sessions)
        .where(*where)
        .values(ended_at=now, previous_id=previous, end_requested=False)
    )
    return now if result.rowcount == 1 else None


def previous_id_of(conn: Connection, project_id: str, session_id: str) -> str | None:
    """`session.previous_id` from the session's first trace that has it in its metadata,
    at its top (Langfuse SDK metadata) or in `attributes` (other OpenTelemetry SDKs)."""
    query = (
        select(_t.metadata)
        .where(_t.project_id == project_id, _t.session_id == session_id, _t.metadata.is_not(None))
        .order_by(_t.timestamp, _t.id)
    )
    for (text,) in conn.execute(query):
        if PREVIOUS_ID_KEY not in text:
            continue
        found = _previous_in(orjson.loads(text))
        if found and found != session_id:
            return found[:200]
    return None


def _previous_in(meta: Any) -> str | None:
    if not isinstance(meta, dict):
        return None
    attributes = meta.get("attributes")
    for value in (meta.get(PREVIOUS_ID_KEY), (attributes or {}).get(PREVIOUS_ID_KEY)):
        if isinstance(value, str) and value:
            return value
    return None


def session_facts(conn: Connection, project_id: str, session_id: str) -> SessionFacts | None:
    """What the built-in checks read of one session: its row, traces and tool calls."""
    row = (
        conn.execute(select(sessions).where(_s.project_id == project_id, _s.id == session_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    turns = tuple(
        Turn(r[0], r[1], r[2], r[3])
        for r in conn.execute(
            select(_t.id, _t.timestamp, _t.end_time, _t.input)
            .where(_t.project_id == project_id, _t.session_id == session_id)
            .order_by(_t.timestamp, _t.id)
        )
    )
    # By trace id, not a join: ClickHouse then reads only these traces' part of the
    # observations' sort key (project_id, trace_id, id).
    own = select(_t.id).where(_t.project_id == project_id, _t.session_id == session_id)
    tools = conn.execute(
        select(_o.name, _o.input)
        .where(_o.project_id == project_id, _o.trace_id.in_(own), _o.type == "TOOL")
        .order_by(_o.start_time, _o.id)
    )
    return SessionFacts(
        session_id=session_id,
        environment=row["environment"],
        trace_count=row["trace_count"],
        error_count=row["error_count"],
        total_cost=float(row["total_cost"]),
        turns=turns,
        tool_calls=tuple((r[0] or "", r[1] or "") for r in tools),
    )
