"""The UI's lists and Session Replay on data whose answers are known exactly.

Same world as tests/api/test_read_exact.py (tests/support/exact_world.py), read through
the pages' JSON twins: exact id sets per filter, time order where id order differs,
which input a turn shows when the trace, its root and its generations all have one, and
session costs whose total is not input + output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support import exact_world as w
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import EMAIL, PASSWORD, sign_in

TRACES = f"/project/{PROJECT_ID}/traces"
SESSIONS = f"/project/{PROJECT_ID}/sessions"


@pytest.fixture
def ui(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    app = create_app(Settings(data_dir=tmp_path), store=store)
    with TestClient(app, follow_redirects=False) as client:
        w.write_world(client, AUTH)
        sign_in(client, (EMAIL, PASSWORD))
        yield client


def _twin(ui: TestClient, url: str, params: dict[str, str] | None = None) -> Any:
    answer = ui.get(url, params={**(params or {}), "format": "json"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_each_traces_list_filter_gives_exactly_its_traces(ui: TestClient) -> None:
    assert sorted(t["id"] for t in _twin(ui, TRACES)["traces"]) == sorted(w.TIME_ORDER)
    for params, expected in w.UI_TRACE_FILTERS:
        assert expected and sorted(expected) != sorted(w.TIME_ORDER), params  # it narrows
        found = sorted(t["id"] for t in _twin(ui, TRACES, params)["traces"])
        assert found == sorted(expected), params


def test_each_sessions_list_filter_gives_exactly_its_sessions(ui: TestClient) -> None:
    assert sorted(s["id"] for s in _twin(ui, SESSIONS)["sessions"]) == sorted(w.SESSIONS_BY_TIME)
    for params, expected in w.UI_SESSION_FILTERS:
        assert expected and sorted(expected) != sorted(w.SESSIONS_BY_TIME), params
        found = sorted(s["id"] for s in _twin(ui, SESSIONS, params)["sessions"])
        assert found == sorted(expected), params


def test_lists_and_turns_are_in_time_order_not_id_order(ui: TestClient) -> None:
    assert [t["id"] for t in _twin(ui, TRACES)["traces"]] == w.TIME_ORDER[::-1]
    newest = [s["id"] for s in _twin(ui, SESSIONS)["sessions"]]
    assert newest == w.SESSIONS_BY_TIME[::-1]
    oldest = _twin(ui, SESSIONS, {"sort": "created", "order": "asc"})["sessions"]
    assert [s["id"] for s in oldest] == w.SESSIONS_BY_TIME
    replay = _twin(ui, f"{SESSIONS}/sess-m")
    assert [t["id"] for t in replay["turns"]] == ["trace-c", "trace-a", "trace-d"]
    assert [t["id"] for t in replay["timeline"]] == ["trace-c", "trace-a", "trace-d"]
    turn_d = replay["turns"][2]
    assert [o["id"] for o in turn_d["observations"]] == ["d-root", "d-gen-z", "d-gen-a"]


def _said(view: dict[str, Any]) -> str:
    return json.dumps(view)


def test_a_turn_shows_the_traces_input_then_its_roots_then_its_generations(
    ui: TestClient,
) -> None:
    turns = {t["id"]: t for t in _twin(ui, f"{SESSIONS}/sess-m")["turns"]}
    spoken = {
        # trace: (what its turn must say, what it must not)
        "trace-c": (
            ["trace-c says hello", "trace-c says goodbye"],
            ["root-c says", "gen-c says"],
        ),
        "trace-a": (["root-a says hello", "root-a says goodbye"], ["gen-a says"]),
        # No input on the trace or root: the first generation's input, the last one's output.
        "trace-d": (
            ["gen-d-first says hello", "gen-d-last says goodbye"],
            ["gen-d-last says hello", "gen-d-first says goodbye"],
        ),
    }
    for trace_id, (said, unsaid) in spoken.items():
        text = _said(turns[trace_id]["input"]) + _said(turns[trace_id]["output"])
        assert [s for s in said if s not in text] == [], trace_id
        assert [s for s in unsaid if s in text] == [], trace_id


def test_session_and_trace_costs_are_the_totals_sent(ui: TestClient) -> None:
    listed = {s["id"]: s["totalCost"] for s in _twin(ui, SESSIONS)["sessions"]}
    assert listed == pytest.approx(w.SESSION_TOTAL_COST)
    assert listed["sess-m"] != pytest.approx(w.SESSION_INPUT_PLUS_OUTPUT_COST["sess-m"])
    header = _twin(ui, f"{SESSIONS}/sess-m")["session"]
    assert header["totalCost"] == pytest.approx(w.SESSION_TOTAL_COST["sess-m"])
    by_cost = _twin(ui, SESSIONS, {"sort": "cost", "order": "desc"})["sessions"]
    assert by_cost[0]["id"] == "sess-m"
    traces = {t["id"]: t["totalCost"] for t in _twin(ui, TRACES)["traces"]}
    assert traces == pytest.approx(w.TRACE_TOTAL_COST)
