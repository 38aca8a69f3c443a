"""Comments through the public API (`/api/public/comments`), on the same table as the UI's
comments (store/comments.py): what the API adds shows in the replay, and the reverse.

Langfuse's rules (CreateCommentRequest in its openapi.yml): the object must exist in the
project, the content is 1 to 5,000 characters, an author must be a member of the project.
"""

from __future__ import annotations

from typing import Any

from powerrag.annotate import MAX_COMMENT
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.filters import PageRequest
from powerrag.domain.rows import CommentRow
from powerrag.query.paging import Paged
from powerrag.store import comments, memberships, prompts
from powerrag.store.database import Store

COMMENT_OBJECT_TYPES = ("TRACE", "OBSERVATION", "SESSION", "PROMPT")


def object_exists(store: Store, project_id: str, object_type: str, object_id: str) -> bool:
    """Whether the project holds this trace, observation, session (trace data: through the
    readers, so on every engine) or prompt version."""
    if object_type == "PROMPT":
        with store.connect() as conn:
            return prompts.version_exists(conn, project_id, object_id)
    if object_type not in ("TRACE", "OBSERVATION", "SESSION"):
        return False
    with store.reading() as data:
        if object_type == "TRACE":
            return data.get_trace(project_id, object_id, with_io=False) is not None
        if object_type == "OBSERVATION":
            return bool(data.get_observations(project_id, [object_id]))
        return data.get_session(project_id, object_id) is not None


def _text(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(f"{key} is required and must be a non-empty string")
    return value


def create_comment(store: Store, project_id: str, doc: Any, now: int) -> str:
    if not isinstance(doc, dict):
        raise InvalidRequestError("the body must be a JSON object")
    if _text(doc, "projectId") != project_id:
        raise InvalidRequestError(f"projectId must be this key's project, {project_id!r}")
    object_type, object_id = _text(doc, "objectType"), _text(doc, "objectId")
    if object_type not in COMMENT_OBJECT_TYPES:
        raise InvalidRequestError(
            f"objectType must be one of {', '.join(COMMENT_OBJECT_TYPES)}, got {object_type!r}"
        )
    content = _text(doc, "content")
    if len(content) > MAX_COMMENT:
        raise InvalidRequestError(f"content has at most {MAX_COMMENT} characters")
    author = doc.get("authorUserId")
    if author is not None and not isinstance(author, str):
        raise InvalidRequestError("authorUserId must be a string")
    if not object_exists(store, project_id, object_type, object_id):
        raise InvalidRequestError(
            f"objectId {object_id!r}: no {object_type.lower()} with this id in the project"
        )
    with store.transaction() as conn:
        if author and memberships.role_of(conn, project_id, author) is None:
            raise InvalidRequestError(f"authorUserId {author!r} is not a member of the project")
        return comments.add_comment(
            conn, project_id, object_type, object_id, content, author or None, now
        )


def list_comments(
    store: Store,
    project_id: str,
    page: PageRequest,
    *,
    object_type: str | None,
    object_id: str | None,
    author: str | None,
) -> Paged[CommentRow]:
    if object_id and not object_type:
        raise InvalidRequestError("objectId needs objectType")
    if object_type is not None and object_type not in COMMENT_OBJECT_TYPES:
        raise InvalidRequestError(
            f"objectType must be one of {', '.join(COMMENT_OBJECT_TYPES)}, got {object_type!r}"
        )
    with store.connect() as conn:
        items, total = comments.page_of_comments(
            conn, project_id, page, object_type=object_type, object_id=object_id, author=author
        )
    return Paged(items, page, total)


def get_comment(store: Store, project_id: str, comment_id: str) -> CommentRow:
    with store.connect() as conn:
        found = comments.get_comment(conn, project_id, comment_id)
    if found is None:
        raise NotFoundError(f"comment {comment_id!r} not found")
    return found
