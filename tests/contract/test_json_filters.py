"""The API's JSON `filter` (api/json_filters.py) turned into typed filters and run on each
engine: every supported condition answers exactly its rows of the world (world.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from powerrag.api.json_filters import (
    observation_json_filter,
    score_json_filter,
    trace_json_filter,
)
from powerrag.domain.filters import (
    ObservationFilter,
    PageRequest,
    ScoreFilter,
    TraceFilter,
    TraceOrder,
)
from powerrag.domain.timeutil import to_iso
from tests.contract.engines import StoreUnderTest
from tests.contract.world import P1
from tests.support.records import at

ALL = PageRequest(1, 100)


def _json(*conditions: dict[str, Any]) -> str:
    return json.dumps(list(conditions))


def _c(kind: str, column: str, operator: str, value: Any) -> dict[str, Any]:
    return {"type": kind, "column": column, "operator": operator, "value": value}


TRACES = [
    pytest.param([_c("string", "id", "=", "t-c")], {"t-c"}, id="id"),
    pytest.param([_c("stringOptions", "ID", "any of", ["t-a", "t-d"])], {"t-a", "t-d"}, id="ids"),
    pytest.param([_c("string", "name", "=", "chat")], {"t-a", "t-b"}, id="name"),
    pytest.param([_c("string", "userId", "=", "alice")], {"t-a", "t-c"}, id="user"),
    pytest.param([_c("string", "User ID", "contains", "AR")], {"t-e"}, id="user-contains"),
    pytest.param([_c("string", "sessionId", "=", "s2")], {"t-c", "t-e"}, id="session"),
    pytest.param([_c("stringOptions", "environment", "any of", ["staging"])], {"t-c"}, id="env"),
    pytest.param([_c("string", "version", "=", "v2")], {"t-d"}, id="version"),
    pytest.param([_c("string", "release", "=", "r1")], {"t-a"}, id="release"),
    pytest.param([_c("string", "level", "=", "ERROR")], {"t-c"}, id="level"),
    pytest.param(
        [_c("arrayOptions", "tags", "all of", ["beta", "prod"])], {"t-a", "t-e"}, id="tags-all"
    ),
    pytest.param(
        [_c("arrayOptions", "tags", "any of", ["gamma", "beta"])],
        {"t-a", "t-d", "t-e"},
        id="tags-any",
    ),
    # Strict and inclusive bounds, exact to the microsecond: t-d is at 20 s, t-e at 40 s.
    pytest.param(
        [
            _c("datetime", "timestamp", ">", to_iso(at(20))),
            _c("datetime", "Timestamp", "<=", to_iso(at(40))),
        ],
        {"t-c", "t-e"},
        id="time-strict-from-inclusive-to",
    ),
    pytest.param(
        [
            _c("datetime", "timestamp", ">=", to_iso(at(20))),
            _c("datetime", "timestamp", "<", to_iso(at(40))),
        ],
        {"t-c", "t-d"},
        id="time-inclusive-from-strict-to",
    ),
]


@pytest.mark.parametrize(("conditions", "expected"), TRACES)
def test_trace_conditions(
    filled: StoreUnderTest, conditions: list[dict[str, Any]], expected: set[str]
) -> None:
    f = trace_json_filter(TraceFilter(), _json(*conditions))
    with filled.reading() as data:
        assert {r.id for r in data.list_traces(P1, f, TraceOrder(), ALL)} == expected


def test_json_filter_replaces_the_same_field_of_the_plain_parameters(
    filled: StoreUnderTest,
) -> None:
    plain = TraceFilter(name="search", user_id="alice")
    f = trace_json_filter(plain, _json(_c("string", "name", "=", "chat")))
    with filled.reading() as data:
        assert [r.id for r in data.list_traces(P1, f, TraceOrder(), ALL)] == ["t-a"]


OBSERVATIONS = [
    pytest.param(
        [_c("string", "type", "=", "GENERATION")],
        {"a-gen", "b-gen", "c-gen", "e-gen"},
        id="type",
    ),
    pytest.param([_c("stringOptions", "Type", "any of", ["TOOL"])], {"c-tool"}, id="types"),
    pytest.param(
        [_c("string", "traceId", "=", "t-c")], {"t-c-root", "c-gen", "c-tool"}, id="trace"
    ),
    pytest.param([_c("string", "level", "=", "WARNING")], {"b-gen"}, id="level"),
    pytest.param(
        [_c("null", "parentObservationId", "is null", "")],
        {"t-a-root", "t-b-root", "t-c-root", "t-d-root", "t-e-root"},
        id="roots",
    ),
    pytest.param(
        [
            _c("string", "type", "=", "GENERATION"),
            _c("datetime", "startTime", "<=", to_iso(at(30.5))),
        ],
        {"b-gen", "c-gen"},
        id="resume-point",
    ),
    pytest.param([_c("stringOptions", "id", "any of", ["e-gen", "x"])], {"e-gen"}, id="ids"),
]


@pytest.mark.parametrize(("conditions", "expected"), OBSERVATIONS)
def test_observation_conditions(
    filled: StoreUnderTest, conditions: list[dict[str, Any]], expected: set[str]
) -> None:
    f = observation_json_filter(ObservationFilter(), _json(*conditions))
    with filled.reading() as data:
        assert {r.id for r in data.list_observations(P1, f, ALL)} == expected


SCORES = [
    pytest.param([_c("string", "name", "=", "quality")], {"sc-1", "sc-2", "sc-5"}, id="name"),
    pytest.param([_c("number", "value", ">", 0.5)], {"sc-1", "sc-4", "sc-5"}, id="value"),
    pytest.param([_c("stringOptions", "source", "any of", ["EVAL"])], {"sc-2"}, id="source"),
    pytest.param([_c("string", "dataType", "=", "CATEGORICAL")], {"sc-3"}, id="data-type"),
    pytest.param([_c("string", "sessionId", "=", "s1")], {"sc-4"}, id="session"),
    pytest.param([_c("string", "stringValue", "=", "good")], {"sc-3"}, id="string-value"),
    pytest.param(
        [_c("datetime", "timestamp", ">=", to_iso(at(41)))], {"sc-1", "sc-4", "sc-5"}, id="time"
    ),
]


@pytest.mark.parametrize(("conditions", "expected"), SCORES)
def test_score_conditions(
    filled: StoreUnderTest, conditions: list[dict[str, Any]], expected: set[str]
) -> None:
    f = score_json_filter(ScoreFilter(), _json(*conditions))
    with filled.reading() as data:
        assert {r.id for r in data.list_scores(P1, f, ALL)} == expected
