"""Built-in checks score an ended session with no LLM configured: one EVAL score per check."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from powerrag.lifecycle import Lifecycle
from tests.support.lifecycle import Clock, turn

CHECKS = [
    {"name": "has-errors", "check": "errors"},
    {"name": "long", "check": "turns", "threshold": 2},
    {"name": "too-long", "check": "turns", "threshold": 3},
    {"name": "pricey", "check": "cost", "threshold": 0.5},
    {"name": "slow", "check": "slow_turn", "threshold": 10},
    {"name": "frustrated", "check": "frustration", "pattern": "not what I asked | useless"},
    {"name": "looping", "check": "loop", "threshold": 3},
    {"name": "off", "check": "turns", "threshold": 0, "enabled": False},
]


def _ingest(api: TestClient, events: list[dict[str, Any]]) -> None:
    response = api.post("/api/public/ingestion", json={"batch": events})
    assert response.status_code == 207 and response.json()["errors"] == [], response.text


def _eval_scores(api: TestClient, session_id: str) -> dict[str, tuple[bool, str]]:
    response = api.get("/api/public/v2/scores", params={"sessionId": session_id, "source": "EVAL"})
    assert response.status_code == 200, response.text
    return {s["name"]: (s["value"], s["comment"]) for s in response.json()["data"]}


def test_checks_score_a_session_when_it_ends(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    for check in CHECKS:
        assert api.post("/api/public/checks", json=check).status_code == 201
    search = ("search", '{"q": "weather"}')
    _ingest(api, turn("bad", "b1", user_text="What is the weather?", cost=0.25, tools=(search,)))
    _ingest(
        api,
        turn(
            "bad",
            "b2",
            user_text="This is NOT what I asked",
            start="2025-11-23T10:01:00.000Z",
            end="2025-11-23T10:01:12.500Z",
            level="ERROR",
            cost=0.375,
            tools=(search, search),
        ),
    )
    _ingest(api, turn("bad", "b3", start="2025-11-23T10:02:00.000Z", end="2025-11-23T10:02:02Z"))
    _ingest(api, turn("good", "g1", user_text="thanks", cost=0.125, tools=(search,)))

    clock.advance(601)
    done = worker.run_once()
    assert (done.ended, done.ran) == (2, 14)  # 2 sessions × 7 enabled checks

    assert _eval_scores(api, "bad") == {
        "has-errors": (1, "1 errors (limit 0)"),
        "long": (1, "3 turns (limit 2)"),
        "too-long": (0, "3 turns (limit 3)"),
        "pricey": (1, "total cost $0.625 (limit $0.5)"),
        "slow": (1, "slowest turn 12.500 s, trace b2 (limit 10 s)"),
        "frustrated": (1, "trace b2: user wrote 'not what i asked'"),
        "looping": (1, "tool 'search' called 3 times with the same input (limit 3)"),
    }
    assert _eval_scores(api, "good") == {
        "has-errors": (0, "0 errors (limit 0)"),
        "long": (0, "1 turns (limit 2)"),
        "too-long": (0, "1 turns (limit 3)"),
        "pricey": (0, "total cost $0.125 (limit $0.5)"),
        "slow": (0, "slowest turn 1.000 s, trace g1 (limit 10 s)"),
        "frustrated": (0, "none of 2 phrases in 1 user messages"),
        "looping": (0, "tool 'search' called 1 times with the same input (limit 3)"),
    }
    runs = api.get(f"/api/public/checks/{_id(api, 'pricey')}/runs").json()["data"]
    assert sorted((r["sessionId"], r["state"], r["attempts"]) for r in runs) == [
        ("bad", "done", 1),
        ("good", "done", 1),
    ]


def _id(api: TestClient, name: str) -> str:
    rules = api.get("/api/public/checks").json()["data"]
    return next(str(r["id"]) for r in rules if r["name"] == name)


def test_a_session_ended_again_is_judged_again_in_place(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    api.post("/api/public/checks", json={"name": "long", "check": "turns", "threshold": 1})
    _ingest(api, turn("s", "s1"))
    api.post("/api/public/sessions/s/end")
    worker.run_once()
    assert _eval_scores(api, "s") == {"long": (0, "1 turns (limit 1)")}

    clock.advance(1)
    _ingest(api, turn("s", "s2"))
    api.post("/api/public/sessions/s/end")
    worker.run_once()
    assert _eval_scores(api, "s") == {"long": (1, "2 turns (limit 1)")}


def test_bad_check_rules_are_refused_with_the_reason(api: TestClient) -> None:
    cases = [
        ({"name": "x", "check": "vibes"}, "check must be one of errors, turns"),
        ({"name": "x", "check": "turns"}, "the turns check needs a threshold"),
        ({"name": "x", "check": "frustration"}, "the frustration check needs a pattern"),
        ({"name": "x", "check": "cost", "threshold": -1}, "threshold must not be negative"),
        ({"name": "x", "check": "loop", "target": "trace"}, "target must be one of session"),
        ({"name": "x", "check": "loop", "threshold": "3"}, "threshold must be a number"),
        ({"check": "loop"}, "name is required"),
        ({"name": "  ", "check": "loop"}, "name must have 1 to 200 characters"),
        ({"name": "n" * 201, "check": "loop"}, "name must have 1 to 200 characters"),
        ({"name": "x", "check": "loop", "colour": 1}, "unknown field 'colour'"),
    ]
    for body, message in cases:
        response = api.post("/api/public/checks", json=body)
        assert response.status_code == 400, body
        assert message in response.text, response.text
    api.post("/api/public/checks", json={"name": "x", "check": "loop"})
    duplicate = api.post("/api/public/checks", json={"name": "x", "check": "errors"})
    assert (duplicate.status_code, "a check named 'x' exists" in duplicate.text) == (400, True)
