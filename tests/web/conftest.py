"""A signed-in browser-like client (cookies, CSRF) over the in-process app, with SDK data."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.query.ui_users import ensure_user
from powerrag.store.database import Store
from tests.fixtures import AUTH, fixture_files, writes

EMAIL, PASSWORD = "admin@example.com", "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def send_fixtures(client: TestClient, names: list[str] | None = None) -> None:
    """Replay the recorded SDK traffic (all successful scenarios) into the server."""
    for name in names or fixture_files():
        if "errors" in name or "verbatim-fails" in name:
            continue
        for rec in writes(name):
            headers = {**rec.replay_headers(), "authorization": AUTH}
            response = client.post(rec.url, content=rec.body, headers=headers)
            assert response.status_code < 300, (name, response.text)


@pytest.fixture
def web(store: Store, settings: Settings) -> Iterator[TestClient]:
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    app = create_app(settings, store=store)
    with TestClient(app, follow_redirects=False) as client:
        send_fixtures(client)
        page = client.get("/login")
        response = client.post(
            "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        )
        assert response.status_code == 303, response.text
        yield client
