"""Score summaries of sessions: each score name over a session's own scores and its traces'.

A session's scores are those carrying its id and no trace (Langfuse's session scores) and
those of its traces and their observations, joined on the trace's primary key. The list
shows them per name (the mean of numbers and booleans, the count of each category) and
filters sessions by them (docs/ui.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, func, select, true, union_all

from powerrag.domain.filters import ScoreCondition
from powerrag.domain.rows import ScoreSummary
from powerrag.store.infra.schema import scores, traces

_sc, _t = scores.c, traces.c
AVERAGED = ("NUMERIC", "BOOLEAN")
CATEGORICAL = "CATEGORICAL"
# Score names are read from the project's most recent scores (ix_scores_project_timestamp):
# a DISTINCT over every score would scan them all on each page view.
NAME_SAMPLE = 10_000


def _scored(project_id: str, *, name: str | None = None, sessions: Any = None) -> Any:
    """(session_id, name, data_type, value, string_value) of the sessions' scores."""
    columns = (_sc.name, _sc.data_type, _sc.value, _sc.string_value)
    names = true() if name is None else _sc.name == name
    own = select(_sc.session_id.label("session_id"), *columns).where(
        _sc.project_id == project_id, _sc.trace_id.is_(None), names
    )
    of_traces = (
        select(_t.session_id.label("session_id"), *columns)
        .select_from(
            scores.join(traces, and_(_t.project_id == _sc.project_id, _t.id == _sc.trace_id))
        )
        .where(_sc.project_id == project_id, names)
    )
    if sessions is None:
        own = own.where(_sc.session_id.is_not(None))
        of_traces = of_traces.where(_t.session_id.is_not(None))
    else:
        own = own.where(_sc.session_id.in_(sessions))
        of_traces = of_traces.where(_t.session_id.in_(sessions))
    return union_all(own, of_traces).subquery("scored")


def matching_sessions(project_id: str, condition: ScoreCondition) -> Select[Any]:
    """Ids of the sessions that meet the condition (a subquery for the list's WHERE)."""
    u = _scored(project_id, name=condition.name)
    if condition.category is not None:
        return select(u.c.session_id).where(
            u.c.data_type == CATEGORICAL, u.c.string_value == condition.category
        )
    if condition.minimum is None and condition.maximum is None:
        return select(u.c.session_id)
    mean = func.avg(u.c.value)
    bounds: list[ColumnElement[bool]] = []
    if condition.minimum is not None:
        bounds.append(mean >= condition.minimum)
    if condition.maximum is not None:
        bounds.append(mean <= condition.maximum)
    return (
        select(u.c.session_id)
        .where(u.c.data_type.in_(AVERAGED), u.c.value.is_not(None))
        .group_by(u.c.session_id)
        .having(*bounds)
    )


def score_summaries(
    conn: Connection, project_id: str, session_ids: Sequence[str]
) -> list[ScoreSummary]:
    """Each (session, score name) of these sessions, by session then name."""
    if not session_ids:
        return []
    u = _scored(project_id, sessions=list(session_ids))
    numbers = (
        select(u.c.session_id, u.c.name, func.avg(u.c.value), func.count())
        .where(u.c.data_type.in_(AVERAGED), u.c.value.is_not(None))
        .group_by(u.c.session_id, u.c.name)
    )
    labels = (
        select(u.c.session_id, u.c.name, u.c.string_value, func.count())
        .where(u.c.data_type == CATEGORICAL, u.c.string_value.is_not(None))
        .group_by(u.c.session_id, u.c.name, u.c.string_value)
    )
    means = {(r[0], r[1]): (float(r[2]), int(r[3])) for r in conn.execute(numbers)}
    counts: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for session_id, name, label, count in conn.execute(labels):
        counts.setdefault((session_id, name), []).append((label, int(count)))
    summaries = []
    for key in sorted(set(means) | set(counts)):
        average, how_many = means.get(key, (None, 0))
        seen = sorted(counts.get(key, []), key=lambda item: (-item[1], item[0]))
        summaries.append(ScoreSummary(key[0], key[1], average, how_many, tuple(seen)))
    return summaries


def score_names(conn: Connection, project_id: str) -> list[str]:
    """Names of the project's recent summarisable scores (not corrections), sorted."""
    recent = (
        select(_sc.name, _sc.data_type)
        .where(_sc.project_id == project_id)
        .order_by(_sc.timestamp.desc())
        .limit(NAME_SAMPLE)
        .subquery()
    )
    query = (
        select(recent.c.name)
        .where(recent.c.data_type.in_((*AVERAGED, CATEGORICAL)))
        .distinct()
        .order_by(recent.c.name)
    )
    return [str(r[0]) for r in conn.execute(query)]
