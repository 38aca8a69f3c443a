"""Reading scores (filtered pages, keyset pages, one, a trace's or session's) and deleting one.

Rows carry their trace's user, tags, environment and session (`trace_*`) from one
join on the trace's primary key.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, or_, select, true
from sqlalchemy import func as sql

from powerrag.domain.filters import VALUE_OPERATORS, PageRequest, ScoreCursor, ScoreFilter
from powerrag.domain.rows import ScoreRow
from powerrag.domain.scores import V1_DATA_TYPES
from powerrag.store.filters import equals, has_all, in_range, one_of
from powerrag.store.infra.schema import scores, traces

_s = scores.c
_TRACE_COLUMNS = (
    traces.c.user_id.label("trace_user_id"),
    traces.c.tags.label("trace_tags"),
    traces.c.environment.label("trace_environment"),
    traces.c.session_id.label("trace_session_id"),
)
_JOINED = scores.outerjoin(
    traces, and_(traces.c.project_id == _s.project_id, traces.c.id == _s.trace_id)
)
_SELECT = select(scores, *_TRACE_COLUMNS).select_from(_JOINED)
_COMPARE: dict[str, Callable[[Any, float], Any]] = dict(
    zip(
        VALUE_OPERATORS,
        (operator.lt, operator.gt, operator.le, operator.ge, operator.eq, operator.ne),
        strict=True,
    )
)


def _where(project_id: str, f: ScoreFilter) -> list[ColumnElement[bool]]:
    value: Any = true() if f.value is None else _COMPARE[f.value[0]](_s.value, f.value[1])
    return [
        _s.project_id == project_id,
        one_of(_s.id, f.ids),
        one_of(_s.name, f.names),
        one_of(_s.source, f.sources),
        one_of(_s.data_type, f.data_types),
        one_of(_s.environment, f.environments),
        one_of(_s.config_id, f.config_ids),
        one_of(_s.queue_id, f.queue_ids),
        one_of(_s.author_user_id, f.author_user_ids),
        one_of(_s.value, f.numeric_values),
        one_of(_s.string_value, f.string_values),
        _s.value >= f.value_min if f.value_min is not None else true(),
        _s.value <= f.value_max if f.value_max is not None else true(),
        value,
        one_of(_s.trace_id, f.trace_ids),
        one_of(_s.session_id, f.session_ids),
        one_of(_s.observation_id, f.observation_ids),
        one_of(_s.dataset_run_id, f.dataset_run_ids),
        in_range(_s.timestamp, f.timestamp),
        equals(traces.c.user_id, f.user_id),
        has_all(traces.c.tags, f.trace_tags),
        _v1() if f.v1_only else true(),
    ]


def _v1() -> ColumnElement[bool]:
    return and_(_s.trace_id.is_not(None), _s.data_type.in_(V1_DATA_TYPES))


def _rows(conn: Connection, query: Any, params: dict[str, Any] | None = None) -> list[ScoreRow]:
    return [ScoreRow(**row) for row in conn.execute(query, params or {}).mappings()]


def count_scores(conn: Connection, project_id: str, f: ScoreFilter) -> int:
    query = select(sql.count()).select_from(_JOINED).where(*_where(project_id, f))
    return int(conn.execute(query).scalar_one())


def list_scores(
    conn: Connection, project_id: str, f: ScoreFilter, page: PageRequest
) -> list[ScoreRow]:
    """Newest first (ix_scores_project_timestamp); ties by id for stable pages."""
    query = (
        _SELECT.where(*_where(project_id, f))
        .order_by(_s.timestamp.desc(), _s.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    return _rows(conn, query)


def list_scores_after(
    conn: Connection, project_id: str, f: ScoreFilter, cursor: ScoreCursor | None, limit: int
) -> list[ScoreRow]:
    """Up to `limit` scores after `cursor` in (timestamp, id) descending order."""
    after: Any = true()
    if cursor is not None:
        after = or_(
            _s.timestamp < cursor.timestamp,
            and_(_s.timestamp == cursor.timestamp, _s.id < cursor.id),
        )
    query = (
        _SELECT.where(*_where(project_id, f), after)
        .order_by(_s.timestamp.desc(), _s.id.desc())
        .limit(limit)
    )
    return _rows(conn, query)


def get_score(conn: Connection, project_id: str, score_id: str) -> ScoreRow | None:
    rows = _rows(conn, _SELECT.where(_s.project_id == project_id, _s.id == score_id))
    return rows[0] if rows else None


def _statements() -> dict[str, Any]:
    """Built once: every replay page asks for them (construction showed in profiles)."""
    project = _s.project_id == bindparam("project_id")
    ids: Any = bindparam("ids", expanding=True)
    oldest_first = (_s.timestamp, _s.id)
    return {
        "of_traces": _SELECT.where(project, _s.trace_id.in_(ids)).order_by(*oldest_first),
        # Scores of the sessions themselves, not of their traces.
        "of_sessions": _SELECT.where(
            project, _s.session_id.in_(ids), _s.trace_id.is_(None)
        ).order_by(*oldest_first),
    }


_STATEMENTS = _statements()


def trace_scores(conn: Connection, project_id: str, trace_ids: Sequence[str]) -> list[ScoreRow]:
    """Scores of these traces (and their observations), oldest first."""
    if not trace_ids:
        return []
    params = {"project_id": project_id, "ids": list(trace_ids)}
    return _rows(conn, _STATEMENTS["of_traces"], params)


def session_scores(conn: Connection, project_id: str, session_ids: Sequence[str]) -> list[ScoreRow]:
    """Scores attached to the sessions themselves (not to their traces), oldest first."""
    if not session_ids:
        return []
    params = {"project_id": project_id, "ids": list(session_ids)}
    return _rows(conn, _STATEMENTS["of_sessions"], params)


def delete_score(conn: Connection, project_id: str, score_id: str) -> bool:
    """Remove one score; scores feed no stored summary, so nothing else changes."""
    result = conn.execute(delete(scores).where(_s.project_id == project_id, _s.id == score_id))
    return bool(result.rowcount)
