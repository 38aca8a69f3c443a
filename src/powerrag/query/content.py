"""One input, output or metadata in full: what "view raw" and "download" serve.

The pages clip long values (web/messages.py MAX_TEXT); these reads return the stored JSON
text whole. A turn's input and output are the ones the replay shows (`replay.conversation`).
"""

from __future__ import annotations

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.query.replay import conversation
from powerrag.query.traces import observation_of_trace
from powerrag.store.database import Store

FIELDS = ("input", "output", "metadata")


def check_field(field: str) -> str:
    if field not in FIELDS:
        raise InvalidRequestError(f"Unknown field {field!r}: use input, output or metadata")
    return field


def _present(value: str | None, what: str, field: str) -> str:
    if value is None:
        raise NotFoundError(f"{what} has no {field}")
    return value


def turn_content(store: Store, project_id: str, trace_id: str, field: str) -> str:
    """The trace's metadata, or its turn's input or output (the trace's own, else its root
    observation's, else its generations'), as stored."""
    check_field(field)
    with store.reading() as data:
        trace = data.get_trace(project_id, trace_id, with_io=True)
        if trace is None:
            raise NotFoundError(f"trace {trace_id!r} not found")
        if field == "metadata":
            return _present(trace.metadata, f"trace {trace_id!r}", field)
        root_id = trace.root_observation_id
        roots = data.get_observations(project_id, [root_id]) if root_id else []
        generations = data.generations_of(project_id, [trace_id])
    raw_in, raw_out = conversation(trace, roots[0] if roots else None, generations)
    return _present(raw_in if field == "input" else raw_out, f"trace {trace_id!r}", field)


def observation_content(
    store: Store, project_id: str, trace_id: str, observation_id: str, field: str
) -> str:
    """The observation's input, output or metadata, as stored."""
    check_field(field)
    row = observation_of_trace(store, project_id, trace_id, observation_id)
    value = {"input": row.input, "output": row.output, "metadata": row.metadata}[field]
    return _present(value, f"observation {observation_id!r}", field)
