"""Four fields answered in Langfuse's shape (PowerRAG issue 10): usage with the keys the SDK
sent, model parameters as strings and numbers, every nullable field of a trace's scores,
and an empty observation output as null. docs/api.md lists them."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

TRACE_ID = "000000000000000000000000000f1e1d"
ROOT, CHILD = "00000000000000a1", "00000000000000a2"
GPT_4O_INPUT, GPT_4O_OUTPUT = 2.5e-06, 1e-05  # src/powerrag/data/default-model-prices.json


def _attr(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def _send(client: TestClient, child_attrs: dict[str, str]) -> dict[str, Any]:
    """A root span and one generation child with `child_attrs`; the stored generation."""
    spans = [
        {
            "traceId": TRACE_ID,
            "spanId": span_id,
            **({"parentSpanId": ROOT} if span_id == CHILD else {}),
            "name": name,
            "startTimeUnixNano": "1763900000000000000",
            "endTimeUnixNano": "1763900001000000000",
            "attributes": [_attr(k, v) for k, v in attrs.items()],
        }
        for span_id, name, attrs in (
            (ROOT, "root", {"session.id": "shapes"}),
            (CHILD, "llm", {"langfuse.observation.type": "generation", **child_attrs}),
        )
    ]
    doc = {
        "resourceSpans": [
            {"resource": {}, "scopeSpans": [{"scope": {"name": "langfuse-sdk"}, "spans": spans}]}
        ]
    }
    sent = client.post(
        "/api/public/otel/v1/traces",
        content=orjson.dumps(doc),
        headers={"content-type": "application/json"},
    )
    assert sent.status_code == 200 and sent.json() == {}, sent.text
    observation: dict[str, Any] = client.get(f"/api/public/observations/{CHILD}").json()
    return observation


@pytest.mark.parametrize(
    ("sent", "answered", "tokens"),
    [
        (
            {"prompt_tokens": 100, "completion_tokens": 20},
            {"prompt_tokens": 100, "completion_tokens": 20, "total": 120},
            (100, 20, 120),
        ),
        (
            {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 125},
            {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 125, "total": 125},
            (100, 20, 125),
        ),
        ({"input": 100, "output": 20}, {"input": 100, "output": 20, "total": 120}, (100, 20, 120)),
    ],
)
def test_usage_comes_back_with_the_keys_sent_and_still_counts(
    client: TestClient,
    sent: dict[str, int],
    answered: dict[str, int],
    tokens: tuple[int, int, int],
) -> None:
    attrs = {
        "langfuse.observation.model.name": "gpt-4o",
        "langfuse.observation.usage_details": orjson.dumps(sent).decode(),
    }
    observation = _send(client, attrs)
    assert observation["usageDetails"] == answered
    figures = (
        observation["promptTokens"],
        observation["completionTokens"],
        observation["totalTokens"],
    )
    assert figures == tokens
    cost = 100 * GPT_4O_INPUT + 20 * GPT_4O_OUTPUT
    assert observation["calculatedTotalCost"] == pytest.approx(cost, abs=1e-12)
    trace = client.get(f"/api/public/traces/{TRACE_ID}").json()
    assert trace["totalCost"] == pytest.approx(cost, abs=1e-12)
    listed = client.get("/api/public/v2/observations", params={"fields": "usage"}).json()
    assert [o["usageDetails"] for o in listed["data"] if o["id"] == CHILD] == [answered]


def test_a_batch_update_of_usage_replaces_what_the_span_sent(client: TestClient) -> None:
    usage = orjson.dumps({"prompt_tokens": 100, "completion_tokens": 20}).decode()
    _send(client, {"langfuse.observation.usage_details": usage})
    event = {
        "id": "ev-usage",
        "type": "generation-update",
        "timestamp": "2026-11-20T10:00:00.000Z",
        "body": {"id": CHILD, "traceId": TRACE_ID, "usageDetails": {"input": 7, "output": 1}},
    }
    assert client.post("/api/public/ingestion", json={"batch": [event]}).status_code == 207
    observation = client.get(f"/api/public/observations/{CHILD}").json()
    assert observation["usageDetails"] == {"input": 7, "output": 1, "total": 8}


def test_model_parameters_keep_strings_and_numbers_and_give_other_values_as_json_text(
    client: TestClient,
) -> None:
    params = {"temperature": 0.2, "max_tokens": 256, "stop": ["a", "b"], "stream": False}
    params |= {"mode": "chat", "tool": {"k": 1}}
    attrs = {"langfuse.observation.model.parameters": orjson.dumps(params).decode()}
    observation = _send(client, attrs)
    assert observation["modelParameters"] == {
        "temperature": 0.2,
        "max_tokens": 256,
        "stop": '["a","b"]',
        "stream": "false",
        "mode": "chat",
        "tool": '{"k":1}',
    }


@pytest.mark.parametrize(
    ("sent", "expected"), [({"langfuse.observation.output": ""}, None), ({}, None)]
)
def test_an_empty_output_reads_back_as_null(
    client: TestClient, sent: dict[str, str], expected: None
) -> None:
    observation = _send(client, {"langfuse.observation.input": "question", **sent})
    assert (observation["input"], observation["output"]) == ("question", expected)


def test_an_empty_batch_output_reads_back_as_null_and_a_non_empty_one_as_sent(
    client: TestClient,
) -> None:
    events = [
        {
            "id": f"ev-{obs_id}",
            "type": "span-create",
            "timestamp": "2026-11-20T10:00:00.000Z",
            "body": {"id": obs_id, "traceId": "batch-io", "input": "q", "output": output},
        }
        for obs_id, output in (("empty-out", ""), ("space-out", " "))
    ]
    assert client.post("/api/public/ingestion", json={"batch": events}).status_code == 207
    empty = client.get("/api/public/observations/empty-out").json()
    space = client.get("/api/public/observations/space-out").json()
    assert (empty["input"], empty["output"], space["output"]) == ("q", None, " ")


def test_every_nullable_field_of_a_trace_score_is_present(client: TestClient) -> None:
    def score(score_id: str, **body: Any) -> dict[str, Any]:
        return {
            "id": f"ev-{score_id}",
            "type": "score-create",
            "timestamp": "2026-11-20T10:00:00.000Z",
            "body": {"id": score_id, "traceId": "scored", "name": score_id, **body},
        }

    trace = {
        "id": "ev-trace",
        "type": "trace-create",
        "timestamp": "2026-11-20T10:00:00.000Z",
        "body": {"id": "scored"},
    }
    batch = [
        trace,
        score("numeric", value=0.5, dataType="NUMERIC"),
        score("text", value="fine", dataType="TEXT"),
        score("category", value="good", dataType="CATEGORICAL"),
    ]
    assert client.post("/api/public/ingestion", json={"batch": batch}).status_code == 207
    scores = {s["name"]: s for s in client.get("/api/public/traces/scored").json()["scores"]}
    nullable = ("comment", "observationId", "configId", "queueId", "authorUserId")
    for name, value, string_value in (
        ("numeric", 0.5, None),
        ("text", None, "fine"),
        ("category", 0.0, "good"),
    ):
        got = scores[name]
        assert (got["value"], got["stringValue"]) == (value, string_value), name
        assert {k: got[k] for k in nullable} == dict.fromkeys(nullable), name
