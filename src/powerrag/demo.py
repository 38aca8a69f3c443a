"""`powerrag demo`: send realistic multi-turn sessions to a running server's public API.

Everything goes over HTTP exactly as an SDK would send it: OTLP/protobuf spans
built with the opentelemetry-proto classes, and scores as JSON. Nothing of the
server is imported, so the demo also works against a remote PowerRAG.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import (
    AnyValue,
    ArrayValue,
    InstrumentationScope,
    KeyValue,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from powerrag.demo_sessions import CONVERSATIONS, Conversation, Step, Turn
from powerrag.domain.jsondoc import JSONObject

SECOND_NS = 1_000_000_000


def _value(value: Any) -> AnyValue:
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, list):
        return AnyValue(array_value=ArrayValue(values=[_value(v) for v in value]))
    return AnyValue(
        string_value=value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    )


def _attrs(values: JSONObject) -> list[KeyValue]:
    return [KeyValue(key=k, value=_value(v)) for k, v in values.items() if v is not None]


def otlp_span(
    trace_id: bytes,
    parent: bytes | None,
    name: str,
    start: int,
    end: int,
    attrs: JSONObject,
    error: str = "",
) -> Span:
    """An internal span with a random id; an error sets its status (for tests too)."""
    span = Span(
        trace_id=trace_id,
        span_id=secrets.token_bytes(8),
        name=name,
        kind=Span.SPAN_KIND_INTERNAL,
        start_time_unix_nano=start,
        end_time_unix_nano=end,
        attributes=_attrs(attrs),
    )
    if parent:
        span.parent_span_id = parent
    if error:
        span.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR, message=error))
    return span


# USD per token for models the bundled price list does not know; others are priced by the server.
_PRICES = {"qwen-max": (1.6e-6, 6.4e-6), "claude-3-5-sonnet": (3e-6, 15e-6)}


def _cost(step: Step) -> str | None:
    if step.model not in _PRICES:
        return None
    per_in, per_out = _PRICES[step.model]
    cost = {"input": step.usage["input"] * per_in, "output": step.usage["output"] * per_out}
    return json.dumps({**cost, "total": cost["input"] + cost["output"]})


def _iso(ns: int) -> str:
    seconds, rest = divmod(ns, SECOND_NS)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{rest // 1_000_000:03d}Z"


def _messages(conv: Conversation, history: list[JSONObject], question: str) -> list[JSONObject]:
    return [
        {"role": "system", "content": conv.system},
        *history,
        {"role": "user", "content": question},
    ]


def _turn_spans(
    conv: Conversation, session_id: str, turn: Turn, start: int, history: list[JSONObject]
) -> tuple[bytes, list[Span], int]:
    trace_id = secrets.token_bytes(16)
    root_id = secrets.token_bytes(8)
    spans: list[Span] = []
    clock = start + int(0.05 * SECOND_NS)
    for step in turn.steps:
        end = clock + int(step.seconds * SECOND_NS)
        # Like the SDKs' propagate_attributes: every span names its session and user.
        attrs: JSONObject = {
            "langfuse.observation.type": step.kind,
            "langfuse.session.id": session_id,
            "langfuse.user.id": conv.user_id,
            "langfuse.environment": "production",
        }
        if step.kind == "generation":
            attrs.update(
                {
                    "langfuse.observation.model.name": step.model,
                    "langfuse.observation.model.parameters": json.dumps(
                        {"temperature": 0.3, "max_tokens": 800}
                    ),
                    "langfuse.observation.usage_details": json.dumps(step.usage),
                    "langfuse.observation.cost_details": _cost(step),
                    "langfuse.observation.input": json.dumps(
                        _messages(conv, history, turn.question), ensure_ascii=False
                    ),
                    "langfuse.observation.completion_start_time": json.dumps(
                        _iso(clock + int(min(step.seconds, 1.0) * SECOND_NS / 3))
                    ),
                }
            )
        else:
            attrs["langfuse.observation.input"] = json.dumps(step.input, ensure_ascii=False)
        if step.output is not None:
            attrs["langfuse.observation.output"] = json.dumps(step.output, ensure_ascii=False)
        if step.error:
            attrs.update(
                {
                    "langfuse.observation.level": "ERROR",
                    "langfuse.observation.status_message": step.error,
                }
            )
        span = otlp_span(trace_id, root_id, step.name, clock, end, attrs, step.error)
        spans.append(span)
        clock = end + int(0.02 * SECOND_NS)
    root_attrs = {
        "langfuse.session.id": session_id,
        "langfuse.user.id": conv.user_id,
        "langfuse.trace.name": "chat-turn",
        "langfuse.environment": "production",
        "langfuse.trace.tags": ["demo", conv.key],
        "langfuse.observation.input": json.dumps(turn.question, ensure_ascii=False),
        "langfuse.observation.output": None
        if turn.answer is None
        else json.dumps(turn.answer, ensure_ascii=False),
    }
    root = otlp_span(
        trace_id,
        None,
        "chat-turn",
        start,
        clock,
        root_attrs,
        "" if turn.answer else "the model call failed",
    )
    root.span_id = root_id
    return trace_id, [root, *spans], clock


def send_export(client: httpx.Client, resource: JSONObject, scopes: dict[str, list[Span]]) -> None:
    """POST spans as OTLP/protobuf, one scope (version 1) per name that has spans, as the
    OpenTelemetry exporter of an SDK does."""
    request = ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(
                resource=Resource(attributes=_attrs(resource)),
                scope_spans=[
                    ScopeSpans(scope=InstrumentationScope(name=name, version="1"), spans=spans)
                    for name, spans in scopes.items()
                    if spans
                ],
            )
        ]
    )
    response = client.post(
        "/api/public/otel/v1/traces",
        content=bytes(request.SerializeToString()),
        headers={"content-type": "application/x-protobuf"},
    )
    response.raise_for_status()


def send_spans(client: httpx.Client, spans: list[Span]) -> None:
    """POST the demo's spans under its own service and scope."""
    resource: JSONObject = {"service.name": "powerrag-demo", "telemetry.sdk.language": "python"}
    send_export(client, resource, {"powerrag-demo": spans})


