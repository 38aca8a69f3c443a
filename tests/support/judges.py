"""LLM-as-judge tests: a connection to the local fake OpenAI server, an evaluator, a rule."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.lifecycle import event

KEY = "sk-test-judge-key-1234"
PROMPT = (
    "Judge this conversation:\n{{conversation}}\nFirst request: {{first}}\nLast answer: {{last}}"
)
BOOLEAN_OUTPUT = {
    "dataType": "BOOLEAN",
    "reasoning": {"description": "why, in one sentence"},
    "score": {"description": "true when every request was answered"},
}
SESSION_MAPPING = [
    {"variable": "conversation", "source": "transcript"},
    {"variable": "first", "source": "input"},
    {"variable": "last", "source": "output"},
]
GOOD_ANSWER = '{"reasoning": "Both requests were answered.", "score": true}'


def set_up_judge(api: httpx.Client, base_url: str, **rule: Any) -> dict[str, Any]:
    """Connection `local`, evaluator `helpful`, rule `helpful-sessions` (session target)."""
    connection = {
        "provider": "local",
        "adapter": "openai",
        "secretKey": KEY,
        "baseURL": base_url,
        "customModels": ["gpt-4o-mini"],
    }
    answer = api.put("/api/public/llm-connections", json=connection)
    assert answer.status_code == 200, answer.text
    evaluator = {
        "name": "helpful",
        "prompt": PROMPT,
        "outputDefinition": BOOLEAN_OUTPUT,
        "modelConfig": {"provider": "local", "model": "gpt-4o-mini"},
    }
    answer = api.post("/api/public/unstable/evaluators", json=evaluator)
    assert answer.status_code == 200, answer.text
    body = {
        "name": "helpful-sessions",
        "evaluator": {"name": "helpful", "type": "llm_as_judge"},
        "target": "session",
        "enabled": True,
        "mapping": SESSION_MAPPING,
        **rule,
    }
    answer = api.post("/api/public/unstable/evaluation-rules", json=body)
    assert answer.status_code == 200, answer.text
    made: dict[str, Any] = answer.json()
    return made


def chat_session(session_id: str) -> list[dict[str, Any]]:
    """Two turns of a chat whose second input resends the whole history, as chat APIs do."""
    system = {"role": "system", "content": "Be brief."}
    first = {"role": "user", "content": "Hi"}
    reply = {"role": "assistant", "content": "Hello!"}
    second = {"role": "user", "content": "Weather?"}
    return [
        event(
            "trace-create",
            {
                "id": f"{session_id}-1",
                "sessionId": session_id,
                "timestamp": "2025-11-23T10:00:00.000Z",
                "input": [system, first],
                "output": reply,
            },
        ),
        event(
            "trace-create",
            {
                "id": f"{session_id}-2",
                "sessionId": session_id,
                "timestamp": "2025-11-23T10:01:00.000Z",
                "input": [system, first, reply, second],
                "output": "Sunny.",
            },
        ),
    ]


# What the judge must receive for `chat_session`: each message once, in order.
EXPECTED_PROMPT = (
    "Judge this conversation:\n"
    "system: Be brief.\nuser: Hi\nassistant: Hello!\nuser: Weather?\nassistant: Sunny.\n"
    "First request: Hi\nLast answer: Sunny."
)


def ingest(api: httpx.Client, events: list[dict[str, Any]]) -> None:
    response = api.post("/api/public/ingestion", json={"batch": events})
    assert response.status_code == 207 and response.json()["errors"] == [], response.text


def eval_scores(api: httpx.Client, session_id: str) -> list[tuple[str, Any, str]]:
    response = api.get("/api/public/v2/scores", params={"sessionId": session_id, "source": "EVAL"})
    assert response.status_code == 200, response.text
    return [(s["name"], s["value"], s["comment"]) for s in response.json()["data"]]


def runs(api: httpx.Client, rule_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/public/unstable/evaluation-rules/{rule_id}/runs")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]
    return found
