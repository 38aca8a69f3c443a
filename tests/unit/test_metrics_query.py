"""The metrics query's own rules (domain/metrics.py): `auto` granularity as Langfuse's
`determineTimeGranularity`, percentiles by linear interpolation, the stored years."""

from __future__ import annotations

import json

import pytest

from powerrag.domain.metrics import auto_granularity, parse_query, percentile
from powerrag.domain.timeutil import MIN_TIME_US

HOUR = 3_600_000_000


@pytest.mark.parametrize(
    ("hours", "granularity"),
    [
        (1.99, "minute"),
        (2, "hour"),
        (71.9, "hour"),
        (72, "day"),
        (1439, "day"),
        (1440, "week"),
        (8759, "week"),
        (8760, "month"),
    ],
)
def test_auto_picks_about_fifty_buckets(hours: float, granularity: str) -> None:
    assert auto_granularity(0, int(hours * HOUR)) == granularity


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.9) == pytest.approx(4.6)
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) is None


def test_a_range_reaching_before_any_stored_time_starts_at_the_first_storable_one() -> None:
    query = {
        "view": "traces",
        "metrics": [{"measure": "count", "aggregation": "count"}],
        "timeDimension": {"granularity": "auto"},
        "fromTimestamp": "0001-01-01T00:00:00Z",
        "toTimestamp": "2026-01-01T00:00:00Z",
    }
    parsed = parse_query(json.dumps(query), "v1")
    assert parsed.start == MIN_TIME_US
    assert parsed.granularity == "month"
    assert parsed.row_limit is None
    assert parse_query(json.dumps({**query, "view": "observations"}), "v2").row_limit == 100
