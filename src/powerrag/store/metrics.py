"""SQL of a metrics query (domain/metrics.py) on either engine.

As Langfuse's query builder, in two levels: an inner select has one row per trace,
observation or score with its dimensions, time bucket and measures; the outer level
aggregates those rows by dimensions and bucket. The database filters, joins and buckets;
the outer level runs here over the streamed rows, the same on both engines: SQLite has no
percentiles, and the engines' float sums and averages differ in the last digit.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    func,
    literal,
    not_,
    or_,
    select,
)

from powerrag.domain.metrics import PERCENTILES, Filter, MetricsQuery, percentile
from powerrag.store.filters import contains_text, json_element, like_escaped
from powerrag.store.infra.dialect import month_start, time_text
from powerrag.store.infra.schema import observations, scores, traces

_US = 1_000_000
_MS = 1000
_MINUTE, _HOUR, _DAY = 60 * _US, 3600 * _US, 86_400 * _US
# The epoch was a Thursday: Mondays fall 4 days after it, modulo 7.
_MONDAY = 4 * _DAY

t = traces.alias("t")
o = observations.alias("o")
s = scores.alias("s")


def _ms(later: Any, earlier: Any) -> Any:
    return (later - earlier) / float(_MS)


def _trace_columns(dialect: str) -> dict[str, Any]:
    return {
        "id": t.c.id,
        "name": t.c.name,
        "userId": t.c.user_id,
        "sessionId": t.c.session_id,
        "release": t.c.release,
        "version": t.c.version,
        "environment": t.c.environment,
        "timestampMonth": time_text(dialect, t.c.timestamp, "%Y-%m"),
        "traceName": t.c.name,
        "traceRelease": t.c.release,
        "traceVersion": t.c.version,
        "tags": t.c.tags,
    }


def _observation_columns(dialect: str) -> dict[str, Any]:
    trace = _trace_columns(dialect)
    root = or_(o.c.parent_observation_id.is_(None), o.c.is_app_root.is_(True))
    return {
        **{k: trace[k] for k in ("userId", "sessionId", "traceName", "tags")},
        **{k: trace[k] for k in ("traceRelease", "traceVersion")},
        "release": t.c.release,
        "id": o.c.id,
        "traceId": o.c.trace_id,
        "environment": o.c.environment,
        "parentObservationId": o.c.parent_observation_id,
        "type": o.c.type,
        "name": o.c.name,
        "level": o.c.level,
        "version": o.c.version,
        "providedModelName": o.c.model,
        "promptName": o.c.prompt_name,
        "promptVersion": o.c.prompt_version,
        "startTimeMonth": time_text(dialect, o.c.start_time, "%Y-%m"),
        "isRootObservation": root,
        "startTime": o.c.start_time,
    }


def _score_columns(dialect: str) -> dict[str, Any]:
    trace = _trace_columns(dialect)
    return {
        **{k: trace[k] for k in ("userId", "traceName", "traceRelease", "traceVersion", "tags")},
        "sessionId": func.coalesce(s.c.session_id, t.c.session_id),
        "id": s.c.id,
        "environment": s.c.environment,
        "name": s.c.name,
        "source": s.c.source,
        "dataType": s.c.data_type,
        "traceId": s.c.trace_id,
        "configId": s.c.config_id,
        "timestampMonth": time_text(dialect, s.c.timestamp, "%Y-%m"),
        "timestampDay": time_text(dialect, s.c.timestamp, "%Y-%m-%d"),
        "observationId": s.c.observation_id,
        "observationName": o.c.name,
        "observationModelName": o.c.model,
        "observationPromptName": o.c.prompt_name,
        "observationPromptVersion": o.c.prompt_version,
        "value": s.c.value,
        "booleanValue": s.c.value == 1,
        "stringValue": s.c.string_value,
        "timestamp": s.c.timestamp,
    }


def _measures(view: str) -> dict[str, Any]:
    if view == "traces":
        return {
            "count": literal(1),
            "observationsCount": t.c.observation_count,
            "latency": _ms(t.c.end_time, t.c.timestamp),
            "totalTokens": t.c.total_tokens,
            "totalCost": t.c.total_cost,
        }
    if view == "observations":
        return {
            "count": literal(1),
            "latency": _ms(o.c.end_time, o.c.start_time),
            "streamingLatency": _ms(o.c.end_time, o.c.completion_start_time),
            "timeToFirstToken": _ms(o.c.completion_start_time, o.c.start_time),
            "inputTokens": o.c.input_tokens,
            "outputTokens": o.c.output_tokens,
            "totalTokens": o.c.total_tokens,
            "inputCost": func.coalesce(o.c.input_cost, 0.0),
            "outputCost": func.coalesce(o.c.output_cost, 0.0),
            "totalCost": o.c.total_cost,
        }
    return {"count": literal(1), "value": s.c.value}


# The measures that count a trace's or an observation's scores, and the scores' column
# that names what they were given to.
_SCORE_COUNTS = {
    "scoresCount": ("traces", scores.c.trace_id),
    "countScores": ("observations", scores.c.observation_id),
}


def _with_score_counts(
    view: str, project_id: str, source: Any, measures: dict[str, Any], wanted: set[str]
) -> Any:
    """`source` joined to each row's score count when a wanted measure counts scores: a join
    with counts grouped once, not a subquery per row (ClickHouse runs no correlated
    subquery of this shape)."""
    for measure, (counted_view, key) in _SCORE_COUNTS.items():
        if measure not in wanted or view != counted_view:
            continue
        counts = (
            select(key.label("key"), func.count().label("n"))
            .where(scores.c.project_id == project_id, key.is_not(None))
            .group_by(key)
            .subquery("score_counts")
        )
        row_id = t.c.id if view == "traces" else o.c.id
        measures[measure] = func.coalesce(counts.c.n, 0)
        source = source.outerjoin(counts, counts.c.key == row_id)
    return source


def _source(view: str, dialect: str, project_id: str) -> tuple[Any, dict[str, Any], Any]:
    """FROM clause, dimension columns and time column of a view."""
    if view == "traces":
        columns = _trace_columns(dialect)
        columns["timestamp"] = t.c.timestamp
        return t, columns, t.c.timestamp
    if view == "observations":
        joined = o.outerjoin(t, and_(t.c.project_id == o.c.project_id, t.c.id == o.c.trace_id))
        return joined, _observation_columns(dialect), o.c.start_time
    joined = s.outerjoin(
        t, and_(t.c.project_id == s.c.project_id, t.c.id == s.c.trace_id)
    ).outerjoin(o, and_(o.c.project_id == s.c.project_id, o.c.id == s.c.observation_id))
    return joined, _score_columns(dialect), s.c.timestamp


def bucket(dialect: str, column: Any, granularity: str) -> Any:
    """The start of a time's bucket, in microseconds."""
    if granularity == "month":
        return month_start(dialect, column)
    if granularity == "week":
        return ((column - _MONDAY) // (7 * _DAY)) * (7 * _DAY) + _MONDAY
    size = {"minute": _MINUTE, "hour": _HOUR, "day": _DAY}[granularity]
    return (column // size) * size


def _condition(column: Any, f: Filter) -> ColumnElement[bool]:
    value, op = f.value, f.operator
    if f.type == "arrayOptions":
        found = [json_element(column, str(v)) for v in value]
        if op == "all of":
            return and_(literal(True), *found)
        return or_(*found) if op == "any of" else not_(or_(literal(False), *found))
    if f.type == "stringOptions":
        listed = column.in_([str(v) for v in value])
        return listed if op == "any of" else or_(column.is_(None), not_(listed))
    if f.type == "boolean":
        same: ColumnElement[bool] = column == bool(value)
        return same if op == "=" else not_(same)
    if f.type == "string":
        text = str(value)
        patterns = {"starts with": f"{like_escaped(text)}%", "ends with": f"%{like_escaped(text)}"}
        if op in patterns:
            matched: ColumnElement[bool] = column.like(patterns[op], escape="!")
            return matched
        if op in ("contains", "does not contain"):
            has = contains_text(column, text)
            return has if op == "contains" else or_(column.is_(None), not_(has))
        return column == text if op == "=" else or_(column.is_(None), column != text)
    compare = {"=": column.__eq__, ">": column.__gt__, "<": column.__lt__}
    compare |= {">=": column.__ge__, "<=": column.__le__}
    result: ColumnElement[bool] = compare[op](value)
    return result


def _inner(dialect: str, project_id: str, q: MetricsQuery) -> Select[Any]:
    view = q.view.name if not q.view.name.startswith("scores") else "scores"
    source, columns, time_column = _source(view, dialect, project_id)
    base = {"traces": t, "observations": o, "scores": s}[view]
    picked = [columns[d].label(d) for d in q.dimensions]
    if q.granularity:
        picked.append(bucket(dialect, time_column, q.granularity).label("time_dimension"))
    measures = _measures(view)
    wanted = {m.measure for m in q.metrics}
    source = _with_score_counts(view, project_id, source, measures, wanted)
    picked += [measures[m].label(f"m_{m}") for m in sorted(wanted)]
    where = [
        base.c.project_id == project_id,
        time_column >= q.start,
        time_column <= q.end,
        *(_condition(columns[f.column], f) for f in q.filters),
    ]
    if q.view.data_types:
        where.append(s.c.data_type.in_(q.view.data_types))
    return select(*picked).select_from(source).where(*where)


def run(conn: Connection, project_id: str, q: MetricsQuery) -> list[dict[str, Any]]:
    """The aggregated rows, keyed by dimension, `time_dimension` and `{agg}_{measure}`;
    unordered (the caller orders, limits and fills)."""
    inner = _inner(conn.dialect.name, project_id, q)
    keys = [*q.dimensions, *(["time_dimension"] if q.granularity else [])]
    keep = any(m.aggregation in PERCENTILES for m in q.metrics)
    groups: dict[tuple[Any, ...], dict[str, _Figures]] = {}
    streamed = conn.execution_options(stream_results=True, yield_per=1000).execute(inner)
    for row in streamed.mappings():
        figures = groups.setdefault(tuple(row[k] for k in keys), {})
        for m in q.metrics:
            name = f"m_{m.measure}"
            value = row[name]
            if value is not None:
                figures.setdefault(name, _Figures(keep)).add(float(value))
    if not groups and not keys:
        groups[()] = {}
    result = []
    for key, figures in groups.items():
        out = dict(zip(keys, key, strict=True))
        for m in q.metrics:
            out[m.alias] = figures.get(f"m_{m.measure}", _Figures(keep)).answer(m.aggregation)
        result.append(out)
    return result


class _Figures:
    """One group's values of one measure: count, extremes, an exactly rounded sum (the
    partials of Shewchuk's algorithm, as math.fsum), and the values when a percentile
    needs them. Exact sums make both engines answer the same number whatever the order
    their rows come in."""

    def __init__(self, keep: bool) -> None:
        self.count = 0
        self.low = self.high = 0.0
        self.partials: list[float] = []
        self.values: list[float] | None = [] if keep else None

    def add(self, x: float) -> None:
        self.low = x if not self.count else min(self.low, x)
        self.high = x if not self.count else max(self.high, x)
        self.count += 1
        if self.values is not None:
            self.values.append(x)
        kept = 0
        for y in self.partials:
            if abs(x) < abs(y):
                x, y = y, x
            high = x + y
            low = y - (high - x)
            if low:
                self.partials[kept] = low
                kept += 1
            x = high
        self.partials[kept:] = [x]

    def answer(self, aggregation: str) -> float | int | None:
        if aggregation == "count":
            return self.count
        if not self.count:
            return None
        if aggregation in PERCENTILES:
            return percentile(self.values or [], PERCENTILES[aggregation])
        total = math.fsum(self.partials)
        answers = {"sum": total, "avg": total / self.count, "max": self.high, "min": self.low}
        return answers[aggregation]
