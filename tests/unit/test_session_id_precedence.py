"""Which key names a trace's session when a span carries several, each with its own value.

The order (`_SESSION_KEYS` in src/powerrag/ingest/semconv.py, after Langfuse's
OtelIngestionProcessor): `langfuse.session.id`, `session.id`, `gen_ai.conversation.id`,
metadata `langfuse_session_id` (observation or trace metadata), the Vercel AI SDK's
`ai.telemetry.metadata.sessionId`. Each case sends the expected key and every key after
it, each with its own value, so a swap of any two neighbours shows.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from powerrag.ingest.semconv import map_span
from tests.support.spans import span

OBSERVATION_METADATA = "langfuse.observation.metadata.langfuse_session_id"
TRACE_METADATA = "langfuse.trace.metadata.langfuse_session_id"


def _order(metadata_key: str) -> list[str]:
    return [
        "langfuse.session.id",
        "session.id",
        "gen_ai.conversation.id",
        metadata_key,
        "ai.telemetry.metadata.sessionId",
    ]


def _attributes(keys: list[str]) -> dict[str, Any]:
    """Each key with a session id of its own: the key's name in the id."""
    return {key: f"from {key}" for key in keys}


CASES = [
    pytest.param(order[i:], f"from {order[i]}", id=f"{order[i]} (then {kind} metadata)")
    for kind, metadata_key in (("observation", OBSERVATION_METADATA), ("trace", TRACE_METADATA))
    for order in [_order(metadata_key)]
    for i in range(len(order))
]


@pytest.mark.parametrize(("keys", "expected"), CASES)
def test_the_first_key_in_the_order_names_the_session(keys: list[str], expected: str) -> None:
    update = map_span(span(_attributes(keys), name="root")).trace_update
    assert update is not None and update.session_id == expected


@pytest.mark.parametrize(("keys", "expected"), CASES)
def test_a_child_span_with_the_keys_names_the_session_the_same_way(
    keys: list[str], expected: str
) -> None:
    mapped = map_span(span(_attributes(keys), parent="00000000000000ff"))
    assert mapped.trace_update is not None and mapped.trace_update.session_id == expected


def _string(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def test_the_stored_trace_and_session_use_the_first_key(client: TestClient) -> None:
    """The same rule end to end: OTLP in, the session of the trace read back."""
    keys = _order(OBSERVATION_METADATA)
    attributes = [_string(k, f"from {k}") for k in reversed(keys)]
    doc = {
        "resourceSpans": [
            {
                "resource": {"attributes": []},
                "scopeSpans": [
                    {
                        "scope": {"name": "langfuse-sdk"},
                        "spans": [
                            {
                                "traceId": "0000000000000000000000000000abcd",
                                "spanId": "00000000000000a1",
                                "name": "root",
                                "startTimeUnixNano": "1763900000000000000",
                                "endTimeUnixNano": "1763900001000000000",
                                "attributes": attributes,
                            }
                        ],
                    }
                ],
            }
        ]
    }
    response = client.post(
        "/api/public/otel/v1/traces",
        content=orjson.dumps(doc),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    trace = client.get("/api/public/traces/0000000000000000000000000000abcd").json()
    assert trace["sessionId"] == "from langfuse.session.id"
    sessions = client.get("/api/public/sessions").json()["data"]
    assert [s["id"] for s in sessions] == ["from langfuse.session.id"]
