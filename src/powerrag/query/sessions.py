"""Session read use-cases: the paged list and one session with its traces."""

from __future__ import annotations

from typing import Any

from powerrag.domain.errors import NotFoundError
from powerrag.query.filters import Params, session_filter
from powerrag.query.pagination import Paged, parse_page
from powerrag.store import read_sessions, read_traces
from powerrag.store.database import Store


def list_sessions(store: Store, project_id: str, params: Params) -> Paged:
    f, page = session_filter(params), parse_page(params)
    with store.connect() as conn:
        total = read_sessions.count_sessions(conn, project_id, f)
        rows = read_sessions.list_sessions(conn, project_id, f, page)
    return Paged(rows, page, total)


def get_session(store: Store, project_id: str, session_id: str) -> dict[str, Any]:
    """The session row with `traces`, its traces in time order."""
    with store.connect() as conn:
        row = read_sessions.get_session(conn, project_id, session_id)
        if row is None:
            raise NotFoundError("Session not found within authorized project")
        row["traces"] = read_traces.session_traces(conn, project_id, session_id)
    return row
