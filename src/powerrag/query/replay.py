"""The Session Replay: a session's traces as conversation turns, loaded a page at a time.

A turn's conversation is the trace's explicit input/output, else its root
observation's, else its first generation's input and last generation's output.
A trace whose spans arrived but whose root span did not is still running
(OpenTelemetry exports a span when it ends).
"""

from __future__ import annotations

from typing import Any

from powerrag.query.ui_format import score_summary, score_view
from powerrag.query.ui_messages import render_value, split_history
from powerrag.query.ui_sessions import comment_views, session_on, session_row
from powerrag.query.ui_traces import build_tree, trace_row
from powerrag.store import ui_sessions, ui_traces
from powerrag.store.database import Store

TURNS_PAGE = 20


def session_header(store: Store, project_id: str, session_id: str) -> dict[str, Any]:
    """The session's figures, its own scores and comments, and the playback clock."""
    with store.connect() as conn:
        row = session_on(conn, project_id, session_id)
        scores = ui_sessions.session_scores(conn, project_id, [session_id])
        timeline = ui_traces.session_timeline(conn, project_id, session_id)
        comments = comment_views(conn, project_id, "SESSION", [session_id])
    session = session_row(row)
    session["scores"] = [score_view(s) for s in scores]
    session["scoreSummary"] = score_summary(scores)
    return {
        "session": session,
        "comments": comments,
        "timeline": [
            {"id": t["id"], "startUs": t["timestamp"], "endUs": t["end_time"] or t["timestamp"]}
            for t in timeline
        ],
    }


def _conversation(
    trace: dict[str, Any], root: dict[str, Any] | None, generations: list[dict[str, Any]]
) -> tuple[str | None, str | None]:
    raw_in, raw_out = trace["input"], trace["output"]
    if root is not None:
        raw_in = raw_in if raw_in is not None else root["input"]
        raw_out = raw_out if raw_out is not None else root["output"]
    if generations:
        raw_in = raw_in if raw_in is not None else generations[0]["input"]
        raw_out = raw_out if raw_out is not None else generations[-1]["output"]
    return raw_in, raw_out


def session_turns(
    store: Store,
    project_id: str,
    session_id: str,
    *,
    offset: int = 0,
    limit: int = TURNS_PAGE,
    trace_ids: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Turns of a session in time order: a page of them, or the named traces (live updates)."""
    with store.connect() as conn:
        traces = ui_traces.session_traces(
            conn, project_id, session_id, limit=limit, offset=offset, trace_ids=trace_ids
        )
        ids = [t["id"] for t in traces]
        tree_rows = ui_traces.tree_observations(conn, project_id, ids)
        roots = {
            r["id"]: r
            for r in ui_traces.get_observations(
                conn,
                project_id,
                [t["root_observation_id"] for t in traces if t["root_observation_id"]],
            )
        }
        generations = ui_traces.generations_of(conn, project_id, ids)
        scores = ui_traces.trace_scores(conn, project_id, ids)
        comments = comment_views(conn, project_id, "TRACE", ids)
    by_trace: dict[str, dict[str, list[dict[str, Any]]]] = {
        i: {"tree": [], "gens": [], "scores": [], "comments": []} for i in ids
    }
    for key, items, field in (
        ("tree", tree_rows, "trace_id"),
        ("gens", generations, "trace_id"),
        ("scores", scores, "trace_id"),
        ("comments", comments, "objectId"),
    ):
        for item in items:
            by_trace[item[field]][key].append(item)
    turns = []
    for trace in traces:
        parts = by_trace[trace["id"]]
        turns.append(_turn(trace, roots.get(trace["root_observation_id"]), parts))
    return turns


def _turn(
    trace: dict[str, Any], root: dict[str, Any] | None, parts: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    raw_in, raw_out = _conversation(trace, root, parts["gens"])
    tree = build_tree(parts["tree"])
    turn = trace_row(trace)
    turn.update(
        {
            "startUs": trace["timestamp"],
            "endUs": trace["end_time"] or trace["timestamp"],
            "models": sorted({o["model"] for o in tree if o["model"]}),
            "errors": [
                {"name": o["name"], "message": o["statusMessage"] or ""}
                for o in tree
                if o["level"] == "ERROR"
            ],
            "input": split_history(render_value(raw_in, "user")),
            "output": render_value(raw_out, "assistant"),
            "observations": tree,
            "scores": [score_view(s) for s in parts["scores"]],
            "comments": parts["comments"],
        }
    )
    return turn
