"""GenAI content log events into OpenAI-style messages: a span's input and output.

The older conventions send one event per message, the role in the event name and the
message in the body (`{"content", "tool_calls", "id"}`), and one `gen_ai.choice` per
choice (`{"index", "finish_reason", "message"}`); the newer one sends the whole exchange
as `gen_ai.client.inference.operation.details`, whose `gen_ai.input.messages` and
`gen_ai.output.messages` hold messages made of typed parts
(https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-events/). Both end as OpenAI
chat messages (`role`, `content`, `tool_calls`, `tool_call_id`), which the trace page and
the Session Replay render as a conversation.
"""

from __future__ import annotations

from typing import Any

import orjson

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.span_content import CHOICE, DETAILS, MESSAGE
from powerrag.ingest.values import parse_json_maybe

ROLE_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
CHOICE_EVENT = "gen_ai.choice"
DETAILS_EVENT = "gen_ai.client.inference.operation.details"
CONTENT_EVENTS = frozenset((*ROLE_EVENTS, CHOICE_EVENT, DETAILS_EVENT))


class ContentRejectedError(InvalidRequestError):
    """A content event that cannot be read; the rest of its request is still stored."""


# What one event gives: its kind, input messages, output messages and choice index;
# None when it carries no content at all (capture switched off).
Content = tuple[str, list[Any], list[Any], int]


def event_content(name: str, body: Any, attributes: dict[str, Any]) -> Content | None:
    if name in ROLE_EVENTS:
        message = _role_message(ROLE_EVENTS[name], body)
        return (MESSAGE, [message], [], 0) if message else None
    if name == CHOICE_EVENT:
        return _choice(body)
    return _details(body, attributes)


def _role_message(role: str, body: Any) -> dict[str, Any] | None:
    if body is None:
        return None
    if isinstance(body, str):
        return {"role": role, "content": body} if body else None
    if not isinstance(body, dict):
        raise ContentRejectedError(f"its body must be a map, not {_kind(body)}")
    message: dict[str, Any] = {"role": role}
    for key, value in body.items():
        if key == "role" or value is None:
            continue
        # The tool message's call id is `id` in the event body, `tool_call_id` in OpenAI's.
        message["tool_call_id" if key == "id" and role == "tool" else key] = value
    return message if _has_content(message) else None


def _has_content(message: dict[str, Any]) -> bool:
    return any(message.get(k) not in (None, "", []) for k in ("content", "tool_calls"))


def _choice(body: Any) -> Content | None:
    if not isinstance(body, dict):
        raise ContentRejectedError(f"its body must be a map, not {_kind(body)}")
    raw = body.get("message")
    if raw is not None and not isinstance(raw, dict):
        raise ContentRejectedError(f"its message must be a map, not {_kind(raw)}")
    message = {"role": "assistant", **{k: v for k, v in (raw or {}).items() if v is not None}}
    index = body.get("index")
    if not _has_content(message):
        return None
    return CHOICE, [], [message], index if isinstance(index, int) else 0


def _details(body: Any, attributes: dict[str, Any]) -> Content | None:
    values = {**attributes, **(body if isinstance(body, dict) else {})}
    inputs = [m for raw in _list(values, "gen_ai.input.messages") for m in _from_parts(raw)]
    outputs = [m for raw in _list(values, "gen_ai.output.messages") for m in _from_parts(raw)]
    system = parse_json_maybe(values.get("gen_ai.system_instructions"))
    if system is not None and not any(m.get("role") == "system" for m in inputs):
        text = _text_of(system) if isinstance(system, list) else system
        inputs.insert(0, {"role": "system", "content": text})
    if not inputs and not outputs:
        return None
    return DETAILS, inputs, outputs, 0


def _list(values: dict[str, Any], key: str) -> list[Any]:
    value = parse_json_maybe(values.get(key))
    if value is None:
        return []
    if not isinstance(value, list):
        raise ContentRejectedError(f"{key} must be an array of messages, not {_kind(value)}")
    return value


def _from_parts(raw: Any) -> list[dict[str, Any]]:
    """One message of typed parts as OpenAI messages: text and tool calls in one, each
    tool call response a `tool` message of its own."""
    if not isinstance(raw, dict):
        raise ContentRejectedError(f"each message must be a map, not {_kind(raw)}")
    parts = raw.get("parts")
    if not isinstance(parts, list):
        return [{k: v for k, v in raw.items() if k != "finish_reason"}]
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    other: list[Any] = []
    answers: list[dict[str, Any]] = []
    for part in parts:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            texts.append(str(part.get("content", "")))
        elif kind == "tool_call":
            calls.append(_tool_call(part))
        elif kind == "tool_call_response":
            answers.append(
                {"role": "tool", "tool_call_id": part.get("id"), "content": part.get("response")}
            )
        else:
            other.append(part)
    if answers and not (texts or calls or other):
        return answers
    message: dict[str, Any] = {"role": raw.get("role") or "assistant"}
    if other:
        message["content"] = [{"type": "text", "text": t} for t in texts] + other
    elif texts:
        message["content"] = "\n".join(texts)
    if calls:
        message["tool_calls"] = calls
    return [message, *answers]


def _tool_call(part: dict[str, Any]) -> dict[str, Any]:
    arguments = part.get("arguments")
    if not isinstance(arguments, str):
        arguments = orjson.dumps(arguments).decode()
    return {
        "id": part.get("id"),
        "type": "function",
        "function": {"name": part.get("name"), "arguments": arguments},
    }


def _text_of(parts: list[Any]) -> str:
    return "\n".join(str(p.get("content", "")) if isinstance(p, dict) else str(p) for p in parts)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "a number" if isinstance(value, int | float) else "empty"
