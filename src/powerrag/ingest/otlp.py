"""Decode OTLP/HTTP trace exports (protobuf or JSON) into neutral `SpanData`.

Both encodings end in the same shape so that `semconv` maps one thing. IDs are
lower-case hex; times are nanoseconds; attribute values are plain Python values
(reference §1.6: kvlist and bytes values become JSON text).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject
from powerrag.ingest.otlp_lenient import lenient_request_class
from powerrag.ingest.otlp_wire import (
    OtlpJson,
    decode_by_content_type,
    json_id,
    parse_protobuf,
    pb_attrs,
    text,
)


@dataclass(frozen=True, slots=True)
class Scope:
    name: str
    version: str
    attributes: JSONObject


@dataclass(slots=True)
class SpanData:
    """One span with its resource and scope, independent of the wire encoding."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    start_ns: int | None
    end_ns: int | None
    status_code: int
    status_message: str
    attributes: JSONObject
    resource: JSONObject
    scope: Scope
    events: list[tuple[str, int | None, JSONObject]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class UndecodableSpan:
    """A span the decoder could not read; the rest of its request is still stored."""

    trace_id: str
    span_id: str
    reason: str


@dataclass(slots=True)
class OtlpSpans:
    """What a body decoded to: the readable spans and the ones refused, with why."""

    spans: list[SpanData] = field(default_factory=list)
    undecodable: list[UndecodableSpan] = field(default_factory=list)

    def reject(self, trace_id: str, span_id: str, reason: str) -> None:
        self.undecodable.append(UndecodableSpan(trace_id, span_id, reason))


def decompress(body: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """Undo `Content-Encoding: gzip`, refusing output larger than `max_bytes`.

    Concatenated gzip members are one stream (RFC 1952), as `gzip.decompress` reads
    them; bytes after the end of a deflate stream are an error, never ignored.
    """
    encoding = (content_encoding or "").lower().strip()
    if not encoding or encoding == "identity":
        return body
    if "gzip" not in encoding and "deflate" not in encoding:
        raise InvalidRequestError(f"Unsupported Content-Encoding {content_encoding!r}: use gzip")
    is_gzip = "gzip" in encoding
    out, rest = b"", body
    while True:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS if is_gzip else zlib.MAX_WBITS)
        try:
            out += decoder.decompress(rest, max_bytes + 1 - len(out))
        except zlib.error:
            raise InvalidRequestError("Failed to decompress request body") from None
        if len(out) > max_bytes or decoder.unconsumed_tail:
            raise BodyTooLargeError(f"Decompressed body exceeds the limit of {max_bytes} bytes")
        if not decoder.eof:
            raise InvalidRequestError("Failed to decompress request body: truncated stream")
        rest = decoder.unused_data
        if not rest:
            return out
        if not is_gzip:
            raise InvalidRequestError("Failed to decompress request body: data after its end")


class BodyTooLargeError(InvalidRequestError):
    """The body, or what it decompresses to, is over the configured limit (HTTP 413)."""


# --- protobuf ---------------------------------------------------------------


def _pb_attrs(attrs: Any) -> JSONObject:
    return pb_attrs(attrs, flat=True)


def decode_protobuf(body: bytes) -> OtlpSpans:
    """Decode an `ExportTraceServiceRequest` protobuf body."""
    result = OtlpSpans()
    request = parse_protobuf(
        body,
        ExportTraceServiceRequest,
        lenient_request_class,
        "Failed to parse OTel Protobuf Trace",
    )
    for rs in request.resource_spans:
        for ss in rs.scope_spans:
            try:
                resource = _pb_attrs(rs.resource.attributes)
                scope = Scope(
                    text(ss.scope.name), text(ss.scope.version), _pb_attrs(ss.scope.attributes)
                )
            except UnicodeDecodeError:
                for sp in ss.spans:
                    result.reject(sp.trace_id.hex(), sp.span_id.hex(), _BAD_UTF8_SHARED)
                continue
            for sp in ss.spans:
                try:
                    result.spans.append(_pb_span(sp, resource, scope))
                except UnicodeDecodeError:
                    result.reject(sp.trace_id.hex(), sp.span_id.hex(), _BAD_UTF8)
    return result


_BAD_UTF8 = "a string field is not valid UTF-8"
_BAD_UTF8_SHARED = "its resource or scope has a string that is not valid UTF-8"


def _pb_span(sp: Any, resource: JSONObject, scope: Scope) -> SpanData:
    return SpanData(
        trace_id=sp.trace_id.hex(),
        span_id=sp.span_id.hex(),
        parent_span_id=_parent(sp.parent_span_id.hex()),
        name=text(sp.name),
        start_ns=sp.start_time_unix_nano or None,
        end_ns=sp.end_time_unix_nano or None,
        status_code=sp.status.code,
        status_message=text(sp.status.message),
        attributes=_pb_attrs(sp.attributes),
        resource=resource,
        scope=scope,
        events=[
            (text(e.name), e.time_unix_nano or None, _pb_attrs(e.attributes)) for e in sp.events
        ],
    )


def _parent(span_id: str | None) -> str | None:
    """No parent: absent, empty, or all zeros, which some exporters send for a root (the
    OpenTelemetry Collector's pdata reads an all-zero SpanID as empty, `SpanID.IsEmpty`)."""
    return span_id if span_id and span_id.strip("0") else None


# --- JSON -------------------------------------------------------------------

_JSON = OtlpJson("Trace", flat=True)


def _json_time(value: Any) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        if isinstance(value, dict) and "high" in value and "low" in value:
            return (int(value["high"]) << 32) | (int(value["low"]) & 0xFFFFFFFF)
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidRequestError(f"bad timestamp {value!r}") from None


def _iter_json(doc: Any) -> Iterator[tuple[JSONObject, JSONObject, Scope]]:
    """Each raw span with its decoded resource and scope; a bad envelope fails the body."""
    if not isinstance(doc, dict):
        raise InvalidRequestError("Failed to parse OTel JSON Trace: the body must be an object")
    for rs in _JSON.array(doc.get("resourceSpans"), "resourceSpans"):
        rs = _JSON.object(rs, "each resourceSpans entry")
        resource = _JSON.attrs(_JSON.object(rs.get("resource"), "resource").get("attributes"))
        for ss in _JSON.array(rs.get("scopeSpans"), "scopeSpans"):
            ss = _JSON.object(ss, "each scopeSpans entry")
            raw_scope = _JSON.object(ss.get("scope"), "scope")
            scope = Scope(
                str(raw_scope.get("name") or ""),
                str(raw_scope.get("version") or ""),
                _JSON.attrs(raw_scope.get("attributes")),
            )
            for sp in _JSON.array(ss.get("spans"), "spans"):
                yield sp, resource, scope


def _json_span(sp: Any, resource: JSONObject, scope: Scope) -> SpanData:
    sp = _JSON.object(sp, "each span")
    status = _JSON.object(sp.get("status"), "status")
    return SpanData(
        trace_id=json_id(sp.get("traceId"), "traceId", required=True) or "",
        span_id=json_id(sp.get("spanId"), "spanId", required=True) or "",
        parent_span_id=_parent(json_id(sp.get("parentSpanId"), "parentSpanId", required=False)),
        name=str(sp.get("name") or ""),
        start_ns=_json_time(sp.get("startTimeUnixNano")),
        end_ns=_json_time(sp.get("endTimeUnixNano")),
        status_code=_status_code(status.get("code")),
        status_message=str(status.get("message") or ""),
        attributes=_JSON.attrs(sp.get("attributes")),
        resource=resource,
        scope=scope,
        events=[
            (
                str(e.get("name") or ""),
                _json_time(e.get("timeUnixNano")),
                _JSON.attrs(e.get("attributes")),
            )
            for e in (
                _JSON.object(e, "each event") for e in _JSON.array(sp.get("events"), "events")
            )
        ],
    )


def _shown_id(sp: Any, key: str) -> str:
    value = sp.get(key) if isinstance(sp, dict) else None
    return value[:64] if isinstance(value, str) else ""


def _status_code(code: Any) -> int:
    if isinstance(code, int):
        return code
    return {"STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}.get(str(code), 0)


def decode_json(body: bytes) -> OtlpSpans:
    """Decode an OTLP/JSON `ExportTraceServiceRequest` body; unreadable spans are rejected."""
    result = OtlpSpans()
    for sp, resource, scope in _iter_json(_JSON.load(body)):
        try:
            result.spans.append(_json_span(sp, resource, scope))
        except (InvalidRequestError, TypeError, ValueError) as exc:
            reason = str(exc).removeprefix(_JSON.invalid)
            result.reject(_shown_id(sp, "traceId"), _shown_id(sp, "spanId"), reason)
    return result


def decode_otlp(body: bytes, content_type: str | None) -> OtlpSpans:
    """Decode a trace export, protobuf or JSON by its Content-Type."""
    return decode_by_content_type(body, content_type, decode_protobuf, decode_json)
