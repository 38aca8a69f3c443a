"""View models of a turn's steps and of its time split, for the Session Replay.

Part of the page's JSON twin (web/views.py `turn_view`, `header_view`): what the
replay shows between a user's message and the answer, and the session timeline.
"""

from __future__ import annotations

import json
from typing import Any

from powerrag.domain.jsondoc import JSONObject
from powerrag.query.documents import Document
from powerrag.query.replay import Step
from powerrag.query.timing import TimeSplit
from powerrag.web.messages import MAX_TEXT, render_value

TITLE_CHARS = 120  # a document without a title is named by this much of its first line


def _seconds(us: int) -> float:
    return round(us / 1_000_000, 3)


def payload_view(raw: str | None, *, bare: bool = False) -> JSONObject | None:
    """A step's input or output as text: a JSON string as itself, anything else indented;
    `bare` also shows an object of one string (a retriever's `{"query": …}`) as that string."""
    if raw is None:
        return None
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    if bare and isinstance(value, dict) and len(value) == 1:
        only = next(iter(value.values()))
        value = only if isinstance(only, str) else value
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    return {"text": text[:MAX_TEXT], "truncated": len(text) > MAX_TEXT}


def document_view(doc: Document) -> JSONObject:
    first_line = next((line.strip() for line in doc.content.splitlines() if line.strip()), "")
    title = doc.title or first_line[:TITLE_CHARS] + ("…" if len(first_line) > TITLE_CHARS else "")
    metadata = (
        json.dumps(json.loads(doc.metadata), indent=2, ensure_ascii=False) if doc.metadata else ""
    )
    return {
        "title": title,
        "id": doc.id,
        "score": None if doc.score is None else round(doc.score, 4),
        "content": doc.content[:MAX_TEXT],
        "truncated": len(doc.content) > MAX_TEXT,
        "metadata": metadata,
    }


def step_view(step: Step, turn_start: int) -> JSONObject:
    node = step.node
    end = node.end_time or node.start_time
    generation = node.type == "GENERATION"
    return {
        "id": node.id,
        "type": node.type,
        "name": node.name or node.type.lower(),
        "depth": step.depth,
        "startUs": node.start_time,
        "endUs": end,
        "offsetSeconds": _seconds(node.start_time - turn_start),
        "durationSeconds": _seconds(end - node.start_time) if node.end_time else None,
        "level": node.level,
        "statusMessage": node.status_message,
        "model": node.model,
        "totalTokens": node.total_tokens,
        "totalCost": node.total_cost,
        "input": None if generation else payload_view(step.input, bare=node.type == "RETRIEVER"),
        "output": None if generation else payload_view(step.output),
        "answer": render_value(step.output, "assistant") if generation else None,
        "documents": [document_view(d) for d in step.documents],
    }


def split_view(split: TimeSplit) -> JSONObject:
    """A turn's place on the session clock and where its time went (seconds)."""
    span = max(split.total, 1)
    return {
        "id": split.trace_id,
        "startUs": split.start,
        "endUs": split.end,
        "waitSeconds": _seconds(split.total),
        "idleBeforeSeconds": None if split.idle_before is None else _seconds(split.idle_before),
        "modelSeconds": _seconds(split.time_in("model")),
        "toolSeconds": _seconds(split.time_in("tool")),
        "retrievalSeconds": _seconds(split.time_in("retrieval")),
        "otherSeconds": _seconds(split.time_in("other")),
        "tools": [{"name": name, "seconds": _seconds(us)} for name, us in split.tools],
        "segments": [
            {
                "kind": s.kind,
                "name": s.name,
                "offsetPct": round((s.start - split.start) * 100 / span, 3),
                "widthPct": round((s.end - s.start) * 100 / span, 3),
            }
            for s in split.segments
        ],
    }
