"""Sign-in, first admin, CSRF, API keys, project scoping, language switch, `powerrag demo`."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import BrowserServer
from tests.support.project import PROJECT_ID, PUBLIC_KEY, SECRET_KEY

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[BrowserServer]:
    srv = BrowserServer(tmp_path / "data", with_user=False)
    srv.start()
    yield srv
    srv.stop()


def test_first_visit_creates_the_admin_then_signs_in_and_demo_fills_the_server(
    browser: Browser, fresh_server: BrowserServer
) -> None:
    page = browser.new_page()
    base = fresh_server.url
    # `powerrag serve` printed a one-time link to create the administrator.
    link = re.search(r"/setup\?token=(\S+)", fresh_server.log())
    assert link, fresh_server.log()
    page.goto(f"{base}/")
    expect(page.locator("#setup-form")).to_be_visible()
    page.fill("#setup-form input[name=token]", link.group(1))
    page.fill("#setup-form input[name=name]", "Ada")
    page.fill("#setup-form input[name=email]", "ada@example.com")
    page.fill("#setup-form input[name=password]", "a long password")
    page.click("#setup-form button[type=submit]")
    page.wait_for_url(f"{base}/project/{PROJECT_ID}/sessions")
    expect(page.locator(".empty")).to_contain_text("powerrag demo")

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "powerrag",
            "demo",
            "--url",
            base,
            "--public-key",
            PUBLIC_KEY,
            "--secret-key",
            SECRET_KEY,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "sent 9 traces" in result.stdout
    page.reload()
    expect(page.locator("#sessions-table tbody tr")).to_have_count(3)

    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{base}/login")
    expect(page.locator("#setup-form")).to_have_count(0)
    page.fill("#login-form input[name=email]", "ada@example.com")
    page.fill("#login-form input[name=password]", "wrong password")
    page.click("#login-form button[type=submit]")
    expect(page.locator(".error")).to_be_visible()
    page.fill("#login-form input[name=email]", "ada@example.com")
    page.fill("#login-form input[name=password]", "a long password")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/project/{PROJECT_ID}/sessions")
    page.close()


def test_a_form_posted_without_its_csrf_token_is_refused(page: Page, server: BrowserServer) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/settings")
    page.eval_on_selector("#create-key-form input[name=csrf_token]", "el => el.remove()")
    before = page.locator("#keys-table tbody tr").count()
    with page.expect_response(lambda r: r.url.endswith("/settings/keys")) as info:
        page.click("#create-key-form button[type=submit]")
    assert info.value.status == 403
    expect(page.locator("h1")).to_have_text("Refused")
    page.goto(f"{server.url}/project/{PROJECT_ID}/settings")
    expect(page.locator("#keys-table tbody tr")).to_have_count(before)


def test_an_api_key_is_created_shown_once_and_revoked(page: Page, server: BrowserServer) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/settings")
    page.fill("#create-key-form input[name=note]", "ci key")
    page.click("#create-key-form button[type=submit]")
    public_key = page.locator("#new-public-key").inner_text()
    secret_key = page.locator("#new-secret-key").inner_text()
    expect(page.locator("#snippet-python")).to_contain_text(f'LANGFUSE_SECRET_KEY="{secret_key}"')
    expect(page.locator("#snippet-js")).to_contain_text("LANGFUSE_BASE_URL=")
    projects = httpx.get(f"{server.url}/api/public/projects", auth=(public_key, secret_key))
    assert projects.status_code == 200

    page.goto(f"{server.url}/project/{PROJECT_ID}/settings")
    expect(page.locator("#new-secret-key")).to_have_count(0)
    row = page.locator(f"#keys-table tr[data-key='{public_key}']")
    row.locator("button:has-text('Revoke')").click()
    expect(page.locator(f"#keys-table tr[data-key='{public_key}']")).to_have_class("revoked")
    projects = httpx.get(f"{server.url}/api/public/projects", auth=(public_key, secret_key))
    assert projects.status_code == 401


def test_a_url_with_another_projects_id_shows_nothing_of_it(
    page: Page, server: BrowserServer
) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/settings")
    page.fill("form[action='/projects'] input[name=name]", "Other team")
    page.click("form[action='/projects'] button")
    other = page.url.split("/project/")[1].split("/")[0]
    assert other != PROJECT_ID
    trace_id = page.context.request.get(
        f"{server.url}/project/{PROJECT_ID}/traces?format=json"
    ).json()["traces"][0]["id"]
    for path in (
        f"/project/{other}/traces/{trace_id}",
        f"/project/{other}/sessions/chat-session-123",
        "/project/no-such-project/sessions",
        f"/project/no-such-project/traces/{trace_id}",
    ):
        response = page.goto(server.url + path)
        assert response is not None and response.status == 404, path
        expect(page.locator("main")).not_to_contain_text("chat-session-123")
    page.goto(f"{server.url}/project/{other}/sessions")
    expect(page.locator("#sessions-table")).to_have_count(0)
    page.select_option("#project-switcher", PROJECT_ID)  # the switcher keeps the section
    page.wait_for_url(f"{server.url}/project/{PROJECT_ID}/sessions")
    expect(page.locator("#sessions-table tr[data-session='chat-session-123']")).to_be_visible()


def test_a_chinese_browser_gets_chinese_labels(browser: Browser, server: BrowserServer) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server.url}/login")
    expect(page.locator("h1")).to_have_text("登录")
    context.close()


def test_the_zh_cn_switch_changes_the_labels(page: Page, server: BrowserServer) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions")
    expect(page.locator("h1")).to_contain_text("Sessions")
    page.click("#lang-switch")
    expect(page.locator("h1")).to_contain_text("会话")
    expect(page.locator(".mainnav")).to_contain_text("追踪")
    page.click("#lang-switch")
    expect(page.locator("h1")).to_contain_text("Sessions")
