"""Decode OTLP/HTTP trace exports (protobuf or JSON) into neutral `SpanData`.

Both encodings end in the same shape so that `semconv` maps one thing. IDs are
lower-case hex; times are nanoseconds; attribute values are plain Python values
(reference §1.6: kvlist and bytes values become JSON text).
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from powerrag.domain.errors import InvalidRequestError


@dataclass(frozen=True, slots=True)
class Scope:
    name: str
    version: str
    attributes: dict[str, Any]


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
    attributes: dict[str, Any]
    resource: dict[str, Any]
    scope: Scope
    events: list[tuple[str, int | None, dict[str, Any]]] = field(default_factory=list)


class DecodeLimits:
    """Bounds that keep a hostile body from costing more than a clear error."""

    def __init__(self, max_decoded_bytes: int) -> None:
        self.max_decoded_bytes = max_decoded_bytes


def decompress(body: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """Undo `Content-Encoding: gzip`, refusing output larger than `max_bytes`."""
    encoding = (content_encoding or "").lower().strip()
    if not encoding or encoding == "identity":
        return body
    if "gzip" not in encoding and "deflate" not in encoding:
        raise InvalidRequestError(f"Unsupported Content-Encoding {content_encoding!r}: use gzip")
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    decoder = zlib.decompressobj(wbits)
    try:
        out = decoder.decompress(body, max_bytes + 1)
    except zlib.error:
        raise InvalidRequestError("Failed to decompress request body") from None
    if len(out) > max_bytes or decoder.unconsumed_tail:
        raise BodyTooLargeError(f"Decompressed body exceeds the limit of {max_bytes} bytes")
    if not decoder.eof:
        raise InvalidRequestError("Failed to decompress request body: truncated gzip stream")
    return out


class BodyTooLargeError(InvalidRequestError):
    """The body, or what it decompresses to, is over the configured limit (HTTP 413)."""


def gzip_bytes(data: bytes) -> bytes:
    """Compress with gzip (used by tests and the load generator)."""
    return gzip.compress(data)


# --- protobuf ---------------------------------------------------------------


def _pb_value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
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
            {kv.key: _pb_value(kv.value) for kv in value.kvlist_value.values}
        ).decode()
    if kind == "bytes_value":
        return orjson.dumps(base64.b64encode(value.bytes_value).decode()).decode()
    return None


def _pb_attrs(attrs: Any) -> dict[str, Any]:
    return {kv.key: _pb_value(kv.value) for kv in attrs}


def decode_protobuf(body: bytes) -> list[SpanData]:
    """Decode an `ExportTraceServiceRequest` protobuf body."""
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(body)
    except (DecodeError, RuntimeError, ValueError):
        raise InvalidRequestError("Failed to parse OTel Protobuf Trace") from None
    spans: list[SpanData] = []
    for rs in request.resource_spans:
        resource = _pb_attrs(rs.resource.attributes)
        for ss in rs.scope_spans:
            scope = Scope(ss.scope.name, ss.scope.version, _pb_attrs(ss.scope.attributes))
            for sp in ss.spans:
                parent = sp.parent_span_id.hex() or None
                spans.append(
                    SpanData(
                        trace_id=sp.trace_id.hex(),
                        span_id=sp.span_id.hex(),
                        parent_span_id=parent,
                        name=sp.name,
                        start_ns=sp.start_time_unix_nano or None,
                        end_ns=sp.end_time_unix_nano or None,
                        status_code=sp.status.code,
                        status_message=sp.status.message,
                        attributes=_pb_attrs(sp.attributes),
                        resource=resource,
                        scope=scope,
                        events=[
                            (e.name, e.time_unix_nano or None, _pb_attrs(e.attributes))
                            for e in sp.events
                        ],
                    )
                )
    return spans


# --- JSON -------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        raw = value["intValue"]
        try:
            return int(raw)
        except (TypeError, ValueError):
            return raw
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "doubleValue" in value:
        raw = value["doubleValue"]
        return raw if isinstance(raw, str) else float(raw)
    if "arrayValue" in value:
        return [
            _json_value(v) for v in _as_list((value["arrayValue"] or {}).get("values"), "values")
        ]
    if "kvlistValue" in value:
        items = _as_list((value["kvlistValue"] or {}).get("values"), "values")
        return orjson.dumps({kv.get("key"): _json_value(kv.get("value")) for kv in items}).decode()
    if "bytesValue" in value:
        return orjson.dumps(value["bytesValue"]).decode()
    return None


def _as_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRequestError(f"Invalid OTel JSON Trace: {what} must be an array")
    return value


def _json_attrs(attrs: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for kv in _as_list(attrs, "attributes"):
        if isinstance(kv, dict) and isinstance(kv.get("key"), str):
            result[kv["key"]] = _json_value(kv.get("value"))
    return result


def _json_id(value: Any, what: str, *, required: bool) -> str | None:
    if value is None or value == "" or value == []:
        if required:
            raise InvalidRequestError(f"Invalid OTel JSON Trace: every span needs a {what}")
        return None
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, list) and all(isinstance(b, int) for b in value):
        return bytes(value).hex()
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        return bytes(value["data"]).hex()
    raise InvalidRequestError(
        f"Invalid OTel JSON Trace: {what} must be a hex string or a byte array"
    )


def _json_time(value: Any) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, dict) and "high" in value and "low" in value:
        return (int(value["high"]) << 32) | (int(value["low"]) & 0xFFFFFFFF)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidRequestError(f"Invalid OTel JSON Trace: bad timestamp {value!r}") from None


def _iter_json(doc: Any) -> Iterator[SpanData]:
    if not isinstance(doc, dict):
        raise InvalidRequestError("Failed to parse OTel JSON Trace: the body must be an object")
    for rs in _as_list(doc.get("resourceSpans"), "resourceSpans"):
        resource = _json_attrs(((rs or {}).get("resource") or {}).get("attributes"))
        for ss in _as_list(rs.get("scopeSpans"), "scopeSpans"):
            raw_scope = ss.get("scope") or {}
            scope = Scope(
                str(raw_scope.get("name") or ""),
                str(raw_scope.get("version") or ""),
                _json_attrs(raw_scope.get("attributes")),
            )
            for sp in _as_list(ss.get("spans"), "spans"):
                status = sp.get("status") or {}
                yield SpanData(
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
                        for e in _as_list(sp.get("events"), "events")
                    ],
                )


def _status_code(code: Any) -> int:
    if isinstance(code, int):
        return code
    return {"STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}.get(str(code), 0)


def decode_json(body: bytes) -> list[SpanData]:
    """Decode an OTLP/JSON `ExportTraceServiceRequest` body."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidRequestError("Failed to parse OTel JSON Trace") from None
    try:
        return list(_iter_json(doc))
    except (AttributeError, TypeError, ValueError) as exc:
        if isinstance(exc, InvalidRequestError):
            raise
        raise InvalidRequestError(f"Invalid OTel JSON Trace: {exc}") from None


def decode_otlp(body: bytes, content_type: str | None) -> list[SpanData]:
    """Pick the decoder by Content-Type, as Langfuse does (substring match)."""
    ctype = (content_type or "").lower()
    if "application/x-protobuf" in ctype or "application/protobuf" in ctype:
        return decode_protobuf(body)
    if "application/json" in ctype:
        return decode_json(body)
    raise InvalidRequestError(
        f"Invalid content type {content_type!r}: send application/x-protobuf or application/json"
    )
