"""Prompts in Chromium: a new version typed with its variables marked as typed, the diff of
two versions, `production` moved with a click, and the version a replay turn used, linked
to its page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.browser import EMAIL, PASSWORD
from tests.support.project import PROJECT_ID, PUBLIC_KEY, SECRET_KEY
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

NAME = "browser/qa"
SESSION = "prompt-session"


@pytest.fixture(scope="module")
def prompted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of its own (the shared one's lists stay as other tests count them): one
    prompt, and a session whose generation used its version 1."""
    server = ServerProcess(
        tmp_path_factory.mktemp("prompts-browser"),
        project_id=PROJECT_ID,
        project_name="Test project",
        public_key=PUBLIC_KEY,
        secret_key=SECRET_KEY,
        user=(EMAIL, PASSWORD),
    )
    server.start()
    try:
        with httpx.Client(base_url=server.url, auth=server.auth, timeout=30) as api:
            body = {"name": NAME, "prompt": "Answer {{question}}.", "labels": ["production"]}
            assert api.post("/api/public/v2/prompts", json=body).status_code == 201
            now = "2026-11-23T10:00:00Z"
            trace = {"id": "prompted-trace", "name": "ask", "sessionId": SESSION, "input": "Hi?"}
            generation = {
                "id": "prompted-generation",
                "traceId": "prompted-trace",
                "name": "llm",
                "startTime": now,
                "output": "Hello.",
                "promptName": NAME,
                "promptVersion": 1,
            }
            batch = [
                {"id": "p-1", "type": "trace-create", "timestamp": now, "body": trace},
                {"id": "p-2", "type": "generation-create", "timestamp": now, "body": generation},
            ]
            sent = api.post("/api/public/ingestion", json={"batch": batch})
            assert sent.status_code == 207 and not sent.json()["errors"], sent.text
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(context: BrowserContext, prompted: ServerProcess) -> Page:
    p = context.new_page()
    p.errors = []  # type: ignore[attr-defined]
    p.on("pageerror", lambda exc: p.errors.append(str(exc)))  # type: ignore[attr-defined]
    p.goto(f"{prompted.url}/login")
    p.fill("#login-form input[name=email]", EMAIL)
    p.fill("#login-form input[name=password]", PASSWORD)
    p.click("#login-form button[type=submit]")
    p.wait_for_url(f"{prompted.url}/project/**")
    return p


def test_new_version_diff_move_production_and_the_replay_link(
    page: Page, prompted: ServerProcess, tmp_path: Path
) -> None:
    base = f"{prompted.url}/project/{PROJECT_ID}"
    page.goto(f"{base}/prompts")
    page.click("tr[data-folder='browser'] a")
    page.click(f"tr[data-prompt='{NAME}'] a")
    expect(page.locator("#prompt-name")).to_contain_text("browser/qa v1")
    expect(page.locator("#prompt-body mark.var")).to_have_text("{{question}}")

    source = page.locator("#new-version-form textarea[name=prompt]")
    source.fill("Answer {{question}} for {{audience}}.")
    expect(page.locator("#prompt-preview mark.var")).to_have_text(["{{question}}", "{{audience}}"])
    page.fill("#new-version-form input[name=commit_message]", "name the audience")
    page.click("#new-version-form button[type=submit]")
    page.wait_for_url("**/prompts/browser%2Fqa?version=2")
    expect(page.locator("#versions li[data-version='2']")).to_contain_text("name the audience")

    page.click("#versions li[data-version='1'] a.diff-link")
    diff = page.locator("#diff")
    expect(diff.locator(".diff-del")).to_have_text("- Answer {{question}}.")
    expect(diff.locator(".diff-add")).to_have_text("+ Answer {{question}} for {{audience}}.")
    page.screenshot(path=str(tmp_path / "prompt-diff.png"), full_page=True)

    page.click("form.move-label[data-label='production'] button")
    page.wait_for_url("**/prompts/browser%2Fqa?version=2")
    expect(page.locator("#versions li[data-version='2'] .badge.production")).to_be_visible()
    expect(page.locator("#versions li[data-version='1'] .badge")).to_have_count(0)

    page.goto(f"{base}/sessions/{SESSION}")
    link = page.locator("a.badge.prompt")
    expect(link).to_have_text("browser/qa v1")
    page.screenshot(path=str(tmp_path / "prompt-replay.png"))
    link.click()
    page.wait_for_url("**/prompts/browser%2Fqa?version=1")
    expect(page.locator("#prompt-name")).to_contain_text("v1")
    assert page.errors == []  # type: ignore[attr-defined]
