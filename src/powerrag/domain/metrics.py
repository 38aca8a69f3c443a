"""Langfuse's metrics query (`GET /api/public/metrics` and `/api/public/v2/metrics`).

The query JSON is read and checked here against the views PowerRAG answers: their
dimensions, measures and aggregations are Langfuse's (`packages/shared/src/features/
query/dataModel.ts` and `types.ts` in github.com/langfuse/langfuse); what PowerRAG does
not answer is a 400 naming it, never a silent ignore. PowerRAG's addition: `sessionId`
is a dimension in every view of both versions (Langfuse's v2 refuses to group by it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.timeutil import MAX_TIME_US, MIN_TIME_US, parse_iso

AGGREGATIONS = ("sum", "avg", "count", "max", "min", "p50", "p75", "p90", "p95", "p99")
PERCENTILES = {"p50": 0.5, "p75": 0.75, "p90": 0.9, "p95": 0.95, "p99": 0.99}
GRANULARITIES = ("auto", "minute", "hour", "day", "week", "month")
TIME_DIMENSION = "time_dimension"

_TRACE_DIMS = ("id", "name", "userId", "sessionId", "release", "version", "environment")
_OBSERVATION_DIMS = (
    "id",
    "traceId",
    "traceName",
    "environment",
    "parentObservationId",
    "type",
    "name",
    "level",
    "version",
    "providedModelName",
    "promptName",
    "promptVersion",
    "userId",
    "sessionId",
    "traceRelease",
    "traceVersion",
    "startTimeMonth",
)
_SCORE_DIMS = (
    "id",
    "environment",
    "name",
    "source",
    "dataType",
    "traceId",
    "configId",
    "timestampMonth",
    "timestampDay",
    "observationId",
    "traceName",
    "userId",
    "sessionId",
    "traceRelease",
    "traceVersion",
    "observationName",
    "observationModelName",
    "observationPromptName",
    "observationPromptVersion",
)
_OBSERVATION_MEASURES = (
    "count",
    "latency",
    "streamingLatency",
    "inputTokens",
    "outputTokens",
    "totalTokens",
    "inputCost",
    "outputCost",
    "totalCost",
    "timeToFirstToken",
    "countScores",
)


@dataclass(frozen=True, slots=True)
class View:
    name: str
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]
    # Dimensions v2 refuses to group by (Langfuse's `highCardinality`).
    high_cardinality: tuple[str, ...] = ()
    # Score views: the data types they hold (Langfuse's segments).
    data_types: tuple[str, ...] = ()


VIEWS_V1 = {
    "traces": View(
        "traces",
        (*_TRACE_DIMS, "timestampMonth"),
        ("count", "observationsCount", "scoresCount", "latency", "totalTokens", "totalCost"),
    ),
    "observations": View("observations", _OBSERVATION_DIMS, _OBSERVATION_MEASURES),
    "scores-numeric": View(
        "scores-numeric", (*_SCORE_DIMS, "value"), ("count", "value"), (), ("NUMERIC", "BOOLEAN")
    ),
    "scores-boolean": View(
        "scores-boolean", (*_SCORE_DIMS, "booleanValue"), ("count", "value"), (), ("BOOLEAN",)
    ),
    "scores-categorical": View(
        "scores-categorical", (*_SCORE_DIMS, "stringValue"), ("count",), (), ("CATEGORICAL",)
    ),
}
_V2_HIGH = {
    "observations": ("id", "traceId", "userId", "parentObservationId"),
    "scores": ("id", "traceId", "userId", "observationId"),
}
VIEWS_V2 = {
    "observations": View(
        "observations",
        (*_OBSERVATION_DIMS, "release", "isRootObservation"),
        _OBSERVATION_MEASURES,
        _V2_HIGH["observations"],
    ),
    **{
        name: View(v.name, v.dimensions, v.measures, _V2_HIGH["scores"], v.data_types)
        for name, v in VIEWS_V1.items()
        if name.startswith("scores-")
    },
}

# Filter types and their operators (Langfuse's `singleFilter`, packages/shared/src/
# interfaces/filters.ts) that PowerRAG answers.
FILTER_OPERATORS = {
    "string": ("=", "!=", "contains", "does not contain", "starts with", "ends with"),
    "stringOptions": ("any of", "none of"),
    "number": ("=", ">", "<", ">=", "<="),
    "datetime": (">", "<", ">=", "<="),
    "arrayOptions": ("any of", "all of", "none of"),
    "boolean": ("=", "<>"),
}


@dataclass(frozen=True, slots=True)
class Filter:
    column: str
    operator: str
    type: str
    value: Any


@dataclass(frozen=True, slots=True)
class Metric:
    measure: str
    aggregation: str

    @property
    def alias(self) -> str:
        return f"{self.aggregation}_{self.measure}"


@dataclass(frozen=True, slots=True)
class MetricsQuery:
    view: View
    dimensions: tuple[str, ...]
    metrics: tuple[Metric, ...]
    filters: tuple[Filter, ...]
    granularity: str | None
    start: int
    end: int
    order_by: tuple[tuple[str, str], ...]
    row_limit: int | None


def _list(query: dict[str, Any], name: str) -> list[Any]:
    value = query.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRequestError(f"{name} must be a list")
    return value


def _field(item: Any, key: str, where: str) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    if not isinstance(value, str):
        raise InvalidRequestError(f"{where} needs a string {key!r}")
    return value


def _time(query: dict[str, Any], name: str) -> int:
    value = query.get(name)
    try:
        return parse_iso(value) if isinstance(value, str) else parse_iso("")
    except ValueError:
        raise InvalidRequestError(f"{name} must be an ISO 8601 datetime, got {value!r}") from None


def _dimension(view: View, field: str, version: str) -> str:
    if field == "tags":
        raise InvalidRequestError("the dimension tags is not supported by PowerRAG; filter on it")
    if field not in view.dimensions:
        raise InvalidRequestError(
            f"Invalid dimension {field}. Must be one of {','.join(view.dimensions)}"
        )
    if version == "v2" and field in view.high_cardinality:
        raise InvalidRequestError(
            f"Dimension {field} has high cardinality and cannot be used as a grouping "
            f"dimension in v2; use it in filters instead"
        )
    return field


def _metric(view: View, item: Any, index: int) -> Metric:
    measure = _field(item, "measure", f"metrics[{index}]")
    aggregation = _field(item, "aggregation", f"metrics[{index}]")
    if measure not in view.measures:
        raise InvalidRequestError(
            f"Invalid metric {measure}. Must be one of {','.join(view.measures)}"
        )
    if aggregation not in AGGREGATIONS:
        raise InvalidRequestError(
            f"aggregation {aggregation!r} is not supported; one of {', '.join(AGGREGATIONS)}"
        )
    return Metric(measure, aggregation)


def _filter(view: View, item: Any, index: int) -> Filter:
    where = f"filters[{index}]"
    column = _field(item, "column", where)
    kind = _field(item, "type", where)
    operator = _field(item, "operator", where)
    time_column = "startTime" if view.name == "observations" else "timestamp"
    # Langfuse names the observations' time column as stored (`start_time`, dataModel.ts).
    column = time_column if column == "start_time" and view.name == "observations" else column
    if column not in (*view.dimensions, "tags", time_column):
        raise InvalidRequestError(
            f"Invalid filter column {column}. Must be one of {','.join(view.dimensions)}"
            f" or {time_column}"
        )
    if kind not in FILTER_OPERATORS or operator not in FILTER_OPERATORS[kind]:
        raise InvalidRequestError(
            f"{where}: filter type {kind!r} with operator {operator!r} is not supported"
        )
    value = item.get("value")
    if kind == "datetime":
        value = _time(item, "value")
    elif kind in ("stringOptions", "arrayOptions") and not isinstance(value, list):
        raise InvalidRequestError(f"{where}: a {kind} filter needs a list value")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidRequestError(f"{where}: a number filter needs a number value")
        value = float(value)  # an integer past 64 bits is no SQLite parameter
    return Filter(column, operator, kind, value)


def auto_granularity(start: int, end: int) -> str:
    """About 50 buckets over the range, as Langfuse's `determineTimeGranularity`."""
    hours = (end - start) / 3_600_000_000
    for limit, name in ((2, "minute"), (72, "hour"), (1440, "day"), (8760, "week")):
        if hours < limit:
            return name
    return "month"


