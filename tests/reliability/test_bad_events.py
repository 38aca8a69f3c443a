"""Bad batch events and scores are refused one by one; the rest of the batch is kept (issue 6 §3)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.answers import TS, assert_error, stored
from tests.support.bodies import BATCH_PATH, JSON

pytestmark = pytest.mark.one_engine


def _event(event_id: str, kind: str, body: Any, ts: Any = TS) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "timestamp": ts, "body": body}


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (_event("bad", "trace-delete", {"id": "t"}), "unknown event type"),
        ({"id": "bad", "type": "span-create", "body": {"id": "s"}}, "timestamp is required"),
        (_event("bad", "span-create", {"id": "s"}, ts="yesterday"), "ISO 8601"),
        (_event("bad", "span-create", {"id": "s"}, ts="2400-01-01T00:00:00Z"), "range"),
        (_event("bad", "span-create", {"id": "s", "startTime": "1900-01-01T00:00:00Z"}), "range"),
        (_event("bad", "span-create", {"id": "s", "endTime": 12}), "ISO 8601"),
        (_event("bad", "span-create", {"name": "no id"}), "body.id is required"),
        (_event("bad", "span-create", {"id": "x" * 65}), "at most 64"),
        (_event("bad", "span-create", {"id": "s", "traceId": "t" * 65}), "at most 64"),
        (_event("bad", "span-create", {"id": "s", "parentObservationId": 5}), "string"),
        (_event("bad", "observation-create", {"id": "s", "type": "WIDGET"}), "body.type"),
        (_event("bad", "span-create", {"id": "s", "level": "LOUD"}), "body.level"),
        (_event("bad", "trace-create", {"id": "t", "tags": "a,b"}), "tags"),
        (_event("bad", "score-create", {"name": "s", "value": 1}), "exactly one of"),
        (_event("", "span-create", {"id": "s"}), "event.id"),
        (_event("bad", "span-create", "body"), "event.body"),
        ("not an event", "must be an object"),
    ],
)
def test_bad_event_is_refused_and_the_rest_kept(client: TestClient, event: Any, words: str) -> None:
    good = _event("good", "span-create", {"id": "obs-good", "traceId": "trace-good"})
    response = client.post(BATCH_PATH, json={"batch": [good, event]})
    assert response.status_code == 207, response.text
    body = response.json()
    assert body["successes"] == [{"id": "good", "status": 201}]
    assert len(body["errors"]) == 1
    assert body["errors"][0]["status"] == 400
    assert words.lower() in body["errors"][0]["message"].lower()
    assert stored(client, "obs-good")


def test_unstorable_nested_input_refuses_only_its_event(client: TestClient) -> None:
    deep = "[" * 300 + "]" * 300
    raw = (
        b'{"batch":[{"id":"good","type":"span-create","timestamp":"'
        + TS.encode()
        + b'","body":{"id":"obs-ok","traceId":"trace-ok"}},{"id":"deep","type":"span-create",'
        + b'"timestamp":"'
        + TS.encode()
        + b'","body":{"id":"obs-deep","input":'
        + deep.encode()
        + b"}}]}"
    )
    body = client.post(BATCH_PATH, content=raw, headers=JSON).json()
    assert body["successes"] == [{"id": "good", "status": 201}]
    assert "cannot be stored" in body["errors"][0]["message"]
    assert stored(client, "obs-ok") and not stored(client, "obs-deep")


def test_long_envelope_id_is_idempotent(client: TestClient) -> None:
    event = _event("e" * 800, "trace-create", {"id": "trace-long-envelope", "name": "first"})
    for _ in range(2):
        body = client.post(BATCH_PATH, json={"batch": [event]}).json()
        assert body["errors"] == []
    assert client.get("/api/public/traces/trace-long-envelope").json()["name"] == "first"


@pytest.mark.parametrize(
    ("score", "words"),
    [
        ({"name": "s", "value": 1, "traceId": "t", "timestamp": "1800-01-01T00:00:00Z"}, "range"),
        ({"name": "s", "value": 1, "traceId": "t" * 65}, "at most 64"),
        ({"name": "s", "value": "x", "dataType": "NUMERIC", "traceId": "t"}, "finite number"),
        ({"name": "", "value": 1, "traceId": "t"}, "name"),
    ],
)
def test_bad_score_is_400(client: TestClient, score: dict[str, Any], words: str) -> None:
    assert_error(client.post("/api/public/scores", json=score), 400, words)


def test_batch_session_id_over_200_characters_is_dropped_named_and_kept(
    client: TestClient,
) -> None:
    event = _event("e1", "trace-create", {"id": "trace-bad-session", "sessionId": "x" * 300})
    body = client.post(BATCH_PATH, json={"batch": [event]}).json()
    # An `errors` entry would make Python SDK 3/4 resend the whole batch (tests/data/sdk-traffic.md §5).
    assert body["successes"] == [{"id": "e1", "status": 201}] and body["errors"] == []
    assert body["warnings"] == [
        "session id dropped from trace trace-bad-session: 300 characters, longer than 200; "
        "kept in the trace's metadata as powerrag_refused_session_id"
    ]
    trace = client.get("/api/public/traces/trace-bad-session").json()
    assert trace["sessionId"] is None
    assert trace["metadata"] == {"powerrag_refused_session_id": "x" * 300}


@pytest.mark.parametrize("session_id", ["séance", "会话-1", "chat-🦜", "é" * 200])
def test_batch_session_id_in_any_script_is_kept(client: TestClient, session_id: str) -> None:
    event = _event("e1", "trace-create", {"id": "trace-any-script", "sessionId": session_id})
    body = client.post(BATCH_PATH, json={"batch": [event]}).json()
    assert body["successes"] == [{"id": "e1", "status": 201}] and "warnings" not in body
    assert client.get("/api/public/traces/trace-any-script").json()["sessionId"] == session_id
