"""NUL in an id, a filter or a text field: PostgreSQL stores no NUL in text, and its refusal
used to surface as a 500 (which SDKs retry) or fail a whole batch. Each is now a 4xx or a
per-span / per-event refusal naming the field, on both engines, and the rest is kept."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

NUL_READS = [
    "/api/public/traces/a%00b",
    "/api/public/sessions/a%00b",
    "/api/public/observations/a%00b",
    "/api/public/scores/a%00b",
    "/api/public/v2/scores/a%00b",
    "/api/public/traces?sessionId=a%00b",
    "/api/public/traces?userId=%00",
    "/api/public/observations?traceId=%00",
    "/api/public/v2/observations?sessionId=%00",
    "/api/public/v2/scores?sessionId=%00",
]
AT = "2026-11-20T10:00:00.000Z"


@pytest.mark.parametrize("path", NUL_READS)
def test_a_nul_in_a_read_is_a_400(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert (answer.status_code, answer.json()) == (
        400,
        {
            "message": "Invalid request data: the path or a query parameter holds NUL",
            "error": "InvalidRequestError",
        },
    )


def test_a_nul_in_a_batch_event_refuses_that_event_only(client: TestClient) -> None:
    def trace(event_id: str, **body: Any) -> dict[str, Any]:
        return {"id": event_id, "type": "trace-create", "timestamp": AT, "body": body}

    batch = [trace("bad", id="t-nul", sessionId="s\x00"), trace("good", id="t-ok", name="n")]
    body = client.post("/api/public/ingestion", json={"batch": batch}).json()
    assert body["successes"] == [{"id": "good", "status": 201}]
    assert body["errors"] == [
        {
            "id": "bad",
            "status": 400,
            "message": "body.sessionId must not contain NUL characters",
            "error": "Invalid request data",
        }
    ]
    assert client.get("/api/public/traces/t-ok").json()["name"] == "n"


def test_a_nul_in_a_score_is_a_400(client: TestClient) -> None:
    answer = client.post("/api/public/scores", json={"traceId": "t", "name": "n\x00", "value": 1})
    assert answer.status_code == 400
    assert answer.json()["message"] == "score name must not contain NUL characters"


def test_a_nul_in_a_span_refuses_that_span_only(client: TestClient) -> None:
    def span(span_id: str, name: str) -> dict[str, Any]:
        return {
            "traceId": "0000000000000000000000000000abcd",
            "spanId": span_id,
            "name": name,
            "startTimeUnixNano": "1763900000000000000",
            "endTimeUnixNano": "1763900001000000000",
        }

    spans = [span("00000000000000a1", "r\x00"), span("00000000000000a2", "kept")]
    doc = {"resourceSpans": [{"scopeSpans": [{"scope": {"name": "x"}, "spans": spans}]}]}
    answer = client.post(
        "/api/public/otel/v1/traces",
        content=orjson.dumps(doc),
        headers={"content-type": "application/json"},
    )
    assert answer.json() == {
        "partialSuccess": {
            "rejectedSpans": "1",
            "errorMessage": "span 00000000000000a1 of trace 0000000000000000000000000000abcd: "
            "name holds NUL characters",
        }
    }
    assert client.get("/api/public/observations/00000000000000a2").json()["name"] == "kept"
