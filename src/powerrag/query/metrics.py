"""A metrics query answered: aggregated rows in Langfuse's order, limit and time fill.

Without an `orderBy`, rows come by time bucket, else by the first metric descending,
else by the first dimension (Langfuse's `validateAndProcessOrderBy`); a time series
without an `orderBy` has a row for every bucket of the range, empty buckets zero
(ClickHouse's `WITH FILL` in Langfuse's query builder).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.metrics import TIME_DIMENSION, MetricsQuery
from powerrag.store.database import Store

_US = 1_000_000
_STEP = {"minute": 60 * _US, "hour": 3600 * _US, "day": 86_400 * _US, "week": 7 * 86_400 * _US}
# A time series longer than this is refused rather than filled (a year by minute is 525,600).
MAX_BUCKETS = 10_000


def run_query(store: Store, project_id: str, q: MetricsQuery) -> list[dict[str, Any]]:
    """Rows keyed by dimension, `time_dimension` (microseconds) and `{agg}_{measure}`."""
    step = _STEP.get(str(q.granularity), 28 * 86_400 * _US)
    if q.granularity and (q.end - q.start) // step > MAX_BUCKETS:
        raise InvalidRequestError(
            f"a {q.granularity} time dimension over this range has more than {MAX_BUCKETS} "
            "buckets; choose a coarser granularity or auto"
        )
    with store.reading() as data:
        rows = data.metrics_rows(project_id, q)
    if q.granularity and not q.order_by:
        rows = rows + _empty_buckets(q, {r[TIME_DIMENSION] for r in rows})
    for field, direction in reversed(_order(q)):
        present = [r for r in rows if r.get(field) is not None]
        missing = [r for r in rows if r.get(field) is None]
        present.sort(key=lambda r: r[field], reverse=direction == "desc")
        rows = present + missing
    return rows[: q.row_limit] if q.row_limit else rows


def _order(q: MetricsQuery) -> list[tuple[str, str]]:
    if q.order_by:
        return list(q.order_by)
    if q.granularity:
        return [(TIME_DIMENSION, "asc"), *((d, "asc") for d in q.dimensions)]
    return [(q.metrics[0].alias, "desc"), *((d, "asc") for d in q.dimensions)]


def bucket_of(us: int, granularity: str) -> int:
    """The start of the bucket of a time (as store/metrics.py's `bucket` computes it)."""
    if granularity == "month":
        day = datetime.fromtimestamp(us // _US, UTC)
        return int(datetime(day.year, day.month, 1, tzinfo=UTC).timestamp()) * _US
    monday = 4 * 86_400 * _US if granularity == "week" else 0
    step = _STEP[granularity]
    return (us - monday) // step * step + monday


def _next_bucket(us: int, granularity: str) -> int:
    if granularity != "month":
        return us + _STEP[granularity]
    day = datetime.fromtimestamp(us // _US, UTC)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp()) * _US


def _empty_buckets(q: MetricsQuery, seen: set[Any]) -> list[dict[str, Any]]:
    granularity = str(q.granularity)
    empty: list[dict[str, Any]] = []
    at = bucket_of(q.start, granularity)
    while at <= q.end:
        if at not in seen:
            row: dict[str, Any] = dict.fromkeys(q.dimensions)
            row[TIME_DIMENSION] = at
            row.update({m.alias: 0 for m in q.metrics})
            empty.append(row)
        at = _next_bucket(at, granularity)
    return empty
