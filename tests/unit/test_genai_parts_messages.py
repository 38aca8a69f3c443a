"""OpenTelemetry GenAI messages (`parts`), as Pydantic AI and `gen_ai.input.messages` send them,
read as a conversation in the replay (web/messages.py)."""

from __future__ import annotations

import json

from powerrag.web.messages import ToolCall, to_messages

PYDANTIC_AI_INPUT = [
    {"role": "system", "content": "Use the roulette_wheel tool."},
    {"role": "user", "parts": [{"type": "text", "content": "Put my money on square eighteen"}]},
    {
        "role": "assistant",
        "parts": [
            {"type": "tool_call", "id": "c1", "name": "roulette_wheel", "arguments": {"square": 18}}
        ],
    },
    {
        "role": "user",
        "parts": [
            {"type": "tool_call_response", "id": "c1", "name": "roulette_wheel", "result": "winner"}
        ],
    },
    {"role": "assistant", "parts": [{"type": "text", "content": "Square 18 won!"}]},
]


def test_parts_become_text_tool_calls_and_tool_results() -> None:
    messages = to_messages(json.dumps(PYDANTIC_AI_INPUT), "user")
    assert messages is not None
    assert [(m.role, m.text, m.tool_name) for m in messages] == [
        ("system", "Use the roulette_wheel tool.", ""),
        ("user", "Put my money on square eighteen", ""),
        ("assistant", "", ""),
        ("user", "winner", "roulette_wheel"),
        ("assistant", "Square 18 won!", ""),
    ]
    assert messages[2].tool_calls == [ToolCall("roulette_wheel", '{\n  "square": 18\n}')]


def test_arguments_sent_as_json_text_stay_as_sent() -> None:
    item = {"role": "assistant", "parts": [{"type": "tool_call", "name": "f", "arguments": "{}"}]}
    messages = to_messages(json.dumps([item]), "assistant")
    assert messages is not None and messages[0].tool_calls == [ToolCall("f", "{}")]
