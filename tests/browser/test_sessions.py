"""Sessions list: the seed's sessions, each filter, sorting, Chinese search, 375 px layout."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import BrowserServer
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser
SEED_SESSIONS = ("chat-session-123", "session-123", "your-session-id")


def _ids(page: Page) -> list[str]:
    return page.locator("#sessions-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.session)"
    )


def _numbers(page: Page, column: int) -> list[float]:
    cells = page.locator(f"#sessions-table tbody tr td:nth-child({column})").all_inner_texts()
    return [float(c.replace(",", "").replace("$", "")) for c in cells]


def test_the_list_shows_the_seeds_and_the_demos_sessions(page: Page, server: BrowserServer) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions")
    ids = _ids(page)
    for session_id in (*SEED_SESSIONS, *server.demo.session_ids):  # type: ignore[union-attr]
        assert session_id in ids
    row = page.locator("#sessions-table tr[data-session='chat-session-123']")
    expect(row).to_contain_text("user-42")
    expect(row).to_contain_text("staging")


def test_each_filter_narrows_the_list(page: Page, server: BrowserServer) -> None:
    base = f"{server.url}/project/{PROJECT_ID}/sessions"
    page.goto(base)
    page.fill("#session-filters input[name=user]", "user-42")
    page.click("#session-filters button[type=submit]")
    assert _ids(page) == ["chat-session-123"]

    page.goto(base)
    page.fill("#session-filters input[name=environment]", "staging")
    page.click("#session-filters button[type=submit]")
    assert _ids(page) == ["chat-session-123"]

    page.goto(base)
    page.fill("#session-filters input[name=id]", "SESSION-123")
    page.click("#session-filters button[type=submit]")
    assert sorted(_ids(page)) == ["chat-session-123", "session-123"]

    page.goto(f"{base}?from=2000-01-01&to=2000-12-31")
    expect(page.locator(".empty")).to_be_visible()
    page.goto(f"{base}?from=2000-01-01")
    assert "chat-session-123" in _ids(page)


def test_a_chinese_phrase_finds_its_session(page: Page, server: BrowserServer) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions")
    page.fill("#filter-text", "龙井茶")
    page.click("#session-filters button[type=submit]")
    assert _ids(page) == [s for s in server.demo.session_ids if "travel-zh" in s]  # type: ignore[union-attr]
    page.fill("#filter-text", "capital of France")
    page.click("#session-filters button[type=submit]")
    assert "chat-session-123" in _ids(page)


def test_sorting_by_a_figure_orders_the_rows_both_ways(page: Page, server: BrowserServer) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions")
    page.click("a.sort[data-sort=traces]")
    counts = _numbers(page, 7)
    assert counts == sorted(counts, reverse=True)
    page.click("a.sort[data-sort=traces]")
    counts = _numbers(page, 7)
    assert counts == sorted(counts)
    page.click("a.sort[data-sort=cost]")
    costs = _numbers(page, 13)
    assert costs == sorted(costs, reverse=True) and costs[0] > 0


def test_pages_have_no_horizontal_scroll_at_375_px(page: Page, server: BrowserServer) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    trace_id = page.context.request.get(
        f"{server.url}/project/{PROJECT_ID}/traces?format=json&session=chat-session-123"
    ).json()["traces"][0]["id"]
    for path in (
        "sessions",
        "sessions/chat-session-123",
        f"traces/{trace_id}",
        "traces",
        "settings",
    ):
        page.goto(f"{server.url}/project/{PROJECT_ID}/{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
