"""The project switcher's options carry the server-built address of each project's page in
the section the user is in (powerrag/urls.py); common.js only follows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from powerrag import urls
from powerrag.store import accounts as store_accounts
from powerrag.store.database import Store
from tests.support.project import PROJECT_ID

OTHER = "other 项目 1"
_OPTION = re.compile(r'<option value="([^"]+)" data-url="([^"]+)"')
COMMON_JS = Path(__file__).parents[2] / "src" / "powerrag" / "web" / "static" / "common.js"


def _targets(web: TestClient, path: str) -> dict[str, str]:
    page = web.get(path)
    assert page.status_code == 200, page.text
    switcher = page.text.split('id="project-switcher"')[1].split("</select>")[0]
    return dict(_OPTION.findall(switcher))


@pytest.mark.one_engine  # any engine would do
def test_each_option_leads_to_its_project_in_the_same_section(
    web: TestClient, store: Store
) -> None:
    with store.transaction() as conn:
        store_accounts.create_project(conn, "Other", OTHER)
    listed = web.get(urls.sessions(PROJECT_ID), params={"format": "json"}).json()
    session_id = listed["sessions"][0]["id"]
    for path, section in (
        (urls.sessions(PROJECT_ID), "sessions"),
        (urls.session(PROJECT_ID, session_id), "sessions"),
        (urls.traces(PROJECT_ID), "traces"),
        (urls.evaluation(PROJECT_ID), "settings"),
        (urls.settings(OTHER), "settings"),
    ):
        assert _targets(web, path) == {
            PROJECT_ID: f"/project/{PROJECT_ID}/{section}",
            OTHER: f"/project/other%20%E9%A1%B9%E7%9B%AE%201/{section}",
        }, path


def test_a_page_outside_a_section_leads_to_the_sessions() -> None:
    assert urls.project_section("p", "/project/q/media/m1") == "/project/p/sessions"
    assert urls.project_section("p", "/settings") == "/project/p/sessions"


def test_the_switcher_script_builds_no_path() -> None:
    assert "/project" not in COMMON_JS.read_text()
