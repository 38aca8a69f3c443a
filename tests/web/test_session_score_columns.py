"""The sessions list's score columns and score filter, through the page's JSON twin.

chat-a: helpful 1.0 and 0.5 on its traces (mean 0.75), tone `good` on itself and on a
trace, `bad` on the other; chat-b: helpful 0.25, tone `bad`; chat-c: no score.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.lifecycle import event, turn
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import EMAIL, PASSWORD, sign_in

pytestmark = pytest.mark.one_engine

SESSIONS = f"/project/{PROJECT_ID}/sessions"


def _score(name: str, value: Any, data_type: str, **target: str) -> dict[str, Any]:
    return event(
        "score-create",
        {
            "id": f"{name}-{value}-{sorted(target.values())}",
            "name": name,
            "value": value,
            "dataType": data_type,
            **target,
        },
    )


@pytest.fixture
def ui(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    app = create_app(Settings(data_dir=tmp_path), store=store)
    batch = [
        *turn("chat-a", "a1"),
        *turn("chat-a", "a2"),
        *turn("chat-b", "b1"),
        *turn("chat-c", "c1"),
        _score("helpful", 1.0, "NUMERIC", traceId="a1"),
        _score("helpful", 0.5, "NUMERIC", traceId="a2"),
        _score("helpful", 0.25, "NUMERIC", traceId="b1"),
        _score("tone", "good", "CATEGORICAL", sessionId="chat-a"),
        _score("tone", "good", "CATEGORICAL", traceId="a2"),
        _score("tone", "bad", "CATEGORICAL", traceId="a1"),
        _score("tone", "bad", "CATEGORICAL", traceId="b1"),
    ]
    with TestClient(app, follow_redirects=False) as client:
        sent = client.post(
            "/api/public/ingestion", json={"batch": batch}, headers={"authorization": AUTH}
        )
        assert sent.status_code == 207 and sent.json()["errors"] == [], sent.text
        sign_in(client, (EMAIL, PASSWORD))
        yield client


def _twin(ui: TestClient, **params: str) -> Any:
    answer = ui.get(SESSIONS, params={**params, "format": "json"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_each_score_name_is_summarised_and_chosen_names_are_columns(ui: TestClient) -> None:
    page = _twin(ui, sort="id", order="asc")
    assert (page["scoreNames"], page["scoreColumns"]) == (["helpful", "tone"], [])
    cells = {s["id"]: {c["name"]: c["text"] for c in s["scores"]} for s in page["sessions"]}
    assert cells == {
        "chat-a": {"helpful": "0.75", "tone": "good 2 · bad 1"},
        "chat-b": {"helpful": "0.25", "tone": "bad 1"},
        "chat-c": {},
    }
    (a_helpful, _) = page["sessions"][0]["scores"]
    assert (a_helpful["average"], a_helpful["count"]) == (0.75, 2)
    html = ui.get(SESSIONS, params={"sort": "id", "order": "asc"}).text
    assert 'class="score-col"' not in html
    assert ">tone: good 2 · bad 1</span>" in html

    chosen = [("col", "tone"), ("sort", "id"), ("order", "asc")]
    html = ui.get(SESSIONS, params=chosen).text
    assert '<th class="score-col" data-score="tone"' in html
    assert '<td class="score-col num" data-score="tone">good 2 · bad 1</td>' in html
    assert 'data-score="helpful"' not in html
    # The sort links and the pager keep the columns.
    assert 'href="?col=tone&amp;sort=id&amp;order=desc"' in html
    filtered = _twin(ui, score="helpful", score_min="0.5")
    assert filtered["scoreColumns"] == ["helpful"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"score": "helpful", "score_min": "0.5"}, ["chat-a"]),
        ({"score": "helpful", "score_max": "0.5"}, ["chat-b"]),
        ({"score": "helpful", "score_min": "0.25", "score_max": "0.75"}, ["chat-a", "chat-b"]),
        ({"score": "tone", "score_value": "bad"}, ["chat-a", "chat-b"]),
        ({"score": "tone", "score_value": "good"}, ["chat-a"]),
        ({"score": "tone"}, ["chat-a", "chat-b"]),
        ({"score": "unheard-of"}, []),
    ],
)
def test_the_score_filter_keeps_exactly_its_sessions(
    ui: TestClient, params: dict[str, str], expected: list[str]
) -> None:
    page = _twin(ui, sort="id", order="asc", **params)
    assert [s["id"] for s in page["sessions"]] == expected
    assert page["total"] == len(expected)
    assert page["scoreColumns"] == [params["score"]]


def test_a_bad_score_filter_is_a_400_naming_it(ui: TestClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"score": "helpful", "score_min": "high"}, "score_min must be a number, got 'high'"),
        ({"score": "helpful", "score_max": "nan"}, "score_max must be a finite number"),
        ({"score_min": "0.5"}, "score_min needs score, the name of the score"),
        ({"score": "tone", "score_value": "bad", "score_min": "1"}, "exclude each other"),
        (
            {"score": "helpful", "score_min": "2", "score_max": "1"},
            "score_min (2) is above score_max (1)",
        ),
        ({"col": [f"name-{n}" for n in range(11)]}, "col: at most 10 score columns, got 11"),
    ]
    for params, message in cases:
        answer = ui.get(SESSIONS, params={**params, "format": "json"})
        assert answer.status_code == 400, params
        assert message in answer.json()["message"], answer.text
