"""The read API on data whose answers are known exactly (tests/support/exact_world.py).

Every list is compared with `==` on its sorted ids (or on its order), never with
`all()` or a superset over a list that might be empty; orders are checked where id
order and time order differ; costs where a total is not input + output.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import exact_world as w
from tests.support.project import AUTH

BIGINT_MAX = 2**63 - 1
ALL_TRACES = sorted(w.TIME_ORDER)
ALL_OBSERVATIONS = sorted(w.OBSERVATIONS_BY_TIME)
ALL_SCORES = sorted(w.SCORES_BY_TIME)


@pytest.fixture
def world(client: TestClient) -> TestClient:
    w.write_world(client, AUTH)
    return client


def ids(client: TestClient, url: str, params: Any = None) -> list[str]:
    """The ids of a list's `data`, in the order answered."""
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


def _narrows(expected: list[str], everything: list[str]) -> None:
    """The data's own check: the filter matches some rows, not all (else it proves nothing)."""
    assert expected and sorted(expected) != sorted(everything), expected


@pytest.mark.parametrize(
    ("params", "expected"), w.API_TRACE_FILTERS, ids=w.case_ids(w.API_TRACE_FILTERS)
)
def test_each_trace_filter_gives_exactly_its_traces(
    world: TestClient, params: dict[str, Any], expected: list[str]
) -> None:
    _narrows(expected, ALL_TRACES)
    assert sorted(ids(world, "/api/public/traces", params)) == sorted(expected)


@pytest.mark.parametrize(
    ("params", "expected"), w.API_OBSERVATION_FILTERS, ids=w.case_ids(w.API_OBSERVATION_FILTERS)
)
def test_each_observation_filter_gives_exactly_its_observations(
    world: TestClient, params: dict[str, Any], expected: list[str]
) -> None:
    _narrows(expected, ALL_OBSERVATIONS)
    found = ids(world, "/api/public/observations", {**params, "limit": 100})
    assert sorted(found) == sorted(expected)


@pytest.mark.parametrize(
    ("params", "expected"),
    w.API_OBSERVATION_V2_FILTERS,
    ids=w.case_ids(w.API_OBSERVATION_V2_FILTERS),
)
def test_each_v2_observation_filter_gives_exactly_its_observations(
    world: TestClient, params: dict[str, Any], expected: list[str]
) -> None:
    _narrows(expected, ALL_OBSERVATIONS)
    found = ids(world, "/api/public/v2/observations", {**params, "limit": 1000})
    assert sorted(found) == sorted(expected)


@pytest.mark.parametrize(
    ("params", "expected"), w.API_SCORE_FILTERS, ids=w.case_ids(w.API_SCORE_FILTERS)
)
def test_each_score_filter_gives_exactly_its_scores(
    world: TestClient, params: dict[str, Any], expected: list[str]
) -> None:
    _narrows(expected, ALL_SCORES)
    assert sorted(ids(world, "/api/public/v2/scores", params)) == sorted(expected)
    v1 = sorted(s for s in expected if s in w.V1_ONLY)
    assert sorted(ids(world, "/api/public/scores", params)) == v1


@pytest.mark.parametrize(
    ("params", "expected"), w.API_SCORE_V3_FILTERS, ids=w.case_ids(w.API_SCORE_V3_FILTERS)
)
def test_each_v3_score_filter_gives_exactly_its_scores(
    world: TestClient, params: dict[str, Any], expected: list[str]
) -> None:
    _narrows(expected, ALL_SCORES)
    assert sorted(ids(world, "/api/public/v3/scores", params)) == sorted(expected)


@pytest.mark.parametrize(
    ("params", "expected"), w.API_SESSION_FILTERS, ids=w.case_ids(w.API_SESSION_FILTERS)
)
def test_each_session_filter_gives_exactly_its_sessions(
    world: TestClient, params: dict[str, Any], expected: list[str]
) -> None:
    _narrows(expected, w.SESSIONS_BY_TIME)
    assert sorted(ids(world, "/api/public/sessions", params)) == sorted(expected)


# url                              default order of the list (newest first)
NEWEST_FIRST = [
    ("/api/public/traces",           w.TIME_ORDER[::-1]),
    ("/api/public/observations",     w.OBSERVATIONS_BY_TIME[::-1]),
    ("/api/public/v2/observations",  w.OBSERVATIONS_BY_TIME[::-1]),
    ("/api/public/v2/scores",        w.SCORES_BY_TIME[::-1]),
    ("/api/public/scores",           [s for s in w.SCORES_BY_TIME[::-1] if s in w.V1_ONLY]),
    ("/api/public/v3/scores",        w.SCORES_BY_TIME[::-1]),
    ("/api/public/sessions",         w.SESSIONS_BY_TIME[::-1]),
]  # fmt: skip


