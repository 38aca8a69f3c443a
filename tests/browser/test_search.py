"""Sessions list search on SDK-sent data (recorded SDK traffic and `powerrag demo`'s OTLP):
words in any order, Chinese words apart in one message, partial user and environment."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.support.browser import BrowserServer
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser


def _search(page: Page, server: BrowserServer, field: str, value: str) -> list[str]:
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions")
    page.fill(f"#session-filters input[name={field}]", value)
    page.click("#session-filters button[type=submit]")
    page.wait_for_load_state()
    ids: list[str] = page.locator("#sessions-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.session)"
    )
    return sorted(ids)


def _of_demo(server: BrowserServer, found: list[str]) -> list[str]:
    """The demo's sessions among `found`: other browser tests on this shared server send
    sessions of their own (the replay tests' RAG chats also speak of refunds and headphones)."""
    return [s for s in found if s in server.demo.session_ids]  # type: ignore[union-attr]


def _demo(server: BrowserServer, key: str) -> list[str]:
    return [s for s in server.demo.session_ids if f"-{key}-" in s]  # type: ignore[union-attr]


def test_words_in_either_order_find_the_refund_session(page: Page, server: BrowserServer) -> None:
    refund = _demo(server, "support-refund")
    assert len(refund) == 1
    assert _of_demo(server, _search(page, server, "q", "headphones refund")) == refund
    assert _of_demo(server, _search(page, server, "q", "refund headphones")) == refund
    assert page.locator("#filter-text").input_value() == "refund headphones"


def test_two_chinese_words_apart_in_one_message_find_their_session(
    page: Page, server: BrowserServer
) -> None:
    travel = _demo(server, "travel-zh")
    assert len(travel) == 1
    assert _search(page, server, "q", "杭州 推荐") == travel


def test_user_and_environment_match_a_part(page: Page, server: BrowserServer) -> None:
    assert _search(page, server, "user", "alice") == _demo(server, "support-refund")
    assert "chat-session-123" in _search(page, server, "environment", "stag")
