"""Filters, ordering, field groups and paging of the read API, and their 400 answers."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.replay import replay_writes

RICH = ["rich-trace", "standalone-event", "agent-run", "decorated-generation"]
SEED = ["context-manager", "observe-wrapper", "manual-observation"]


@pytest.fixture
def loaded(client: TestClient) -> TestClient:
    replay_writes(client, "python-langfuse-4.18.0-rich.jsonl")
    replay_writes(client, "js-tracing-4.6.1-seed.jsonl")
    return client


def _names(client: TestClient, url: str, params: Any = None) -> list[str]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["data"]]


# query                                                          trace names (any order)
TRACE_FILTERS = [
    ({"userId": "user-42"},                                        ["rich-trace"]),
    ({"sessionId": "session-123"},                                 SEED),
    ({"name": "agent-run"},                                        ["agent-run"]),
    ({"tags": ["tag-a", "tag-b"]},                                 ["rich-trace"]),
    ({"tags": ["tag-a", "no-such-tag"]},                           []),
    ({"environment": "staging"},                                   RICH),
    ({"environment": ["staging", "default"]},                      RICH + SEED),
    ({"environment": "production"},                                []),
    ({"release": "rel-1.2.3"},                                     RICH),
    ({"version": "trace-v2"},                                      ["rich-trace"]),
    ({"fromTimestamp": "2000-01-01T00:00:00Z"},                    RICH + SEED),
    ({"toTimestamp": "2000-01-01T00:00:00+00:00"},                 []),
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), TRACE_FILTERS)
def test_trace_filters(loaded: TestClient, query: dict[str, Any], expected: list[str]) -> None:
    assert sorted(_names(loaded, "/api/public/traces", query)) == sorted(expected)


def test_trace_order_and_pages(loaded: TestClient) -> None:
    by_name = _names(loaded, "/api/public/traces", {"orderBy": "name.asc"})
    assert by_name == sorted(RICH + SEED)
    newest_first = _names(loaded, "/api/public/traces")
    oldest_first = _names(loaded, "/api/public/traces", {"orderBy": "timestamp.asc"})
    assert newest_first == oldest_first[::-1]
    page2 = loaded.get("/api/public/traces", params={"orderBy": "name.asc", "page": 2, "limit": 3})
    assert [t["name"] for t in page2.json()["data"]] == sorted(RICH + SEED)[3:6]
    assert page2.json()["meta"] == {"page": 2, "limit": 3, "totalItems": 7, "totalPages": 3}


def test_trace_field_groups(loaded: TestClient) -> None:
    (core,) = loaded.get(
        "/api/public/traces", params={"fields": "core", "userId": "user-42"}
    ).json()["data"]
    assert not {"input", "output", "metadata", "observations", "scores", "latency"} & set(core)
    (full,) = loaded.get("/api/public/traces", params={"userId": "user-42"}).json()["data"]
    assert {"input", "output", "metadata", "observations", "scores", "latency", "totalCost"} <= set(
        full
    )
    one = loaded.get(f"/api/public/traces/{full['id']}", params={"fields": "core"}).json()
    assert (one["observations"], one["scores"], one["metadata"]) == ([], [], {})


# query                                             observation names (any order)
OBSERVATION_FILTERS = [
    ({"type": "GENERATION"},                          ["llm-call", "decorated-generation"]),
    ({"level": "ERROR"},                              ["rich-root", "failing-step", "raising-step"]),
    ({"name": "embed-step"},                          ["embed-step"]),
    ({"userId": "user-42"},                           ["rich-root", "retrieve", "cache-miss", "llm-call", "failing-step", "raising-step"]),
    ({"version": "prompt-v3"},                        ["llm-call"]),
    ({"environment": "default"},                      SEED),
    ({"fromStartTime": "2200-01-01T00:00:00Z"},       []),
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), OBSERVATION_FILTERS)
def test_observation_filters(
    loaded: TestClient, query: dict[str, Any], expected: list[str]
) -> None:
    names = _names(loaded, "/api/public/observations", {**query, "limit": 100})
    assert sorted(names) == sorted(expected)
    v2 = _names(loaded, "/api/public/v2/observations", {**query, "limit": 1000})
    assert sorted(v2) == sorted(expected)


def test_observations_of_a_trace_and_of_a_parent(loaded: TestClient) -> None:
    (trace,) = loaded.get("/api/public/traces", params={"name": "agent-run"}).json()["data"]
    in_trace = _names(loaded, "/api/public/observations", {"traceId": trace["id"]})
    assert len(in_trace) == 7
    root_id = trace["observations"][0]
    children = _names(loaded, "/api/public/observations", {"parentObservationId": root_id})
    assert sorted(children) == sorted(set(in_trace) - {"agent-run"})
    roots = _names(
        loaded, "/api/public/v2/observations", {"traceId": trace["id"], "isRootObservation": "true"}
    )
    assert roots == ["agent-run"]


def test_v2_cursor_walks_every_observation_once_in_order(loaded: TestClient) -> None:
    everything = loaded.get("/api/public/v2/observations", params={"limit": 1000}).json()
    assert "cursor" not in everything["meta"]
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 4}
    while True:
        page = loaded.get("/api/public/v2/observations", params=params).json()
        seen += page["data"]
        if "cursor" not in page["meta"]:
            break
        params["cursor"] = page["meta"]["cursor"]
    assert [o["id"] for o in seen] == [o["id"] for o in everything["data"]]
    assert len(seen) == 15 + 3
    starts = [o["startTime"] for o in seen]
    assert starts == sorted(starts, reverse=True)


def test_v2_field_groups(loaded: TestClient) -> None:
    (default,) = loaded.get("/api/public/v2/observations", params={"name": "llm-call"}).json()[
        "data"
    ]
    assert default["userId"] == "user-42" and default["isRootObservation"] is False
    assert "input" not in default and default["modelId"] is None
    (full,) = loaded.get(
        "/api/public/v2/observations",
        params={"name": "llm-call", "fields": "io,model,usage,metrics,trace_context"},
    ).json()["data"]
    assert isinstance(full["input"], str) and full["input"].startswith("[")
    assert full["providedModelName"] == "gpt-4o"
    assert isinstance(full["inputPrice"], str) and float(full["inputPrice"]) > 0
    assert full["usageDetails"]["total"] == 15
    assert (full["traceName"], full["tags"], full["release"]) == (
        "rich-trace",
        ["tag-a", "tag-b"],
        "rel-1.2.3",
    )


# query                                                   score names (any order)
SCORE_FILTERS = [
    ({"name": "accuracy"},                                  ["accuracy"]),
    ({"dataType": "BOOLEAN"},                               ["user-feedback"]),
    ({"sessionId": "chat-session-123"},                     ["session-rating"]),
    ({"userId": "user-42"},                                 ["relevance", "user-feedback", "quality", "accuracy"]),
    ({"value": "0.8", "operator": ">="},                    ["relevance", "user-feedback", "session-rating"]),
    ({"traceTags": "tag-a"},                                ["relevance", "user-feedback", "quality", "accuracy"]),
    ({"source": "ANNOTATION"},                              []),
    ({"environment": "staging"},                            ["relevance", "user-feedback", "quality", "accuracy", "session-rating"]),
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), SCORE_FILTERS)
def test_score_filters(loaded: TestClient, query: dict[str, Any], expected: list[str]) -> None:
    assert sorted(_names(loaded, "/api/public/v2/scores", query)) == sorted(expected)


def test_scores_by_trace_observation_and_id(loaded: TestClient) -> None:
    (trace,) = loaded.get("/api/public/traces", params={"name": "rich-trace"}).json()["data"]
    assert len(_names(loaded, "/api/public/v2/scores", {"traceId": trace["id"]})) == 4
    by_name = {s["name"]: s for s in loaded.get("/api/public/v2/scores").json()["data"]}
    ids = f"{by_name['quality']['id']},{by_name['relevance']['id']}"
    assert sorted(_names(loaded, "/api/public/v2/scores", {"scoreIds": ids})) == [
        "quality",
        "relevance",
    ]
    on_root = _names(
        loaded, "/api/public/v2/scores", {"observationId": by_name["quality"]["observationId"]}
    )
    assert sorted(on_root) == ["accuracy", "quality"]
    without_trace = loaded.get("/api/public/v2/scores", params={"fields": "score"}).json()["data"]
    assert all("trace" not in s for s in without_trace)
    v1 = _names(loaded, "/api/public/scores")
    assert "session-rating" not in v1 and len(v1) == 4


def test_sessions_filters_and_pages(loaded: TestClient) -> None:
    # The Python 4.18 capture ran after the JS one: newest first.
    assert _ids(loaded, {}) == ["chat-session-123", "session-123"]
    assert _ids(loaded, {"environment": "staging"}) == ["chat-session-123"]
    assert _ids(loaded, {"environment": ["staging", "default"]}) == [
        "chat-session-123",
        "session-123",
    ]
    newest = loaded.get("/api/public/sessions").json()["data"][0]["createdAt"]
    assert _ids(loaded, {"fromTimestamp": newest}) == ["chat-session-123"]
    assert _ids(loaded, {"toTimestamp": newest}) == ["session-123"]
    page = loaded.get("/api/public/sessions", params={"page": 2, "limit": 1}).json()
    assert [s["id"] for s in page["data"]] == ["session-123"]
    assert page["meta"] == {"page": 2, "limit": 1, "totalItems": 2, "totalPages": 2}


def _ids(client: TestClient, params: dict[str, Any]) -> list[str]:
    return [s["id"] for s in client.get("/api/public/sessions", params=params).json()["data"]]


# url                                                         words the 400 message must contain
BAD_REQUESTS = [
    ("/api/public/traces?limit=101",                            "limit must be between 1 and 100"),
    ("/api/public/traces?limit=0",                              "limit"),
    ("/api/public/sessions?page=0",                             "page must be 1 or more"),
    ("/api/public/v2/scores?page=184467440737095518",           "page must be at most 184467440737095517 with limit 50"),
    ("/api/public/sessions?limit=abc",                          "limit must be an integer"),
    ("/api/public/traces?fromTimestamp=yesterday",              "fromTimestamp must be an ISO 8601"),
    ("/api/public/sessions?toTimestamp=2026-13-01",             "toTimestamp"),
    ("/api/public/traces?orderBy=cost.desc",                    "orderBy"),
    ("/api/public/traces?orderBy=name.up",                      "orderBy"),
    ("/api/public/observations?type=THING",                     "type must be one of"),
    ("/api/public/observations?level=LOUD",                     "level must be one of"),
    ("/api/public/v2/observations?limit=1001",                  "between 1 and 1000"),
    ("/api/public/v2/observations?parseIoAsJson=true",          "parseIoAsJson"),
    ("/api/public/v2/observations?cursor=not-a-cursor",         "cursor is not valid"),
    ("/api/public/v2/observations?isRootObservation=maybe",     "isRootObservation"),
    ("/api/public/v2/scores?value=high",                        "value must be a number"),
    ("/api/public/v2/scores?dataType=FUZZY",                    "dataType"),
    ("/api/public/v2/scores?operator=~&value=1",                "operator"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "words"), BAD_REQUESTS)
def test_bad_parameters_are_400_saying_what_is_wrong(
    client: TestClient, url: str, words: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "InvalidRequestError" and words in body["message"]


def test_cursor_must_decode_to_a_row_position(client: TestClient) -> None:
    bogus = base64.b64encode(b'{"lastId": "x"}').decode()
    response = client.get("/api/public/v2/observations", params={"cursor": bogus})
    assert response.status_code == 400


def test_cursor_times_past_bigint_are_400_not_500(client: TestClient) -> None:
    huge = b'{"lastStartTimeTo": 1e30, "lastTraceId": "t", "lastId": "x"}'
    response = client.get("/api/public/v2/observations", params={"cursor": base64.b64encode(huge)})
    assert response.status_code == 400 and "cursor is not valid" in response.text
    huge = b'{"timestamp": 18446744073709551615, "id": "x"}'
    cursor = base64.urlsafe_b64encode(huge).decode()
    response = client.get("/api/public/v3/scores", params={"cursor": cursor})
    assert response.status_code == 400 and "cursor is not valid" in response.text
