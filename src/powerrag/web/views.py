"""View models of the UI pages: typed rows and use-case results as JSON-able dicts.

Every page's JSON twin is exactly what its template receives, so these are both.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson

from powerrag import urls
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.media_refs import references_in_text
from powerrag.domain.records import MAX_SESSION_ID, REFUSED_SESSION_KEY
from powerrag.domain.rows import (
    CommentRow,
    ObservationNode,
    ObservationRow,
    ScoreRow,
    ScoreSummary,
    SessionRow,
    TraceRow,
)
from powerrag.domain.scores import shown_value
from powerrag.domain.timeutil import duration_seconds, to_iso
from powerrag.query.replay import SessionHeader, Turn
from powerrag.query.sessions import SessionList
from powerrag.query.traces import TracePage
from powerrag.web.content import media_link
from powerrag.web.messages import media_views, render_value, split_history
from powerrag.web.steps import split_view, step_view


def seconds(start: int | None, end: int | None) -> float | None:
    """A duration rounded to milliseconds, as the pages show it."""
    value = duration_seconds(start, end)
    return None if value is None else round(max(value, 0.0), 3)


def json_list(text: str | None) -> list[Any]:
    if not text:
        return []
    value = orjson.loads(text)
    return value if isinstance(value, list) else []


def pretty_json(text: str | None) -> str:
    if not text:
        return ""
    return orjson.dumps(orjson.loads(text), option=orjson.OPT_INDENT_2).decode()


def score_view(row: ScoreRow) -> JSONObject:
    return {
        "id": row.id,
        "name": row.name,
        "dataType": row.data_type,
        "value": shown_value(row.data_type, row.value, row.string_value),
        "comment": row.comment,
        "source": row.source,
        "authorUserId": row.author_user_id,
        "traceId": row.trace_id,
        "observationId": row.observation_id,
        "timestamp": to_iso(row.timestamp),
    }


def score_summary(rows: list[ScoreRow]) -> list[JSONObject]:
    """One line per score name: the mean of numbers and booleans, the categories seen."""
    by_name: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in rows:
        by_name[row.name].append(row)
    summary = []
    for name, items in sorted(by_name.items()):
        numbers = [
            r.value for r in items if r.data_type in ("NUMERIC", "BOOLEAN") and r.value is not None
        ]
        labels = sorted(
            {str(r.string_value) for r in items if r.data_type == "CATEGORICAL" and r.string_value}
        )
        text = _mean_text(sum(numbers) / len(numbers)) if numbers else ", ".join(labels)
        summary.append({"name": name, "value": text, "count": len(items)})
    return summary


def _mean_text(mean: float) -> str:
    return f"{mean:.2f}".rstrip("0").rstrip(".")


def summary_view(summary: ScoreSummary) -> JSONObject:
    """A sessions-list cell: the mean (of how many) and each category's count, as
    `0.75 · good 3 · bad 1`."""
    parts = [] if summary.average is None else [_mean_text(summary.average)]
    parts += [f"{label} {count}" for label, count in summary.categories]
    return {
        "name": summary.name,
        "average": summary.average,
        "count": summary.numeric_count,
        "categories": [{"value": label, "count": count} for label, count in summary.categories],
        "text": " · ".join(parts),
    }


def comment_view(row: CommentRow) -> JSONObject:
    return {
        "id": row.id,
        "objectId": row.object_id,
        "content": row.content,
        "createdAt": to_iso(row.created_at),
        "author": row.author_name or row.author_email or "",
        "authorUserId": row.author_user_id,
    }


def session_view(row: SessionRow) -> JSONObject:
    return {
        "id": row.id,
        "createdAt": to_iso(row.created_at),
        "lastActivityAt": to_iso(row.last_activity_at),
        "durationSeconds": seconds(row.created_at, row.last_activity_at),
        "traceCount": row.trace_count,
        "userIds": json_list(row.user_ids),
        "environment": row.environment,
        "inputTokens": row.input_tokens,
        "outputTokens": row.output_tokens,
        "totalTokens": row.total_tokens,
        "totalCost": row.total_cost,
        "errorCount": row.error_count,
        "bookmarked": bool(row.bookmarked),
        "public": bool(row.public),
        "status": row.status,
        "endedAt": to_iso(row.ended_at),
        "previousId": row.previous_id,
    }


def sessions_page(found: SessionList) -> JSONObject:
    items = []
    for row in found.paged.items:
        item = session_view(row)
        item["scores"] = [summary_view(s) for s in found.scores.get(row.id, [])]
        items.append(item)
    return {
        "sessions": items,
        "scoreNames": found.score_names,
        "total": found.paged.total,
        "page": found.paged.page.page,
        "pageSize": found.paged.page.limit,
        "pages": found.paged.pages,
    }


def trace_view(row: TraceRow) -> JSONObject:
    return {
        "id": row.id,
        "name": row.name,
        "timestamp": to_iso(row.timestamp),
        "latencySeconds": seconds(row.timestamp, row.end_time),
        "userId": row.user_id,
        "sessionId": row.session_id,
        "environment": row.environment,
        "release": row.release,
        "version": row.version,
        "tags": json_list(row.tags),
        "level": row.level,
        "errorCount": row.error_count,
        "observationCount": row.observation_count,
        "inputTokens": row.input_tokens,
        "outputTokens": row.output_tokens,
        "totalTokens": row.total_tokens,
        "totalCost": row.total_cost,
        "running": row.root_observation_id is None and row.observation_count > 0,
        "public": bool(row.public),
    }


def tree_view(rows: list[ObservationNode]) -> list[JSONObject]:
    """Observations depth-first in start order, each with its depth and Gantt position.

    An observation whose parent is missing (not arrived yet) is shown at the top level.
    """
    if not rows:
        return []
    ids = {r.id for r in rows}
    children: dict[str | None, list[ObservationNode]] = {}
    for row in rows:
        parent = row.parent_observation_id if row.parent_observation_id in ids else None
        children.setdefault(parent, []).append(row)
    start = min(r.start_time for r in rows)
    end = max(r.end_time or r.start_time for r in rows)
    span = max(end - start, 1)
    flat: list[JSONObject] = []
    stack = [(r, 0) for r in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        finish = row.end_time or row.start_time
        flat.append(
            {
                "id": row.id,
                "traceId": row.trace_id,
                "parentId": row.parent_observation_id,
                "type": row.type,
                "name": row.name or row.type.lower(),
                "depth": depth,
                "startTime": to_iso(row.start_time),
                "durationSeconds": seconds(row.start_time, row.end_time),
                "level": row.level,
                "model": row.model,
                "totalCost": row.total_cost,
                "totalTokens": row.total_tokens,
                "statusMessage": row.status_message,
                "offsetPct": round((row.start_time - start) * 100 / span, 3),
                "widthPct": round(max((finish - row.start_time) * 100 / span, 0.4), 3),
            }
        )
        stack.extend((c, depth + 1) for c in reversed(children.get(row.id, [])))
    return flat


def refused_session_id(metadata: str | None) -> str | None:
    """The session id refused for being too long, kept in the trace's metadata (docs/api.md)."""
    found = orjson.loads(metadata) if metadata else None
    value = found.get(REFUSED_SESSION_KEY) if isinstance(found, dict) else None
    return value if isinstance(value, str) else None


