"""Observation read use-cases: the v1 paged list, one observation, the v2 keyset list."""

from __future__ import annotations

from powerrag.domain.errors import NotFoundError
from powerrag.domain.filters import ObservationCursor, ObservationFilter, PageRequest
from powerrag.query.paging import KeysetPage, Paged
from powerrag.query.prices import PricedObservation, priced
from powerrag.store.database import Store


def list_observations(
    store: Store, project_id: str, f: ObservationFilter, page: PageRequest
) -> Paged[PricedObservation]:
    with store.reading() as data:
        total = data.count_observations(project_id, f)
        rows = data.list_observations(project_id, f, page)
    return Paged(priced(store, project_id, rows), page, total)


def get_observation(store: Store, project_id: str, observation_id: str) -> PricedObservation:
    with store.reading() as data:
        rows = data.get_observations(project_id, [observation_id])
    if not rows:
        raise NotFoundError("Observation not found within authorized project")
    return priced(store, project_id, rows)[0]


def list_observations_after(
    store: Store,
    project_id: str,
    f: ObservationFilter,
    cursor: ObservationCursor | None,
    limit: int,
) -> KeysetPage[PricedObservation, ObservationCursor]:
    """Keyset pages in `start_time DESC, trace_id DESC, id DESC` order."""
    with store.reading() as data:
        rows = data.list_observations_after(project_id, f, cursor, limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = ObservationCursor(last.start_time, last.trace_id, last.id)
    return KeysetPage(priced(store, project_id, rows), next_cursor)
