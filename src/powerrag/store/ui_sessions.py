"""SQL behind the sessions pages: the filtered list, one session, its flags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, exists, func, select, update

from powerrag.store.schema import observations, scores, sessions, traces
from powerrag.store.ui_search import LIKE_ESCAPE, contains_phrase

SESSION_SORTS: dict[str, Any] = {
    "id": sessions.c.id,
    "created": sessions.c.created_at,
    "last_activity": sessions.c.last_activity_at,
    "duration": sessions.c.last_activity_at - sessions.c.created_at,
    "traces": sessions.c.trace_count,
    "input_tokens": sessions.c.input_tokens,
    "output_tokens": sessions.c.output_tokens,
    "total_tokens": sessions.c.total_tokens,
    "cost": sessions.c.total_cost,
    "errors": sessions.c.error_count,
}


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """What the sessions list may be narrowed by; empty fields do not filter."""

    start: int | None = None
    end: int | None = None
    user_id: str = ""
    environment: str = ""
    bookmarked: bool = False
    id_contains: str = ""
    text: str = ""


def _conditions(project_id: str, f: SessionFilter) -> list[ColumnElement[bool]]:
    s = sessions.c
    where: list[ColumnElement[bool]] = [s.project_id == project_id]
    if f.start is not None:
        where.append(s.last_activity_at >= f.start)
    if f.end is not None:
        where.append(s.created_at <= f.end)
    if f.user_id:
        # user_ids is a JSON array of strings: match the quoted element.
        quoted = '"' + f.user_id.replace("!", "!!").replace("%", "!%").replace("_", "!_") + '"'
        where.append(s.user_ids.like(f"%{quoted}%", escape=LIKE_ESCAPE))
    if f.environment:
        where.append(s.environment == f.environment)
    if f.bookmarked:
        where.append(s.bookmarked.is_(True))
    if f.id_contains:
        escaped = f.id_contains.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        where.append(s.id.ilike(f"%{escaped}%", escape=LIKE_ESCAPE))
    if f.text:
        where.append(_text_condition(project_id, f.text))
    return where


def _text_condition(project_id: str, phrase: str) -> ColumnElement[bool]:
    t, o = traces.c, observations.c
    in_traces = exists(
        select(1)
        .where(
            t.project_id == project_id,
            t.session_id == sessions.c.id,
            contains_phrase([t.input, t.output], phrase),
        )
        .correlate(sessions)
    )
    in_observations = exists(
        select(1)
        .select_from(
            observations.join(traces, (t.project_id == o.project_id) & (t.id == o.trace_id))
        )
        .where(
            t.project_id == project_id,
            t.session_id == sessions.c.id,
            contains_phrase([o.input, o.output], phrase),
        )
        .correlate(sessions)
    )
    return in_traces | in_observations


def list_sessions(
    conn: Connection,
    project_id: str,
    f: SessionFilter,
    *,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of session rows and the number of sessions that match."""
    where = _conditions(project_id, f)
    key = SESSION_SORTS[sort]
    order = [key.desc() if descending else key.asc(), sessions.c.id]
    rows = conn.execute(
        select(sessions).where(*where).order_by(*order).limit(limit).offset(offset)
    ).mappings()
    total = conn.execute(select(func.count()).select_from(sessions).where(*where)).scalar_one()
    return [dict(r) for r in rows], int(total)


ENVIRONMENT_SAMPLE = 1000


def list_environments(conn: Connection, project_id: str) -> list[str]:
    """Environments of the most recent sessions: filter suggestions in index time.

    A GROUP BY over every session costs a full scan (~60 ms at 100,000 sessions);
    the filter itself takes any environment typed in.
    """
    recent = (
        select(sessions.c.environment)
        .where(sessions.c.project_id == project_id)
        .order_by(sessions.c.last_activity_at.desc())
        .limit(ENVIRONMENT_SAMPLE)
        .subquery()
    )
    rows = conn.execute(select(recent.c.environment).distinct().order_by(recent.c.environment))
    return [r[0] for r in rows]


# Built once: every replay page asks for it (construction showed in profiles).
_SESSION_SCORES = (
    select(scores)
    .where(
        scores.c.project_id == bindparam("project_id"),
        scores.c.session_id.in_(bindparam("ids", expanding=True)),
        scores.c.trace_id.is_(None),
    )
    .order_by(scores.c.timestamp)
)


def set_session_flag(
    conn: Connection, project_id: str, session_id: str, flag: str, value: bool
) -> bool:
    """Set `bookmarked` or `public`; False when the session does not exist."""
    column = {"bookmarked": sessions.c.bookmarked, "public": sessions.c.public}[flag]
    result = conn.execute(
        update(sessions)
        .where(sessions.c.project_id == project_id, sessions.c.id == session_id)
        .values({column: value})
    )
    return bool(result.rowcount)


def session_scores(
    conn: Connection, project_id: str, session_ids: list[str]
) -> list[dict[str, Any]]:
    """Scores attached to the sessions themselves (not to their traces), oldest first."""
    if not session_ids:
        return []
    rows = conn.execute(_SESSION_SCORES, {"project_id": project_id, "ids": session_ids})
    return [dict(r) for r in rows.mappings()]
