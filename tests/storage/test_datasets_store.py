"""Datasets on both engines: upserts as Langfuse does them, runs keyed by Langfuse's stable
experiment id, run items that a repeated link does not duplicate, deletes that take their
run items along, and an item id that belongs to one project's dataset only."""

from __future__ import annotations

import pytest

from powerrag import datasets
from powerrag.domain.datasets import ExperimentLink, stable_run_id
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.store import accounts
from powerrag.store import datasets as rows
from powerrag.store.database import Store
from tests.support.project import PROJECT_ID

T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z


def _filters(
    dataset_id: str | None = None, trace: str | None = None
) -> tuple[str | None, str | None, str | None, str | None]:
    return (dataset_id, trace, None, None)


def test_a_dataset_is_upserted_on_its_name(store: Store) -> None:
    first = datasets.create_dataset(store, PROJECT_ID, {"name": "qa", "metadata": {"a": 1}}, T0)
    again = datasets.create_dataset(
        store, PROJECT_ID, {"name": "qa", "description": "golden answers"}, T0 + 5
    )
    assert again.id == first.id
    assert (again.description, again.metadata) == ("golden answers", '{"a":1}')
    assert (again.created_at, again.updated_at) == (T0, T0 + 5)
    with pytest.raises(InvalidRequestError, match="inputSchema is not supported"):
        datasets.create_dataset(store, PROJECT_ID, {"name": "x", "inputSchema": {}}, T0)
    with pytest.raises(InvalidRequestError, match="name is required"):
        datasets.create_dataset(store, PROJECT_ID, {"name": " "}, T0)


def test_an_item_id_sent_again_updates_only_the_fields_it_names(store: Store) -> None:
    datasets.create_dataset(store, PROJECT_ID, {"name": "qa"}, T0)
    body = {"datasetName": "qa", "id": "case-1", "input": {"q": "2+2"}, "expectedOutput": "4"}
    made = datasets.create_item(store, PROJECT_ID, body, T0)
    assert (made.status, made.input, made.expected_output) == ("ACTIVE", '{"q":"2+2"}', '"4"')
    changed = datasets.create_item(
        store, PROJECT_ID, {"datasetName": "qa", "id": "case-1", "status": "ARCHIVED"}, T0 + 1
    )
    assert (changed.status, changed.input, changed.expected_output) == (
        "ARCHIVED",
        '{"q":"2+2"}',
        '"4"',
    )
    assert (changed.created_at, changed.updated_at) == (T0, T0 + 1)
    with store.connect() as conn:
        dataset_id = changed.dataset_id
        assert rows.count_items(conn, PROJECT_ID, (dataset_id, None, None, "ACTIVE")) == 0
        assert rows.count_items(conn, PROJECT_ID, (dataset_id, None, None, None)) == 1


def test_an_item_id_of_another_dataset_is_refused(store: Store) -> None:
    for name in ("qa", "other"):
        datasets.create_dataset(store, PROJECT_ID, {"name": name}, T0)
    datasets.create_item(store, PROJECT_ID, {"datasetName": "qa", "id": "case-1"}, T0)
    with pytest.raises(NotFoundError, match="already exists in a dataset other than 'other'"):
        datasets.create_item(store, PROJECT_ID, {"datasetName": "other", "id": "case-1"}, T0)
    with pytest.raises(NotFoundError, match="dataset 'missing' not found"):
        datasets.create_item(store, PROJECT_ID, {"datasetName": "missing"}, T0)


def test_run_items_make_one_run_under_the_stable_id_and_a_repeat_changes_nothing(
    store: Store,
) -> None:
    qa = datasets.create_dataset(store, PROJECT_ID, {"name": "qa"}, T0)
    for n in (1, 2):
        datasets.create_item(store, PROJECT_ID, {"datasetName": "qa", "id": f"c{n}"}, T0)
    link = {"runName": "nightly", "datasetItemId": "c1", "traceId": "t1", "metadata": {"m": 1}}
    first = datasets.create_run_item(store, PROJECT_ID, link, T0 + 10)
    repeat = datasets.create_run_item(store, PROJECT_ID, link, T0 + 20)
    second = datasets.create_run_item(
        store, PROJECT_ID, {"runName": "nightly", "datasetItemId": "c2", "traceId": "t2"}, T0 + 30
    )
    run_id = stable_run_id(PROJECT_ID, qa.id, "nightly")
    assert first.run_id == second.run_id == run_id
    assert repeat.id == first.id
    with store.connect() as conn:
        run = rows.get_run(conn, PROJECT_ID, dataset_id=qa.id, name="nightly")
        assert run is not None and run.metadata == '{"m":1}' and run.created_at == T0 + 10
        listed = rows.list_run_items(conn, PROJECT_ID, [run_id], None)
    assert [(i.dataset_item_id, i.trace_id) for i in listed] == [("c2", "t2"), ("c1", "t1")]
    datasets.delete_item(store, PROJECT_ID, "c1")
    with store.connect() as conn:
        assert [i.trace_id for i in rows.list_run_items(conn, PROJECT_ID, [run_id], None)] == ["t2"]
    datasets.delete_run(store, PROJECT_ID, "qa", "nightly")
    with store.connect() as conn:
        assert rows.list_run_items(conn, PROJECT_ID, [run_id], None) == []
        assert rows.get_run(conn, PROJECT_ID, run_id=run_id) is None


def test_experiment_spans_link_only_this_project_s_items_and_reuse_a_named_run(
    store: Store,
) -> None:
    qa = datasets.create_dataset(store, PROJECT_ID, {"name": "qa"}, T0)
    datasets.create_item(store, PROJECT_ID, {"datasetName": "qa", "id": "c1"}, T0)
    with store.transaction() as conn:
        accounts.create_project(conn, "Other", "other-project")
    datasets.create_run_item(
        store, PROJECT_ID, {"runName": "nightly", "datasetItemId": "c1", "traceId": "t0"}, T0
    )

    def _link(item: str, trace: str, experiment: str) -> ExperimentLink:
        return ExperimentLink(experiment, "nightly", qa.id, item, trace, "o1", "d", None, T0 + 1)

    with store.transaction() as conn:
        rows.link_experiments(conn, PROJECT_ID, [_link("c1", "t1", "random-id")])
        rows.link_experiments(conn, "other-project", [_link("c1", "t9", "x")])
        rows.link_experiments(conn, PROJECT_ID, [_link("unknown", "t8", "y")])
    with store.connect() as conn:
        run_id = stable_run_id(PROJECT_ID, qa.id, "nightly")
        found = rows.list_run_items(conn, PROJECT_ID, [run_id], None)
        assert sorted(i.trace_id for i in found) == ["t0", "t1"]
        assert rows.get_run(conn, PROJECT_ID, run_id="random-id") is None
        assert rows.list_runs(conn, "other-project", qa.id, None) == []
        run = rows.get_run(conn, PROJECT_ID, run_id=run_id)
        assert run is not None and run.description == "d"
