"""Every copy button is handled by one script (static/copy.js): an icon button on the trace
page and a labelled one in the settings copy their exact text and say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from powerrag import urls
from tests.support.browser import BrowserServer
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser
STATIC = Path(__file__).parents[2] / "src" / "powerrag" / "web" / "static"


def test_only_copy_js_writes_to_the_clipboard() -> None:
    writers = sorted(p.name for p in STATIC.glob("*.js") if "clipboard" in p.read_text())
    assert writers == ["copy.js"]


def test_the_icon_and_the_labelled_copy_buttons_copy_their_text(
    page: Page, server: BrowserServer
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    with server.api() as api:
        trace_id = api.get("/api/public/traces", params={"limit": 1}).json()["data"][0]["id"]
    page.goto(server.url + urls.trace(PROJECT_ID, trace_id))
    icon = page.locator(".figures button.copy")
    expect(icon).to_have_attribute("title", "copy")
    icon.click()
    assert page.evaluate("navigator.clipboard.readText()") == trace_id
    expect(icon).to_have_attribute("data-state", "copied")
    expect(icon).to_have_attribute("title", "copied")
    expect(icon).to_have_attribute("title", "copy")  # back after a moment
    expect(icon).not_to_have_attribute("data-state", "copied")

    page.goto(server.url + urls.settings(PROJECT_ID))
    labelled = page.locator("#copy-project-id")
    labelled.click()
    assert page.evaluate("navigator.clipboard.readText()") == PROJECT_ID
    expect(labelled).to_have_text("Copied")
    expect(labelled).to_have_text("Copy")
    assert page.errors == []  # type: ignore[attr-defined]
