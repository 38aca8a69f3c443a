"""A small world whose every answer is known: exact sets, orders and figures to check reads by.

Built so that a wrong read cannot pass by luck:
- every filter matches some but not all rows (an ignored filter changes the answer);
- id order and time order differ, and neither is the other reversed (ordering by id shows);
- trace c sets its input on the trace, on its root and on its generation, three values
  (precedence shows); trace a on its root and generation; trace d on its generations only;
- each generation's total cost differs from its input + output cost;
- written as is into a second project, the same filter values match there too, so an
  unscoped read answers each row twice instead of merely an empty list.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient

from powerrag.domain.score_configs import ConfigFields
from powerrag.domain.timeutil import parse_iso
from powerrag.store import score_configs

DAY = "2026-01-1{}T10:00:0{}Z"


def at(day: int, second: int = 0) -> str:
    """A time on 2026-01-1<day>, 10:00:0<second> UTC."""
    return DAY.format(day, second)


# id, day, name, user, session, tags, environment, release, version
TRACES: list[tuple[str, int, str, str | None, str | None, list[str], str, str | None, str | None]] = [
    ("trace-c", 0, "checkout", "user-1", "sess-m", ["red", "blue"], "production", "r1", "v1"),
    ("trace-a", 1, "search",   "user-2", "sess-m", ["red"],         "production", "r2", "v2"),
    ("trace-d", 2, "checkout", "user-1", "sess-m", ["blue"],        "staging",    "r1", "v2"),
    ("trace-b", 3, "search",   "user-3", "sess-z", [],              "staging",    None, "v1"),
    ("trace-e", 4, "cleanup",  None,     "sess-a", ["green"],       "production", "r2", None),
]  # fmt: skip
TIME_ORDER = ["trace-c", "trace-a", "trace-d", "trace-b", "trace-e"]
SESSIONS_BY_TIME = ["sess-m", "sess-z", "sess-a"]  # created 10th, 13th, 14th
ENVIRONMENT = {t[0]: t[6] for t in TRACES}

# What each trace says on itself, its root and its generations (first, last).
TRACE_INPUT = {"trace-c": "trace-c says hello"}
TRACE_OUTPUT = {"trace-c": "trace-c says goodbye"}
ROOT_INPUT = {"trace-c": "root-c says hello", "trace-a": "root-a says hello"}
ROOT_OUTPUT = {"trace-c": "root-c says goodbye", "trace-a": "root-a says goodbye"}
GENERATIONS = {
    # trace: [(id, second it starts, input, output)], ids not in time order
    "trace-c": [("c-gen", 1, "gen-c says hello", "gen-c says goodbye")],
    "trace-a": [("a-gen", 1, "gen-a says hello", "gen-a says goodbye")],
    "trace-d": [
        ("d-gen-z", 1, "gen-d-first says hello", "gen-d-first says goodbye"),
        ("d-gen-a", 2, "gen-d-last says hello", "gen-d-last says goodbye"),
    ],
}
# Per generation: (input cost, output cost, total cost), total != input + output.
COSTS = {
    "c-gen": (0.001, 0.002, 0.01),
    "a-gen": (0.003, 0.004, 0.02),
    "d-gen-z": (0.01, 0.01, 0.05),
    "d-gen-a": (0.0, 0.0, 0.0),
}
TRACE_TOTAL_COST = {
    "trace-c": 0.01,
    "trace-a": 0.02,
    "trace-d": 0.05,
    "trace-b": 0.0,
    "trace-e": 0.0,
}
SESSION_TOTAL_COST = {"sess-m": 0.08, "sess-z": 0.0, "sess-a": 0.0}
SESSION_INPUT_PLUS_OUTPUT_COST = {"sess-m": 0.03, "sess-z": 0.0, "sess-a": 0.0}
# Levels other than DEFAULT: a warning in trace a, an error in trace b.
LEVELS = {"a-gen": "WARNING", "b-fail": "ERROR"}

# Observations in start-time order: (id, trace, type, parent, day, second).
OBSERVATIONS = [
    ("c-root", "trace-c", "SPAN", None, 0, 0),
    ("c-gen", "trace-c", "GENERATION", "c-root", 0, 1),
    ("a-root", "trace-a", "SPAN", None, 1, 0),
    ("a-gen", "trace-a", "GENERATION", "a-root", 1, 1),
    ("d-root", "trace-d", "SPAN", None, 2, 0),
    ("d-gen-z", "trace-d", "GENERATION", "d-root", 2, 1),
    ("d-gen-a", "trace-d", "GENERATION", "d-root", 2, 2),
    ("b-root", "trace-b", "SPAN", None, 3, 0),
    ("b-fail", "trace-b", "SPAN", "b-root", 3, 1),
    ("e-root", "trace-e", "SPAN", None, 4, 0),
]
OBSERVATIONS_BY_TIME = [o[0] for o in OBSERVATIONS]

# Scores in time order: id, day, target, name, data type, value, source, environment, extra.
SCORES: list[tuple[str, int, dict[str, str], str, str, Any, str, str, dict[str, str]]] = [
    ("score-k", 5, {"traceId": "trace-c", "observationId": "c-gen"}, "accuracy", "NUMERIC", 0.9, "API", "production", {"configId": "cfg-1"}),
    ("score-b", 6, {"traceId": "trace-a"}, "accuracy", "NUMERIC", 0.4, "EVAL", "production", {"queueId": "q-1"}),
    ("score-x", 7, {"sessionId": "sess-m"}, "helpful", "BOOLEAN", 1, "ANNOTATION", "staging", {}),
    ("score-f", 8, {"traceId": "trace-d"}, "tone", "CATEGORICAL", "polite", "API", "staging", {}),
    ("score-r", 9, {"datasetRunId": "run-1"}, "accuracy", "NUMERIC", 0.7, "EVAL", "production", {}),
]  # fmt: skip
SCORES_BY_TIME = [s[0] for s in SCORES]


def _trace_event(trace: tuple[Any, ...]) -> dict[str, Any]:
    trace_id, day, name, user, session, tags, env, release, version = trace
    body: dict[str, Any] = {
        "id": trace_id,
        "timestamp": at(day),
        "name": name,
        "userId": user,
        "sessionId": session,
        "tags": tags,
        "environment": env,
        "release": release,
        "version": version,
    }
    if trace_id in TRACE_INPUT:
        body.update(input=TRACE_INPUT[trace_id], output=TRACE_OUTPUT[trace_id])
    return {"id": f"ev-{trace_id}", "type": "trace-create", "timestamp": at(day), "body": body}


def _observation_event(obs: tuple[Any, ...]) -> dict[str, Any]:
    obs_id, trace_id, kind, parent, day, second = obs
    body: dict[str, Any] = {
        "id": obs_id,
        "traceId": trace_id,
        "name": obs_id,
        "startTime": at(day, second),
        "endTime": at(day, second + 5 if parent is None else second + 1),
        "parentObservationId": parent,
        "environment": ENVIRONMENT[trace_id],
        "version": "gen-v" if kind == "GENERATION" else None,
    }
    if parent is None and trace_id in ROOT_INPUT:
        body.update(input=ROOT_INPUT[trace_id], output=ROOT_OUTPUT[trace_id])
    for gen_id, _, text_in, text_out in GENERATIONS.get(trace_id, []):
        if gen_id == obs_id:
            cost_in, cost_out, total = COSTS[obs_id]
            body.update(
                model="gpt-4o",
                input=text_in,
                output=text_out,
                usageDetails={"input": 100, "output": 50},
                costDetails={"input": cost_in, "output": cost_out, "total": total},
            )
    if obs_id in LEVELS:
        body.update(level=LEVELS[obs_id], statusMessage=f"{obs_id} went wrong")
    event_type = "generation-create" if kind == "GENERATION" else "span-create"
    return {"id": f"ev-{obs_id}", "type": event_type, "timestamp": at(day, second), "body": body}


def _score_event(score: tuple[Any, ...]) -> dict[str, Any]:
    score_id, day, target, name, data_type, value, source, env, extra = score
    body = {
        "id": score_id,
        "name": name,
        "dataType": data_type,
        "value": value,
        "source": source,
        "environment": env,
        "timestamp": at(day),
        **target,
        **extra,
    }
    return {"id": f"ev-{score_id}", "type": "score-create", "timestamp": at(day), "body": body}


def events() -> list[dict[str, Any]]:
    return [
        *(_trace_event(t) for t in TRACES),
        *(_observation_event(o) for o in OBSERVATIONS),
        *(_score_event(s) for s in SCORES),
    ]


def write_world(client: TestClient, auth: str) -> None:
    """Send the world through the batch ingestion API with the project key `auth`, after
    the score config `cfg-1` that score-k names (a score's config must exist)."""
    headers = {"authorization": auth}
    project_id = client.get("/api/public/projects", headers=headers).json()["data"][0]["id"]
    store = client.app.state.ctx.store  # type: ignore[attr-defined]
    with store.transaction() as conn:
        fields = ConfigFields("accuracy", "NUMERIC", min_value=0.0, max_value=1.0)
        score_configs.insert_config(conn, project_id, fields, parse_iso(at(1)), config_id="cfg-1")
    response = client.post(
        "/api/public/ingestion", json={"batch": events()}, headers={"authorization": auth}
    )
    assert response.status_code == 207, response.text
    assert response.json()["errors"] == [], response.text


def case_ids(table: list[tuple[dict[str, Any], list[str]]]) -> list[str]:
    """Test ids for a filter table: its query strings."""
    return [urlencode(params, doseq=True) for params, _ in table]


# The read API's lists: what each filter alone narrows them to.
# params                                                   ids (any order)
API_TRACE_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"userId": "user-1"},                                   ["trace-c", "trace-d"]),
    ({"sessionId": "sess-m"},                                ["trace-c", "trace-a", "trace-d"]),
    ({"name": "search"},                                     ["trace-a", "trace-b"]),
    ({"tags": "red"},                                        ["trace-c", "trace-a"]),
    ({"tags": ["red", "blue"]},                              ["trace-c"]),
    ({"environment": "staging"},                             ["trace-d", "trace-b"]),
    ({"release": "r2"},                                      ["trace-a", "trace-e"]),
    ({"version": "v1"},                                      ["trace-c", "trace-b"]),
    ({"fromTimestamp": at(1, 5)},                            ["trace-d", "trace-b", "trace-e"]),
    ({"toTimestamp": at(0, 5)},                              ["trace-c"]),
]  # fmt: skip
API_OBSERVATION_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"type": "GENERATION"},                                 ["c-gen", "a-gen", "d-gen-z", "d-gen-a"]),
    ({"level": "ERROR"},                                     ["b-fail"]),
    ({"name": "d-root"},                                     ["d-root"]),
    ({"userId": "user-2"},                                   ["a-root", "a-gen"]),
    ({"sessionId": "sess-z"},                                ["b-root", "b-fail"]),
    ({"traceId": "trace-d"},                                 ["d-root", "d-gen-z", "d-gen-a"]),
    ({"parentObservationId": "b-root"},                      ["b-fail"]),
    ({"environment": "staging"},                             ["d-root", "d-gen-z", "d-gen-a", "b-root", "b-fail"]),
    ({"version": "gen-v"},                                   ["c-gen", "a-gen", "d-gen-z", "d-gen-a"]),
    ({"fromStartTime": at(2, 5)},                               ["b-root", "b-fail", "e-root"]),
    ({"toStartTime": at(0, 2)},                              ["c-root", "c-gen"]),
]  # fmt: skip
# The v2 list also takes isRootObservation.
API_OBSERVATION_V2_FILTERS = [
    *API_OBSERVATION_FILTERS,
    ({"isRootObservation": "true"}, ["c-root", "a-root", "d-root", "b-root", "e-root"]),
]
API_SCORE_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"userId": "user-1"},                                   ["score-k", "score-f"]),
    ({"name": "accuracy"},                                   ["score-k", "score-b", "score-r"]),
    ({"source": "EVAL"},                                     ["score-b", "score-r"]),
    ({"source": "API"},                                      ["score-k", "score-f"]),
    ({"source": "ANNOTATION"},                               ["score-x"]),
    ({"dataType": "CATEGORICAL"},                            ["score-f"]),
    ({"value": "0.5", "operator": ">="},                     ["score-k", "score-x", "score-r"]),
    ({"environment": "staging"},                             ["score-x", "score-f"]),
    ({"configId": "cfg-1"},                                  ["score-k"]),
    ({"queueId": "q-1"},                                     ["score-b"]),
    ({"sessionId": "sess-m"},                                ["score-x"]),
    ({"datasetRunId": "run-1"},                              ["score-r"]),
    ({"traceId": "trace-d"},                                 ["score-f"]),
    ({"observationId": "c-gen"},                             ["score-k"]),
    ({"scoreIds": "score-k,score-x"},                        ["score-k", "score-x"]),
    ({"traceTags": "red"},                                   ["score-k", "score-b"]),
    ({"fromTimestamp": at(7, 5)},                            ["score-f", "score-r"]),
    ({"toTimestamp": at(6, 5)},                              ["score-k", "score-b"]),
]  # fmt: skip
# ScoreV1 shows only scores of traces: score-x (a session's) and score-r (a run's) are not in it.
V1_ONLY = {"score-k", "score-b", "score-f"}
API_SCORE_V3_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"id": "score-b,score-f"},                              ["score-b", "score-f"]),
    ({"name": "accuracy"},                                   ["score-k", "score-b", "score-r"]),
    ({"source": "EVAL"},                                     ["score-b", "score-r"]),
    ({"source": "ANNOTATION"},                               ["score-x"]),
    ({"dataType": "BOOLEAN"},                                ["score-x"]),
    ({"environment": "production"},                          ["score-k", "score-b", "score-r"]),
    ({"configId": "cfg-1"},                                  ["score-k"]),
    ({"queueId": "q-1"},                                     ["score-b"]),
    ({"dataType": "NUMERIC", "value": "0.4"},                ["score-b"]),
    ({"dataType": "CATEGORICAL", "value": "polite"},         ["score-f"]),
    ({"dataType": "NUMERIC", "valueMin": "0.5"},             ["score-k", "score-r"]),
    ({"traceId": "trace-c"},                                 ["score-k"]),
    ({"traceId": "trace-c", "observationId": "c-gen"},       ["score-k"]),
    ({"sessionId": "sess-m"},                                ["score-x"]),
    ({"experimentId": "run-1"},                              ["score-r"]),
    ({"fromTimestamp": at(6, 5)},                            ["score-x", "score-f", "score-r"]),
]  # fmt: skip
API_SESSION_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"environment": "production"},                          ["sess-a"]),
    ({"environment": "staging"},                             ["sess-m", "sess-z"]),
    ({"fromTimestamp": at(2, 5)},                            ["sess-z", "sess-a"]),
    ({"toTimestamp": at(3, 5)},                              ["sess-m", "sess-z"]),
]  # fmt: skip

