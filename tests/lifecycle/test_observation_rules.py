"""An observation rule judges each new observation that passes its filters, on every engine."""

from __future__ import annotations

from fastapi.testclient import TestClient

from powerrag.domain.timeutil import to_iso
from powerrag.lifecycle import Lifecycle
from tests.support.clickhouse import with_clickhouse
from tests.support.fake_openai import FakeOpenAI, text
from tests.support.judges import ingest, runs, set_up_judge
from tests.support.lifecycle import SECOND, Clock, event

pytestmark = with_clickhouse

NUMERIC = {
    "dataType": "NUMERIC",
    "reasoning": {"description": "why"},
    "score": {"description": "0 to 1", "minValue": 0, "maxValue": 1},
}


def test_an_observation_rule_scores_the_new_generations_that_pass_its_filter(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    answer = '{"reasoning": "Polite.", "score": 0.5}'
    with FakeOpenAI([text(answer)], [(10, 5)]) as fake:
        set_up_judge(api, fake.base_url)
        evaluator = {
            "name": "tone",
            "prompt": "Rate: {{said}} (asked {{asked}})",
            "outputDefinition": NUMERIC,
            "modelConfig": {"provider": "local", "model": "gpt-4o-mini"},
        }
        assert api.post("/api/public/unstable/evaluators", json=evaluator).status_code == 200
        rule = {
            "name": "tone-of-answers",
            "evaluator": {"name": "tone"},
            "target": "observation",
            "enabled": True,
            "delay": 0,
            "filter": [{"type": "string", "column": "name", "operator": "=", "value": "answer"}],
            "mapping": [
                {"variable": "said", "source": "output"},
                {"variable": "asked", "source": "input", "jsonPath": "$.q"},
            ],
        }
        made = api.post("/api/public/unstable/evaluation-rules", json=rule).json()
        when = to_iso(clock() + SECOND)
        trace = {"id": "t1", "timestamp": when, "userId": "u1", "tags": ["web"]}
        spans = [
            {"id": name, "traceId": "t1", "name": name, "startTime": when, **io}
            for name, io in (
                ("answer", {"input": {"q": "Hi?"}, "output": "Hello there."}),
                ("lookup", {"input": {"q": "db"}, "output": "rows"}),
            )
        ]
        ingest(
            api,
            [event("trace-create", trace)] + [event("generation-create", s) for s in spans],
        )
        assert worker.run_once(clock.advance(2)).judged == 2
        worker.run_once(clock.advance(1))

    assert [r["messages"][0]["content"] for r in fake.requests] == [
        "Rate: Hello there. (asked Hi?)"
    ]
    assert sorted((r["targetId"], r["state"]) for r in runs(api, made["id"])) == [
        ("answer", "done"),
        ("lookup", "done"),
    ]
    scores = api.get("/api/public/v2/scores", params={"traceId": "t1"}).json()["data"]
    assert [(s["name"], s["value"], s["observationId"], s["source"]) for s in scores] == [
        ("tone", 0.5, "answer", "EVAL")
    ]
