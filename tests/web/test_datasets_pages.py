"""The datasets pages and the replay's "add to dataset": a turn becomes an item (its input,
its answer as expected output, a link back), a whole session a multi-turn item up to a
chosen turn; items are edited and archived; two runs compare item by item with a diff,
scores, cost, latency and trace links. Forms are POST-redirect-GET with CSRF."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.support.clickhouse import with_clickhouse
from tests.support.datasets import A1, A2, Q1, Q2, SESSION, TURN_1, TURN_2, ingest_session
from tests.support.project import AUTH
from tests.support.web import post_form

pytestmark = pytest.mark.one_engine

API = {"authorization": AUTH}
ADD_TURN = "/project/test-project/datasets/add-turn"
ADD_SESSION = "/project/test-project/datasets/add-session"


def _items(web: TestClient, dataset: str) -> list[dict[str, Any]]:
    answer = web.get("/api/public/dataset-items", params={"datasetName": dataset}, headers=API)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["data"]
    return found


def test_a_turn_and_a_whole_session_become_items(web: TestClient) -> None:
    ingest_session(web, API)
    added = post_form(
        web, ADD_TURN, {"session_id": SESSION, "trace_id": TURN_2, "dataset": "support-cases"}
    )
    assert added.status_code == 303
    where = urlsplit(added.headers["location"])
    assert where.path == f"/project/test-project/sessions/{SESSION}"
    assert where.fragment == f"turn-{TURN_2}"
    dataset_id = parse_qs(where.query)["added"][0]
    [turn] = _items(web, "support-cases")
    assert (turn["input"], turn["expectedOutput"]) == ([Q1, A1, Q2], A2)
    assert (turn["sourceTraceId"], turn["metadata"], turn["datasetId"]) == (
        TURN_2,
        {"sessionId": SESSION},
        dataset_id,
    )
    page = web.get(added.headers["location"])
    assert 'id="added-to-dataset"' in page.text and '<option value="support-cases">' in page.text
    whole = post_form(
        web, ADD_SESSION, {"session_id": SESSION, "turn": "2", "dataset": "support-cases"}
    )
    assert whole.status_code == 303 and whole.headers["location"].endswith("#add-session")
    first = post_form(web, ADD_SESSION, {"session_id": SESSION, "turn": "1", "dataset": "firsts"})
    assert first.status_code == 303
    session_items = [i for i in _items(web, "support-cases") if i["id"] != turn["id"]]
    assert [(i["input"], i["expectedOutput"]) for i in session_items] == [
        ({"messages": [Q1, A1, Q2]}, A2)
    ]
    assert session_items[0]["metadata"] == {"sessionId": SESSION, "turn": 2, "turns": 2}
    [opening] = _items(web, "firsts")
    assert (opening["input"], opening["expectedOutput"], opening["sourceTraceId"]) == (
        {"messages": [Q1]},
        A1,
        TURN_1,
    )


def test_refused_additions_name_what_was_wrong(web: TestClient) -> None:
    ingest_session(web, API)
    cases = [
        (ADD_SESSION, {"session_id": SESSION, "turn": "3", "dataset": "x"}, 400, "1 to 2"),
        (ADD_SESSION, {"session_id": SESSION, "turn": "two", "dataset": "x"}, 400, "turn"),
        (ADD_TURN, {"session_id": SESSION, "trace_id": TURN_1, "dataset": " "}, 400, "choose"),
        (ADD_TURN, {"session_id": SESSION, "trace_id": "other", "dataset": "x"}, 404, "Not found"),
    ]
    for path, form, status, words in cases:
        answer = post_form(web, path, form)
        assert answer.status_code == status and words in answer.text, (form, answer.text)
    no_token = web.post(ADD_TURN, data={"session_id": SESSION, "trace_id": TURN_1, "dataset": "x"})
    assert no_token.status_code == 403
    assert web.get("/api/public/v2/datasets", headers=API).json()["data"] == []


# Runs compare with their traces' outputs, figures and scores on PostgreSQL + ClickHouse too.
@with_clickhouse
def test_items_are_edited_and_archived_and_runs_compare(web: TestClient) -> None:
    ingest_session(web, API)
    post_form(web, ADD_TURN, {"session_id": SESSION, "trace_id": TURN_2, "dataset": "cases"})
    [item] = _items(web, "cases")
    base = f"/project/test-project/datasets/{item['datasetId']}"
    edited = post_form(
        web,
        f"{base}/items/{item['id']}/edit",
        {"input": "Change my address", "expected_output": '{"answer": "yes"}', "metadata": ""},
    )
    assert edited.status_code == 303 and edited.headers["location"] == f"{base}#items"
    [changed] = _items(web, "cases")
    assert (changed["input"], changed["expectedOutput"], changed["metadata"]) == (
        "Change my address",
        {"answer": "yes"},
        None,
    )
    for trace_id, run in ((TURN_1, "before"), (TURN_2, "after")):
        link = {"runName": run, "datasetItemId": item["id"], "traceId": trace_id}
        assert web.post("/api/public/dataset-run-items", json=link, headers=API).status_code == 200
    score = {"name": "helpful", "value": 1, "traceId": TURN_2}
    assert web.post("/api/public/scores", json=score, headers=API).status_code == 200
    runs = web.get(f"{base}?format=json").json()["runs"]
    assert [(r["name"], r["itemCount"]) for r in runs] == [("after", 1), ("before", 1)]
    listed = web.get("/project/test-project/datasets", params={"format": "json"}).json()
    assert [(d["name"], d["itemCount"], d["runCount"]) for d in listed["datasets"]] == [
        ("cases", 1, 2)
    ]
    assert '<td class="num">1</td>' in web.get(base).text
    run_ids = {r["name"]: r["id"] for r in runs}
    compared = web.get(
        f"{base}/compare",
        params=[("run", run_ids["after"]), ("run", run_ids["before"]), ("format", "json")],
    ).json()
    assert [r["name"] for r in compared["runs"]] == ["before", "after"]
    [row] = compared["rows"]
    before, after = row["cells"]
    assert (before["traceId"], before["output"], before["diff"]) == (
        TURN_1,
        "It ships today.",
        None,
    )
    assert after["traceId"] == TURN_2 and after["scores"] == {"helpful": 1.0}
    assert after["diff"] == [
        {"op": "removed", "text": "It"},
        {"op": "added", "text": "Yes, until it"},
        {"op": "same", "text": " ships "},
        {"op": "removed", "text": "today."},
        {"op": "added", "text": "tonight."},
    ]
    # gpt-4o-mini: 100 input tokens at $0.15 and 20 output at $0.60 per million.
    assert (before["latencySeconds"], after["latencySeconds"]) == (2.0, 3.0)
    assert after["totalCost"] == pytest.approx(100 * 0.15e-6 + 20 * 0.6e-6)
    html = web.get(f"{base}/compare", params=[("run", v) for v in run_ids.values()]).text
    assert (
        "<ins>Yes, until it</ins>" in html
        and "<del>today.</del>" in html
        and f"/traces/{TURN_2}" in html
    )
    newest = web.get(f"{base}/compare", params={"format": "json"}).json()
    assert [r["name"] for r in newest["runs"]] == ["before", "after"]
    one = web.get(f"{base}/compare", params={"run": run_ids["after"], "format": "json"}).json()
    assert [c["traceId"] for c in one["rows"][0]["cells"]] == [TURN_2]
    too_many = web.get(f"{base}/compare", params=[("run", str(n)) for n in range(6)])
    assert too_many.status_code == 400 and "at most 5 runs" in too_many.text
    archived = post_form(web, f"{base}/items/{item['id']}/status", {"status": "ARCHIVED"})
    assert archived.status_code == 303
    assert _items(web, "cases") == []
    page = web.get(base).text
    assert "status-archived" in page
