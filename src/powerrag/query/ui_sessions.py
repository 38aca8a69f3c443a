"""Use cases of the sessions list and the session's flags, comments and scores."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.records import IngestBatch, ScoreRecord
from powerrag.domain.timeutil import now_us
from powerrag.query.ui_format import iso, json_list, score_summary, seconds
from powerrag.store import read_sessions, ui_comments, ui_sessions, ui_traces
from powerrag.store.database import Store
from powerrag.store.ui_sessions import SESSION_SORTS, SessionFilter

if TYPE_CHECKING:
    from sqlalchemy import Connection

PAGE_SIZES = (25, 50, 100)


@dataclass(frozen=True, slots=True)
class SessionListRequest:
    filters: SessionFilter
    sort: str = "last_activity"
    descending: bool = True
    page: int = 1
    page_size: int = 50

    def checked(self) -> SessionListRequest:
        if self.sort not in SESSION_SORTS:
            raise InvalidRequestError(
                f"cannot sort sessions by {self.sort!r}; use one of {', '.join(SESSION_SORTS)}"
            )
        if self.page < 1:
            raise InvalidRequestError("page starts at 1")
        if self.page_size not in PAGE_SIZES:
            raise InvalidRequestError(f"page size must be one of {PAGE_SIZES}")
        return self


def session_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "createdAt": iso(row["created_at"]),
        "lastActivityAt": iso(row["last_activity_at"]),
        "durationSeconds": seconds(row["created_at"], row["last_activity_at"]),
        "traceCount": row["trace_count"],
        "userIds": json_list(row["user_ids"]),
        "environment": row["environment"],
        "inputTokens": row["input_tokens"],
        "outputTokens": row["output_tokens"],
        "totalTokens": row["total_tokens"],
        "totalCost": row["total_cost"],
        "errorCount": row["error_count"],
        "bookmarked": bool(row["bookmarked"]),
        "public": bool(row["public"]),
    }


def list_sessions(store: Store, project_id: str, req: SessionListRequest) -> dict[str, Any]:
    req = req.checked()
    with store.connect() as conn:
        rows, total = ui_sessions.list_sessions(
            conn,
            project_id,
            req.filters,
            sort=req.sort,
            descending=req.descending,
            limit=req.page_size,
            offset=(req.page - 1) * req.page_size,
        )
        scores = ui_sessions.session_scores(conn, project_id, [r["id"] for r in rows])
        environments = ui_sessions.list_environments(conn, project_id)
    by_session: dict[str, list[dict[str, Any]]] = {}
    for score in scores:
        by_session.setdefault(score["session_id"], []).append(score)
    items = []
    for row in rows:
        item = session_row(row)
        item["scores"] = score_summary(by_session.get(row["id"], []))
        items.append(item)
    return {
        "sessions": items,
        "total": total,
        "page": req.page,
        "pageSize": req.page_size,
        "pages": max(1, -(-total // req.page_size)),
        "sort": req.sort,
        "order": "desc" if req.descending else "asc",
        "environments": environments,
        "sorts": list(SESSION_SORTS),
    }


def require_session(store: Store, project_id: str, session_id: str) -> dict[str, Any]:
    with store.connect() as conn:
        return session_on(conn, project_id, session_id)


def session_on(conn: Connection, project_id: str, session_id: str) -> dict[str, Any]:
    """The session's row read on the caller's connection; NotFoundError when there is none."""
    row = read_sessions.get_session(conn, project_id, session_id)
    if row is None:
        raise NotFoundError(f"session {session_id!r} not found")
    return row


def set_flag(store: Store, project_id: str, session_id: str, flag: str, value: bool) -> None:
    with store.transaction() as conn:
        if not ui_sessions.set_session_flag(conn, project_id, session_id, flag, value):
            raise NotFoundError(f"session {session_id!r} not found")


def add_comment(
    store: Store, project_id: str, object_type: str, object_id: str, content: str, author: str
) -> None:
    content = content.strip()
    if not content:
        raise InvalidRequestError("a comment needs some text")
    if len(content) > 5000:
        raise InvalidRequestError("a comment has at most 5000 characters")
    with store.transaction() as conn:
        ui_comments.add_comment(conn, project_id, object_type, object_id, content, author)


def comments_of(
    store: Store, project_id: str, object_type: str, ids: list[str]
) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return comment_views(conn, project_id, object_type, ids)


def comment_views(
    conn: Connection, project_id: str, object_type: str, ids: list[str]
) -> list[dict[str, Any]]:
    """Comments on these objects as the pages show them (on the caller's connection)."""
    return [
        {
            "id": r["id"],
            "objectId": r["object_id"],
            "content": r["content"],
            "createdAt": iso(r["created_at"]),
            "author": r["name"] or r["email"] or "",
        }
        for r in ui_comments.list_comments(conn, project_id, object_type, ids)
    ]


def trace_in_session(store: Store, project_id: str, session_id: str, trace_id: str) -> bool:
    with store.connect() as conn:
        return bool(ui_traces.traces_in_session(conn, project_id, session_id, [trace_id]))


def build_score(
    *,
    name: str,
    data_type: str,
    value: str,
    comment: str,
    session_id: str | None,
    trace_id: str | None,
    environment: str,
    author: str,
) -> IngestBatch:
    """An annotation score as an ingest batch, so it is stored exactly as API scores are."""
    name = name.strip()
    if not name:
        raise InvalidRequestError("a score needs a name")
    numeric: float | None = None
    label: str | None = None
    if data_type == "NUMERIC":
        try:
            numeric = float(value)
        except ValueError:
            raise InvalidRequestError(f"a numeric score needs a number, got {value!r}") from None
    elif data_type == "BOOLEAN":
        if value.lower() not in ("true", "false", "1", "0"):
            raise InvalidRequestError(f"a boolean score is true or false, got {value!r}")
        numeric = 1.0 if value.lower() in ("true", "1") else 0.0
        label = "True" if numeric else "False"
    elif data_type == "CATEGORICAL":
        label = value.strip()
        if not label:
            raise InvalidRequestError("a categorical score needs a category")
    else:
        raise InvalidRequestError("the score type is NUMERIC, CATEGORICAL or BOOLEAN")
    record = ScoreRecord(
        id=uuid.uuid4().hex,
        name=name[:200],
        data_type=data_type,
        timestamp=now_us(),
        value=numeric,
        string_value=label,
        trace_id=trace_id,
        session_id=None if trace_id else session_id,
        environment=environment,
        source="ANNOTATION",
        comment=comment.strip() or None,
        metadata=orjson.dumps({"via": "ui"}).decode(),
        author_user_id=author,
    )
    return IngestBatch(scores=[record])


def find_session(store: Store, project_id: str, session_id: str) -> dict[str, Any] | None:
    with store.connect() as conn:
        return read_sessions.get_session(conn, project_id, session_id)
