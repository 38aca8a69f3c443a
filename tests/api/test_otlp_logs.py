"""OTLP logs: GenAI content events become the input and output of the span they name,
whichever arrives first (store/span_contents.py); other records are counted, not kept."""

from __future__ import annotations

import gzip
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from sqlalchemy import func, select

from powerrag.store.database import Store
from powerrag.store.infra.schema import observations, span_content_events
from powerrag.web.messages import to_messages
from tests.support.answers import assert_error
from tests.support.bodies import JSON, OTLP_PATH, PROTOBUF, T0_NS, string_attr
from tests.support.genai_logs import (
    CHAT_INPUT,
    CHAT_OUTPUT,
    LOGS_PATH,
    LogEvent,
    chat_events,
    chat_input,
    chat_span_body,
    json_logs_body,
    other_records,
    protobuf_logs_body,
)

TRACE_A, SPAN_A = "a1" * 16, "a2" * 8
TRACE_B, SPAN_B = "b1" * 16, "b2" * 8


def _send_span(client: TestClient, trace_id: str, span_id: str, **kw: Any) -> None:
    response = client.post(OTLP_PATH, content=chat_span_body(trace_id, span_id, **kw), headers=JSON)
    assert response.status_code == 200, response.text


def _send_logs(client: TestClient, events: list[LogEvent]) -> ExportLogsServiceResponse:
    response = client.post(LOGS_PATH, content=protobuf_logs_body(events), headers=PROTOBUF)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-protobuf"
    answer = ExportLogsServiceResponse()
    answer.ParseFromString(response.content)
    return answer


def _io(client: TestClient, span_id: str) -> tuple[Any, Any]:
    response = client.get(f"/api/public/observations/{span_id}")
    assert response.status_code == 200, response.text
    body = response.json()
    return body["input"], body["output"]


def _event_rows(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(span_content_events)).scalar())


def test_log_before_span_and_span_before_log_read_back_the_same(
    client: TestClient, store: Store
) -> None:
    answer = _send_logs(client, chat_events(TRACE_A, SPAN_A))
    assert not answer.HasField("partial_success")
    _send_span(client, TRACE_A, SPAN_A)
    _send_span(client, TRACE_B, SPAN_B)
    _send_logs(client, chat_events(TRACE_B, SPAN_B))
    assert _io(client, SPAN_A) == (CHAT_INPUT, CHAT_OUTPUT)
    assert _io(client, SPAN_B) == (CHAT_INPUT, CHAT_OUTPUT)
    trace = client.get(f"/api/public/traces/{TRACE_B}").json()
    assert [(o["id"], o["input"], o["output"]) for o in trace["observations"]] == [
        (SPAN_B, CHAT_INPUT, CHAT_OUTPUT)
    ]
    assert _event_rows(store) == 12


def test_the_replay_shows_the_content_as_a_conversation(client: TestClient, store: Store) -> None:
    _send_span(client, TRACE_A, SPAN_A)
    _send_logs(client, chat_events(TRACE_A, SPAN_A))
    with store.connect() as conn:
        query = select(observations.c.input, observations.c.output)
        raw_in, raw_out = conn.execute(query.where(observations.c.id == SPAN_A)).one()
    shown = [
        (m.role, m.text, [c.name for c in m.tool_calls], m.tool_name)
        for m in [
            *(to_messages(raw_in, "user") or []),
            *(to_messages(raw_out, "assistant") or []),
        ]
    ]
    assert shown == [
        ("system", "You are terse.", [], ""),
        ("user", "Weather in Paris?", [], ""),
        ("assistant", "", ["weather"], ""),
        ("tool", "18C", [], "call_1"),
        ("user", "Thanks", [], ""),
        ("assistant", "It is 18C in Paris.", [], ""),
    ]


