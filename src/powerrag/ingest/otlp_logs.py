"""An OTLP logs export request (protobuf or JSON), from raw bytes to an IngestBatch.

Only GenAI content events are kept (`genai_content`): they become the input and output
of the span they name. Every other log record is accepted and counted, not stored.
Values are decoded whole (maps stay maps), unlike span attributes, whose maps become
JSON text (otlp.py): a message body is a map of the message's fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.records import IngestBatch, IngestWarning
from powerrag.domain.span_content import SpanContentEvent
from powerrag.ingest.genai_content import CONTENT_EVENTS, ContentRejectedError, event_content
from powerrag.ingest.otlp import decompress
from powerrag.ingest.otlp_lenient import lenient_logs_request_class
from powerrag.ingest.otlp_wire import (
    INT64,
    OtlpJson,
    decode_by_content_type,
    json_id,
    parse_protobuf,
    pb_attrs,
    pb_value,
    text,
)


@dataclass(frozen=True, slots=True)
class LogRecordData:
    """One log record, independent of the wire encoding; ids lower-case hex."""

    index: int
    event_name: str
    trace_id: str
    span_id: str
    time_ns: int
    body: Any
    attributes: dict[str, Any]


@dataclass(slots=True)
class OtlpLogs:
    records: list[LogRecordData] = field(default_factory=list)
    # (index, reason) of the records the decoder could not read.
    undecodable: list[tuple[int, str]] = field(default_factory=list)


# --- protobuf ---------------------------------------------------------------


def decode_protobuf(body: bytes) -> OtlpLogs:
    result = OtlpLogs()
    request = parse_protobuf(
        body,
        ExportLogsServiceRequest,
        lenient_logs_request_class,
        "Failed to parse OTel Protobuf Logs: the body is not an ExportLogsServiceRequest",
    )
    records = (lr for rl in request.resource_logs for sl in rl.scope_logs for lr in sl.log_records)
    for index, lr in enumerate(records):
        try:
            attributes = pb_attrs(lr.attributes, flat=False)
            result.records.append(
                LogRecordData(
                    index=index,
                    event_name=text(lr.event_name) or _named(attributes),
                    trace_id=lr.trace_id.hex(),
                    span_id=lr.span_id.hex(),
                    time_ns=lr.time_unix_nano or lr.observed_time_unix_nano,
                    body=pb_value(lr.body, flat=False) if lr.HasField("body") else None,
                    attributes=attributes,
                )
            )
        except UnicodeDecodeError:
            result.undecodable.append((index, "a string field is not valid UTF-8"))
    return result


def _named(attributes: dict[str, Any]) -> str:
    """Older SDKs put the event name in the `event.name` attribute."""
    name = attributes.get("event.name")
    return name if isinstance(name, str) else ""


# --- JSON -------------------------------------------------------------------

_JSON = OtlpJson("Logs", flat=False)


def _json_time(record: dict[str, Any]) -> int:
    for key in ("timeUnixNano", "observedTimeUnixNano"):
        value = record.get(key)
        if value not in (None, "", "0", 0):
            try:
                return int(value)
            except (TypeError, ValueError):
                raise InvalidRequestError(f"{key} must be an integer, got {value!r}") from None
    return 0


def _json_records(doc: Any) -> Iterator[Any]:
    """Each raw log record; a bad envelope fails the whole body."""
    if not isinstance(doc, dict):
        raise InvalidRequestError("Failed to parse OTel JSON Logs: the body must be an object")
    for rl in _JSON.array(doc.get("resourceLogs"), "resourceLogs"):
        for sl in _JSON.array(
            _JSON.object(rl, "each resourceLogs entry").get("scopeLogs"), "scopeLogs"
        ):
            yield from _JSON.array(
                _JSON.object(sl, "each scopeLogs entry").get("logRecords"), "logRecords"
            )


def _json_record(index: int, raw: Any) -> LogRecordData:
    record = _JSON.object(raw, "each log record")
    attributes = _JSON.attrs(record.get("attributes"))
    name = record.get("eventName")
    return LogRecordData(
        index=index,
        event_name=name if isinstance(name, str) and name else _named(attributes),
        trace_id=json_id(record.get("traceId"), "traceId", required=False) or "",
        span_id=json_id(record.get("spanId"), "spanId", required=False) or "",
        time_ns=_json_time(record),
        body=_JSON.value(record.get("body")),
        attributes=attributes,
    )


def decode_json(body: bytes) -> OtlpLogs:
    result = OtlpLogs()
    for index, raw in enumerate(_json_records(_JSON.load(body))):
        try:
            result.records.append(_json_record(index, raw))
        except (InvalidRequestError, TypeError, ValueError, OverflowError) as exc:
            reason = str(exc).removeprefix(_JSON.invalid)
            result.undecodable.append((index, reason))
    return result


def decode_otlp_logs(body: bytes, content_type: str | None) -> OtlpLogs:
    """Decode a logs export, protobuf or JSON by its Content-Type."""
    return decode_by_content_type(body, content_type, decode_protobuf, decode_json)


# --- to records -------------------------------------------------------------


def _is_id(text: str, digits: int) -> bool:
    return (
        len(text) == digits and text != "0" * digits and all(c in "0123456789abcdef" for c in text)
    )


def decode_otlp_logs_request(
    body: bytes, *, content_type: str | None, content_encoding: str | None, max_bytes: int
) -> IngestBatch:
    """Keep the GenAI content events; reject unreadable ones one by one; count the rest."""
    decoded = decode_otlp_logs(decompress(body, content_encoding, max_bytes), content_type)
    batch = IngestBatch()
    for index, reason in decoded.undecodable:
        batch.rejected.append(IngestWarning(f"log record {index}: {reason}"))
    seen: dict[str, int] = {}
    ignored = 0
    for record in decoded.records:
        if record.event_name not in CONTENT_EVENTS:
            ignored += 1
            continue
        try:
            event = _content_event(record, seen)
        except ContentRejectedError as exc:
            message = f"log record {record.index} ({record.event_name}): {exc}"
            batch.rejected.append(IngestWarning(message, record.trace_id, record.span_id))
            continue
        if event is None:
            ignored += 1
        else:
            batch.span_contents.append(event)
    if ignored:
        batch.warnings.append(
            IngestWarning(
                f"{ignored} of {len(decoded.records)} log records carry no GenAI message "
                "content: accepted, not stored"
            )
        )
    return batch


def _content_event(record: LogRecordData, seen: dict[str, int]) -> SpanContentEvent | None:
    if record.time_ns not in INT64:
        raise ContentRejectedError(f"its time {record.time_ns} is outside the 64-bit range")
    if not _is_id(record.trace_id, 32) or not _is_id(record.span_id, 16):
        raise ContentRejectedError(
            "it names no span: trace_id must be 32 and span_id 16 hex characters, got "
            f"{record.trace_id or '(none)'!r} and {record.span_id or '(none)'!r}"
        )
    content = event_content(record.event_name, record.body, record.attributes)
    if content is None:
        return None
    kind, inputs, outputs, choice_index = content
    text = orjson.dumps({"input": inputs, "output": outputs})
    # The same record twice in one request is two messages (a user may repeat themselves);
    # the same request twice gives the same keys, so a resend adds nothing.
    identity = orjson.dumps([record.trace_id, record.span_id, record.event_name, record.time_ns])
    digest = hashlib.blake2b(identity + text, digest_size=12).hexdigest()
    occurrence = seen.get(digest, 0)
    seen[digest] = occurrence + 1
    return SpanContentEvent(
        trace_id=record.trace_id,
        span_id=record.span_id,
        key=f"{digest}{occurrence:08x}",
        kind=kind,
        time_ns=record.time_ns,
        seq=record.index,
        body=text.decode(),
        choice_index=choice_index,
    )
