"""Session ids are free text: one holding "/" opens, pages its turns and takes comments (L11)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from powerrag import urls
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import csrf_of

SESSION = "tenant/42/chat 1"


def test_a_session_id_with_slashes_opens_in_the_ui(web: TestClient) -> None:
    event = {
        "id": "ev-slash",
        "type": "trace-create",
        "timestamp": "2026-11-20T10:00:00.000Z",
        "body": {"id": "slash-trace", "sessionId": SESSION, "input": "hello"},
    }
    sent = web.post(
        "/api/public/ingestion", json={"batch": [event]}, headers={"authorization": AUTH}
    )
    assert sent.status_code == 207, sent.text
    page = urls.session(PROJECT_ID, SESSION)
    assert "%2F" in page

    replay = web.get(f"{page}?format=json")
    assert replay.status_code == 200, replay.text
    assert replay.json()["session"]["id"] == SESSION
    turns = web.get(urls.session_turns(PROJECT_ID, SESSION) + "&format=json")
    assert [t["id"] for t in turns.json()["turns"]] == ["slash-trace"]

    html = web.get(page)
    assert html.status_code == 200
    form = {"content": "seen", "csrf_token": csrf_of(html.text)}
    posted = web.post(urls.session_comments(PROJECT_ID, SESSION), data=form)
    assert posted.status_code == 303, posted.text
    assert posted.headers["location"] == page + "#comments"
    comments = web.get(f"{page}?format=json").json()["comments"]
    assert [c["content"] for c in comments] == ["seen"]
