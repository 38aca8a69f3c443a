"""Datasets in Chromium: a replay turn and a whole session added to a dataset from the
replay, the dataset's items, and two runs compared item by item (diff, scores, trace
links). A server of its own, so the shared server's sessions stay as other tests expect."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.browser import EMAIL, PASSWORD, BrowserServer
from tests.support.datasets import SESSION, TURN_1, TURN_2, ingest_session
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserServer]:
    server = BrowserServer(tmp_path_factory.mktemp("datasets"), with_user=True)
    server.start()
    try:
        with server.api() as api:
            ingest_session(api)
        yield server
    finally:
        server.stop()


def _signed_in(context: BrowserContext, base: str) -> Page:
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    page.goto(f"{base}/login")
    page.fill("#login-form input[name=email]", EMAIL)
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/project/**")
    return page


def test_a_turn_and_a_whole_session_go_into_a_dataset(
    context: BrowserContext, own: BrowserServer
) -> None:
    page = _signed_in(context, own.url)
    replay = f"{own.url}/project/{PROJECT_ID}/sessions/{SESSION}"
    page.goto(replay)
    turn = page.locator(f"#turn-{TURN_2}")
    turn.locator(".add-dataset summary").click()
    turn.locator(".add-turn-form input[name=dataset]").fill("support-cases")
    turn.locator(".add-turn-form button[type=submit]").click()
    expect(page.locator("#added-to-dataset")).to_be_visible()
    page.locator("#add-session summary").click()
    form = page.locator("#add-session-form")
    form.locator("input[name=dataset]").fill("support-cases")
    form.locator("select[name=turn]").select_option("2")
    form.locator("button[type=submit]").click()
    expect(page.locator("#added-to-dataset")).to_be_visible()
    page.locator("#added-to-dataset a").click()
    expect(page.locator("h1")).to_have_text("support-cases")
    items = page.locator(".dataset-item")
    expect(items).to_have_count(2)
    expect(items.locator("a.trace-link")).to_have_count(2)
    values = page.locator(".dataset-item pre.value").all_inner_texts()
    assert any('"messages"' in v and "Where is my order?" in v for v in values), values
    assert any("Yes, until it ships tonight." in v for v in values), values
    # The item's link leads back to the turn's trace.
    assert items.first.locator("a.trace-link").get_attribute("href", timeout=5000) == (
        f"/project/{PROJECT_ID}/traces/{TURN_2}"
    )
    assert not page.errors  # type: ignore[attr-defined]


def test_two_runs_compare_item_by_item(context: BrowserContext, own: BrowserServer) -> None:
    with own.api() as api:
        api.post("/api/public/v2/datasets", json={"name": "compare-me"}).raise_for_status()
        item = {"datasetName": "compare-me", "id": "ship-date", "input": "When?"}
        api.post("/api/public/dataset-items", json=item).raise_for_status()
        for run, trace_id in (("model-a", TURN_1), ("model-b", TURN_2)):
            link = {"runName": run, "datasetItemId": "ship-date", "traceId": trace_id}
            api.post("/api/public/dataset-run-items", json=link).raise_for_status()
        score = {"name": "helpful", "value": 1, "traceId": TURN_2}
        api.post("/api/public/scores", json=score).raise_for_status()
    page = _signed_in(context, own.url)
    page.goto(f"{own.url}/project/{PROJECT_ID}/datasets")
    page.locator("#datasets-table a", has_text="compare-me").click()
    for run in ("model-a", "model-b"):
        page.locator(f"tr[data-run={run}] input[type=checkbox]").check()
    page.locator("#compare-form button[type=submit]").click()
    table = page.locator("#compare-table")
    expect(table.locator("th[data-run]")).to_have_text(
        [re.compile(r"^model-a \(baseline\)\s*$"), re.compile(r"^model-b\s*$")]
    )
    cell = table.locator("tr[data-item=ship-date] td.compare-cell").nth(1)
    expect(cell.locator("ins").first).to_have_text("Yes, until it")
    expect(cell.locator("del").first).to_have_text("It")
    expect(cell.locator(".badge.score")).to_have_text("helpful: 1")
    expect(cell.locator("a.trace-link")).to_have_attribute(
        "href", f"/project/{PROJECT_ID}/traces/{TURN_2}"
    )
    assert not page.errors  # type: ignore[attr-defined]
