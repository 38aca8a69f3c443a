"""Langfuse's prompt endpoints answer as Langfuse's server does: 201 on create, names with
`/` URL-encoded, `production` by default, 404 messages naming what was looked for, labels
added by PATCH, 204 on delete, the list's filters and pagination."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from powerrag.store.database import Store
from tests.support.openapi import validate
from tests.support.project import PROJECT_ID
from tests.support.replay import other_project_auth

pytestmark = pytest.mark.one_engine

BASE = "/api/public/v2/prompts"
NAME = "support/triage/answer"
ENCODED = quote(NAME, safe="")
CHAT = [
    {"role": "system", "content": "Triage {{product}} tickets."},
    {"type": "placeholder", "name": "history"},
]


def _create(client: TestClient, **body: object) -> dict[str, object]:
    answer = client.post(BASE, json={"name": NAME, "prompt": "Hi {{name}}", **body})
    assert answer.status_code == 201, answer.text
    validate(answer.json(), "Prompt")
    made: dict[str, object] = answer.json()
    return made


def test_create_then_get_by_default_label_version_and_label(client: TestClient) -> None:
    first = _create(client, labels=["production"], tags=["support"], config={"model": "m"})
    assert {k: first[k] for k in ("name", "version", "type", "labels", "tags", "isActive")} == {
        "name": NAME,
        "version": 1,
        "type": "text",
        "labels": ["latest", "production"],
        "tags": ["support"],
        "isActive": True,
    }
    assert (first["createdBy"], first["commitMessage"], first["resolutionGraph"]) == (
        "API",
        None,
        None,
    )
    _create(client, prompt="Hello {{name}}", commitMessage="warmer")
    default = client.get(f"{BASE}/{ENCODED}")
    assert default.status_code == 200 and default.json()["version"] == 1
    validate(default.json(), "Prompt")
    assert client.get(f"{BASE}/{ENCODED}", params={"version": 2}).json()["prompt"] == (
        "Hello {{name}}"
    )
    latest = client.get(f"{BASE}/{ENCODED}", params={"label": "latest"}).json()
    assert (latest["version"], latest["commitMessage"], latest["tags"]) == (
        2,
        "warmer",
        ["support"],
    )
    assert client.get(f"{BASE}/{ENCODED}", params={"resolve": "false"}).json()["version"] == 1


def test_missing_prompts_are_404_with_langfuse_s_message(client: TestClient) -> None:
    _create(client)
    cases = {
        "": "Prompt not found: 'support/triage/answer' with label 'production'",
        "?label=staging": "Prompt not found: 'support/triage/answer' with label 'staging'",
        "?version=4": "Prompt not found: 'support/triage/answer' with version 4",
    }
    for query, message in cases.items():
        answer = client.get(f"{BASE}/{ENCODED}{query}")
        assert answer.status_code == 404
        assert answer.json() == {"message": message, "error": "LangfuseNotFoundError"}


def test_chat_prompts_keep_messages_and_placeholders(client: TestClient) -> None:
    made = _create(client, type="chat", prompt=CHAT, labels=["production"])
    assert made["prompt"] == CHAT and made["type"] == "chat"
    got = client.get(f"{BASE}/{ENCODED}").json()
    assert got["prompt"] == CHAT
    refused = client.post(BASE, json={"name": NAME, "prompt": "text now"})
    assert refused.status_code == 400
    assert "different prompt type" in refused.json()["message"]


def test_patch_adds_labels_and_takes_them_from_other_versions(client: TestClient) -> None:
    _create(client, labels=["production"])
    _create(client)
    answer = client.patch(f"{BASE}/{ENCODED}/versions/2", json={"newLabels": ["production"]})
    assert answer.status_code == 200, answer.text
    validate(answer.json(), "Prompt")
    assert answer.json()["labels"] == ["latest", "production"]
    assert client.get(f"{BASE}/{ENCODED}", params={"version": 1}).json()["labels"] == []
    refusals = {
        (f"{BASE}/{ENCODED}/versions/2", '{"newLabels": ["latest"]}'): (400, "'latest'"),
        (f"{BASE}/{ENCODED}/versions/2", '{"newLabels": ["Not OK"]}'): (400, "lowercase"),
        (f"{BASE}/{ENCODED}/versions/2", "{}"): (400, "newLabels is required"),
        (f"{BASE}/{ENCODED}/versions/x", '{"newLabels": []}'): (400, "version must be"),
        (f"{BASE}/{ENCODED}/versions/9", '{"newLabels": []}'): (404, "version 9 not found"),
    }
    for (path, body), (status, words) in refusals.items():
        refused = client.patch(path, content=body, headers={"content-type": "application/json"})
        assert refused.status_code == status and words in refused.json()["message"], refused.text


def test_bad_create_bodies_are_400_naming_the_field(client: TestClient) -> None:
    cases = {
        '{"prompt": "x"}': "name is required",
        '{"name": "a|b", "prompt": "x"}': "'|'",
        '{"name": "/a", "prompt": "x"}': "cannot start or end with '/'",
        '{"name": "a", "prompt": ["x"]}': "prompt must be a string",
        '{"name": "a", "type": "chat", "prompt": [{"role": "user"}]}': "prompt[0]",
        '{"name": "a", "type": "audio", "prompt": "x"}': "type must be",
        '{"name": "a", "prompt": "x", "labels": ["latest"]}': "'latest'",
        '{"name": "a", "prompt": "x", "tags": [1]}': "tags must be",
    }
    for body, words in cases.items():
        answer = client.post(BASE, content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 400 and words in answer.json()["message"], (body, answer.text)


def test_delete_by_version_label_or_name(client: TestClient) -> None:
    for labels in (["production"], ["staging"], []):
        _create(client, labels=labels)
    assert client.delete(f"{BASE}/{ENCODED}", params={"version": 3}).status_code == 204
    assert client.get(f"{BASE}/{ENCODED}", params={"label": "latest"}).json()["version"] == 2
    assert client.delete(f"{BASE}/{ENCODED}", params={"label": "production"}).status_code == 204
    both = client.delete(f"{BASE}/{ENCODED}", params={"label": "staging", "version": 2})
    assert both.status_code == 400
    deleted = client.delete(f"{BASE}/{ENCODED}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.delete(f"{BASE}/{ENCODED}").status_code == 404
    assert client.get(f"{BASE}/{ENCODED}", params={"label": "latest"}).status_code == 404


def test_list_filters_and_paginates_by_name(client: TestClient) -> None:
    _create(client, labels=["production"], tags=["support"])
    _create(client)
    for name in ("alpha", "beta/one"):
        assert client.post(BASE, json={"name": name, "prompt": "x"}).status_code == 201
    first = client.get(BASE, params={"limit": 2}).json()
    validate(first, "PromptMetaListResponse")
    assert [(p["name"], p["versions"]) for p in first["data"]] == [
        ("alpha", [1]),
        ("beta/one", [1]),
    ]
    assert first["meta"] == {"page": 1, "limit": 2, "totalItems": 3, "totalPages": 2}
    assert first["pagination"] == first["meta"]
    second = client.get(BASE, params={"limit": 2, "page": 2}).json()["data"]
    assert [(p["name"], p["labels"], p["tags"]) for p in second] == [
        (NAME, ["latest", "production"], ["support"])
    ]
    filtered = {
        "label": ("production", [(NAME, [1])]),
        "tag": ("support", [(NAME, [1, 2])]),
        "name": ("alpha", [("alpha", [1])]),
    }
    for param, (value, expected) in filtered.items():
        data = client.get(BASE, params={param: value}).json()["data"]
        assert [(p["name"], p["versions"]) for p in data] == expected, param
    for query, words in {"limit": "0", "page": "0", "fromUpdatedAt": "yesterday"}.items():
        refused = client.get(BASE, params={query: words})
        assert refused.status_code == 400 and query in refused.json()["message"]


def test_each_list_filter_answers_the_key_s_project_only(client: TestClient, store: Store) -> None:
    """Project B holds the same prompts with other versions: every filter alone answers A's."""
    other = other_project_auth(store)
    _create(client, labels=["production"], tags=["support"])
    for _ in range(3):
        answer = client.post(
            BASE,
            json={"name": NAME, "prompt": "b", "labels": ["production"], "tags": ["support"]},
            headers={"authorization": other},
        )
        assert answer.status_code == 201
    for params in ({}, {"name": NAME}, {"label": "production"}, {"tag": "support"}, {"version": 1}):
        data = client.get(BASE, params=params).json()
        assert [(p["name"], p["versions"]) for p in data["data"]] == [(NAME, [1])], params
        assert data["meta"]["totalItems"] == 1
    theirs = client.get(BASE, headers={"authorization": other}).json()["data"]
    assert theirs[0]["versions"] == [1, 2, 3]


