"""A project's retention on its settings page, and what Langfuse's project API then reports.

Empty follows the server default, 0 keeps everything, else 3 to 36,500 days (Langfuse's
rule for `retention`); only owners and administrators change it.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from powerrag import accounts
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from powerrag.store.memberships import MEMBER, OWNER, set_membership
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import post_form, sign_in

OWEN = ("owen@example.com", "owen password 1")
MIA = ("mia@example.com", "mia password 1")
SETTINGS = f"/project/{PROJECT_ID}/settings"
SERVER_DEFAULT = 14


@pytest.fixture
def web(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    owen = accounts.ensure_user(store, OWEN[0], "Owen", OWEN[1])
    mia = accounts.ensure_user(store, MIA[0], "Mia", MIA[1])
    with store.transaction() as conn:
        set_membership(conn, PROJECT_ID, owen.id, OWNER)
        set_membership(conn, PROJECT_ID, mia.id, MEMBER)
    settings = Settings(
        data_dir=tmp_path, retention_days=SERVER_DEFAULT, retention_interval_seconds=0
    )
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        yield client


def _page(web: TestClient) -> dict[str, object]:
    found: dict[str, object] = web.get(SETTINGS, params={"format": "json"}).json()
    return found


def _reported(web: TestClient) -> object:
    answer = web.get("/api/public/projects", headers={"authorization": AUTH})
    return answer.json()["data"][0].get("retentionDays", "omitted")


@pytest.mark.one_engine
def test_owner_sets_days_default_or_forever(web: TestClient) -> None:
    sign_in(web, OWEN)
    page = _page(web)
    assert (page["retentionDays"], page["retentionDefault"]) == (None, SERVER_DEFAULT)
    assert _reported(web) == SERVER_DEFAULT
    text = web.get(SETTINGS).text
    assert 'id="retention-form"' in text and "14 days (server default)" in text

    answer = post_form(web, f"{SETTINGS}/retention", {"days": "30"})
    assert (answer.status_code, answer.headers["location"]) == (303, f"{SETTINGS}#retention")
    assert _page(web)["retentionDays"] == 30
    assert _reported(web) == 30

    post_form(web, f"{SETTINGS}/retention", {"days": "0"})
    assert _page(web)["retentionDays"] == 0
    assert _reported(web) == "omitted"  # as Langfuse: no retention, no field
    assert "everything, forever" in web.get(SETTINGS).text

    post_form(web, f"{SETTINGS}/retention", {"days": " "})
    assert _page(web)["retentionDays"] is None
    assert _reported(web) == SERVER_DEFAULT


BAD_DAYS = [
    ("2", "must be 0 (keep everything) or from 3 to 36500, got 2"),
    ("36501", "got 36501"),
    ("-1", "got -1"),
    ("a week", "must be a whole number, got 'a week'"),
]


@pytest.mark.one_engine
def test_bad_days_are_refused_naming_the_value(web: TestClient) -> None:
    sign_in(web, OWEN)
    for days, named in BAD_DAYS:
        answer = post_form(web, f"{SETTINGS}/retention", {"days": days})
        assert answer.status_code == 400, days
        assert named in html.unescape(answer.text)
    assert _page(web)["retentionDays"] is None


@pytest.mark.one_engine
def test_a_member_cannot_change_it(web: TestClient) -> None:
    sign_in(web, MIA)
    assert 'id="retention-form"' not in web.get(SETTINGS).text
    answer = post_form(web, f"{SETTINGS}/retention", {"days": "3"})
    assert answer.status_code == 403
    assert _page(web)["retentionDays"] is None
