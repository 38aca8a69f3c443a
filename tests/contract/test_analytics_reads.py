"""AnalyticsReader: metrics rows and a prompt version's usage, the same on every engine.

Metrics on the world (world.py) with exact figures: traces by user with their cost and
score counts (the second project's `t-x` would add a trace to alice), minute, week and
month buckets with the month's text, observations by type with tokens and a percentile,
a filter through the join with traces, scores by name and session. Prompt usage on an
empty store: generations by version, their cost, latency and scores, scoped by project.
"""

from __future__ import annotations

import json
from typing import Any

from powerrag.domain.metrics import parse_query
from powerrag.domain.prompts import ScoreSummary, VersionUsage
from powerrag.domain.records import IngestBatch, ObservationRecord
from tests.contract.engines import StoreUnderTest
from tests.contract.world import P1, P2
from tests.support.records import at, score

_RANGE = {"fromTimestamp": "2023-11-01T00:00:00Z", "toTimestamp": "2023-12-01T00:00:00Z"}
_S = 1_000_000


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """In one order whatever the engine's (metrics rows come unordered)."""
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))


def _rows(store: StoreUnderTest, project_id: str, **query: Any) -> list[dict[str, Any]]:
    q = parse_query(json.dumps({**_RANGE, **query}), "v1")
    with store.reading() as data:
        return _sorted(data.metrics_rows(project_id, q))


def _metrics(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"measure": m, "aggregation": a} for m, a in pairs]


def test_traces_by_user_count_cost_and_scores_of_one_project(filled: StoreUnderTest) -> None:
    metrics = _metrics(("count", "count"), ("totalCost", "sum"), ("scoresCount", "sum"))
    rows = _rows(filled, P1, view="traces", dimensions=[{"field": "userId"}], metrics=metrics)
    assert rows == _sorted(
        [
            {"userId": "alice", "count_count": 2, "sum_totalCost": 1.25, "sum_scoresCount": 2.0},
            {"userId": "bob", "count_count": 1, "sum_totalCost": 0.5, "sum_scoresCount": 1.0},
            {"userId": "carol", "count_count": 1, "sum_totalCost": 2.0, "sum_scoresCount": 1.0},
            {"userId": None, "count_count": 1, "sum_totalCost": 0.0, "sum_scoresCount": 0.0},
        ]
    )
    other = _rows(filled, P2, view="traces", dimensions=[{"field": "userId"}], metrics=metrics)
    assert [r["count_count"] for r in other if r["userId"] == "alice"] == [3]


def test_minute_week_and_month_buckets(filled: StoreUnderTest) -> None:
    count = _metrics(("count", "count"))
    # The traces start at 22:13:30, :40, :50 and 22:14:00, :10 on Tuesday 2023-11-14 (UTC).
    minutes = _rows(
        filled, P1, view="traces", metrics=count, timeDimension={"granularity": "minute"}
    )
    assert minutes == _sorted(
        [
            {"time_dimension": 1_699_999_980 * _S, "count_count": 3},
            {"time_dimension": 1_700_000_040 * _S, "count_count": 2},
        ]
    )
    week = _rows(filled, P1, view="traces", metrics=count, timeDimension={"granularity": "week"})
    assert week == [{"time_dimension": 1_699_833_600 * _S, "count_count": 5}]  # Monday the 13th
    month = _rows(
        filled,
        P1,
        view="traces",
        dimensions=[{"field": "timestampMonth"}],
        metrics=count,
        timeDimension={"granularity": "month"},
    )
    assert month == [
        {"timestampMonth": "2023-11", "time_dimension": 1_698_796_800 * _S, "count_count": 5}
    ]


def test_observations_by_type_and_filtered_through_their_traces(filled: StoreUnderTest) -> None:
    metrics = _metrics(("count", "count"), ("totalTokens", "sum"), ("latency", "p50"))
    rows = _rows(filled, P1, view="observations", dimensions=[{"field": "type"}], metrics=metrics)
    assert rows == _sorted(
        [
            {
                "type": "GENERATION",
                "count_count": 4,
                "sum_totalTokens": 181.0,
                "p50_latency": 1000.0,
            },
            {"type": "SPAN", "count_count": 5, "sum_totalTokens": 0.0, "p50_latency": 2000.0},
            {"type": "TOOL", "count_count": 1, "sum_totalTokens": 0.0, "p50_latency": 1000.0},
        ]
    )
    chat = {"column": "traceName", "operator": "=", "value": "chat", "type": "string"}
    production = {
        "column": "environment",
        "operator": "any of",
        "value": ["production"],
        "type": "stringOptions",
    }
    filtered = _rows(
        filled,
        P1,
        view="observations",
        dimensions=[{"field": "traceName"}],
        metrics=_metrics(("totalCost", "sum")),
        filters=[chat, production],
    )
    assert filtered == [{"traceName": "chat", "sum_totalCost": 1.5}]


def test_scores_by_name_and_session(filled: StoreUnderTest) -> None:
    rows = _rows(
        filled,
        P1,
        view="scores-numeric",
        dimensions=[{"field": "name"}, {"field": "sessionId"}],
        metrics=_metrics(("count", "count"), ("value", "avg")),
    )
    assert rows == _sorted(
        [
            {"name": "quality", "sessionId": "s1", "count_count": 1, "avg_value": 0.9},
            {
                "name": "quality",
                "sessionId": "s2",
                "count_count": 2,
                "avg_value": 0.6,
            },
            {"name": "rating", "sessionId": "s1", "count_count": 1, "avg_value": 1.0},
        ]
    )


def _generation(
    obs_id: str,
    prompt: tuple[str, int],
    seconds: float | None,
    cost: float,
    kind: str = "GENERATION",
) -> ObservationRecord:
    start = at(100)
    return ObservationRecord(
        id=obs_id,
        trace_id="t-p",
        type=kind,
        name=obs_id,
        start_time=start,
        end_time=None if seconds is None else start + round(seconds * _S),
        cost_details={"total": cost},
        prompt_name=prompt[0],
        prompt_version=prompt[1],
    )


def test_prompt_usage_by_version_with_generation_and_trace_scores(sut: StoreUnderTest) -> None:
    batch = IngestBatch(
        observations=[
            _generation("g1", ("greet", 1), 1.0, 0.5),
            _generation("g2", ("greet", 1), 3.0, 0.25),
            _generation("g3", ("greet", 2), None, 1.0),
            _generation("g4", ("greet", 1), 9.0, 8.0, kind="SPAN"),
            _generation("g5", ("other", 1), 9.0, 8.0),
        ],
        scores=[
            score("q1", "quality", 101, value=0.5, trace_id="t-p", observation_id="g1"),
            score("q2", "quality", 102, value=1.0, trace_id="t-p"),
            score("c1", "verdict", 103, data_type="CATEGORICAL", string_value="ok", trace_id="t-p"),
        ],
    )
    sut.write(P1, batch)
    sut.write(P2, IngestBatch(observations=[_generation("g1", ("greet", 1), 5.0, 4.0)]))
    with sut.reading() as data:
        usage = data.prompt_usage(P1, "greet")
    assert usage == {
        1: VersionUsage(1, 2, 0.75, 2_000_000.0, (ScoreSummary("quality", 0.75, 2),)),
        2: VersionUsage(2, 1, 1.0, None, (ScoreSummary("quality", 1.0, 1),)),
    }
