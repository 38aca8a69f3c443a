"""Every automation in one pass, on every engine (PostgreSQL + ClickHouse included): an idle
end and an explicit one, a check, session, trace and observation rules, an alert, a reopening.

One scenario rather than each module's tests again on ClickHouse: they check the rules in
detail on SQLite and PostgreSQL, this that the worker reads and ends through the store
(tests/contract/test_automation_reads.py holds each read to exact answers on every engine).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.testclient import TestClient

from powerrag.domain.timeutil import to_iso
from powerrag.lifecycle import Lifecycle
from tests.support.clickhouse import with_clickhouse
from tests.support.fake_openai import FakeOpenAI, text
from tests.support.judges import BOOLEAN_OUTPUT, GOOD_ANSWER, ingest, set_up_judge
from tests.support.lifecycle import SECOND, Clock, receiver, turn

pytestmark = with_clickhouse


def _rules(api: TestClient, judge_url: str, hook_url: str) -> None:
    """A check, an alert, a session rule (`helpful`), trace and observation rules (`tone`,
    the observation rule only for spans named `search`)."""
    assert api.post("/api/public/checks", json={"name": "long", "check": "turns", "threshold": 1})
    alert = {"name": "cost", "metric": "session_cost", "threshold": 1.0, "webhookUrl": hook_url}
    assert api.post("/api/public/alerts", json=alert).status_code == 201
    set_up_judge(api, judge_url)
    tone = {
        "name": "tone",
        "prompt": "{{said}}",
        "outputDefinition": BOOLEAN_OUTPUT,
        "modelConfig": {"provider": "local", "model": "gpt-4o-mini"},
    }
    assert api.post("/api/public/unstable/evaluators", json=tone).status_code == 200
    search = [{"type": "string", "column": "name", "operator": "=", "value": "search"}]
    for target, filters in (("trace", []), ("observation", search)):
        rule = {
            "name": f"tone-of-{target}s",
            "evaluator": {"name": "tone"},
            "target": target,
            "enabled": True,
            "delay": 0,
            "filter": filters,
            "mapping": [{"variable": "said", "source": "input"}],
        }
        made = api.post("/api/public/unstable/evaluation-rules", json=rule)
        assert made.status_code == 200, made.text


def _scores(api: TestClient) -> list[tuple[str, Any, str | None, str | None, str | None]]:
    found = api.get("/api/public/v2/scores", params={"source": "EVAL", "limit": 50}).json()
    return sorted(
        (
            (s["name"], s["value"], s["sessionId"], s["traceId"], s["observationId"])
            for s in found["data"]
        ),
        key=repr,
    )


def _status(api: TestClient, session_id: str) -> tuple[str, str | None]:
    found = api.get(f"/api/public/sessions/{session_id}").json()
    return found["status"], found["endedAt"]


def test_ends_checks_judges_and_alerts(api: TestClient, worker: Lifecycle, clock: Clock) -> None:
    with FakeOpenAI([text(GOOD_ANSWER)] * 6, [(10, 5)] * 6) as fake, receiver() as hook:
        _rules(api, fake.base_url, hook.url)
        # Started after the rules were made: trace and observation rules judge what is new.
        at = {"start": to_iso(clock() + SECOND), "end": to_iso(clock() + 2 * SECOND)}
        tools = (("search", '{"q": "rain"}'),)
        ingest(api, turn("idle", "i1", cost=1.5, tools=tools, **at) + turn("idle", "i2", **at))
        ingest(api, turn("asked", "a1", **at))
        explicit = clock()
        assert api.post("/api/public/sessions/asked/end").json()["status"] == "ended"
        idle = clock.advance(601)
        done = worker.run_once()
        worker.run_once(clock.advance(1))
    assert (done.ended, done.fired, done.judged) == (1, 1, 7)  # 3 traces, 4 observations
    assert [_status(api, s) for s in ("idle", "asked")] == [
        ("ended", to_iso(idle)),
        ("ended", to_iso(explicit)),
    ]
    assert _scores(api) == [
        ("helpful", 1, "asked", None, None),
        ("helpful", 1, "idle", None, None),
        ("long", 0, "asked", None, None),
        ("long", 1, "idle", None, None),
        ("tone", 1, None, "a1", None),
        ("tone", 1, None, "i1", "i1-t0"),
        ("tone", 1, None, "i1", None),
        ("tone", 1, None, "i2", None),
    ]
    assert len(fake.requests) == 6
    sent = [orjson.loads(body) for _, body in hook.received]
    assert [(b["sessionId"], b["value"]) for b in sent] == [("idle", 1.5)]

    ingest(api, turn("idle", "i3"))
    assert _status(api, "idle") == ("active", None)
