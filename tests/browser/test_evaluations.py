"""A judged session in the browser: its score in the list's column (and the list filtered
by it) and its reasoning in the replay, its
alert badge, and in the evaluation settings the run log (a failed one with its error) and
the alert delivery log; "try on this session" queues a re-run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from powerrag.config import Settings
from powerrag.lifecycle import Lifecycle
from powerrag.store.database import Store
from tests.support.browser import EMAIL, PASSWORD
from tests.support.fake_openai import FakeOpenAI, failure, text
from tests.support.judges import GOOD_ANSWER, chat_session, set_up_judge
from tests.support.lifecycle import Clock, receiver
from tests.support.project import PROJECT_ID, PUBLIC_KEY, SECRET_KEY
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser


@pytest.fixture
def judged(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of its own, with no background worker: the test runs the passes."""
    server = ServerProcess(
        tmp_path / "data",
        project_id=PROJECT_ID,
        project_name="Test project",
        public_key=PUBLIC_KEY,
        secret_key=SECRET_KEY,
        user=(EMAIL, PASSWORD),
        lifecycle_interval_seconds="0",
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _signed_in(context: BrowserContext, base: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#login-form input[name=email]", EMAIL)
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/project/**")
    return page


def test_a_judged_session_shows_its_reasoning_alert_and_logs(
    context: BrowserContext, judged: ServerProcess
) -> None:
    answers = [text(GOOD_ANSWER), failure(500, "boom"), failure(500, "boom"), failure(500, "boom")]
    store = Store.open(f"sqlite:///{judged.data_dir / 'powerrag.db'}", migrate_on_start=False)
    api = httpx.Client(base_url=judged.url, auth=judged.auth, timeout=30)
    with FakeOpenAI(answers, [(10, 5)] * 4) as fake, receiver() as hook, api:
        set_up_judge(api, fake.base_url)
        alert = {"name": "chatty", "metric": "session_turns", "threshold": 1}
        assert (
            api.post("/api/public/alerts", json={**alert, "webhookUrl": hook.url}).status_code
            == 201
        )
        for session_id in ("judged-a", "judged-b"):
            api.post("/api/public/ingestion", json={"batch": chat_session(session_id)})
        assert api.post("/api/public/sessions/judged-a/end").status_code == 200
        clock = Clock()
        worker = Lifecycle(store, Settings(data_dir=judged.data_dir), clock)
        worker.run_once()
        assert api.post("/api/public/sessions/judged-b/end").status_code == 200
        for wait in (1, 6, 11):
            worker.run_once(clock.advance(wait))
    store.close()
    assert len(fake.requests) == 4 and len(hook.received) == 2

    base = judged.url
    page = _signed_in(context, base)
    shots = judged.data_dir.parent
    page.goto(f"{base}/project/{PROJECT_ID}/sessions")
    row = page.locator("#sessions-table tr[data-session='judged-a']")
    expect(row.locator(".scores")).to_contain_text("helpful: 1")
    expect(row.locator(".alert-fired")).to_have_text("Alert")
    rows = page.locator("#sessions-table tbody tr")
    expect(rows).to_have_count(2)  # judged-b's evaluation failed: no score
    page.click("#score-columns summary")
    page.check("#score-columns input[value='helpful']")
    page.click("#session-filters button[type=submit]")
    expect(row.locator("td.score-col[data-score='helpful']")).to_have_text("1")
    expect(rows).to_have_count(2)
    page.select_option("#filter-score", "helpful")
    page.fill("#filter-score-min", "0.5")
    page.click("#session-filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-session", "judged-a")
    expect(rows.first.locator("td.score-col[data-score='helpful']")).to_have_text("1")
    page.screenshot(path=str(shots / "sessions-judged.png"), full_page=True)

    page.goto(f"{base}/project/{PROJECT_ID}/sessions/judged-a")
    expect(page.locator("#session-evaluations")).to_contain_text("Both requests were answered.")
    expect(page.locator("#session-alerts")).to_contain_text("chatty")
    page.screenshot(path=str(shots / "replay-judged.png"))
    page.click("#try-rule-form button[type=submit]")
    expect(page.locator("#tried")).to_be_visible()

    page.goto(f"{base}/project/{PROJECT_ID}/settings/evaluation")
    runs = page.locator("#rules article[data-rule='helpful-sessions'] .job-log tbody tr")
    expect(runs).to_have_count(3)  # the re-run queued, the failure, the success
    expect(runs.locator(".status.failed")).to_have_count(1)
    failed = runs.filter(has=page.locator(".status.failed"))
    expect(failed.locator(".job-error")).to_have_text(
        'the LLM answered HTTP 500: {"error": {"message": "boom"}}'
    )
    deliveries = page.locator("#alerts article[data-alert='chatty'] .job-log tbody tr")
    expect(deliveries).to_have_count(2)
    expect(page.locator("#connections-table")).to_contain_text("...1234")
    page.screenshot(path=str(shots / "settings-evaluation.png"), full_page=True)

    context.add_cookies([{"name": "powerrag_lang", "value": "zh-CN", "url": base}])
    page.reload()
    expect(page.locator("#rules h2")).to_have_text("评估规则")
    expect(failed.locator(".job-error")).to_contain_text("HTTP 500")
