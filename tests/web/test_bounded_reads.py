"""Reads are bounded (issue 19 L10): a huge session or trace cannot make a 40 MB answer.

The caps are lowered for the test; the data is the recorded SDK traffic.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from powerrag.query import sessions, traces
from tests.support.project import AUTH, PROJECT_ID

API = {"authorization": AUTH}


def test_a_session_over_the_cap_names_the_paged_read(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = web.get("/api/public/sessions/session-123", headers=API).json()
    count = len(whole["traces"])
    assert count >= 2
    monkeypatch.setattr(sessions, "MAX_SESSION_TRACES", count - 1)

    answer = web.get("/api/public/sessions/session-123", headers=API)

    assert answer.status_code == 400
    assert f"has {count} traces" in answer.json()["message"]
    assert "/api/public/traces?sessionId=" in answer.json()["message"]
    paged = web.get("/api/public/traces", params={"sessionId": "session-123"}, headers=API)
    assert len(paged.json()["data"]) == count


def test_a_trace_page_shows_at_most_the_cap_and_says_so(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = web.get("/api/public/traces", headers=API).json()["data"]
    wide = max(listed, key=lambda t: len(t["observations"]))
    total = len(wide["observations"])
    assert total >= 3
    monkeypatch.setattr(traces, "MAX_PAGE_OBSERVATIONS", 2)
    page = f"/project/{PROJECT_ID}/traces/{wide['id']}"

    twin = web.get(f"{page}?format=json").json()
    html = web.get(page).text

    assert len(twin["observations"]) == 2
    assert twin["observationsTruncated"] is True
    assert f"Showing the first 2 of {total} observations" in html
