"""Project scoping of every list, one filter at a time (issue 11, item 10).

Project B holds the very same world as project A (tests/support/exact_world.py): the
same trace, session, user and score values. So each filter alone, with B's value,
matches rows in B; A's answer must still be exactly A's rows, each once. An unscoped
read answers each row twice, where sending B-only values would have answered an empty
list whatever the scoping does.

List routes are found in `app.routes`: a new list of the API or the UI fails here until
this file knows its filters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag import urls
from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store import accounts
from powerrag.store.database import Store
from tests.support import exact_world as w
from tests.support.isolation import basic_auth, walk_routes
from tests.support.project import AUTH, PROJECT_ID
from tests.support.replay import other_project_auth
from tests.support.web import EMAIL, PASSWORD, sign_in

UI = f"/project/{PROJECT_ID}"
# Every list of the read API, its filters (params, A's ids) and how to read the ids.
API_LISTS: dict[str, list[tuple[dict[str, Any], list[str]]]] = {
    "/api/public/traces": w.API_TRACE_FILTERS,
    "/api/public/observations": w.API_OBSERVATION_FILTERS,
    "/api/public/v2/observations": w.API_OBSERVATION_V2_FILTERS,
    "/api/public/v2/scores": w.API_SCORE_FILTERS,
    "/api/public/scores": [
        (p, [s for s in ids if s in w.V1_ONLY]) for p, ids in w.API_SCORE_FILTERS
    ],
    "/api/public/v3/scores": w.API_SCORE_V3_FILTERS,
    "/api/public/sessions": w.API_SESSION_FILTERS,
}
API_UNFILTERED = {
    "/api/public/traces": w.TIME_ORDER,
    "/api/public/observations": w.OBSERVATIONS_BY_TIME,
    "/api/public/v2/observations": w.OBSERVATIONS_BY_TIME,
    "/api/public/v2/scores": w.SCORES_BY_TIME,
    "/api/public/scores": [s for s in w.SCORES_BY_TIME if s in w.V1_ONLY],
    "/api/public/v3/scores": w.SCORES_BY_TIME,
    "/api/public/sessions": w.SESSIONS_BY_TIME,
}
# GET routes without an id in the path that are not lists of a project's data.
API_NOT_LISTS = {
    "/api/public/health",
    "/api/public/ready",
    "/api/public/projects",  # the key's own project, checked in test_isolation.py
    # Rule lists take no filters; B's rules carry B_MARKERS, checked in test_isolation.py.
    "/api/public/checks",
    "/api/public/alerts",
    # Pages of connections, evaluators and rules take no filters; B's carry B_MARKERS too.
    "/api/public/llm-connections",
    "/api/public/unstable/evaluators",
    "/api/public/unstable/evaluation-rules",
    # Prompts are not part of the exact world: each filter of their list is checked against
    # a second project holding the same prompt in tests/api/test_prompts_api.py.
    "/api/public/v2/prompts",
    # Datasets take no filters and a run's items need B's dataset id: test_isolation.py.
    "/api/public/v2/datasets",
    "/api/public/dataset-run-items",
    # Its filters are checked one by one below (test_each_dataset_item_filter_…).
    "/api/public/dataset-items",
    # Model definitions take no filters; B's model carries B_MARKERS (test_isolation.py).
    "/api/public/models",
    # Aggregates, not lists: counted once below (test_metrics_count_a_s_rows_once).
    "/api/public/metrics",
    "/api/public/v2/metrics",
    # Score configs and queues take no filters; comments filter by object and author. B's
    # carry B_MARKERS and are listed with A's key in test_isolation.py.
    "/api/public/score-configs",
    "/api/public/annotation-queues",
    "/api/public/comments",
}
# The UI's lists (JSON twins): the list's key in the twin and its filters.
UI_LISTS: dict[str, tuple[str, list[tuple[dict[str, str], list[str]]]]] = {
    "/project/{project_id}/traces": ("traces", w.UI_TRACE_FILTERS),
    "/project/{project_id}/sessions": ("sessions", w.UI_SESSION_FILTERS),
}
# Keys and members, the evaluation settings: tests/security/test_ui_isolation.py; the
# replay's parts are of one session (`?session=`): test_a_session_shared_by_id_… below.
# The prompt list and form: B's prompt text is a B marker, checked in test_ui_isolation.py; the
# API list's filters are checked against a second project in tests/api/test_prompts_api.py.
UI_NOT_LISTS = {
    "/project/{project_id}/settings",
    "/project/{project_id}/settings/evaluation",
    "/project/{project_id}/prompts",
    "/project/{project_id}/prompts/new",
    "/project/{project_id}/datasets",  # no filters; tests/security/test_ui_isolation.py
    "/project/{project_id}/replay/turns",
    "/project/{project_id}/replay/figures",
    "/project/{project_id}/replay/events",
    # One trace's parts, named by `?trace=`: tests/security/test_ui_isolation.py.
    "/project/{project_id}/trace/observation",
    "/project/{project_id}/trace/content",
    "/project/{project_id}/settings/models",
    # Aggregates of the metrics queries: counted once below.
    "/project/{project_id}/dashboard",
    # Keys and members, the evaluation settings: tests/security/test_ui_isolation.py.
    # Unfiltered pages of configs and queues: B's (B_MARKERS) in test_ui_isolation.py.
    "/project/{project_id}/settings/score-configs",
    "/project/{project_id}/queues",
}


@pytest.fixture
def two(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    """A's world and the same world in project B; signed in to the UI as the first admin."""
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    app = create_app(Settings(data_dir=tmp_path), store=store)
    with TestClient(app, follow_redirects=False) as client:
        w.write_world(client, other_project_auth(store))
        w.write_world(client, AUTH)
        sign_in(client, (EMAIL, PASSWORD))
        yield client


