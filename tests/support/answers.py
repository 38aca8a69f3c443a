"""Checks on answers shared by the bad-input tests: errors name the problem, spans are stored."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

TS = "2025-11-23T10:00:00.000Z"


def stored(client: TestClient, observation_id: str) -> bool:
    response = client.get(f"/api/public/observations/{observation_id}")
    assert response.status_code in (200, 404), response.text
    return bool(response.status_code == 200)


def assert_error(response: Any, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] and body["message"]
    for word in words:
        assert word.lower() in body["message"].lower(), body["message"]


def rejected(response: Any) -> tuple[int, str]:
    assert response.status_code == 200, response.text
    partial = response.json()["partialSuccess"]
    return int(partial["rejectedSpans"]), partial["errorMessage"]
