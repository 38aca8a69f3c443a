"""The turns (input, output) of a session, a trace or an observation, read through the
trace-data readers, so they answer on every engine: what an annotation queue shows of an
item and what a session's turn becomes as a dataset item (powerrag/dataset_sources.py).

A trace's turn is its own input and output, else its root observation's (TraceReader);
stored JSON text is parsed, text that is not JSON is kept as it is.
"""

from __future__ import annotations

from typing import Any

import orjson

from powerrag.store.base import TraceData
from powerrag.store.database import Store


def _parsed(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def session_turns(data: TraceData, project_id: str, session_id: str) -> list[tuple[str, Any, Any]]:
    """(trace id, input, output) of each of the session's traces, by (timestamp, id)."""
    return [
        (t.id, _parsed(t.input), _parsed(t.output))
        for t in data.session_traces(project_id, session_id)
    ]


def turns_of(
    store: Store, project_id: str, object_type: str, object_id: str
) -> list[tuple[Any, Any]]:
    """The (input, output) turns of a SESSION, TRACE or OBSERVATION; none when it is gone."""
    with store.reading() as data:
        if object_type == "SESSION":
            return [(given, said) for _, given, said in session_turns(data, project_id, object_id)]
        if object_type == "TRACE":
            trace = data.get_trace(project_id, object_id)
            return [] if trace is None else [(_parsed(trace.input), _parsed(trace.output))]
        found = data.get_observations(project_id, [object_id])
    return [(_parsed(o.input), _parsed(o.output)) for o in found]
