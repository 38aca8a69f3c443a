"""What OTLP trace and log exports share on the wire: AnyValues, ids, envelopes, content types.

Both decoders (otlp.py for spans, otlp_logs.py for log records) read values here, from
protobuf and from JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
They differ in one rule, `flat`: span attributes store a map or bytes as JSON text and keep
an integer they cannot read as it was sent, as Langfuse does (reference §1.6); log bodies
stay whole (a message body is a map of its fields) and refuse such a number.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from google.protobuf.message import DecodeError

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject

# Deeper values are refused: nobody sends them, and JSON text this deep could not be
# stored again (orjson writes at most 254 levels).
MAX_VALUE_DEPTH = 64
INT64 = range(-(2**63), 2**63)

T = TypeVar("T")


def decode_by_content_type(
    body: bytes,
    content_type: str | None,
    protobuf: Callable[[bytes], T],
    json: Callable[[bytes], T],
) -> T:
    """Pick the decoder by Content-Type, as Langfuse does (substring match)."""
    ctype = (content_type or "").lower()
    if "application/x-protobuf" in ctype or "application/protobuf" in ctype:
        return protobuf(body)
    if "application/json" in ctype:
        return json(body)
    raise InvalidRequestError(
        f"Invalid content type {content_type!r}: send application/x-protobuf or application/json"
    )


# --- protobuf ---------------------------------------------------------------


def text(value: str | bytes) -> str:
    """A string field; the lenient parser hands them over as bytes (UnicodeDecodeError)."""
    return value.decode() if isinstance(value, bytes) else value


def parse_protobuf(
    body: bytes, strict: Callable[[], Any], lenient_class: Callable[[], Any], error: str
) -> Any:
    """Parse strictly; when that fails (invalid UTF-8 in a string field makes upb refuse
    the whole message), parse again with string fields as bytes (`lenient_class()`, built
    on first need by otlp_lenient.py) so that only the spans or records holding bad text
    are rejected."""
    request = strict()
    try:
        request.ParseFromString(body)
        return request
    except (DecodeError, RuntimeError, ValueError):
        pass
    request = lenient_class()()
    try:
        request.ParseFromString(body)
    except (DecodeError, RuntimeError, ValueError):
        raise InvalidRequestError(error) from None
    return request


def pb_value(value: Any, *, flat: bool) -> Any:
    """An `AnyValue` message as a plain value."""
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return text(value.string_value)
    if kind in ("int_value", "bool_value", "double_value"):
        return getattr(value, kind)
    if kind == "array_value":
        return [pb_value(v, flat=flat) for v in value.array_value.values]
    if kind == "kvlist_value":
        whole = pb_attrs(value.kvlist_value.values, flat=flat)
        return orjson.dumps(whole).decode() if flat else whole
    if kind == "bytes_value":
        encoded = base64.b64encode(value.bytes_value).decode()
        return orjson.dumps(encoded).decode() if flat else encoded
    return None


def pb_attrs(attrs: Any, *, flat: bool) -> JSONObject:
    return {text(kv.key): pb_value(kv.value, flat=flat) for kv in attrs}


# --- JSON -------------------------------------------------------------------


def json_id(value: Any, what: str, *, required: bool) -> str | None:
    """A trace or span id: hex text, or the bytes some encoders write instead."""
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


@dataclass(frozen=True, slots=True)
class OtlpJson:
    """How one signal reads an OTLP/JSON body; `signal` ("Trace", "Logs") names it in errors."""

    signal: str
    flat: bool

    @property
    def invalid(self) -> str:
        """The prefix of an envelope error; a rejected span or record's reason drops it."""
        return f"Invalid OTel JSON {self.signal}: "

    def load(self, body: bytes) -> Any:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise InvalidRequestError(f"Failed to parse OTel JSON {self.signal}: {exc}") from None

    def array(self, value: Any, what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidRequestError(f"{self.invalid}{what} must be an array")
        return value

    def object(self, value: Any, what: str) -> JSONObject:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise InvalidRequestError(f"{self.invalid}{what} must be an object")
        return value

    def attrs(self, attrs: Any, depth: int = 0) -> JSONObject:
        return {
            kv["key"]: self.value(kv.get("value"), depth)
            for kv in self.array(attrs, "attributes")
            if isinstance(kv, dict) and isinstance(kv.get("key"), str)
        }

    def value(self, value: Any, depth: int = 0) -> Any:
        """An `AnyValue` object as a plain value."""
        if not isinstance(value, dict):
            return value
        if depth > MAX_VALUE_DEPTH:
            raise InvalidRequestError(f"a value is nested over {MAX_VALUE_DEPTH} levels")
        if "stringValue" in value:
            return value["stringValue"]
        if "intValue" in value:
            return self._int(value["intValue"])
        if "boolValue" in value:
            return bool(value["boolValue"])
        if "doubleValue" in value:
            return self._double(value["doubleValue"])
        if "arrayValue" in value:
            items = self._values(value["arrayValue"], "arrayValue")
            return [self.value(v, depth + 1) for v in items]
        if "kvlistValue" in value:
            whole = self.attrs(self._values(value["kvlistValue"], "kvlistValue"), depth + 1)
            return orjson.dumps(whole).decode() if self.flat else whole
        if "bytesValue" in value:
            raw = value["bytesValue"]
            return orjson.dumps(raw).decode() if self.flat else raw
        return None

    def _values(self, wrapper: Any, name: str) -> list[Any]:
        if wrapper is None:
            return []
        if not isinstance(wrapper, dict):
            raise InvalidRequestError(f"{name} must be an object")
        return self.array(wrapper.get("values"), f"{name}.values")

    def _int(self, raw: Any) -> Any:
        try:
            number = int(raw)
        except (TypeError, ValueError):
            if self.flat:
                return raw
            raise
        if number in INT64:
            return number
        if self.flat:
            return str(raw)
        raise InvalidRequestError(f"intValue {number} is outside the 64-bit range")

    def _double(self, raw: Any) -> Any:
        if not self.flat:
            return float(raw)
        if isinstance(raw, str | int | float) and not isinstance(raw, bool):
            return raw if isinstance(raw, str) else float(raw)
        raise InvalidRequestError(f"doubleValue must be a number, got {raw!r}")
