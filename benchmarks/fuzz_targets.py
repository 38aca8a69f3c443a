"""Fuzz strategies and targets of `benchmarks/fuzz.py` and the CI fuzz tests.

Targets: the protobuf and JSON OTLP decoders (through the whole pure ingest path:
decompress, decode, map) and the batch decoder. Each target may only answer or
raise InvalidRequestError (BodyTooLargeError is one); anything else is a crash.
"""

from __future__ import annotations

import gzip
from typing import Any

import orjson
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.records import IngestBatch
from powerrag.ingest.batch import KNOWN_EVENTS, decode_batch
from powerrag.ingest.otlp_request import decode_otlp_request

MAX_BYTES = 256 * 1024
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
UINT64 = st.integers(min_value=0, max_value=2**64 - 1)
HEX = st.text("0123456789abcdef", min_size=0, max_size=34)
TEXT = st.text(max_size=30)

# Attribute keys PowerRAG reads, so generated values reach the semconv mapping.
KEYS = (
    st.sampled_from(
        [
            "langfuse.session.id",
            "session.id",
            "langfuse.user.id",
            "langfuse.trace.name",
            "langfuse.trace.tags",
            "langfuse.trace.input",
            "langfuse.trace.metadata",
            "langfuse.trace.metadata.k",
            "langfuse.observation.type",
            "langfuse.observation.input",
            "langfuse.observation.output",
            "langfuse.observation.metadata",
            "langfuse.observation.metadata.k",
            "langfuse.observation.usage_details",
            "langfuse.observation.cost_details",
            "langfuse.observation.model.parameters",
            "langfuse.observation.completion_start_time",
            "langfuse.observation.level",
            "langfuse.observation.prompt.version",
            "langfuse.environment",
            "gen_ai.request.model",
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.cost",
            "gen_ai.prompt",
            "gen_ai.completion",
            "gen_ai.input.messages",
            "openinference.span.kind",
            "input.value",
            "output.value",
            "llm.token_count.prompt",
            "ai.operationId",
            "ai.prompt.messages",
            "ai.response.msToFirstChunk",
        ]
    )
    | TEXT
)

