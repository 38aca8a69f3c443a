"""Deleting what the API may delete: traces (with everything hanging off them) and scores."""

from __future__ import annotations

from collections.abc import Sequence

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.store.database import Store

MAX_DELETE = 1000


def delete_traces(store: Store, project_id: str, trace_ids: Sequence[str]) -> int:
    """Delete 1..1000 traces of the project; unknown ids are not an error (as in Langfuse)."""
    if not trace_ids:
        raise InvalidRequestError("traceIds must list at least one trace id")
    if len(trace_ids) > MAX_DELETE:
        raise InvalidRequestError(
            f"traceIds may list at most {MAX_DELETE} trace ids, got {len(trace_ids)}"
        )
    return store.delete_traces(project_id, list(trace_ids))


def delete_score(store: Store, project_id: str, score_id: str) -> None:
    if not store.delete_score(project_id, score_id):
        raise NotFoundError(f"Score {score_id} not found within authorized project")
