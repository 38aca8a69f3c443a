"""Use cases of the traces list and the trace page: observation tree, timeline, panel."""

from __future__ import annotations

from typing import Any

import orjson

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.query.ui_format import iso, json_list, score_view, seconds
from powerrag.query.ui_messages import render_value
from powerrag.store import ui_traces
from powerrag.store.database import Store
from powerrag.store.ui_traces import TraceFilter

LEVELS = ("DEBUG", "DEFAULT", "WARNING", "ERROR")


def build_tree(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Observations depth-first in start order, each with its depth and Gantt position.

    An observation whose parent is missing (not arrived yet) is shown at the top level.
    """
    if not rows:
        return []
    ids = {r["id"] for r in rows}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        parent = row["parent_observation_id"] if row["parent_observation_id"] in ids else None
        children.setdefault(parent, []).append(row)
    start = min(r["start_time"] for r in rows)
    end = max(r["end_time"] or r["start_time"] for r in rows)
    span = max(end - start, 1)
    flat: list[dict[str, Any]] = []
    stack = [(r, 0) for r in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        finish = row["end_time"] or row["start_time"]
        flat.append(
            {
                "id": row["id"],
                "traceId": row["trace_id"],
                "parentId": row["parent_observation_id"],
                "type": row["type"],
                "name": row["name"] or row["type"].lower(),
                "depth": depth,
                "startTime": iso(row["start_time"]),
                "durationSeconds": seconds(row["start_time"], row["end_time"]),
                "level": row["level"],
                "model": row["model"],
                "totalCost": row["total_cost"],
                "totalTokens": row["total_tokens"],
                "statusMessage": row["status_message"],
                "offsetPct": round((row["start_time"] - start) * 100 / span, 3),
                "widthPct": round(max((finish - row["start_time"]) * 100 / span, 0.4), 3),
            }
        )
        stack.extend((c, depth + 1) for c in reversed(children.get(row["id"], [])))
    return flat


def trace_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "timestamp": iso(row["timestamp"]),
        "latencySeconds": seconds(row["timestamp"], row["end_time"]),
        "userId": row["user_id"],
        "sessionId": row["session_id"],
        "environment": row["environment"],
        "release": row["release"],
        "version": row["version"],
        "tags": json_list(row["tags"]),
        "level": row["level"],
        "errorCount": row["error_count"],
        "observationCount": row["observation_count"],
        "inputTokens": row["input_tokens"],
        "outputTokens": row["output_tokens"],
        "totalTokens": row["total_tokens"],
        "totalCost": row["total_cost"],
        "running": row["root_observation_id"] is None and row["observation_count"] > 0,
        "public": bool(row["public"]),
    }


def list_traces(
    store: Store, project_id: str, f: TraceFilter, *, page: int, page_size: int
) -> dict[str, Any]:
    if f.level and f.level not in LEVELS:
        raise InvalidRequestError(f"level is one of {', '.join(LEVELS)}, got {f.level!r}")
    if page < 1:
        raise InvalidRequestError("page starts at 1")
    with store.connect() as conn:
        rows, total = ui_traces.list_traces(
            conn, project_id, f, limit=page_size, offset=(page - 1) * page_size
        )
    return {
        "traces": [trace_row(r) for r in rows],
        "total": total,
        "page": page,
        "pageSize": page_size,
        "pages": max(1, -(-total // page_size)),
    }


def trace_detail(store: Store, project_id: str, trace_id: str) -> dict[str, Any]:
    with store.connect() as conn:
        row = ui_traces.get_trace(conn, project_id, trace_id)
        if row is None:
            raise NotFoundError(f"trace {trace_id!r} not found")
        tree = build_tree(ui_traces.tree_observations(conn, project_id, [trace_id]))
        scores = ui_traces.trace_scores(conn, project_id, [trace_id])
    trace = trace_row(row)
    trace["metadata"] = _pretty(row["metadata"])
    return {"trace": trace, "observations": tree, "scores": [score_view(s) for s in scores]}


def _pretty(text: str | None) -> str:
    if not text:
        return ""
    return orjson.dumps(orjson.loads(text), option=orjson.OPT_INDENT_2).decode()


def observation_panel(
    store: Store, project_id: str, trace_id: str, observation_id: str
) -> dict[str, Any]:
    """Everything about one observation of a trace (I/O, metadata, model, usage, cost, times)."""
    with store.connect() as conn:
        rows = ui_traces.get_observations(conn, project_id, [observation_id])
    if not rows or rows[0]["trace_id"] != trace_id:
        raise NotFoundError(f"observation {observation_id!r} not found in trace {trace_id!r}")
    o = rows[0]
    return {
        "id": o["id"],
        "traceId": o["trace_id"],
        "parentId": o["parent_observation_id"],
        "type": o["type"],
        "name": o["name"],
        "level": o["level"],
        "statusMessage": o["status_message"],
        "startTime": iso(o["start_time"]),
        "endTime": iso(o["end_time"]),
        "completionStartTime": iso(o["completion_start_time"]),
        "durationSeconds": seconds(o["start_time"], o["end_time"]),
        "timeToFirstTokenSeconds": seconds(o["start_time"], o["completion_start_time"]),
        "model": o["model"],
        "modelParameters": _pretty(o["model_parameters"]),
        "input": render_value(o["input"], "user"),
        "output": render_value(o["output"], "assistant"),
        "metadata": _pretty(o["metadata"]),
        "usage": _pretty(o["usage_details"]),
        "costDetails": _pretty(o["cost_details"]),
        "totalCost": o["total_cost"],
        "version": o["version"],
        "environment": o["environment"],
        "promptName": o["prompt_name"],
        "promptVersion": o["prompt_version"],
    }