def test_json_and_gzip_bodies_read_the_same(client: TestClient) -> None:
    _send_span(client, TRACE_A, SPAN_A)
    body = gzip.compress(json_logs_body(chat_events(TRACE_A, SPAN_A)))
    response = client.post(LOGS_PATH, content=body, headers={**JSON, "content-encoding": "gzip"})
    assert response.status_code == 200, response.text
    assert response.json() == {}
    assert _io(client, SPAN_A) == (CHAT_INPUT, CHAT_OUTPUT)


def test_the_same_body_twice_changes_nothing(client: TestClient, store: Store) -> None:
    # The user says the same thing twice: two messages, kept both, and a resend adds none.
    events = chat_events(TRACE_A, SPAN_A)
    events.insert(2, events[1])
    _send_logs(client, events)
    _send_span(client, TRACE_A, SPAN_A)
    first = _io(client, SPAN_A)
    _send_logs(client, events)
    _send_span(client, TRACE_A, SPAN_A)
    assert _io(client, SPAN_A) == first
    assert first[0] == [CHAT_INPUT[0], CHAT_INPUT[1], CHAT_INPUT[1], *CHAT_INPUT[2:]]
    assert _event_rows(store) == 7


def test_other_records_are_counted_not_stored(client: TestClient, store: Store) -> None:
    events = [*other_records(TRACE_A, SPAN_A), *chat_events(TRACE_A, SPAN_A)]
    # Content capture off: the same events without content are not kept either.
    events.append(LogEvent("gen_ai.user.message", None, TRACE_A, SPAN_A))
    answer = _send_logs(client, events)
    assert answer.partial_success.rejected_log_records == 0
    assert answer.partial_success.error_message == (
        "3 of 9 log records carry no GenAI message content: accepted, not stored"
    )
    assert _event_rows(store) == 6


def test_the_event_name_attribute_of_older_sdks_is_read(client: TestClient) -> None:
    events = [
        LogEvent(e.name, e.body, e.trace_id, e.span_id, e.time_ns, as_attribute=True)
        for e in chat_events(TRACE_A, SPAN_A)
    ]
    response = client.post(LOGS_PATH, content=json_logs_body(events), headers=JSON)
    assert response.json() == {}
    _send_span(client, TRACE_A, SPAN_A)
    assert _io(client, SPAN_A) == (CHAT_INPUT, CHAT_OUTPUT)


@pytest.mark.parametrize("span_first", [True, False], ids=["span-first", "log-first"])
def test_the_span_s_own_content_wins(client: TestClient, span_first: bool) -> None:
    own = [string_attr("langfuse.observation.input", "the span's own prompt")]
    if span_first:
        _send_span(client, TRACE_A, SPAN_A, extra=own)
    _send_logs(client, chat_events(TRACE_A, SPAN_A))
    if not span_first:
        _send_span(client, TRACE_A, SPAN_A, extra=own)
    assert _io(client, SPAN_A) == ("the span's own prompt", CHAT_OUTPUT)


def test_content_split_over_requests_completes_a_stored_span(client: TestClient) -> None:
    events = chat_events(TRACE_A, SPAN_A)
    _send_logs(client, events[:2])
    _send_span(client, TRACE_A, SPAN_A)
    assert _io(client, SPAN_A) == (CHAT_INPUT[:2], None)
    _send_logs(client, events[2:])
    assert _io(client, SPAN_A) == (CHAT_INPUT, CHAT_OUTPUT)


def test_content_of_another_trace_is_not_the_span_s(client: TestClient) -> None:
    _send_logs(client, chat_events(TRACE_B, SPAN_A))
    _send_span(client, TRACE_A, SPAN_A)
    assert _io(client, SPAN_A) == (None, None)


