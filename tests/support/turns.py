"""One OTLP/JSON request per conversation turn: a trace in a session with a root span and a
priced generation (10 + 5 tokens, 0.25 + 0.5 cost), for the replica tests."""

from __future__ import annotations

from typing import Any

import orjson

OTLP_JSON = "/api/public/otel/v1/traces"
# What each turn adds to its session's figures.
TURN_TOKENS = (10, 5, 15)  # input, output, total
TURN_COST = 0.75
TURN_OBSERVATIONS = 2


def _span(trace_id: str, span_id: str, parent: str | None, start_ns: int, **attrs: str) -> Any:
    span: dict[str, Any] = {
        "traceId": trace_id,
        "spanId": span_id,
        "name": "answer" if parent else "conversation-turn",
        "startTimeUnixNano": str(start_ns),
        "endTimeUnixNano": str(start_ns + 1_000_000),
        "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attrs.items()],
    }
    if parent:
        span["parentSpanId"] = parent
    return span


def turn_body(turn: int, session_id: str) -> bytes:
    """Turn `turn` (from 0) of `session_id`; its trace id is `turn + 1` in hex."""
    trace_id, root, generation = f"{turn + 1:032x}", f"{turn + 1:016x}", f"{turn + 1:08x}ffffffff"
    start_ns = 1_767_225_600_000_000_000 + turn * 1_000_000_000
    spans = [
        _span(trace_id, root, None, start_ns, **{"langfuse.session.id": session_id}),
        _span(
            trace_id,
            generation,
            root,
            start_ns,
            **{
                "langfuse.observation.type": "generation",
                "langfuse.observation.usage_details": '{"input": 10, "output": 5}',
                "langfuse.observation.cost_details": '{"input": 0.25, "output": 0.5}',
            },
        ),
    ]
    body = {"resourceSpans": [{"scopeSpans": [{"scope": {"name": "load"}, "spans": spans}]}]}
    return orjson.dumps(body)
