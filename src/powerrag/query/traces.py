"""Trace read use-cases: the filtered list, one trace in full, and deletion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.query.filters import Params, fields, trace_filter, trace_order
from powerrag.query.observations import with_prices
from powerrag.query.pagination import Paged, parse_page
from powerrag.query.scores import is_v1_score
from powerrag.store import read_observations, read_scores, read_traces
from powerrag.store.database import Store
from powerrag.store.read_filters import PageRequest

TRACE_FIELDS = ("core", "io", "scores", "observations", "metrics")
MAX_DELETE = 1000


@dataclass(frozen=True, slots=True)
class TraceSelection:
    """A list of traces and the field groups its items should show."""

    paged: Paged
    fields: frozenset[str]


def list_traces(store: Store, project_id: str, params: Params) -> TraceSelection:
    """Traces matching the filters; observation and score ids in one query each."""
    wanted = fields(params, TRACE_FIELDS, TRACE_FIELDS)
    f, order, page = trace_filter(params), trace_order(params), parse_page(params)
    with store.connect() as conn:
        total = read_traces.count_traces(conn, project_id, f)
        rows = read_traces.list_traces(conn, project_id, f, order, page, with_io="io" in wanted)
        ids = [r["id"] for r in rows]
        if "observations" in wanted:
            obs = read_traces.observation_ids_by_trace(conn, project_id, ids)
            for row in rows:
                row["observation_ids"] = obs[row["id"]]
        if "scores" in wanted:
            found = read_traces.score_ids_by_trace(conn, project_id, ids)
            for row in rows:
                row["score_ids"] = found[row["id"]]
    return TraceSelection(Paged(rows, page, total), wanted)


def get_trace(store: Store, project_id: str, trace_id: str, params: Params) -> TraceSelection:
    """One trace with its observations (full) and scores; NotFoundError when absent."""
    wanted = fields(params, TRACE_FIELDS, TRACE_FIELDS)
    with store.connect() as conn:
        row = read_traces.get_trace(conn, project_id, trace_id, with_io="io" in wanted)
        if row is None:
            raise NotFoundError(f"Trace {trace_id} not found within authorized project")
        if "observations" in wanted:
            observations = read_observations.trace_observations(conn, project_id, trace_id)
            row["observations"] = with_prices(store, project_id, observations)
        if "scores" in wanted:
            # Rendered as ScoreV1, which has no CORRECTION variant.
            trace_scores = read_scores.trace_scores(conn, project_id, trace_id)
            row["scores"] = [s for s in trace_scores if is_v1_score(s)]
    return TraceSelection(Paged([row], PageRequest(), 1), wanted)


def delete_traces(store: Store, project_id: str, trace_ids: Sequence[str]) -> int:
    """Delete 1..1000 traces of the project with everything hanging off them."""
    if not trace_ids:
        raise InvalidRequestError("traceIds must list at least one trace id")
    if len(trace_ids) > MAX_DELETE:
        raise InvalidRequestError(
            f"traceIds may list at most {MAX_DELETE} trace ids, got {len(trace_ids)}"
        )
    return store.delete_traces(project_id, list(trace_ids))
