"""Session and trace ids are free text: every page and link works whatever they hold.

Each id is sent, listed, and its replay, turns, trace page, observation panel and API
answers opened through the links the pages themselves give (src/powerrag/urls.py).
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from powerrag import urls
from tests.support.project import AUTH, PROJECT_ID

pytestmark = pytest.mark.one_engine

IDS = [
    pytest.param("会话-中文-1", id="chinese"),
    pytest.param("séance-été", id="accented"),
    pytest.param("chat-🦜-1", id="emoji"),
    pytest.param("tenant/42/chat", id="slash"),
    pytest.param("a#b", id="hash"),
    pytest.param("what?x=1&y=2", id="question"),
    # "%" is opened by tests/browser/test_ids_in_urls.py on a real server: Starlette's
    # TestClient decodes the path twice, so "%2525" would arrive as "%".
    pytest.param("100% sure", id="percent"),
    pytest.param("with space", id="space"),
]


def _send(web: TestClient, session_id: str) -> str:
    """One trace with one span in session `session_id`; the trace id holds the same text."""
    trace_id = f"t-{session_id}"[:64]
    batch = [
        {
            "id": "ev-trace",
            "type": "trace-create",
            "timestamp": "2026-11-20T10:00:00.000Z",
            "body": {"id": trace_id, "sessionId": session_id, "input": "hello"},
        },
        {
            "id": "ev-span",
            "type": "span-create",
            "timestamp": "2026-11-20T10:00:00.000Z",
            "body": {"id": f"o-{session_id}"[:64], "traceId": trace_id, "name": "step"},
        },
    ]
    sent = web.post("/api/public/ingestion", json={"batch": batch}, headers={"authorization": AUTH})
    assert sent.status_code == 207 and sent.json()["errors"] == [], sent.text
    return trace_id


def _hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


@pytest.mark.parametrize("session_id", IDS)
def test_the_session_list_links_to_a_replay_that_opens(web: TestClient, session_id: str) -> None:
    trace_id = _send(web, session_id)
    replay = urls.session(PROJECT_ID, session_id)
    listing = web.get(urls.sessions(PROJECT_ID))
    assert replay in _hrefs(listing.text)

    page = web.get(replay)
    assert page.status_code == 200, page.text
    assert web.get(f"{replay}?format=json").json()["session"]["id"] == session_id
    turns = web.get(urls.session_turns(PROJECT_ID, session_id) + "&format=json").json()["turns"]
    assert [t["id"] for t in turns] == [trace_id]
    # The language switch brings the reader back to this very replay.
    switch = next(h for h in _hrefs(page.text) if h.startswith("/lang/"))
    back = web.get(switch, follow_redirects=False)
    assert back.status_code == 303
    assert web.get(f"{back.headers['location']}?format=json").json()["session"]["id"] == session_id


@pytest.mark.parametrize("session_id", IDS)
def test_the_trace_page_and_panel_open_and_link_back_to_the_session(
    web: TestClient, session_id: str
) -> None:
    trace_id = _send(web, session_id)
    trace_page = urls.trace(PROJECT_ID, trace_id)
    listing = web.get(urls.traces(PROJECT_ID))
    assert trace_page in _hrefs(listing.text)
    page = web.get(trace_page)
    assert page.status_code == 200, page.text
    assert urls.session(PROJECT_ID, session_id) in _hrefs(page.text)
    observation_id = f"o-{session_id}"[:64]
    panel_url = urls.observation_panel(PROJECT_ID, trace_id)
    panel = web.get(f"{panel_url}&observation={quote(observation_id, safe='')}")
    assert panel.status_code == 200 and "step" in panel.text


@pytest.mark.parametrize("session_id", IDS)
def test_the_public_api_answers_for_the_quoted_ids(web: TestClient, session_id: str) -> None:
    trace_id = _send(web, session_id)
    auth = {"authorization": AUTH}
    session = web.get(f"/api/public/sessions/{quote(session_id, safe='')}", headers=auth)
    assert session.status_code == 200, session.text
    assert [t["id"] for t in session.json()["traces"]] == [trace_id]
    trace = web.get(f"/api/public/traces/{quote(trace_id, safe='')}", headers=auth).json()
    assert (trace["sessionId"], trace["htmlPath"]) == (session_id, urls.trace(PROJECT_ID, trace_id))
    observation_id = quote(f"o-{session_id}"[:64], safe="")
    observation = web.get(f"/api/public/observations/{observation_id}", headers=auth)
    assert observation.status_code == 200 and observation.json()["traceId"] == trace_id


def _trace(
    web: TestClient, trace_id: str, observation_id: str, text: str, session_id: str | None = None
) -> None:
    batch = [
        {
            "id": f"ev-{trace_id}",
            "type": "trace-create",
            "timestamp": "2026-11-20T10:00:00.000Z",
            "body": {"id": trace_id, "input": text, "sessionId": session_id},
        },
        {
            "id": f"ev-{observation_id}",
            "type": "span-create",
            "timestamp": "2026-11-20T10:00:00.000Z",
            "body": {"id": observation_id, "traceId": trace_id, "name": "step", "input": text},
        },
    ]
    sent = web.post("/api/public/ingestion", json={"batch": batch}, headers={"authorization": AUTH})
    assert sent.status_code == 207 and sent.json()["errors"] == [], sent.text


@pytest.mark.parametrize(
    "suffix", ["/observations/o-1", "/observations/o-1/content/input", "/content/input"]
)
def test_a_trace_id_that_reads_as_another_traces_part_opens_its_own_page(
    web: TestClient, suffix: str
) -> None:
    _trace(web, "parent", "o-1", "the parent's")
    _trace(web, f"parent{suffix}", "o-2", "its own")
    page = web.get(urls.trace(PROJECT_ID, f"parent{suffix}") + "?format=json")
    assert page.status_code == 200, page.text
    assert page.json()["trace"]["id"] == f"parent{suffix}"
    whole = web.get(urls.trace_content(PROJECT_ID, f"parent{suffix}", "input"))
    assert whole.status_code == 200 and "its own" in whole.text
    panel = web.get(urls.observation_panel(PROJECT_ID, f"parent{suffix}") + "&observation=o-2")
    assert panel.status_code == 200 and "its own" in panel.text
    assert (
        web.get(urls.observation_panel(PROJECT_ID, "parent") + "&observation=o-2").status_code
        == 404
    )


def test_the_replay_loads_a_turn_whose_trace_id_holds_a_comma(web: TestClient) -> None:
    for trace_id in ("a,b", "a", "b"):
        _trace(web, trace_id, f"o-{trace_id}", f"turn {trace_id}", session_id="commas")
    named = web.get(urls.session_turns(PROJECT_ID, "commas") + "&id=a%2Cb&format=json")
    assert [t["id"] for t in named.json()["turns"]] == ["a,b"]
    both = web.get(urls.session_turns(PROJECT_ID, "commas") + "&id=a&id=b&format=json")
    assert sorted(t["id"] for t in both.json()["turns"]) == ["a", "b"]
