"""Comments on sessions and traces, written from the UI."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, insert, select

from powerrag.domain.timeutil import now_us
from powerrag.store.schema import comments, users


def add_comment(
    conn: Connection,
    project_id: str,
    object_type: str,
    object_id: str,
    content: str,
    author_user_id: str | None,
) -> str:
    comment_id = uuid.uuid4().hex
    now = now_us()
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


def list_comments(
    conn: Connection, project_id: str, object_type: str, object_ids: list[str]
) -> list[dict[str, Any]]:
    """Comments on these objects, oldest first, with their author's name or email."""
    if not object_ids:
        return []
    c = comments.c
    rows = conn.execute(
        select(c.id, c.object_id, c.content, c.created_at, users.c.name, users.c.email)
        .select_from(comments.outerjoin(users, users.c.id == c.author_user_id))
        .where(
            c.project_id == project_id, c.object_type == object_type, c.object_id.in_(object_ids)
        )
        .order_by(c.created_at, c.id)
    ).mappings()
    return [dict(r) for r in rows]
