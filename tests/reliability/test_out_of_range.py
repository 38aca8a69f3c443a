"""Numbers too large to store reject their span or event; the rest is stored (issue 19, M8).

A usage count of 1e300 or 10**30 once made the writer fail the whole OTLP body or
batch with 500, losing its good spans (OTel exporters do not retry a 500). Each test
sends such a number between good siblings and checks the answer names the span or
event and the field, and that the siblings can be read back.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.support.answers import TS, rejected, stored
from tests.support.bodies import (
    BATCH_PATH,
    JSON,
    OTLP_PATH,
    PROTOBUF,
    SpanFactory,
    SpanSpec,
    int_attr,
    json_doc,
    json_span,
    protobuf_body,
    string_attr,
)

HUGE = [pytest.param(1e300, id="1e300"), pytest.param(10**30, id="10**30")]


def _double_attr(key: str, value: float) -> dict[str, Any]:
    return {"key": key, "value": {"doubleValue": value}}


def _usage_json(value: float | int) -> str:
    """JSON text as an SDK writes it; the standard library keeps 10**30's digits."""
    return json.dumps({"input": value, "output": 3})


# (attribute key, how the huge number is carried, words the rejection must hold)
CARRIERS = [
    ("gen_ai.usage.input_tokens", "double", "gen_ai.usage.input_tokens"),
    ("langfuse.observation.usage_details", "json", "langfuse.observation.usage_details input"),
    ("langfuse.observation.cost_details", "json", "langfuse.observation.cost_details input"),
    ("gen_ai.usage.cost", "double", "gen_ai.usage.cost"),
]


def _bad_attr(key: str, carrier: str, value: float | int) -> dict[str, Any]:
    if carrier == "double":
        return _double_attr(key, float(value))
    return string_attr(key, _usage_json(value))


def _three(seed: int) -> tuple[SpanSpec, SpanSpec, SpanSpec]:
    root, bad, sibling = SpanFactory(seed).trace(children=2)
    return root, bad, sibling


def _assert_siblings_kept(client: TestClient, kept: list[SpanSpec], bad: SpanSpec) -> None:
    for spec in kept:
        observation = client.get(f"/api/public/observations/{spec.span_id}").json()
        assert observation["usageDetails"]["input"] == spec.input_tokens
    assert not stored(client, bad.span_id)
    trace = client.get(f"/api/public/traces/{bad.trace_id}").json()
    assert {o["id"] for o in trace["observations"]} == {s.span_id for s in kept}


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(("key", "carrier", "words"), CARRIERS)
def test_otlp_json_rejects_the_span_with_a_huge_number(
    client: TestClient, value: float | int, key: str, carrier: str, words: str
) -> None:
    root, bad, sibling = _three(61)
    spans = [json_span(root), json_span(bad, [_bad_attr(key, carrier, value)]), json_span(sibling)]
    response = client.post(OTLP_PATH, content=orjson.dumps(json_doc(spans)), headers=JSON)
    refused, message = rejected(response)
    assert refused == 1
    assert bad.span_id in message and words in message and "out of range" in message
    _assert_siblings_kept(client, [root, sibling], bad)


def _protobuf_with(
    specs: list[SpanSpec], bad: SpanSpec, key: str, carrier: str, value: Any
) -> bytes:
    request = ExportTraceServiceRequest.FromString(protobuf_body(specs))
    for span in request.resource_spans[0].scope_spans[0].spans:
        if span.span_id.hex() == bad.span_id:
            kv = span.attributes.add()
            kv.key = key
            if carrier == "double":
                kv.value.double_value = float(value)
            else:
                kv.value.string_value = _usage_json(value)
    return bytes(request.SerializeToString())


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(("key", "carrier", "words"), CARRIERS)
def test_otlp_protobuf_rejects_the_span_with_a_huge_number(
    client: TestClient, value: float | int, key: str, carrier: str, words: str
) -> None:
    root, bad, sibling = _three(62)
    body = _protobuf_with([root, bad, sibling], bad, key, carrier, value)
    refused, message = rejected(client.post(OTLP_PATH, content=body, headers=PROTOBUF))
    assert refused == 1
    assert bad.span_id in message and words in message and "out of range" in message
    _assert_siblings_kept(client, [root, sibling], bad)


