"""Trace read use-cases: the filtered list, one trace in full, the trace page."""

from __future__ import annotations

from dataclasses import dataclass

from powerrag.domain.errors import NotFoundError
from powerrag.domain.filters import PageRequest, TraceFilter, TraceOrder
from powerrag.domain.rows import ObservationNode, ObservationRow, ScoreRow, TraceRow
from powerrag.domain.scores import is_v1
from powerrag.query.paging import Paged
from powerrag.query.prices import PricedObservation, priced
from powerrag.store.database import Store

# A trace page shows at most this many observations: a 50,000-span trace made a 32 MB page
# (issue 19 L10); the API pages the rest (`/api/public/observations?traceId=`).
MAX_PAGE_OBSERVATIONS = 5000
# The field groups of the API's trace reads (`fields=`).
TRACE_FIELDS = ("core", "io", "scores", "observations", "metrics")


@dataclass(frozen=True, slots=True)
class TraceItem:
    """A list item: the trace with its observation and score ids when asked for."""

    trace: TraceRow
    observation_ids: list[str] | None = None
    score_ids: list[str] | None = None


@dataclass(frozen=True, slots=True)
class TraceDetail:
    """One trace with its observations (priced) and its ScoreV1-shaped scores."""

    trace: TraceRow
    observations: list[PricedObservation]
    scores: list[ScoreRow]


@dataclass(frozen=True, slots=True)
class TracePage:
    """The trace page: the trace, its observation tree's rows and its scores."""

    trace: TraceRow
    nodes: list[ObservationNode]
    scores: list[ScoreRow]

    @property
    def truncated(self) -> bool:
        """The trace has more observations than the page shows (`MAX_PAGE_OBSERVATIONS`)."""
        return self.trace.observation_count > len(self.nodes)


def list_traces(
    store: Store,
    project_id: str,
    f: TraceFilter,
    order: TraceOrder,
    page: PageRequest,
    fields: frozenset[str] = frozenset(TRACE_FIELDS),
) -> Paged[TraceItem]:
    """Traces matching the filters; observation and score ids in one query each."""
    with store.reading() as data:
        total = data.count_traces(project_id, f)
        rows = data.list_traces(project_id, f, order, page, with_io="io" in fields)
        ids = [r.id for r in rows]
        obs = data.observation_ids_by_trace(project_id, ids) if "observations" in fields else {}
        found = data.score_ids_by_trace(project_id, ids) if "scores" in fields else {}
    items = [TraceItem(r, obs.get(r.id), found.get(r.id)) for r in rows]
    return Paged(items, page, total)


def _require(trace: TraceRow | None, trace_id: str) -> TraceRow:
    if trace is None:
        raise NotFoundError(f"Trace {trace_id} not found within authorized project")
    return trace


def get_trace(
    store: Store, project_id: str, trace_id: str, fields: frozenset[str] = frozenset(TRACE_FIELDS)
) -> TraceDetail:
    """One trace with its observations and scores; NotFoundError when absent."""
    with store.reading() as data:
        trace = _require(data.get_trace(project_id, trace_id, with_io="io" in fields), trace_id)
        rows = data.trace_observations(project_id, trace_id) if "observations" in fields else []
        found = data.trace_scores(project_id, [trace_id]) if "scores" in fields else []
    # Rendered as ScoreV1, which has no CORRECTION variant; the API's order is by time.
    v1 = [s for s in found if s.trace_id == trace_id and is_v1(s.trace_id, s.data_type)]
    return TraceDetail(trace, priced(store, project_id, rows), v1)


def trace_page(store: Store, project_id: str, trace_id: str) -> TracePage:
    with store.reading() as data:
        trace = data.get_trace(project_id, trace_id, with_io=False)
        if trace is None:
            raise NotFoundError(f"trace {trace_id!r} not found")
        nodes = data.tree_nodes(project_id, [trace_id], MAX_PAGE_OBSERVATIONS)
        found = data.trace_scores(project_id, [trace_id])
    return TracePage(trace, nodes, found)


def observation_of_trace(
    store: Store, project_id: str, trace_id: str, observation_id: str
) -> ObservationRow:
    """One observation of a trace, I/O included; NotFoundError when it is not the trace's."""
    with store.reading() as data:
        rows = data.get_observations(project_id, [observation_id])
    if not rows or rows[0].trace_id != trace_id:
        raise NotFoundError(f"observation {observation_id!r} not found in trace {trace_id!r}")
    return rows[0]
