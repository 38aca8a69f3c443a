"""A session's conversation as one text for a judge: de-duplicated and cut to a budget.

Chat APIs resend the whole history with each turn, so turn N's input repeats turns 1..N-1;
the transcript keeps each message once (a turn's input messages that repeat the transcript
so far are skipped). When it is longer than its budget the middle is elided: a judge needs
the opening request and the ending most.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Characters of transcript a judge receives (about 6,000 tokens).
BUDGET_CHARS = 24_000


@dataclass(frozen=True, slots=True)
class Message:
    role: str
    text: str


def content_text(content: Any) -> str:
    """A message content as text: a string, or the text parts of a content list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            p.get("text") if isinstance(p, dict) else p
            for p in content
            if isinstance(p, str) or (isinstance(p, dict) and isinstance(p.get("text"), str))
        ]
        return "\n".join(str(p) for p in parts)
    if content is None:
        return ""
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("role"), str)


def messages_of(value: Any, default_role: str) -> list[Message]:
    """A trace's input or output as messages: a message list, one message, or plain text."""
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        value = value["messages"]
    if isinstance(value, list) and value and all(_is_message(m) for m in value):
        return [Message(m["role"], content_text(m.get("content"))) for m in value]
    if _is_message(value):
        return [Message(value["role"], content_text(value.get("content")))]
    if isinstance(value, dict) and "content" in value:
        return [Message(default_role, content_text(value["content"]))]
    text = content_text(value)
    return [Message(default_role, text)] if text else []


def conversation(turns: list[tuple[Any, Any]]) -> list[Message]:
    """Each message once, from the (input, output) of each turn in order."""
    out: list[Message] = []
    for turn_input, turn_output in turns:
        incoming = messages_of(turn_input, "user")
        # The longest prefix of this input that repeats the transcript so far.
        same = 0
        while same < len(incoming) and same < len(out) and incoming[same] == out[same]:
            same += 1
        if same == 0 and incoming and incoming[: len(out)] != out:
            # Histories that drop the system message: find where the repeat starts.
            same = _resent(incoming, out)
        for message in incoming[same:] + messages_of(turn_output, "assistant"):
            if message.text and (not out or out[-1] != message):
                out.append(message)
    return out


def _resent(incoming: list[Message], out: list[Message]) -> int:
    """How many leading messages of `incoming` are the tail of `out`'s history."""
    for start in range(1, len(out)):
        tail = out[start:]
        if incoming[: len(tail)] == tail:
            return len(tail)
    return 0


def render(messages: list[Message], budget: int = BUDGET_CHARS) -> str:
    """`role: text` lines; over budget, whole messages from both ends and the middle elided."""
    lines = [f"{m.role}: {m.text}" for m in messages]
    text = "\n".join(lines)
    if len(text) <= budget:
        return text
    half = budget // 2
    head: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > half:
            break
        head.append(line)
        used += len(line) + 1
    tail: list[str] = []
    used = 0
    for line in reversed(lines[len(head) :]):
        if used + len(line) + 1 > half:
            break
        tail.insert(0, line)
        used += len(line) + 1
    if not head and not tail:
        # One message longer than the budget: keep its two ends.
        return f"{text[:half]}\n[… {len(text) - 2 * half} characters elided …]\n{text[-half:]}"
    elided = len(lines) - len(head) - len(tail)
    return "\n".join([*head, f"[… {elided} messages elided …]", *tail])
