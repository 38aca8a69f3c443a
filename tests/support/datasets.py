"""A two-turn support session for the datasets tests (web and browser): chat messages in,
an assistant message out, the second turn resending the first as its history."""

from __future__ import annotations

from typing import Any

import httpx

SESSION = "order-help"
TURN_1, TURN_2 = "order-help-turn-1", "order-help-turn-2"
Q1 = {"role": "user", "content": "Where is my order?"}
A1 = {"role": "assistant", "content": "It ships today."}
Q2 = {"role": "user", "content": "Can I change the address?"}
A2 = {"role": "assistant", "content": "Yes, until it ships tonight."}


def _trace(trace_id: str, second: int, given: Any, said: Any) -> dict[str, Any]:
    at = f"2026-05-01T10:00:{second:02d}.000Z"
    return {
        "id": f"event-{trace_id}",
        "type": "trace-create",
        "timestamp": at,
        "body": {
            "id": trace_id,
            "name": "support-turn",
            "sessionId": SESSION,
            "timestamp": at,
            "input": given,
            "output": said,
        },
    }


def _generation(trace_id: str, second: int, seconds: int) -> dict[str, Any]:
    """The turn's LLM call: `seconds` long, 100 tokens in and 20 out of gpt-4o-mini."""
    return {
        "id": f"event-gen-{trace_id}",
        "type": "generation-create",
        "timestamp": f"2026-05-01T10:00:{second:02d}.000Z",
        "body": {
            "id": f"gen-{trace_id}",
            "traceId": trace_id,
            "name": "answer",
            "model": "gpt-4o-mini",
            "startTime": f"2026-05-01T10:00:{second:02d}.000Z",
            "endTime": f"2026-05-01T10:00:{second + seconds:02d}.000Z",
            "usageDetails": {"input": 100, "output": 20},
        },
    }


def ingest_session(client: httpx.Client | Any, headers: dict[str, str] | None = None) -> None:
    """Store the session's two turns through the ingestion API."""
    batch = [
        _trace(TURN_1, 0, [Q1], A1),
        _generation(TURN_1, 0, 2),
        _trace(TURN_2, 5, [Q1, A1, Q2], A2),
        _generation(TURN_2, 5, 3),
    ]
    answer = client.post("/api/public/ingestion", json={"batch": batch}, headers=headers or {})
    assert answer.status_code == 207 and not answer.json()["errors"], answer.text
