"""In Chromium on a real server: a session whose id is Chinese, accented, emoji or holds "/",
"#", "?", "%" or a space is listed, and its link opens its replay; its trace page links back;
a session id too long to keep is shown on its trace page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from powerrag import urls
from tests.support.browser import EMAIL, PASSWORD, BrowserServer
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser

IDS = (
    "会话-中文-1",
    "séance-été",
    "chat-🦜-1",
    "tenant/42/chat",
    "a#b",
    "what?x=1&y=2",
    "100%25 sure %",
    "with space",
    "chat/figures",  # ids ending like a part of the replay (urls.py)
    "100%25/turns",
)
LONG_ID = "长" * 201


def _trace_id(number: int) -> str:
    return f"ids-{number}"


@pytest.fixture(scope="module")
def ids_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserServer]:
    """A server of its own: these sessions must not show in the shared server's lists."""
    srv = BrowserServer(tmp_path_factory.mktemp("powerrag-ids"), with_user=True)
    srv.start()
    try:
        sessions = [*IDS, LONG_ID]
        batch = [
            {
                "id": f"ev-{number}",
                "type": "trace-create",
                "timestamp": f"2026-11-20T10:00:{number:02d}.000Z",
                "body": {
                    "id": _trace_id(number),
                    "name": f"turn {number}",
                    "sessionId": session_id,
                    "input": f"question {number}",
                },
            }
            for number, session_id in enumerate(sessions)
        ]
        with srv.api() as client:
            answer = client.post("/api/public/ingestion", json={"batch": batch})
            assert answer.status_code == 207 and answer.json()["errors"] == [], answer.text
            assert len(answer.json()["warnings"]) == 1
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def ids_page(context: BrowserContext, ids_server: BrowserServer) -> Page:
    """Signed in to this module's server; a script error fails the test."""
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    page.goto(f"{ids_server.url}/login")
    page.fill("#login-form input[name=email]", EMAIL)
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{ids_server.url}/project/**")
    return page


@pytest.mark.parametrize("number", range(len(IDS)))
def test_the_list_link_opens_the_replay_and_the_trace_links_back(
    ids_page: Page, ids_server: BrowserServer, number: int
) -> None:
    session_id = IDS[number]
    base = ids_server.url
    ids_page.goto(base + urls.sessions(PROJECT_ID))
    ids_page.locator("#sessions-table a", has_text=session_id).first.click()
    expect(ids_page.locator("#session-title")).to_have_text(session_id)
    assert ids_page.url == base + urls.session(PROJECT_ID, session_id)
    expect(ids_page.locator(".turn")).to_have_count(1)

    ids_page.goto(base + urls.trace(PROJECT_ID, _trace_id(number)))
    ids_page.locator("nav.crumbs a", has_text=session_id).click()
    expect(ids_page.locator("#session-title")).to_have_text(session_id)
    assert ids_page.errors == []  # type: ignore[attr-defined]


def test_a_refused_session_id_is_shown_on_its_trace_page(
    ids_page: Page, ids_server: BrowserServer, tmp_path: Path
) -> None:
    ids_page.goto(ids_server.url + urls.trace(PROJECT_ID, _trace_id(len(IDS))))
    notice = ids_page.locator("#refused-session")
    expect(notice).to_contain_text("201 characters, over the 200")
    expect(notice.locator("code")).to_have_text(LONG_ID)
    ids_page.screenshot(path=str(tmp_path / "refused-session-id.png"), full_page=True)
