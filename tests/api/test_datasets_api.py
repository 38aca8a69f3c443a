"""Langfuse's datasets API, field for field: datasets, items (upserted on their id, filtered
by dataset and source), runs and run items, their deletes, and the 4xx answers that name
what was wrong."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from powerrag.domain.datasets import stable_run_id
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.one_engine

CREATED = "2026-03-01T10:00:00.000Z"


def _dataset(client: TestClient, name: str = "qa") -> dict[str, object]:
    response = client.post(
        "/api/public/v2/datasets",
        json={"name": name, "description": "golden", "metadata": {"team": "search"}},
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_datasets_are_created_listed_and_read_by_name(client: TestClient) -> None:
    made = _dataset(client)
    assert set(made) == {
        "id",
        "name",
        "description",
        "metadata",
        "inputSchema",
        "expectedOutputSchema",
        "projectId",
        "createdAt",
        "updatedAt",
    }
    assert (made["name"], made["description"], made["metadata"], made["projectId"]) == (
        "qa",
        "golden",
        {"team": "search"},
        PROJECT_ID,
    )
    _dataset(client, "a/b 中文")
    listed = client.get("/api/public/v2/datasets", params={"limit": 1}).json()
    assert listed["meta"] == {"page": 1, "limit": 1, "totalItems": 2, "totalPages": 2}
    one = client.get("/api/public/v2/datasets/a%2Fb%20%E4%B8%AD%E6%96%87").json()
    assert one["name"] == "a/b 中文"
    missing = client.get("/api/public/v2/datasets/nope")
    assert missing.status_code == 404
    assert missing.json() == {
        "message": "dataset 'nope' not found",
        "error": "LangfuseNotFoundError",
    }
    refused = client.post("/api/public/v2/datasets", json={"description": "no name"})
    assert refused.status_code == 400 and "name is required" in refused.json()["message"]


def test_items_are_upserted_filtered_and_deleted(client: TestClient) -> None:
    dataset = _dataset(client)
    first = client.post(
        "/api/public/dataset-items",
        json={
            "datasetName": "qa",
            "id": "case-1",
            "input": {"question": "2+2?"},
            "expectedOutput": "4",
            "sourceTraceId": "trace-a",
        },
    ).json()
    assert first == {
        "id": "case-1",
        "status": "ACTIVE",
        "input": {"question": "2+2?"},
        "expectedOutput": "4",
        "metadata": None,
        "sourceTraceId": "trace-a",
        "sourceObservationId": None,
        "datasetId": dataset["id"],
        "datasetName": "qa",
        "createdAt": first["createdAt"],
        "updatedAt": first["updatedAt"],
        "mediaReferences": [],
    }
    client.post("/api/public/dataset-items", json={"datasetName": "qa", "input": "other"})
    again = client.post(
        "/api/public/dataset-items", json={"datasetName": "qa", "id": "case-1", "expectedOutput": 5}
    ).json()
    assert (again["input"], again["expectedOutput"]) == ({"question": "2+2?"}, 5)
    by_source = client.get("/api/public/dataset-items", params={"sourceTraceId": "trace-a"}).json()
    assert [i["id"] for i in by_source["data"]] == ["case-1"]
    every = client.get("/api/public/dataset-items", params={"datasetName": "qa"}).json()
    assert every["meta"]["totalItems"] == 2
    assert client.get("/api/public/dataset-items/case-1").json()["expectedOutput"] == 5
    deleted = client.delete("/api/public/dataset-items/case-1")
    assert deleted.json() == {"message": "Dataset item successfully deleted"}
    assert client.get("/api/public/dataset-items/case-1").status_code == 404
    assert client.delete("/api/public/dataset-items/case-1").status_code == 404
    bad = client.post("/api/public/dataset-items", json={"datasetName": "qa", "status": "DONE"})
    assert bad.status_code == 400 and "status must be ACTIVE or ARCHIVED" in bad.json()["message"]
    unknown = client.get("/api/public/dataset-items", params={"datasetName": "nope"})
    assert unknown.status_code == 404
    versioned = client.get("/api/public/dataset-items", params={"version": CREATED})
    assert versioned.status_code == 400 and "version" in versioned.json()["message"]


def test_run_items_create_a_run_that_lists_reads_and_deletes(client: TestClient) -> None:
    dataset = _dataset(client)
    client.post("/api/public/dataset-items", json={"datasetName": "qa", "id": "c1", "input": 1})
    made = client.post(
        "/api/public/dataset-run-items",
        json={
            "runName": "nightly",
            "runDescription": "model v2",
            "metadata": {"model": "v2"},
            "datasetItemId": "c1",
            "traceId": "trace-1",
            "observationId": "obs-1",
            "createdAt": CREATED,
        },
    ).json()
    run_id = stable_run_id(PROJECT_ID, str(dataset["id"]), "nightly")
    assert made == {
        "id": made["id"],
        "datasetRunId": run_id,
        "datasetRunName": "nightly",
        "datasetItemId": "c1",
        "traceId": "trace-1",
        "observationId": "obs-1",
        "createdAt": CREATED,
        "updatedAt": CREATED,
    }
    runs = client.get("/api/public/datasets/qa/runs").json()
    assert [(r["id"], r["name"], r["description"], r["metadata"]) for r in runs["data"]] == [
        (run_id, "nightly", "model v2", {"model": "v2"})
    ]
    run = client.get("/api/public/datasets/qa/runs/nightly").json()
    assert run["datasetName"] == "qa" and run["datasetRunItems"] == [made]
    items = client.get(
        "/api/public/dataset-run-items", params={"datasetId": dataset["id"], "runName": "nightly"}
    ).json()
    assert items["data"] == [made] and items["meta"]["totalItems"] == 1
    deleted = client.delete("/api/public/datasets/qa/runs/nightly")
    assert deleted.json() == {"message": "Dataset run successfully deleted"}
    assert client.get("/api/public/datasets/qa/runs/nightly").status_code == 404


def test_run_item_refusals_name_what_was_wrong(client: TestClient) -> None:
    _dataset(client)
    client.post("/api/public/dataset-items", json={"datasetName": "qa", "id": "c1"})
    cases = [
        ({"runName": "r", "datasetItemId": "c1"}, 400, "observationId or traceId"),
        ({"runName": "r", "datasetItemId": "nope", "traceId": "t"}, 404, "'nope' not found"),
        ({"runName": "r", "datasetItemId": "c1", "observationId": "o"}, 404, "observation 'o'"),
        ({"runName": "r", "datasetItemId": "c1", "traceId": "t", "x": 1}, 400, "unknown field"),
        (
            {"runName": "r", "datasetItemId": "c1", "traceId": "t", "createdAt": "no"},
            400,
            "createdAt",
        ),
    ]
    for body, status, words in cases:
        response = client.post("/api/public/dataset-run-items", json=body)
        assert response.status_code == status and words in response.json()["message"], body
    listing = client.get("/api/public/dataset-run-items", params={"runName": "r"})
    assert listing.status_code == 400 and "datasetId and runName" in listing.json()["message"]