def _granularity(query: dict[str, Any], start: int, end: int) -> str | None:
    time_dimension = query.get("timeDimension")
    if time_dimension is None:
        return None
    granularity = time_dimension.get("granularity") if isinstance(time_dimension, dict) else None
    if granularity not in GRANULARITIES:
        raise InvalidRequestError(
            f"timeDimension.granularity must be one of {', '.join(GRANULARITIES)}"
        )
    return auto_granularity(start, end) if granularity == "auto" else str(granularity)


def _order(query: dict[str, Any], dims: tuple[str, ...], metrics: tuple[Metric, ...]) -> Any:
    allowed = {*dims, TIME_DIMENSION, *(m.alias for m in metrics)}
    order = []
    for i, item in enumerate(_list(query, "orderBy")):
        field = _field(item, "field", f"orderBy[{i}]")
        direction = item.get("direction")
        if field not in allowed:
            raise InvalidRequestError(
                f"Invalid orderBy field: {field}. Must be one of the dimension or metric fields."
            )
        if direction not in ("asc", "desc"):
            raise InvalidRequestError(f"orderBy[{i}].direction must be asc or desc")
        order.append((field, str(direction)))
    return tuple(order)


def _row_limit(query: dict[str, Any], version: str) -> int | None:
    config = query.get("config") or {}
    limit = config.get("row_limit") if isinstance(config, dict) else None
    if limit is None:
        return 100 if version == "v2" else None
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise InvalidRequestError("config.row_limit must be an integer from 1 to 1000")
    return limit


