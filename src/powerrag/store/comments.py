"""Comments on sessions and traces: written from the UI, read with their author."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, delete, insert, select, update
from sqlalchemy import func as sql

from powerrag.domain.filters import PageRequest
from powerrag.domain.rows import CommentRow
from powerrag.store.filters import equals
from powerrag.store.infra.schema import comments, users

_c = comments.c


def add_comment(
    conn: Connection,
    project_id: str,
    object_type: str,
    object_id: str,
    content: str,
    author_user_id: str | None,
    now: int,
) -> str:
    comment_id = uuid.uuid4().hex
    conn.execute(
        insert(comments).values(
            id=comment_id,
            project_id=project_id,
            object_type=object_type,
            object_id=object_id,
            content=content,
            author_user_id=author_user_id,
            created_at=now,
            updated_at=now,
        )
    )
    return comment_id


def _select() -> Any:
    return select(
        _c.id,
        _c.object_id,
        _c.content,
        _c.created_at,
        users.c.name.label("author_name"),
        users.c.email.label("author_email"),
        _c.author_user_id,
        _c.object_type,
        _c.updated_at,
    ).select_from(comments.outerjoin(users, users.c.id == _c.author_user_id))


def _list_statement() -> Any:
    """Built once: every replay page lists comments (construction showed in profiles)."""
    return (
        _select()
        .where(
            _c.project_id == bindparam("project_id"),
            _c.object_type == bindparam("object_type"),
            _c.object_id.in_(bindparam("ids", expanding=True)),
        )
        .order_by(_c.created_at, _c.id)
    )


_LIST_COMMENTS = _list_statement()


def list_comments(
    conn: Connection, project_id: str, object_type: str, object_ids: Sequence[str]
) -> list[CommentRow]:
    """Comments on these objects, oldest first, with their author's name and email."""
    if not object_ids:
        return []
    params = {"project_id": project_id, "object_type": object_type, "ids": list(object_ids)}
    return [CommentRow(**r) for r in conn.execute(_LIST_COMMENTS, params).mappings()]


def get_comment(conn: Connection, project_id: str, comment_id: str) -> CommentRow | None:
    query = _select().where(_c.project_id == project_id, _c.id == comment_id)
    row = conn.execute(query).mappings().first()
    return None if row is None else CommentRow(**row)


def update_comment(
    conn: Connection, project_id: str, comment_id: str, content: str, now: int
) -> bool:
    result = conn.execute(
        update(comments)
        .where(_c.project_id == project_id, _c.id == comment_id)
        .values(content=content, updated_at=now)
    )
    return bool(result.rowcount)


def delete_comment(conn: Connection, project_id: str, comment_id: str) -> bool:
    result = conn.execute(delete(comments).where(_c.project_id == project_id, _c.id == comment_id))
    return bool(result.rowcount)


def _matching(
    project_id: str, object_type: str | None, object_id: str | None, author: str | None
) -> list[ColumnElement[bool]]:
    return [
        _c.project_id == project_id,
        equals(_c.object_type, object_type),
        equals(_c.object_id, object_id),
        equals(_c.author_user_id, author),
    ]


def page_of_comments(
    conn: Connection,
    project_id: str,
    page: PageRequest,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    author: str | None = None,
) -> tuple[list[CommentRow], int]:
    """A page of the project's comments, newest first, and how many match (the public API's)."""
    where = _matching(project_id, object_type, object_id, author)
    query = _select().where(*where).order_by(_c.created_at.desc(), _c.id.desc())
    found = conn.execute(query.limit(page.limit).offset(page.offset)).mappings()
    items = [CommentRow(**r) for r in found]
    total = conn.execute(select(sql.count()).select_from(comments).where(*where)).scalar_one()
    return items, int(total)
