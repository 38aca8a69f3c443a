"""SQL for reading scores (filtered pages, one, a trace's) and deleting one score.

Rows carry their trace's user, tags, environment and session (`trace_*` keys)
from one join on the trace's primary key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, delete, func, or_, select, true

from powerrag.store.read_filters import (
    V1_SCORE_DATA_TYPES,
    PageRequest,
    ScoreCursor,
    ScoreFilter,
    ScoreV3Filter,
    equals,
    has_all_tags,
    one_of,
)
from powerrag.store.schema import scores, traces

_TRACE_COLUMNS = (
    traces.c.user_id.label("trace_user_id"),
    traces.c.tags.label("trace_tags"),
    traces.c.environment.label("trace_environment"),
    traces.c.session_id.label("trace_session_id"),
)
_JOINED = scores.outerjoin(
    traces, and_(traces.c.project_id == scores.c.project_id, traces.c.id == scores.c.trace_id)
)
_OPERATORS = {
    "<": lambda c, v: c < v,
    ">": lambda c, v: c > v,
    "<=": lambda c, v: c <= v,
    ">=": lambda c, v: c >= v,
    "=": lambda c, v: c == v,
    "!=": lambda c, v: c != v,
}
VALUE_OPERATORS = tuple(_OPERATORS)


def _select() -> Select[Any]:
    return select(scores, *_TRACE_COLUMNS).select_from(_JOINED)


def _where(project_id: str, f: ScoreFilter) -> list[Any]:
    s = scores.c
    value: Any = true() if f.value is None else _OPERATORS[f.value[0]](s.value, f.value[1])
    return [
        s.project_id == project_id,
        equals(traces.c.user_id, f.user_id),
        equals(s.name, f.name),
        f.timestamp.where(s.timestamp),
        one_of(s.environment, f.environments),
        equals(s.source, f.source),
        value,
        one_of(s.id, f.score_ids),
        equals(s.config_id, f.config_id),
        equals(s.session_id, f.session_id),
        equals(s.dataset_run_id, f.dataset_run_id),
        equals(s.trace_id, f.trace_id),
        one_of(s.observation_id, f.observation_ids),
        equals(s.queue_id, f.queue_id),
        equals(s.data_type, f.data_type),
        has_all_tags(traces.c.tags, f.trace_tags) if f.trace_tags else true(),
        _v1(s) if f.v1_only else true(),
    ]


def _v1(s: Any) -> ColumnElement[bool]:
    return and_(s.trace_id.is_not(None), s.data_type.in_(V1_SCORE_DATA_TYPES))


def count_scores(conn: Connection, project_id: str, f: ScoreFilter) -> int:
    query = select(func.count()).select_from(_JOINED).where(*_where(project_id, f))
    return int(conn.execute(query).scalar_one())


def list_scores(
    conn: Connection, project_id: str, f: ScoreFilter, page: PageRequest
) -> list[dict[str, Any]]:
    """Newest first (ix_scores_project_timestamp); ties by id for stable pages."""
    query = (
        _select()
        .where(*_where(project_id, f))
        .order_by(scores.c.timestamp.desc(), scores.c.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def _where_v3(project_id: str, f: ScoreV3Filter) -> list[Any]:
    s = scores.c
    return [
        s.project_id == project_id,
        one_of(s.id, f.ids),
        one_of(s.name, f.names),
        one_of(s.source, f.sources),
        one_of(s.data_type, f.data_types),
        one_of(s.environment, f.environments),
        one_of(s.config_id, f.config_ids),
        one_of(s.queue_id, f.queue_ids),
        one_of(s.author_user_id, f.author_user_ids),
        s.value.in_(f.numeric_values) if f.numeric_values else true(),
        one_of(s.string_value, f.string_values),
        s.value >= f.value_min if f.value_min is not None else true(),
        s.value <= f.value_max if f.value_max is not None else true(),
        one_of(s.trace_id, f.trace_ids),
        one_of(s.session_id, f.session_ids),
        one_of(s.observation_id, f.observation_ids),
        one_of(s.dataset_run_id, f.dataset_run_ids),
        f.timestamp.where(s.timestamp),
    ]


def list_scores_after(
    conn: Connection, project_id: str, f: ScoreV3Filter, cursor: ScoreCursor | None, limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` scores after `cursor` in (timestamp, id) descending order."""
    s = scores.c
    after: Any = true()
    if cursor is not None:
        after = or_(
            s.timestamp < cursor.timestamp,
            and_(s.timestamp == cursor.timestamp, s.id < cursor.id),
        )
    query = (
        select(scores)
        .where(*_where_v3(project_id, f), after)
        .order_by(s.timestamp.desc(), s.id.desc())
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def get_score(conn: Connection, project_id: str, score_id: str) -> dict[str, Any] | None:
    query = _select().where(scores.c.project_id == project_id, scores.c.id == score_id)
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def trace_scores(conn: Connection, project_id: str, trace_id: str) -> list[dict[str, Any]]:
    query = (
        _select()
        .where(scores.c.project_id == project_id, scores.c.trace_id == trace_id)
        .order_by(scores.c.timestamp, scores.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def delete_score(conn: Connection, project_id: str, score_id: str) -> bool:
    """Remove one score; scores feed no stored summary, so nothing else changes."""
    result = conn.execute(
        delete(scores).where(scores.c.project_id == project_id, scores.c.id == score_id)
    )
    return bool(result.rowcount)
