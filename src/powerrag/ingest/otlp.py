"""Decode OTLP/HTTP trace exports (protobuf or JSON) into neutral `SpanData`.

Both encodings end in the same shape so that `semconv` maps one thing. IDs are
lower-case hex; times are nanoseconds; attribute values are plain Python values
(reference §1.6: kvlist and bytes values become JSON text).
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject
from powerrag.ingest.otlp_lenient import lenient_request_class


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


def _text(value: str | bytes) -> str:
    """A string field; the lenient parser hands them over as bytes (UnicodeDecodeError)."""
    return value.decode() if isinstance(value, bytes) else value


def _pb_value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return _text(value.string_value)
    if kind == "int_value":
        return value.int_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "double_value":
        return value.double_value
    if kind == "array_value":
        return [_pb_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return orjson.dumps(
            {_text(kv.key): _pb_value(kv.value) for kv in value.kvlist_value.values}
        ).decode()
    if kind == "bytes_value":
        return orjson.dumps(base64.b64encode(value.bytes_value).decode()).decode()
    return None


def _pb_attrs(attrs: Any) -> JSONObject:
    return {_text(kv.key): _pb_value(kv.value) for kv in attrs}


def _parse_protobuf(body: bytes) -> Any:
    """Parse strictly; when that fails (invalid UTF-8 in a string field makes upb refuse
    the whole message), parse again with string fields as bytes so that only the spans
    holding bad text are rejected."""
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(body)
        return request
    except (DecodeError, RuntimeError, ValueError):
        pass
    lenient = lenient_request_class()()
    try:
        lenient.ParseFromString(body)
    except (DecodeError, RuntimeError, ValueError):
        raise InvalidRequestError("Failed to parse OTel Protobuf Trace") from None
    return lenient


def decode_protobuf(body: bytes) -> OtlpSpans:
    """Decode an `ExportTraceServiceRequest` protobuf body."""
    result = OtlpSpans()
    for rs in _parse_protobuf(body).resource_spans:
        for ss in rs.scope_spans:
            try:
                resource = _pb_attrs(rs.resource.attributes)
                scope = Scope(
                    _text(ss.scope.name), _text(ss.scope.version), _pb_attrs(ss.scope.attributes)
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
        parent_span_id=sp.parent_span_id.hex() or None,
        name=_text(sp.name),
        start_ns=sp.start_time_unix_nano or None,
        end_ns=sp.end_time_unix_nano or None,
        status_code=sp.status.code,
        status_message=_text(sp.status.message),
        attributes=_pb_attrs(sp.attributes),
        resource=resource,
        scope=scope,
        events=[
            (_text(e.name), e.time_unix_nano or None, _pb_attrs(e.attributes)) for e in sp.events
        ],
    )


# --- JSON -------------------------------------------------------------------


# Deeper attribute values are refused: nobody sends them, and JSON text this deep
# could not be stored again (orjson writes at most 254 levels).
MAX_VALUE_DEPTH = 64
_INT64 = range(-(2**63), 2**63)


def _json_value(value: Any, depth: int = 0) -> Any:
    if not isinstance(value, dict):
        return value
    if depth > MAX_VALUE_DEPTH:
        raise InvalidRequestError(f"an attribute value is nested over {MAX_VALUE_DEPTH} levels")
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        raw = value["intValue"]
        try:
            number = int(raw)
        except (TypeError, ValueError):
            return raw
        return number if number in _INT64 else str(raw)
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "doubleValue" in value:
        raw = value["doubleValue"]
        if isinstance(raw, str | int | float) and not isinstance(raw, bool):
            return raw if isinstance(raw, str) else float(raw)
        raise InvalidRequestError(f"doubleValue must be a number, got {raw!r}")
    if "arrayValue" in value:
        items = _as_list(_field(value, "arrayValue", "values"), "values")
        return [_json_value(v, depth + 1) for v in items]
    if "kvlistValue" in value:
        items = _field(value, "kvlistValue", "values")
        return orjson.dumps(_json_attrs(items, depth + 1)).decode()
    if "bytesValue" in value:
        return orjson.dumps(value["bytesValue"]).decode()
    return None


def _field(value: JSONObject, wrapper: str, name: str) -> Any:
    inner = value[wrapper]
    if inner is None:
        return None
    if not isinstance(inner, dict):
        raise InvalidRequestError(f"{wrapper} must be an object")
    return inner.get(name)


def _as_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRequestError(f"Invalid OTel JSON Trace: {what} must be an array")
    return value


def _as_object(value: Any, what: str) -> JSONObject:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidRequestError(f"Invalid OTel JSON Trace: {what} must be an object")
    return value


def _json_attrs(attrs: Any, depth: int = 0) -> JSONObject:
    result: JSONObject = {}
    for kv in _as_list(attrs, "attributes"):
        if isinstance(kv, dict) and isinstance(kv.get("key"), str):
            result[kv["key"]] = _json_value(kv.get("value"), depth)
    return result


def _json_id(value: Any, what: str, *, required: bool) -> str | None:
    if value is None or value == "" or value == []:
        if required:
            raise InvalidRequestError(f"every span needs a {what}")
        return None
    if isinstance(value, str):
        return value.lower()
    raw = value.get("data") if isinstance(value, dict) else value
    if isinstance(raw, list) and all(isinstance(b, int) and 0 <= b < 256 for b in raw):
        return bytes(raw).hex()
    raise InvalidRequestError(f"{what} must be a hex string or an array of bytes")


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
    for rs in _as_list(doc.get("resourceSpans"), "resourceSpans"):
        rs = _as_object(rs, "each resourceSpans entry")
        resource = _json_attrs(_as_object(rs.get("resource"), "resource").get("attributes"))
        for ss in _as_list(rs.get("scopeSpans"), "scopeSpans"):
            ss = _as_object(ss, "each scopeSpans entry")
            raw_scope = _as_object(ss.get("scope"), "scope")
            scope = Scope(
                str(raw_scope.get("name") or ""),
                str(raw_scope.get("version") or ""),
                _json_attrs(raw_scope.get("attributes")),
            )
            for sp in _as_list(ss.get("spans"), "spans"):
                yield sp, resource, scope


def _json_span(sp: Any, resource: JSONObject, scope: Scope) -> SpanData:
    sp = _as_object(sp, "each span")
    status = _as_object(sp.get("status"), "status")
    return SpanData(
        trace_id=_json_id(sp.get("traceId"), "traceId", required=True) or "",
        span_id=_json_id(sp.get("spanId"), "spanId", required=True) or "",
        parent_span_id=_json_id(sp.get("parentSpanId"), "parentSpanId", required=False),
        name=str(sp.get("name") or ""),
        start_ns=_json_time(sp.get("startTimeUnixNano")),
        end_ns=_json_time(sp.get("endTimeUnixNano")),
        status_code=_status_code(status.get("code")),
        status_message=str(status.get("message") or ""),
        attributes=_json_attrs(sp.get("attributes")),
        resource=resource,
        scope=scope,
        events=[
            (
                str(e.get("name") or ""),
                _json_time(e.get("timeUnixNano")),
                _json_attrs(e.get("attributes")),
            )
            for e in (_as_object(e, "each event") for e in _as_list(sp.get("events"), "events"))
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
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestError(f"Failed to parse OTel JSON Trace: {exc}") from None
    result = OtlpSpans()
    for sp, resource, scope in _iter_json(doc):
        try:
            result.spans.append(_json_span(sp, resource, scope))
        except (InvalidRequestError, TypeError, ValueError) as exc:
            reason = str(exc).removeprefix("Invalid OTel JSON Trace: ")
            result.reject(_shown_id(sp, "traceId"), _shown_id(sp, "spanId"), reason)
    return result


def decode_otlp(body: bytes, content_type: str | None) -> OtlpSpans:
    """Pick the decoder by Content-Type, as Langfuse does (substring match)."""
    ctype = (content_type or "").lower()
    if "application/x-protobuf" in ctype or "application/protobuf" in ctype:
        return decode_protobuf(body)
    if "application/json" in ctype:
        return decode_json(body)
    raise InvalidRequestError(
        f"Invalid content type {content_type!r}: send application/x-protobuf or application/json"
    )
