"""A project's datasets, dataset items, dataset runs and run items (domain/datasets.py).

Upserts follow Langfuse: a dataset is upserted on its name, an item on its id, a run on
its (dataset, name), a run item on (run, item, trace) so an SDK sending the same link
again changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, select, update

from powerrag.domain.datasets import (
    Dataset,
    DatasetItem,
    DatasetRun,
    DatasetRunItem,
    ExperimentLink,
)
from powerrag.store.infra.dialect import upsert
from powerrag.store.infra.schema import dataset_items, dataset_run_items, dataset_runs, datasets

_D, _I, _R, _RI = datasets.c, dataset_items.c, dataset_runs.c, dataset_run_items.c


def _dataset(row: Any) -> Dataset:
    return Dataset(**row)


def get_dataset(
    conn: Connection, project_id: str, *, name: str | None = None, dataset_id: str | None = None
) -> Dataset | None:
    query = select(datasets).where(_D.project_id == project_id)
    query = query.where(_D.name == name) if name is not None else query.where(_D.id == dataset_id)
    row = conn.execute(query).mappings().first()
    return _dataset(row) if row is not None else None


def save_dataset(conn: Connection, values: dict[str, Any]) -> None:
    """Insert, or on the name update what `values` carries besides id and created_at."""
    upsert(conn, datasets, [values], keys=("project_id", "name"), keep=("id", "created_at"))


def list_datasets(conn: Connection, project_id: str, limit: int, offset: int) -> list[Dataset]:
    """Newest first, as Langfuse lists them."""
    query = (
        select(datasets)
        .where(_D.project_id == project_id)
        .order_by(_D.created_at.desc(), _D.id)
        .limit(limit)
        .offset(offset)
    )
    return [_dataset(r) for r in conn.execute(query).mappings()]


def count_datasets(conn: Connection, project_id: str) -> int:
    query = select(func.count()).select_from(datasets).where(_D.project_id == project_id)
    return int(conn.execute(query).scalar_one())


def _items() -> Select[Any]:
    return select(dataset_items, _D.name.label("dataset_name")).join(
        datasets, _D.id == _I.dataset_id
    )


def get_item(conn: Connection, project_id: str, item_id: str) -> DatasetItem | None:
    query = _items().where(_I.project_id == project_id, _I.id == item_id)
    row = conn.execute(query).mappings().first()
    return DatasetItem(**row) if row is not None else None


def insert_item(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(dataset_items).values(values))


def update_item(conn: Connection, project_id: str, item_id: str, values: dict[str, Any]) -> None:
    conn.execute(
        update(dataset_items).where(_I.project_id == project_id, _I.id == item_id).values(values)
    )


def _item_filter(
    query: Select[Any],
    project_id: str,
    dataset_id: str | None,
    source_trace_id: str | None,
    source_observation_id: str | None,
    status: str | None,
) -> Select[Any]:
    query = query.where(_I.project_id == project_id)
    for column, value in (
        (_I.dataset_id, dataset_id),
        (_I.source_trace_id, source_trace_id),
        (_I.source_observation_id, source_observation_id),
        (_I.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


def list_items(
    conn: Connection,
    project_id: str,
    filters: tuple[str | None, str | None, str | None, str | None],
    limit: int | None,
    offset: int = 0,
) -> list[DatasetItem]:
    """Items matching (dataset id, source trace, source observation, status), newest first."""
    query = _item_filter(_items(), project_id, *filters).order_by(_I.created_at.desc(), _I.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [DatasetItem(**r) for r in conn.execute(query).mappings()]


def count_items(
    conn: Connection,
    project_id: str,
    filters: tuple[str | None, str | None, str | None, str | None],
) -> int:
    query = _item_filter(select(func.count()).select_from(dataset_items), project_id, *filters)
    return int(conn.execute(query).scalar_one())


def delete_item(conn: Connection, project_id: str, item_id: str) -> bool:
    """The item and every run item of it."""
    conn.execute(
        delete(dataset_run_items).where(
            _RI.project_id == project_id, _RI.dataset_item_id == item_id
        )
    )
    result = conn.execute(
        delete(dataset_items).where(_I.project_id == project_id, _I.id == item_id)
    )
    return result.rowcount == 1


def _runs() -> Select[Any]:
    return select(dataset_runs, _D.name.label("dataset_name")).join(
        datasets, _D.id == _R.dataset_id
    )


def get_run(
    conn: Connection,
    project_id: str,
    *,
    run_id: str | None = None,
    dataset_id: str = "",
    name: str = "",
) -> DatasetRun | None:
    query = _runs().where(_R.project_id == project_id)
    if run_id is not None:
        query = query.where(_R.id == run_id)
    else:
        query = query.where(_R.dataset_id == dataset_id, _R.name == name)
    row = conn.execute(query).mappings().first()
    return DatasetRun(**row) if row is not None else None


def save_run(conn: Connection, values: dict[str, Any]) -> None:
    """Create the run, or update the columns `values` carries besides its id and creation."""
    upsert(
        conn,
        dataset_runs,
        [values],
        keys=("project_id", "id"),
        keep=("dataset_id", "name", "created_at"),
    )


def list_runs(
    conn: Connection, project_id: str, dataset_id: str, limit: int | None, offset: int = 0
) -> list[DatasetRun]:
    query = (
        _runs()
        .where(_R.project_id == project_id, _R.dataset_id == dataset_id)
        .order_by(_R.created_at.desc(), _R.id)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [DatasetRun(**r) for r in conn.execute(query).mappings()]


def count_runs(conn: Connection, project_id: str, dataset_id: str) -> int:
    query = (
        select(func.count())
        .select_from(dataset_runs)
        .where(_R.project_id == project_id, _R.dataset_id == dataset_id)
    )
    return int(conn.execute(query).scalar_one())


def delete_run(conn: Connection, project_id: str, run_id: str) -> None:
    """The run and its run items."""
    conn.execute(
        delete(dataset_run_items).where(_RI.project_id == project_id, _RI.run_id == run_id)
    )
    conn.execute(delete(dataset_runs).where(_R.project_id == project_id, _R.id == run_id))


def save_run_items(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Link items to traces; the same (run, item, trace) again only updates its observation."""
    upsert(
        conn,
        dataset_run_items,
        rows,
        keys=("project_id", "run_id", "dataset_item_id", "trace_id"),
        keep=("id", "created_at"),
    )