def test_generations_read_back_with_the_prompt_version_they_used(client: TestClient) -> None:
    """The legacy ingestion body's promptName/promptVersion resolve to the version's id as the
    observation is read; a version the project lacks reads with a null promptId."""
    made = _create(client)
    now = "2026-11-23T10:00:00Z"
    batch = [
        {
            "id": f"event-{n}",
            "type": "generation-create",
            "timestamp": now,
            "body": {
                "id": f"gen-{n}",
                "traceId": "trace-prompted",
                "startTime": now,
                "promptName": NAME,
                "promptVersion": version,
            },
        }
        for n, version in ((1, 1), (2, 7))
    ]
    sent = client.post("/api/public/ingestion", json={"batch": batch})
    assert sent.status_code == 207 and not sent.json()["errors"], sent.text
    expected = {"gen-1": (made["id"], 1), "gen-2": (None, 7)}
    for gen_id, (prompt_id, version) in expected.items():
        one = client.get(f"/api/public/observations/{gen_id}").json()
        assert (one["promptId"], one["promptName"], one["promptVersion"]) == (
            prompt_id,
            NAME,
            version,
        )
    v2 = client.get(
        "/api/public/v2/observations", params={"traceId": "trace-prompted", "fields": "prompt"}
    ).json()["data"]
    assert {o["id"]: o["promptId"] for o in v2} == {"gen-1": made["id"], "gen-2": None}


def test_a_comment_on_a_prompt_version_is_kept_and_listed(client: TestClient) -> None:
    made = _create(client)
    comment = {"projectId": PROJECT_ID, "objectType": "PROMPT", "content": "too terse"}
    answer = client.post("/api/public/comments", json={**comment, "objectId": made["id"]})
    assert answer.status_code == 200, answer.text
    listed = client.get("/api/public/comments", params={"objectType": "PROMPT"}).json()["data"]
    assert [(c["objectId"], c["content"]) for c in listed] == [(made["id"], "too terse")]
    missing = client.post("/api/public/comments", json={**comment, "objectId": "no-such-id"})
    assert missing.status_code == 400
    assert (
        missing.json()["message"] == "objectId 'no-such-id': no prompt with this id in the project"
    )