def parse_query(text: str | None, version: str) -> MetricsQuery:
    """The `query` parameter as a MetricsQuery; InvalidRequestError naming what is wrong."""
    if not text:
        raise InvalidRequestError("the query parameter is required")
    try:
        query = json.loads(text)
    except ValueError:
        raise InvalidRequestError("Invalid JSON in query parameter") from None
    if not isinstance(query, dict):
        raise InvalidRequestError("the query parameter must be a JSON object")
    views = VIEWS_V2 if version == "v2" else VIEWS_V1
    view = views.get(str(query.get("view")))
    if view is None:
        raise InvalidRequestError(
            f"Invalid view {query.get('view')!r}. Must be one of {', '.join(views)}"
        )
    dims = tuple(
        _dimension(view, _field(d, "field", f"dimensions[{i}]"), version)
        for i, d in enumerate(_list(query, "dimensions"))
    )
    metrics = tuple(_metric(view, m, i) for i, m in enumerate(_list(query, "metrics")))
    if not metrics:
        raise InvalidRequestError("metrics must name at least one metric")
    start, end = _time(query, "fromTimestamp"), _time(query, "toTimestamp")
    if start >= end:
        raise InvalidRequestError("fromTimestamp must be before toTimestamp")
    # Nothing is stored outside these years (timeutil.in_range): a range reaching past
    # them answers the same, and its buckets stay countable.
    start, end = max(start, MIN_TIME_US), min(end, MAX_TIME_US)
    return MetricsQuery(
        view=view,
        dimensions=dims,
        metrics=metrics,
        filters=tuple(_filter(view, f, i) for i, f in enumerate(_list(query, "filters"))),
        granularity=_granularity(query, start, end),
        start=start,
        end=end,
        order_by=_order(query, dims, metrics),
        row_limit=_row_limit(query, version),
    )


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (ClickHouse's `quantile` on few rows)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
