"""Bad input costs the sender a clear 4xx (or OTLP partialSuccess) and nothing more (issue 6 §3).

Every test sends a broken body, or a batch mixing good and broken parts, then checks
the answer names the problem and that the good part was stored.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.answers import assert_error, rejected, stored
from tests.support.bodies import (
    BATCH_PATH,
    JSON,
    OTLP_PATH,
    PROTOBUF,
    SpanFactory,
    SpanSpec,
    json_doc,
    json_span,
    protobuf_body,
    string_attr,
)
from tests.support.project import AUTH, PROJECT_ID

pytestmark = pytest.mark.one_engine

LIMIT = 64 * 1024


@pytest.fixture
def small_client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    """An app whose body limit is 64 KiB, so limits are cheap to cross."""
    app = create_app(Settings(data_dir=tmp_path, max_body_bytes=LIMIT), store=store)
    with TestClient(app, headers={"authorization": AUTH}) as c:
        yield c


def _specs(seed: int, count: int = 1) -> list[SpanSpec]:
    return SpanFactory(seed).trace(children=count - 1)


# --- whole bodies that cannot be read -----------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"\xff\xff\xff\xff", b"\x0a\x05\x0a\x03", b"\x0a" + b"\xff" * 10],
    ids=["garbage", "truncated-message", "bad-length"],
)
def test_malformed_protobuf_is_400(client: TestClient, body: bytes) -> None:
    assert_error(client.post(OTLP_PATH, content=body, headers=PROTOBUF), 400, "protobuf")


@pytest.mark.parametrize("path", [OTLP_PATH, BATCH_PATH, "/api/public/scores"])
def test_malformed_json_is_400(client: TestClient, path: str) -> None:
    assert_error(client.post(path, content=b'{"batch": [', headers=JSON), 400, "json")


@pytest.mark.parametrize(
    ("path", "ctype"),
    [
        (OTLP_PATH, "text/plain"),
        (OTLP_PATH, None),
        (OTLP_PATH, "application/xml"),
        (BATCH_PATH, "text/xml"),
        ("/api/public/scores", "multipart/form-data"),
    ],
)
def test_wrong_content_type_is_400(client: TestClient, path: str, ctype: str | None) -> None:
    headers = {"content-type": ctype} if ctype else {}
    assert_error(client.post(path, content=b"{}", headers=headers), 400, "content type")


@pytest.mark.parametrize("path", [OTLP_PATH, BATCH_PATH])
def test_truncated_gzip_is_400(client: TestClient, path: str) -> None:
    body = gzip.compress(orjson.dumps({"batch": [], "resourceSpans": []}) * 50)[:-12]
    headers = {**JSON, "content-encoding": "gzip"}
    assert_error(client.post(path, content=body, headers=headers), 400, "decompress")


def test_concatenated_gzip_members_are_read_whole(client: TestClient) -> None:
    first, second = _specs(2)[0], _specs(3)[0]
    body = gzip.compress(protobuf_body([first])) + gzip.compress(protobuf_body([second]))
    headers = {**PROTOBUF, "content-encoding": "gzip"}
    assert client.post(OTLP_PATH, content=body, headers=headers).json() == {}
    assert stored(client, first.span_id) and stored(client, second.span_id)


def test_garbage_after_a_gzip_stream_is_400(client: TestClient) -> None:
    body = gzip.compress(protobuf_body(_specs(4))) + b"trailing garbage"
    headers = {**PROTOBUF, "content-encoding": "gzip"}
    assert_error(client.post(OTLP_PATH, content=body, headers=headers), 400, "decompress")


def test_unsupported_content_encoding_is_400(client: TestClient) -> None:
    headers = {**JSON, "content-encoding": "br"}
    assert_error(client.post(BATCH_PATH, content=b"{}", headers=headers), 400, "br")


@pytest.mark.parametrize("path", [OTLP_PATH, BATCH_PATH])
def test_gzip_bomb_is_413(small_client: TestClient, path: str) -> None:
    bomb = gzip.compress(b"[" + b" " * (50 * LIMIT) + b"]")
    assert len(bomb) < LIMIT  # small on the wire, 50× the limit once inflated
    headers = {**JSON, "content-encoding": "gzip"}
    assert_error(small_client.post(path, content=bomb, headers=headers), 413, "decompressed")


def test_gzip_bomb_against_default_limit_is_413(client: TestClient) -> None:
    bomb = gzip.compress(b"\0" * (Settings().max_body_bytes + 1024), compresslevel=9)
    headers = {**PROTOBUF, "content-encoding": "gzip"}
    assert_error(client.post(OTLP_PATH, content=bomb, headers=headers), 413, "limit")


@pytest.mark.parametrize("path", [OTLP_PATH, BATCH_PATH, "/api/public/scores"])
def test_body_over_limit_is_413(small_client: TestClient, path: str) -> None:
    body = b" " * (LIMIT + 1)
    assert_error(small_client.post(path, content=body, headers=JSON), 413, "limit")


def test_chunked_body_over_limit_is_413(small_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 8192

    response = small_client.post(OTLP_PATH, content=chunks(), headers=JSON)
    assert_error(response, 413, "limit")


def test_body_at_limit_is_accepted(small_client: TestClient) -> None:
    specs = _specs(1)
    body = orjson.dumps(json_doc([json_span(s) for s in specs]))
    padded = body + b" " * (LIMIT - len(body))
    assert len(padded) == LIMIT
    assert small_client.post(OTLP_PATH, content=padded, headers=JSON).json() == {}
    assert stored(small_client, specs[0].span_id)


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ([], "object"),
        ({"resourceSpans": {}}, "resourceSpans must be an array"),
        ({"resourceSpans": [1]}, "resourceSpans entry must be an object"),
        ({"resourceSpans": [{"scopeSpans": "x"}]}, "scopeSpans must be an array"),
        ({"resourceSpans": [{"resource": 5, "scopeSpans": []}]}, "resource must be an object"),
    ],
)
def test_otlp_json_envelope_errors_name_the_field(client: TestClient, doc: Any, words: str) -> None:
    response = client.post(OTLP_PATH, content=orjson.dumps(doc), headers=JSON)
    assert_error(response, 400, words)


# --- broken spans next to good ones ---------------------------------------------


def _mixed_json(bad: dict[str, Any]) -> tuple[bytes, SpanSpec]:
    good = _specs(7)[0]
    return orjson.dumps(json_doc([json_span(good), bad])), good


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"spanId": "b" * 16, "name": "no trace id"}, "traceId"),
        ({"traceId": "a" * 32, "name": "no span id"}, "spanId"),
        ({"traceId": "xyz", "spanId": "b" * 16}, "traceId must be 32 hex"),
        ({"traceId": "a" * 32, "spanId": "0" * 16}, "spanId must not be all zeros"),
        ({"traceId": "0" * 32, "spanId": "b" * 16}, "traceId must not be all zeros"),
        ({"traceId": "a" * 32, "spanId": "0x" + "b" * 14}, "spanId must be 16 hex"),
        ({"traceId": "a" * 32, "spanId": "-" + "b" * 15}, "spanId must be 16 hex"),
        ({"traceId": "a" * 30 + "_a", "spanId": "b" * 16}, "traceId must be 32 hex"),
        ({"traceId": "a" * 32, "spanId": "b" * 16, "parentSpanId": "12"}, "parentSpanId"),
        ({"traceId": [300] * 16, "spanId": "b" * 16}, "traceId must be a hex string"),
        ({"traceId": "a" * 32, "spanId": "b" * 16, "startTimeUnixNano": "9" * 30}, "range"),
        ({"traceId": "a" * 32, "spanId": "b" * 16, "startTimeUnixNano": "-5"}, "range"),
        ({"traceId": "a" * 32, "spanId": "b" * 16, "endTimeUnixNano": "soon"}, "timestamp"),
        ({"traceId": "a" * 32, "spanId": "b" * 16, "startTimeUnixNano": "1"}, "range"),
        ({"traceId": "a" * 32, "spanId": "b" * 16, "attributes": {"k": 1}}, "attributes"),
        ({"traceId": "a" * 32, "spanId": "b" * 16, "status": 3}, "status"),
        ({"traceId": "a" * 32, "spanId": "b" * 16, "events": [7]}, "event"),
        ("not a span", "span must be an object"),
    ],
)
def test_broken_json_span_is_rejected_and_the_rest_kept(
    client: TestClient, bad: Any, words: str
) -> None:
    body, good = _mixed_json(bad)
    refused, message = rejected(client.post(OTLP_PATH, content=body, headers=JSON))
    assert refused == 1
    assert words.lower() in message.lower()
    assert stored(client, good.span_id)


def test_broken_protobuf_ids_reject_only_those_spans(client: TestClient) -> None:
    good, bad = _specs(11)[0], _specs(12)[0]
    body = protobuf_body([good]) + _short_id_span(bad)
    refused, message = rejected(client.post(OTLP_PATH, content=body, headers=PROTOBUF))
    assert refused == 1 and "traceId must be 32 hex" in message
    assert stored(client, good.span_id)


def _short_id_span(spec: SpanSpec) -> bytes:
    # Protobuf messages concatenate: a second ExportTraceServiceRequest adds its spans.
    request = ExportTraceServiceRequest.FromString(protobuf_body([spec]))
    span = request.resource_spans[0].scope_spans[0].spans[0]
    span.trace_id = span.trace_id[:15]
    return bytes(request.SerializeToString())


def test_protobuf_with_invalid_utf8_rejects_only_that_span(client: TestClient) -> None:
    specs = _specs(13, count=3)
    marker = specs[1].name.encode()
    body = protobuf_body(specs).replace(marker, b"\xff\xfe" + marker[2:])
    refused, message = rejected(client.post(OTLP_PATH, content=body, headers=PROTOBUF))
    assert refused == 1
    assert specs[1].span_id in message and "UTF-8" in message
    assert stored(client, specs[0].span_id) and stored(client, specs[2].span_id)
    assert not stored(client, specs[1].span_id)


def test_protobuf_with_invalid_utf8_in_resource_rejects_its_spans(client: TestClient) -> None:
    specs = _specs(14)
    body = protobuf_body(specs).replace(b"reliability-test", b"reliability-\xc3\x28st")
    refused, message = rejected(client.post(OTLP_PATH, content=body, headers=PROTOBUF))
    assert refused == 1 and "UTF-8" in message


def test_json_with_invalid_utf8_is_400(client: TestClient) -> None:
    body = json_body_with_name(_specs(15)[0], b"bad \xff name")
    assert_error(client.post(OTLP_PATH, content=body, headers=JSON), 400, "json")
    lone_surrogate = json_body_with_name(_specs(16)[0], b"\\ud800")
    assert_error(client.post(OTLP_PATH, content=lone_surrogate, headers=JSON), 400, "json")


def json_body_with_name(spec: SpanSpec, raw_name: bytes) -> bytes:
    body = orjson.dumps(json_doc([json_span(spec)]))
    return body.replace(spec.name.encode(), raw_name)


def _nested_value(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"stringValue": "leaf"}
    for _ in range(depth):
        value = {"arrayValue": {"values": [value]}}
    return value


def test_deeply_nested_attribute_rejects_its_span(client: TestClient) -> None:
    good, deep = _specs(17)[0], _specs(18)[0]
    nested = {"key": "deep", "value": _nested_value(70)}
    doc = json_doc([json_span(good), json_span(deep, [nested])])
    body = orjson.dumps(doc)
    refused, message = rejected(client.post(OTLP_PATH, content=body, headers=JSON))
    assert refused == 1 and "nested" in message
    assert stored(client, good.span_id)


def test_moderately_nested_attribute_is_stored(client: TestClient) -> None:
    spec = _specs(19)[0]
    body = orjson.dumps(json_doc([json_span(spec, [{"key": "k", "value": _nested_value(40)}])]))
    assert client.post(OTLP_PATH, content=body, headers=JSON).json() == {}
    assert stored(client, spec.span_id)


def test_deeply_nested_json_text_in_an_attribute_rejects_its_span(client: TestClient) -> None:
    good, deep = _specs(20)[0], _specs(21)[0]
    text = "[" * 600 + "]" * 600  # valid JSON text too deep to store again
    attr = string_attr("langfuse.observation.metadata", text)
    body = orjson.dumps(json_doc([json_span(good), json_span(deep, [attr])]))
    refused, message = rejected(client.post(OTLP_PATH, content=body, headers=JSON))
    assert refused == 1
    assert deep.span_id in message and "langfuse.observation.metadata" in message
    assert "nested" in message
    assert stored(client, good.span_id) and not stored(client, deep.span_id)


def test_huge_attribute_value_is_stored_whole(client: TestClient) -> None:
    spec = _specs(22)[0]
    text = "x" * 3_000_000
    attr = string_attr("langfuse.observation.input", text)
    body = orjson.dumps(json_doc([json_span(spec, [attr])]))
    assert client.post(OTLP_PATH, content=body, headers=JSON).json() == {}
    stored = client.get(f"/api/public/observations/{spec.span_id}").json()
    assert stored["input"] == text


def test_huge_integer_attribute_is_kept_as_text(client: TestClient) -> None:
    spec = _specs(23)[0]
    attr = {"key": "big", "value": {"intValue": "9" * 40}}
    metadata = {"key": "langfuse.observation.metadata.big", "value": {"intValue": "9" * 40}}
    body = orjson.dumps(json_doc([json_span(spec, [attr, metadata])]))
    assert client.post(OTLP_PATH, content=body, headers=JSON).json() == {}
    observation = client.get(f"/api/public/observations/{spec.span_id}").json()
    assert observation["metadata"]["attributes"]["big"] == "9" * 40
    assert observation["metadata"]["big"] == "9" * 40


@pytest.mark.parametrize("version", [None, "4"])
def test_huge_integer_in_metadata_json_keeps_its_digits(client: TestClient, version: str) -> None:
    """The whole-metadata JSON text, and a JSON-encoded value (ingestion version 4)."""
    spec = _specs(26)[0]
    digits = "1" + "2" * 39
    attrs = [
        string_attr("langfuse.observation.metadata", f'{{"whole": {digits}, "small": 7}}'),
        string_attr("langfuse.observation.metadata.flat", digits),
    ]
    body = orjson.dumps(json_doc([json_span(spec, attrs)]))
    headers = {**JSON, **({"x-langfuse-ingestion-version": version} if version else {})}
    assert client.post(OTLP_PATH, content=body, headers=headers).json() == {}
    metadata = client.get(f"/api/public/observations/{spec.span_id}").json()["metadata"]
    assert metadata["whole"] == digits and metadata["flat"] == digits
    assert metadata["small"] == 7


# --- session ids ----------------------------------------------------------------


def test_otlp_session_id_over_200_characters_is_dropped_named_and_kept(
    client: TestClient,
) -> None:
    spec = _specs(24)[0]
    attr = string_attr("session.id", "s" * 201)
    span = json_span(spec, [attr])
    span["attributes"] = [a for a in span["attributes"] if a["key"] != "langfuse.session.id"]
    response = client.post(OTLP_PATH, content=orjson.dumps(json_doc([span])), headers=JSON)
    refused, message = rejected(response)
    assert refused == 0
    assert message == (
        f"session id dropped from trace {spec.trace_id}: 201 characters, longer than 200; "
        "kept in the trace's metadata as powerrag_refused_session_id"
    )
    trace = client.get(f"/api/public/traces/{spec.trace_id}").json()
    assert trace["id"] == spec.trace_id and trace["sessionId"] is None
    assert trace["metadata"]["powerrag_refused_session_id"] == "s" * 201


def test_session_id_of_200_ascii_characters_is_kept(client: TestClient) -> None:
    spec = SpanFactory(25).trace(children=0)[0]
    span = json_span(spec, [string_attr("session.id", "s" * 200)])
    span["attributes"] = [a for a in span["attributes"] if a["key"] != "langfuse.session.id"]
    assert client.post(OTLP_PATH, content=orjson.dumps(json_doc([span])), headers=JSON).json() == {}
    assert client.get(f"/api/public/traces/{spec.trace_id}").json()["sessionId"] == "s" * 200


def test_a_refused_session_id_on_every_span_is_named_and_logged_once(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """propagate_attributes puts the id on every span: one warning, one log line."""
    specs = SpanFactory(27).trace(children=2)
    spans = [json_span(spec, [string_attr("session.id", "s" * 201)]) for spec in specs]
    for span in spans:
        span["attributes"] = [a for a in span["attributes"] if a["key"] != "langfuse.session.id"]
    with caplog.at_level("WARNING", logger="powerrag.api"):
        response = client.post(OTLP_PATH, content=orjson.dumps(json_doc(spans)), headers=JSON)
    refused, message = rejected(response)
    assert refused == 0 and message.count("session id dropped") == 1
    lines = [r.getMessage() for r in caplog.records if r.name == "powerrag.api"]
    assert lines == [f"project {PROJECT_ID}: {message}"]
