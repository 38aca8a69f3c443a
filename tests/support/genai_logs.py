"""OTLP logs bodies carrying GenAI content events (protobuf and JSON), and the chat span
they belong to, as OpenTelemetry's OpenAI instrumentation sends them (older conventions:
one event per message, the role in the event name, the message in the body)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tests.support.bodies import T0_NS, json_attrs, json_doc, json_value, string_attr

LOGS_PATH = "/api/public/otel/v1/logs"


@dataclass(frozen=True)
class LogEvent:
    """One log record: `name` goes in the record's event_name unless `as_attribute`."""

    name: str
    body: Any
    trace_id: str = ""
    span_id: str = ""
    time_ns: int = T0_NS
    attributes: dict[str, Any] = field(default_factory=dict)
    as_attribute: bool = False


def chat_events(trace_id: str, span_id: str) -> list[LogEvent]:
    """A chat with a tool call, and its one choice; what `chat_io` expects back."""
    calls = [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
        }
    ]
    bodies = [
        ("gen_ai.system.message", {"content": "You are terse."}),
        ("gen_ai.user.message", {"content": "Weather in Paris?"}),
        ("gen_ai.assistant.message", {"tool_calls": calls}),
        ("gen_ai.tool.message", {"content": "18C", "id": "call_1"}),
        ("gen_ai.user.message", {"content": "Thanks"}),
        (
            "gen_ai.choice",
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "It is 18C in Paris."},
            },
        ),
    ]
    return [
        LogEvent(name, body, trace_id, span_id, T0_NS + i, {"gen_ai.system": "openai"})
        for i, (name, body) in enumerate(bodies)
    ]


def chat_input(arguments: str = '{"city": "Paris"}') -> list[dict[str, Any]]:
    """What `chat_events` become as a span's input; `arguments` as the tool call's are read."""
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "weather", "arguments": arguments},
    }
    return [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "tool_calls": [call]},
        {"role": "tool", "content": "18C", "tool_call_id": "call_1"},
        {"role": "user", "content": "Thanks"},
    ]


CHAT_INPUT = chat_input()
CHAT_OUTPUT = {"role": "assistant", "content": "It is 18C in Paris."}


def other_records(trace_id: str, span_id: str) -> list[LogEvent]:
    """Records that are not GenAI content: accepted, never stored."""
    return [
        LogEvent("", "GET /weather 200", trace_id, span_id),
        LogEvent("app.checkout", {"cart": "3 items"}, trace_id, span_id),
    ]


def json_logs_doc(events: list[LogEvent]) -> dict[str, Any]:
    records = []
    for e in events:
        attributes = {**e.attributes, **({"event.name": e.name} if e.as_attribute else {})}
        record: dict[str, Any] = {
            "timeUnixNano": str(e.time_ns),
            "attributes": json_attrs(attributes),
            "traceId": e.trace_id,
            "spanId": e.span_id,
        }
        if e.name and not e.as_attribute:
            record["eventName"] = e.name
        if e.body is not None:
            record["body"] = json_value(e.body)
        records.append(record)
    scope = {"scope": {"name": "opentelemetry.instrumentation.openai_v2"}, "logRecords": records}
    return {"resourceLogs": [{"scopeLogs": [scope]}]}


def json_logs_body(events: list[LogEvent]) -> bytes:
    return orjson.dumps(json_logs_doc(events))


def _pb_value(target: AnyValue, value: Any) -> None:
    if isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, int):
        target.int_value = value
    elif isinstance(value, float):
        target.double_value = value
    elif isinstance(value, str):
        target.string_value = value
    elif isinstance(value, list):
        for item in value:
            _pb_value(target.array_value.values.add(), item)
    else:
        for key, item in value.items():
            kv = target.kvlist_value.values.add()
            kv.key = key
            _pb_value(kv.value, item)


def protobuf_logs_body(events: list[LogEvent]) -> bytes:
    request = ExportLogsServiceRequest()
    scope_logs = request.resource_logs.add().scope_logs.add()
    scope_logs.scope.name = "opentelemetry.instrumentation.openai_v2"
    for e in events:
        record = scope_logs.log_records.add()
        record.time_unix_nano = e.time_ns
        if e.trace_id:
            record.trace_id = bytes.fromhex(e.trace_id)
        if e.span_id:
            record.span_id = bytes.fromhex(e.span_id)
        attributes = {**e.attributes, **({"event.name": e.name} if e.as_attribute else {})}
        for key, value in attributes.items():
            kv = record.attributes.add()
            kv.key = key
            _pb_value(kv.value, value)
        if e.name and not e.as_attribute:
            record.event_name = e.name
        if e.body is not None:
            _pb_value(record.body, e.body)
    return bytes(request.SerializeToString())


def chat_span_body(trace_id: str, span_id: str, extra: list[dict[str, Any]] | None = None) -> bytes:
    """The instrumentation's chat span: model and usage, no content (OTLP JSON traces)."""
    span = {
        "traceId": trace_id,
        "spanId": span_id,
        "name": "chat gpt-4o-mini",
        "kind": 3,
        "startTimeUnixNano": str(T0_NS),
        "endTimeUnixNano": str(T0_NS + 900_000_000),
        "attributes": [
            string_attr("gen_ai.operation.name", "chat"),
            string_attr("gen_ai.system", "openai"),
            string_attr("gen_ai.request.model", "gpt-4o-mini"),
            *(extra or []),
        ],
    }
    return orjson.dumps(json_doc([span]))
