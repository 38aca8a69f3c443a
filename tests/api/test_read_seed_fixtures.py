"""The seed, error and media fixtures, replayed byte for byte and read back.

Seeds are the user document's snippets (verbatim or ported); the error runs
each sent one span and one score per forced server answer (tests/data/sdk-traffic.md §7.2).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.replay import replay_writes

PY_SEED = {
    "chat-session-123": ["process-chat-message"],
    "your-session-id": ["another-operation", "process_request"],
}
JS_SEED = {"session-123": ["context-manager", "observe-wrapper", "manual-observation"]}
JS_SEED_PORTED_4 = {"session-123": ["context-manager", "manual-observation", "observe-wrapper"]}
QUERY = {"query": "What is the capital of France?"}

# fixture file                                  sessions -> trace names in time order
SEED_SESSIONS = {
    "python-langfuse-3.15.0-seed.jsonl":        PY_SEED,
    "python-langfuse-3.15.0-seed-ported.jsonl": PY_SEED,
    "python-langfuse-4.18.0-seed-ported.jsonl": PY_SEED,
    "python-langfuse-5.0.4-seed-ported.jsonl":  PY_SEED,
    "js-tracing-4.6.1-seed.jsonl":              JS_SEED,
    "js-tracing-4.6.1-seed-ported.jsonl":       JS_SEED_PORTED_4,
    "js-tracing-5.11.1-seed-ported.jsonl":      JS_SEED,
}  # fmt: skip

# trace name, input, output, observations in time order as (name, type, model)
TraceRow = tuple[str, Any, Any, list[tuple[str, str, str | None]]]
PY_TRACES: list[TraceRow] = [
    ("process-chat-message", None,                      None,                             [("process-chat-message", "SPAN", None), ("generate-response", "GENERATION", "gpt-4o")]),
    ("another-operation",    None,                      None,                             [("another-operation", "SPAN", None)]),
    ("process_request",      {"args": [], "kwargs": {}}, "ok",                            [("process_request", "SPAN", None)]),
]  # fmt: skip
JS_TRACES: list[TraceRow] = [
    ("context-manager",      QUERY,                     None,                             [("context-manager", "SPAN", None)]),
    ("observe-wrapper",      "API",                     {"data": "some data from API"},   [("observe-wrapper", "SPAN", None)]),
    ("manual-observation",   QUERY,                     "Paris",                          [("manual-observation", "SPAN", None)]),
]  # fmt: skip

# fixture file                                  distinct runs, each one span "err-test" + score "s1"
ERROR_RUNS = {
    "python-langfuse-3.15.0-errors.jsonl": 6,
    "python-langfuse-4.18.0-errors.jsonl": 6,
    "python-langfuse-5.0.4-errors.jsonl":  5,
    "js-tracing-4.6.1-errors.jsonl":       5,
    "js-tracing-5.11.1-errors.jsonl":      6,
}  # fmt: skip


def _traces(client: TestClient) -> dict[str, dict[str, Any]]:
    listed = client.get("/api/public/traces", params={"limit": 100}).json()["data"]
    return {t["name"]: t for t in listed}


@pytest.mark.parametrize("name", sorted(SEED_SESSIONS))
def test_seed_sessions_and_traces(client: TestClient, name: str) -> None:
    replay_writes(client, name)
    sessions = client.get("/api/public/sessions").json()["data"]
    assert sorted(s["id"] for s in sessions) == sorted(SEED_SESSIONS[name])
    for session_id, trace_names in SEED_SESSIONS[name].items():
        session = client.get(f"/api/public/sessions/{session_id}").json()
        assert [t["name"] for t in session["traces"]] == trace_names
        assert all(t["sessionId"] == session_id for t in session["traces"])
    traces = _traces(client)
    for trace_name, input_, output, observations in PY_TRACES if "python" in name else JS_TRACES:
        trace = traces[trace_name]
        assert (trace["input"], trace["output"], trace["environment"]) == (
            input_,
            output,
            "default",
        ), trace_name
        full = client.get(f"/api/public/traces/{trace['id']}").json()
        found = [(o["name"], o["type"], o["model"]) for o in full["observations"]]
        assert found == observations, trace_name


@pytest.mark.parametrize(
    "name",
    [
        "python-langfuse-4.18.0-seed-verbatim-fails.jsonl",
        "python-langfuse-5.0.4-seed-verbatim-fails.jsonl",
    ],
)
def test_verbatim_seed_failure_is_an_error_observation(client: TestClient, name: str) -> None:
    replay_writes(client, name)
    (trace,) = _traces(client).values()
    assert (trace["name"], trace["sessionId"]) == ("process_request", None)
    (obs,) = client.get(f"/api/public/traces/{trace['id']}").json()["observations"]
    assert obs["level"] == "ERROR"
    assert obs["statusMessage"] == "'Langfuse' object has no attribute 'update_current_trace'"
    assert client.get("/api/public/sessions").json()["data"] == []


@pytest.mark.parametrize("name", sorted(ERROR_RUNS))
def test_error_runs_store_each_span_and_score_once(client: TestClient, name: str) -> None:
    replay_writes(client, name)
    traces = client.get("/api/public/traces", params={"limit": 100}).json()["data"]
    assert [t["name"] for t in traces] == ["err-test"] * ERROR_RUNS[name]
    assert all(len(t["observations"]) == 1 and len(t["scores"]) == 1 for t in traces)
    scores = client.get("/api/public/v2/scores", params={"limit": 100}).json()["data"]
    assert {(s["name"], s["dataType"], s["value"]) for s in scores} == {("s1", "NUMERIC", 1.0)}
    assert {s["traceId"] for s in scores} == {t["id"] for t in traces}


def test_media_reference_is_kept_in_the_input(client: TestClient) -> None:
    replay_writes(client, "python-langfuse-5.0.4-media.jsonl")
    (trace,) = _traces(client).values()
    assert trace["name"] == "media-test"
    media = "@@@langfuseMedia:type=image/png|id=xBTNDiBN6XT3N1PH4o12OO|source="
    assert trace["input"] == {"image": media + "bytes@@@", "data_uri": media + "base64_data_uri@@@"}