def trace_page_view(found: TracePage) -> JSONObject:
    trace = trace_view(found.trace)
    trace["metadata"] = pretty_json(found.trace.metadata)
    trace["refusedSessionId"] = refused_session_id(found.trace.metadata)
    trace["metadataUrl"] = urls.trace_content(found.trace.project_id, found.trace.id, "metadata")
    return {
        "trace": trace,
        "observations": tree_view(found.nodes),
        "observationsTruncated": found.truncated,
        "scores": [score_view(s) for s in found.scores],
        "maxSessionId": MAX_SESSION_ID,
    }


def observation_view(o: ObservationRow) -> JSONObject:
    """Everything about one observation (I/O, metadata, model, usage, cost, times)."""
    media = media_link(o.project_id)

    def whole(field: str) -> str:
        return urls.observation_content(o.project_id, o.trace_id, o.id, field)

    return {
        "id": o.id,
        "traceId": o.trace_id,
        "parentId": o.parent_observation_id,
        "type": o.type,
        "name": o.name,
        "level": o.level,
        "statusMessage": o.status_message,
        "startTime": to_iso(o.start_time),
        "endTime": to_iso(o.end_time),
        "completionStartTime": to_iso(o.completion_start_time),
        "durationSeconds": seconds(o.start_time, o.end_time),
        "timeToFirstTokenSeconds": seconds(o.start_time, o.completion_start_time),
        "model": o.model,
        "modelParameters": pretty_json(o.model_parameters),
        "input": render_value(o.input, "user", media, whole("input")),
        "output": render_value(o.output, "assistant", media, whole("output")),
        "metadata": pretty_json(o.metadata),
        "metadataUrl": whole("metadata") if o.metadata else "",
        "metadataMedia": media_views(references_in_text(o.metadata or ""), media),
        "usage": pretty_json(o.provided_usage_details or o.usage_details),
        "costDetails": pretty_json(o.cost_details),
        "totalCost": o.total_cost,
        "version": o.version,
        "environment": o.environment,
        "promptName": o.prompt_name,
        "promptVersion": o.prompt_version,
    }


