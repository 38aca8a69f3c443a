"""A project's own idle timeout overrides the server's (600 s here) for its sessions only."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag import project_options
from powerrag.domain.errors import InvalidRequestError
from powerrag.lifecycle import Lifecycle
from powerrag.store import accounts, lifecycle
from powerrag.store.database import Store
from tests.support.lifecycle import Clock, turn
from tests.support.project import PROJECT_ID

SHORT, LONG = "short-project", "long-project"


def _auth(public: str, secret: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{public}:{secret}".encode()).decode()}


def _ingest(api: TestClient, events: list[dict[str, Any]], headers: dict[str, str]) -> None:
    response = api.post("/api/public/ingestion", json={"batch": events}, headers=headers)
    assert response.status_code == 207 and response.json()["errors"] == [], response.text


def _status(api: TestClient, session_id: str, headers: dict[str, str]) -> str:
    found = api.get(f"/api/public/sessions/{session_id}", headers=headers)
    assert found.status_code == 200, found.text
    return str(found.json()["status"])


def test_each_project_ends_sessions_after_its_own_idle_timeout(
    api: TestClient, store: Store, worker: Lifecycle, clock: Clock
) -> None:
    keys = {}
    with store.transaction() as conn:
        for project in (SHORT, LONG):
            accounts.create_project(conn, project, project)
            accounts.create_api_key(
                conn, project, public_key=f"pk-{project}", secret_key=f"sk-{project}"
            )
            keys[project] = _auth(f"pk-{project}", f"sk-{project}")
    project_options.set_session_idle_seconds(store, SHORT, "60")
    project_options.set_session_idle_seconds(store, LONG, " 1200 ")
    assert project_options.session_idle_seconds(store, LONG) == 1200
    assert project_options.session_idle_seconds(store, PROJECT_ID) is None
    default = dict(api.headers)
    for project, headers in ((SHORT, keys[SHORT]), (LONG, keys[LONG]), (PROJECT_ID, default)):
        _ingest(api, turn(f"chat-{project}", f"t-{project}"), headers)

    def statuses() -> list[str]:
        return [
            _status(api, "chat-short-project", keys[SHORT]),
            _status(api, "chat-long-project", keys[LONG]),
            _status(api, f"chat-{PROJECT_ID}", default),
        ]

    assert worker.run_once(clock.advance(55)).ended == 0
    assert worker.run_once(clock.advance(10)).ended == 1  # 65 s: the short project's 60
    assert statuses() == ["ended", "active", "active"]
    assert worker.run_once(clock.advance(530)).ended == 0  # 595 s
    assert worker.run_once(clock.advance(10)).ended == 1  # 605 s: the server's 600
    assert statuses() == ["ended", "active", "ended"]
    assert worker.run_once(clock.advance(590)).ended == 0  # 1195 s
    assert worker.run_once(clock.advance(10)).ended == 1  # 1205 s: the long project's 1200
    assert statuses() == ["ended", "ended", "ended"]

    # Emptied, the project is back on the server's timeout: the sweep no longer reads one.
    project_options.set_session_idle_seconds(store, LONG, "")
    assert project_options.session_idle_seconds(store, LONG) is None
    with store.connect() as conn:
        assert lifecycle.idle_overrides(conn) == {SHORT: 60}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", "the idle timeout is a whole number of seconds, got 'soon'"),
        ("9", "the idle timeout must be between 10 and 7776000 seconds, got 9"),
        ("7776001", "between 10 and 7776000 seconds"),
    ],
)
def test_a_bad_idle_timeout_is_refused_with_the_reason(
    store: Store, text: str, message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message.replace("(", r"\(")):
        project_options.set_session_idle_seconds(store, PROJECT_ID, text)
    assert project_options.session_idle_seconds(store, PROJECT_ID) is None
