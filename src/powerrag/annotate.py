"""What a team member adds to a session from the UI: flags, comments and annotation scores.

Scores become an ingest batch, so they are stored exactly as API scores are.
"""

from __future__ import annotations

import uuid

import orjson

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.records import IngestBatch, ScoreRecord
from powerrag.domain.scores import typed_value, value_from_text
from powerrag.domain.timeutil import now_us
from powerrag.store import comments, sessions
from powerrag.store.database import Store

FLAGS = ("bookmarked", "public")
MAX_COMMENT = 5000
# The data types the annotation form offers.
FORM_DATA_TYPES = ("NUMERIC", "CATEGORICAL", "BOOLEAN")


def set_flag(store: Store, project_id: str, session_id: str, flag: str, value: bool) -> None:
    if flag not in FLAGS:
        raise InvalidRequestError("flag is bookmarked or public")
    with store.transaction() as conn:
        if not sessions.set_session_flag(conn, project_id, session_id, flag, value):
            raise NotFoundError(f"session {session_id!r} not found")


def add_comment(
    store: Store, project_id: str, object_type: str, object_id: str, content: str, author: str
) -> None:
    content = content.strip()
    if not content:
        raise InvalidRequestError("a comment needs some text")
    if len(content) > MAX_COMMENT:
        raise InvalidRequestError(f"a comment has at most {MAX_COMMENT} characters")
    with store.transaction() as conn:
        comments.add_comment(conn, project_id, object_type, object_id, content, author, now_us())


def annotation_score(
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
    """An annotation score typed into the form, checked by the rules API scores follow."""
    name = name.strip()
    if not name:
        raise InvalidRequestError("a score needs a name")
    if data_type not in FORM_DATA_TYPES:
        raise InvalidRequestError("the score type is NUMERIC, CATEGORICAL or BOOLEAN")
    kind, number, label = typed_value(data_type, value_from_text(data_type, value))
    record = ScoreRecord(
        id=uuid.uuid4().hex,
        name=name[:200],
        data_type=kind,
        timestamp=now_us(),
        value=number,
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