def public_score_view(row: ScoreRow) -> JSONObject:
    """A score as a public page shows it: no internal id, no team member's comment or id."""
    view = score_view(row)
    del view["id"], view["comment"], view["authorUserId"]
    return view


def header_view(
    found: SessionHeader, *, public: bool = False, show_users: bool = True
) -> JSONObject:
    """The replay's header: figures, the session's own scores and comments, the clock.

    A public (read-only) page leaves out the team's comments and the scores' internal ids
    and comments (issue 19 L1): they are notes of the team, not part of the conversation.
    It leaves out the end users' ids too unless the project opts in (`show_users`).
    """
    session = session_view(found.session)
    if not show_users:
        session.update(userIds=[], usersHidden=True)
    shown = public_score_view if public else score_view
    session["scores"] = [shown(s) for s in found.scores]
    session["scoreSummary"] = score_summary(found.scores)
    return {
        "session": session,
        "comments": [] if public else [comment_view(c) for c in found.comments],
        "timeline": [split_view(t) for t in found.timeline],
    }


def turn_view(turn: Turn, *, public: bool = False, show_users: bool = True) -> JSONObject:
    """A turn of the replay; a public page's leaves out what `header_view` says.

    Errors of its steps show where they happened; `errors` lists the others (the turn's
    own root observation failing).
    """
    tree = tree_view(turn.nodes)
    shown = public_score_view if public else score_view
    view = trace_view(turn.trace)
    # A public page loads media and whole values through its session's link.
    via = turn.trace.session_id if public else None
    project_id, trace_id = turn.trace.project_id, turn.trace.id
    media = media_link(project_id, via)
    steps = [step_view(s, turn.trace.timestamp, media) for s in turn.steps]
    in_steps = {s["id"] for s in steps}
    view.update(
        {
            "startUs": turn.trace.timestamp,
            "endUs": turn.trace.end_time or turn.trace.timestamp,
            "models": sorted({o["model"] for o in tree if o["model"]}),
            "errors": [
                {"name": o["name"], "message": o["statusMessage"] or ""}
                for o in tree
                if o["level"] == "ERROR" and o["id"] not in in_steps
            ],
            "steps": steps,
            "split": split_view(turn.split),
            "input": split_history(
                render_value(
                    turn.input,
                    "user",
                    media,
                    urls.trace_content(project_id, trace_id, "input", via),
                )
            ),
            "output": render_value(
                turn.output,
                "assistant",
                media,
                urls.trace_content(project_id, trace_id, "output", via),
            ),
            "observations": tree,
            "scores": [shown(s) for s in turn.scores],
            "comments": [] if public else [comment_view(c) for c in turn.comments],
            "prompts": [{"name": name, "version": version} for name, version in turn.prompts],
        }
    )
    if not show_users:
        view["userId"] = None
    return view
