"""The model prices settings (add, edit, recompute, delete through their forms) and the
dashboard (the exact world's figures, in English and Chinese), on SQLite: the engines'
SQL is covered by tests/api/test_models_api.py and test_metrics_api.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag import accounts
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.domain.timeutil import parse_iso
from powerrag.store.database import Store
from tests.support import exact_world
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import EMAIL, PASSWORD, post_form

pytestmark = pytest.mark.one_engine

MODELS = f"/project/{PROJECT_ID}/settings/models"
DASHBOARD = f"/project/{PROJECT_ID}/dashboard"
# Ten days after the world's last trace: the last 30 days hold all of it, 7 days its last
# score only.
NOW = parse_iso("2026-01-24T12:00:00Z")


@pytest.fixture
def ui(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=tmp_path), store=store, clock=lambda: NOW)
    with TestClient(app, base_url="http://localhost", follow_redirects=False) as client:
        exact_world.write_world(client, AUTH)
        accounts.ensure_user(store, EMAIL, "Admin", PASSWORD)
        client.get("/login")
        assert (
            post_form(client, "/login", {"email": EMAIL, "password": PASSWORD}).status_code == 303
        )
        yield client


def _models(ui: TestClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ui.get(MODELS, params={"format": "json"}).json()["models"]
    return found


def _session_cost(ui: TestClient, session_id: str) -> float:
    page = ui.get(f"/project/{PROJECT_ID}/sessions", params={"format": "json"}).json()
    (row,) = [s for s in page["sessions"] if s["id"] == session_id]
    return float(row["totalCost"])


def _send_house_generation(ui: TestClient) -> None:
    at = "2026-01-20T10:00:00Z"
    batch = [
        {"id": "e-t", "type": "trace-create", "timestamp": at,
         "body": {"id": "t-house", "timestamp": at, "sessionId": "sess-house"}},
        {"id": "e-g", "type": "generation-create", "timestamp": at,
         "body": {"id": "g-house", "traceId": "t-house", "startTime": at, "model": "House-LLM",
                  "usageDetails": {"input": 1024, "output": 512, "cached": 256}}},
    ]  # fmt: skip
    answer = ui.post(
        "/api/public/ingestion", json={"batch": batch}, headers={"authorization": AUTH}
    )
    assert answer.status_code == 207 and not answer.json()["errors"]


def test_a_price_added_edited_recomputed_and_deleted_through_the_forms(ui: TestClient) -> None:
    _send_house_generation(ui)
    form = {"model_name": "house-llm", "match_pattern": "", "unit": "TOKENS",
            "input_price": "0.0009765625", "output_price": "", "total_price": "",
            "other_prices": "cached=0.5"}  # fmt: skip
    added = post_form(ui, MODELS, form)
    assert added.status_code == 303
    (model,) = _models(ui)
    assert added.headers["location"] == f"{MODELS}#model-{model['id']}"
    # An empty pattern is the name exactly, in any case.
    assert model["matchPattern"] == "(?i)^(house\\-llm)$"
    assert model["prices"] == {"input": 2.0**-10, "cached": 0.5}
    assert _session_cost(ui, "sess-house") == 0.0

    edited = post_form(ui, f"{MODELS}/{model['id']}/edit", {**form, "other_prices": "cached=0.25"})
    assert edited.status_code == 303
    assert _models(ui)[0]["prices"] == {"input": 2.0**-10, "cached": 0.25}

    recost = post_form(ui, f"{MODELS}/{model['id']}/recost", {})
    assert recost.status_code == 303
    assert recost.headers["location"] == (
        f"{MODELS}?recosted=1&observations=1&traces=1&sessions=1#recosted"
    )
    # 1,024 input tokens at 2^-10 and 256 cached at 0.25: $65.
    assert _session_cost(ui, "sess-house") == 65.0
    page = ui.get(recost.headers["location"]).text
    assert "Costs recomputed: 1 observations in 1 traces and 1 sessions." in page
    assert 'data-model="house-llm"' in page and "cached=0.25" in page

    assert post_form(ui, f"{MODELS}/{model['id']}/delete", {}).status_code == 303
    assert _models(ui) == []


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"match_pattern": "(broken"}, "matchPattern is not a valid regex"),
        ({"input_price": "-1"}, "inputPrice must not be negative"),
        ({"input_price": "a lot"}, "input_price must be a number"),
        ({"other_prices": "cached"}, "is not `type=price`"),
    ],
)
def test_a_bad_price_form_is_refused_naming_the_field(
    ui: TestClient, change: dict[str, str], named: str
) -> None:
    form = {"model_name": "m", "match_pattern": "", "unit": "TOKENS", "input_price": "1"}
    answer = post_form(ui, MODELS, {**form, **change})
    assert answer.status_code == 400
    assert named in answer.text
    assert _models(ui) == []


def test_the_builtin_prices_are_listed_read_only(ui: TestClient) -> None:
    page = ui.get(MODELS)
    assert page.status_code == 200
    assert "Bundled prices (read-only) (167)" in page.text
    builtins = ui.get(MODELS, params={"format": "json"}).json()["builtins"]
    assert len(builtins) == 167
    assert f"{MODELS}/{builtins[0]['id']}/delete" not in page.text


def _bars(html: str, chart: str) -> dict[str, float]:
    section = html.split(f'id="{chart}"', 1)[1].split("</section>", 1)[0]
    return {d: float(v) for d, v in re.findall(r'data-day="([^"]+)" data-value="([^"]+)"', section)}


def test_the_dashboard_shows_cost_tokens_latency_and_scores_of_the_period(ui: TestClient) -> None:
    html = ui.get(DASHBOARD).text
    cost = _bars(html, "cost_over_time")
    assert len(cost) == 31  # every day of the last 30, empty ones at zero
    assert {d: v for d, v in cost.items() if v} == pytest.approx(
        {"2026-01-10": 0.01, "2026-01-11": 0.02, "2026-01-12": 0.05}
    )
    tokens = _bars(html, "tokens_over_time")
    assert {d: v for d, v in tokens.items() if v} == {
        "2026-01-10": 150.0, "2026-01-11": 150.0, "2026-01-12": 300.0
    }  # fmt: skip
    latency = _bars(html, "latency_over_time")
    assert {d: v for d, v in latency.items() if v} == dict.fromkeys(
        ("2026-01-10", "2026-01-11", "2026-01-12", "2026-01-13", "2026-01-14"), 5000.0
    )
    scores = _bars(html, "scores_over_time")
    assert {d: v for d, v in scores.items() if v} == {
        "2026-01-15": 0.9, "2026-01-16": 0.4, "2026-01-17": 1.0, "2026-01-19": 0.7
    }  # fmt: skip
    sessions = html.split('id="by_session"', 1)[1].split("</section>", 1)[0]
    # By cost, then (sess-a and sess-z cost nothing) by id.
    assert re.findall(r">(sess-[a-z])</a>", sessions) == ["sess-m", "sess-a", "sess-z"]
    assert "0.080000" in sessions
    assert "gpt-4o" in html.split('id="by_model"', 1)[1].split("</section>", 1)[0]


def test_the_dashboard_speaks_chinese_and_an_empty_period_says_so(ui: TestClient) -> None:
    html = ui.get(DASHBOARD, params={"days": "7"}, headers={"accept-language": "zh-CN"}).text
    assert "仪表盘" in html and "每日成本（美元）" in html and "按会话" in html
    # Nothing but the 19th's score in the last 7 days (from the 17th at noon): three empty
    # charts and three empty tables.
    assert html.count("此时间段内没有数据。") == 6
    assert {d: v for d, v in _bars(html, "scores_over_time").items() if v} == {"2026-01-19": 0.7}
    assert 'aria-current="page">最近 7 天' in html
