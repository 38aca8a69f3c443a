"""The replay's player shows the session's lifecycle, not a "Live" badge: an ended session
says Ended and when; a trace arriving while it is open reopens it, and the badge follows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from powerrag import urls
from tests.support.browser import BrowserServer
from tests.support.lifecycle import turn
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser
SESSION = "lifecycle-badge"


def test_an_ended_session_says_ended_and_a_new_trace_makes_it_active(
    page: Page, server: BrowserServer
) -> None:
    with server.api() as api:
        sent = api.post("/api/public/ingestion", json={"batch": turn(SESSION, "badge-t1")})
        assert sent.status_code == 207
        ended = api.post(f"/api/public/sessions/{SESSION}/end").json()
        assert ended["status"] == "ended"

        page.goto(server.url + urls.session(PROJECT_ID, SESSION))
        expect(page.locator("#replay")).to_have_attribute("data-live-state", "open")
        badge = page.locator("#session-lifecycle")
        expect(badge).to_have_attribute("data-status", "ended")
        expect(badge).to_contain_text("Ended")
        expect(badge.locator("time")).to_have_attribute("datetime", ended["endedAt"])
        expect(badge.locator(".live-dot")).to_have_count(0)
        expect(page.locator(".player")).not_to_contain_text("Live")
        page.screenshot(path="/tmp/shots/replay-ended-badge.png")

        late = turn(SESSION, "badge-t2", start="2025-11-23T10:05:00.000Z")
        assert api.post("/api/public/ingestion", json={"batch": late}).status_code == 207
        expect(badge).to_have_attribute("data-status", "active")  # the replaced element
        expect(page.locator("#session-lifecycle")).to_have_text("● Active")
        expect(page.locator("#session-lifecycle .live-dot")).to_be_visible()
        expect(page.locator("#fig-status .status")).to_have_text("Active")
    assert page.errors == []  # type: ignore[attr-defined]
