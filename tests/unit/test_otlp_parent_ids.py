"""A span whose parent id is all zeros is a root: some exporters write the invalid id for
"no parent" instead of leaving the field empty, and the Collector reads it as empty."""

from __future__ import annotations

import orjson
import pytest

from powerrag.ingest.otlp import decode_otlp
from powerrag.ingest.semconv import map_span
from tests.support.bodies import SpanSpec, json_doc, json_span, protobuf_body

ROOT = SpanSpec("a" * 32, "b" * 16, "0" * 16, "s-1", "answer", 3, 4, 1_700_000_000_000_000_000)
CHILD = SpanSpec("a" * 32, "c" * 16, "b" * 16, "s-1", "retrieve", 1, 2, 1_700_000_000_000_000_000)


def _bodies(spec: SpanSpec) -> dict[str, tuple[bytes, str]]:
    return {
        "json": (orjson.dumps(json_doc([json_span(spec)])), "application/json"),
        "protobuf": (protobuf_body([spec]), "application/x-protobuf"),
    }


@pytest.mark.parametrize("encoding", ["json", "protobuf"])
def test_an_all_zero_parent_id_makes_a_root_that_speaks_for_its_trace(encoding: str) -> None:
    body, content_type = _bodies(ROOT)[encoding]
    (decoded,) = decode_otlp(body, content_type).spans
    assert decoded.parent_span_id is None
    mapped = map_span(decoded)
    assert mapped.observation.parent_observation_id is None
    assert mapped.trace_update is not None and mapped.trace_update.is_root


@pytest.mark.parametrize("encoding", ["json", "protobuf"])
def test_a_real_parent_id_is_kept_and_its_span_is_no_root(encoding: str) -> None:
    body, content_type = _bodies(CHILD)[encoding]
    (decoded,) = decode_otlp(body, content_type).spans
    mapped = map_span(decoded)
    assert mapped.observation.parent_observation_id == "b" * 16
    assert mapped.trace_update is None or not mapped.trace_update.is_root
