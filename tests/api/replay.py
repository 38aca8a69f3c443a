"""Replaying recorded SDK writes into the app, and a second project to isolate from."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from powerrag.store import accounts
from powerrag.store.database import Store
from tests.fixtures import writes

OTHER_PROJECT = "other-project"


def replay_writes(client: TestClient, name: str) -> None:
    """Send every tracing and scoring request of a fixture file, byte for byte."""
    for rec in writes(name):
        response = client.post(rec.url, content=rec.body, headers=rec.replay_headers())
        assert response.status_code < 300, (rec.file, rec.seq, response.text)


def other_project_auth(store: Store) -> str:
    """A second project with its own key; returns its Basic auth header."""
    with store.transaction() as conn:
        accounts.create_project(conn, "Other project", OTHER_PROJECT)
        _, secret = accounts.create_api_key(conn, OTHER_PROJECT, public_key="pk-lf-other")
    return "Basic " + base64.b64encode(f"pk-lf-other:{secret}".encode()).decode()
