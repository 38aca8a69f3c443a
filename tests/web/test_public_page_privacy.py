"""A published session shows the conversation, not the team's notes (issue 19 L1).

Signed-out visitors saw internal comments with their author's email and the scores' ids
(with which, and the public key, a score could be targeted).
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from powerrag import urls
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import EMAIL, csrf_of

PAGE = f"/project/{PROJECT_ID}/sessions/session-123"
TURNS = urls.session_turns(PROJECT_ID, "session-123")
NOTE = "internal: customer is on the enterprise plan"


def test_a_public_page_has_no_comments_authors_or_score_ids(web: TestClient) -> None:
    token = csrf_of(web.get(PAGE).text)
    web.post(
        urls.session_flags(PROJECT_ID, "session-123"),
        data={"flag": "public", "value": "1", "csrf_token": token},
    )
    web.post(
        urls.session_comments(PROJECT_ID, "session-123"),
        data={"content": NOTE, "csrf_token": token},
    )
    trace_id = web.get(f"{PAGE}?format=json").json()["turns"][0]["id"]
    score = {"id": "team-score", "traceId": trace_id, "name": "quality", "value": 1}
    score = {**score, "comment": "reviewed by the team"}
    assert web.post("/api/public/scores", json=score, headers={"authorization": AUTH}).is_success
    member = web.get(f"{PAGE}?format=json").json()
    assert member["comments"] and "team-score" in json.dumps(member)

    anon = TestClient(web.app, follow_redirects=False)
    twin = anon.get(f"{PAGE}?format=json")
    turns = anon.get(f"{TURNS}&format=json&offset=0")
    html = anon.get(PAGE).text + anon.get(f"{TURNS}&offset=0").text

    assert twin.status_code == turns.status_code == 200
    text = json.dumps(twin.json()) + json.dumps(turns.json()) + html
    for secret in (NOTE, EMAIL, "team-score", "reviewed by the team"):
        assert secret not in text
    assert twin.json()["comments"] == []
    shown = [s for t in twin.json()["turns"] for s in t["scores"]]
    assert [s["name"] for s in shown] == ["quality"]
