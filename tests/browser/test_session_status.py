"""The sessions list and the replay show a session's status; the list filters by it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import BrowserServer
from tests.support.lifecycle import turn
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser
ENDED = "lifecycle-ended"


def test_an_ended_session_shows_its_status_and_the_filter_finds_it(
    page: Page, server: BrowserServer
) -> None:
    with server.api() as api:
        sent = api.post("/api/public/ingestion", json={"batch": turn(ENDED, "lifecycle-t1")})
        assert sent.status_code == 207
        assert api.post(f"/api/public/sessions/{ENDED}/end").json()["status"] == "ended"

    base = f"{server.url}/project/{PROJECT_ID}/sessions"
    page.goto(base)
    page.select_option("#filter-status", "ended")
    page.click("#session-filters button[type=submit]")
    rows = page.locator("#sessions-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-session", ENDED)
    expect(rows.first.locator(".status.ended")).to_have_text("Ended")
    page.screenshot(path=str(server.data_dir.parent / "sessions-ended.png"), full_page=True)

    page.goto(f"{base}?status=active")
    expect(page.locator(f"#sessions-table tr[data-session='{ENDED}']")).to_have_count(0)
    expect(page.locator("#sessions-table .status.active").first).to_have_text("Active")

    page.goto(f"{base}/{ENDED}")
    expect(page.locator("#fig-status .status.ended")).to_have_text("Ended")
    page.screenshot(path=str(server.data_dir.parent / "replay-ended.png"))
