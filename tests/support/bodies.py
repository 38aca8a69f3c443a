"""OTLP and batch request bodies with known ids, for the reliability tests and benchmarks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import orjson
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

T0_NS = 1_763_900_000_000_000_000  # 2025-11-23
OTLP_PATH = "/api/public/otel/v1/traces"
BATCH_PATH = "/api/public/ingestion"
JSON = {"content-type": "application/json"}
PROTOBUF = {"content-type": "application/x-protobuf"}


@dataclass(frozen=True)
class SpanSpec:
    """One generated span: what was sent, so the test can check what was stored."""

    trace_id: str
    span_id: str
    parent_id: str | None
    session_id: str | None
    name: str
    input_tokens: int
    output_tokens: int
    start_ns: int


def string_attr(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def int_attr(key: str, value: int) -> dict[str, Any]:
    return {"key": key, "value": {"intValue": str(value)}}


def json_value(value: Any) -> dict[str, Any]:
    """A plain value as an OTLP/JSON AnyValue (ints as strings, as protobuf JSON writes them)."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [json_value(v) for v in value]}}
    return {"kvlistValue": {"values": json_attrs(value)}}


def json_attrs(values: dict[str, Any]) -> list[dict[str, Any]]:
    """Plain attributes as OTLP/JSON key-values."""
    return [{"key": k, "value": json_value(v)} for k, v in values.items()]


def json_span(spec: SpanSpec, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    attrs = [
        string_attr("langfuse.observation.type", "generation"),
        string_attr("gen_ai.request.model", "gpt-4o-mini"),
        int_attr("gen_ai.usage.input_tokens", spec.input_tokens),
        int_attr("gen_ai.usage.output_tokens", spec.output_tokens),
    ]
    if spec.session_id:
        attrs.append(string_attr("langfuse.session.id", spec.session_id))
    span: dict[str, Any] = {
        "traceId": spec.trace_id,
        "spanId": spec.span_id,
        "name": spec.name,
        "startTimeUnixNano": str(spec.start_ns),
        "endTimeUnixNano": str(spec.start_ns + 1_000_000),
        "attributes": attrs + (extra or []),
    }
    if spec.parent_id:
        span["parentSpanId"] = spec.parent_id
    return span


def json_doc(spans: list[dict[str, Any]]) -> dict[str, Any]:
    resource = {"attributes": [string_attr("service.name", "reliability")]}
    scope = {"name": "reliability-test", "version": "1"}
    return {
        "resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": scope, "spans": spans}]}]
    }


def json_body(specs: list[SpanSpec]) -> bytes:
    return orjson.dumps(json_doc([json_span(s) for s in specs]))


def protobuf_body(specs: list[SpanSpec]) -> bytes:
    request = ExportTraceServiceRequest()
    scope_spans = request.resource_spans.add().scope_spans.add()
    scope_spans.scope.name = "reliability-test"
    for spec in specs:
        span = scope_spans.spans.add()
        span.trace_id = bytes.fromhex(spec.trace_id)
        span.span_id = bytes.fromhex(spec.span_id)
        if spec.parent_id:
            span.parent_span_id = bytes.fromhex(spec.parent_id)
        span.name = spec.name
        span.start_time_unix_nano = spec.start_ns
        span.end_time_unix_nano = spec.start_ns + 1_000_000
        for key, value in (
            ("langfuse.observation.type", "generation"),
            ("gen_ai.request.model", "gpt-4o-mini"),
            ("langfuse.session.id", spec.session_id),
        ):
            if value:
                kv = span.attributes.add()
                kv.key, kv.value.string_value = key, value
        for key, number in (
            ("gen_ai.usage.input_tokens", spec.input_tokens),
            ("gen_ai.usage.output_tokens", spec.output_tokens),
        ):
            kv = span.attributes.add()
            kv.key, kv.value.int_value = key, number
    return bytes(request.SerializeToString())


class SpanFactory:
    """Deterministic spans: traces of a root and children, spread over a few sessions."""

    def __init__(self, seed: int, sessions: int = 5) -> None:
        self._random = random.Random(seed)
        self._sessions = [f"session-{seed}-{i}" for i in range(sessions)]
        self._counter = 0

    def _hex(self, digits: int) -> str:
        value = 0
        while value == 0:
            value = self._random.getrandbits(digits * 4)
        return f"{value:0{digits}x}"

    def trace(self, children: int = 2) -> list[SpanSpec]:
        trace_id, root_id = self._hex(32), self._hex(16)
        session = self._random.choice(self._sessions)
        specs = []
        for index in range(children + 1):
            self._counter += 1
            specs.append(
                SpanSpec(
                    trace_id=trace_id,
                    span_id=root_id if index == 0 else self._hex(16),
                    parent_id=None if index == 0 else root_id,
                    session_id=session if index == 0 else None,
                    name=f"op-{self._counter}",
                    input_tokens=self._random.randint(1, 500),
                    output_tokens=self._random.randint(1, 500),
                    start_ns=T0_NS + self._counter * 1_000_000_000,
                )
            )
        return specs