def _get_routes(client: TestClient) -> set[str]:
    return {path for path, methods in walk_routes(client.app.routes) if "GET" in methods}  # type: ignore[attr-defined]


def test_every_list_route_is_checked_here(two: TestClient) -> None:
    routes = _get_routes(two)
    api = {p for p in routes if p.startswith("/api/public/") and "{" not in p}
    assert api == set(API_LISTS) | API_NOT_LISTS, "teach this file the new list's filters"
    ui = {p for p in routes if p.startswith("/project/{project_id}/") and p.count("{") == 1}
    assert ui == set(UI_LISTS) | UI_NOT_LISTS, "teach this file the new list's filters"


def _api_ids(client: TestClient, url: str, params: dict[str, Any]) -> list[str]:
    answer = client.get(url, params={"limit": 100, **params}, headers={"authorization": AUTH})
    assert answer.status_code == 200, (url, params, answer.text)
    return sorted(item["id"] for item in answer.json()["data"])


def _mismatches(
    read: Callable[[dict[str, Any]], list[str]], cases: list[tuple[dict[str, Any], list[str]]]
) -> list[tuple[dict[str, Any], list[str], list[str]]]:
    """Each filter alone: (params, A's expected ids, ids answered) wherever they differ."""
    wrong = []
    for params, expected in cases:
        assert expected, f"{params}: B's value must match rows in both projects, not nothing"
        found = read(params)
        if found != sorted(expected):
            wrong.append((params, sorted(expected), found))
    return wrong


@pytest.mark.parametrize("url", sorted(API_LISTS))
def test_each_api_filter_alone_answers_exactly_a_s_rows(two: TestClient, url: str) -> None:
    cases = [({}, API_UNFILTERED[url]), *((p, ids) for p, ids in API_LISTS[url] if ids)]
    assert _mismatches(lambda params: _api_ids(two, url, params), cases) == []


def _ui_ids(client: TestClient, url: str, key: str, params: dict[str, str]) -> list[str]:
    answer = client.get(url, params={**params, "format": "json"})
    assert answer.status_code == 200, (url, params, answer.text)
    return sorted(item["id"] for item in answer.json()[key])


@pytest.mark.parametrize("template", sorted(UI_LISTS))
def test_each_ui_filter_alone_answers_exactly_a_s_rows(two: TestClient, template: str) -> None:
    key, filters = UI_LISTS[template]
    everything = w.TIME_ORDER if key == "traces" else w.SESSIONS_BY_TIME
    url = template.replace("{project_id}", PROJECT_ID)
    cases: list[tuple[dict[str, Any], list[str]]] = [({}, everything), *filters]
    assert _mismatches(lambda params: _ui_ids(two, url, key, params), cases) == []