def _run_items() -> Select[Any]:
    return select(dataset_run_items, _R.name.label("run_name")).join(
        dataset_runs, (_R.project_id == _RI.project_id) & (_R.id == _RI.run_id)
    )


def get_run_item(
    conn: Connection, project_id: str, run_id: str, item_id: str, trace_id: str
) -> DatasetRunItem | None:
    query = _run_items().where(
        _RI.project_id == project_id,
        _RI.run_id == run_id,
        _RI.dataset_item_id == item_id,
        _RI.trace_id == trace_id,
    )
    row = conn.execute(query).mappings().first()
    return DatasetRunItem(**row) if row is not None else None


def list_run_items(
    conn: Connection, project_id: str, run_ids: Sequence[str], limit: int | None, offset: int = 0
) -> list[DatasetRunItem]:
    """The runs' items, newest first."""
    query = (
        _run_items()
        .where(_RI.project_id == project_id, _RI.run_id.in_(list(run_ids)))
        .order_by(_RI.created_at.desc(), _RI.id)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [DatasetRunItem(**r) for r in conn.execute(query).mappings()]


def count_run_items(conn: Connection, project_id: str, run_id: str) -> int:
    query = (
        select(func.count())
        .select_from(dataset_run_items)
        .where(_RI.project_id == project_id, _RI.run_id == run_id)
    )
    return int(conn.execute(query).scalar_one())


def run_id_for(conn: Connection, project_id: str, dataset_id: str, name: str, proposed: str) -> str:
    """The id of the dataset's run of that name, or `proposed` for a new run."""
    named = get_run(conn, project_id, dataset_id=dataset_id, name=name)
    return named.id if named is not None else proposed


def ensure_run(
    conn: Connection,
    project_id: str,
    run: tuple[str, str, str],
    changes: dict[str, Any],
    at: int,
) -> None:
    """Create the run (dataset id, run id, name) or update the `changes` columns of it."""
    dataset_id, run_id, name = run
    existing = get_run(conn, project_id, run_id=run_id)
    base = {"project_id": project_id, "id": run_id, "dataset_id": dataset_id, "name": name}
    if existing is None:
        values = base | {"description": None, "metadata": None, "created_at": at} | changes
    else:
        values = base | changes | {"created_at": existing.created_at}
    save_run(conn, values | {"updated_at": at})


def link(
    conn: Connection,
    project_id: str,
    run_id: str,
    item_id: str,
    trace: tuple[str, str | None],
    at: int,
) -> None:
    """The item ran in this trace (and observation) for the run."""
    trace_id, observation_id = trace
    row = {
        "id": str(uuid.uuid4()),
        "project_id": project_id,
        "run_id": run_id,
        "dataset_item_id": item_id,
        "trace_id": trace_id,
        "observation_id": observation_id,
        "created_at": at,
        "updated_at": at,
    }
    save_run_items(conn, [row])


def link_experiments(conn: Connection, project_id: str, links: Sequence[ExperimentLink]) -> None:
    """Python SDK 5's experiment spans: the run and run item each names, when its dataset item
    is this project's (a span naming another project's item links nothing). A run of that
    name made before under another id (the SDK could not learn the project) keeps its id."""
    for found in links:
        item = get_item(conn, project_id, found.dataset_item_id)
        if item is None or item.dataset_id != found.dataset_id:
            continue
        run_id = run_id_for(conn, project_id, item.dataset_id, found.run_name, found.experiment_id)
        changes = {
            k: v
            for k, v in (("description", found.description), ("metadata", found.metadata))
            if v is not None
        }
        ensure_run(
            conn, project_id, (item.dataset_id, run_id, found.run_name), changes, found.timestamp
        )
        link(
            conn,
            project_id,
            run_id,
            item.id,
            (found.trace_id, found.observation_id),
            found.timestamp,
        )
