"""Reading datasets, their items, runs and run items (the public API's questions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Connection

from powerrag.domain.datasets import Dataset, DatasetItem, DatasetRun, DatasetRunItem
from powerrag.domain.errors import NotFoundError
from powerrag.domain.filters import PageRequest
from powerrag.store import datasets as rows
from powerrag.store.database import Store

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Paged(Generic[T]):
    items: list[T]
    total: int
    page: PageRequest


@dataclass(frozen=True, slots=True)
class RunWithItems:
    run: DatasetRun
    items: list[DatasetRunItem]


def _dataset(conn: Connection, project_id: str, name: str) -> Dataset:
    found = rows.get_dataset(conn, project_id, name=name)
    if found is None:
        raise NotFoundError(f"dataset {name!r} not found")
    return found


def datasets(store: Store, project_id: str, page: PageRequest) -> Paged[Dataset]:
    with store.connect() as conn:
        found = rows.list_datasets(conn, project_id, page.limit, page.offset)
        return Paged(found, rows.count_datasets(conn, project_id), page)


def dataset(store: Store, project_id: str, name: str) -> Dataset:
    with store.connect() as conn:
        return _dataset(conn, project_id, name)


def items(
    store: Store,
    project_id: str,
    dataset_name: str | None,
    sources: tuple[str | None, str | None],
    page: PageRequest,
) -> Paged[DatasetItem]:
    """Active items, newest first, of the dataset and from the source trace and observation."""
    with store.connect() as conn:
        dataset_id = _dataset(conn, project_id, dataset_name).id if dataset_name else None
        filters = (dataset_id, *sources, "ACTIVE")
        found = rows.list_items(conn, project_id, filters, page.limit, page.offset)
        return Paged(found, rows.count_items(conn, project_id, filters), page)


def item(store: Store, project_id: str, item_id: str) -> DatasetItem:
    with store.connect() as conn:
        found = rows.get_item(conn, project_id, item_id)
    if found is None:
        raise NotFoundError(f"dataset item {item_id!r} not found")
    return found


def runs(store: Store, project_id: str, dataset_name: str, page: PageRequest) -> Paged[DatasetRun]:
    with store.connect() as conn:
        found = _dataset(conn, project_id, dataset_name)
        listed = rows.list_runs(conn, project_id, found.id, page.limit, page.offset)
        return Paged(listed, rows.count_runs(conn, project_id, found.id), page)


def _run(conn: Connection, project_id: str, dataset_id: str, name: str) -> DatasetRun:
    found = rows.get_run(conn, project_id, dataset_id=dataset_id, name=name)
    if found is None:
        raise NotFoundError(f"dataset run {name!r} not found")
    return found


def run(store: Store, project_id: str, dataset_name: str, run_name: str) -> RunWithItems:
    with store.connect() as conn:
        found = _run(conn, project_id, _dataset(conn, project_id, dataset_name).id, run_name)
        return RunWithItems(found, rows.list_run_items(conn, project_id, [found.id], None))


def run_items(
    store: Store, project_id: str, dataset_id: str, run_name: str, page: PageRequest
) -> Paged[DatasetRunItem]:
    """The run items of the dataset's (by id, as Langfuse asks) run of that name."""
    with store.connect() as conn:
        if rows.get_dataset(conn, project_id, dataset_id=dataset_id) is None:
            raise NotFoundError(f"dataset {dataset_id!r} not found")
        found = _run(conn, project_id, dataset_id, run_name)
        listed = rows.list_run_items(conn, project_id, [found.id], page.limit, page.offset)
        return Paged(listed, rows.count_run_items(conn, project_id, found.id), page)
