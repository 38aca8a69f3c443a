"""Session read use-cases: the paged list (API and UI), one session with its traces."""

from __future__ import annotations

from dataclasses import dataclass, field

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.filters import PageRequest, SessionFilter, SessionOrder
from powerrag.domain.rows import ScoreSummary, SessionRow, TraceRow
from powerrag.query.paging import Paged
from powerrag.store.database import Store

# The score names the UI's list offers (as columns and in its score filter), at most.
MAX_SCORE_NAMES = 50


@dataclass(frozen=True, slots=True)
class SessionList:
    """A page of sessions; the UI's list also has each one's score summaries (by session
    id), the environments and the project's recent score names."""

    paged: Paged[SessionRow]
    scores: dict[str, list[ScoreSummary]] = field(default_factory=dict)
    environments: list[str] = field(default_factory=list)
    score_names: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SessionDetail:
    session: SessionRow
    traces: list[TraceRow]


def list_sessions(
    store: Store,
    project_id: str,
    f: SessionFilter,
    order: SessionOrder,
    page: PageRequest,
    *,
    with_scores: bool = False,
) -> SessionList:
    with store.reading() as data:
        total = data.count_sessions(project_id, f)
        rows = data.list_sessions(project_id, f, order, page)
        if not with_scores:
            return SessionList(Paged(rows, page, total))
        by_session: dict[str, list[ScoreSummary]] = {}
        for summary in data.score_summaries(project_id, [r.id for r in rows]):
            by_session.setdefault(summary.session_id, []).append(summary)
        environments = data.list_environments(project_id)
        names = data.score_names(project_id)[:MAX_SCORE_NAMES]
    return SessionList(Paged(rows, page, total), by_session, environments, names)


def find_session(store: Store, project_id: str, session_id: str) -> SessionRow | None:
    with store.reading() as data:
        return data.get_session(project_id, session_id)


def require_session(store: Store, project_id: str, session_id: str) -> SessionRow:
    """The session; NotFoundError when the project has none with this id."""
    row = find_session(store, project_id, session_id)
    if row is None:
        raise NotFoundError("Session not found within authorized project")
    return row


# One answer holds at most this many traces: a session of 100,000 traces was 40 MB
# (issue 19 L10). Larger sessions are read a page at a time through the traces list.
MAX_SESSION_TRACES = 5000


def get_session(store: Store, project_id: str, session_id: str) -> SessionDetail:
    """The session with its traces in time order; InvalidRequestError past MAX_SESSION_TRACES."""
    with store.reading() as data:
        row = data.get_session(project_id, session_id)
        if row is None:
            raise NotFoundError("Session not found within authorized project")
        if row.trace_count > MAX_SESSION_TRACES:
            raise InvalidRequestError(
                f"session {session_id!r} has {row.trace_count} traces, more than the "
                f"{MAX_SESSION_TRACES} one answer holds; read them a page at a time with "
                "GET /api/public/traces?sessionId=<id>&page=1&limit=100"
            )
        return SessionDetail(row, data.session_traces(project_id, session_id))


def trace_in_session(store: Store, project_id: str, session_id: str, trace_id: str) -> bool:
    with store.reading() as data:
        return bool(data.traces_in_session(project_id, session_id, [trace_id]))
