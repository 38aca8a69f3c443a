"""Comments on sessions and traces: written from the UI, read with their author."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from powerrag.domain.rows import CommentRow
from powerrag.store.infra.schema import comments, users


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


def _list_statement() -> Any:
    """Built once: every replay page lists comments (construction showed in profiles)."""
    c = comments.c
    return (
        select(
            c.id,
            c.object_id,
            c.content,
            c.created_at,
            users.c.name.label("author_name"),
            users.c.email.label("author_email"),
        )
        .select_from(comments.outerjoin(users, users.c.id == c.author_user_id))
        .where(
            c.project_id == bindparam("project_id"),
            c.object_type == bindparam("object_type"),
            c.object_id.in_(bindparam("ids", expanding=True)),
        )
        .order_by(c.created_at, c.id)
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
