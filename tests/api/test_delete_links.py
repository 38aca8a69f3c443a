"""What deleting traces through the API does to what refers to them, on every engine:
annotation queue items of the deleted traces, observations and sessions go, those of what
stays are kept; dataset run items stay with their run (as Langfuse keeps them); a session
that keeps traces keeps its end."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag.store import annotation_queues
from powerrag.store.database import Store
from tests.support.clickhouse import with_clickhouse
from tests.support.project import PROJECT_ID
from tests.support.retention import DAY, Turn

AT = 1_780_000_000 * 1_000_000
TURNS = [
    Turn("t-gone", "s-gone", AT, "ann", 0.5),
    Turn("t-split-gone", "s-split", AT + DAY, "ann", 0.25),
    Turn("t-split-kept", "s-split", AT + 2 * DAY, "bob", 0.125),
]


def _ingest(client: TestClient) -> None:
    answer = client.post(
        "/api/public/ingestion", json={"batch": [e for t in TURNS for e in t.events()]}
    )
    assert answer.status_code == 207 and answer.json()["errors"] == [], answer.text


def _queue(store: Store, objects: list[tuple[str, str]]) -> str:
    """A queue holding these objects; added through the store, as the API checks that they
    exist in tables the ClickHouse shape keeps elsewhere."""
    with store.transaction() as conn:
        queue = annotation_queues.insert_queue(conn, PROJECT_ID, "triage", None, (), AT)
        for kind, object_id in objects:
            annotation_queues.insert_item(conn, PROJECT_ID, queue, kind, object_id, "PENDING", AT)
    return queue


def _run_item(client: TestClient, trace_id: str) -> dict[str, Any]:
    made = client.post("/api/public/v2/datasets", json={"name": "qa"})
    assert made.status_code == 200, made.text
    client.post("/api/public/dataset-items", json={"datasetName": "qa", "id": "c1", "input": 1})
    item = client.post(
        "/api/public/dataset-run-items",
        json={"runName": "nightly", "datasetItemId": "c1", "traceId": trace_id},
    )
    assert item.status_code == 200, item.text
    body: dict[str, Any] = item.json()
    return body


@with_clickhouse
def test_deleting_traces_drops_their_queue_items_and_keeps_dataset_run_items(
    client: TestClient, store: Store
) -> None:
    _ingest(client)
    queue = _queue(
        store,
        [
            ("TRACE", "t-gone"),
            ("OBSERVATION", "t-gone-g"),
            ("SESSION", "s-gone"),
            ("TRACE", "t-split-gone"),
            ("OBSERVATION", "t-split-gone-g"),
            ("SESSION", "s-split"),
            ("TRACE", "t-split-kept"),
            ("OBSERVATION", "t-split-kept-g"),
        ],
    )
    run_item = _run_item(client, "t-gone")

    deleted = client.request(
        "DELETE", "/api/public/traces", json={"traceIds": ["t-gone", "t-split-gone"]}
    )
    assert deleted.status_code == 200, deleted.text

    items = client.get(f"/api/public/annotation-queues/{queue}/items").json()["data"]
    assert sorted((i["objectType"], i["objectId"]) for i in items) == [
        ("OBSERVATION", "t-split-kept-g"),
        ("SESSION", "s-split"),  # the session stays: one of its traces does
        ("TRACE", "t-split-kept"),
    ]
    dataset_id = client.get("/api/public/v2/datasets/qa").json()["id"]
    runs = client.get(
        "/api/public/dataset-run-items", params={"datasetId": dataset_id, "runName": "nightly"}
    ).json()
    assert runs["data"] == [run_item]
    sessions = client.get("/api/public/sessions").json()["data"]
    assert [s["id"] for s in sessions] == ["s-split"]


@pytest.mark.parametrize("endpoint", ["one", "many"])
def test_deleting_a_trace_does_not_reopen_its_ended_session(
    client: TestClient, endpoint: str
) -> None:
    _ingest(client)
    ended = client.post("/api/public/sessions/s-split/end")
    assert ended.status_code == 200, ended.text
    if endpoint == "one":
        deleted = client.delete("/api/public/traces/t-split-gone")
    else:
        deleted = client.request(
            "DELETE", "/api/public/traces", json={"traceIds": ["t-split-gone"]}
        )
    assert deleted.status_code == 200, deleted.text
    session = client.get("/api/public/sessions/s-split").json()
    assert (session["status"], session["endedAt"]) == ("ended", ended.json()["endedAt"])
    assert [t["id"] for t in session["traces"]] == ["t-split-kept"]
