"""`/api/public/metrics` and `/api/public/v2/metrics` on the exact world (tests/support/
exact_world.py), on both engines: grouped figures, time buckets, percentiles and filters
with values a wrong rule could not produce, and a 400 naming what is not supported. One query
with score counts runs on PostgreSQL + ClickHouse too, whose other answers the goldens and
tests/contract check."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.clickhouse import with_clickhouse
from tests.support.exact_world import write_world
from tests.support.project import AUTH

JANUARY = {"fromTimestamp": "2026-01-01T00:00:00Z", "toTimestamp": "2026-02-01T00:00:00Z"}


def _metrics(api: TestClient, query: dict[str, Any], version: str = "v1") -> list[Any]:
    path = "/api/public/v2/metrics" if version == "v2" else "/api/public/metrics"
    answer = api.get(path, params={"query": json.dumps({**JANUARY, **query})})
    assert answer.status_code == 200, answer.text
    data: list[Any] = answer.json()["data"]
    return data


def _refused(api: TestClient, query: dict[str, Any], version: str = "v1") -> str:
    path = "/api/public/v2/metrics" if version == "v2" else "/api/public/metrics"
    answer = api.get(path, params={"query": json.dumps({**JANUARY, **query})})
    assert answer.status_code == 400, answer.text
    message: str = answer.json()["message"]
    return message


@pytest.fixture
def world(api: TestClient) -> TestClient:
    write_world(api, AUTH)
    return api


def test_traces_by_user_with_cost_ordered_by_the_first_metric(world: TestClient) -> None:
    rows = _metrics(
        world,
        {
            "view": "traces",
            "dimensions": [{"field": "userId"}],
            "metrics": [
                {"measure": "totalCost", "aggregation": "sum"},
                {"measure": "count", "aggregation": "count"},
            ],
        },
    )
    assert [(r["userId"], r["count_count"]) for r in rows] == [
        ("user-1", 2),
        ("user-2", 1),
        ("user-3", 1),
        (None, 1),
    ]
    assert [r["sum_totalCost"] for r in rows] == pytest.approx([0.06, 0.02, 0.0, 0.0], abs=1e-12)


@with_clickhouse
def test_trace_latency_and_observation_counts_averaged_per_environment(world: TestClient) -> None:
    rows = _metrics(
        world,
        {
            "view": "traces",
            "dimensions": [{"field": "environment"}],
            "metrics": [
                {"measure": "latency", "aggregation": "max"},
                {"measure": "observationsCount", "aggregation": "avg"},
                {"measure": "scoresCount", "aggregation": "sum"},
            ],
            "orderBy": [{"field": "environment", "direction": "asc"}],
        },
    )
    # Traces last from their root's start to its end, 5 s; c, a and e have 2, 2 and 1
    # observations; d and b 3 and 2. Scores: k on c, b on a; f on d.
    assert rows == [
        {"environment": "production", "max_latency": 5000.0,
         "avg_observationsCount": pytest.approx(5 / 3), "sum_scoresCount": 2},
        {"environment": "staging", "max_latency": 5000.0,
         "avg_observationsCount": 2.5, "sum_scoresCount": 1},
    ]  # fmt: skip


def test_observations_by_session_tokens_cost_and_count(world: TestClient) -> None:
    rows = _metrics(
        world,
        {
            "view": "observations",
            "dimensions": [{"field": "sessionId"}],
            "metrics": [
                {"measure": "count", "aggregation": "count"},
                {"measure": "totalTokens", "aggregation": "sum"},
                {"measure": "totalCost", "aggregation": "sum"},
            ],
            "orderBy": [{"field": "sessionId", "direction": "asc"}],
        },
    )
    assert [(r["sessionId"], r["count_count"], r["sum_totalTokens"]) for r in rows] == [
        ("sess-a", 1, 0),
        ("sess-m", 7, 600),
        ("sess-z", 2, 0),
    ]
    assert rows[1]["sum_totalCost"] == pytest.approx(0.08, abs=1e-12)


def test_a_daily_series_of_generation_cost_fills_the_empty_day(world: TestClient) -> None:
    rows = _metrics(
        world,
        {
            "view": "observations",
            "metrics": [{"measure": "totalCost", "aggregation": "sum"}],
            "filters": [
                {"column": "type", "operator": "=", "value": "GENERATION", "type": "string"}
            ],
            "timeDimension": {"granularity": "day"},
            "fromTimestamp": "2026-01-10T00:00:00Z",
            "toTimestamp": "2026-01-13T12:00:00Z",
        },
    )
    assert [r["time_dimension"] for r in rows] == [
        "2026-01-10",
        "2026-01-11",
        "2026-01-12",
        "2026-01-13",
    ]
    assert [r["sum_totalCost"] for r in rows] == pytest.approx([0.01, 0.02, 0.05, 0], abs=1e-12)


@pytest.mark.parametrize(
    ("granularity", "expected"),
    [
        ("week", [("2026-01-05", 2), ("2026-01-12", 3)]),
        ("month", [("2026-01-01", 5)]),
        ("hour", [("2026-01-10T10:00:00Z", 1)]),
    ],
)
def test_traces_are_bucketed_by_monday_weeks_months_and_hours(
    world: TestClient, granularity: str, expected: list[tuple[str, int]]
) -> None:
    window = {"toTimestamp": "2026-01-10T11:00:00Z"} if granularity == "hour" else {}
    rows = _metrics(
        world,
        {
            "view": "traces",
            "metrics": [{"measure": "count", "aggregation": "count"}],
            "timeDimension": {"granularity": granularity},
            "fromTimestamp": "2026-01-10T00:00:00Z",
            **window,
        },
    )
    found = [(r["time_dimension"], r["count_count"]) for r in rows if r["count_count"]]
    assert found == expected


def test_latency_percentiles_by_type(world: TestClient) -> None:
    rows = _metrics(
        world,
        {
            "view": "observations",
            "dimensions": [{"field": "type"}],
            "metrics": [
                {"measure": "latency", "aggregation": "p50"},
                {"measure": "latency", "aggregation": "p90"},
                {"measure": "latency", "aggregation": "avg"},
            ],
            "orderBy": [{"field": "type", "direction": "desc"}],
        },
    )
    # Spans: five roots of 5 s and one child of 1 s; generations: four of 1 s.
    assert rows == [
        {"type": "SPAN", "p50_latency": 5000.0, "p90_latency": 5000.0,
         "avg_latency": pytest.approx(26000 / 6)},
        {"type": "GENERATION", "p50_latency": 1000.0, "p90_latency": 1000.0,
         "avg_latency": 1000.0},
    ]  # fmt: skip
    both = _metrics(
        world,
        {"view": "observations", "metrics": [{"measure": "latency", "aggregation": "p50"}]},
    )
    # Ten latencies, five of 1 s and five of 5 s: the median lies halfway between.
    assert both == [{"p50_latency": 3000.0}]


def test_scores_by_name_and_session_and_categorical_values(world: TestClient) -> None:
    by_name = _metrics(
        world,
        {
            "view": "scores-numeric",
            "dimensions": [{"field": "name"}],
            "metrics": [
                {"measure": "value", "aggregation": "avg"},
                {"measure": "count", "aggregation": "count"},
            ],
        },
    )
    assert [(r["name"], r["count_count"]) for r in by_name] == [("helpful", 1), ("accuracy", 3)]
    assert [r["avg_value"] for r in by_name] == pytest.approx([1.0, 2.0 / 3])
    by_session = _metrics(
        world,
        {
            "view": "scores-numeric",
            "dimensions": [{"field": "sessionId"}],
            "metrics": [{"measure": "count", "aggregation": "count"}],
        },
        version="v2",
    )
    assert by_session == [
        {"sessionId": "sess-m", "count_count": 3},
        {"sessionId": None, "count_count": 1},
    ]
    categorical = _metrics(
        world,
        {
            "view": "scores-categorical",
            "dimensions": [{"field": "stringValue"}],
            "metrics": [{"measure": "count", "aggregation": "count"}],
        },
    )
    assert categorical == [{"stringValue": "polite", "count_count": 1}]


def test_filters_narrow_by_name_tags_and_options(world: TestClient) -> None:
    def count(filters: list[dict[str, Any]]) -> int:
        rows = _metrics(
            world,
            {
                "view": "traces",
                "metrics": [{"measure": "count", "aggregation": "count"}],
                "filters": filters,
            },
        )
        return int(rows[0]["count_count"])

    assert count([]) == 5
    assert count([{"column": "name", "operator": "=", "value": "checkout", "type": "string"}]) == 2
    assert (
        count([{"column": "tags", "operator": "any of", "value": ["red"], "type": "arrayOptions"}])
        == 2
    )
    assert count([{"column": "environment", "operator": "none of", "value": ["staging"],
                   "type": "stringOptions"}]) == 3  # fmt: skip
    assert (
        count([{"column": "name", "operator": "starts with", "value": "se", "type": "string"}]) == 2
    )
    late = {"operator": ">=", "value": "2026-01-12T00:00:00Z", "type": "datetime"}
    assert count([{"column": "timestamp", **late}]) == 3
    for column in ("startTime", "start_time"):
        rows = _metrics(
            world,
            {
                "view": "observations",
                "metrics": [{"measure": "count", "aggregation": "count"}],
                "filters": [{"column": column, **late}],
            },
        )
        # Trace d's three observations (the 12th), b's two (13th) and e's root (14th).
        assert rows == [{"count_count": 6}]


def test_v2_groups_by_session_but_refuses_other_high_cardinality_dimensions(
    world: TestClient,
) -> None:
    rows = _metrics(
        world,
        {
            "view": "observations",
            "dimensions": [{"field": "sessionId"}],
            "metrics": [{"measure": "totalCost", "aggregation": "sum"}],
            "config": {"row_limit": 1},
        },
        version="v2",
    )
    assert [r["sessionId"] for r in rows] == ["sess-m"]
    message = _refused(
        world,
        {
            "view": "observations",
            "dimensions": [{"field": "userId"}],
            "metrics": [{"measure": "count", "aggregation": "count"}],
        },
        version="v2",
    )
    assert "userId" in message and "high cardinality" in message


@pytest.mark.parametrize(
    ("query", "version", "named"),
    [
        ({"view": "traces"}, "v2", "Invalid view 'traces'"),
        ({"view": "sessions"}, "v1", "Invalid view 'sessions'"),
        ({"view": "traces", "dimensions": [{"field": "colour"}]}, "v1", "Invalid dimension colour"),
        ({"view": "traces", "dimensions": [{"field": "tags"}]}, "v1", "dimension tags is not supported"),
        ({"view": "traces", "metrics": [{"measure": "vibes", "aggregation": "sum"}]}, "v1",
         "Invalid metric vibes"),
        ({"view": "traces", "metrics": [{"measure": "count", "aggregation": "histogram"}]}, "v1",
         "aggregation 'histogram' is not supported"),
        ({"view": "traces", "filters": [{"column": "colour", "operator": "=", "value": "x",
                                         "type": "string"}]}, "v1", "Invalid filter column colour"),
        ({"view": "traces", "filters": [{"column": "name", "operator": "regex", "value": "x",
                                         "type": "string"}]}, "v1", "operator 'regex'"),
        ({"view": "traces", "timeDimension": {"granularity": "fortnight"}}, "v1",
         "timeDimension.granularity"),
        ({"view": "traces", "orderBy": [{"field": "sum_count", "direction": "asc"}]}, "v1",
         "Invalid orderBy field: sum_count"),
        ({"view": "traces", "toTimestamp": "2025-01-01T00:00:00Z"}, "v1",
         "fromTimestamp must be before toTimestamp"),
    ],
)  # fmt: skip
def test_what_is_not_answered_is_a_400_naming_it(
    api: TestClient, query: dict[str, Any], version: str, named: str
) -> None:
    base = {"metrics": [{"measure": "count", "aggregation": "count"}]}
    assert named in _refused(api, {**base, **query}, version)


def test_a_query_that_is_not_json_is_refused(api: TestClient) -> None:
    answer = api.get("/api/public/metrics", params={"query": "{not json"})
    assert answer.status_code == 400
    assert answer.json()["message"] == "Invalid JSON in query parameter"
