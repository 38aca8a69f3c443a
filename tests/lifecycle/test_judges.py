"""LLM-as-judge session evaluations against a local fake OpenAI server, on an injected clock."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text as sql

from powerrag import lifecycle
from powerrag.config import Settings
from powerrag.domain.timeutil import to_iso
from powerrag.lifecycle import Lifecycle
from powerrag.store.database import Store
from tests.support.fake_openai import FakeOpenAI, failure, text
from tests.support.judges import (
    BOOLEAN_OUTPUT,
    EXPECTED_PROMPT,
    GOOD_ANSWER,
    KEY,
    chat_session,
    eval_scores,
    ingest,
    runs,
    set_up_judge,
)
from tests.support.lifecycle import SECOND, Clock, event


def test_the_judge_sees_each_message_once_and_its_verdict_becomes_a_session_score(
    api: TestClient, worker: Lifecycle, clock: Clock, store: Store
) -> None:
    with FakeOpenAI([text(GOOD_ANSWER)], [(1000, 50)]) as fake:
        rule = set_up_judge(api, fake.base_url)
        ingest(api, chat_session("chat-1"))
        clock.advance(601)
        worker.run_once()
        worker.run_once(clock.advance(60))

    assert len(fake.requests) == 1
    sent = fake.requests[0]
    assert sent["messages"] == [{"role": "user", "content": EXPECTED_PROMPT}]
    assert sent["model"] == "gpt-4o-mini"
    schema = sent["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["score"] == {
        "type": "boolean",
        "description": "true when every request was answered",
    }
    assert fake.headers[0]["authorization"] == f"Bearer {KEY}"
    assert eval_scores(api, "chat-1") == [("helpful", 1, "Both requests were answered.")]
    assert [(r["state"], r["attempts"], r["targetId"]) for r in runs(api, rule["id"])] == [
        ("done", 1, "chat-1")
    ]
    judged = api.get("/api/public/traces", params={"environment": "powerrag-evaluation"}).json()
    assert [(t["name"], t["tags"]) for t in judged["data"]] == [
        ("evaluation: helpful", ["powerrag-evaluation"])
    ]
    # gpt-4o-2024-08-06 (the model the answer names): $2.50 and $10 per million tokens.
    assert judged["data"][0]["totalCost"] == 0.003
    with store.connect() as conn:
        stored = conn.execute(sql("SELECT secret FROM llm_connections")).scalar_one()
    assert KEY not in stored and KEY[-4:] not in stored


def test_a_malformed_answer_is_retried_then_fails_with_its_error(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    answers = [text("Sure! The answer is yes."), text('{"score": "yes"}'), text("{")]
    with FakeOpenAI(answers, [(10, 5)] * 3) as fake:
        rule = set_up_judge(api, fake.base_url)
        ingest(api, chat_session("chat-2"))
        clock.advance(601)
        worker.run_once()
        first = runs(api, rule["id"])[0]
        worker.run_once(clock.advance(6))
        worker.run_once(clock.advance(11))
    assert (first["state"], first["lastError"]) == (
        "pending",
        "the judge's answer is not JSON: 'Sure! The answer is yes.'",
    )
    [last] = runs(api, rule["id"])
    assert (last["state"], last["attempts"], last["lastError"]) == (
        "failed",
        3,
        "the judge's answer is not JSON: '{'",
    )
    assert len(fake.requests) == 3
    assert eval_scores(api, "chat-2") == []


def test_a_429_is_retried_after_a_backoff_then_succeeds(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    with FakeOpenAI([failure(429, "slow down"), text(GOOD_ANSWER)], [(0, 0), (10, 5)]) as fake:
        rule = set_up_judge(api, fake.base_url)
        ingest(api, chat_session("chat-3"))
        clock.advance(601)
        worker.run_once()
        waiting = runs(api, rule["id"])[0]
        worker.run_once(clock.advance(4))  # the 5 s backoff has not passed
        assert len(fake.requests) == 1
        worker.run_once(clock.advance(2))
    assert waiting["state"] == "pending"
    assert waiting["lastError"].startswith("the LLM answered HTTP 429: ")
    assert [(r["state"], r["attempts"]) for r in runs(api, rule["id"])] == [("done", 2)]
    assert eval_scores(api, "chat-3") == [("helpful", 1, "Both requests were answered.")]


def test_three_500s_mark_the_evaluation_failed_with_the_error(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    with FakeOpenAI([failure(500, "boom")] * 3, [(0, 0)] * 3) as fake:
        rule = set_up_judge(api, fake.base_url)
        ingest(api, chat_session("chat-4"))
        clock.advance(601)
        for wait in (0, 6, 11, 30):
            worker.run_once(clock.advance(wait))
    assert len(fake.requests) == 3
    [run] = runs(api, rule["id"])
    assert (run["state"], run["attempts"]) == ("failed", 3)
    assert run["lastError"] == 'the LLM answered HTTP 500: {"error": {"message": "boom"}}'
    assert eval_scores(api, "chat-4") == []


def test_an_endpoint_refusing_response_format_is_asked_with_an_instruction(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    refusal = failure(400, "response_format json_schema is not supported")
    with FakeOpenAI([refusal, text(f"```json\n{GOOD_ANSWER}\n```")], [(0, 0), (10, 5)]) as fake:
        set_up_judge(api, fake.base_url)
        ingest(api, chat_session("chat-5"))
        clock.advance(601)
        worker.run_once()
    second = fake.requests[1]
    assert "response_format" not in second
    assert [m["role"] for m in second["messages"]] == ["system", "user"]
    assert second["messages"][0]["content"].startswith("Answer with only a JSON object")
    assert second["messages"][1]["content"] == EXPECTED_PROMPT
    assert eval_scores(api, "chat-5") == [("helpful", 1, "Both requests were answered.")]


def test_filters_and_a_rerun_over_chosen_sessions(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    only_prod = [
        {"type": "stringOptions", "column": "environment", "operator": "any of", "value": ["prod"]}
    ]
    answers = [text(GOOD_ANSWER), text('{"reasoning": "Second look: fine.", "score": false}')]
    with FakeOpenAI(answers, [(10, 5)] * 2) as fake:
        rule = set_up_judge(api, fake.base_url, filter=only_prod)
        ingest(api, chat_session("chat-6"))  # environment "default": filtered out
        clock.advance(601)
        worker.run_once()
        assert fake.requests == []
        assert [(r["state"], r["lastError"]) for r in runs(api, rule["id"])] == [
            ("done", "skipped: the target does not pass the rule's filters")
        ]
        assert (
            api.patch(
                f"/api/public/unstable/evaluation-rules/{rule['id']}", json={"filter": []}
            ).json()["filter"]
            == []
        )
        answer = api.post(
            f"/api/public/unstable/evaluation-rules/{rule['id']}/run",
            json={"sessionIds": ["chat-6", "chat-6"]},
        )
        assert (answer.status_code, answer.json()) == (202, {"enqueued": 1})
        worker.run_once(clock.advance(1))
        assert eval_scores(api, "chat-6") == [("helpful", 1, "Both requests were answered.")]
        api.post(
            f"/api/public/unstable/evaluation-rules/{rule['id']}/run",
            json={"sessionIds": ["chat-6"]},
        )
        worker.run_once(clock.advance(1))
    # A re-run replaces the rule's score on the session: still one.
    assert eval_scores(api, "chat-6") == [("helpful", 0, "Second look: fine.")]
    bad = api.post(
        f"/api/public/unstable/evaluation-rules/{rule['id']}/run", json={"traceIds": ["x"]}
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_body")
    assert bad.json()["message"] == "sessionIds must be a non-empty list of ids"


def test_a_trace_rule_judges_new_traces_once_but_not_its_own_judge_traces(
    api: TestClient,
    worker: Lifecycle,
    clock: Clock,
    store: Store,
    lifecycle_settings: Settings,
) -> None:
    answer = '{"reasoning": "On topic.", "score": 0.75}'
    with FakeOpenAI([text(answer)], [(10, 5)]) as fake:
        set_up_judge(api, fake.base_url)
        evaluator = {
            "name": "relevance",
            "prompt": "Q: {{question}}\nA: {{answer}}",
            "outputDefinition": {
                "dataType": "NUMERIC",
                "reasoning": {"description": "why"},
                "score": {"description": "0 to 1", "minValue": 0, "maxValue": 1},
            },
            "modelConfig": {"provider": "local", "model": "gpt-4o-mini"},
        }
        assert api.post("/api/public/unstable/evaluators", json=evaluator).status_code == 200
        rule = {
            "name": "relevance-of-traces",
            "evaluator": {"name": "relevance"},
            "target": "trace",
            "enabled": True,
            "delay": 5000,
            "mapping": [
                {"variable": "question", "source": "input", "jsonPath": "$.q"},
                {"variable": "answer", "source": "output"},
            ],
        }
        made = api.post("/api/public/unstable/evaluation-rules", json=rule).json()
        when = to_iso(clock() + SECOND)
        trace = {"id": "t-new", "timestamp": when, "input": {"q": "Rain?"}, "output": "Yes."}
        ingest(api, [event("trace-create", trace)])
        assert worker.run_once(clock.advance(2)).judged == 1
        assert fake.requests == []  # its 5 s delay has not passed
        worker.run_once(clock.advance(6))
        worker.run_once(clock.advance(20))  # the judge trace it wrote is not judged
        assert [r["state"] for r in runs(api, made["id"])] == ["done"]
        # Eight days on, its job is past the retention window and deleted; a restarted
        # worker does not look back that far, so the trace is not judged again.
        assert worker.run_once(clock.advance(8 * 24 * 3600)).cleaned == 1
        restarted = Lifecycle(store, lifecycle_settings, clock)
        assert restarted.run_once(clock.advance(1)).judged == 0
    assert [r["messages"][0]["content"] for r in fake.requests] == ["Q: Rain?\nA: Yes."]
    scores = api.get("/api/public/v2/scores", params={"traceId": "t-new"}).json()["data"]
    assert [(s["name"], s["value"], s["comment"], s["source"]) for s in scores] == [
        ("relevance", 0.75, "On topic.", "EVAL")
    ]
    assert runs(api, made["id"]) == []  # cleaned up


def test_a_burst_of_new_traces_larger_than_a_scan_page_is_judged_whole(
    api: TestClient, worker: Lifecycle, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lifecycle, "SCAN_LIMIT", 2)
    set_up_judge(api, "http://127.0.0.1:9/v1")
    evaluator = {
        "name": "relevance",
        "prompt": "{{answer}}",
        "outputDefinition": BOOLEAN_OUTPUT,
        "modelConfig": {"provider": "local", "model": "gpt-4o-mini"},
    }
    assert api.post("/api/public/unstable/evaluators", json=evaluator).status_code == 200
    rule = {
        "name": "every-trace",
        "evaluator": {"name": "relevance"},
        "target": "trace",
        "enabled": True,
        "delay": 60_000,
        "mapping": [{"variable": "answer", "source": "output"}],
    }
    made = api.post("/api/public/unstable/evaluation-rules", json=rule).json()
    # Five traces, two at the same instant: pages of two end inside a tie.
    times = [1, 2, 2, 3, 4]
    events = [
        event("trace-create", {"id": f"t-{n}", "timestamp": to_iso(clock() + s * SECOND)})
        for n, s in enumerate(times)
    ]
    ingest(api, events)
    assert worker.run_once(clock.advance(5)).judged == 5
    assert sorted(r["targetId"] for r in runs(api, made["id"])) == [f"t-{n}" for n in range(5)]
