"""Writing datasets, items, runs and run items, as Langfuse's public API and the UI ask.

Bodies arrive as the API's JSON (`CreateDatasetRequest`, `CreateDatasetItemRequest`,
`CreateDatasetRunItemRequest`); a bad field is a 400 naming it. Langfuse's behaviour is
web/src/features/datasets/server/publicDatasetService.ts: datasets upsert on their name,
items on their id (only within their dataset), runs are created on their first run item.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from powerrag.domain import datasets as domain
from powerrag.domain.datasets import Dataset, DatasetItem, DatasetRunItem
from powerrag.domain.errors import ConflictError, InvalidRequestError, NotFoundError
from powerrag.domain.timeutil import parse_iso
from powerrag.store import datasets as rows
from powerrag.store.database import Store

_ITEM_KEYS = frozenset(
    (
        "datasetName",
        "input",
        "expectedOutput",
        "metadata",
        "sourceTraceId",
        "sourceObservationId",
        "id",
        "status",
    )
)
_RUN_ITEM_KEYS = frozenset(
    (
        "runName",
        "runDescription",
        "metadata",
        "datasetItemId",
        "observationId",
        "traceId",
        "datasetVersion",
        "createdAt",
    )
)


def json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequestError("the body must be a JSON object", code="invalid_body")
    return body


def _name(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"{key} is required (a non-empty string)", code="invalid_body")
    if len(value) > domain.MAX_NAME or "\x00" in value:
        raise InvalidRequestError(
            f"{key} must have at most {domain.MAX_NAME} characters and no NUL", code="invalid_body"
        )
    return value


def _optional_text(body: dict[str, Any], key: str, limit: int = 10_000) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise InvalidRequestError(
            f"{key} must be a string of at most {limit} characters", code="invalid_body"
        )
    return value


def _unknown(body: dict[str, Any], allowed: frozenset[str]) -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise InvalidRequestError(f"unknown field(s): {', '.join(extra)}", code="invalid_body")


def create_dataset(store: Store, project_id: str, body: Any, now: int) -> Dataset:
    """Create, or update the description and metadata of the dataset of that name."""
    body = _object(body)
    name = _name(body, "name")
    for key in ("inputSchema", "expectedOutputSchema"):
        if body.get(key) is not None:
            raise InvalidRequestError(
                f"{key} is not supported by PowerRAG (send null or leave it out)",
                code="invalid_body",
            )
    values: dict[str, Any] = {"id": str(uuid.uuid4()), "project_id": project_id, "name": name}
    if "description" in body:
        values["description"] = _optional_text(body, "description")
    if body.get("metadata") is not None:
        values["metadata"] = json_text(body["metadata"])
    values |= {"created_at": now, "updated_at": now}
    with store.transaction() as conn:
        rows.save_dataset(conn, values)
        found = rows.get_dataset(conn, project_id, name=name)
    assert found is not None
    return found


def dataset_named(conn: Connection, project_id: str, name: str) -> Dataset:
    found = rows.get_dataset(conn, project_id, name=name)
    if found is None:
        raise NotFoundError(f"dataset {name!r} not found")
    return found


def _status(body: dict[str, Any]) -> str | None:
    value = body.get("status")
    if value is not None and value not in domain.STATUSES:
        raise InvalidRequestError(
            f"status must be ACTIVE or ARCHIVED, got {value!r}", code="invalid_body"
        )
    return value


def _item_id(body: dict[str, Any]) -> str | None:
    value = body.get("id")
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= domain.MAX_ITEM_ID or "\x00" in value:
        raise InvalidRequestError(
            f"id must be a string of 1 to {domain.MAX_ITEM_ID} characters", code="invalid_body"
        )
    return value


def _item_values(body: dict[str, Any]) -> dict[str, Any]:
    """The columns the body names (a field left out of an update keeps its value)."""
    values: dict[str, Any] = {}
    for key, column in (
        ("input", "input"),
        ("expectedOutput", "expected_output"),
        ("metadata", "metadata"),
    ):
        if key in body:
            values[column] = json_text(body[key])
    for key, column in (
        ("sourceTraceId", "source_trace_id"),
        ("sourceObservationId", "source_observation_id"),
    ):
        if key in body:
            values[column] = _optional_text(body, key, 64)
    return values


def create_item(store: Store, project_id: str, body: Any, now: int) -> DatasetItem:
    """Create an item, or update the one with this id (in its own dataset only)."""
    body = _object(body)
    _unknown(body, _ITEM_KEYS)
    dataset_name = _name(body, "datasetName")
    item_id, status = _item_id(body), _status(body)
    values = _item_values(body)
    try:
        with store.transaction() as conn:
            dataset = dataset_named(conn, project_id, dataset_name)
            found = rows.get_item(conn, project_id, item_id) if item_id else None
            if found is not None and found.dataset_id != dataset.id:
                raise NotFoundError(
                    f"the dataset item with id {item_id!r} already exists in a dataset "
                    f"other than {dataset_name!r}"
                )
            if found is not None:
                changes = values | ({"status": status} if status else {})
                rows.update_item(conn, project_id, found.id, changes | {"updated_at": now})
            else:
                item_id = item_id or str(uuid.uuid4())
                _insert_item(conn, project_id, dataset.id, item_id, values, status, now)
            made = rows.get_item(conn, project_id, str(item_id))
    except IntegrityError:
        raise ConflictError(
            f"dataset item {item_id!r} was written concurrently; retry the request"
        ) from None
    assert made is not None
    return made


def _insert_item(
    conn: Connection,
    project_id: str,
    dataset_id: str,
    item_id: str,
    values: dict[str, Any],
    status: str | None,
    now: int,
) -> None:
    blank = dict.fromkeys(
        ("input", "expected_output", "metadata", "source_trace_id", "source_observation_id")
    )
    rows.insert_item(
        conn,
        blank
        | values
        | {
            "project_id": project_id,
            "id": item_id,
            "dataset_id": dataset_id,
            "status": status or "ACTIVE",
            "created_at": now,
            "updated_at": now,
        },
    )


def edit_item(
    store: Store, project_id: str, item_id: str, changes: dict[str, Any], now: int
) -> None:
    """The UI's edit and archive: `changes` holds column values already checked."""
    with store.transaction() as conn:
        if rows.get_item(conn, project_id, item_id) is None:
            raise NotFoundError(f"dataset item {item_id!r} not found")
        rows.update_item(conn, project_id, item_id, changes | {"updated_at": now})


