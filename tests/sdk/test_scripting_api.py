"""Score configs, comments and annotation queues through Python SDK 5's own API client
(`langfuse.api.score_configs`, `.comments`, `.annotation_queues`), and scores refused by
their config through the scores endpoint and a batch. SQLite only: the tables are plain
per-project rows (tests/storage/test_migrations_engines.py builds them on both engines)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.sdk import PY5, Project, run_program
from tests.support.server import ServerProcess

pytestmark = pytest.mark.sdk
REVIEWER = ("reviewer@example.com", "a-long-reviewer-password")
STAMP = "2026-03-02T09:00:00.000Z"


def _seed() -> list[dict[str, Any]]:
    trace = {"id": "t1", "name": "answer", "sessionId": "s1", "timestamp": STAMP}
    span = {"id": "g1", "traceId": "t1", "name": "llm", "startTime": STAMP}
    return [
        {"id": "e1", "type": "trace-create", "timestamp": STAMP, "body": trace},
        {"id": "e2", "type": "generation-create", "timestamp": STAMP, "body": span},
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir = tmp_path_factory.mktemp("scripting") / "data"
    process = ServerProcess(data_dir, project_id="scripting", user=REVIEWER)
    process.start()
    answer = _post(process, "/api/public/ingestion", {"batch": _seed()})
    assert answer.status_code == 207 and not answer.json()["errors"], answer.text
    yield process
    process.stop()


def _post(server: ServerProcess, path: str, body: Any) -> httpx.Response:
    return httpx.post(server.url + path, json=body, auth=server.auth, timeout=30)


def _reviewer_id(server: ServerProcess) -> str:
    with sqlite3.connect(server.data_dir / "powerrag.db") as db:
        (user_id,) = db.execute("SELECT id FROM users WHERE email = ?", (REVIEWER[0],)).fetchone()
    return str(user_id)


PROGRAM = """
import json, sys
from langfuse import get_client
from langfuse.api import ConfigCategory

api = get_client().api
reviewer = sys.argv[1]
out = {}
csat = api.score_configs.create(name="csat", data_type="NUMERIC", min_value=1, max_value=5)
resolved = api.score_configs.create(name="resolved", data_type="BOOLEAN")
tone = api.score_configs.create(
    name="tone", data_type="CATEGORICAL",
    categories=[ConfigCategory(label="good", value=1), ConfigCategory(label="bad", value=0)],
)
out["resolved_categories"] = [(c.label, c.value) for c in resolved.categories]
archived = api.score_configs.update(tone.id, is_archived=True)
out["archived"] = archived.is_archived
listed = api.score_configs.get()
out["configs"] = sorted(c.name for c in listed.data)
out["configs_total"] = listed.meta.total_items
out["csat_range"] = [api.score_configs.get_by_id(csat.id).min_value, csat.max_value]

created = api.comments.create(
    project_id="scripting", object_type="TRACE", object_id="t1", content="looks right"
)
api.comments.create(project_id="scripting", object_type="SESSION", object_id="s1", content="s")
on_trace = api.comments.get(object_type="TRACE", object_id="t1")
out["comments"] = [(c.object_type, c.object_id, c.content) for c in on_trace.data]
out["comment"] = api.comments.get_by_id(created.id).content

queue = api.annotation_queues.create_queue(
    name="triage", score_config_ids=[csat.id, resolved.id], description="first look"
)
out["queue_configs"] = sorted(queue.score_config_ids) == sorted([csat.id, resolved.id])
first = api.annotation_queues.create_queue_item(queue.id, object_id="s1", object_type="SESSION")
second = api.annotation_queues.create_queue_item(queue.id, object_id="g1", object_type="OBSERVATION")
pending = api.annotation_queues.list_queue_items(queue.id, status="PENDING")
out["pending"] = [(i.object_type, i.object_id) for i in pending.data]
done = api.annotation_queues.update_queue_item(queue.id, first.id, status="COMPLETED")
out["done"] = [done.status, done.completed_at is not None]
completed = api.annotation_queues.list_queue_items(queue.id, status="COMPLETED")
out["completed"] = [i.object_id for i in completed.data]
out["removed"] = api.annotation_queues.delete_queue_item(queue.id, second.id).success
out["left"] = api.annotation_queues.list_queue_items(queue.id).meta.total_items
assigned = api.annotation_queues.create_queue_assignment(queue.id, user_id=reviewer)
out["assigned"] = [assigned.user_id == reviewer, assigned.queue_id == queue.id]
out["unassigned"] = api.annotation_queues.delete_queue_assignment(queue.id, user_id=reviewer).success
out["queues"] = [q.name for q in api.annotation_queues.list_queues().data]
out["ids"] = {"csat": csat.id, "resolved": resolved.id, "tone": tone.id, "queue": queue.id}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def scripted(server: ServerProcess) -> dict[str, Any]:
    project = Project(server.project_id, server.public_key, server.secret_key, server.url)
    out = run_program(PY5, PROGRAM, ".py", project, "scripting", (_reviewer_id(server),))
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def test_the_sdk_client_manages_configs_comments_and_queues(scripted: dict[str, Any]) -> None:
    shown = {k: v for k, v in scripted.items() if k != "ids"}
    assert set(scripted["ids"]) == {"csat", "resolved", "tone", "queue"}
    assert shown == {
        "resolved_categories": [["False", 0.0], ["True", 1.0]],
        "archived": True,
        "configs": ["csat", "resolved", "tone"],
        "configs_total": 3,
        "csat_range": [1.0, 5.0],
        "comments": [["TRACE", "t1", "looks right"]],
        "comment": "looks right",
        "queue_configs": True,
        "pending": [["SESSION", "s1"], ["OBSERVATION", "g1"]],
        "done": ["COMPLETED", True],
        "completed": ["s1"],
        "removed": True,
        "left": 1,
        "assigned": [True, True],
        "unassigned": True,
        "queues": ["triage"],
    }


