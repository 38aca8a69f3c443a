"""Every read request the SDK clients made (*-api.jsonl) parses and answers in shape.

The recorded ids (`trace-1`, `session-123`, `obs-1`) do not exist here, so
lookups answer 404 LangfuseNotFoundError; lists answer 200 in the spec's shape.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.openapi import validate
from tests.support.recorded import Recorded, fixture_files, is_write, load
from tests.support.replay import replay_writes

pytestmark = pytest.mark.one_engine

API_FILES = [f for f in fixture_files() if f.endswith("-api.jsonl")]

# path (recorded)                       status  schema of the answer (None: error body)
EXPECTED = {
    "/api/public/health":                   (200, "HealthResponse"),
    "/api/public/projects":                 (200, "Projects"),
    "/api/public/sessions":                 (200, "PaginatedSessions"),
    "/api/public/sessions/session-123":     (404, None),
    "/api/public/traces":                   (200, "Traces"),
    "/api/public/traces/trace-1":           (404, None),
    "/api/public/observations":             (200, "legacyObservationsViews"),
    "/api/public/observations/obs-1":       (404, None),
    "/api/public/v2/observations":          (200, "ObservationsV2Response"),
}  # fmt: skip


def _reads(name: str) -> list[Recorded]:
    return [r for r in load(name) if not is_write(r)]


def _send(client: TestClient, rec: Recorded) -> tuple[int, object]:
    response = client.request(rec.method, rec.url, headers=rec.replay_headers())
    return response.status_code, response.json()


@pytest.mark.parametrize("name", API_FILES)
def test_recorded_reads_on_an_empty_project(client: TestClient, name: str) -> None:
    for rec in _reads(name):
        status, body = _send(client, rec)
        if rec.method == "DELETE":
            # Deleting is idempotent, as in Langfuse: an unknown trace is no error.
            assert (status, body) == (200, {"message": "Trace deleted successfully"}), rec.url
            continue
        expected_status, schema = EXPECTED[rec.path]
        assert status == expected_status, (rec.url, body)
        if schema is None:
            assert isinstance(body, dict) and body["error"] == "LangfuseNotFoundError", rec.url
        else:
            validate(body, schema)


@pytest.mark.parametrize("name", API_FILES)
def test_recorded_reads_with_data(client: TestClient, name: str) -> None:
    """With the JS seed stored, `session-123` exists and the lists carry items."""
    replay_writes(client, "js-tracing-4.6.1-seed.jsonl")
    replay_writes(client, "python-langfuse-4.18.0-rich.jsonl")
    for rec in _reads(name):
        if rec.method == "DELETE":
            continue
        status, body = _send(client, rec)
        if rec.path == "/api/public/sessions/session-123":
            assert status == 200
            validate(body, "SessionWithTraces")
            continue
        expected_status, schema = EXPECTED[rec.path]
        assert status == expected_status, (rec.url, body)
        if schema is not None:
            validate(body, schema)