def delete_item(store: Store, project_id: str, item_id: str) -> None:
    with store.transaction() as conn:
        if not rows.delete_item(conn, project_id, item_id):
            raise NotFoundError(f"dataset item {item_id!r} not found")


def delete_run(store: Store, project_id: str, dataset_name: str, run_name: str) -> None:
    with store.transaction() as conn:
        dataset = dataset_named(conn, project_id, dataset_name)
        run = rows.get_run(conn, project_id, dataset_id=dataset.id, name=run_name)
        if run is None:
            raise NotFoundError(f"dataset run {run_name!r} not found in {dataset_name!r}")
        rows.delete_run(conn, project_id, run.id)


def _created_at(body: dict[str, Any], now: int) -> int:
    value = body.get("createdAt")
    if value is None:
        return now
    try:
        return parse_iso(str(value))
    except ValueError:
        raise InvalidRequestError(
            f"createdAt must be an ISO 8601 time, got {value!r}", code="invalid_body"
        ) from None


def create_run_item(store: Store, project_id: str, body: Any, now: int) -> DatasetRunItem:
    """Link an item's execution (its trace) to the run, creating or updating the run."""
    body = _object(body)
    _unknown(body, _RUN_ITEM_KEYS)
    run_name = _name(body, "runName")
    item_id = _name(body, "datasetItemId")
    trace_id = _optional_text(body, "traceId", 64)
    observation_id = _optional_text(body, "observationId", 64)
    if not trace_id and not observation_id:
        raise InvalidRequestError("observationId or traceId must be provided", code="invalid_body")
    at = _created_at(body, now)
    run_values: dict[str, Any] = {}
    if "runDescription" in body and body["runDescription"] is not None:
        run_values["description"] = _optional_text(body, "runDescription")
    if body.get("metadata") is not None:
        run_values["metadata"] = json_text(body["metadata"])
    trace_id = trace_id or _trace_of(store, project_id, str(observation_id))
    with store.transaction() as conn:
        item = rows.get_item(conn, project_id, item_id)
        if item is None or item.status != "ACTIVE":
            raise NotFoundError(f"dataset item {item_id!r} not found")
        stable = domain.stable_run_id(project_id, item.dataset_id, run_name)
        run_id = rows.run_id_for(conn, project_id, item.dataset_id, run_name, stable)
        rows.ensure_run(conn, project_id, (item.dataset_id, run_id, run_name), run_values, at)
        rows.link(conn, project_id, run_id, item.id, (trace_id, observation_id), at)
        made = rows.get_run_item(conn, project_id, run_id, item.id, trace_id)
    assert made is not None
    return made


def _trace_of(store: Store, project_id: str, observation_id: str) -> str:
    """Older SDKs name only the observation; its trace is the link (as Langfuse does)."""
    with store.reading() as data:
        found = data.get_observations(project_id, [observation_id])
    if not found:
        raise NotFoundError(f"observation {observation_id!r} not found")
    return found[0].trace_id