def _score(name: str, value: Any, config_id: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "value": value, "traceId": "t1", "configId": config_id, **extra}


def test_a_score_outside_its_config_is_refused_naming_the_rule(
    server: ServerProcess, scripted: dict[str, Any]
) -> None:
    ids = scripted["ids"]
    refusals = [
        (_score("csat", 7, ids["csat"]), "value 7 is outside [1, 5]"),
        (
            _score("csat", "great", ids["csat"]),
            "data type mismatch, expected NUMERIC, got CATEGORICAL",
        ),
        (_score("tone", "good", ids["tone"]), "the config is archived and takes no new scores"),
        (_score("quality", 3, ids["csat"]), "name mismatch, expected 'csat'"),
        (_score("csat", 3, "no-such-config"), "configId 'no-such-config' is not a score config"),
    ]
    for body, message in refusals:
        answer = _post(server, "/api/public/scores", body)
        assert answer.status_code == 400, answer.text
        assert message in answer.json()["message"], answer.text
    ok = _post(server, "/api/public/scores", _score("csat", 4, ids["csat"], id="csat-ok"))
    assert ok.status_code == 200, ok.text


def test_a_batch_refuses_only_the_event_its_config_refuses(
    server: ServerProcess, scripted: dict[str, Any]
) -> None:
    ids = scripted["ids"]
    events = [
        {
            "id": "ok",
            "type": "score-create",
            "timestamp": STAMP,
            "body": _score("resolved", 1, ids["resolved"], id="resolved-ok"),
        },
        {
            "id": "bad",
            "type": "score-create",
            "timestamp": STAMP,
            "body": _score("resolved", 1, ids["resolved"], id="resolved-bad", dataType="NUMERIC"),
        },
    ]
    answer = _post(server, "/api/public/ingestion", {"batch": events})
    assert answer.status_code == 207
    body = answer.json()
    assert body["successes"] == [{"id": "ok", "status": 201}]
    assert [(e["id"], e["status"]) for e in body["errors"]] == [("bad", 400)]
    assert "expected BOOLEAN, got NUMERIC" in body["errors"][0]["message"]
    stored = httpx.get(
        f"{server.url}/api/public/v2/scores", params={"traceId": "t1"}, auth=server.auth, timeout=30
    ).json()["data"]
    # The inferred type (a number) is read as the config's: resolved-ok is a BOOLEAN.
    assert sorted((s["id"], s["configId"], s["dataType"], s["value"]) for s in stored) == [
        ("csat-ok", ids["csat"], "NUMERIC", 4),
        ("resolved-ok", ids["resolved"], "BOOLEAN", 1),
    ]


def test_refusals_of_the_new_endpoints_name_what_was_wrong(
    server: ServerProcess, scripted: dict[str, Any]
) -> None:
    queue = scripted["ids"]["queue"]
    cases = [
        (
            "/api/public/score-configs",
            {"name": "x", "dataType": "CATEGORICAL"},
            "a CATEGORICAL config needs at least one category",
        ),
        (
            "/api/public/score-configs",
            {"name": "bad/name", "dataType": "NUMERIC"},
            "name must be 1 to 35 letters",
        ),
        (
            "/api/public/score-configs",
            {"name": "r", "dataType": "NUMERIC", "minValue": 5, "maxValue": 1},
            "minValue (5) must not exceed maxValue (1)",
        ),
        (
            "/api/public/comments",
            {"projectId": "scripting", "objectType": "TRACE", "objectId": "nope", "content": "x"},
            "objectId 'nope': no trace with this id in the project",
        ),
        (
            "/api/public/comments",
            {"projectId": "other", "objectType": "TRACE", "objectId": "t1", "content": "x"},
            "projectId must be this key's project",
        ),
        (
            f"/api/public/annotation-queues/{queue}/items",
            {"objectType": "SESSION", "objectId": "nope"},
            "objectId 'nope': no session with this id in the project",
        ),
        (
            "/api/public/annotation-queues",
            {"name": "q2", "scoreConfigIds": ["missing"]},
            "scoreConfigIds: not score configs of this project: ['missing']",
        ),
    ]
    for path, body, message in cases:
        answer = _post(server, path, body)
        assert answer.status_code == 400, (path, answer.text)
        assert message in answer.json()["message"], answer.text
    again = _post(server, "/api/public/annotation-queues", {"name": "triage", "scoreConfigIds": []})
    assert again.status_code == 409, again.text