# The UI's lists (JSON twins).
UI_TRACE_FILTERS: list[tuple[dict[str, str], list[str]]] = [
    ({"name": "checkout"},                                   ["trace-c", "trace-d"]),
    ({"user": "user-1"},                                     ["trace-c", "trace-d"]),
    ({"session": "sess-m"},                                  ["trace-c", "trace-a", "trace-d"]),
    ({"tag": "blue"},                                        ["trace-c", "trace-d"]),
    ({"environment": "production"},                          ["trace-c", "trace-a", "trace-e"]),
    ({"level": "WARNING"},                                   ["trace-a"]),
    ({"level": "ERROR"},                                     ["trace-b"]),
    ({"from": "2026-01-13"},                                 ["trace-b", "trace-e"]),
    ({"to": "2026-01-11"},                                   ["trace-c", "trace-a"]),
    ({"q": "gen-d-last"},                                    ["trace-d"]),
    ({"q": "root-c says"},                                   ["trace-c"]),
]  # fmt: skip
UI_SESSION_FILTERS: list[tuple[dict[str, str], list[str]]] = [
    ({"user": "user-2"},                                     ["sess-m"]),
    ({"user": "user-3"},                                     ["sess-z"]),
    ({"environment": "staging"},                             ["sess-m", "sess-z"]),
    ({"id": "SESS-Z"},                                       ["sess-z"]),
    ({"from": "2026-01-13"},                                 ["sess-z", "sess-a"]),
    ({"to": "2026-01-12"},                                   ["sess-m"]),
    ({"q": "gen-a says"},                                    ["sess-m"]),
]  # fmt: skip
