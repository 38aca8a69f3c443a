"""Traces list filters and the trace page's tree, timeline and observation panel (in process)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from powerrag import urls
from tests.support.project import PROJECT_ID

TRACES = "/project/test-project/traces"


def _ids(web: TestClient, **params: str) -> set[str]:
    response = web.get(TRACES, params={**params, "format": "json"})
    assert response.status_code == 200, response.text
    return {t["id"] for t in response.json()["traces"]}


def test_each_filter_of_the_traces_list_narrows_it(web: TestClient) -> None:
    everything = _ids(web)
    data = web.get(TRACES, params={"format": "json", "session": "chat-session-123"}).json()
    in_session = {t["id"] for t in data["traces"]}
    assert in_session and in_session < everything
    sample = data["traces"][0]
    assert _ids(web, user="user-42") >= {
        t["id"] for t in data["traces"] if t["userId"] == "user-42"
    }
    assert all(
        t["environment"] == "staging"
        for t in web.get(TRACES, params={"format": "json", "environment": "staging"}).json()[
            "traces"
        ]
    )
    named = web.get(TRACES, params={"format": "json", "name": sample["name"]}).json()["traces"]
    assert named and all(t["name"] == sample["name"] for t in named)
    errors = web.get(TRACES, params={"format": "json", "level": "ERROR"}).json()["traces"]
    assert errors and all(t["level"] == "ERROR" for t in errors)
    tagged = [t for t in web.get(TRACES, params={"format": "json"}).json()["traces"] if t["tags"]]
    tag = tagged[0]["tags"][0]
    assert all(
        tag in t["tags"]
        for t in web.get(TRACES, params={"format": "json", "tag": tag}).json()["traces"]
    )
    assert _ids(web, q="capital of France") and _ids(web, q="no such phrase anywhere") == set()
    assert _ids(web, **{"from": "2000-01-01", "to": "2000-01-02"}) == set()
    bad = web.get(TRACES, params={"format": "json", "level": "LOUD"})
    assert bad.status_code == 400 and "level is one of" in bad.json()["message"]


def test_the_trace_page_has_tree_timeline_and_panel(web: TestClient) -> None:
    trace = web.get(TRACES, params={"format": "json", "name": "rich-trace"}).json()["traces"][0]
    page = web.get(f"{TRACES}/{trace['id']}?format=json").json()
    observations = page["observations"]
    assert len(observations) > 3
    assert observations[0]["depth"] == 0 and max(o["depth"] for o in observations) >= 1
    assert all(0 <= o["offsetPct"] <= 100 and o["widthPct"] > 0 for o in observations)
    generation = next(o for o in observations if o["type"] == "GENERATION")
    html = web.get(f"{TRACES}/{trace['id']}?observation={generation['id']}").text
    assert 'id="panel-model"' in html and "gantt-row" in html
    panel_url = urls.observation_panel(PROJECT_ID, trace["id"])
    panel = web.get(f"{panel_url}&observation={generation['id']}&format=json").json()
    assert panel["selected"]["model"] == generation["model"]
    assert panel["selected"]["input"]["kind"] == "messages"
    other_url = urls.observation_panel(PROJECT_ID, "not-this-trace")
    other = web.get(f"{other_url}&observation={generation['id']}")
    assert other.status_code == 404