def turn_spans(
    session_id: str, turn: Turn, start_ns: int, *, user_id: str = "demo-user"
) -> tuple[str, list[Span]]:
    """The spans of one turn (root first) and its trace id in hex, for a live demo or a test."""
    conv = Conversation("live", user_id, "You are a helpful assistant.", [turn])
    trace_id, spans, _ = _turn_spans(conv, session_id, turn, start_ns, [])
    return trace_id.hex(), spans


@dataclass(frozen=True, slots=True)
class DemoResult:
    project_id: str
    session_ids: list[str]
    trace_count: int
    score_count: int


def run_demo(
    base_url: str, public_key: str, secret_key: str, *, minutes_ago: float = 30.0
) -> DemoResult:
    """Send every demo conversation; raises httpx.HTTPStatusError if the server refuses."""
    suffix = secrets.token_hex(3)
    session_ids, traces, scores = [], 0, 0
    start_ns = int((time.time() - minutes_ago * 60) * SECOND_NS)
    with httpx.Client(
        base_url=base_url.rstrip("/"), auth=(public_key, secret_key), timeout=30
    ) as client:
        for index, conv in enumerate(CONVERSATIONS):
            session_id = f"demo-{conv.key}-{suffix}"
            session_ids.append(session_id)
            clock = start_ns + index * 7 * 60 * SECOND_NS
            history: list[JSONObject] = []
            for turn in conv.turns:
                trace_id, spans, clock = _turn_spans(conv, session_id, turn, clock, history)
                send_spans(client, spans)
                traces += 1
                history += [{"role": "user", "content": turn.question}]
                if turn.answer:
                    history.append({"role": "assistant", "content": turn.answer})
                if turn.feedback is not None:
                    _score(
                        client,
                        {
                            "traceId": trace_id.hex(),
                            "name": "user-feedback",
                            "value": turn.feedback,
                            "dataType": "NUMERIC",
                            "comment": "thumbs from the chat widget",
                        },
                    )
                    scores += 1
                clock += int(turn.gap_seconds * SECOND_NS)
            _score(
                client,
                {
                    "sessionId": session_id,
                    "name": "resolved",
                    "value": conv.resolved,
                    "dataType": "CATEGORICAL",
                },
            )
            scores += 1
        project_id = str(
            client.get("/api/public/projects").raise_for_status().json()["data"][0]["id"]
        )
    return DemoResult(project_id, session_ids, traces, scores)


def _score(client: httpx.Client, body: JSONObject) -> None:
    client.post("/api/public/scores", json=body).raise_for_status()