JSON_LEAVES = (
    st.none() | st.booleans() | INT64 | st.floats(allow_nan=False, allow_infinity=False) | TEXT
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=12,
)
JSON_TEXT = JSON_VALUES.map(lambda v: orjson.dumps(v).decode())


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right shape, sometimes any JSON value in its place."""
    return st.one_of(strategy, strategy, strategy, JSON_VALUES)


# --- protobuf ---------------------------------------------------------------------

PB_LEAVES = st.one_of(
    st.tuples(st.just("string_value"), TEXT | JSON_TEXT),
    st.tuples(st.just("int_value"), INT64),
    st.tuples(st.just("double_value"), st.floats()),
    st.tuples(st.just("bool_value"), st.booleans()),
    st.tuples(st.just("bytes_value"), st.binary(max_size=20)),
)
PB_VALUES = st.recursive(
    PB_LEAVES,
    lambda inner: st.tuples(
        st.sampled_from(["array_value", "kvlist_value"]), st.lists(inner, max_size=3)
    ),
    max_leaves=8,
)


def _set_value(target: Any, value: tuple[str, Any]) -> None:
    kind, payload = value
    if kind == "array_value":
        target.array_value.SetInParent()
        for item in payload:
            _set_value(target.array_value.values.add(), item)
    elif kind == "kvlist_value":
        target.kvlist_value.SetInParent()
        for index, item in enumerate(payload):
            kv = target.kvlist_value.values.add()
            kv.key = f"k{index}"
            _set_value(kv.value, item)
    else:
        setattr(target, kind, payload)


@st.composite
def pb_spans(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "trace_id": draw(st.binary(min_size=16, max_size=16) | st.binary(max_size=20)),
        "span_id": draw(st.binary(min_size=8, max_size=8) | st.binary(max_size=10)),
        "parent": draw(st.none() | st.binary(min_size=8, max_size=8)),
        "name": draw(TEXT),
        "start": draw(st.integers(1_600_000_000 * 10**9, 1_900_000_000 * 10**9) | UINT64),
        "end": draw(st.integers(1_600_000_000 * 10**9, 1_900_000_000 * 10**9) | UINT64),
        "status": draw(st.integers(0, 2)),
        "attrs": draw(st.lists(st.tuples(KEYS, PB_VALUES), max_size=6)),
    }


def build_protobuf(spans: list[dict[str, Any]], resource: list[tuple[str, Any]]) -> bytes:
    request = ExportTraceServiceRequest()
    rs = request.resource_spans.add()
    for key, value in resource:
        kv = rs.resource.attributes.add()
        kv.key = key
        _set_value(kv.value, value)
    ss = rs.scope_spans.add()
    ss.scope.name = "langfuse-sdk"
    for spec in spans:
        span = ss.spans.add()
        span.trace_id, span.span_id, span.name = spec["trace_id"], spec["span_id"], spec["name"]
        if spec["parent"]:
            span.parent_span_id = spec["parent"]
        span.start_time_unix_nano, span.end_time_unix_nano = spec["start"], spec["end"]
        span.status.code = spec["status"]
        for key, value in spec["attrs"]:
            kv = span.attributes.add()
            kv.key = key
            _set_value(kv.value, value)
    return bytes(request.SerializeToString())


MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "truncate", "insert", "delete", "overwrite"]),
        st.integers(0, 10**6),
        st.integers(0, 255),
    ),
    max_size=4,
)


def mutate(body: bytes, mutations: list[tuple[str, int, int]]) -> bytes:
    data = bytearray(body)
    for kind, position, byte in mutations:
        at = position % (len(data) + 1)
        if kind == "flip" and data:
            data[at % len(data)] ^= 1 << (byte % 8)
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = bytes([byte])
        elif kind == "delete" and data:
            del data[at % len(data)]
        elif kind == "overwrite" and data:
            data[at % len(data)] = byte
    return bytes(data)


@st.composite
def protobuf_requests(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """A valid OTLP protobuf body, maybe gzipped, then maybe mutated byte by byte."""
    body = build_protobuf(
        draw(st.lists(pb_spans(), min_size=1, max_size=4)),
        draw(st.lists(st.tuples(KEYS, PB_VALUES), max_size=3)),
    )
    encoding = draw(st.sampled_from([None, None, "gzip"]))
    if encoding:
        body = gzip.compress(body)
    return mutate(body, draw(MUTATIONS)), encoding


# --- OTLP JSON ---------------------------------------------------------------------

JSON_ANY_VALUE = st.recursive(
    st.one_of(
        st.fixed_dictionaries({"stringValue": TEXT | JSON_TEXT}),
        st.fixed_dictionaries({"intValue": INT64 | INT64.map(str) | TEXT}),
        st.fixed_dictionaries(
            {"doubleValue": st.floats(allow_nan=False, allow_infinity=False) | TEXT}
        ),
        st.fixed_dictionaries({"boolValue": st.booleans()}),
        st.fixed_dictionaries({"bytesValue": TEXT}),
    ),
    lambda inner: st.one_of(
        st.fixed_dictionaries(
            {"arrayValue": maybe(st.fixed_dictionaries({"values": st.lists(inner, max_size=3)}))}
        ),
        st.fixed_dictionaries(
            {
                "kvlistValue": maybe(
                    st.fixed_dictionaries(
                        {
                            "values": st.lists(
                                st.fixed_dictionaries({"key": KEYS, "value": inner}), max_size=3
                            )
                        }
                    )
                )
            }
        ),
    ),
    max_leaves=8,
)
JSON_ATTRS = st.lists(
    maybe(st.fixed_dictionaries({"key": maybe(KEYS), "value": maybe(JSON_ANY_VALUE)})), max_size=6
)
JSON_TIMES = st.one_of(
    st.integers(1_600_000_000 * 10**9, 1_900_000_000 * 10**9).map(str),
    UINT64,
    TEXT,
    st.fixed_dictionaries(
        {"high": maybe(st.integers(0, 2**32)), "low": maybe(st.integers(0, 2**32))}
    ),
)
JSON_SPAN = st.fixed_dictionaries(
    {
        "traceId": maybe(HEX | st.lists(st.integers(0, 300), max_size=17)),
        "spanId": maybe(HEX),
        "name": TEXT,
        "startTimeUnixNano": maybe(JSON_TIMES),
        "endTimeUnixNano": maybe(JSON_TIMES),
        "attributes": maybe(JSON_ATTRS),
    },
    optional={
        "parentSpanId": maybe(HEX),
        "status": maybe(st.fixed_dictionaries({"code": maybe(st.integers(0, 2)), "message": TEXT})),
        "events": maybe(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "name": TEXT,
                        "timeUnixNano": maybe(JSON_TIMES),
                        "attributes": maybe(JSON_ATTRS),
                    }
                ),
                max_size=2,
            )
        ),
    },
)
JSON_DOCS = maybe(
    st.fixed_dictionaries(
        {
            "resourceSpans": maybe(
                st.lists(
                    maybe(
                        st.fixed_dictionaries(
                            {
                                "resource": maybe(
                                    st.fixed_dictionaries({"attributes": JSON_ATTRS})
                                ),
                                "scopeSpans": maybe(
                                    st.lists(
                                        maybe(
                                            st.fixed_dictionaries(
                                                {
                                                    "scope": maybe(
                                                        st.fixed_dictionaries(
                                                            {
                                                                "name": maybe(TEXT),
                                                                "version": maybe(TEXT),
                                                            }
                                                        )
                                                    ),
                                                    "spans": maybe(
                                                        st.lists(maybe(JSON_SPAN), max_size=4)
                                                    ),
                                                }
                                            )
                                        ),
                                        max_size=2,
                                    )
                                ),
                            }
                        )
                    ),
                    max_size=2,
                )
            )
        }
    )
)


# --- batch ingestion ---------------------------------------------------------------

ISO = st.datetimes().map(lambda d: d.isoformat() + "Z")
BODY_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "id": TEXT | st.uuids().map(str),
    "traceId": TEXT | st.uuids().map(str),
    "parentObservationId": TEXT,
    "name": TEXT,
    "type": st.sampled_from(["SPAN", "GENERATION", "EVENT", "TOOL", "WIDGET"]),
    "startTime": ISO,
    "endTime": ISO,
    "completionStartTime": ISO,
    "timestamp": ISO,
    "input": JSON_VALUES,
    "output": JSON_VALUES,
    "metadata": JSON_VALUES,
    "level": st.sampled_from(["DEBUG", "DEFAULT", "WARNING", "ERROR", "LOUD"]),
    "statusMessage": TEXT,
    "sessionId": TEXT,
    "userId": TEXT,
    "tags": st.lists(TEXT, max_size=3),
    "environment": TEXT,
    "public": st.booleans(),
    "model": TEXT,
    "modelParameters": JSON_VALUES,
    "usage": st.dictionaries(
        st.sampled_from(["input", "output", "total", "promptTokens", "inputCost"]), JSON_LEAVES
    ),
    "usageDetails": st.dictionaries(TEXT, JSON_LEAVES, max_size=3),
    "costDetails": st.dictionaries(TEXT, JSON_LEAVES, max_size=3),
    "promptVersion": INT64,
    "value": JSON_LEAVES,
    "dataType": st.sampled_from(["NUMERIC", "CATEGORICAL", "BOOLEAN", "TEXT", "CORRECTION", "X"]),
    "observationId": TEXT,
    "source": st.sampled_from(["API", "EVAL", "X"]),
}


@st.composite
def batch_bodies(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(sorted(BODY_FIELDS)), max_size=8, unique=True))
    return {key: draw(maybe(BODY_FIELDS[key])) for key in keys}


BATCH_EVENT = st.fixed_dictionaries(
    {
        "id": maybe(TEXT | st.uuids().map(str)),
        "type": maybe(st.sampled_from(sorted(KNOWN_EVENTS)) | TEXT),
        "timestamp": maybe(ISO | TEXT),
        "body": maybe(batch_bodies()),
    }
)
BATCH_DOCS = maybe(
    st.fixed_dictionaries({"batch": maybe(st.lists(maybe(BATCH_EVENT), max_size=6))})
)


# --- targets -----------------------------------------------------------------------


def check_otlp(body: bytes, content_type: str, encoding: str | None) -> IngestBatch | None:
    """The pure OTLP path; None when it answered a clean InvalidRequestError."""
    try:
        return decode_otlp_request(
            body,
            content_type=content_type,
            content_encoding=encoding,
            ingestion_version=4,
            max_bytes=MAX_BYTES,
        )
    except InvalidRequestError:
        return None


def check_batch(doc: Any) -> IngestBatch | None:
    try:
        batch = decode_batch(doc)
    except InvalidRequestError:
        return None
    assert len(batch.accepted_event_ids) + len(batch.rejected_events) == len(doc["batch"])
    return batch


def json_bytes(doc: Any) -> bytes:
    return orjson.dumps(doc)
