"""Who may read what (401, project isolation) and the delete endpoints."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from powerrag.store.database import Store
from tests.support.clickhouse import with_clickhouse
from tests.support.replay import other_project_auth, replay_writes

# Also on PostgreSQL + ClickHouse (docs/deployment.md): the same answers.
pytestmark = with_clickhouse

READ_URLS = [
    "/api/public/sessions",
    "/api/public/sessions/session-123",
    "/api/public/traces",
    "/api/public/traces/some-trace",
    "/api/public/observations",
    "/api/public/observations/some-observation",
    "/api/public/v2/observations",
    "/api/public/v2/scores",
    "/api/public/v2/scores/some-score",
    "/api/public/scores",
]


@pytest.mark.parametrize("url", READ_URLS)
@pytest.mark.parametrize(
    "authorization", [None, "Basic cGstbGYtdGVzdDp3cm9uZw==", "Bearer pk-lf-test", "Basic !!"]
)
def test_reads_need_a_valid_key_pair(
    client: TestClient, url: str, authorization: str | None
) -> None:
    headers = {"authorization": authorization} if authorization else {}
    if authorization is None:
        client.headers.pop("authorization")
    response = client.get(url, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "UnauthorizedError"


def test_another_project_sees_none_of_this_projects_data(client: TestClient, store: Store) -> None:
    replay_writes(client, "python-langfuse-4.18.0-rich.jsonl")
    other = {"authorization": other_project_auth(store)}
    trace = client.get("/api/public/traces", params={"name": "rich-trace"}).json()["data"][0]
    score = client.get("/api/public/v2/scores").json()["data"][0]
    not_found = [
        f"/api/public/traces/{trace['id']}",
        f"/api/public/observations/{trace['observations'][0]}",
        "/api/public/sessions/chat-session-123",
        f"/api/public/v2/scores/{score['id']}",
    ]
    for url in not_found:
        response = client.get(url, headers=other)
        assert response.status_code == 404, url
        assert response.json()["error"] == "LangfuseNotFoundError"
    for url in ["/api/public/traces", "/api/public/sessions", "/api/public/observations"]:
        assert client.get(url, headers=other).json()["data"] == [], url
    assert client.get("/api/public/v2/observations", headers=other).json()["data"] == []
    assert client.delete(f"/api/public/scores/{score['id']}", headers=other).status_code == 404
    client.delete(f"/api/public/traces/{trace['id']}", headers=other)
    assert client.get(f"/api/public/traces/{trace['id']}").status_code == 200


def test_not_found_messages(client: TestClient) -> None:
    # message                                                             url
    expected = [
        ("Trace nope not found within authorized project",                 "/api/public/traces/nope"),
        ("Session not found within authorized project",                    "/api/public/sessions/nope"),
        ("Observation not found within authorized project",                "/api/public/observations/nope"),
    ]  # fmt: skip
    for message, url in expected:
        assert client.get(url).json() == {"message": message, "error": "LangfuseNotFoundError"}


def test_delete_one_trace_removes_it_with_its_session_and_scores(client: TestClient) -> None:
    replay_writes(client, "python-langfuse-4.18.0-rich.jsonl")
    trace = client.get("/api/public/traces", params={"name": "rich-trace"}).json()["data"][0]
    response = client.delete(f"/api/public/traces/{trace['id']}")
    assert response.json() == {"message": "Trace deleted successfully"}
    assert client.get(f"/api/public/traces/{trace['id']}").status_code == 404
    assert (
        client.get("/api/public/observations", params={"traceId": trace["id"]}).json()["data"] == []
    )
    assert client.get("/api/public/sessions").json()["data"] == []
    names = {s["name"] for s in client.get("/api/public/v2/scores").json()["data"]}
    assert names == {"session-rating"}  # the session score is not the trace's


def test_delete_many_traces(client: TestClient) -> None:
    replay_writes(client, "js-tracing-4.6.1-seed.jsonl")
    ids = [t["id"] for t in client.get("/api/public/traces").json()["data"]]
    response = client.request("DELETE", "/api/public/traces", json={"traceIds": ids[:2]})
    assert response.json() == {"message": "Traces deleted successfully"}
    assert [t["id"] for t in client.get("/api/public/traces").json()["data"]] == ids[2:]
    session = client.get("/api/public/sessions/session-123").json()
    assert [t["id"] for t in session["traces"]] == ids[2:]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"traceIds": []}, "at least one"),
        ({"traceIds": [str(i) for i in range(1001)]}, "at most 1000"),
        ({"ids": ["a"]}, "traceIds"),
        ({"traceIds": [1, 2]}, "traceIds"),
    ],
)
def test_delete_many_checks_the_body(client: TestClient, body: object, words: str) -> None:
    response = client.request("DELETE", "/api/public/traces", json=body)
    assert response.status_code == 400 and words in response.json()["message"]


def test_delete_score(client: TestClient) -> None:
    replay_writes(client, "python-langfuse-5.0.4-rich.jsonl")
    score = client.get("/api/public/v2/scores", params={"name": "quality"}).json()["data"][0]
    assert client.delete(f"/api/public/scores/{score['id']}").status_code == 204
    assert client.get(f"/api/public/v2/scores/{score['id']}").status_code == 404
    assert client.delete(f"/api/public/scores/{score['id']}").status_code == 404
    trace = client.get(f"/api/public/traces/{score['traceId']}").json()
    assert "quality" not in {s["name"] for s in trace["scores"]}


def test_session_ids_may_contain_slashes(client: TestClient) -> None:
    event = {
        "id": "event-1",
        "type": "trace-create",
        "timestamp": "2026-11-23T10:00:00.000Z",
        "body": {"id": "trace-slash", "name": "t", "sessionId": "team/chat-1"},
    }
    assert client.post("/api/public/ingestion", json={"batch": [event]}).status_code == 207
    session = client.get("/api/public/sessions/team%2Fchat-1").json()
    assert (session["id"], [t["id"] for t in session["traces"]]) == ("team/chat-1", ["trace-slash"])
