"""A session id may end like a part of the replay ("/figures", "/turns", "/events", a form's
"/flags", "/scores/…/edit") or hold "/", "?", "#", "%", Chinese: each id opens its own
replay, turns, figures and forms, because the parts carry the session in `?session=`
(powerrag/urls.py). Old `…/sessions/{id}/{part}` addresses move on with 308 where no
session has the whole id (web/routes_legacy.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag import urls
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import post_form

BASE = "chat"
IDS = (
    f"{BASE}/figures",
    f"{BASE}/turns",
    f"{BASE}/events",
    f"{BASE}/flags",
    f"{BASE}/comments/c1/edit",
    "tenant/42/chat",
    "what?x=1&session=chat",
    "a#b",
    # "%25" is opened by tests/browser/test_ids_in_urls.py on a real server (Starlette's
    # TestClient decodes a path twice).
    "100% sure",
    "会话/turns",
)
SQLITE = pytest.mark.one_engine  # any engine would do


def _send(web: TestClient, session_ids: tuple[str, ...]) -> None:
    batch = [
        {
            "id": f"ev-{n}",
            "type": "trace-create",
            "timestamp": f"2026-11-20T10:00:{n:02d}.000Z",
            "body": {"id": f"part-{n}", "sessionId": sid, "input": f"question {n}"},
        }
        for n, sid in enumerate(session_ids)
    ]
    sent = web.post("/api/public/ingestion", json={"batch": batch}, headers={"authorization": AUTH})
    assert sent.status_code == 207 and sent.json()["errors"] == [], sent.text


def _json(web: TestClient, url: str) -> Any:
    answer = web.get(url + ("&" if "?" in url else "?") + "format=json")
    assert answer.status_code == 200, (url, answer.text)
    return answer.json()


@SQLITE
def test_each_id_opens_its_own_replay_turns_figures_and_forms(web: TestClient) -> None:
    _send(web, (BASE, *IDS))
    for n, session_id in enumerate(IDS, start=1):
        replay = urls.session(PROJECT_ID, session_id)
        assert _json(web, replay)["session"]["id"] == session_id
        turns = _json(web, urls.session_turns(PROJECT_ID, session_id))["turns"]
        assert [t["id"] for t in turns] == [f"part-{n}"], session_id
        figures = _json(web, urls.session_figures(PROJECT_ID, session_id))["session"]
        assert (figures["id"], figures["traceCount"]) == (session_id, 1)

        comment = {"content": f"on {session_id}"}
        posted = post_form(web, urls.session_comments(PROJECT_ID, session_id), comment)
        assert posted.status_code == 303, posted.text
        assert posted.headers["location"] == replay + "#comments"
        flag = {"flag": "bookmarked", "value": "1"}
        assert post_form(web, urls.session_flags(PROJECT_ID, session_id), flag).status_code == 303
        shown = _json(web, replay)
        assert [c["content"] for c in shown["comments"]] == [f"on {session_id}"]
        assert shown["session"]["bookmarked"] is True
    # The session the ids start with got none of it.
    base = _json(web, urls.session(PROJECT_ID, BASE))
    assert base["comments"] == [] and base["session"]["bookmarked"] is False


def test_the_part_addresses_name_the_session_in_the_query() -> None:
    assert (
        urls.session_turns("p", "chat/figures") == "/project/p/replay/turns?session=chat%2Ffigures"
    )
    assert urls.score_action("p", "a#b", "s/1", "edit") == (
        "/project/p/replay/scores/edit?session=a%23b&score=s%2F1"
    )
    assert urls.session_events("p", "会话?x=1&y") == (
        "/project/p/replay/events?session=%E4%BC%9A%E8%AF%9D%3Fx%3D1%26y"
    )


@SQLITE
def test_a_part_without_its_session_is_a_clear_400(web: TestClient) -> None:
    answer = web.get(f"/project/{PROJECT_ID}/replay/figures", params={"format": "json"})
    assert answer.status_code == 400
    assert answer.json()["message"] == "session is required: the query string has no session=…"


@SQLITE
def test_old_part_addresses_move_on_unless_a_session_has_the_whole_id(web: TestClient) -> None:
    _send(web, (BASE, f"{BASE}/figures"))
    old = urls.session(PROJECT_ID, BASE)
    moved = web.get(f"{old}/turns", params={"offset": "0"})
    assert moved.status_code == 308
    assert moved.headers["location"] == urls.session_turns(PROJECT_ID, BASE) + "&offset=0"
    # "chat/figures" is a session: its replay, not the figures of "chat".
    assert web.get(f"{old}/figures").status_code == 200
    assert _json(web, f"{old}/figures")["session"]["id"] == f"{BASE}/figures"

    form = post_form(web, f"{old}/comments", {"content": "old form"})
    assert form.status_code == 308
    assert form.headers["location"] == urls.session_comments(PROJECT_ID, BASE)
    edit = post_form(web, f"{old}/scores/s1/edit", {"value": "1"})
    assert edit.headers["location"] == urls.score_action(PROJECT_ID, BASE, "s1", "edit")
    assert post_form(web, f"{old}/nothing", {}).status_code == 404
