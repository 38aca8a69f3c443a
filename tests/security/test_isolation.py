"""Project A's key can neither read, change nor delete project B's data (issue 6 §5).

Routes are enumerated from `app.routes`, so an endpoint added later is covered
without editing this file: every `/api/public` route is called with A's key, with
B's ids in every path parameter, B's values in the usual filters and in request
bodies. Afterwards no answer may contain B's content, and B's rows must be exactly
as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store import accounts
from powerrag.store.database import Store
from tests.support.isolation import (
    A_ID,
    A_KEYS,
    B_DATASET,
    B_ID,
    B_KEYS,
    B_MARKERS,
    B_PROMPT,
    B_RULE,
    B_RUN,
    B_SESSION,
    World,
    fill_path,
    walk_routes,
)


@pytest.fixture
def world(store: Store, tmp_path: Path) -> Iterator[World]:
    with store.transaction() as conn:
        for project_id, (pk, sk) in ((A_ID, A_KEYS), (B_ID, B_KEYS)):
            accounts.create_project(conn, project_id, project_id)
            accounts.create_api_key(conn, project_id, public_key=pk, secret_key=sk)
    app = create_app(Settings(data_dir=tmp_path), store=store)
    with TestClient(app) as client:
        w = World(client, store)
        w.fill_b()
        yield w


def _api_routes(client: TestClient) -> list[tuple[str, str]]:
    routes: list[tuple[str, str]] = []
    for path, methods in walk_routes(client.app.routes):  # type: ignore[attr-defined]
        if path.startswith("/api/public"):
            routes.extend((method, path) for method in sorted(methods))
    return routes


def _b_filters(w: World) -> dict[str, str]:
    return {
        "sessionId": B_SESSION,
        "traceId": w.trace_id,
        "observationId": w.observation_id,
        "userId": "b-secret-user",
        "name": "b-trace-name",
        "projectId": B_ID,
        "datasetName": B_DATASET,
        "datasetId": w.dataset_id,
        "runName": B_RUN,
        "sourceTraceId": w.trace_id,
        "limit": "100",
    }


def _b_body(w: World) -> dict[str, Any]:
    """A body naming B's things everywhere an endpoint might look."""
    return {
        "traceIds": [w.trace_id],
        "traceId": w.trace_id,
        "sessionId": B_SESSION,
        "observationId": w.observation_id,
        "id": w.score_id,
        "name": "a-was-here",
        "value": 0,
        "datasetName": B_DATASET,
        "datasetItemId": B_RULE,
        "runName": B_RUN,
        "batch": [
            {
                "id": "a-event-1",
                "type": "trace-create",
                "timestamp": "2025-11-23T10:00:00Z",
                "body": {"id": w.trace_id, "name": "a-was-here", "sessionId": B_SESSION},
            },
            {
                "id": "a-event-2",
                "type": "span-update",
                "timestamp": "2025-11-23T10:00:00Z",
                "body": {"id": w.observation_id, "traceId": w.trace_id, "output": "a-was-here"},
            },
        ],
    }


def test_every_api_route_keeps_project_b_out_of_reach_of_a_key(world: World) -> None:
    before = world.snapshot_b()
    routes = _api_routes(world.client)
    assert any(p == "/api/public/traces/{trace_id:path}" for _, p in routes)
    for method, template in routes:
        path = fill_path(template, world.ids())
        if method in ("GET", "DELETE"):
            response = world.client.request(
                method, path, params=_b_filters(world), headers=world.as_a()
            )
        else:
            response = world.client.request(method, path, json=_b_body(world), headers=world.as_a())
        assert response.status_code < 500, (method, path, response.text)
        leaked = [m for m in B_MARKERS if m in response.text]
        assert not leaked, f"{method} {path} with A's key answered B's {leaked}"
    # A wrote into A only; nothing of B was changed or deleted.
    assert world.snapshot_b() == before


