"""The rich SDK fixtures, replayed byte for byte, read back through the public API.

Each table row is what one SDK sent (see tests/data/sdk-traffic.md §4) and what Langfuse
would answer for it; the per-SDK columns cover the documented differences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.replay import replay_writes


@dataclass(frozen=True)
class Sdk:
    python: bool  # Python marks a parent ERROR when a child raised; JS does not (§4.3)
    propagated: bool  # propagate_attributes puts the trace version on every child (§4.4)
    score_environment: str  # JS scores carry no environment unless the env var is set (§5)

    @property
    def stop(self) -> Any:
        """The capture scripts pass `stop` as a list in Python and a string in JS; Langfuse
        answers a list as its JSON text."""
        return '["\\n"]' if self.python else "\n"


RICH = {
    "python-langfuse-3.15.0-rich.jsonl": Sdk(
        python=True, propagated=False, score_environment="staging"
    ),
    "python-langfuse-4.18.0-rich.jsonl": Sdk(
        python=True, propagated=True, score_environment="staging"
    ),
    "python-langfuse-5.0.4-rich.jsonl": Sdk(
        python=True, propagated=True, score_environment="staging"
    ),
    "js-tracing-4.6.1-rich.jsonl": Sdk(python=False, propagated=False, score_environment="default"),
    "js-tracing-5.11.1-rich.jsonl": Sdk(python=False, propagated=True, score_environment="default"),
}

QUESTION = {"question": "What is the capital of France?"}
CHAT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is the capital of France?"},
]

# name                   session             user      tags                  observations  totalCost
TRACES = [
    ("rich-trace",           "chat-session-123", "user-42", ["tag-a", "tag-b"], 6,            0.00021),
    ("standalone-event",     None,               None,      [],                 1,            0.0),
    ("agent-run",            None,               None,      [],                 7,            1.6e-07),
    ("decorated-generation", None,               None,      [],                 1,            4.95e-06),
]  # fmt: skip


def _rich_trace_observations(sdk: Sdk) -> list[tuple[Any, ...]]:
    child_version = "trace-v2" if sdk.propagated else None
    boom = "ValueError: boom" if sdk.python else "boom"
    # name          type          level                               statusMessage                       version
    return [
        ("rich-root",    "SPAN",       "ERROR" if sdk.python else "DEFAULT", "ValueError: boom" if sdk.python else None, "trace-v2"),
        ("retrieve",     "SPAN",       "DEFAULT",                           None,                                       child_version),
        ("cache-miss",   "EVENT",      "WARNING",                           "not cached",                               child_version),
        ("llm-call",     "GENERATION", "DEFAULT",                           None,                                       "prompt-v3"),
        ("failing-step", "SPAN",       "ERROR",                             "upstream timeout",                         child_version),
        ("raising-step", "SPAN",       "ERROR",                             boom,                                       child_version),
    ]  # fmt: skip


# name, input, output, metadata (decoded per SDK encoding, tests/data/sdk-traffic.md §4.2)
RICH_TRACE_IO = [
    ("rich-root", QUESTION, {"answer": "Paris"}, {"component": "router", "attempt": 1, "nested": {"k": [1, 2]}}),
    ("retrieve", {"query": "capital of France"}, ["doc-1", "doc-2"], {"hits": 2}),
    ("cache-miss", {"key": "k1"}, None, {"cache": "redis"}),
    ("llm-call", CHAT, {"role": "assistant", "content": "Paris"}, {"provider": "openai"}),
    ("failing-step", None, None, {}),
    ("raising-step", None, None, {}),
]  # fmt: skip

# name              type         model                     usageDetails                      costDetails
AGENT_OBSERVATIONS = [
    ("agent-run",      "AGENT",     None,                    {},                               {}),
    ("search-tool",    "TOOL",      None,                    {},                               {}),
    ("chain-step",     "CHAIN",     None,                    {},                               {}),
    ("retriever-step", "RETRIEVER", None,                    {},                               {}),
    ("eval-step",      "EVALUATOR", None,                    {},                               {}),
    ("guard-step",     "GUARDRAIL", None,                    {},                               {}),
    ("embed-step",     "EMBEDDING", "text-embedding-3-small", {"input": 8, "total": 8},        {"total": 1.6e-07}),
]  # fmt: skip

# name             dataType       value  stringValue  on (observation name, or "trace" / "session")  comment
SCORES = [
    ("relevance",      "NUMERIC",     0.9,   None,        "llm-call",                          "good answer"),
    ("user-feedback",  "BOOLEAN",     1.0,   "True",      "trace",                             "thumbs up"),
    ("quality",        "CATEGORICAL", 0.0,   "good",      "rich-root",                         None),
    ("accuracy",       "NUMERIC",     0.75,  None,        "rich-root",                         "offline eval"),
    ("session-rating", "NUMERIC",     4.0,   None,        "session",                           None),
]  # fmt: skip


# Langfuse adds these to OTel metadata (reference §1.11); the tables list the user's keys.
SYSTEM_METADATA_KEYS = {"resourceAttributes", "scope", "attributes"}


def user_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k not in SYSTEM_METADATA_KEYS}


def _traces_by_name(client: TestClient) -> dict[str, dict[str, Any]]:
    listed = client.get("/api/public/traces", params={"limit": 100}).json()["data"]
    return {t["name"]: t for t in listed}


@pytest.fixture(params=sorted(RICH))
def rich(request: pytest.FixtureRequest, client: TestClient) -> tuple[Sdk, str]:
    replay_writes(client, request.param)
    return RICH[request.param], request.param


def test_traces(client: TestClient, rich: tuple[Sdk, str]) -> None:
    traces = _traces_by_name(client)
    assert sorted(traces) == sorted(row[0] for row in TRACES)
    for name, session_id, user_id, tags, n_observations, total_cost in TRACES:
        trace = traces[name]
        assert (trace["sessionId"], trace["userId"], trace["tags"]) == (session_id, user_id, tags)
        assert len(trace["observations"]) == n_observations, name
        assert trace["totalCost"] == pytest.approx(total_cost), name
        assert (trace["environment"], trace["release"]) == ("staging", "rel-1.2.3"), name
        assert trace["htmlPath"] == f"/project/test-project/traces/{trace['id']}"
    main = traces["rich-trace"]
    assert (main["version"], main["public"]) == ("trace-v2", True)
    assert {k: main["metadata"].get(k) for k in ("tenant", "plan")} == {
        "tenant": "acme",
        "plan": "pro",
    }
    # Python 5 never sends trace I/O: it falls back to the root observation's.
    assert (main["input"], main["output"]) == (QUESTION, {"answer": "Paris"})
    assert main["latency"] > 0


def test_rich_trace_observations(client: TestClient, rich: tuple[Sdk, str]) -> None:
    sdk, _ = rich
    trace_id = _traces_by_name(client)["rich-trace"]["id"]
    full = client.get(f"/api/public/traces/{trace_id}").json()
    by_name = {o["name"]: o for o in full["observations"]}
    expected = _rich_trace_observations(sdk)
    assert sorted(by_name) == sorted(row[0] for row in expected)
    for name, kind, level, status, version in expected:
        o = by_name[name]
        assert (o["type"], o["level"], o["statusMessage"], o["version"]) == (
            kind,
            level,
            status,
            version,
        ), name
    for name, input_, output, metadata in RICH_TRACE_IO:
        o = by_name[name]
        assert (o["input"], o["output"], user_metadata(o["metadata"])) == (
            input_,
            output,
            metadata,
        ), name
    assert by_name["retrieve"]["parentObservationId"] == by_name["rich-root"]["id"]
    assert by_name["cache-miss"]["parentObservationId"] == by_name["retrieve"]["id"]


def test_generation_usage_and_cost(client: TestClient, rich: tuple[Sdk, str]) -> None:
    sdk, _ = rich
    trace_id = _traces_by_name(client)["rich-trace"]["id"]
    full = client.get(f"/api/public/traces/{trace_id}").json()
    llm = next(o for o in full["observations"] if o["name"] == "llm-call")
    assert llm["model"] == "gpt-4o"
    assert llm["modelParameters"] == {"temperature": 0.2, "max_tokens": 256, "stop": sdk.stop}
    assert llm["usageDetails"] == {
        "input": 12,
        "output": 3,
        "total": 15,
        "cache_read_input_tokens": 2,
    }
    assert llm["costDetails"] == {"input": 0.00012, "output": 9e-05, "total": 0.00021}
    assert llm["calculatedTotalCost"] == pytest.approx(0.00021)
    assert llm["completionStartTime"] is not None
    assert 0 < llm["timeToFirstToken"] < llm["latency"]
    assert llm["modelId"] is not None and llm["inputPrice"] > 0


def test_agent_trace_observation_types(client: TestClient, rich: tuple[Sdk, str]) -> None:
    trace_id = _traces_by_name(client)["agent-run"]["id"]
    full = client.get(f"/api/public/traces/{trace_id}").json()
    by_name = {o["name"]: o for o in full["observations"]}
    assert sorted(by_name) == sorted(row[0] for row in AGENT_OBSERVATIONS)
    for name, kind, model, usage, cost in AGENT_OBSERVATIONS:
        o = by_name[name]
        assert (o["type"], o["model"], o["usageDetails"]) == (kind, model, usage), name
        assert o["costDetails"] == pytest.approx(cost), name
    assert by_name["search-tool"]["input"] == {"q": "flights"}
    assert by_name["search-tool"]["output"] == {"results": 3}
    assert full["input"] == "plan a trip"


def test_decorated_generation_input(client: TestClient, rich: tuple[Sdk, str]) -> None:
    sdk, _ = rich
    trace = _traces_by_name(client)["decorated-generation"]
    # Python @observe wraps arguments; JS observe sends a single argument as it is.
    expected = {"args": ["hi"], "kwargs": {}} if sdk.python else "hi"
    assert (trace["input"], trace["output"]) == (expected, "answer")
    gen = client.get(f"/api/public/observations/{trace['observations'][0]}").json()
    assert (gen["type"], gen["model"]) == ("GENERATION", "gpt-4o-mini")
    assert gen["usage"] == {"unit": "TOKENS", "input": 5, "output": 7, "total": 12}


def test_scores(client: TestClient, rich: tuple[Sdk, str]) -> None:
    sdk, _ = rich
    trace_id = _traces_by_name(client)["rich-trace"]["id"]
    full = client.get(f"/api/public/traces/{trace_id}").json()
    observation_names = {o["id"]: o["name"] for o in full["observations"]}
    scores = {s["name"]: s for s in client.get("/api/public/v2/scores").json()["data"]}
    assert sorted(scores) == sorted(row[0] for row in SCORES)
    for name, data_type, value, string_value, on, comment in SCORES:
        s = scores[name]
        assert (s["dataType"], s["value"], s.get("stringValue")) == (
            data_type,
            value,
            string_value,
        ), name
        assert (s["comment"], s["environment"]) == (comment, sdk.score_environment), name
        if on == "session":
            assert (s["sessionId"], s["traceId"]) == ("chat-session-123", None)
        elif on == "trace":
            assert (s["traceId"], s["observationId"]) == (trace_id, None)
        else:
            assert s["traceId"] == trace_id
            assert observation_names[s["observationId"]] == on, name
    assert scores["accuracy"]["metadata"] == {"evaluator": "v1"}
    trace_scores = {s["name"] for s in full["scores"]}
    assert trace_scores == {"relevance", "user-feedback", "quality", "accuracy"}


def test_session(client: TestClient, rich: tuple[Sdk, str]) -> None:
    sessions = client.get("/api/public/sessions").json()
    assert [(s["id"], s["environment"]) for s in sessions["data"]] == [
        ("chat-session-123", "staging")
    ]
    session = client.get("/api/public/sessions/chat-session-123").json()
    assert [t["name"] for t in session["traces"]] == ["rich-trace"]
    assert session["createdAt"] == session["traces"][0]["timestamp"]
