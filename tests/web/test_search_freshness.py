"""A search answers with what the SDK stored just before it: the page indexes its
project's marks first; marks it cannot take (another replica holds them) are counted
on the page as traces not searchable yet."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from powerrag.store import search_index
from powerrag.store.database import Store
from tests.support.project import AUTH, PROJECT_ID
from tests.support.search import app_indexer

SESSIONS = f"/project/{PROJECT_ID}/sessions"
TRACES = f"/project/{PROJECT_ID}/traces"


def _ingest(web: TestClient, trace_id: str, words: str) -> None:
    at = "2026-03-01T10:00:00.000Z"
    body = {"id": trace_id, "timestamp": at, "sessionId": f"s-{trace_id}", "input": words}
    event = {"id": f"ev-{trace_id}", "type": "trace-create", "timestamp": at, "body": body}
    answer = web.post(
        "/api/public/ingestion", json={"batch": [event]}, headers={"authorization": AUTH}
    )
    assert answer.status_code == 207 and answer.json()["errors"] == [], answer.text


def test_a_search_right_after_ingestion_finds_the_trace(web: TestClient, store: Store) -> None:
    app_indexer(web).stop()  # only the search itself indexes here
    while store.index_search(1000):  # what the fixture's replay left, on a slow machine
        pass
    _ingest(web, "t-zanzibar", "a parcel to Zanzibar")
    assert store.search_backlog(PROJECT_ID).traces == 1

    found = web.get(SESSIONS, params={"q": "zanzibar parcel", "format": "json"}).json()
    assert [s["id"] for s in found["sessions"]] == ["s-t-zanzibar"]
    assert found["searchPending"] == 0
    assert store.search_backlog().traces == 0
    traces = web.get(TRACES, params={"q": "zanzibar", "format": "json"}).json()
    assert [t["id"] for t in traces["traces"]] == ["t-zanzibar"]
    assert "searchPending" not in web.get(SESSIONS, params={"format": "json"}).json()


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_marks_another_replica_holds_are_counted_on_the_page(web: TestClient, store: Store) -> None:
    app_indexer(web).stop()
    _ingest(web, "t-held", "held words")
    _ingest(web, "t-free", "free words")
    with store.transaction() as other_replica:
        held = search_index.index_pending(other_replica, 100, PROJECT_ID)
        assert held == store.search_backlog(PROJECT_ID).traces
        _ingest(web, "t-late", "late words")
        found = web.get(SESSIONS, params={"q": "late", "format": "json"}).json()
        assert [s["id"] for s in found["sessions"]] == ["s-t-late"]
        assert found["searchPending"] == held
        page = web.get(SESSIONS, params={"q": "late"}).text
        assert f'<p class="notice" id="search-pending">{held} traces stored moments ago' in page
    assert store.search_backlog().traces == 0
