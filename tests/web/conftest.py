"""A signed-in browser-like client (cookies, CSRF) over the in-process app, with SDK data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.replay import replay_successful
from tests.support.web import EMAIL, PASSWORD, csrf_of


@pytest.fixture
def web(store: Store, settings: Settings) -> Iterator[TestClient]:
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    app = create_app(settings, store=store)
    with TestClient(app, follow_redirects=False) as client:
        replay_successful(client)
        page = client.get("/login")
        response = client.post(
            "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        )
        assert response.status_code == 303, response.text
        yield client
