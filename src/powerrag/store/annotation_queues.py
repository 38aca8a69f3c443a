"""Annotation queues, their items and their assignments, per project."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy import func as sql

from powerrag.domain.filters import PageRequest
from powerrag.domain.queues import AnnotationQueue, QueueItem
from powerrag.store.infra.schema import (
    annotation_queue_assignments,
    annotation_queue_items,
    annotation_queues,
)

_q, _i, _a = annotation_queues.c, annotation_queue_items.c, annotation_queue_assignments.c


def _queue(row: Any, counts: dict[str, int] | None = None) -> AnnotationQueue:
    counts = counts or {}
    return AnnotationQueue(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        description=row.description,
        score_config_ids=tuple(orjson.loads(row.score_config_ids)),
        created_at=row.created_at,
        updated_at=row.updated_at,
        pending=counts.get("PENDING", 0),
        completed=counts.get("COMPLETED", 0),
    )


def _item(row: Any) -> QueueItem:
    return QueueItem(**{k: row._mapping[k] for k in QueueItem.__slots__})


def insert_queue(
    conn: Connection,
    project_id: str,
    name: str,
    description: str | None,
    config_ids: tuple[str, ...],
    now: int,
) -> str:
    queue_id = str(uuid.uuid4())
    conn.execute(
        insert(annotation_queues).values(
            id=queue_id,
            project_id=project_id,
            name=name,
            description=description,
            score_config_ids=orjson.dumps(list(config_ids)).decode(),
            created_at=now,
            updated_at=now,
        )
    )
    return queue_id


def queue_named(conn: Connection, project_id: str, name: str) -> bool:
    query = select(_q.id).where(_q.project_id == project_id, _q.name == name)
    return conn.execute(query).first() is not None


def _counts(conn: Connection, project_id: str, queue_ids: list[str]) -> dict[str, dict[str, int]]:
    query = (
        select(_i.queue_id, _i.status, sql.count())
        .where(_i.project_id == project_id, _i.queue_id.in_(queue_ids))
        .group_by(_i.queue_id, _i.status)
    )
    found: dict[str, dict[str, int]] = {}
    for queue_id, status, n in conn.execute(query):
        found.setdefault(queue_id, {})[status] = int(n)
    return found


def get_queue(conn: Connection, project_id: str, queue_id: str) -> AnnotationQueue | None:
    query = select(annotation_queues).where(_q.project_id == project_id, _q.id == queue_id)
    row = conn.execute(query).first()
    if row is None:
        return None
    return _queue(row, _counts(conn, project_id, [queue_id]).get(queue_id))


def list_queues(
    conn: Connection, project_id: str, page: PageRequest
) -> tuple[list[AnnotationQueue], int]:
    """A page of queues, oldest first, with their items counted by status; and the total."""
    where = _q.project_id == project_id
    query = select(annotation_queues).where(where).order_by(_q.created_at, _q.id)
    rows = list(conn.execute(query.limit(page.limit).offset(page.offset)))
    counts = _counts(conn, project_id, [r.id for r in rows]) if rows else {}
    total = conn.execute(select(sql.count()).select_from(annotation_queues).where(where))
    return [_queue(r, counts.get(r.id)) for r in rows], int(total.scalar_one())


def find_item(
    conn: Connection, project_id: str, queue_id: str, object_type: str, object_id: str
) -> QueueItem | None:
    query = select(annotation_queue_items).where(
        _i.project_id == project_id,
        _i.queue_id == queue_id,
        _i.object_type == object_type,
        _i.object_id == object_id,
    )
    row = conn.execute(query).first()
    return None if row is None else _item(row)


def insert_item(
    conn: Connection,
    project_id: str,
    queue_id: str,
    object_type: str,
    object_id: str,
    status: str,
    now: int,
) -> str:
    item_id = str(uuid.uuid4())
    conn.execute(
        insert(annotation_queue_items).values(
            id=item_id,
            project_id=project_id,
            queue_id=queue_id,
            object_id=object_id,
            object_type=object_type,
            status=status,
            completed_at=now if status == "COMPLETED" else None,
            created_at=now,
            updated_at=now,
        )
    )
    return item_id


def get_item(conn: Connection, project_id: str, queue_id: str, item_id: str) -> QueueItem | None:
    query = select(annotation_queue_items).where(
        _i.project_id == project_id, _i.queue_id == queue_id, _i.id == item_id
    )
    row = conn.execute(query).first()
    return None if row is None else _item(row)


def list_items(
    conn: Connection, project_id: str, queue_id: str, status: str | None, page: PageRequest
) -> tuple[list[QueueItem], int]:
    """A page of the queue's items, oldest first (the order they are worked through)."""
    where = [_i.project_id == project_id, _i.queue_id == queue_id]
    if status is not None:
        where.append(_i.status == status)
    query = select(annotation_queue_items).where(*where).order_by(_i.created_at, _i.id)
    rows = conn.execute(query.limit(page.limit).offset(page.offset))
    total = conn.execute(select(sql.count()).select_from(annotation_queue_items).where(*where))
    return [_item(r) for r in rows], int(total.scalar_one())


def set_status(
    conn: Connection, project_id: str, queue_id: str, item_id: str, status: str, now: int
) -> None:
    conn.execute(
        update(annotation_queue_items)
        .where(_i.project_id == project_id, _i.queue_id == queue_id, _i.id == item_id)
        .values(status=status, completed_at=now if status == "COMPLETED" else None, updated_at=now)
    )


def delete_item(conn: Connection, project_id: str, queue_id: str, item_id: str) -> bool:
    result = conn.execute(
        delete(annotation_queue_items).where(
            _i.project_id == project_id, _i.queue_id == queue_id, _i.id == item_id
        )
    )
    return bool(result.rowcount)


def forget_objects(conn: Connection, project_id: str, object_type: str, ids: Any) -> None:
    """Remove the items of deleted objects (`ids`: a list or a select of them) from every
    queue: a queue never offers what no longer exists (dataset run items, unlike these, stay
    with their run, as Langfuse keeps them)."""
    conn.execute(
        delete(annotation_queue_items).where(
            _i.project_id == project_id, _i.object_type == object_type, _i.object_id.in_(ids)
        )
    )


def assign(conn: Connection, project_id: str, queue_id: str, user_id: str, now: int) -> None:
    exists = select(_a.user_id).where(
        _a.project_id == project_id, _a.queue_id == queue_id, _a.user_id == user_id
    )
    if conn.execute(exists).first() is None:
        conn.execute(
            insert(annotation_queue_assignments).values(
                project_id=project_id, queue_id=queue_id, user_id=user_id, created_at=now
            )
        )


def unassign(conn: Connection, project_id: str, queue_id: str, user_id: str) -> None:
    conn.execute(
        delete(annotation_queue_assignments).where(
            _a.project_id == project_id, _a.queue_id == queue_id, _a.user_id == user_id
        )
    )
