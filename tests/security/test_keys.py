"""API keys: hashed at rest, never logged, compared in constant time, revoked at once (issue 6 §5)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from powerrag.store import accounts
from powerrag.store.database import Store
from powerrag.store.infra.schema import api_keys
from tests.support.project import AUTH, PROJECT_ID, PUBLIC_KEY, SECRET_KEY
from tests.support.server import POWERRAG, ServerProcess
from tests.support.server import PUBLIC_KEY as SERVER_PUBLIC_KEY
from tests.support.server import SECRET_KEY as SERVER_SECRET_KEY

pytestmark = pytest.mark.one_engine


def _basic(public_key: str, secret_key: str) -> dict[str, str]:
    token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode()
    return {"authorization": f"Basic {token}"}


def test_secret_keys_are_stored_only_as_sha256(store: Store) -> None:
    with store.transaction() as conn:
        _, secret = accounts.create_api_key(conn, PROJECT_ID, note="hashing")
    with store.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(api_keys)).mappings()]
    for row in rows:
        assert all(SECRET_KEY not in str(v) and secret not in str(v) for v in row.values())
    hashes = {r["secret_hash"] for r in rows}
    assert hashlib.sha256(secret.encode()).hexdigest() in hashes
    assert hashlib.sha256(SECRET_KEY.encode()).hexdigest() in hashes


def test_secrets_never_reach_the_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "sk-lf-wrong-secret-0001"
    client.get("/api/public/projects")
    client.get("/api/public/projects", headers=_basic(PUBLIC_KEY, wrong))
    client.get("/api/public/projects", headers={"authorization": "Basic !!!"})
    client.post(
        "/api/public/otel/v1/traces",
        content=b"\xff",
        headers={"content-type": "application/x-protobuf"},
    )
    text = "\n".join(f"{r.getMessage()} {r.args} {r.exc_text}" for r in caplog.records)
    for secret in (SECRET_KEY, wrong, AUTH.split()[1]):
        assert secret not in text


def test_server_log_at_debug_level_holds_no_secret(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", log_level="debug")
    server.start()
    try:
        with httpx.Client(base_url=server.url) as client:
            client.get("/api/public/projects", headers=_basic(SERVER_PUBLIC_KEY, SERVER_SECRET_KEY))
            client.get("/api/public/projects", headers=_basic(SERVER_PUBLIC_KEY, "sk-lf-guess"))
    finally:
        server.stop()
    log = server.log()
    assert "GET /api/public/projects" in log  # access log on: the requests were logged
    for secret in (
        SERVER_SECRET_KEY,
        "sk-lf-guess",
        _basic(SERVER_PUBLIC_KEY, SERVER_SECRET_KEY)["authorization"],
    ):
        assert secret not in log


@pytest.mark.parametrize(
    ("public_key", "secret_key"),
    [
        (PUBLIC_KEY, SECRET_KEY),
        (PUBLIC_KEY, "sk-lf-wrong"),
        ("pk-lf-unknown", SECRET_KEY),
        (PUBLIC_KEY, "x" * 5000),
    ],
    ids=["right", "wrong-secret", "unknown-key", "long-secret"],
)
def test_every_check_compares_fixed_length_digests_in_constant_time(
    store: Store, monkeypatch: pytest.MonkeyPatch, public_key: str, secret_key: str
) -> None:
    calls: list[tuple[int, int]] = []
    compare = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((len(a), len(b)))
        return compare(a, b)

    monkeypatch.setattr("powerrag.store.accounts.hmac.compare_digest", spy)
    with store.connect() as conn:
        key = accounts.verify_api_key(conn, public_key, secret_key)
    assert (key is not None) == (secret_key == SECRET_KEY and public_key == PUBLIC_KEY)
    # One comparison of two SHA-256 digests whatever was wrong: the time taken does
    # not tell a missing key from a wrong secret, nor a near miss from a far one.
    assert calls == [(64, 64)]


def test_revoked_key_stops_working_at_once(client: TestClient, store: Store) -> None:
    with store.transaction() as conn:
        key, secret = accounts.create_api_key(conn, PROJECT_ID, note="to revoke")
    headers = _basic(key.public_key, secret)
    assert client.get("/api/public/projects", headers=headers).status_code == 200
    with store.transaction() as conn:
        assert accounts.revoke_api_key(conn, key.public_key)
    assert client.get("/api/public/projects", headers=headers).status_code == 401
    bearer = {"authorization": f"Bearer {key.public_key}"}
    score = {"name": "s", "value": 1, "traceId": "t"}
    assert client.post("/api/public/scores", json=score, headers=bearer).status_code == 401
    assert client.get("/api/public/projects").status_code == 200  # other keys unaffected


def test_key_revoked_from_the_cli_fails_on_a_running_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir)
    server.start()
    try:
        created = _cli("keys", "create", "--project", "durable", "--data-dir", str(data_dir))
        pairs = dict(line.split("=", 1) for line in created.splitlines() if "=" in line)
        headers = _basic(pairs["LANGFUSE_PUBLIC_KEY"], pairs["LANGFUSE_SECRET_KEY"])
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/api/public/projects", headers=headers).status_code == 200
            _cli("keys", "revoke", pairs["LANGFUSE_PUBLIC_KEY"], "--data-dir", str(data_dir))
            assert client.get("/api/public/projects", headers=headers).status_code == 401
        listed = _cli("keys", "list", "--data-dir", str(data_dir))
        assert pairs["LANGFUSE_SECRET_KEY"] not in listed and "revoked" in listed
    finally:
        server.stop()


def _cli(*args: str) -> str:
    return subprocess.run([str(POWERRAG), *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(
    "header",
    [
        "Basic",
        "Basic ",
        "Basic not-base64!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b":sk-only").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
        "Bearer " + SECRET_KEY,
        "Digest abc",
        "Basic " + "A" * 10000,
    ],
)
def test_malformed_credentials_are_401(client: TestClient, header: str) -> None:
    response = client.get("/api/public/traces", headers={"authorization": header})
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "UnauthorizedError"


def test_public_key_alone_only_creates_scores(client: TestClient) -> None:
    bearer = {"authorization": f"Bearer {PUBLIC_KEY}"}
    assert client.get("/api/public/traces", headers=bearer).status_code == 401
    otlp = client.post("/api/public/otel/v1/traces", json={}, headers=bearer)
    assert otlp.status_code == 401
    batch = {
        "batch": [
            {
                "id": "e",
                "type": "trace-create",
                "timestamp": "2025-11-23T10:00:00Z",
                "body": {"id": "t"},
            }
        ]
    }
    answer = client.post("/api/public/ingestion", json=batch, headers=bearer).json()
    assert answer["successes"] == [] and answer["errors"][0]["status"] == 401
