"""Resource attributes and scope are stored once per distinct value, and read back whole.

Every OTel observation's metadata carries `resourceAttributes` and `scope` (Langfuse
adds them, reference §1.11). The writer keeps one `span_origins` row per distinct
value; every read path must still answer them in each observation's metadata.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from powerrag.store.database import Store
from powerrag.store.infra.schema import observations, span_origins
from powerrag.store.origins import merged
from tests.support.project import PROJECT_ID
from tests.support.replay import replay_writes

FIXTURES = {
    "python-langfuse-3.15.0-rich.jsonl": "python",
    "js-tracing-5.11.1-rich.jsonl": "nodejs",
}


def _check_origin(metadata: dict[str, Any], language: str) -> None:
    assert metadata["resourceAttributes"]["telemetry.sdk.language"] == language
    assert metadata["scope"]["name"] == "langfuse-sdk"
    assert set(metadata["scope"]) == {"name", "version", "attributes"}


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_every_read_path_answers_the_origin(client: TestClient, store: Store, fixture: str) -> None:
    replay_writes(client, fixture)
    language = FIXTURES[fixture]
    with store.connect() as conn:
        stored = conn.execute(select(observations.c.metadata, observations.c.origin_id)).all()
        origins = conn.execute(select(func.count()).select_from(span_origins)).scalar_one()
    assert len(stored) > 10 and all(origin_id for _, origin_id in stored)
    # Stored once, not in every row: one SDK process has one resource and one scope.
    assert origins == 1
    assert not any("resourceAttributes" in (metadata or "") for metadata, _ in stored)

    v1 = client.get("/api/public/observations", params={"limit": 100}).json()["data"]
    v2 = client.get(
        "/api/public/v2/observations",
        # v2 cuts metadata values over 200 characters unless asked for them whole.
        params={"limit": 100, "fields": "core,metadata", "expandMetadata": "resourceAttributes"},
    ).json()["data"]
    assert len(v1) == len(v2) == len(stored)
    trace_ids = {o["traceId"] for o in v1}
    in_traces = [
        o
        for trace_id in trace_ids
        for o in client.get(f"/api/public/traces/{trace_id}").json()["observations"]
    ]
    one = client.get(f"/api/public/observations/{v1[0]['id']}").json()
    for item in [*v1, *v2, *in_traces, one]:
        _check_origin(item["metadata"], language)


def test_user_metadata_and_origin_are_both_kept(client: TestClient, store: Store) -> None:
    replay_writes(client, "python-langfuse-3.15.0-rich.jsonl")
    data = client.get("/api/public/observations", params={"limit": 100}).json()["data"]
    with_user_keys = [o for o in data if set(o["metadata"]) - {"resourceAttributes", "scope"}]
    assert with_user_keys, "the rich fixture sets observation metadata"
    for item in with_user_keys:
        _check_origin(item["metadata"], "python")
    with store.connect() as conn:
        projects = conn.execute(select(span_origins.c.project_id).distinct()).scalars().all()
    assert projects == [PROJECT_ID]


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        (None, {"resourceAttributes": {"a": "1"}, "scope": {"name": "s"}}),
        ("{}", {"resourceAttributes": {"a": "1"}, "scope": {"name": "s"}}),
        (
            '{"k":[1,{"x":"}"}]}',
            {"k": [1, {"x": "}"}], "resourceAttributes": {"a": "1"}, "scope": {"name": "s"}},
        ),
        # The user's own "scope" key loses to the origin's, as in Langfuse.
        (
            '{"scope":"mine","k":1}',
            {"k": 1, "resourceAttributes": {"a": "1"}, "scope": {"name": "s"}},
        ),
        ('"not an object"', {"resourceAttributes": {"a": "1"}, "scope": {"name": "s"}}),
    ],
)
def test_merged_metadata_is_one_object_with_the_origin_last(
    metadata: str | None, expected: dict[str, Any]
) -> None:
    text = merged(metadata, '{"resourceAttributes":{"a":"1"},"scope":{"name":"s"}}')
    assert json.loads(text) == expected
    assert text.count('"scope"') == 1
