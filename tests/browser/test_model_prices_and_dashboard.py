"""Model prices and the dashboard in Chromium, on the shared browser server: a price added,
applied to a stored generation by "Recompute costs", edited, recomputed and deleted; the
dashboard's charts and breakdowns, in English and Chinese."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import BrowserServer
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("POWERRAG_SCREENSHOTS", "/tmp/powerrag-screenshots"))


def _generation(server: BrowserServer, model: str) -> str:
    """A session of one trace whose generation used 1,024 input tokens of `model`; its id.
    Dated long ago, so it sorts after the shared server's sessions other tests look for."""
    session_id = f"priced-{uuid.uuid4().hex[:8]}"
    now = "2025-06-01T10:00:00Z"
    trace = {"id": f"{session_id}-t", "sessionId": session_id, "timestamp": now, "name": "ask"}
    generation = {
        "id": f"{session_id}-g",
        "traceId": trace["id"],
        "startTime": now,
        "model": model,
        "usageDetails": {"input": 1024},
    }
    events = [
        {"id": uuid.uuid4().hex, "type": "trace-create", "timestamp": now, "body": trace},
        {"id": uuid.uuid4().hex, "type": "generation-create", "timestamp": now, "body": generation},
    ]
    with server.api() as api:
        sent = api.post("/api/public/ingestion", json={"batch": events})
        assert sent.status_code == 207 and not sent.json()["errors"], sent.text
    return session_id


def _session_cost(page: Page, server: BrowserServer, session_id: str) -> str:
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions/{session_id}")
    return page.locator("#fig-cost").inner_text()


def test_a_custom_price_is_added_applied_edited_and_deleted(
    page: Page, server: BrowserServer
) -> None:
    model = f"browser-llm-{uuid.uuid4().hex[:6]}"
    session_id = _generation(server, model)
    assert _session_cost(page, server, session_id) == "$0"

    page.goto(f"{server.url}/project/{PROJECT_ID}/settings")
    page.click("#models-link")
    form = page.locator("#model-form")
    form.locator("input[name=model_name]").fill(model)
    form.locator("input[name=input_price]").fill("0.0009765625")
    form.locator("button[type=submit]").click()
    row = page.locator(f'tr[data-model="{model}"]')
    expect(row).to_be_visible()
    expect(row.locator("td.prices")).to_have_text("input=0.0009765625")
    # A price applies to new observations; a stored one waits for "Recompute costs".
    assert _session_cost(page, server, session_id) == "$0"

    page.goto(f"{server.url}/project/{PROJECT_ID}/settings/models")
    page.locator(f'tr[data-model="{model}"] button.recost').click()
    expect(page.locator("#recosted")).to_have_text(
        "Costs recomputed: 1 observations in 1 traces and 1 sessions."
    )
    assert _session_cost(page, server, session_id) == "$1.00"

    page.goto(f"{server.url}/project/{PROJECT_ID}/settings/models")
    row = page.locator(f'tr[data-model="{model}"]')
    row.locator("details.edit-model summary").click()
    row.locator("input[name=input_price]").fill("0.001953125")
    row.locator("details.edit-model button[type=submit]").click()
    row = page.locator(f'tr[data-model="{model}"]')
    expect(row.locator("td.prices")).to_have_text("input=0.001953125")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "model-prices.png"), full_page=True)
    row.locator("button.recost").click()
    expect(page.locator("#recosted")).to_be_visible()
    assert _session_cost(page, server, session_id) == "$2.00"

    page.goto(f"{server.url}/project/{PROJECT_ID}/settings/models")
    page.locator(f'tr[data-model="{model}"] button.danger').click()
    expect(page.locator(f'tr[data-model="{model}"]')).to_have_count(0)
    assert not page.errors  # type: ignore[attr-defined]


def test_the_dashboard_draws_the_period_s_figures_in_english_and_chinese(
    page: Page, server: BrowserServer
) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions")
    page.click("nav.mainnav >> text=Dashboard")
    page.wait_for_url(f"{server.url}/project/{PROJECT_ID}/dashboard")
    cost = page.locator("#cost_over_time svg.bars rect.bar")
    expect(cost).to_have_count(31)
    assert cost.last.get_attribute("data-day") == datetime.now(UTC).strftime("%Y-%m-%d")
    # The demo's sessions (minutes old) cost something and used tokens.
    assert (
        sum(float(v or 0) for v in cost.evaluate_all("bars => bars.map(b => b.dataset.value)")) > 0
    )
    tokens = page.locator("#tokens_over_time rect.bar")
    assert (
        sum(float(v or 0) for v in tokens.evaluate_all("bars => bars.map(b => b.dataset.value)"))
        > 0
    )
    for session_id in server.demo.session_ids:  # type: ignore[union-attr]
        expect(page.locator(f'#by_session a:text-is("{session_id}")')).to_be_visible()
    expect(page.locator("#by_model")).to_contain_text("claude-3-5-sonnet")
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

    page.click("#lang-switch")
    expect(page.locator("h1")).to_contain_text("仪表盘")
    expect(page.locator("#cost_over_time h2")).to_have_text("每日成本（美元）")
    page.screenshot(path=str(SHOTS / "dashboard-zh.png"), full_page=True)
    page.click("#lang-switch")
    assert not page.errors  # type: ignore[attr-defined]
