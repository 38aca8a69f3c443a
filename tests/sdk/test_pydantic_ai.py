"""Pydantic AI for real: an agent run with one tool call, against a local fake OpenAI endpoint,
exporting OTLP to a real `powerrag serve`. The turn reads back with the user prompt as input,
the final answer as output, and the tool call with its arguments and result
(src/powerrag/ingest/frameworks.py, `pydantic_io`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.fake_openai import MODEL, FakeOpenAI, text, tool_call
from tests.support.sdk import PROGRAMS, Sdk, Server, run_file

pytestmark = [pytest.mark.sdk, pytest.mark.one_engine]

PYDANTIC_AI = Sdk("pydantic-ai", "py")
PROMPT = "Put my money on square eighteen"
ANSWER = "Square 18 won: congratulations!"
INSTRUCTIONS = "Use the roulette_wheel tool to see if the customer has won."


def _get(server: Server, path: str) -> Any:
    answer = httpx.get(server.url + path, auth=server.auth, timeout=10.0)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_agent_turn_reads_back_with_prompt_answer_and_tool_call(
    server_for: Callable[[Sdk], Server],
) -> None:
    server = server_for(PYDANTIC_AI)
    answers = [tool_call("roulette_wheel", {"square": 18}, "call_r1"), text(ANSWER)]
    with FakeOpenAI(answers, usage=[(61, 14), (92, 9)]) as fake:
        out = run_file(
            PYDANTIC_AI,
            PROGRAMS / "py_pydantic_ai.py",
            server.project,
            "agent",
            fake.base_url,
            "conv-roulette",
        )
    assert out.strip() == ANSWER
    assert len(fake.requests) == 2
    # The tool's result went back to the model as a tool message.
    assert fake.requests[1]["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_r1",
        "content": "winner",
    }

    session = _get(server, "/api/public/sessions/conv-roulette")
    assert len(session["traces"]) == 1
    trace = _get(server, f"/api/public/traces/{session['traces'][0]['id']}")
    by_type: dict[str, list[dict[str, Any]]] = {}
    for obs in trace["observations"]:
        by_type.setdefault(obs["type"], []).append(obs)
    assert sorted((t, len(v)) for t, v in by_type.items()) == [
        ("AGENT", 1),
        ("GENERATION", 2),
        ("TOOL", 1),
    ]

    (agent,) = by_type["AGENT"]
    assert agent["name"] == "roulette_agent run"
    assert agent["output"] == ANSWER
    assert agent["input"][0] == {"role": "system", "content": INSTRUCTIONS}
    assert agent["input"][1] == {"role": "user", "parts": [{"type": "text", "content": PROMPT}]}
    assert agent["input"][-1]["parts"] == [{"type": "text", "content": ANSWER}]
    assert (trace["input"], trace["output"]) == (agent["input"], ANSWER)
    assert trace["sessionId"] == "conv-roulette"

    (tool,) = by_type["TOOL"]
    assert (tool["name"], tool["input"], tool["output"]) == (
        "roulette_wheel",
        {"square": 18},
        "winner",
    )
    assert tool["parentObservationId"] == agent["id"]

    first, second = sorted(by_type["GENERATION"], key=lambda o: o["startTime"])
    assert (first["model"], second["model"]) == (MODEL, MODEL)
    assert first["usageDetails"] == {"input": 61, "output": 14, "total": 75}
    assert second["usageDetails"] == {"input": 92, "output": 9, "total": 101}
    assert first["input"] == [
        {"role": "system", "content": INSTRUCTIONS},
        {"role": "user", "parts": [{"type": "text", "content": PROMPT}]},
    ]
    # Pydantic AI passes on the model's argument text as it came (OpenAI sends JSON text).
    assert first["output"][0]["parts"] == [
        {
            "type": "tool_call",
            "id": "call_r1",
            "name": "roulette_wheel",
            "arguments": '{"square": 18}',
        }
    ]
    assert second["output"][0]["parts"] == [{"type": "text", "content": ANSWER}]
    assert json.dumps(agent["input"]).count("tool_call_response") == 1
