"""The Session Replay: a session's header and its traces as turns, loaded a page at a time.

A turn's conversation is the trace's explicit input/output, else its root
observation's, else its first generation's input and last generation's output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from powerrag.domain.errors import NotFoundError
from powerrag.domain.rows import (
    CommentRow,
    GenerationIO,
    ObservationNode,
    ObservationRow,
    ScoreRow,
    SessionRow,
    TraceRow,
    TraceTime,
)
from powerrag.store import comments
from powerrag.store.database import Store

TURNS_PAGE = 20


@dataclass(frozen=True, slots=True)
class SessionHeader:
    """The session's figures, its own scores and comments, and the playback clock."""

    session: SessionRow
    scores: list[ScoreRow]
    comments: list[CommentRow]
    timeline: list[TraceTime]


@dataclass(frozen=True, slots=True)
class Turn:
    """One trace of the session with what its turn shows."""

    trace: TraceRow
    input: str | None
    output: str | None
    nodes: list[ObservationNode]
    scores: list[ScoreRow]
    comments: list[CommentRow]


def session_header(store: Store, project_id: str, session_id: str) -> SessionHeader:
    with store.reading() as data:
        row = data.get_session(project_id, session_id)
        if row is None:
            raise NotFoundError("Session not found within authorized project")
        found = data.session_scores(project_id, [session_id])
        timeline = data.session_timeline(project_id, session_id)
    with store.connect() as conn:
        notes = comments.list_comments(conn, project_id, "SESSION", [session_id])
    return SessionHeader(row, found, notes, timeline)


def conversation(
    trace: TraceRow, root: ObservationRow | None, generations: Sequence[GenerationIO]
) -> tuple[str | None, str | None]:
    """The turn's (input, output): the trace's own, else the root's, else its generations'."""
    raw_in, raw_out = trace.input, trace.output
    if root is not None:
        raw_in = raw_in if raw_in is not None else root.input
        raw_out = raw_out if raw_out is not None else root.output
    if generations:
        raw_in = raw_in if raw_in is not None else generations[0].input
        raw_out = raw_out if raw_out is not None else generations[-1].output
    return raw_in, raw_out


def session_turns(
    store: Store,
    project_id: str,
    session_id: str,
    *,
    offset: int = 0,
    limit: int = TURNS_PAGE,
    trace_ids: Sequence[str] | None = None,
) -> list[Turn]:
    """Turns of a session in time order: a page of them, or the named traces (live updates)."""
    with store.reading() as data:
        rows = data.session_traces(
            project_id, session_id, limit=limit, offset=offset, trace_ids=trace_ids
        )
        ids = [t.id for t in rows]
        root_ids = [t.root_observation_id for t in rows if t.root_observation_id]
        roots = {r.id: r for r in data.get_observations(project_id, root_ids)}
        nodes = _by_trace(data.tree_nodes(project_id, ids))
        generations = _by_trace(data.generations_of(project_id, ids))
        trace_scores = _by_trace(data.trace_scores(project_id, ids))
    notes: dict[str, list[CommentRow]] = defaultdict(list)
    with store.connect() as conn:
        for comment in comments.list_comments(conn, project_id, "TRACE", ids):
            notes[comment.object_id].append(comment)
    turns = []
    for trace in rows:
        root = roots.get(trace.root_observation_id or "")
        raw_in, raw_out = conversation(trace, root, generations[trace.id])
        turns.append(
            Turn(trace, raw_in, raw_out, nodes[trace.id], trace_scores[trace.id], notes[trace.id])
        )
    return turns


class _HasTrace(Protocol):
    @property
    def trace_id(self) -> str | None: ...


R = TypeVar("R", bound=_HasTrace)


def _by_trace(rows: list[R]) -> defaultdict[str, list[R]]:
    grouped: defaultdict[str, list[R]] = defaultdict(list)
    for row in rows:
        grouped[row.trace_id or ""].append(row)
    return grouped
