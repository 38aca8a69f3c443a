"""The dashboard's view model: metrics queries (domain/metrics.py) and their bars.

Each chart is one query of the metrics API's own kind, so the page and
`/api/public/metrics` cannot disagree; bars are sized here and drawn as plain SVG.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from powerrag.domain.metrics import MetricsQuery, parse_query
from powerrag.domain.timeutil import to_iso

PERIODS = (7, 30, 90)
CHART_WIDTH, CHART_HEIGHT = 600, 120
TOP = 10


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float


@dataclass(frozen=True, slots=True)
class Chart:
    key: str
    bars: tuple[Bar, ...]
    peak: float

    @property
    def empty(self) -> bool:
        return self.peak == 0


def query(
    view: str, metrics: list[tuple[str, str]], start: int, end: int, **extra: Any
) -> MetricsQuery:
    """A v1 metrics query over [start, end] (microseconds)."""
    body = {
        "view": view,
        "metrics": [{"measure": m, "aggregation": a} for m, a in metrics],
        "fromTimestamp": to_iso(start),
        "toTimestamp": to_iso(end),
        **extra,
    }
    return parse_query(json.dumps(body), "v1")


def daily(view: str, measure: str, aggregation: str, start: int, end: int) -> MetricsQuery:
    return query(view, [(measure, aggregation)], start, end, timeDimension={"granularity": "day"})


def by(view: str, field: str, metrics: list[tuple[str, str]], start: int, end: int) -> MetricsQuery:
    return query(
        view, metrics, start, end, dimensions=[{"field": field}], config={"row_limit": TOP}
    )


def chart(key: str, rows: list[dict[str, Any]], alias: str) -> Chart:
    """Bars of a daily series, scaled to the highest value."""
    values = [float(r.get(alias) or 0) for r in rows]
    peak = max(values, default=0.0)
    step = CHART_WIDTH / max(len(rows), 1)
    bars = []
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        height = CHART_HEIGHT * value / peak if peak else 0.0
        day = datetime.fromtimestamp(int(row["time_dimension"]) / 1_000_000, UTC)
        bars.append(
            Bar(
                x=round(i * step + 1, 2),
                y=round(CHART_HEIGHT - height, 2),
                width=round(max(step - 2, 1), 2),
                height=round(height, 2),
                label=day.strftime("%Y-%m-%d"),
                value=value,
            )
        )
    return Chart(key, tuple(bars), peak)


def table(rows: list[dict[str, Any]], field: str, aliases: list[str]) -> list[dict[str, Any]]:
    """Rows of a breakdown: the dimension's value and the figures in order."""
    return [{"name": r.get(field), "values": [r.get(a) or 0 for a in aliases]} for r in rows]
