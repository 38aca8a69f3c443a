"""What a team member adds to a session from the UI: flags, comments and annotation scores.

Scores become an ingest batch, so they are stored exactly as API scores are; an edited
score is the same id sent again (an upsert, as an SDK's score with a known id). A score
or comment is changed or deleted by its author and by the project's managers (owners
and administrators, `accounts.can_manage`); anyone else is refused (issue 12, item 7).
"""

from __future__ import annotations

import dataclasses
import uuid

import orjson

from powerrag.domain.errors import ForbiddenError, InvalidRequestError, NotFoundError
from powerrag.domain.records import IngestBatch, ScoreRecord
from powerrag.domain.rows import CommentRow, ScoreRow
from powerrag.domain.scores import typed_value, value_from_text
from powerrag.domain.timeutil import now_us
from powerrag.query.sessions import trace_in_session
from powerrag.store import comments
from powerrag.store.database import Store

FLAGS = ("bookmarked", "public")
MAX_COMMENT = 5000
# The data types the annotation form offers.
FORM_DATA_TYPES = ("NUMERIC", "CATEGORICAL", "BOOLEAN")


def set_flag(store: Store, project_id: str, session_id: str, flag: str, value: bool) -> None:
    if flag not in FLAGS:
        raise InvalidRequestError("flag is bookmarked or public")
    if not store.set_session_flag(project_id, session_id, flag, value):
        raise NotFoundError(f"session {session_id!r} not found")


def _comment_text(content: str) -> str:
    content = content.strip()
    if not content:
        raise InvalidRequestError("a comment needs some text")
    if len(content) > MAX_COMMENT:
        raise InvalidRequestError(f"a comment has at most {MAX_COMMENT} characters")
    return content


def add_comment(
    store: Store, project_id: str, object_type: str, object_id: str, content: str, author: str
) -> None:
    content = _comment_text(content)
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


@dataclasses.dataclass(frozen=True, slots=True)
class Editor:
    """Who asks for a change: their user id, and whether they manage the project."""

    user_id: str
    manages: bool

    def check(self, author_user_id: str | None) -> None:
        if not self.manages and author_user_id != self.user_id:
            raise ForbiddenError("only its author and the project's owners can change this")


def session_score(store: Store, project_id: str, session_id: str, score_id: str) -> ScoreRow:
    """A score of the session or of one of its traces; NotFoundError otherwise."""
    with store.reading() as data:
        row = data.get_score(project_id, score_id)
    if row is None or session_id not in (row.session_id, row.trace_session_id):
        raise NotFoundError(f"score {score_id!r} not found in this session")
    return row


def edited_score(row: ScoreRow, editor: Editor, value: str, comment: str) -> IngestBatch:
    """The annotation score again with a new value and comment; the rules of a new one hold."""
    editor.check(row.author_user_id)
    if row.source != "ANNOTATION":
        raise ForbiddenError("a score sent by an SDK or the API is not edited here, only deleted")
    kind, number, label = typed_value(row.data_type, value_from_text(row.data_type, value))
    fields = {f.name for f in dataclasses.fields(ScoreRecord)} & {
        f.name for f in dataclasses.fields(ScoreRow)
    }
    record = ScoreRecord(**{name: getattr(row, name) for name in fields})
    changed = dataclasses.replace(
        record, data_type=kind, value=number, string_value=label, comment=comment.strip() or None
    )
    return IngestBatch(scores=[changed])


def delete_score(store: Store, row: ScoreRow, editor: Editor) -> None:
    editor.check(row.author_user_id)
    if not store.delete_score(row.project_id, row.id):
        raise NotFoundError(f"score {row.id!r} not found")


def session_comment(store: Store, project_id: str, session_id: str, comment_id: str) -> CommentRow:
    """A comment on the session or on one of its traces; NotFoundError otherwise."""
    with store.connect() as conn:
        row = comments.get_comment(conn, project_id, comment_id)
    inside = row is not None and (
        row.object_id == session_id
        if row.object_type == "SESSION"
        else trace_in_session(store, project_id, session_id, row.object_id)
    )
    if row is None or not inside:
        raise NotFoundError(f"comment {comment_id!r} not found in this session")
    return row


def edit_comment(
    store: Store, project_id: str, row: CommentRow, editor: Editor, content: str
) -> None:
    editor.check(row.author_user_id)
    content = _comment_text(content)
    with store.transaction() as conn:
        if not comments.update_comment(conn, project_id, row.id, content, now_us()):
            raise NotFoundError(f"comment {row.id!r} not found")


def delete_comment(store: Store, project_id: str, row: CommentRow, editor: Editor) -> None:
    editor.check(row.author_user_id)
    with store.transaction() as conn:
        if not comments.delete_comment(conn, project_id, row.id):
            raise NotFoundError(f"comment {row.id!r} not found")
