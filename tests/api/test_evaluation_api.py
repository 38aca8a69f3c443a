"""Langfuse's LLM connection, evaluator and evaluation-rule endpoints answer per its spec:
field names, pagination and error bodies (`unstablePublicApiError` on the unstable ones)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.judges import BOOLEAN_OUTPUT, KEY
from tests.support.openapi import validate

CONNECTION = {
    "provider": "local",
    "adapter": "openai",
    "secretKey": KEY,
    "baseURL": "http://127.0.0.1:9/v1",
    "customModels": ["gpt-4o-mini"],
    "extraHeaders": {"x-team": "search"},
}
EVALUATOR = {
    "type": "llm_as_judge",
    "name": "relevance",
    "prompt": "Is {{output}} relevant to {{input}}?",
    "outputDefinition": {
        "dataType": "NUMERIC",
        "reasoning": {"description": "why"},
        "score": {"description": "0 to 1", "minValue": 0, "maxValue": 1},
    },
    "modelConfig": {"provider": "local", "model": "gpt-4o-mini"},
}
RULE = {
    "name": "relevance-of-generations",
    "evaluator": {"name": "relevance", "type": "llm_as_judge"},
    "target": "observation",
    "enabled": True,
    "sampling": 0.5,
    "filter": [{"type": "string", "column": "name", "operator": "=", "value": "chat"}],
    "mapping": [
        {"variable": "input", "source": "input", "jsonPath": "$.question"},
        {"variable": "output", "source": "output"},
    ],
}


def _error(answer: Any, status: int, code: str, message: str) -> None:
    assert answer.status_code == status, answer.text
    validate(answer.json(), "unstablePublicApiError")
    assert (answer.json()["code"], answer.json()["message"]) == (code, message)


def test_llm_connections_upsert_on_provider_and_never_show_the_key(client: TestClient) -> None:
    made = client.put("/api/public/llm-connections", json=CONNECTION)
    assert made.status_code == 200, made.text
    validate(made.json(), "LlmConnection")
    assert KEY not in made.text and "search" not in made.text
    assert {k: made.json()[k] for k in ("displaySecretKey", "extraHeaderKeys", "customModels")} == {
        "displaySecretKey": "...1234",
        "extraHeaderKeys": ["x-team"],
        "customModels": ["gpt-4o-mini"],
    }
    again = client.put(
        "/api/public/llm-connections", json={**CONNECTION, "secretKey": "sk-other-5678"}
    )
    assert again.json()["id"] == made.json()["id"] and again.json()["displaySecretKey"] == "...5678"
    client.put("/api/public/llm-connections", json={**CONNECTION, "provider": "second"})
    listed = client.get("/api/public/llm-connections", params={"limit": 1, "page": 2}).json()
    validate(listed, "PaginatedLlmConnections")
    assert [c["provider"] for c in listed["data"]] == ["second"]
    assert listed["meta"] == {"page": 2, "limit": 1, "totalItems": 2, "totalPages": 2}
    gone = client.delete(f"/api/public/llm-connections/{made.json()['id']}")
    assert gone.json() == {"message": "LLM connection deleted"}
    validate(gone.json(), "DeleteLlmConnectionResponse")
    missing = client.delete(f"/api/public/llm-connections/{made.json()['id']}")
    assert missing.status_code == 404 and missing.json()["error"] == "LangfuseNotFoundError"
    wrong = client.put("/api/public/llm-connections", json={**CONNECTION, "adapter": "anthropic"})
    assert wrong.status_code == 400
    assert wrong.json()["message"] == (
        "adapter must be 'openai' (any OpenAI-compatible endpoint), got 'anthropic'"
    )


def test_evaluators_version_by_name_and_rules_answer_per_the_spec(client: TestClient) -> None:
    _error(
        client.post("/api/public/unstable/evaluators", json=EVALUATOR),
        422,
        "evaluator_preflight_failed",
        "no LLM connection for provider 'local'",
    )
    client.put("/api/public/llm-connections", json=CONNECTION)
    first = client.post("/api/public/unstable/evaluators", json=EVALUATOR).json()
    validate(first, "unstableEvaluator")
    assert (first["version"], first["variables"]) == (1, ["output", "input"])
    second = client.post(
        "/api/public/unstable/evaluators", json={**EVALUATOR, "prompt": "{{input}} → {{output}}"}
    ).json()
    assert (second["id"], second["version"], second["variables"]) == (
        first["id"],
        2,
        ["input", "output"],
    )
    rule = client.post("/api/public/unstable/evaluation-rules", json=RULE)
    assert rule.status_code == 200, rule.text
    validate(rule.json(), "unstableEvaluationRule")
    assert (rule.json()["status"], rule.json()["sampling"], rule.json()["delay"]) == (
        "active",
        0.5,
        10_000,
    )
    listed = client.get("/api/public/unstable/evaluation-rules").json()
    validate(listed, "unstableEvaluationRules")
    assert listed["meta"] == {"page": 1, "limit": 50, "totalItems": 1, "totalPages": 1}
    evaluators = client.get("/api/public/unstable/evaluators").json()
    validate(evaluators, "unstableEvaluators")
    assert evaluators["data"][0]["evaluationRuleCount"] == 1
    _error(
        client.post("/api/public/unstable/evaluation-rules", json=RULE),
        409,
        "name_conflict",
        "an evaluation rule named 'relevance-of-generations' exists",
    )
    off = client.patch(
        f"/api/public/unstable/evaluation-rules/{rule.json()['id']}", json={"enabled": False}
    )
    assert (off.json()["enabled"], off.json()["status"]) == (False, "inactive")
    gone = client.delete(f"/api/public/unstable/evaluators/{first['id']}")
    validate(gone.json(), "unstableDeleteEvaluatorResponse")
    _error(
        client.get(f"/api/public/unstable/evaluation-rules/{rule.json()['id']}"),
        404,
        "resource_not_found",
        f"evaluation rule {rule.json()['id']!r} not found",
    )


def test_bad_rules_get_a_code_naming_what_is_wrong(client: TestClient) -> None:
    client.put("/api/public/llm-connections", json=CONNECTION)
    client.post("/api/public/unstable/evaluators", json=EVALUATOR)
    post = "/api/public/unstable/evaluation-rules"
    _error(
        client.post(post, json={**RULE, "mapping": RULE["mapping"][:1]}),
        400,
        "missing_variable_mapping",
        "variable 'output' of the prompt is not mapped",
    )
    transcript = [{"variable": "input", "source": "transcript"}, RULE["mapping"][1]]
    _error(
        client.post(post, json={**RULE, "mapping": transcript}),
        400,
        "invalid_variable_mapping",
        "source of 'input' must be one of input, output, metadata for target observation, "
        "got 'transcript'",
    )
    bad_filter = [{"type": "string", "column": "cost", "operator": "=", "value": "1"}]
    _error(
        client.post(post, json={**RULE, "filter": bad_filter}),
        400,
        "invalid_filter_value",
        "filter column must be one of environment, tags, userId, name, got 'cost'",
    )
    _error(
        client.post(post, json={**RULE, "target": "experiment"}),
        400,
        "invalid_body",
        "target must be one of session, trace, observation, got 'experiment'",
    )
    _error(
        client.get("/api/public/unstable/evaluators", params={"limit": 0}),
        400,
        "invalid_query",
        "limit must be 1 to 100, got 0",
    )
    bad_output = {**EVALUATOR, "outputDefinition": {**BOOLEAN_OUTPUT, "dataType": "TEXT"}}
    _error(
        client.post("/api/public/unstable/evaluators", json=bad_output),
        400,
        "invalid_request",
        "outputDefinition.dataType must be one of NUMERIC, BOOLEAN, CATEGORICAL, got 'TEXT'",
    )
    unauthorised = client.get("/api/public/unstable/evaluators", headers={"authorization": ""})
    assert (
        unauthorised.status_code == 401 and unauthorised.json()["code"] == "authentication_failed"
    )
