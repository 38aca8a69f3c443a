"""The divergences the one read model fixed: the API and the UI now filter and order alike.

Before, the UI had its own filters: a tag or user id holding `"` or `\\` matched in the
API and not in the UI, a `to` time was inclusive in one and exclusive in the other,
ties were broken by id in opposite directions, and a turn's scores of one instant came
in no defined order. Each rule is checked on both presenters with data that tells the
old behaviour from the new.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from powerrag import urls
from tests.support.project import AUTH, PROJECT_ID

API = {"authorization": AUTH}
SAME_TIME = "2026-11-20T10:00:00.000Z"
LATER = "2026-11-20T10:00:05.000Z"


def _trace(trace_id: str, timestamp: str, **fields: Any) -> dict[str, Any]:
    body = {"id": trace_id, "timestamp": timestamp, "name": "divergence", **fields}
    return {"id": f"ev-{trace_id}", "type": "trace-create", "timestamp": timestamp, "body": body}


def _ingest(web: TestClient, *events: dict[str, Any]) -> None:
    response = web.post("/api/public/ingestion", json={"batch": list(events)}, headers=API)
    assert response.status_code == 207, response.text
    assert all(r["status"] == 201 for r in response.json()["successes"])


def _ui_trace_ids(web: TestClient, **params: str) -> list[str]:
    url = f"/project/{PROJECT_ID}/traces"
    answer = web.get(url, params={"format": "json", "name": "divergence", **params})
    assert answer.status_code == 200, answer.text
    return [t["id"] for t in answer.json()["traces"]]


def _api_trace_ids(web: TestClient, **params: str) -> list[str]:
    answer = web.get("/api/public/traces", params={"name": "divergence", **params}, headers=API)
    assert answer.status_code == 200, answer.text
    return [t["id"] for t in answer.json()["data"]]


def test_ties_are_broken_by_id_in_the_sort_direction_in_both(web: TestClient) -> None:
    _ingest(web, *(_trace(i, SAME_TIME) for i in ("tie-a", "tie-c", "tie-b")))
    assert _api_trace_ids(web) == ["tie-c", "tie-b", "tie-a"]
    assert _ui_trace_ids(web) == ["tie-c", "tie-b", "tie-a"]


def test_to_is_exclusive_in_both_and_a_bare_date_covers_its_day(web: TestClient) -> None:
    _ingest(web, _trace("at-the-end", LATER), _trace("before", SAME_TIME))
    assert _api_trace_ids(web, toTimestamp=LATER) == ["before"]
    assert _ui_trace_ids(web, to=LATER) == ["before"]
    assert _ui_trace_ids(web, to="2026-11-20") == ["at-the-end", "before"]
    assert _ui_trace_ids(web, to="2026-11-19") == []


def test_tags_and_user_ids_with_quotes_and_backslashes_match_in_both(web: TestClient) -> None:
    odd = 'say "hi" \\ there'
    _ingest(
        web,
        _trace("odd", SAME_TIME, tags=[odd], userId=odd, sessionId="odd-session"),
        _trace("plain", LATER, tags=["plain"], userId="plain", sessionId="plain-session"),
    )
    assert _api_trace_ids(web, tags=odd) == ["odd"]
    assert _ui_trace_ids(web, tag=odd) == ["odd"]
    assert _api_trace_ids(web, userId=odd) == ["odd"]
    assert _ui_trace_ids(web, user=odd) == ["odd"]
    sessions = web.get(f"/project/{PROJECT_ID}/sessions", params={"format": "json", "user": odd})
    assert [s["id"] for s in sessions.json()["sessions"]] == ["odd-session"]


def test_a_turns_scores_of_one_instant_are_ordered_by_id(web: TestClient) -> None:
    _ingest(web, _trace("scored", SAME_TIME, sessionId="scored-session"))
    for score_id in ("s-2", "s-3", "s-1"):
        body = {"id": score_id, "traceId": "scored", "name": score_id, "value": 1}
        score = web.post("/api/public/scores", json={**body, "timestamp": LATER}, headers=API)
        assert score.status_code == 200, score.text
    turns = web.get(urls.session_turns(PROJECT_ID, "scored-session") + "&format=json")
    assert [s["id"] for s in turns.json()["turns"][0]["scores"]] == ["s-1", "s-2", "s-3"]


def test_a_missing_session_answers_the_same_message_in_both(web: TestClient) -> None:
    api = web.get("/api/public/sessions/nowhere", headers=API)
    ui = web.get(f"/project/{PROJECT_ID}/sessions/nowhere?format=json")
    assert (api.status_code, ui.status_code) == (404, 404)
    assert api.json()["message"] == ui.json()["message"]
