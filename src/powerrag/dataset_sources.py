"""Real sessions as test cases: a replay turn, or a whole session up to a chosen turn,
becomes a dataset item whose source trace links back to the turn.

A turn's item is its input, with its output as the expected output. A session's item is
multi-turn: the conversation up to the chosen turn's question (domain/transcript.py, each
message once) as `{"messages": [...]}`, and that turn's answer as the expected output.
The dataset is named in the form: an existing one, or a new one created here.
"""

from __future__ import annotations

from typing import Any

from powerrag import datasets
from powerrag.domain import transcript
from powerrag.domain.datasets import DatasetItem
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.query.turns import session_turns
from powerrag.store import datasets as rows
from powerrag.store.database import Store


def _dataset_name(store: Store, project_id: str, name: str, now: int) -> str:
    """The dataset of that name, created when the project has none."""
    name = name.strip()
    if not name:
        raise InvalidRequestError("choose a dataset or name a new one")
    with store.connect() as conn:
        found = rows.get_dataset(conn, project_id, name=name)
    if found is None:
        found = datasets.create_dataset(store, project_id, {"name": name}, now)
    return found.name


def add_turn(
    store: Store, project_id: str, session_id: str, trace_id: str, dataset: str, now: int
) -> DatasetItem:
    """The turn's input and, as the expected output, its answer."""
    with store.reading() as data:
        turns = session_turns(data, project_id, session_id)
    found = next((t for t in turns if t[0] == trace_id), None)
    if found is None:
        raise NotFoundError(f"trace {trace_id!r} is not in session {session_id!r}")
    name = _dataset_name(store, project_id, dataset, now)
    body = {
        "datasetName": name,
        "input": found[1],
        "expectedOutput": found[2],
        "metadata": {"sessionId": session_id},
        "sourceTraceId": trace_id,
    }
    return datasets.create_item(store, project_id, body, now)


def add_session(
    store: Store, project_id: str, session_id: str, turn: int, dataset: str, now: int
) -> DatasetItem:
    """The conversation up to turn `turn` (1-based) as input, its answer as expected output."""
    with store.reading() as data:
        turns = session_turns(data, project_id, session_id)
    if not turns:
        raise NotFoundError(f"session {session_id!r} not found")
    if not 1 <= turn <= len(turns):
        raise InvalidRequestError(f"turn must be 1 to {len(turns)}, got {turn}")
    name = _dataset_name(store, project_id, dataset, now)
    body = {
        "datasetName": name,
        "input": {"messages": history(turns, turn)},
        "expectedOutput": turns[turn - 1][2],
        "metadata": {"sessionId": session_id, "turn": turn, "turns": len(turns)},
        "sourceTraceId": turns[turn - 1][0],
    }
    return datasets.create_item(store, project_id, body, now)


def history(turns: list[tuple[str, Any, Any]], turn: int) -> list[dict[str, str]]:
    """The messages before turn `turn`'s answer: every earlier question and answer once."""
    before = [(given, said) for _, given, said in turns[: turn - 1]]
    asked = transcript.conversation([*before, (turns[turn - 1][1], None)])
    return [{"role": m.role, "content": m.text} for m in asked]
