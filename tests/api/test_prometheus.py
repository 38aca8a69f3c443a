"""`GET /metrics` (api/prometheus.py): off by default, behind a bearer token, in the text
exposition format read back by prometheus_client's own parser; its counters move by
exactly what a concurrent load and a few refused bodies did.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store import jobs
from powerrag.store.database import Store
from tests.support.bodies import JSON, OTLP_PATH, SpanSpec, json_body
from tests.support.live import EventStream, close_streams, events_path, send_turn
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import EMAIL, PASSWORD, sign_in

pytestmark = pytest.mark.one_engine

TOKEN = "scrape-token-1"
SCRAPE = {"authorization": f"Bearer {TOKEN}"}
MAX_BODY = 100_000
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def app_client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    settings = Settings(
        data_dir=tmp_path,
        metrics_token=TOKEN,
        max_body_bytes=MAX_BODY,
        lifecycle_interval_seconds=0,
        retention_interval_seconds=0,
    )
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        try:
            yield client
        finally:
            close_streams(client)


def _scrape(client: TestClient) -> Samples:
    answer = client.get("/metrics", headers=SCRAPE)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    found: Samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _spans(batch: int, n: int) -> list[SpanSpec]:
    """`n` spans of one trace; ids are never all zeros (OTLP's invalid id)."""
    return [
        SpanSpec(f"{batch + 1:032x}", f"{batch + 1:08x}{i + 1:08x}", None, None, "op", 3, 2, 10**18)
        for i in range(n)
    ]


@pytest.mark.one_engine
def test_off_by_default_and_401_without_the_token(store: Store, tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path), store=store)) as client:
        off = client.get("/metrics", headers=SCRAPE)
        assert off.status_code == 404
        assert "POWERRAG_METRICS_TOKEN" in off.json()["message"]
    on = Settings(data_dir=tmp_path, metrics_token=TOKEN)
    with TestClient(create_app(on, store=store)) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "UnauthorizedError"
        basic = client.get("/metrics", headers={"authorization": AUTH})  # an API key is no token
        assert basic.status_code == 401


@pytest.mark.one_engine
def test_counters_move_by_what_a_load_did(app_client: TestClient, store: Store) -> None:
    before = _scrape(app_client)
    threads = 4
    per_thread = 5
    failures: list[str] = []

    def sender(t: int) -> None:
        for r in range(per_thread):
            body = json_body(_spans(t * 100 + r, 3))
            answer = app_client.post(
                OTLP_PATH, content=body, headers={**JSON, "authorization": AUTH}
            )
            if answer.status_code != 200:
                failures.append(answer.text)

    workers = [threading.Thread(target=sender, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert failures == []
    events = [
        {
            "id": "e1",
            "type": "trace-create",
            "timestamp": "2026-01-01T00:00:00Z",
            "body": {"id": "b1"},
        },
        {
            "id": "e2",
            "type": "trace-create",
            "timestamp": "2026-01-01T00:00:00Z",
            "body": {"id": "b2"},
        },
        {"id": "e3", "type": "no-such-event", "timestamp": "2026-01-01T00:00:00Z", "body": {}},
    ]
    batch = app_client.post(
        "/api/public/ingestion", json={"batch": events}, headers={"authorization": AUTH}
    )
    assert batch.status_code == 207 and len(batch.json()["errors"]) == 1
    too_big = orjson.dumps({"resourceSpans": [], "pad": "x" * MAX_BODY})
    refused = app_client.post(OTLP_PATH, content=too_big, headers={**JSON, "authorization": AUTH})
    assert refused.status_code == 413
    stranger = app_client.post(OTLP_PATH, content=json_body(_spans(999, 1)), headers=JSON)
    assert stranger.status_code == 401
    broken = app_client.post(
        "/api/public/ingestion", content=b"{not json", headers={**JSON, "authorization": AUTH}
    )
    assert broken.status_code == 400

    after = _scrape(app_client)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    requests = "powerrag_ingest_requests_total"
    assert moved(requests, endpoint="otlp_traces", outcome="ok") == threads * per_thread
    assert moved(requests, endpoint="otlp_traces", outcome="rejected") == 2
    assert moved(requests, endpoint="ingestion", outcome="ok") == 1
    assert moved(requests, endpoint="ingestion", outcome="rejected") == 1
    spans = "powerrag_ingest_spans_total"
    assert moved(spans, api="otlp", outcome="accepted") == threads * per_thread * 3
    assert moved(spans, api="otlp", outcome="rejected") == 0
    assert moved(spans, api="ingestion", outcome="accepted") == 2
    assert moved(spans, api="ingestion", outcome="rejected") == 1
    reasons = "powerrag_ingest_rejected_bodies_total"
    assert moved(reasons, reason="PayloadTooLargeError") == 1
    assert moved(reasons, reason="UnauthorizedError") == 1
    assert moved(reasons, reason="InvalidRequestError") == 1
    # Every request that passed authentication took an admission place (the 413 and the
    # broken JSON too); every stored one waited in the queue once; 1..21 group commits.
    admitted = threads * per_thread + 3
    assert moved("powerrag_ingest_admission_wait_seconds_count") == admitted
    stored = threads * per_thread + 1
    assert moved("powerrag_ingest_queue_wait_seconds_count") == stored
    commits = moved("powerrag_commit_seconds_count")
    assert 1 <= commits <= stored
    assert moved("powerrag_commit_seconds_bucket", le="+Inf") == commits
    assert _value(after, "powerrag_ingest_queue_depth") == 0
    assert _value(after, "powerrag_ingest_admitted_requests") == 0


def test_live_streams_jobs_and_database_size(app_client: TestClient, store: Store) -> None:
    sign_in(app_client, (EMAIL, PASSWORD))
    send_turn(app_client, "live-1", "watched")
    streams = [EventStream(app_client, events_path("watched")) for _ in range(2)]
    assert _value(_scrape(app_client), "powerrag_live_streams") == 2
    streams[0].close()
    assert _value(_scrape(app_client), "powerrag_live_streams") == 1
    with store.transaction() as conn:
        for key in ("a", "b"):
            jobs.enqueue(
                conn,
                project_id=PROJECT_ID,
                kind="webhook",
                key=key,
                subject="alert-1",
                payload=json.dumps({}),
                now=1,
            )
    samples = _scrape(app_client)
    assert _value(samples, "powerrag_jobs", kind="webhook", state="pending") == 2
    with store.connect() as conn:
        if store.dialect == "sqlite":
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
            size = pages * conn.exec_driver_sql("PRAGMA page_size").scalar_one()
        else:
            size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
    assert _value(samples, "powerrag_database_size_bytes") == size > 1_000_000