@pytest.mark.parametrize(("url", "expected"), NEWEST_FIRST, ids=[u for u, _ in NEWEST_FIRST])
def test_lists_are_in_time_order_not_id_order(
    world: TestClient, url: str, expected: list[str]
) -> None:
    # The data's own check: neither id order nor its reverse equals time order.
    assert expected not in (sorted(expected), sorted(expected, reverse=True))
    assert ids(world, url, {"limit": 100}) == expected


def test_trace_order_parameter_and_a_traces_observations_follow_time(world: TestClient) -> None:
    oldest_first = ids(world, "/api/public/traces", {"orderBy": "timestamp.asc"})
    assert oldest_first == w.TIME_ORDER
    by_trace = {t["id"]: t["observations"] for t in world.get("/api/public/traces").json()["data"]}
    assert by_trace["trace-d"] == ["d-root", "d-gen-z", "d-gen-a"]
    one = world.get("/api/public/traces/trace-d").json()
    assert [o["id"] for o in one["observations"]] == ["d-root", "d-gen-z", "d-gen-a"]
    session = world.get("/api/public/sessions/sess-m").json()
    assert [t["id"] for t in session["traces"]] == ["trace-c", "trace-a", "trace-d"]


def test_a_traces_own_input_wins_over_its_roots_which_has_no_generation_fallback(
    world: TestClient,
) -> None:
    expected = {
        # the trace's own, though its root and generation say otherwise
        "trace-c": ("trace-c says hello", "trace-c says goodbye"),
        # nothing on the trace: its root's, not its generation's
        "trace-a": ("root-a says hello", "root-a says goodbye"),
        # nothing on the trace nor its root: Langfuse's API shows nothing
        "trace-d": (None, None),
    }
    for trace_id, (text_in, text_out) in expected.items():
        one = world.get(f"/api/public/traces/{trace_id}").json()
        assert (one["input"], one["output"]) == (text_in, text_out), trace_id
    listed = {
        t["id"]: (t["input"], t["output"]) for t in world.get("/api/public/traces").json()["data"]
    }
    assert {k: listed[k] for k in expected} == expected
    session = world.get("/api/public/sessions/sess-m").json()
    assert {t["id"]: (t["input"], t["output"]) for t in session["traces"]} == expected


def test_total_costs_are_the_totals_sent_not_input_plus_output(world: TestClient) -> None:
    listed = {t["id"]: t["totalCost"] for t in world.get("/api/public/traces").json()["data"]}
    assert listed == pytest.approx(w.TRACE_TOTAL_COST)
    assert world.get("/api/public/traces/trace-c").json()["totalCost"] == pytest.approx(0.01)
    generation = world.get("/api/public/observations/c-gen").json()
    assert (
        generation["calculatedInputCost"],
        generation["calculatedOutputCost"],
        generation["calculatedTotalCost"],
    ) == pytest.approx(w.COSTS["c-gen"])


# url, every id of the list
PAGED = [
    ("/api/public/traces", ALL_TRACES),
    ("/api/public/observations", ALL_OBSERVATIONS),
    ("/api/public/v2/scores", ALL_SCORES),
    ("/api/public/scores", sorted(w.V1_ONLY)),
    ("/api/public/sessions", sorted(w.SESSIONS_BY_TIME)),
]


@pytest.mark.parametrize(("url", "everything"), PAGED, ids=[u for u, _ in PAGED])
def test_the_last_page_holding_data_and_the_pages_after_it(
    world: TestClient, url: str, everything: list[str]
) -> None:
    limit = 2
    pages = -(-len(everything) // limit)
    seen: list[str] = []
    for page in range(1, pages + 1):
        answer = world.get(url, params={"page": page, "limit": limit}).json()
        assert answer["meta"] == {
            "page": page,
            "limit": limit,
            "totalItems": len(everything),
            "totalPages": pages,
        }
        seen += [item["id"] for item in answer["data"]]
    assert sorted(seen) == everything  # each row on exactly one page, the last one included
    assert len(answer["data"]) == len(everything) - limit * (pages - 1)
    assert ids(world, url, {"page": pages + 1, "limit": limit}) == []


@pytest.mark.parametrize("limit", [1, 7, 49, 50, 100])
@pytest.mark.parametrize("url", [url for url, _ in PAGED])
def test_the_highest_addressable_page_answers_and_the_next_is_400(
    world: TestClient, url: str, limit: int
) -> None:
    # 7 and 49 divide 2**63 - 1 (as 1 does): the last page's offset is BIGINT_MAX exactly.
    last = BIGINT_MAX // limit + 1
    answer = world.get(url, params={"page": last, "limit": limit})
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == [] and answer.json()["meta"]["page"] == last
    beyond = world.get(url, params={"page": last + 1, "limit": limit})
    assert beyond.status_code == 400
    assert f"page must be at most {last} with limit {limit}" in beyond.json()["message"]