def test_counts_that_add_up_past_64_bits_reject_the_span(client: TestClient) -> None:
    """Each count fits 64 bits; their sum, the stored `total`, does not."""
    root, bad, sibling = _three(63)
    keys = ("llm.token_count.prompt", "llm.token_count.completion", "gen_ai.usage.audio_tokens")
    counts = [int_attr(key, 2**63 - 1) for key in keys]
    spans = [json_span(root), json_span(bad, counts), json_span(sibling)]
    response = client.post(OTLP_PATH, content=orjson.dumps(json_doc(spans)), headers=JSON)
    refused, message = rejected(response)
    assert refused == 1 and bad.span_id in message and "add up" in message
    _assert_siblings_kept(client, [root, sibling], bad)


@pytest.mark.parametrize(
    ("attr", "words"),
    [
        (_double_attr("ai.response.msToFirstChunk", 1e300), "ai.response.msToFirstChunk"),
        (string_attr("langfuse.observation.prompt.version", "9" * 30), "prompt.version"),
        (
            {"key": "langfuse.observation.prompt.version", "value": {"intValue": str(2**40)}},
            "prompt.version",
        ),
    ],
)
def test_other_numbers_beyond_their_columns_reject_the_span(
    client: TestClient, attr: dict[str, Any], words: str
) -> None:
    root, bad, sibling = _three(64)
    spans = [json_span(root), json_span(bad, [attr]), json_span(sibling)]
    response = client.post(OTLP_PATH, content=orjson.dumps(json_doc(spans)), headers=JSON)
    refused, message = rejected(response)
    assert refused == 1 and bad.span_id in message and words in message
    _assert_siblings_kept(client, [root, sibling], bad)


def _generation(event_id: str, obs_id: str, extra: dict[str, Any]) -> dict[str, Any]:
    body = {"id": obs_id, "traceId": "trace-m8", "name": obs_id, "startTime": TS, **extra}
    return {"id": event_id, "type": "generation-create", "timestamp": TS, "body": body}


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"usageDetails": {"input": "HUGE", "output": 3}}, "body.usageDetails input"),
        ({"usage": {"promptTokens": "HUGE"}}, "body.usage input"),
        ({"costDetails": {"total": "HUGE"}}, "body.costDetails total"),
        ({"usage": {"totalCost": "HUGE"}}, "body.usage total"),
    ],
)
def test_batch_refuses_the_event_with_a_huge_number(
    client: TestClient, value: float | int, extra: dict[str, Any], words: str
) -> None:
    good = _generation("e-good", "obs-good", {"usageDetails": {"input": 5, "output": 3}})
    bad = _generation("e-bad", "obs-bad", extra)
    after = _generation("e-after", "obs-after", {"usageDetails": {"input": 5}})
    # The standard library writes 10**30 with all its digits, as a JavaScript SDK would not.
    raw = json.dumps({"batch": [good, bad, after]}).replace('"HUGE"', json.dumps(value))
    response = client.post(BATCH_PATH, content=raw.encode(), headers=JSON)
    assert response.status_code == 207, response.text
    answer = response.json()
    assert [s["id"] for s in answer["successes"]] == ["e-good", "e-after"]
    [error] = answer["errors"]
    assert error["id"] == "e-bad" and error["status"] == 400
    assert words in error["message"] and "out of range" in error["message"]
    for obs_id in ("obs-good", "obs-after"):
        observation = client.get(f"/api/public/observations/{obs_id}").json()
        assert observation["usageDetails"]["input"] == 5
    assert not stored(client, "obs-bad")


def test_batch_prompt_version_beyond_its_column_is_refused(client: TestClient) -> None:
    good = _generation("e-good", "obs-good", {})
    bad = _generation("e-bad", "obs-bad", {"promptName": "p", "promptVersion": 2**40})
    response = client.post(BATCH_PATH, content=orjson.dumps({"batch": [good, bad]}), headers=JSON)
    answer = response.json()
    assert answer["successes"] == [{"id": "e-good", "status": 201}]
    assert "promptVersion" in answer["errors"][0]["message"]
    assert stored(client, "obs-good") and not stored(client, "obs-bad")
