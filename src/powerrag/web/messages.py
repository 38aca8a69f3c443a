"""Turn stored input/output JSON into chat messages for the Session Replay.

Understands OpenAI, Anthropic, Gemini and LangChain message shapes, tool calls and
tool results, and plain strings. Anything else stays JSON (shown collapsible).
Nothing here escapes: the templates escape every string they show.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.media_refs import (
    MediaReference,
    references_in,
    references_in_text,
    without_references,
)

MAX_TEXT = 20_000  # characters of one message shown inline; "view raw" has the rest
# A message longer than this (characters or lines) starts collapsed, with "show more".
LONG_CHARS, LONG_LINES = 1500, 24
MediaUrl = Callable[[str], str]  # a media id -> the URL the page loads it from
_LANGCHAIN_ROLES = {
    "human": "user",
    "HumanMessage": "user",
    "ai": "assistant",
    "AIMessage": "assistant",
    "AIMessageChunk": "assistant",
    "system": "system",
    "SystemMessage": "system",
    "tool": "tool",
    "ToolMessage": "tool",
    "function": "tool",
}
_TEXT_KEYS = (
    "text",
    "content",
    "message",
    "query",
    "question",
    "input",
    "prompt",
    "answer",
    "output",
    "response",
    "result",
)


@dataclass(slots=True)
class ToolCall:
    name: str
    arguments: str


@dataclass(slots=True)
class Message:
    role: str
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_name: str = ""
    json: str = ""
    truncated: bool = False
    media: list[MediaReference] = field(default_factory=list)

    def take_media(self) -> None:
        """Show the references in the text as media, not as `@@@langfuseMedia…@@@` text."""
        found = references_in_text(self.text)
        if found:
            self.text = without_references(self.text)
        known = {m.media_id for m in self.media}
        self.media.extend(m for m in found if m.media_id not in known)

    def as_dict(self, media_url: MediaUrl) -> JSONObject:
        return {
            "role": self.role,
            "text": self.text,
            "long": len(self.text) > LONG_CHARS or self.text.count("\n") >= LONG_LINES,
            "toolCalls": [{"name": c.name, "arguments": c.arguments} for c in self.tool_calls],
            "toolName": self.tool_name,
            "json": self.json,
            "truncated": self.truncated,
            "media": media_views(self.media, media_url),
        }


def media_views(refs: list[MediaReference], media_url: MediaUrl) -> list[JSONObject]:
    """Each media as the page shows it; `held` is filled in once the store is asked
    (web/content.py)."""
    return [
        {
            "id": m.media_id,
            "contentType": m.content_type,
            "kind": m.kind,
            "url": media_url(m.media_id),
            "held": True,
        }
        for m in refs
    ]


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _clip(text: str) -> tuple[str, bool]:
    return (text[:MAX_TEXT], True) if len(text) > MAX_TEXT else (text, False)


def _text_message(role: str, text: str) -> Message:
    message = Message(role=role, text=text)
    message.take_media()
    message.text, message.truncated = _clip(message.text)
    return message


# Part types of OpenTelemetry's GenAI messages (`gen_ai.input.messages`, Pydantic AI's
# `pydantic_ai.all_messages`): https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-input-messages.json
_TEXT_PARTS = ("text", "reasoning")
_CALL_PARTS = ("tool_use", "tool_call")  # Anthropic's, OpenTelemetry's
_RESULT_PARTS = ("tool_result", "tool_call_response")


def _parts_text(parts: list[Any], message: Message) -> None:
    """Fold content parts (OpenAI, Anthropic, Gemini, OpenTelemetry GenAI) into one message."""
    texts: list[str] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif not isinstance(part, dict):
            continue
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif part.get("type") in _TEXT_PARTS and isinstance(part.get("content"), str):
            texts.append(part["content"])
        elif part.get("type") in _CALL_PARTS or "functionCall" in part:
            call = part.get("functionCall") or part
            args = call.get("input", call.get("args", call.get("arguments", {})))
            message.tool_calls.append(
                ToolCall(
                    str(call.get("name", "")), args if isinstance(args, str) else _pretty(args)
                )
            )
        elif part.get("type") in _RESULT_PARTS or "functionResponse" in part:
            result = part.get("functionResponse") or part
            message.tool_name = message.tool_name or str(result.get("name", ""))
            content = result.get("content", result.get("response", result.get("result")))
            texts.append(content if isinstance(content, str) else _pretty(content))
        elif found := references_in(part):
            message.media.extend(found)
        elif part.get("type") in ("image_url", "image", "input_audio", "file"):
            texts.append(f"[{part.get('type')}]")
    message.text = "\n\n".join(texts)


def _role_of(item: JSONObject) -> str | None:
    if isinstance(item.get("role"), str):
        role = str(item["role"])
        return {"model": "assistant", "human": "user", "ai": "assistant"}.get(role, role)
    kind = item.get("type")
    if isinstance(kind, str) and kind in _LANGCHAIN_ROLES:
        return _LANGCHAIN_ROLES[kind]
    ids = item.get("id")
    if item.get("lc") == 1 and isinstance(ids, list) and ids:
        return _LANGCHAIN_ROLES.get(str(ids[-1]))
    return None


def _message(item: JSONObject) -> Message | None:
    role = _role_of(item)
    if role is None:
        return None
    if item.get("lc") == 1 and isinstance(item.get("kwargs"), dict):
        item = item["kwargs"]
    message = Message(role=role)
    content = item.get("content", item.get("parts"))
    if isinstance(content, str):
        message.text = content
    elif isinstance(content, list):
        _parts_text(content, message)
    elif content is not None:
        message.json = _pretty(content)
    message.take_media()
    message.text, message.truncated = _clip(message.text)
    known = {m.media_id for m in message.media}  # media anywhere else in the message too
    message.media.extend(m for m in references_in(item) if m.media_id not in known)
    for call in item.get("tool_calls") or []:
        if isinstance(call, dict):
            fn: JSONObject = call["function"] if isinstance(call.get("function"), dict) else call
            args = fn.get("arguments", fn.get("args", {}))
            message.tool_calls.append(
                ToolCall(str(fn.get("name", "")), args if isinstance(args, str) else _pretty(args))
            )
    if role == "tool":
        message.tool_name = message.tool_name or str(
            item.get("name") or item.get("tool_call_id") or ""
        )
    return message


def _messages_list(items: list[Any]) -> list[Message] | None:
    messages = []
    for item in items:
        message = _message(item) if isinstance(item, dict) else None
        if message is None:
            return None
        messages.append(message)
    return messages or None


def to_messages(raw: str | None, default_role: str) -> list[Message] | None:
    """Messages for a stored JSON value; None when it has no chat shape (show it as JSON)."""
    if raw is None:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return [_text_message(default_role, raw)]
    return _from_value(value, default_role)


def _from_value(value: Any, default_role: str) -> list[Message] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [_text_message(default_role, value)]
    if isinstance(value, list):
        return _messages_list(value)
    if not isinstance(value, dict):
        return None
    for key in ("messages", "contents"):
        if isinstance(value.get(key), list):
            return _messages_list(value[key])
    choices = value.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        inner = choices[0].get("message") or choices[0].get("delta")
        if isinstance(inner, dict):
            return _from_value({"role": "assistant", **inner}, default_role)
    message = _message(value)
    if message is not None:
        return [message]
    strings = [k for k in _TEXT_KEYS if isinstance(value.get(k), str)]
    if len(value) == 1 and strings:
        return [_text_message(default_role, value[strings[0]])]
    return None


def render_value(
    raw: str | None, default_role: str, media_url: MediaUrl, raw_url: str = ""
) -> JSONObject:
    """The view of one input or output: messages, or pretty JSON (with the media found in
    it), or nothing; `rawUrl` serves it whole (web/routes_content.py)."""
    messages = to_messages(raw, default_role)
    view: JSONObject = {"kind": "empty", "json": "", "truncated": False, "messages": []}
    if messages is None:
        value = json.loads(raw) if raw else None
        clipped, cut = _clip(_pretty(value) if raw else "")
        view = {"kind": "json", "json": clipped, "truncated": cut, "messages": []}
        view["media"] = media_views(references_in(value), media_url)
    elif messages:
        view = {**view, "kind": "messages", "messages": [m.as_dict(media_url) for m in messages]}
    view.setdefault("media", [])
    view["rawUrl"] = raw_url if view["kind"] != "empty" else ""
    return view


def split_history(view: JSONObject) -> JSONObject:
    """Keep a turn's new messages in view; earlier history (resent every call) folds away."""
    messages = view["messages"]
    last_assistant = max(
        (i for i, m in enumerate(messages) if m["role"] == "assistant" and not m["toolCalls"]),
        default=-1,
    )
    if last_assistant < 0:
        head = [m for m in messages if m["role"] == "system"]
        rest = [m for m in messages if m["role"] != "system"]
        return {**view, "messages": rest or messages, "history": head if rest else []}
    return {
        **view,
        "messages": messages[last_assistant + 1 :],
        "history": messages[: last_assistant + 1],
    }