def test_ids_of_project_b_are_not_found_with_a_key(world: World) -> None:
    for path in (
        f"/api/public/traces/{world.trace_id}",
        f"/api/public/observations/{world.observation_id}",
        f"/api/public/sessions/{B_SESSION}",
        f"/api/public/scores/{world.score_id}",
        f"/api/public/v2/scores/{world.score_id}",
        f"/api/public/media/{world.media_id}",
        f"/api/public/checks/{B_RULE}",
        f"/api/public/alerts/{B_RULE}/deliveries",
        f"/api/public/v2/prompts/{B_PROMPT.replace('/', '%2F')}",
        f"/api/public/v2/datasets/{B_DATASET}",
        f"/api/public/dataset-items/{B_RULE}",
        f"/api/public/datasets/{B_DATASET}/runs",
        f"/api/public/datasets/{B_DATASET}/runs/{B_RUN}",
        f"/api/public/dataset-run-items?datasetId={world.dataset_id}&runName={B_RUN}",
        f"/api/public/models/{B_RULE}",
        f"/api/public/score-configs/{B_RULE}",
        f"/api/public/comments/{B_RULE}",
        f"/api/public/annotation-queues/{B_RULE}",
        f"/api/public/annotation-queues/{B_RULE}/items",
        f"/api/public/annotation-queues/{B_RULE}/items/{B_RULE}",
    ):
        assert world.client.get(path, headers=world.as_b()).status_code == 200, path
        assert world.client.get(path, headers=world.as_a()).status_code == 404, path


def test_deleting_project_b_ids_with_a_key_deletes_nothing(world: World) -> None:
    before = world.snapshot_b()
    a = world.as_a()
    world.client.delete(f"/api/public/traces/{world.trace_id}", headers=a)
    world.client.request(
        "DELETE", "/api/public/traces", json={"traceIds": [world.trace_id]}, headers=a
    )
    world.client.delete(f"/api/public/scores/{world.score_id}", headers=a)
    assert world.snapshot_b() == before
    assert (
        world.client.get(f"/api/public/traces/{world.trace_id}", headers=world.as_b()).json()[
            "name"
        ]
        == "b-trace-name"
    )


def test_writing_with_project_b_ids_stays_in_project_a(world: World) -> None:
    before = world.snapshot_b()
    body = _b_body(world)
    answer = world.client.post(
        "/api/public/ingestion", json={"batch": body["batch"]}, headers=world.as_a()
    )
    assert answer.status_code == 207 and not answer.json()["errors"]
    assert world.snapshot_b() == before
    mine = world.client.get(f"/api/public/traces/{world.trace_id}", headers=world.as_a()).json()
    assert mine["name"] == "a-was-here"
    assert "b-secret-prompt" not in orjson.dumps(mine).decode()


def test_lists_with_a_key_hold_nothing_of_project_b(world: World) -> None:
    for path in (
        "/api/public/traces",
        "/api/public/sessions",
        "/api/public/observations",
        "/api/public/scores",
        "/api/public/v2/prompts",
        "/api/public/v2/datasets",
        "/api/public/dataset-items",
        "/api/public/score-configs",
        "/api/public/comments",
        "/api/public/annotation-queues",
    ):
        mine = world.client.get(path, headers=world.as_a())
        theirs = world.client.get(path, headers=world.as_b())
        assert mine.status_code == 200 and theirs.status_code == 200, path
        assert mine.json()["data"] == [], path
        assert theirs.json()["data"], path


def test_metrics_and_models_with_a_key_hold_nothing_of_project_b(world: World) -> None:
    query = {
        "view": "observations",
        "dimensions": [{"field": "sessionId"}, {"field": "userId"}, {"field": "traceName"}],
        "metrics": [{"measure": "count", "aggregation": "count"}],
        "fromTimestamp": "2000-01-01T00:00:00Z",
        "toTimestamp": "2100-01-01T00:00:00Z",
    }
    params = {"query": orjson.dumps(query).decode()}
    mine = world.client.get("/api/public/metrics", params=params, headers=world.as_a())
    theirs = world.client.get("/api/public/metrics", params=params, headers=world.as_b())
    assert mine.status_code == 200 and mine.json()["data"] == []
    assert theirs.json()["data"] == [
        {"sessionId": B_SESSION, "userId": "b-secret-user", "traceName": "b-trace-name",
         "count_count": 2}
    ]  # fmt: skip
    listed = world.client.get("/api/public/models", params={"limit": 100, "page": 2})
    for headers, own in ((world.as_a(), 0), (world.as_b(), 1)):
        pages = [
            world.client.get(
                "/api/public/models", params={"limit": 100, "page": p}, headers=headers
            ).json()["data"]
            for p in (1, 2)
        ]
        assert sum(not m["isLangfuseManaged"] for page in pages for m in page) == own
    assert listed.status_code == 401
