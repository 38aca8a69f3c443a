"""Replaying recorded SDK writes into the app, and a second project to isolate from."""

from __future__ import annotations

import base64

import httpx

from powerrag.store import accounts
from powerrag.store.database import Store
from tests.support.recorded import fixture_files, writes

OTHER_PROJECT = "other-project"


def replay_writes(client: httpx.Client, name: str) -> None:
    """Send every tracing and scoring request of a fixture file, byte for byte.

    `client` is an in-process TestClient or an httpx client of a server process.
    """
    for rec in writes(name):
        response = client.post(rec.url, content=rec.body, headers=rec.replay_headers())
        assert response.status_code < 300, (rec.file, rec.seq, response.text)


def replay_successful(client: httpx.Client) -> None:
    """Replay every fixture file but the error scenarios (all of the seeded UI data)."""
    for name in fixture_files():
        if "errors" not in name and "verbatim-fails" not in name:
            replay_writes(client, name)


def other_project_auth(store: Store) -> str:
    """A second project with its own key; returns its Basic auth header."""
    with store.transaction() as conn:
        accounts.create_project(conn, "Other project", OTHER_PROJECT)
        _, secret = accounts.create_api_key(conn, OTHER_PROJECT, public_key="pk-lf-other")
    return "Basic " + base64.b64encode(f"pk-lf-other:{secret}".encode()).decode()
