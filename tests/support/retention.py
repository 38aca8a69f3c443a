"""A project's history spread around a retention cutoff: traces, generations with exact
costs, scores, comments and media at chosen ages, and what a recomputation compares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from powerrag.domain.media import MediaRequest
from powerrag.store import comments, media
from powerrag.store.database import Store
from powerrag.store.infra.schema import FIGURES, sessions
from tests.support.lifecycle import event
from tests.support.media import sha256_b64

DAY = 86_400 * 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The session columns made from its traces: what retention must leave exact.
SESSION_FIGURES = (
    "id",
    "trace_count",
    "user_ids",
    "error_count",
    "created_at",
    "last_activity_at",
    "environment",
    *FIGURES,
)


def iso(us: int) -> str:
    """Microsecond-exact ISO 8601, so a trace can sit one microsecond from the cutoff."""
    return (_EPOCH + timedelta(microseconds=us)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Turn:
    trace_id: str
    session_id: str
    at: int
    user_id: str
    cost: float
    level: str = "DEFAULT"

    def events(self) -> list[dict[str, Any]]:
        """A trace and its generation; costs are binary fractions, so sums are exact."""
        return [
            event(
                "trace-create",
                {
                    "id": self.trace_id,
                    "sessionId": self.session_id,
                    "userId": self.user_id,
                    "timestamp": iso(self.at),
                    "input": f"question of {self.trace_id}",
                },
            ),
            event(
                "generation-create",
                {
                    "id": f"{self.trace_id}-g",
                    "traceId": self.trace_id,
                    "startTime": iso(self.at),
                    "endTime": iso(self.at + 2_000_000),
                    "level": self.level,
                    "model": "gpt-4o",
                    "usageDetails": {"input": 100, "output": 20},
                    "costDetails": {"input": self.cost / 2, "output": self.cost / 2},
                },
            ),
        ]


def score_event(name: str, at: int, *, trace_id: str | None, session_id: str | None) -> Any:
    body: dict[str, Any] = {"id": name, "name": name, "value": 1.0, "timestamp": iso(at)}
    if trace_id:
        body["traceId"] = trace_id
    if session_id:
        body["sessionId"] = session_id
    return event("score-create", body)


def add_media(
    store: Store, project_id: str, content: bytes, at: int, trace_ids: tuple[str, ...]
) -> str:
    """Media uploaded at `at`, linked to these traces' input (none: never linked)."""
    req = MediaRequest(
        trace_ids[0] if trace_ids else "none",
        None,
        "input",
        "image/png",
        len(content),
        sha256_b64(content),
    )
    with store.transaction() as conn:
        media.register(conn, project_id, req, at)
        media.store_bytes(conn, project_id, req.media_id, content, at)
        for trace_id in trace_ids:
            linked = MediaRequest(trace_id, None, "input", "image/png", len(content), req.sha256)
            media.link(conn, project_id, linked, at)
    return req.media_id


def add_comment(store: Store, project_id: str, kind: str, object_id: str, at: int) -> str:
    with store.transaction() as conn:
        return comments.add_comment(conn, project_id, kind, object_id, f"on {object_id}", None, at)


def session_figures(store: Store, project_id: str) -> list[dict[str, Any]]:
    columns = [sessions.c[name] for name in SESSION_FIGURES]
    query = select(*columns).where(sessions.c.project_id == project_id).order_by(sessions.c.id)
    with store.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]
