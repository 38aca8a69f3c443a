"""`GET /api/public/v3/scores`, the only score read of Python SDK 5: filters and cursor."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.openapi import validate
from tests.support.replay import replay_writes

URL = "/api/public/v3/scores"
ALL = ["relevance", "user-feedback", "quality", "accuracy", "session-rating"]


@pytest.fixture
def loaded(client: TestClient) -> TestClient:
    replay_writes(client, "python-langfuse-5.0.4-rich.jsonl")
    return client


def _names(client: TestClient, params: dict[str, Any]) -> list[str]:
    response = client.get(URL, params=params)
    assert response.status_code == 200, response.text
    return [s["name"] for s in response.json()["data"]]


# query                                                   score names (any order)
FILTERS = [
    ({},                                                    ALL),
    ({"name": "quality,accuracy"},                          ["quality", "accuracy"]),
    ({"dataType": "numeric"},                               ["relevance", "accuracy", "session-rating"]),
    ({"dataType": "BOOLEAN", "value": "true"},              ["user-feedback"]),
    ({"dataType": "BOOLEAN", "value": "false"},             []),
    ({"dataType": "CATEGORICAL", "value": "good"},          ["quality"]),
    ({"dataType": "NUMERIC", "value": "0.75,4"},            ["accuracy", "session-rating"]),
    ({"dataType": "NUMERIC", "valueMin": 0.8},              ["relevance", "session-rating"]),
    ({"dataType": "NUMERIC", "valueMax": 0.8},              ["accuracy"]),
    ({"sessionId": "chat-session-123"},                     ["session-rating"]),
    ({"source": "api"},                                     ALL),
    ({"environment": "production"},                         []),
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_filters(loaded: TestClient, query: dict[str, Any], expected: list[str]) -> None:
    assert sorted(_names(loaded, query)) == sorted(expected)


def test_subjects_and_trace_filters(loaded: TestClient) -> None:
    body = loaded.get(URL, params={"fields": "details,subject,annotation"}).json()
    validate(body, "GetScoresV3Response")
    by_name = {s["name"]: s for s in body["data"]}
    assert by_name["session-rating"]["subject"] == {"kind": "session", "id": "chat-session-123"}
    trace_id = by_name["user-feedback"]["subject"]["id"]
    assert by_name["user-feedback"]["subject"] == {"kind": "trace", "id": trace_id}
    quality = by_name["quality"]["subject"]
    assert (quality["kind"], quality["traceId"]) == ("observation", trace_id)
    assert (by_name["user-feedback"]["value"], by_name["quality"]["value"]) == (True, "good")
    assert by_name["accuracy"]["metadata"] == {"evaluator": "v1"}
    on_trace = _names(loaded, {"traceId": trace_id})
    assert sorted(on_trace) == ["accuracy", "quality", "relevance", "user-feedback"]
    on_obs = _names(loaded, {"traceId": trace_id, "observationId": quality["id"]})
    assert sorted(on_obs) == ["accuracy", "quality"]
    (core,) = loaded.get(URL, params={"name": "quality"}).json()["data"]
    assert not {"comment", "metadata", "subject", "authorUserId"} & set(core)


def test_cursor_walks_every_score_once(loaded: TestClient) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        body = loaded.get(URL, params=params).json()
        assert body["meta"]["limit"] == 2
        seen += [s["id"] for s in body["data"]]
        if "cursor" not in body["meta"]:
            break
        params["cursor"] = body["meta"]["cursor"]
    everything = loaded.get(URL).json()["data"]
    assert seen == [s["id"] for s in everything] and len(seen) == 5


# query                                                   words of the 400 message
BAD = [
    ({"fields": "details,everything"},                      "unknown: everything"),
    ({"limit": 101},                                        "between 1 and 100"),
    ({"value": "1"},                                        "value requires exactly one dataType"),
    ({"dataType": "BOOLEAN", "value": "yes"},               "true or false"),
    ({"dataType": "NUMERIC", "value": "high"},              "numbers"),
    ({"valueMin": 1},                                       "dataType=NUMERIC"),
    ({"traceId": "t", "sessionId": "s"},                    "mutually exclusive"),
    ({"observationId": "o"},                                "requires traceId"),
    ({"dataType": "FUZZY"},                                 "dataType"),
    ({"cursor": "%%%"},                                     "cursor is not valid"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "words"), BAD)
def test_bad_parameters(client: TestClient, query: dict[str, Any], words: str) -> None:
    response = client.get(URL, params=query)
    assert response.status_code == 400, response.text
    assert words in response.json()["message"]
