"""Read answers validated against the openapi.yml component schemas, on real data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.openapi import validate, validate_items
from tests.support.replay import replay_writes

ALL_V2_GROUPS = "core,basic,time,io,metadata,model,usage,prompt,metrics,trace_context"
LOADED = [
    "python-langfuse-3.15.0-rich.jsonl",
    "js-tracing-5.11.1-rich.jsonl",
    "python-langfuse-5.0.4-seed-ported.jsonl",
    "js-tracing-4.6.1-seed.jsonl",
]

# url                                                        schema
LISTS = [
    ("/api/public/sessions",                                   "PaginatedSessions"),
    ("/api/public/traces",                                     "Traces"),
    ("/api/public/traces?fields=core",                         "Traces"),
    ("/api/public/observations?limit=100",                     "legacyObservationsViews"),
    ("/api/public/v2/observations",                            "ObservationsV2Response"),
    (f"/api/public/v2/observations?fields={ALL_V2_GROUPS}",    "ObservationsV2Response"),
    ("/api/public/v2/scores",                                  "GetScoresResponse"),
    ("/api/public/v2/scores?fields=score",                     "GetScoresResponse"),
]  # fmt: skip


@pytest.fixture
def loaded(client: TestClient) -> TestClient:
    for name in LOADED:
        replay_writes(client, name)
    return client


def test_lists_fit_their_schemas(loaded: TestClient) -> None:
    for url, schema in LISTS:
        response = loaded.get(url)
        assert response.status_code == 200, (url, response.text)
        body = response.json()
        assert body["data"], url
        validate(body, schema)


def test_single_objects_fit_their_schemas(loaded: TestClient) -> None:
    for trace in loaded.get("/api/public/traces", params={"limit": 100}).json()["data"]:
        full = loaded.get(f"/api/public/traces/{trace['id']}").json()
        validate(full, "TraceWithFullDetails")
        validate_items(full["observations"], "ObservationsView")
        validate_items(full["scores"], "ScoreV1")
        for obs_id in trace["observations"]:
            validate(loaded.get(f"/api/public/observations/{obs_id}").json(), "ObservationsView")
    for session in loaded.get("/api/public/sessions").json()["data"]:
        detail = loaded.get(f"/api/public/sessions/{session['id']}").json()
        validate(detail, "SessionWithTraces")
        validate_items(detail["traces"], "Trace")
    for score in loaded.get("/api/public/v2/scores").json()["data"]:
        validate(loaded.get(f"/api/public/v2/scores/{score['id']}").json(), "Score")


def test_v1_scores_are_trace_bound_score_v1(loaded: TestClient) -> None:
    body = loaded.get("/api/public/scores", params={"limit": 100}).json()
    validate(body["meta"], "utilsMetaResponse")
    assert body["data"] and all(s["traceId"] for s in body["data"])
    validate_items(body["data"], "ScoreV1")


@pytest.mark.parametrize(
    "score",
    [
        {"name": "tone", "value": "kind", "dataType": "CATEGORICAL", "sessionId": "chat-1"},
        {"name": "fix", "value": "better", "dataType": "CORRECTION", "traceId": "t-1"},
    ],
    ids=["session-score", "correction"],
)
def test_v1_reads_show_only_what_score_v1_can_hold(
    client: TestClient, score: dict[str, str]
) -> None:
    # ScoreV1 requires a traceId and has no CORRECTION variant: v1 answers 404 for such a
    # score and leaves it out of its list and of a trace's scores; v2 returns it (both found
    # by tests/reliability/test_schemathesis.py).
    trace = {"id": "t-1", "timestamp": "2026-11-24T10:00:00Z", "name": "chat"}
    event = {"id": "e-1", "type": "trace-create", "timestamp": trace["timestamp"], "body": trace}
    assert client.post("/api/public/ingestion", json={"batch": [event]}).status_code == 207
    score_id = client.post("/api/public/scores", json=score).json()["id"]
    response = client.get(f"/api/public/scores/{score_id}")
    assert response.status_code == 404
    assert response.json() == {
        "message": f"Score {score_id} not found within authorized project",
        "error": "LangfuseNotFoundError",
    }
    assert client.get("/api/public/scores").json()["data"] == []
    assert client.get("/api/public/traces/t-1").json()["scores"] == []
    v2 = client.get(f"/api/public/v2/scores/{score_id}").json()
    assert v2["dataType"] == score["dataType"]
    validate(v2, "Score")


def test_the_validator_rejects_a_wrong_shape() -> None:
    with pytest.raises(AssertionError, match="htmlPath"):
        validate({"data": [{"id": "t", "timestamp": "x", "tags": [], "public": False}]}, "Traces")
