"""What each replayed fixture file leaves in the tables, checked against the fixture's
own decoded form (`spans`, `body` fields written by the capture server, not by us)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from powerrag.store.database import Store
from powerrag.store.infra.schema import observations, scores, sessions, traces
from tests.support.recorded import Recorded, fixture_files, writes
from tests.support.replay import replay_writes

SESSION_KEYS = ("session.id", "langfuse.session.id", "gen_ai.conversation.id")


def _spans(recs: list[Recorded]) -> list[dict[str, Any]]:
    return [span for rec in recs for span in rec.record.get("spans") or []]


def _score_ids(recs: list[Recorded]) -> set[str]:
    ids: set[str] = set()
    for rec in recs:
        body = rec.record.get("body")
        if rec.path == "/api/public/scores" and isinstance(body, list):
            ids |= {item["id"] for item in body}
        elif rec.path == "/api/public/ingestion" and isinstance(body, dict):
            ids |= {e["body"]["id"] for e in body["batch"] if e["type"] == "score-create"}
    return ids


def expected_counts(name: str) -> dict[str, int]:
    recs = writes(name)
    spans = _spans(recs)
    session_ids = {
        str(span["attributes"][key])
        for span in spans
        for key in SESSION_KEYS
        if key in span["attributes"]
    }
    return {
        "traces": len({s["traceId"] for s in spans}),
        "observations": len({(s["traceId"], s["spanId"]) for s in spans}),
        "scores": len(_score_ids(recs)),
        "sessions": len(session_ids),
    }


def stored_counts(store: Store) -> dict[str, int]:
    tables = {
        "traces": traces,
        "observations": observations,
        "scores": scores,
        "sessions": sessions,
    }
    with store.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for name, t in tables.items()
        }


@pytest.mark.parametrize("name", [f for f in fixture_files() if writes(f)])
def test_each_span_score_and_session_is_one_row(
    client: TestClient, store: Store, name: str
) -> None:
    replay_writes(client, name)
    assert stored_counts(store) == expected_counts(name)


def test_root_observations_are_linked_from_their_traces(client: TestClient, store: Store) -> None:
    replay_writes(client, "python-langfuse-4.18.0-rich.jsonl")
    with store.connect() as conn:
        rows = conn.execute(
            select(traces.c.name, observations.c.name, observations.c.parent_observation_id).join(
                observations,
                (observations.c.project_id == traces.c.project_id)
                & (observations.c.id == traces.c.root_observation_id),
            )
        ).all()
    assert sorted(rows) == sorted(
        [
            ("rich-trace", "rich-root", None),
            ("standalone-event", "standalone-event", None),
            ("agent-run", "agent-run", None),
            ("decorated-generation", "decorated-generation", None),
        ]
    )