def test_a_session_shared_by_id_shows_only_a_s_traces_and_figures(two: TestClient) -> None:
    """sess-m exists in both projects: A's replay, turns and figures are A's alone."""
    replay = two.get(f"{UI}/sessions/sess-m", params={"format": "json"}).json()
    assert [t["id"] for t in replay["turns"]] == ["trace-c", "trace-a", "trace-d"]
    assert [t["id"] for t in replay["timeline"]] == ["trace-c", "trace-a", "trace-d"]
    assert replay["session"]["traceCount"] == 3
    assert replay["session"]["totalCost"] == pytest.approx(w.SESSION_TOTAL_COST["sess-m"])
    assert [s["name"] for s in replay["session"]["scores"]] == ["helpful"]
    turns = two.get(urls.session_turns(PROJECT_ID, "sess-m") + "&format=json").json()
    assert [t["id"] for t in turns["turns"]] == ["trace-c", "trace-a", "trace-d"]
    api = two.get("/api/public/sessions/sess-m", headers={"authorization": AUTH}).json()
    assert [t["id"] for t in api["traces"]] == ["trace-c", "trace-a", "trace-d"]
    one = two.get("/api/public/traces/trace-c", headers={"authorization": AUTH}).json()
    assert [o["id"] for o in one["observations"]] == ["c-root", "c-gen"]
    assert [s["id"] for s in one["scores"]] == ["score-k"]


def test_each_dataset_item_filter_alone_answers_exactly_a_s_items(
    two: TestClient, store: Store
) -> None:
    """Another project holds a dataset "qa" whose items come from the same trace and
    observation ids as A's; each filter alone answers A's items only."""
    with store.transaction() as conn:
        accounts.create_project(conn, "Third", "third-project")
        accounts.create_api_key(conn, "third-project", public_key="pk-3", secret_key="sk-3")
    sources = [("trace-c", "c-gen"), ("trace-a", None)]
    for auth, prefix in ((basic_auth(("pk-3", "sk-3")), "b"), (AUTH, "a")):
        headers = {"authorization": auth}
        assert two.post("/api/public/v2/datasets", json={"name": "qa"}, headers=headers).is_success
        for n, (trace_id, observation_id) in enumerate(sources):
            item = {"datasetName": "qa", "id": f"{prefix}-{n}", "sourceTraceId": trace_id}
            item |= {"sourceObservationId": observation_id} if observation_id else {}
            assert two.post("/api/public/dataset-items", json=item, headers=headers).is_success
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({}, ["a-0", "a-1"]),
        ({"datasetName": "qa"}, ["a-0", "a-1"]),
        ({"sourceTraceId": "trace-c"}, ["a-0"]),
        ({"sourceObservationId": "c-gen"}, ["a-0"]),
    ]
    url = "/api/public/dataset-items"
    assert _mismatches(lambda params: _api_ids(two, url, params), cases) == []


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_metrics_count_a_s_rows_once(two: TestClient, version: str) -> None:
    """Every figure of A's world, which B holds too: an unscoped query counts each twice."""
    query = {
        "view": "observations",
        "dimensions": [{"field": "sessionId"}],
        "metrics": [
            {"measure": "count", "aggregation": "count"},
            {"measure": "totalTokens", "aggregation": "sum"},
        ],
        "filters": [{"column": "userId", "operator": "=", "value": "user-1", "type": "string"}],
        "fromTimestamp": "2026-01-01T00:00:00Z",
        "toTimestamp": "2026-02-01T00:00:00Z",
    }
    path = "/api/public/v2/metrics" if version == "v2" else "/api/public/metrics"
    answer = two.get(path, params={"query": json.dumps(query)}, headers={"authorization": AUTH})
    assert answer.status_code == 200, answer.text
    # user-1's traces c and d: their five observations, three generations of 150 tokens.
    assert answer.json()["data"] == [
        {"sessionId": "sess-m", "count_count": 5, "sum_totalTokens": 450.0}
    ]
