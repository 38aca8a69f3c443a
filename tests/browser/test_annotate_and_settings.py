"""Annotation in place and settings in Chromium (issue 12, items 7 and 8), on a real server.

Each test writes its own session through the ingestion API, so it depends on no other.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import BrowserServer
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("POWERRAG_SCREENSHOTS", "/tmp/powerrag-screenshots"))
END_USER = "carol@example.com"


def _session(server: BrowserServer, turns: int = 2, user: str | None = None) -> str:
    """A new session of `turns` question/answer traces; its id."""
    session_id = f"annotate-{uuid.uuid4().hex[:8]}"
    events = []
    for i in range(turns):
        body = {
            "id": f"{session_id}-t{i}",
            "sessionId": session_id,
            "timestamp": f"2025-11-23T10:0{i}:00.000Z",
            "input": [{"role": "user", "content": f"Question {i}: where is order {i}?"}],
            "output": {"role": "assistant", "content": f"Order {i} ships tomorrow."},
        }
        if user:
            body["userId"] = user
        events.append(
            {"id": uuid.uuid4().hex, "type": "trace-create", "timestamp": body["timestamp"]}
            | {"body": body}
        )
    with server.api() as api:
        sent = api.post("/api/public/ingestion", json={"batch": events})
        assert sent.status_code == 207 and not sent.json()["errors"], sent.text
    return session_id


def _open(page: Page, server: BrowserServer, session_id: str) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions/{session_id}")
    expect(page.locator("#turns > li.turn").first).to_be_visible()


def test_a_score_is_added_on_a_turn_without_expanding_then_edited_and_deleted(
    page: Page, server: BrowserServer
) -> None:
    session_id = _session(server)
    _open(page, server, session_id)
    turn = page.locator("#turns > li.turn").nth(1)
    form = turn.locator("form.score-form")
    expect(form).to_be_visible()  # no "Observations" to open first
    form.locator("input[name=name]").fill("tone")
    form.locator("input[name=value]").fill("4")
    form.locator("input[name=comment]").fill("polite")
    with page.expect_navigation():
        form.locator("button").click()
    item = turn.locator(".score-item")
    expect(item).to_have_count(1)
    expect(item.locator(".badge")).to_have_text("tone: 4")
    expect(item).to_contain_text("polite")
    SHOTS.mkdir(parents=True, exist_ok=True)
    turn.screenshot(path=str(SHOTS / "annotate-turn.png"))
    page.screenshot(path=str(SHOTS / "annotate-replay.png"))

    item.locator("details.edit summary").click()
    item.locator("input[name=value]").fill("5")
    with page.expect_navigation():
        item.locator("form.score-edit-form button").click()
    expect(turn.locator(".score-item .badge")).to_have_text("tone: 5")
    expect(turn.locator(".score-item")).to_contain_text("polite")

    with page.expect_navigation():
        turn.locator(".score-item form.delete-form button").click()
    expect(turn.locator(".score-item")).to_have_count(0)
    page.reload()
    expect(page.locator("#turns > li.turn").nth(1).locator(".score-item")).to_have_count(0)
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_wrong_value_keeps_the_input_and_shows_the_error_in_the_form(
    page: Page, server: BrowserServer
) -> None:
    session_id = _session(server)
    _open(page, server, session_id)
    turn = page.locator("#turns > li.turn").first
    form = turn.locator("form.score-form")
    form.locator("input[name=name]").fill("resolved")
    form.locator("select[name=data_type]").select_option("BOOLEAN")
    form.locator("input[name=value]").fill("yes please")
    form.locator("input[name=comment]").fill("the customer said thanks")
    with page.expect_navigation():
        form.locator("button").click()

    turn = page.locator("#turns > li.turn").first
    form = turn.locator("form.score-form")
    expect(form.locator(".form-error")).to_have_text(
        "Not saved: a boolean score is true or false, got 'yes please'"
    )
    expect(form.locator("input[name=name]")).to_have_value("resolved")
    expect(form.locator("select[name=data_type]")).to_have_value("BOOLEAN")
    expect(form.locator("input[name=value]")).to_have_value("yes please")
    expect(form.locator("input[name=value]")).to_have_attribute("placeholder", "0.8, good, true…")
    expect(form.locator("input[name=value]")).to_be_focused()
    expect(form.locator("input[name=comment]")).to_have_value("the customer said thanks")
    # The address is the replay's again, so a reload asks for the page, not a new post.
    base = f"{server.url}/project/{PROJECT_ID}/sessions/{session_id}"
    assert page.url == f"{base}#turn-{session_id}-t0"
    turn.screenshot(path=str(SHOTS / "annotate-error.png"))

    form.locator("input[name=value]").fill("true")
    with page.expect_navigation():
        form.locator("button").click()
    expect(page.locator("#turns > li.turn").first.locator(".score-item .badge")).to_have_text(
        "resolved: true"
    )
    assert page.errors == []  # type: ignore[attr-defined]


def test_reloading_after_creating_a_key_creates_none_and_copy_puts_the_secret_in_the_clipboard(
    browser: Browser, page: Page, server: BrowserServer
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page.goto(f"{server.url}/project/{PROJECT_ID}/settings")
    rows = page.locator("#keys-table tbody tr")
    before = rows.count()
    page.fill("#create-key-form input[name=note]", "copied key")
    page.click("#create-key-form button[type=submit]")
    page.wait_for_url(f"{server.url}/project/{PROJECT_ID}/settings#api-keys")
    secret = page.locator("#new-secret-key").inner_text()
    assert secret.startswith("sk-lf-")
    expect(rows).to_have_count(before + 1)
    expect(page.locator("#copy-secret-key")).to_have_text("Copy")
    page.click("#copy-secret-key")
    expect(page.locator("#copy-secret-key")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    page.locator("#created-key").screenshot(path=str(SHOTS / "settings-new-key.png"))

    page.click("#copy-project-id")
    assert page.evaluate("navigator.clipboard.readText()") == PROJECT_ID

    page.reload()
    expect(page.locator("#new-secret-key")).to_have_count(0)
    expect(rows).to_have_count(before + 1)
    page.reload()
    expect(rows).to_have_count(before + 1)
    page.screenshot(path=str(SHOTS / "settings.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_public_page_hides_the_email_until_the_project_opts_in(
    browser: Browser, page: Page, server: BrowserServer
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    session_id = _session(server, turns=1, user=END_USER)
    _open(page, server, session_id)
    expect(page.locator("#fig-users")).to_have_text(END_USER)
    page.click("#publish-button")
    link = f"{server.url}/project/{PROJECT_ID}/sessions/{session_id}"
    expect(page.locator("#public-url")).to_have_text(link)
    page.click("#copy-public-url")
    assert page.evaluate("navigator.clipboard.readText()") == link

    visitor = browser.new_context()
    anon = visitor.new_page()
    anon.goto(link)
    expect(anon.locator("#turns > li.turn")).to_have_count(1)
    expect(anon.locator("#fig-users")).to_have_text("hidden on public pages")
    assert END_USER not in anon.content()
    anon.screenshot(path=str(SHOTS / "public-page.png"), full_page=True)
    anon.click("#public-sign-in")
    expect(anon.locator("#login-form")).to_be_visible()

    page.goto(f"{server.url}/project/{PROJECT_ID}/settings#public-pages")
    page.check("#public-pages-form input[name=show_users]")
    with page.expect_navigation():
        page.click("#public-pages-form button")
    expect(page.locator("#public-pages-form input[name=show_users]")).to_be_checked()
    anon.goto(link)
    expect(anon.locator("#fig-users")).to_have_text(END_USER)

    page.uncheck("#public-pages-form input[name=show_users]")
    with page.expect_navigation():
        page.click("#public-pages-form button")
    anon.goto(link)
    expect(anon.locator("#fig-users")).to_have_text("hidden on public pages")
    visitor.close()
    assert page.errors == []  # type: ignore[attr-defined]
