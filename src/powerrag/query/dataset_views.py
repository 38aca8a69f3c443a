"""What the datasets pages read: the list, one dataset's items and runs, and a comparison of
runs item by item (each run item's trace: its output, latency, cost and scores)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from powerrag.domain.datasets import Dataset, DatasetItem, DatasetRun, DatasetRunItem
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.filters import PageRequest, ScoreFilter
from powerrag.domain.rows import ScoreRow, TraceRow
from powerrag.store import datasets as rows
from powerrag.store.database import Store

# A page shows at most this many datasets, items and runs; a comparison at most this many runs.
LIST_LIMIT = 200
MAX_COMPARED = 5


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    dataset: Dataset
    active_items: int
    runs: int


@dataclass(frozen=True, slots=True)
class RunSummary:
    run: DatasetRun
    item_count: int
    # The run's own scores (a run evaluator's), by name.
    scores: dict[str, float | str | None]


@dataclass(frozen=True, slots=True)
class DatasetDetail:
    dataset: Dataset
    items: list[DatasetItem]
    runs: list[RunSummary]


@dataclass(frozen=True, slots=True)
class RunCell:
    """One run's execution of one item: its trace, when the run has it."""

    link: DatasetRunItem
    trace: TraceRow | None
    scores: list[ScoreRow]


@dataclass(frozen=True, slots=True)
class ComparedItem:
    item: DatasetItem
    cells: list[RunCell | None]


@dataclass(frozen=True, slots=True)
class Comparison:
    dataset: Dataset
    runs: list[RunSummary]
    items: list[ComparedItem]


def overview(store: Store, project_id: str) -> list[DatasetSummary]:
    with store.connect() as conn:
        found = rows.list_datasets(conn, project_id, LIST_LIMIT, 0)
        return [
            DatasetSummary(
                d,
                rows.count_items(conn, project_id, (d.id, None, None, "ACTIVE")),
                rows.count_runs(conn, project_id, d.id),
            )
            for d in found
        ]


def names(store: Store, project_id: str) -> list[str]:
    """The project's dataset names, for the replay's "add to dataset" choice."""
    with store.connect() as conn:
        return [d.name for d in rows.list_datasets(conn, project_id, LIST_LIMIT, 0)]


def _dataset(conn: Connection, project_id: str, dataset_id: str) -> Dataset:
    found = rows.get_dataset(conn, project_id, dataset_id=dataset_id)
    if found is None:
        raise NotFoundError(f"dataset {dataset_id!r} not found")
    return found


def _run_summaries(
    store: Store, conn: Connection, project_id: str, runs: list[DatasetRun]
) -> list[RunSummary]:
    """Each run with its item count and its own scores (trace data: through the readers)."""
    summaries = []
    with store.reading() as data:
        for run in runs:
            f = ScoreFilter(dataset_run_ids=(run.id,))
            own = data.list_scores(project_id, f, PageRequest(1, 100))
            values = {s.name: s.value if s.string_value is None else s.string_value for s in own}
            count = rows.count_run_items(conn, project_id, run.id)
            summaries.append(RunSummary(run, count, values))
    return summaries


def detail(store: Store, project_id: str, dataset_id: str) -> DatasetDetail:
    with store.connect() as conn:
        found = _dataset(conn, project_id, dataset_id)
        items = rows.list_items(conn, project_id, (found.id, None, None, None), LIST_LIMIT)
        runs = rows.list_runs(conn, project_id, found.id, LIST_LIMIT)
        return DatasetDetail(found, items, _run_summaries(store, conn, project_id, runs))


def item(store: Store, project_id: str, item_id: str) -> DatasetItem:
    with store.connect() as conn:
        found = rows.get_item(conn, project_id, item_id)
    if found is None:
        raise NotFoundError(f"dataset item {item_id!r} not found")
    return found


def compare(store: Store, project_id: str, dataset_id: str, run_ids: list[str]) -> Comparison:
    """The chosen runs (at most MAX_COMPARED; none chosen: the newest), oldest first, against
    every item any of them ran."""
    chosen = list(dict.fromkeys(run_ids))
    if len(chosen) > MAX_COMPARED:
        raise InvalidRequestError(
            f"choose at most {MAX_COMPARED} runs to compare, got {len(chosen)}"
        )
    with store.connect() as conn:
        found = _dataset(conn, project_id, dataset_id)
        if not chosen:
            chosen = [r.id for r in rows.list_runs(conn, project_id, found.id, MAX_COMPARED)]
        runs = []
        for run_id in chosen:
            run = rows.get_run(conn, project_id, run_id=run_id)
            if run is None or run.dataset_id != found.id:
                raise NotFoundError(f"dataset run {run_id!r} not found in this dataset")
            runs.append(run)
        runs.sort(key=lambda r: (r.created_at, r.id))
        links = rows.list_run_items(conn, project_id, [r.id for r in runs], None)
        cells = _cells(store, project_id, links)
        items = rows.list_items(conn, project_id, (found.id, None, None, None), LIST_LIMIT)
        compared = [
            ComparedItem(i, [cells.get((r.id, i.id)) for r in runs])
            for i in items
            if any((r.id, i.id) in cells for r in runs)
        ]
        return Comparison(found, _run_summaries(store, conn, project_id, runs), compared)


def _cells(
    store: Store, project_id: str, links: list[DatasetRunItem]
) -> dict[tuple[str, str], RunCell]:
    """(run id, item id) -> the newest run item's cell (links come newest first)."""
    trace_ids = sorted({link.trace_id for link in links})
    by_trace: dict[str, list[ScoreRow]] = {}
    out: dict[tuple[str, str], RunCell] = {}
    with store.reading() as data:
        for score in data.trace_scores(project_id, trace_ids):
            by_trace.setdefault(str(score.trace_id), []).append(score)
        for link in links:
            key = (link.run_id, link.dataset_item_id)
            if key not in out:
                trace = data.get_trace(project_id, link.trace_id)
                out[key] = RunCell(link, trace, by_trace.get(link.trace_id, []))
    return out
