"""The Session Replay: a session's header and its traces as turns, loaded a page at a time.

A turn's conversation is the trace's explicit input/output, else its root
observation's, else its first generation's input and last generation's output.
Between them it shows its steps (retrievals with their documents, tool calls, nested
LLM and agent calls, errors) in time order, and how the user's wait splits into
model, tool and retrieval time (`query/timing.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
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
    StepIO,
    TraceRow,
)
from powerrag.query.documents import Document, retrieved_documents
from powerrag.query.timing import TimeSplit, session_splits, time_split
from powerrag.store import comments
from powerrag.store.database import Store

TURNS_PAGE = 20


@dataclass(frozen=True, slots=True)
class SessionHeader:
    """The session's figures, its own scores and comments, and the playback clock."""

    session: SessionRow
    scores: list[ScoreRow]
    comments: list[CommentRow]
    timeline: tuple[TimeSplit, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One observation of a turn as the replay shows it inline, at its depth under the turn."""

    node: ObservationNode
    depth: int
    input: str | None
    output: str | None
    documents: tuple[Document, ...]


@dataclass(frozen=True, slots=True)
class Turn:
    """One trace of the session with what its turn shows."""

    trace: TraceRow
    input: str | None
    output: str | None
    nodes: list[ObservationNode]
    scores: list[ScoreRow]
    comments: list[CommentRow]
    steps: tuple[Step, ...]
    split: TimeSplit
    # (name, version) of each prompt version its generations used, first use first.
    prompts: tuple[tuple[str, int], ...] = ()


def session_header(store: Store, project_id: str, session_id: str) -> SessionHeader:
    with store.reading() as data:
        row = data.get_session(project_id, session_id)
        if row is None:
            raise NotFoundError("Session not found within authorized project")
        found = data.session_scores(project_id, [session_id])
        splits = session_splits(data, project_id, session_id)
    with store.connect() as conn:
        notes = comments.list_comments(conn, project_id, "SESSION", [session_id])
    return SessionHeader(row, found, notes, splits)


def conversation(
    trace: TraceRow, root: StepIO | ObservationRow | None, generations: Sequence[GenerationIO]
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
        nodes = _by_trace(data.tree_nodes(project_id, ids))
        generation_rows = data.generations_of(project_id, ids)
        generations = _by_trace(generation_rows)
        payloads = {p.id: p for p in data.step_io_of(project_id, ids)}
        trace_scores = _by_trace(data.trace_scores(project_id, ids))
    notes: dict[str, list[CommentRow]] = defaultdict(list)
    with store.connect() as conn:
        for comment in comments.list_comments(conn, project_id, "TRACE", ids):
            notes[comment.object_id].append(comment)
    generation_io = {g.id: g for g in generation_rows}
    turns = []
    for trace in rows:
        root = payloads.get(trace.root_observation_id or "")
        raw_in, raw_out = conversation(trace, root, generations[trace.id])
        tree = nodes[trace.id]
        turns.append(
            Turn(
                trace,
                raw_in,
                raw_out,
                tree,
                trace_scores[trace.id],
                notes[trace.id],
                turn_steps(tree, payloads, generation_io),
                time_split(trace.id, trace.timestamp, trace.end_time, tree),
                prompts_used(generations[trace.id]),
            )
        )
    return turns


def prompts_used(generations: Sequence[GenerationIO]) -> tuple[tuple[str, int], ...]:
    named = (
        (g.prompt_name, g.prompt_version)
        for g in generations
        if g.prompt_name is not None and g.prompt_version is not None
    )
    return tuple(dict.fromkeys(named))


def turn_steps(
    nodes: Sequence[ObservationNode],
    payloads: Mapping[str, StepIO],
    generations: Mapping[str, GenerationIO],
) -> tuple[Step, ...]:
    """A turn's observations depth-first in start order (`nodes` are in start order).

    A single top-level observation that holds the others is the turn itself (the SDKs'
    root span), so its children are the top-level steps. An observation whose parent has
    not arrived yet is shown at the top level.
    """
    ids = {n.id for n in nodes}
    children: dict[str | None, list[ObservationNode]] = defaultdict(list)
    for node in nodes:
        parent = node.parent_observation_id if node.parent_observation_id in ids else None
        children[parent].append(node)
    top = children[None]
    if len(top) == 1 and children[top[0].id]:
        top = children[top[0].id]
    steps: list[Step] = []
    stack = [(n, 0) for n in reversed(top)]
    while stack:
        node, depth = stack.pop()
        steps.append(_step(node, depth, payloads.get(node.id), generations.get(node.id)))
        stack.extend((c, depth + 1) for c in reversed(children[node.id]))
    return tuple(steps)


def _step(
    node: ObservationNode, depth: int, payload: StepIO | None, generation: GenerationIO | None
) -> Step:
    if generation is not None:
        return Step(node, depth, generation.input, generation.output, ())
    if payload is None:
        return Step(node, depth, None, None, ())
    documents = (
        retrieved_documents(payload.output, payload.metadata) if node.type == "RETRIEVER" else ()
    )
    return Step(node, depth, payload.input, payload.output, documents)


class _HasTrace(Protocol):
    @property
    def trace_id(self) -> str | None: ...


R = TypeVar("R", bound=_HasTrace)


def _by_trace(rows: list[R]) -> defaultdict[str, list[R]]:
    grouped: defaultdict[str, list[R]] = defaultdict(list)
    for row in rows:
        grouped[row.trace_id or ""].append(row)
    return grouped
