"""Spans shaped as each framework's instrumentation emits them, sent over OTLP/HTTP JSON and
read back through the public API: input, output, model, usage, type and name as Langfuse maps
them (src/powerrag/ingest/frameworks.py).

One data file per framework in tests/data/frameworks/ (origins in its README): a compact span
list (attributes as plain values) that `otlp_body` turns into an OTLP export, and the exact
answer expected for each observation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.support.bodies import json_attrs

DATA = Path(__file__).resolve().parents[1] / "data" / "frameworks"
FRAMEWORKS = sorted(p.stem for p in DATA.glob("*.json"))
T0_NS = 1_763_900_000_000_000_000  # 2025-11-23
# Every observation is compared on these; a data file may name more (e.g. modelParameters).
ALWAYS = ("type", "name", "model", "input", "output", "usageDetails")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The mapping does not depend on the engine: SQLite only."""
    return f"sqlite:///{tmp_path / 'powerrag.db'}"


def _span(trace_id: str, index: int, raw: dict[str, Any]) -> dict[str, Any]:
    start = T0_NS + index * 1_000_000
    span: dict[str, Any] = {
        "traceId": trace_id,
        "spanId": raw["spanId"],
        "name": raw["name"],
        "kind": 1,
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(start + 1_000_000_000),
        "attributes": json_attrs(raw.get("attributes", {})),
        "events": [
            {"name": name, "timeUnixNano": str(start), "attributes": json_attrs(attrs)}
            for name, attrs in raw.get("events", [])
        ],
        "status": {"code": raw.get("status", 1)},
    }
    if "parentSpanId" in raw:
        span["parentSpanId"] = raw["parentSpanId"]
    return span


def otlp_body(doc: dict[str, Any]) -> dict[str, Any]:
    spans = iter(range(1000))
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": json_attrs(doc.get("resource", {}))},
                "scopeSpans": [
                    {
                        "scope": group["scope"],
                        "spans": [_span(doc["traceId"], next(spans), s) for s in group["spans"]],
                    }
                    for group in doc["scopes"]
                ],
            }
        ]
    }


def _view(observation: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    view = {key: observation[key] for key in (*ALWAYS, *want) if key != "attributes"}
    if "attributes" in want:
        view["attributes"] = sorted(observation["metadata"].get("attributes", {}))
    return view


def _load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return doc


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_framework_spans_read_back_as_langfuse_maps_them(
    client: TestClient, framework: str
) -> None:
    doc = _load(framework)
    answer = client.post(
        "/api/public/otel/v1/traces",
        content=orjson.dumps(otlp_body(doc)),
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    trace = client.get(f"/api/public/traces/{doc['traceId']}").json()
    want = doc["expect"]["observations"]
    got = {o["id"]: _view(o, want[o["id"]]) for o in trace["observations"] if o["id"] in want}
    assert got == want
    assert len(trace["observations"]) == len(want)
    assert {k: trace[k] for k in doc["expect"]["trace"]} == doc["expect"]["trace"]
    for obs_id, expected in want.items():
        one = client.get(f"/api/public/observations/{obs_id}").json()
        assert _view(one, expected) == expected


def test_every_data_file_names_its_source() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in FRAMEWORKS:
        doc = _load(name)
        assert doc["source"] and all(url.startswith("https://") for url in doc["source"])
        assert f"`{name}.json`" in readme


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ai.usage.tokens", 1e30),
        ("ai.response.providerMetadata", '{"openai": {"cachedPromptTokens": 1e30}}'),
        ("genkit:output", '{"usage": {"inputTokens": 1e30}}'),
    ],
)
def test_a_framework_count_out_of_range_rejects_its_span_by_name(
    client: TestClient, key: str, value: Any
) -> None:
    scope = "genkit-tracer" if key.startswith("genkit") else "ai"
    doc = {
        "traceId": "5e1a00000000000000000000000000ff",
        "scopes": [
            {
                "scope": {"name": scope},
                "spans": [
                    {"spanId": "5e1a0000000000ff", "name": "call", "attributes": {key: value}}
                ],
            }
        ],
    }
    answer = client.post(
        "/api/public/otel/v1/traces",
        content=orjson.dumps(otlp_body(doc)),
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    partial = answer.json()["partialSuccess"]
    assert partial["rejectedSpans"] == "1"
    assert key in partial["errorMessage"] and "out of range" in partial["errorMessage"]
    assert client.get("/api/public/observations/5e1a0000000000ff").status_code == 404
