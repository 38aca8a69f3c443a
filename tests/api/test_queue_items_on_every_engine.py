"""An annotation queue's items and comments name trace data, which PostgreSQL + ClickHouse
keeps in ClickHouse: adding a trace, an observation or a session to a queue and commenting on
them find it, a reviewer reads the item's conversation, and a score given through the queue
lands on the observation's trace in its environment, on every engine."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from powerrag import queue_work, queues
from powerrag.domain import transcript
from powerrag.store.database import Store
from tests.support.clickhouse import with_clickhouse
from tests.support.project import PROJECT_ID

pytestmark = with_clickhouse

AT = "2026-03-01T10:00:00Z"


def _post(api: TestClient, path: str, body: Any) -> dict[str, Any]:
    answer = api.post(path, json=body)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _ingest(api: TestClient) -> None:
    trace = {"id": "t1", "timestamp": AT, "sessionId": "s1", "environment": "staging"}
    generation = {
        "id": "g1",
        "traceId": "t1",
        "startTime": AT,
        "environment": "staging",
        "input": [{"role": "user", "content": "Where is my parcel?"}],
        "output": {"role": "assistant", "content": "It left the depot."},
    }
    batch = [
        {"id": "e1", "type": "trace-create", "timestamp": AT, "body": trace},
        {"id": "e2", "type": "generation-create", "timestamp": AT, "body": generation},
    ]
    answer = api.post("/api/public/ingestion", json={"batch": batch})
    assert answer.status_code == 207 and not answer.json()["errors"], answer.text


def test_queue_items_comments_and_scores_find_their_trace_data(
    api: TestClient, store: Store
) -> None:
    _ingest(api)
    config = _post(api, "/api/public/score-configs", {"name": "helpful", "dataType": "BOOLEAN"})
    queue = _post(
        api, "/api/public/annotation-queues", {"name": "review", "scoreConfigIds": [config["id"]]}
    )
    items = {
        kind: _post(
            api,
            f"/api/public/annotation-queues/{queue['id']}/items",
            {"objectType": kind, "objectId": object_id},
        )
        for kind, object_id in (("TRACE", "t1"), ("OBSERVATION", "g1"), ("SESSION", "s1"))
    }
    comment = {
        "projectId": PROJECT_ID,
        "objectType": "OBSERVATION",
        "objectId": "g1",
        "content": "ok",
    }
    assert api.post("/api/public/comments", json=comment).status_code == 200
    missing = {**comment, "objectType": "TRACE", "objectId": "g1"}
    assert api.post("/api/public/comments", json=missing).status_code == 400

    found = queues.get_queue(store, PROJECT_ID, queue["id"])
    said = [
        transcript.Message("user", "Where is my parcel?"),
        transcript.Message("assistant", "It left the depot."),
    ]
    for kind in ("TRACE", "OBSERVATION", "SESSION"):
        item = queues.get_item(store, PROJECT_ID, queue["id"], items[kind]["id"])
        assert queue_work.conversation_of(store, PROJECT_ID, item) == said, kind
    item = queues.get_item(store, PROJECT_ID, queue["id"], items["OBSERVATION"]["id"])
    batch = queue_work.queue_score(
        store, PROJECT_ID, found, item, config_id=config["id"], value="1", comment="", author="u1"
    )
    [given] = batch.scores
    assert (given.trace_id, given.observation_id, given.environment) == ("t1", "g1", "staging")