def test_operation_details_event_of_the_newer_conventions(client: TestClient) -> None:
    text = {"type": "text", "content": "Weather in Paris?"}
    call = {"type": "tool_call", "id": "call_1", "name": "weather", "arguments": {"city": "Paris"}}
    details = {
        "gen_ai.operation.name": "chat",
        "gen_ai.system_instructions": [{"type": "text", "content": "You are terse."}],
        "gen_ai.input.messages": [
            {"role": "user", "parts": [text]},
            {"role": "assistant", "parts": [call]},
            {
                "role": "tool",
                "parts": [{"type": "tool_call_response", "id": "call_1", "response": "18C"}],
            },
        ],
        "gen_ai.output.messages": [
            {
                "role": "assistant",
                "parts": [{"type": "text", "content": "It is 18C in Paris."}],
                "finish_reason": "stop",
            }
        ],
    }
    event = LogEvent(
        "gen_ai.client.inference.operation.details", None, TRACE_A, SPAN_A, T0_NS, details
    )
    _send_logs(client, [event])
    _send_span(client, TRACE_A, SPAN_A)
    # Arguments sent as a map come back as compact JSON text; no closing user message.
    expected_input = chat_input('{"city":"Paris"}')[:4]
    assert _io(client, SPAN_A) == (expected_input, CHAT_OUTPUT)


def test_unreadable_records_are_rejected_one_by_one(client: TestClient, store: Store) -> None:
    events = [
        LogEvent("gen_ai.user.message", {"content": "no span"}),
        LogEvent("gen_ai.choice", "not a map", TRACE_A, SPAN_A),
        *chat_events(TRACE_A, SPAN_A),
    ]
    response = client.post(LOGS_PATH, content=json_logs_body(events), headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "partialSuccess": {
            "rejectedLogRecords": "2",
            "errorMessage": "log record 0 (gen_ai.user.message): it names no span: trace_id "
            "must be 32 and span_id 16 hex characters, got '(none)' and '(none)'; "
            "log record 1 (gen_ai.choice): its body must be a map, not a string",
        }
    }
    assert _event_rows(store) == 6


@pytest.mark.parametrize(
    ("body", "headers", "words"),
    [
        (b"\xff\xff\xff", PROTOBUF, ("Failed to parse OTel Protobuf Logs",)),
        (b"{not json", JSON, ("Failed to parse OTel JSON Logs",)),
        (b"[]", JSON, ("the body must be an object",)),
        (b'{"resourceLogs": {}}', JSON, ("resourceLogs must be an array",)),
        (b'{"resourceLogs": [{"scopeLogs": 3}]}', JSON, ("scopeLogs must be an array",)),
        (b"{}", {"content-type": "text/plain"}, ("Invalid content type", "text/plain")),
        (b"not gzip", {**JSON, "content-encoding": "gzip"}, ("Failed to decompress",)),
    ],
    ids=["protobuf", "json", "array", "resource-logs", "scope-logs", "content-type", "gzip"],
)
def test_bad_bodies_are_400_naming_the_fault(
    client: TestClient, body: bytes, headers: dict[str, str], words: tuple[str, ...]
) -> None:
    assert_error(client.post(LOGS_PATH, content=body, headers=headers), 400, *words)


def test_the_key_is_required(client: TestClient) -> None:
    body = json_logs_body(chat_events(TRACE_A, SPAN_A))
    response = client.post(LOGS_PATH, content=body, headers={**JSON, "authorization": ""})
    assert response.status_code == 401, response.text


def test_deleting_the_trace_deletes_its_content(client: TestClient, store: Store) -> None:
    _send_span(client, TRACE_A, SPAN_A)
    _send_logs(client, chat_events(TRACE_A, SPAN_A))
    assert client.delete(f"/api/public/traces/{TRACE_A}").status_code == 200
    assert _event_rows(store) == 0
    _send_span(client, TRACE_A, SPAN_A)
    assert _io(client, SPAN_A) == (None, None)


def test_a_json_answer_repeats_the_json_encoding(client: TestClient) -> None:
    events = other_records(TRACE_A, SPAN_A)
    response = client.post(LOGS_PATH, content=orjson.dumps({"resourceLogs": []}), headers=JSON)
    assert response.json() == {}
    response = client.post(LOGS_PATH, content=json_logs_body(events), headers=JSON)
    assert response.json() == {
        "partialSuccess": {
            "rejectedLogRecords": "0",
            "errorMessage": "2 of 2 log records carry no GenAI message content: "
            "accepted, not stored",
        }
    }
