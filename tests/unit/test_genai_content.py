"""Decoding OTLP logs bodies: which records become content, which are refused and why."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from powerrag.domain.records import IngestBatch
from powerrag.domain.span_content import span_io
from powerrag.ingest.otlp_logs import decode_otlp_logs_request
from tests.support.genai_logs import LogEvent, json_logs_doc, protobuf_logs_body

TRACE, SPAN = "c1" * 16, "c2" * 8
LIMIT = 1 << 20


def _decode(events: list[LogEvent], *, protobuf: bool = False) -> IngestBatch:
    body = protobuf_logs_body(events) if protobuf else orjson.dumps(json_logs_doc(events))
    ctype = "application/x-protobuf" if protobuf else "application/json"
    return decode_otlp_logs_request(
        body, content_type=ctype, content_encoding=None, max_bytes=LIMIT
    )


def _refusals(batch: IngestBatch) -> list[str]:
    return [w.message for w in batch.rejected]


@pytest.mark.parametrize(
    ("name", "body", "attributes", "reason"),
    [
        ("gen_ai.user.message", ["a", "list"], {}, "its body must be a map, not an array"),
        (
            "gen_ai.choice",
            {"index": 0, "message": "hi"},
            {},
            "its message must be a map, not a string",
        ),
        (
            "gen_ai.client.inference.operation.details",
            None,
            {"gen_ai.input.messages": {"role": "user"}},
            "gen_ai.input.messages must be an array of messages, not a map",
        ),
        (
            "gen_ai.client.inference.operation.details",
            None,
            {"gen_ai.output.messages": ["text"]},
            "each message must be a map, not a string",
        ),
    ],
    ids=["message-body", "choice-message", "details-input", "details-message"],
)
def test_unreadable_content_is_refused_by_name(
    name: str, body: Any, attributes: dict[str, Any], reason: str
) -> None:
    batch = _decode([LogEvent(name, body, TRACE, SPAN, attributes=attributes)])
    assert _refusals(batch) == [f"log record 0 ({name}): {reason}"]
    assert batch.span_contents == []


def test_a_time_beyond_64_bits_and_a_bad_integer_are_refused_alone() -> None:
    doc = json_logs_doc(
        [
            LogEvent("gen_ai.user.message", {"content": "late"}, TRACE, SPAN, time_ns=2**64),
            LogEvent("gen_ai.user.message", {"content": 2**70}, TRACE, SPAN),
            LogEvent("gen_ai.user.message", {"content": "kept"}, TRACE, SPAN),
        ]
    )
    batch = decode_otlp_logs_request(
        orjson.dumps(doc), content_type="application/json", content_encoding=None, max_bytes=LIMIT
    )
    assert _refusals(batch) == [
        f"log record 1: intValue {2**70} is outside the 64-bit range",
        f"log record 0 (gen_ai.user.message): its time {2**64} is outside the 64-bit range",
    ]
    assert span_io(batch.span_contents) == ('[{"role":"user","content":"kept"}]', None)


def test_invalid_utf8_in_protobuf_refuses_only_its_record() -> None:
    marker = "BAD-TEXT-MARKER"
    events = [
        LogEvent("gen_ai.user.message", {"content": marker}, TRACE, SPAN),
        LogEvent("gen_ai.user.message", {"content": "kept"}, TRACE, SPAN, time_ns=2),
    ]
    body = protobuf_logs_body(events).replace(marker.encode(), b"\xff" * len(marker))
    batch = decode_otlp_logs_request(
        body, content_type="application/x-protobuf", content_encoding=None, max_bytes=LIMIT
    )
    assert _refusals(batch) == ["log record 0: a string field is not valid UTF-8"]
    assert [json.loads(e.body)["input"] for e in batch.span_contents] == [
        [{"role": "user", "content": "kept"}]
    ]


def test_several_choices_stay_a_list_in_choice_order() -> None:
    choices = [
        LogEvent("gen_ai.choice", {"index": i, "message": {"content": f"answer {i}"}}, TRACE, SPAN)
        for i in (1, 0)
    ]
    batch = _decode(choices, protobuf=True)
    assert span_io(batch.span_contents) == (
        None,
        '[{"role":"assistant","content":"answer 0"},{"role":"assistant","content":"answer 1"}]',
    )


def test_json_log_ids_may_be_byte_arrays_as_span_ids_may() -> None:
    doc = json_logs_doc([LogEvent("gen_ai.user.message", {"content": "bytes"}, TRACE, SPAN)])
    record = doc["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    record["traceId"] = list(bytes.fromhex(TRACE))
    record["spanId"] = {"data": list(bytes.fromhex(SPAN))}
    batch = decode_otlp_logs_request(
        orjson.dumps(doc), content_type="application/json", content_encoding=None, max_bytes=LIMIT
    )
    assert _refusals(batch) == []
    [event] = batch.span_contents
    assert (event.trace_id, event.span_id) == (TRACE, SPAN)
