"""Annotation queues through the API and the UI: create, add items, work through, mark done.

A queue names the score configs its reviewers score with; an item is a session, trace or
observation of the project (`comments.object_exists`). Adding an object already in the
queue answers the item it has (the UI's "add to queue" may be pressed twice).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from powerrag.comments import object_exists
from powerrag.domain.errors import ConflictError, InvalidRequestError, NotFoundError
from powerrag.domain.filters import PageRequest
from powerrag.domain.queues import (
    ITEM_STATUSES,
    MAX_QUEUE_NAME,
    QUEUE_OBJECT_TYPES,
    AnnotationQueue,
    QueueItem,
)
from powerrag.query.paging import Paged
from powerrag.store import annotation_queues as rows
from powerrag.store import memberships, score_configs
from powerrag.store.database import Store


def _queue(conn: Connection, project_id: str, queue_id: str) -> AnnotationQueue:
    found = rows.get_queue(conn, project_id, queue_id)
    if found is None:
        raise NotFoundError(f"annotation queue {queue_id!r} not found")
    return found


def create_queue(store: Store, project_id: str, doc: Any, now: int) -> AnnotationQueue:
    if not isinstance(doc, dict):
        raise InvalidRequestError("the body must be a JSON object with name and scoreConfigIds")
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_QUEUE_NAME:
        raise InvalidRequestError(f"name must be a non-empty string of at most {MAX_QUEUE_NAME}")
    description = doc.get("description")
    if description is not None and not isinstance(description, str):
        raise InvalidRequestError("description must be a string")
    ids = doc.get("scoreConfigIds")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidRequestError("scoreConfigIds must be a list of score config ids")
    with store.transaction() as conn:
        known = score_configs.configs_by_id(conn, project_id, ids)
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise InvalidRequestError(
                f"scoreConfigIds: not score configs of this project: {unknown}"
            )
        if rows.queue_named(conn, project_id, name.strip()):
            raise ConflictError(f"an annotation queue named {name.strip()!r} exists")
        queue_id = rows.insert_queue(
            conn, project_id, name.strip(), description or None, tuple(dict.fromkeys(ids)), now
        )
        return _queue(conn, project_id, queue_id)


def list_queues(store: Store, project_id: str, page: PageRequest) -> Paged[AnnotationQueue]:
    with store.connect() as conn:
        items, total = rows.list_queues(conn, project_id, page)
    return Paged(items, page, total)


def get_queue(store: Store, project_id: str, queue_id: str) -> AnnotationQueue:
    with store.connect() as conn:
        return _queue(conn, project_id, queue_id)


def _status(value: Any, *, default: str | None) -> str:
    if value is None and default is not None:
        return default
    if value not in ITEM_STATUSES:
        raise InvalidRequestError(
            f"status must be one of {', '.join(ITEM_STATUSES)}, got {value!r}"
        )
    return str(value)


def add_item(store: Store, project_id: str, queue_id: str, doc: Any, now: int) -> QueueItem:
    """A CreateAnnotationQueueItemRequest: the object must be the project's."""
    if not isinstance(doc, dict):
        raise InvalidRequestError("the body must be a JSON object with objectId and objectType")
    object_type, object_id = doc.get("objectType"), doc.get("objectId")
    if object_type not in QUEUE_OBJECT_TYPES:
        raise InvalidRequestError(
            f"objectType must be one of {', '.join(QUEUE_OBJECT_TYPES)}, got {object_type!r}"
        )
    if not isinstance(object_id, str) or not object_id:
        raise InvalidRequestError("objectId must be a non-empty string")
    status = _status(doc.get("status"), default="PENDING")
    with store.connect() as conn:
        _queue(conn, project_id, queue_id)
    if not object_exists(store, project_id, object_type, object_id):
        raise InvalidRequestError(
            f"objectId {object_id!r}: no {object_type.lower()} with this id in the project"
        )
    with store.transaction() as conn:
        found = rows.find_item(conn, project_id, queue_id, object_type, object_id)
        if found is not None:
            return found
        item_id = rows.insert_item(conn, project_id, queue_id, object_type, object_id, status, now)
        item = rows.get_item(conn, project_id, queue_id, item_id)
    assert item is not None
    return item


def list_items(
    store: Store, project_id: str, queue_id: str, status: str | None, page: PageRequest
) -> Paged[QueueItem]:
    wanted = None if status is None else _status(status, default=None)
    with store.connect() as conn:
        _queue(conn, project_id, queue_id)
        items, total = rows.list_items(conn, project_id, queue_id, wanted, page)
    return Paged(items, page, total)


def _item(conn: Connection, project_id: str, queue_id: str, item_id: str) -> QueueItem:
    found = rows.get_item(conn, project_id, queue_id, item_id)
    if found is None:
        raise NotFoundError(f"item {item_id!r} not found in annotation queue {queue_id!r}")
    return found


def get_item(store: Store, project_id: str, queue_id: str, item_id: str) -> QueueItem:
    with store.connect() as conn:
        return _item(conn, project_id, queue_id, item_id)


def set_item_status(
    store: Store, project_id: str, queue_id: str, item_id: str, status: Any, now: int
) -> QueueItem:
    with store.transaction() as conn:
        item = _item(conn, project_id, queue_id, item_id)
        if status is not None:
            rows.set_status(conn, project_id, queue_id, item_id, _status(status, default=None), now)
        return _item(conn, project_id, queue_id, item.id)


def delete_item(store: Store, project_id: str, queue_id: str, item_id: str) -> None:
    with store.transaction() as conn:
        if not rows.delete_item(conn, project_id, queue_id, item_id):
            raise NotFoundError(f"item {item_id!r} not found in annotation queue {queue_id!r}")


def next_item(store: Store, project_id: str, queue_id: str) -> QueueItem | None:
    """The oldest pending item: the one a reviewer works on next."""
    with store.connect() as conn:
        items, _ = rows.list_items(conn, project_id, queue_id, "PENDING", PageRequest(1, 1))
    return items[0] if items else None


def _member(conn: Connection, project_id: str, doc: Any) -> str:
    user_id = doc.get("userId") if isinstance(doc, dict) else None
    if not isinstance(user_id, str) or not user_id:
        raise InvalidRequestError('the body must be {"userId": "<user id>"}')
    if memberships.role_of(conn, project_id, user_id) is None:
        raise InvalidRequestError(f"userId {user_id!r} is not a member of the project")
    return user_id


def assign(store: Store, project_id: str, queue_id: str, doc: Any, now: int) -> str:
    with store.transaction() as conn:
        _queue(conn, project_id, queue_id)
        user_id = _member(conn, project_id, doc)
        rows.assign(conn, project_id, queue_id, user_id, now)
    return user_id


def unassign(store: Store, project_id: str, queue_id: str, doc: Any) -> None:
    with store.transaction() as conn:
        _queue(conn, project_id, queue_id)
        rows.unassign(conn, project_id, queue_id, _member(conn, project_id, doc))
