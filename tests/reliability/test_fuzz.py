"""Fuzzing the decoders and the ingest endpoints with a fixed seed (issue 6 §3).

CI runs a bounded number of examples per target (about 60 seconds in all);
`benchmarks/fuzz.py` runs the same targets for 10 minutes each. A target may answer
or raise InvalidRequestError; the endpoints may answer anything but a 5xx; an
example that takes over `DEADLINE_MS` counts as a hang.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from benchmarks.fuzz_targets import (
    BATCH_DOCS,
    JSON_DOCS,
    MAX_BYTES,
    batch_bodies,
    check_batch,
    check_otlp,
    json_bytes,
    protobuf_requests,
)
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store import accounts
from powerrag.store.database import Store
from tests.support.bodies import BATCH_PATH, OTLP_PATH
from tests.support.project import AUTH, PUBLIC_KEY, SECRET_KEY

DEADLINE_MS = 2000
CI = settings(
    derandomize=True,
    deadline=DEADLINE_MS,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(CI, max_examples=300)
@given(protobuf_requests())
def test_fuzz_protobuf_decoder(request: tuple[bytes, str | None]) -> None:
    body, encoding = request
    check_otlp(body, "application/x-protobuf", encoding)


@settings(CI, max_examples=800)
@given(JSON_DOCS)
def test_fuzz_json_decoder(doc: Any) -> None:
    check_otlp(json_bytes(doc), "application/json", None)


@settings(CI, max_examples=800)
@given(BATCH_DOCS)
def test_fuzz_batch_decoder(doc: Any) -> None:
    check_batch(doc)


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app on a SQLite file for all examples: what they store piles up, as in use."""
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    store = Store.open(f"sqlite:///{data_dir / 'powerrag.db'}", pool_size=2)
    with store.transaction() as conn:
        accounts.create_project(conn, "Fuzz", "fuzz-project")
        accounts.create_api_key(conn, "fuzz-project", public_key=PUBLIC_KEY, secret_key=SECRET_KEY)
    app = create_app(Settings(data_dir=data_dir, max_body_bytes=MAX_BYTES), store=store)
    with TestClient(app, headers={"authorization": AUTH}) as client:
        yield client
    store.close()


def _post(client: TestClient, path: str, body: bytes, headers: dict[str, str]) -> None:
    response = client.post(path, content=body, headers=headers)
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.slow
@settings(CI, max_examples=250, suppress_health_check=list(HealthCheck))
@given(request=protobuf_requests())
def test_fuzz_otlp_endpoint_protobuf(
    fuzz_client: TestClient, request: tuple[bytes, str | None]
) -> None:
    body, encoding = request
    headers = {"content-type": "application/x-protobuf"}
    if encoding:
        headers["content-encoding"] = encoding
    _post(fuzz_client, OTLP_PATH, body, headers)


@pytest.mark.slow
@settings(CI, max_examples=250, suppress_health_check=list(HealthCheck))
@given(doc=JSON_DOCS)
def test_fuzz_otlp_endpoint_json(fuzz_client: TestClient, doc: Any) -> None:
    _post(fuzz_client, OTLP_PATH, json_bytes(doc), {"content-type": "application/json"})


@pytest.mark.slow
@settings(CI, max_examples=250, suppress_health_check=list(HealthCheck))
@given(doc=BATCH_DOCS, extra=batch_bodies())
def test_fuzz_batch_endpoint(fuzz_client: TestClient, doc: Any, extra: dict[str, Any]) -> None:
    _post(fuzz_client, BATCH_PATH, json_bytes(doc), {"content-type": "application/json"})
    _post(
        fuzz_client, "/api/public/scores", json_bytes(extra), {"content-type": "application/json"}
    )
