"""Trace page: observation tree, Gantt timeline, and the panel of a clicked observation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import BrowserServer
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser


def test_the_trace_page_shows_tree_timeline_and_the_clicked_observation(
    page: Page, server: BrowserServer
) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions/chat-session-123")
    rich = page.locator("#turns > li.turn", has=page.locator(".turn-name", has_text="rich-trace"))
    rich.first.locator(".trace-link").click()
    page.wait_for_url("**/traces/**")
    nodes = page.locator("#obs-tree .tree-node")
    assert nodes.count() > 3
    expect(page.locator("#gantt .gantt-row")).to_have_count(nodes.count())
    bar_width = page.locator("#gantt .gantt-bar").first.evaluate(
        "b => b.getBoundingClientRect().width"
    )
    assert bar_width > 10

    generation = page.locator("#obs-tree .tree-node:has(.type-generation) a").first
    name = generation.locator(".obs-name").inner_text()
    generation.click()
    expect(page.locator("#panel-name")).to_have_text(name)
    expect(page.locator("#panel-model")).to_be_visible()
    expect(page.locator("#panel-input")).not_to_be_empty()
    assert "observation=" in page.url

    page.locator("#gantt .gantt-row").first.click()
    first_name = page.locator("#obs-tree .tree-node .obs-name").first.inner_text()
    expect(page.locator("#panel-name")).to_have_text(first_name)
    assert page.errors == []  # type: ignore[attr-defined]
